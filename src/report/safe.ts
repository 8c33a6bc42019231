/**
 * The output boundary (docs/how-it-works.md, "Hostile and unusual answers"): whatever
 * the verdict holds, and whether or not diagnose made it safe, every text is
 * scrubbed of the run's secrets and token shapes, made one printable line and
 * bounded before any renderer sees it.
 */
import { PROVIDER_IDS } from '../idp/providers.js'
import { CAUSE_IDS, SEVERITY_ORDER } from '../causes.js'
import type { Verdict } from '../diagnose/index.js'
import { KIND_LABEL } from '../token.js'
import { MESSAGE_MAX, outText, scrubberFor, SERVER_TEXT_MAX, URL_MAX, type Scrub } from '../sanitize.js'

/** Each output but `report` (docs/reference.md: each under 1 MiB; a real one is a few hundred bytes). */
export const OUTPUT_MAX_BYTES = 64 * 1024
/** The `report` output: valid JSON, shortened (`truncated: true`) to stay under this. */
export const REPORT_MAX_BYTES = 768 * 1024
/** The job summary (GitHub refuses one over 1 MiB). */
export const SUMMARY_MAX_BYTES = 768 * 1024
/** One annotation's text. */
export const ANNOTATION_MAX = 4000

/** What every output function needs to know: the run's secrets (the GitHub token, IdP secrets, tokens obtained). */
export interface OutputOptions {
  /** Every secret of the run; each is scrubbed from every text, as are token shapes. */
  secrets?: readonly string[]
}

// ── The boundary: a verdict whose every text is safe to show ─────────────

/** Longest text per field: messages, remediations and notes are ours (quoting answers); URLs; everything else. */
function maxFor(key: string): number {
  if (key === 'message' || key === 'remediation' || key === 'notes' || key === 'lastFailureReason') return MESSAGE_MAX
  if (/url$/i.test(key)) return URL_MAX
  return SERVER_TEXT_MAX
}

/**
 * The action's own words for fixed fields (cause ids, severities, statuses, kinds): a value from these sets
 * is never scrubbed, so no secret, however ordinary the word, can blank the verdict's structure.
 */
const OWN_VALUES: Readonly<Record<string, ReadonlySet<string>>> = {
  id: new Set(CAUSE_IDS),
  severity: new Set(SEVERITY_ORDER),
  status: new Set(['healthy', 'warning', 'failing', 'inconclusive', 'off', 'unknown']),
  provider: new Set(PROVIDER_IDS),
  tokenKind: new Set(Object.keys(KIND_LABEL)),
  platform: new Set(['dotcom', 'ghe.com', 'ghes']),
  expiry: new Set(['date', 'never', 'unknown']),
  idpCredential: new Set(['oauth-grant', 'checked-token', 'unknown'])
}

/** True when `value` is one of our own words for the field `key` (a cause id, a status, …): never scrubbed. */
export function isOwnValue(key: string, value: string): boolean {
  return OWN_VALUES[key]?.has(value) === true
}

function cleanDeep(value: unknown, key: string, scrub: Scrub, depth: number): unknown {
  if (typeof value === 'string' && OWN_VALUES[key]?.has(value)) return value
  if (typeof value === 'string') return outText(value, scrub, maxFor(key))
  if (value === null || typeof value !== 'object' || depth > 8) return typeof value === 'object' ? null : value
  if (Array.isArray(value)) return value.map(v => cleanDeep(v, key, scrub, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = cleanDeep(v, k, scrub, depth + 1)
  return out
}

/**
 * The verdict with every string (those of fields added later included)
 * scrubbed of the run's secrets and token shapes, made one printable line and
 * bounded: the one input of every renderer below and of the CLI's.
 */
export function safeVerdict(verdict: Verdict, scrub: Scrub): Verdict {
  return cleanDeep(verdict, '', scrub, 0) as Verdict
}

export const scrubOf = (options: OutputOptions): Scrub => scrubberFor(...(options.secrets ?? []))
