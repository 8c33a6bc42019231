/**
 * Secrets that arrive in pieces (PRODUCT.md, "Hostile and unusual answers"): a server may echo a secret
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

/** The characters of tokens, keys and client secrets (base64, base64url, Entra's `~` and `.`). */
const RUN = /[A-Za-z0-9_.~+/=-]+/g

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
  const core = text.replace(/^[-_.~+/=\s]+|[-_.~+/=,;:\s]+$/g, '')
  if (core === '') return true
  if (PROSE.test(core) || UPPER.test(core)) return true
  return new Set(core).size < 4
}

/** Every `SECRET_RUN_MIN`-character window of each run of token characters of the secrets. */
function windowsOf(secrets: readonly string[]): Set<string> {
  const windows = new Set<string>()
  for (const secret of secrets) {
    for (const m of secret.matchAll(RUN)) {
      const run = m[0]
      for (let i = 0; i + SECRET_RUN_MIN <= run.length; i++) windows.add(run.slice(i, i + SECRET_RUN_MIN))
    }
  }
  return windows
}

/** One run of a text with every part that is a piece of a secret (and no ordinary word) redacted. */
function scrubRun(run: string, windows: ReadonlySet<string>): string {
  const covered = new Uint8Array(run.length)
  let any = false
  for (let i = 0; i + SECRET_RUN_MIN <= run.length; i++) {
    if (!windows.has(run.slice(i, i + SECRET_RUN_MIN))) continue
    covered.fill(1, i, i + SECRET_RUN_MIN)
    any = true
  }
  if (!any) return run
  let out = ''
  let i = 0
  while (i < run.length) {
    let j = i
    while (j < run.length && covered[j] === covered[i]) j++
    const part = run.slice(i, j)
    out += covered[i] === 1 && !isOrdinaryText(part) ? MASK : part
    i = j
  }
  return out
}

/**
 * A scrubber of the secrets' runs: each run of token characters of a text loses every part of at least
 * `SECRET_RUN_MIN` characters that also stands in a secret. Linear in the text (a window is a set lookup).
 */
export function runScrubberFor(secrets: readonly string[]): (text: string) => string {
  const windows = windowsOf(secrets)
  if (windows.size === 0) return text => text
  return text => text.replace(RUN, run => (run.length < SECRET_RUN_MIN ? run : scrubRun(run, windows)))
}
