/**
 * Root causes only (docs/causes.md): a cause another explains is
 * not reported. Every exclusion rule lives here, and is applied once, to all
 * the causes of a run, when the verdict is composed.
 */
import type { Cause, CauseId } from '../causes.js'

/** Org-level blockers: they explain every membership, owner and SCIM answer of their org. */
export const ORG_BLOCKERS: ReadonlySet<CauseId> = new Set([
  'sso-not-authorized',
  'ip-allow-list-blocked',
  'oauth-app-restricted',
  'pat-policy-blocked'
])

/** What an org-level blocker explains in its org. */
const ORG_EXPLAINED: ReadonlySet<CauseId> = new Set([
  'org-not-found',
  'not-org-member',
  'membership-pending',
  'not-org-owner',
  'scim-not-available',
  'scim-forbidden',
  'saml-identity-missing'
])

/** Causes that explain a refusal of any request of any org (an org's refusal beside one of them is not "unexplained"). */
export const ACCOUNT_WIDE: ReadonlySet<CauseId> = new Set([
  'login-attempts-exceeded',
  'account-suspended',
  'token-kind-unsupported',
  'scope-missing'
])

/** What explains the membership answers, and so the org's SCIM refusal, beside the scopes. */
const MEMBERSHIP_CAUSES: readonly CauseId[] = ['not-org-owner', 'not-org-member', 'membership-pending', 'org-not-found']

export function rootCausesOnly(causes: Cause[]): Cause[] {
  const has = (id: CauseId, org?: string | null): boolean => causes.some(c => c.id === id && (org === undefined || c.org === org))
  if (has('token-invalid')) return causes.filter(c => c.id === 'token-invalid' || c.id === 'token-whitespace')
  // Another account's token: every cause about that account, its orgs and enterprise describes someone
  // else's token, and its advice ("make the account an owner", "edit the PAT") would harm.
  if (has('login-mismatch') && !has('account-renamed')) return causes.filter(keptBesideLoginMismatch)
  return causes.filter(c => {
    const blocked = [...ORG_BLOCKERS].some(b => c.org !== null && has(b, c.org))
    if (blocked && ORG_EXPLAINED.has(c.id)) return false
    switch (c.id) {
      case 'not-org-member':
        return !has('org-not-found', c.org)
      case 'not-org-owner':
      case 'membership-pending':
        return !has('not-org-member', c.org) && !has('org-not-found', c.org)
      case 'login-mismatch':
        return !has('account-renamed')
      case 'scope-missing':
        return !has('token-kind-unsupported')
      case 'scim-forbidden':
      case 'scim-not-available':
        return !has('scope-missing') && !has('token-kind-unsupported') && !(c.org !== null && MEMBERSHIP_CAUSES.some(id => has(id, c.org)))
      default:
        return true
    }
  })
}

/** What still stands beside `login-mismatch`: the mismatch, the input's whitespace, and the run's own faults. */
export function keptBesideLoginMismatch(c: Cause): boolean {
  if (c.id === 'login-mismatch' || c.id === 'token-whitespace') return true
  return c.severity === 'inconclusive' && c.org === null && c.enterprise === null
}
