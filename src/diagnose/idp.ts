/**
 * The join (docs/idp.md): the IdP's findings become causes
 * beside GitHub's. IdP causes are never excluded by GitHub's; a GitHub cause
 * that explains the IdP's failure is the root, and the IdP's failure becomes
 * its evidence (a notice). Pure: the same causes and report give the same result.
 */
import { makeCause, type Cause, type CauseId, type CauseInput, type CredentialHolder, type RemediationContext } from '../causes.js'
import type { IdpDetails, IdpFinding, IdpProvider, IdpQuarantine, IdpReport, IdpStatus } from '../idp/types.js'
import { providerById } from '../idp/providers.js'
import { sortCauses, statusOf, type Verdict } from './verdict.js'

/** `report.idp` and the IdP's outputs. */
export interface IdpVerdict {
  provider: IdpProvider
  app: string
  appLabel: string | null
  status: IdpStatus
  lastSuccessAt: string | null
  lastFailureAt: string | null
  lastFailureReason: string | null
  quarantine: IdpQuarantine | null
  /** What only this provider has (`report.idp.<provider>`): Entra's jobs, Okta's evidenceSince, … */
  details: IdpDetails
}

/** GitHub causes about the account or its org/enterprise: they explain any IdP credentials failure. */
const EXPLAINS_ALWAYS: ReadonlySet<CauseId> = new Set([
  'account-suspended',
  'account-renamed',
  'login-attempts-exceeded',
  'org-not-found',
  'not-org-member',
  'membership-pending',
  'not-org-owner',
  'scim-not-available'
])
/** Where the checked token is the IdP's own (`enterprise`, or an app that holds it): its failures explain the IdP's too. */
const EXPLAINS_FOR_ENTERPRISE: ReadonlySet<CauseId> = new Set([
  'token-invalid',
  'token-expiring',
  'scope-missing',
  'token-kind-unsupported',
  'scim-forbidden'
])

export interface JoinOptions {
  /** Where the IdP provisions: the one org, or the one enterprise. */
  org: string | null
  enterprise: string | null
  /** Remediation context (web host); the provider is added here. */
  ctx: RemediationContext
}

/** The provider in a sentence (`Okta`, `Entra`). */
const nameOf = (provider: IdpProvider): string => providerById(provider)?.short ?? provider

/** True when the IdP holds the checked token itself: with `enterprise` (EMU), or an app known or said to hold it. */
const holdsCheckedToken = (enterprise: string | null, holder: CredentialHolder | undefined): boolean =>
  enterprise !== null || holder === 'checked-token'

/** The GitHub error that explains an IdP credentials failure, if any. */
export function explainingCause(github: readonly Cause[], enterprise: string | null, holder?: CredentialHolder): Cause | null {
  const own = holdsCheckedToken(enterprise, holder)
  return github.find(c => c.severity === 'error' && (EXPLAINS_ALWAYS.has(c.id) || (own && EXPLAINS_FOR_ENTERPRISE.has(c.id)))) ?? null
}

/** Why the IdP's credential is refused while GitHub accepts the checked token, and what to do, by what the IdP holds. */
function staleCredential(who: string, holder: CredentialHolder): string {
  if (holder === 'checked-token')
    return `so the token ${who} holds is not the checked one (an older or regenerated token): give ${who} the checked token again.`
  if (holder === 'oauth-grant')
    return `so the OAuth grant ${who} holds was revoked or superseded (or OAuth app access restrictions stop it): re-authenticate the app in ${who}.`
  return `so the credential ${who} holds is stale or revoked (an OAuth grant revoked or superseded, a token regenerated): re-authenticate the app in ${who}.`
}

/** `idp-status` (docs/reference.md): failing, off, unknown, healthy. */
export function idpStatusOf(report: IdpReport): IdpStatus {
  const kinds = new Set(report.findings.map(f => f.kind))
  if (kinds.has('credentials-rejected') || kinds.has('quarantined')) return 'failing'
  if (kinds.has('provisioning-off')) return 'off'
  if (kinds.has('check-failed') || report.noAttempt) return 'unknown'
  return 'healthy'
}

function since(f: Extract<IdpFinding, { kind: 'credentials-rejected' }>): string {
  if (f.since === null) return ''
  return f.sinceAtLeast ? ` since at least ${f.since}` : ` since ${f.since}`
}

function credentialsCause(
  f: Extract<IdpFinding, { kind: 'credentials-rejected' }>,
  report: IdpReport,
  github: readonly Cause[],
  enterprise: string | null,
  holder: CredentialHolder | undefined
): CauseInput {
  const who = nameOf(report.provider)
  const lastSuccess = report.lastSuccessAt ? ` The last successful push was at ${report.lastSuccessAt}.` : ' No successful push was seen.'
  const reason = f.reason ? ` ${who} says: "${f.reason}".` : ''
  const root = explainingCause(github, enterprise, holder)
  if (root) {
    return {
      id: 'idp-credentials-rejected',
      severity: 'notice',
      message: `The IdP confirms: ${who}'s provisioning to GitHub is failing${since(f)}, which ${root.id} explains (fix that first).${reason}${lastSuccess}`
    }
  }
  // GitHub's side must have been judged before the IdP's credential is called stale: a fault there may hide the cause.
  const unjudged = github.filter(c => c.severity === 'inconclusive').map(c => c.id)
  if (unjudged.length > 0) {
    return {
      id: 'idp-credentials-rejected',
      message: `${who} rejects its stored credential for GitHub: provisioning has been failing${since(f)}.${reason} GitHub's side could not be fully checked (${[...new Set(unjudged)].join(', ')}), and may explain it: run the check again before re-authenticating the app in ${who}.${lastSuccess}`
    }
  }
  const github_ = github.some(c => c.severity === 'error')
    ? 'GitHub reports no cause of its own that explains it'
    : "GitHub's side of the service account is healthy"
  return {
    id: 'idp-credentials-rejected',
    message: `${who} rejects its stored credential for GitHub: provisioning has been failing${since(f)}.${reason} ${github_}, ${staleCredential(who, holdsCheckedToken(enterprise, holder) ? 'checked-token' : (holder ?? 'unknown'))}${lastSuccess}`
  }
}

function quarantineCause(f: Extract<IdpFinding, { kind: 'quarantined' }>): CauseInput {
  const when = f.since ? ` since ${f.since}` : ''
  const next = f.nextAttemptAt ? ` Next attempt: ${f.nextAttemptAt}.` : ''
  // Entra's own reason may already say when the four weeks end: said once.
  const weeks = /four weeks/i.test(f.reason) ? '' : ' Entra disables the job four weeks after the quarantine began.'
  const disabled = f.disabled ? ' Entra has disabled the job after the quarantine: provisioning is stopped until it is restarted.' : weeks
  return { id: 'idp-quarantined', message: `Entra quarantined provisioning to GitHub${when}: ${f.reason}.${next}${disabled}` }
}

function findingCause(f: IdpFinding, report: IdpReport, github: readonly Cause[], options: JoinOptions): CauseInput {
  const who = nameOf(report.provider)
  switch (f.kind) {
    case 'credentials-rejected':
      return credentialsCause(f, report, github, options.enterprise, options.ctx.holder)
    case 'quarantined':
      return quarantineCause(f)
    case 'provisioning-errors':
      return {
        id: 'idp-provisioning-errors',
        message: `${who} reports ${f.count} provisioning failure${f.count === 1 ? '' : 's'} that ${f.count === 1 ? 'is' : 'are'} not about credentials; the latest: "${f.latestReason}".`
      }
    case 'provisioning-off':
      return { id: 'idp-provisioning-off', message: `${who}'s provisioning to GitHub is off: ${f.reason}.` }
    case 'check-failed':
      return {
        id: 'idp-check-failed',
        message: f.partial
          ? `${who}'s answer could not be judged whole, so the IdP's verdict is partial: ${f.reason}.`
          : `${who} could not be asked: ${f.reason}${f.input ? ` (check the input "${f.input}")` : ''}.`
      }
  }
}

/** The IdP's causes (their org/enterprise set), and `report.idp`. */
export function joinIdp(github: readonly Cause[], report: IdpReport, options: JoinOptions): { causes: Cause[]; idp: IdpVerdict } {
  const holder = holdsCheckedToken(options.enterprise, options.ctx.holder) ? 'checked-token' : options.ctx.holder
  const ctx: RemediationContext = { ...options.ctx, idp: report.provider, ...(holder ? { holder } : {}) }
  const causes: Cause[] = []
  for (const f of report.findings) {
    const input = findingCause(f, report, github, options)
    // One cause per id: several check failures are said in one message.
    const same = causes.find(c => c.id === input.id)
    if (same) same.message = `${same.message} ${input.message}`
    else causes.push(makeCause({ ...input, org: options.org, enterprise: options.org ? null : options.enterprise }, ctx))
  }
  return {
    causes,
    idp: {
      provider: report.provider,
      app: report.app,
      appLabel: report.appLabel,
      status: idpStatusOf(report),
      lastSuccessAt: report.lastSuccessAt,
      lastFailureAt: report.lastFailureAt,
      lastFailureReason: report.lastFailureReason,
      quarantine: report.quarantine,
      details: report.details
    }
  }
}

/**
 * The verdict with the IdP's causes beside GitHub's (never excluded by them:
 * the join is applied after GitHub's root causes are settled) and `idp` set.
 */
export function withIdp(verdict: Verdict, report: IdpReport, options: JoinOptions): Verdict {
  const joined = joinIdp(verdict.causes, report, options)
  const causes = sortCauses([...verdict.causes, ...joined.causes])
  return { ...verdict, causes, status: statusOf(causes), idp: joined.idp }
}
