/** An IdP report before anything is known: the start of every provider's report, and of a failed one. */
import type { IdpDetails, IdpFinding, IdpProvider, IdpReport } from './types.js'

export function blankReport(
  provider: IdpProvider,
  app: string,
  requests: number,
  findings: IdpFinding[] = [],
  details: IdpDetails = {}
): IdpReport {
  return {
    provider,
    app,
    appLabel: null,
    lastSuccessAt: null,
    lastFailureAt: null,
    lastFailureReason: null,
    quarantine: null,
    noAttempt: false,
    details,
    findings,
    requests
  }
}

/** Fields of a report that hold our own words (the provider's id, a finding's kind, an input's name): never scrubbed. */
const OWN_FIELDS: ReadonlySet<string> = new Set(['provider', 'kind', 'input'])

function scrubbedDeep(value: unknown, key: string, scrub: (text: string) => string, depth: number): unknown {
  if (typeof value === 'string') return OWN_FIELDS.has(key) ? value : scrub(value)
  if (value === null || typeof value !== 'object' || depth > 8) return typeof value === 'object' ? null : value
  if (Array.isArray(value)) return value.map(v => scrubbedDeep(v, key, scrub, depth + 1))
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubbedDeep(v, k, scrub, depth + 1)]))
}

/**
 * The report with every server string scrubbed of the run's secrets (a server that echoes one back, whole, split
 * or wrapped, must not get it out), but never our own words: a secret that ends in "rejected" cannot turn the
 * finding `credentials-rejected` into another (the join would not know it).
 */
export function scrubReport(report: IdpReport, scrub: (text: string) => string): IdpReport {
  return scrubbedDeep(report, '', scrub, 0) as IdpReport
}
