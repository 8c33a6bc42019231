/**
 * The verdict: its shape, its status, and how the causes every step found
 * become the causes reported (each once, root causes only, most severe first).
 */
import { makeCause, SEVERITY_ORDER, type Cause, type CauseInput, type CredentialHolder, type RemediationContext } from '../causes.js'
import type { Facts, Platform } from '../github/probes.js'
import type { Inputs } from '../inputs.js'
import type { TokenKind } from '../token.js'
import type { IdpVerdict } from './idp.js'
import { keptBesideLoginMismatch, rootCausesOnly } from './root-causes.js'

export type Status = 'healthy' | 'warning' | 'failing' | 'inconclusive'

/** `report.expiry`: a date (`expiresAt`), `never` (GitHub answered without an expiry), or `unknown` (no answer to go by). */
export type ExpiryKind = 'date' | 'never' | 'unknown'

export interface CredentialRecord {
  authorizedAt: string | null
  expiresAt: string | null
  accessedAt: string | null
}

export interface OrgSummary {
  org: string
  /** owner / member / billing_manager / not a member / unknown */
  role: string
  state: string
  samlIdentity: string
  ssoAuthorization: CredentialRecord | null
  /** Why `ssoAuthorization` is null: `no record` (listed, none for this token), or why it was not checked. */
  ssoAuthorizationNote: string | null
  scim: string
  /** What was not checked in this organization, each with its true reason (the summary's "Not checked"). */
  notChecked: string[]
}

export interface Verdict {
  status: Status
  login: string | null
  tokenKind: TokenKind
  /** null when GitHub sent no X-OAuth-Scopes header (fine-grained and App tokens). */
  scopes: string[] | null
  missingScopes: string[]
  expiresAt: string | null
  /** Whether `expiresAt` is a date, the token never expires, or its expiry is unknown (`expires-at` says `never` or is empty). */
  expiry: ExpiryKind
  daysUntilExpiry: number | null
  ssoAuthorizationUrl: string | null
  platform: Platform
  causes: Cause[]
  orgs: OrgSummary[]
  enterprise: { slug: string; scim: string } | null
  notes: string[]
  /** The IdP side (`report.idp`), or null without `idp`. */
  idp: IdpVerdict | null
  /** What the IdP's GitHub app holds (the `idp-credential` input, or what the run knows): the status line's words. */
  idpCredential?: CredentialHolder
  /** The GitHub web host that belongs to `api-url` (https://github.com): the job summary links only there (and to our docs). */
  webUrl?: string
}

export function statusOf(causes: readonly Cause[]): Status {
  if (causes.some(c => c.severity === 'error')) return 'failing'
  if (causes.some(c => c.severity === 'inconclusive')) return 'inconclusive'
  if (causes.some(c => c.severity === 'warning')) return 'warning'
  return 'healthy'
}

/** Most severe first; causes of one severity keep the order they were found in. */
export function sortCauses(causes: Cause[]): Cause[] {
  return causes
    .map((c, i) => ({ c, i }))
    .sort((a, b) => SEVERITY_ORDER.indexOf(a.c.severity) - SEVERITY_ORDER.indexOf(b.c.severity) || a.i - b.i)
    .map(x => x.c)
}

/** The verdict for a run that stopped at the inputs: no request was sent. */
export function verdictForInputProblems(causes: Cause[]): Verdict {
  const sorted = sortCauses(causes)
  return {
    status: statusOf(sorted),
    login: null,
    tokenKind: 'unknown',
    scopes: null,
    missingScopes: [],
    expiresAt: null,
    expiry: 'unknown',
    daysUntilExpiry: null,
    ssoAuthorizationUrl: null,
    platform: 'dotcom',
    causes: sorted,
    orgs: [],
    enterprise: null,
    notes: ['No request was sent to GitHub: the inputs must be corrected first.'],
    idp: null
  }
}

/** Each cause once: the same id for the same org and enterprise is found once, and the first found stands. */
function eachOnce(found: readonly CauseInput[], ctx: RemediationContext): Cause[] {
  const seen = new Set<string>()
  const causes: Cause[] = []
  for (const input of found) {
    const key = JSON.stringify([input.id, input.org ?? null, input.enterprise ?? null])
    if (seen.has(key)) continue
    seen.add(key)
    causes.push(makeCause(input, ctx))
  }
  return causes
}

/** Everything in a verdict but what the causes decide (status, causes). */
export type VerdictFacts = Omit<Verdict, 'status' | 'causes'>

/** What a verdict shows before anything is judged: no login, no scopes, no expiry, no org. */
export function unjudged(facts: Pick<Facts, 'platform' | 'skipped'>, inputs: Pick<Inputs, 'tokenKind' | 'enterprise'>): VerdictFacts {
  return {
    login: null,
    tokenKind: inputs.tokenKind,
    scopes: null,
    missingScopes: [],
    expiresAt: null,
    expiry: 'unknown',
    daysUntilExpiry: null,
    ssoAuthorizationUrl: null,
    platform: facts.platform,
    orgs: [],
    enterprise: inputs.enterprise ? { slug: inputs.enterprise, scim: 'not checked' } : null,
    notes: [...facts.skipped],
    idp: null
  }
}

/**
 * Composes the verdict from every cause found, in the order found. With
 * `login-mismatch` standing, nothing about the other account is shown as if
 * it were the service account's: its orgs, enterprise and notes are withheld.
 */
export function composeVerdict(
  facts: VerdictFacts,
  found: readonly CauseInput[],
  ctx: RemediationContext,
  expectedLogin: string | null
): Verdict {
  const all = eachOnce(found, ctx)
  const causes = sortCauses(rootCausesOnly(all))
  const verdict: Verdict = {
    status: statusOf(causes),
    login: facts.login,
    tokenKind: facts.tokenKind,
    scopes: facts.scopes,
    missingScopes: facts.missingScopes,
    expiresAt: facts.expiresAt,
    expiry: facts.expiry,
    daysUntilExpiry: facts.daysUntilExpiry,
    ssoAuthorizationUrl: facts.ssoAuthorizationUrl,
    platform: facts.platform,
    causes,
    orgs: facts.orgs,
    enterprise: facts.enterprise,
    notes: facts.notes,
    idp: facts.idp
  }
  if (!causes.some(c => c.id === 'login-mismatch')) return verdict
  const withheld = [...new Set(all.filter(c => !keptBesideLoginMismatch(c)).map(c => c.id))]
  return {
    ...verdict,
    // An SSO authorization URL of the other account's orgs is advice about its token too.
    ssoAuthorizationUrl: null,
    orgs: [],
    enterprise: null,
    notes: [
      `The token belongs to ${verdict.login ?? 'another account'}, not to ${expectedLogin ?? 'the expected account'}: nothing about that account, its organizations or its enterprise was judged${withheld.length > 0 ? ` (${withheld.join(', ')} withheld)` : ''}, since advice about another account's token could harm. Check the service account's own token.`
    ]
  }
}
