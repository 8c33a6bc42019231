/**
 * Text safety (docs/how-it-works.md, "Hostile and unusual answers"). Every string a
 * server sent is data: `serverText` makes it one bounded, printable line
 * before it is quoted in a cause. Every text that leaves the process passes
 * a scrubber (`scrubberFor`) that removes the run's secrets and anything
 * token-shaped, even when a server echoes them back.
 */

import { isOrdinaryText, runScrubberFor } from './secret-runs.js'

/** About 200 characters a field: enough for any real login, slug or error message. */
export const SERVER_TEXT_MAX = 200

/** What a redacted secret is replaced with (as the runner's own masking does). */
export const REDACTED = '***'

/**
 * Token shapes that never reach an output, whoever sent them: GitHub's
 * prefixed tokens (wherever they start, glued to a word or not),
 * fine-grained PATs, Okta SSWS tokens, JWTs (IdP access and OIDC tokens,
 * client assertions), and any value after an authorization scheme.
 *
 * Every pattern runs in linear time on hostile text: each either consumes
 * what it scanned or fails within a bounded distance. (JWTs, whose pattern
 * would backtrack, are found by `redactJwts` without a regular expression.)
 */
const GITHUB_SHAPES: readonly RegExp[] = [/(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9_]{16,}/g, /github_pat_[A-Za-z0-9_]{16,}/g]

/** A scheme word and its value (`Bearer abc…`, `SSWS abc…`, `token=abc…`). */
const SCHEME_VALUE = /\b(bearer|token|dpop|basic|ssws)([\s:=]+)([A-Za-z0-9._~+/=-]{8,})/gi

/**
 * A value after a scheme word that is an ordinary word of prose ("token
 * authorization", "Bearer tokens"), not a credential: letters only, at most a
 * leading capital, optionally joined by `-` or `_`, perhaps ending a sentence.
 * A random credential of eight or more characters is practically never one.
 */
const PROSE_WORD = /^[A-Za-z]?[a-z]+(?:[-_][a-z]+)*[.,]?$/

const BASE64URL = /^[A-Za-z0-9_-]*$/

/**
 * Replaces JWTs (`eyJ…` header, payload, signature, dot-separated) in linear
 * time: the text is cut into runs of base64url characters and dots, and each
 * run into its dot-separated segments, which are inspected once each.
 */
function redactJwts(text: string): string {
  if (!text.includes('eyJ')) return text
  return text.replace(/[A-Za-z0-9_.-]+/g, run => {
    if (!run.includes('eyJ') || !run.includes('.')) return run
    const segs = run.split('.')
    const out: string[] = []
    let i = 0
    while (i < segs.length) {
      const seg = segs[i] ?? ''
      // The first `eyJ` at a word start: the segment's start, or after a `-` (a non-word character).
      let at = -1
      for (let p = seg.indexOf('eyJ'); p >= 0; p = seg.indexOf('eyJ', p + 1)) {
        if (p === 0 || seg[p - 1] === '-') {
          at = p
          break
        }
      }
      const payload = segs[i + 1]
      if (
        at >= 0 &&
        seg.length - at >= 7 &&
        payload !== undefined &&
        payload.length >= 4 &&
        i + 2 < segs.length &&
        BASE64URL.test(payload)
      ) {
        out.push(`${seg.slice(0, at)}${REDACTED}`)
        i += 3
      } else {
        out.push(seg)
        i += 1
      }
    }
    return out.join('.')
  })
}

/** Replaces anything token-shaped in a text with `***`. */
export function redactTokenShapes(text: string): string {
  let out = text
  for (const shape of GITHUB_SHAPES) out = out.replace(shape, REDACTED)
  out = out.replace(SCHEME_VALUE, (whole, scheme: string, sep: string, value: string) =>
    PROSE_WORD.test(value) ? whole : `${scheme}${sep}${REDACTED}`
  )
  return redactJwts(out)
}

/** A function that removes the run's secrets and every token shape from a text. */
export type Scrub = (text: string) => string

/**
 * The pieces of a secret that must never be shown: the value, its trimmed
 * form, each line (a PEM key) or whitespace-separated part of six characters
 * or more (a token pasted with a scheme word or a line break), and the last
 * eight characters of each long token-like part (what GitHub shows of a token
 * as `token_last_eight`: a server that echoes them must not get them out).
 */
export function secretPieces(secret: string): string[] {
  const pieces = new Set<string>()
  // A piece is registered (masked by the runner, scrubbed by us) only when it cannot be an ordinary word:
  // "rejected" ending an access token must not mask every "rejected" (our cause ids among them).
  const add = (s: string): void => {
    if (s.length >= 6 && !isOrdinaryText(s)) pieces.add(s)
  }
  // The value itself, whatever it is: it is what was given (or obtained) as the secret.
  if (secret.length >= 6) pieces.add(secret)
  const trimmed = secret.trim()
  add(trimmed)
  // A PEM key's armour lines are no secret: their words (PRIVATE, KEY-----) must stay readable elsewhere.
  const body = trimmed
    .split(/\r\n|\r|\n/)
    .map(line => line.trim())
    .filter(line => !/^-----(BEGIN|END) [A-Z0-9 ]+-----$/.test(line))
  for (const line of body) add(line)
  for (const part of body.join(' ').split(/\s+/)) {
    if (/^(bearer|token|sswss?|dpop|basic)$/i.test(part)) continue
    add(part)
    if (part.length >= 16 && /^[A-Za-z0-9_.~+/=-]+$/.test(part) && !part.startsWith('-')) add(part.slice(-8))
  }
  // The forms a server may echo a long secret in: percent-encoded (either case of hex digits), base64, base64url.
  for (const p of [...pieces]) {
    if (p.length < 16) continue
    // Strictly: form encoders (.NET's among them) also escape ~ ! ' ( ) *, which encodeURIComponent leaves.
    const encoded = encodeURIComponent(p).replace(/[~!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    if (encoded !== p) {
      add(encoded)
      add(encoded.replace(/%[0-9A-F]{2}/g, e => e.toLowerCase()))
    }
    const b64 = Buffer.from(p, 'utf8').toString('base64').replace(/=+$/, '')
    add(b64)
    add(Buffer.from(p, 'utf8').toString('base64url'))
    // Standard base64 in a query string or a form: its `+` and `/` percent-encoded (either case of hex digits).
    const b64Encoded = encodeURIComponent(b64)
    if (b64Encoded !== b64) {
      add(b64Encoded)
      add(b64Encoded.replace(/%[0-9A-F]{2}/g, e => e.toLowerCase()))
    }
  }
  // Longest first: a piece inside a longer one must not leave the rest of the longer one behind.
  return [...pieces].sort((a, b) => b.length - a.length)
}

/**
 * A value an IdP's token endpoint could really have issued: long, one word of
 * token characters. Anything else ("failing", a sentence) is no credential, and
 * is never registered as a secret (masking an ordinary word would blank the
 * action's own outputs).
 */
export function isCredentialShaped(value: unknown): value is string {
  // Not an ordinary word either: a hostile IdP's "provisioning-token-check" as a token must not mask our name.
  return typeof value === 'string' && /^[A-Za-z0-9._~+/=-]{20,8192}$/.test(value) && !isOrdinaryText(value)
}

/**
 * A scrubber for the run's secrets: removes each piece of each secret; then every part of a run of token
 * characters that stands in a secret (`SECRET_RUN_MIN` characters or more, no ordinary word: a secret split
 * across two fields or wrapped over lines, secret-runs.ts); then every token shape.
 */
export function scrubberFor(...secrets: readonly string[]): Scrub {
  const pieces = [...new Set(secrets.flatMap(secretPieces))].sort((a, b) => b.length - a.length)
  const runs = runScrubberFor(pieces)
  return (text: string): string => {
    let out = text
    for (const p of pieces) if (out.includes(p)) out = out.split(p).join(REDACTED)
    // A piece and the run beside it redact as one: `******` would say there were two secrets.
    return redactTokenShapes(runs(out).replace(/\*{3}(?:\*{3})+/g, REDACTED))
  }
}

/**
 * The run's secrets, as they become known: the inputs at the start, and
 * tokens obtained during the run (IdP access tokens, the OIDC token) later.
 * `scrub` always removes every secret added so far.
 */
export class SecretList {
  private readonly list: string[] = []
  private scrubber: Scrub | null = null

  add(...secrets: readonly string[]): void {
    for (const s of secrets) {
      if (s.trim() === '' || this.list.includes(s)) continue
      this.list.push(s)
      this.scrubber = null
    }
  }

  get values(): readonly string[] {
    return [...this.list]
  }

  readonly scrub: Scrub = text => {
    this.scrubber ??= scrubberFor(...this.list)
    return this.scrubber(text)
  }
}

/**
 * C0 and C1 controls, DEL, bidi embeddings/overrides/isolates and marks,
 * zero-width characters, the BOM, and the line and paragraph separators.
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g

function asText(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (value === null || value === undefined) return ''
  return Array.isArray(value) ? '(an array)' : '(an object)'
}

/** Line breaks and tabs become spaces; every other unprintable character goes. Linear in the text. */
function printable(s: string): string {
  return s.replace(/[\r\n\t\v\f\u0085\u2028\u2029]+/g, ' ').replace(UNPRINTABLE, '')
}

/**
 * Cuts `s` to at most `max` characters (code points) with an ellipsis. A
 * run of token-like characters that the cut splits is dropped whole: the
 * front half of a secret is not recognisable as one, so it must not stay.
 */
function cutTo(s: string, max: number, alreadyCut: boolean): string {
  let out = s
  let cut = alreadyCut
  if (out.length > max) {
    const points = Array.from(out)
    if (points.length > max) {
      out = points.slice(0, Math.max(0, max - 1)).join('')
      cut = true
    }
  }
  if (!cut) return out
  return `${out.replace(/[A-Za-z0-9_.~+/=-]{6,}$/, '').trimEnd()}…`
}

/**
 * A server's string, made data: one line, no control or bidi characters,
 * whitespace folded, at most `max` characters (an ellipsis marks a cut).
 * Anything that is not a string is shown as its JSON type.
 */
export function serverText(value: unknown, max: number = SERVER_TEXT_MAX): string {
  // Unprintable characters go before any cut: removing them later could bring hidden text into view.
  let s = printable(asText(value))
  // Cut long input early: nothing past a few times `max` can show, and the work stays linear and small.
  const early = s.length > max * 4
  if (early) s = s.slice(0, max * 4)
  s = s.replace(/\s+/g, ' ').trim()
  return cutTo(s, max, early)
}

// ── The boundary: every text that leaves the process ─────────────────────

/** Longest cause message or remediation shown (ours are far shorter; a quoted answer is about 200). */
export const MESSAGE_MAX = 2000
/** Longest URL shown (GitHub's SSO authorization URLs are about 150 characters). */
export const URL_MAX = 1000
/** Longest log line written (core.info / core.debug). */
export const LOG_MAX = 4000

/**
 * One field of output: the secrets and token shapes scrubbed, one printable
 * line, at most `max` characters. Whatever produced the text, and whether or
 * not it was already made safe, this is the last step before it leaves.
 */
export function outText(value: unknown, scrub: Scrub, max: number = SERVER_TEXT_MAX): string {
  // Printable first: a zero-width character inside a token must not hide it from the scrubber.
  let s = printable(asText(value))
  // Scrubbing shrinks a text by at most a factor of three: a cut at 16× keeps the visible part whole.
  const early = s.length > max * 16
  if (early) s = s.slice(0, max * 16)
  s = scrub(s).replace(/\s+/g, ' ').trim()
  return cutTo(s, max, early)
}

/** Line breaks as the runner reads them (.NET ReadLine), and the Unicode ones besides. */
const LINE_BREAKS = /(\r\n|[\r\n\u0085\u2028\u2029])/
/** A workflow command at a line's start, after whitespace as .NET's TrimStart skips it. */
const COMMAND_START = /^([\s\u0085]*)(::|##\[)/

/**
 * No line of `text` can start a workflow command (`::stop-commands::`,
 * `::add-mask::`, `::set-output`, the legacy `##[…]`): a `::` or `##[` at a
 * line's start (after optional whitespace) is broken up with a space.
 */
export function neutraliseCommands(text: string): string {
  if (!text.includes('::') && !text.includes('##[')) return text
  return text
    .split(LINE_BREAKS)
    .map((part, i) =>
      i % 2 === 1 ? part : part.replace(COMMAND_START, (_m, ws: string, cmd: string) => `${ws}${cmd === '::' ? ': :' : '# #['}`)
    )
    .join('')
}

/** A log line (core.info / core.debug): scrubbed, one line, bounded, and no workflow command. */
export function logLine(text: string, scrub: Scrub, max: number = LOG_MAX): string {
  return neutraliseCommands(outText(text, scrub, max))
}

/** Cuts a text to at most `maxBytes` UTF-8 bytes, the cut marked with `marker`. */
export function truncateBytes(text: string, maxBytes: number, marker = '…[truncated]'): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text
  const room = Math.max(0, maxBytes - Buffer.byteLength(marker, 'utf8'))
  // A character split by the byte cut decodes as U+FFFD: drop it.
  const kept = Buffer.from(text, 'utf8')
    .subarray(0, room)
    .toString('utf8')
    .replace(/\uFFFD+$/, '')
  return `${kept}${marker}`
}

// ── Markdown (the job summary) ───────────────────────────────────────────

/** A word that GitHub would turn into a link (URL, www., e-mail, mailto:) or that is one. */
const LINKISH = /:\/\/|www\.|@|mailto:|xmpp:/i

/** Markdown's active characters in data; `<`, `>`, `&` become entities, the rest are backslash-escaped. */
const MD_ACTIVE = /[\\`*_[\]!~#|$<>&]/g
const ENTITY: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;' }

const escapeMarkdown = (s: string): string => s.replace(MD_ACTIVE, ch => ENTITY[ch] ?? `\\${ch}`)

/** A code span showing `word` literally: nothing inside one is a link, an image or HTML. */
function codeSpan(word: string): string {
  return `\`${word.replace(/[`|\\]/g, ch => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)}\``
}

/**
 * A text as data in Markdown (a table cell or a list item): every character
 * that could make a link, an image, HTML, emphasis, a heading, math or a
 * table column is escaped, and every URL-like word (a URL, `www.`, an
 * e-mail address) is shown as inline code, so that it never becomes a link.
 * Expects one line (outText); line breaks left would become spaces.
 */
export function markdownText(text: string): string {
  const words = text.replace(/[\r\n]+/g, ' ').split(/(\s+)/)
  return words
    .map((w, i) => {
      if (i % 2 === 1 || w === '') return w
      if (LINKISH.test(w)) {
        // Punctuation around the word stays outside the code span: "at https://…/tokens: Settings", "(scim@acme.example)".
        const [, lead = '', core = w, tail = ''] = /^([("']*)(.*?)([.,:;!?)"']*)$/.exec(w) ?? []
        return LINKISH.test(core) ? `${escapeMarkdown(lead)}${codeSpan(core)}${escapeMarkdown(tail)}` : codeSpan(w)
      }
      let out = escapeMarkdown(w)
      // A list marker or an ordered-list number at the start would nest a list.
      if (i === 0) out = out.replace(/^([-+])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2')
      return out
    })
    .join('')
}
