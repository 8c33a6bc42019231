/**
 * Text safety (PRODUCT.md, "Hostile and unusual answers"). Every string a
 * server sent is data: `serverText` makes it one bounded, printable line
 * before it is quoted in a cause. Every text that leaves the process passes
 * a scrubber (`scrubberFor`) that removes the run's secrets and anything
 * token-shaped, even when a server echoes them back.
 */

/** About 200 characters a field: enough for any real login, slug or error message. */
export const SERVER_TEXT_MAX = 200

/** What a redacted secret is replaced with (as the runner's own masking does). */
export const REDACTED = '***'

/**
 * Token shapes that never reach an output, whoever sent them: GitHub's
 * prefixed tokens, fine-grained PATs, Okta SSWS tokens, JWTs (IdP access and
 * OIDC tokens, client assertions), and any value after an authorization scheme.
 */
const TOKEN_SHAPES: readonly RegExp[] = [
  /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9_]{16,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{16,}/g,
  /\bSSWS[\s:=]+[A-Za-z0-9_-]{8,}/gi,
  /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  // A value after a scheme word, when it looks like a credential (long, with a digit): not "Token rejected".
  /\b(?:bearer|token|dpop|basic)(?:\s+|\s*[:=]\s*)(?=[A-Za-z._~+/=-]*\d)[A-Za-z0-9._~+/=-]{16,}/gi
]

/** Replaces anything token-shaped in a text with `***`. */
export function redactTokenShapes(text: string): string {
  let out = text
  for (const shape of TOKEN_SHAPES) out = out.replace(shape, REDACTED)
  return out
}

/**
 * The pieces of a secret that must never be shown: the value, its trimmed
 * form, and each line (a PEM key) or whitespace-separated part of six
 * characters or more (a token pasted with a scheme word or a line break).
 */
export function secretPieces(secret: string): string[] {
  const pieces = new Set<string>()
  const add = (s: string): void => {
    if (s.length >= 6) pieces.add(s)
  }
  add(secret)
  const trimmed = secret.trim()
  add(trimmed)
  for (const line of trimmed.split(/\r?\n/)) add(line.trim())
  for (const part of trimmed.split(/\s+/)) if (!/^(bearer|token|sswss?|dpop)$/i.test(part)) add(part)
  // Longest first: a piece inside a longer one must not leave the rest of the longer one behind.
  return [...pieces].sort((a, b) => b.length - a.length)
}

/** A scrubber for the run's secrets: removes each piece of each secret, then every token shape. */
export function scrubberFor(...secrets: readonly string[]): (text: string) => string {
  const pieces = secrets.flatMap(secretPieces).sort((a, b) => b.length - a.length)
  return (text: string): string => {
    let out = text
    for (const p of pieces) if (out.includes(p)) out = out.split(p).join(REDACTED)
    return redactTokenShapes(out)
  }
}

/**
 * C0 and C1 controls, DEL, bidi embeddings/overrides/isolates and marks,
 * zero-width characters, the BOM, and the line and paragraph separators.
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g

/**
 * A server's string, made data: one line, no control or bidi characters,
 * whitespace folded, at most `max` characters (an ellipsis marks a cut).
 * Anything that is not a string is shown as its JSON type.
 */
export function serverText(value: unknown, max: number = SERVER_TEXT_MAX): string {
  let s: string
  if (typeof value === 'string') s = value
  else if (typeof value === 'number' || typeof value === 'boolean') s = String(value)
  else if (value === null || value === undefined) s = ''
  else s = Array.isArray(value) ? '(an array)' : '(an object)'
  // Cut long input early: nothing past a few times `max` can show, and the work stays linear and small.
  if (s.length > max * 4) s = s.slice(0, max * 4)
  s = s.replace(/[\r\n\t\v\f]+/g, ' ').replace(UNPRINTABLE, '').replace(/\s+/g, ' ').trim()
  if (Array.from(s).length > max) s = `${Array.from(s).slice(0, max - 1).join('')}…`
  return s
}
