/**
 * The IdP side's contract (docs/idp.md): what every provider (src/idp/provider.ts) is given, and what it
 * hands back to the join in diagnose.
 *
 * A provider asks its IdP (read only: GETs, plus its own OAuth token
 * requests), judges the answers with a pure function, and returns an
 * `IdpReport`. It never throws for the IdP's or the network's faults: those
 * are a `check-failed` finding. The join turns findings into causes.
 */

/** A provider's id (`idp` input): one of the registry's (`src/idp/providers.ts`). */
export type IdpProvider = string

/** `idp-status` (docs/reference.md): failing, off, unknown (could not tell, or no attempt seen), healthy. */
export type IdpStatus = 'healthy' | 'failing' | 'off' | 'unknown'

/** What the IdP says of its provisioning to GitHub; each becomes one cause in the join. */
export type IdpFinding =
  /** The IdP's own calls to GitHub fail for credentials (idp-credentials-rejected). */
  | {
      kind: 'credentials-rejected'
      /** ISO 8601: the first failure of the current run of failures, as far as the IdP showed it. */
      since: string | null
      /** True when the evidence ran out before the failures' start (Okta: five pages read): "since at least". */
      sinceAtLeast: boolean
      /** The IdP's own words for the failure (server text: already made one bounded line). */
      reason: string
    }
  /** Entra quarantine for a reason other than credentials (idp-quarantined). */
  | {
      kind: 'quarantined'
      reason: string
      since: string | null
      nextAttemptAt: string | null
      /** Entra disabled the job after the quarantine (four weeks). */
      disabled: boolean
    }
  /** Provisioning failures that are not about credentials: per-user errors (idp-provisioning-errors). */
  | { kind: 'provisioning-errors'; count: number; latestReason: string }
  /** The app is inactive or its push features are off; the job is paused, not configured or missing. */
  | { kind: 'provisioning-off'; reason: string }
  /**
   * The IdP could not be asked (idp-check-failed); `input` names the input to fix, when one is to blame.
   * `partial`: it was asked, but its answer cannot be judged whole (a paging bound reached, a failure it gives
   * no reason for): the verdict is partial, never healthy.
   */
  | { kind: 'check-failed'; input: string | null; reason: string; partial?: boolean }

export interface IdpQuarantine {
  reason: string
  since: string | null
  nextAttemptAt: string | null
  errorCode: string | null
  errorMessage: string | null
}

/** The provider's whole answer: `report.idp` plus the findings. Every string in it is bounded, single-line data. */
export interface IdpReport {
  provider: IdpProvider
  /** The app checked: the Okta app instance id, or the Entra service principal id. */
  app: string
  /** The app's name as the IdP shows it, when it answered. */
  appLabel: string | null
  lastSuccessAt: string | null
  lastFailureAt: string | null
  lastFailureReason: string | null
  quarantine: IdpQuarantine | null
  /** True when the IdP shows no provisioning attempt at all (no Okta event in the look-back, a job that never ran). */
  noAttempt: boolean
  /**
   * What only this provider has (Entra: `jobs`; Okta: `evidenceSince`), shown as `report.idp.<provider>`
   * and through the provider's `view`. Bounded, single-line data like the rest; JSON values only.
   */
  details: IdpDetails
  findings: IdpFinding[]
  /** Requests sent to the IdP (and the OIDC token request), retries included. */
  requests: number
}

/** A provider's own part of its report: plain JSON (strings, numbers, booleans, null, arrays, objects). */
export type IdpDetails = { readonly [key: string]: unknown }

/** The budget and sinks a provider runs within (the same time budget as GitHub's side). */
export interface IdpContext {
  /** Epoch ms: nothing is waited for after it. */
  deadline: number
  now: () => number
  /** Body bytes read so far by the IdP side, and its share of the run's 16 MiB (`limit`). */
  budget: { spent: number; limit?: number }
  /**
   * Registers a secret obtained during the run (an access token, the GitHub OIDC token) the moment it arrives:
   * the action masks it (core.setSecret) and scrubs it from every output.
   */
  addSecret: (secret: string) => void
  /** Debug sink; never given a secret. */
  debug: (message: string) => void
  /** What the run checks on GitHub's side: the one org, or the one enterprise (an IdP app provisions one). */
  target?: { org: string | null; enterprise: string | null }
  /**
   * True when `candidate` is the GitHub token this run checks (a constant-time compare; the token itself is
   * never handed to a provider). PingOne's EMU store may return the token it holds: is it the one checked?
   */
  sameAsChecked?: (candidate: string) => boolean
}
