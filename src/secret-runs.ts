/**
 * Secrets that arrive in pieces (docs/how-it-works.md, "Hostile and unusual answers"): a server may echo a secret
 * split across two fields ("errorCode" + "errorSummary", joined with a space when quoted), or wrapped over
 * lines (a line break becomes a space in one line of output). No exact match finds those. So every run of
 * token characters of a text is compared, `SECRET_RUN_MIN` characters at a time, with the runs of the
 * secrets: whatever part of it is a piece of a secret at least that long is redacted, unless that part could
 * be an ordinary word (then it is no evidence of a secret, and masking it would rewrite our own words).
 *
 * Also here: what an ordinary word is (`isOrdinaryText`), which decides which pieces of a secret are
 * registered (sanitize.ts `secretPieces`): "rejected" at the end of an access token is no mask.
 */

/** The shortest part of a secret redacted wherever it stands (a half of a 16-character secret). */
export const SECRET_RUN_MIN = 8

/** What a redacted part is replaced with (sanitize.ts REDACTED). */
const MASK = '***'

/** Runs of the characters of tokens, keys and client secrets (base64, base64url, Entra's `~` and `.`), long enough. */
const RUN = new RegExp(`[A-Za-z0-9_.~+/=-]{${SECRET_RUN_MIN},}`, 'g')

/** Words of prose (lower case, a leading capital at most), joined by `-`, `_`, `.` or a space. */
const PROSE = /^[A-Za-z]?[a-z]+(?:[-_. ][A-Za-z]?[a-z]+)*$/
/** An upper-case word or code (INVALID_CREDENTIALS, SSWS, REJECTED). */
const UPPER = /^[A-Z]+(?:[-_. ][A-Z]+)*$/

/**
 * Could `text` be an ordinary word or phrase of ours or of a server (`rejected`, `token-expiring`,
 * `Client-Secret`, `INVALID_CREDENTIALS`), or is it too uniform to be evidence of a secret (`aaaaaaaa`,
 * `12121212`)? Such text is never registered as a piece of a secret, and never redacted as one of its runs.
 * Edge punctuation (`-expired`, `rejected.`) does not make a word a credential.
 */
export function isOrdinaryText(text: string): boolean {
  // Trimmed by hand (a regular expression anchored at the end would scan a long run of them again and again).
  const edge = (ch: string | undefined): boolean => ch !== undefined && '-_.~+/=,;: \t\n\r'.includes(ch)
  let from = 0
  let to = text.length
  while (from < to && edge(text[from])) from++
  while (to > from && edge(text[to - 1])) to--
  const core = text.slice(from, to)
  if (core === '') return true
  if (PROSE.test(core) || UPPER.test(core)) return true
  return new Set(core).size < 4
}

interface Windows {
  /** Every window of the secrets' runs. */
  text: Set<string>
  /**
   * Every pair of adjacent characters in those windows (a bit per pair of the low 8 bits of each): a window
   * of the text is looked up only when each of its pairs is one (a cheap first test, no string per position).
   */
  pairs: Uint8Array
}

const pairOf = (a: number, b: number): number => ((a & 0xff) << 8) | (b & 0xff)

/** Every `SECRET_RUN_MIN`-character window of each run of token characters of the secrets. */
function windowsOf(secrets: readonly string[]): Windows {
  const windows: Windows = { text: new Set(), pairs: new Uint8Array(65536) }
  for (const secret of secrets) {
    for (const m of secret.matchAll(RUN)) {
      const run = m[0]
      for (let i = 0; i + SECRET_RUN_MIN <= run.length; i++) windows.text.add(run.slice(i, i + SECRET_RUN_MIN))
      for (let i = 1; i < run.length; i++) windows.pairs[pairOf(run.charCodeAt(i - 1), run.charCodeAt(i))] = 1
    }
  }
  return windows
}

/**
 * The parts of `text` (start, end) that stand in a window of the secrets, overlapping windows merged. One pass,
 * a table lookup per character; a window's text is looked up only when each of its pairs is one of the secrets'.
 */
function coveredParts(text: string, windows: Windows): Array<[number, number]> {
  const parts: Array<[number, number]> = []
  const pairs = windows.pairs
  // How many characters end here whose adjacent pairs are all pairs of the secrets (the pairs hold only
  // characters of runs, so a streak never crosses a space; a rare false pair costs one set lookup).
  let streak = 0
  let prev = 0
  for (let j = 0; j < text.length; j++) {
    const c = text.charCodeAt(j)
    streak = pairs[((prev & 0xff) << 8) | (c & 0xff)] === 1 ? streak + 1 : 1
    prev = c
    if (streak < SECRET_RUN_MIN) continue
    const start = j - SECRET_RUN_MIN + 1
    if (!windows.text.has(text.slice(start, j + 1))) continue
    const last = parts[parts.length - 1]
    if (last && last[1] >= start) last[1] = j + 1
    else parts.push([start, j + 1])
  }
  return parts
}

/**
 * A scrubber of the secrets' runs: each run of token characters of a text loses every part of at least
 * `SECRET_RUN_MIN` characters that also stands in a secret. Linear in the text (a window is a set lookup).
 */
export function runScrubberFor(secrets: readonly string[]): (text: string) => string {
  const windows = windowsOf(secrets)
  if (windows.text.size === 0) return text => text
  return text => {
    const parts = coveredParts(text, windows)
    if (parts.length === 0) return text
    let out = ''
    let at = 0
    for (const [start, end] of parts) {
      if (isOrdinaryText(text.slice(start, end))) continue
      out += `${text.slice(at, start)}${MASK}`
      at = end
    }
    return out + text.slice(at)
  }
}
