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
