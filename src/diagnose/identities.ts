/**
 * The linked SAML identity of the account in each org, read from the one
 * batched GraphQL query (`o0`, `o1`, … one alias an org) (docs/github-behaviour.md,
 * "GraphQL identities"). Reported only where it could be checked: an active
 * owner's token with read:org, in an org GraphQL answered for.
 */
import type { CauseInput } from '../causes.js'
import type { Fact } from '../github/client.js'
import { serverText } from '../sanitize.js'
import type { Account } from './account.js'
import { accountWideCause, badBodyCause, inconclusiveCause } from './answer-causes.js'
import { classify, isObject, ok } from './answers.js'

/** What the query answered for one org. */
export interface IdentityAnswer {
  provider: 'none' | 'linked' | 'missing' | 'error'
  nameId?: string
  errorType?: string
  errorMessage?: string
  /** GraphQL's flag for a SAML block reported inside a 200 (`extensions.saml_failure`). */
  samlFailure?: boolean
}

/** The query as a whole: a refusal, a fault, or a body that is not GraphQL's, is the run's (not an org's). */
export function judgeIdentityQuery(identities: Fact | null, now: Date): CauseInput[] {
  const what = 'The GraphQL identity query'
  if (identities !== null && !ok(identities)) {
    const f = classify(identities, now)
    return [
      accountWideCause(f) ?? inconclusiveCause(f, what, null) ?? { id: 'unexpected-response', message: `${what} answered ${f.type}.` }
    ]
  }
  if (ok(identities) && (!isObject(identities.body) || !('data' in identities.body || 'errors' in identities.body))) {
    return [badBodyCause(identities, what, null)]
  }
  return []
}

/** The answer for the org at `index` (alias `o{index}`); null when the query got no usable answer or was not sent. */
export function readIdentity(identities: Fact | null, index: number): IdentityAnswer | null {
  if (!ok(identities) || !isObject(identities.body)) return null
  const body = identities.body
  const key = `o${index}`
  const errors = Array.isArray(body.errors) ? (body.errors as unknown[]) : []
  const err = errors.find(e => isObject(e) && Array.isArray(e.path) && e.path[0] === key)
  if (isObject(err)) {
    return {
      provider: 'error',
      errorType: serverText(err.type, 40),
      errorMessage: serverText(err.message),
      samlFailure: isObject(err.extensions) && err.extensions.saml_failure === true
    }
  }
  const data = isObject(body.data) ? body.data : null
  if (data === null || !(key in data)) return { provider: 'error', errorType: 'MISSING', errorMessage: 'no data for the organization' }
  const org = data[key]
  if (org === null) return { provider: 'error', errorType: 'NULL', errorMessage: 'organization is null' }
  if (!isObject(org) || !('samlIdentityProvider' in org)) return { provider: 'error', errorType: 'SHAPE', errorMessage: 'unexpected shape' }
  const idp = org.samlIdentityProvider
  if (idp === null) return { provider: 'none' }
  if (!isObject(idp) || !isObject(idp.externalIdentities) || !Array.isArray(idp.externalIdentities.nodes)) {
    return { provider: 'error', errorType: 'SHAPE', errorMessage: 'unexpected shape' }
  }
  const node = idp.externalIdentities.nodes[0]
  if (node === undefined) return { provider: 'missing' }
  const saml = isObject(node) && isObject(node.samlIdentity) ? node.samlIdentity : null
  const scim = isObject(node) && isObject(node.scimIdentity) ? node.scimIdentity : null
  const nameId = serverText(
    (saml && typeof saml.nameId === 'string' && saml.nameId) || (scim && typeof scim.username === 'string' && scim.username) || 'linked',
    100
  )
  return { provider: 'linked', nameId }
}

export interface SamlContext {
  org: string
  account: Account
  /** An active owner of the org. */
  owner: boolean
  /** The org's role and state as read (for the true reason when it is not an owner). */
  role: string
  state: string
  identity: IdentityAnswer | null
  identities: Fact | null
}

export interface SamlFindings {
  causes: CauseInput[]
  /** The summary's "SAML identity" column. */
  samlIdentity: string
  /** Why it was not checked, in true words; null when it was. */
  notChecked: string | null
}

export function judgeSamlIdentity(s: SamlContext): SamlFindings {
  const { org, account, identity } = s
  const notChecked = samlNotCheckedReason(s)
  if (!(s.owner && account.grantedExpanded.has('read:org') && identity !== null))
    return { causes: [], samlIdentity: 'not checked', notChecked }
  switch (identity.provider) {
    case 'linked':
      return { causes: [], samlIdentity: `linked (${identity.nameId})`, notChecked }
    case 'none':
      return { causes: [], samlIdentity: 'no SAML SSO configured on the organization', notChecked }
    case 'missing':
      return {
        causes: [
          {
            id: 'saml-identity-missing',
            org,
            message: `${account.login} has no linked SAML identity in ${org}. Provisioning works today, but while SAML SSO is enforced GitHub removes members without a linked identity, and the IdP's credential dies with the membership.`
          }
        ],
        samlIdentity: 'none linked',
        notChecked
      }
    default: {
      const causes: CauseInput[] =
        identity.errorType === 'NOT_FOUND'
          ? []
          : [
              {
                id: 'unexpected-response',
                org,
                message: `Organization ${org}: the GraphQL identity query answered an error (${identity.errorType}: ${serverText(identity.errorMessage ?? '', 160)}).`
              }
            ]
      return { causes, samlIdentity: 'not checked', notChecked }
    }
  }
}

/** Why the linked SAML identity of an org could not be checked, in true words; null when it was checked. */
function samlNotCheckedReason({ owner, role, state, account, identity, identities }: SamlContext): string | null {
  const readOrg = account.grantedExpanded.has('read:org')
  if (owner && readOrg && identity !== null && !(identity.provider === 'error' && identity.errorType === 'NOT_FOUND')) return null
  if (!owner) {
    const what =
      role === 'unknown'
        ? 'its role could not be read'
        : `it is ${state === 'pending' ? 'a pending' : 'an active'} ${role}, not an active owner`
    return `only an owner's token can see linked identities, and for ${account.login} ${what}`
  }
  if (!account.scopesKnown) return 'the token reports no OAuth scopes, and linked identities need read:org or admin:org'
  if (!readOrg) return 'the token has neither read:org nor admin:org'
  if (identities === null) return 'the identity query was not sent'
  if (!ok(identities)) return 'the GraphQL identity query got no usable answer (see the causes above)'
  if (identity?.provider === 'error' && identity.errorType === 'NOT_FOUND') return 'GraphQL did not find the organization'
  return 'the GraphQL identity query answered without this organization'
}
