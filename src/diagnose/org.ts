/**
 * One organization, in order: what blocks the token there (SSO, IP allow
 * list, OAuth App restrictions, a token policy), GitHub's faults, the
 * membership and owner role, the token's SSO authorization record, the linked
 * SAML identity, SCIM as the IdP calls it, and any refusal nothing explains.
 * Each step returns what it found; `diagnoseOrg` puts them together.
 */
import { blockedSummary, findBlockers } from './blockers.js'
import type { CauseInput } from '../causes.js'
import type { Fact } from '../github/client.js'
import type { OrgFacts } from '../github/probes.js'
import { serverText } from '../sanitize.js'
import type { Account } from './account.js'
import { badBodyCause, found, inconclusiveCause } from './answer-causes.js'
import { classify, isObject, isScimList, ok, type Failure, type HttpAnswer } from './answers.js'
import { judgeSamlIdentity, readIdentity, type IdentityAnswer } from './identities.js'
import { ACCOUNT_WIDE } from './root-causes.js'
import type { CredentialRecord, OrgSummary } from './verdict.js'

export interface OrgsContext {
  account: Account
  /** The batched GraphQL identity query (null: not sent). */
  identities: Fact | null
  webUrl: string
  now: Date
  /** The causes found before the orgs (GET /user and the like). */
  before: readonly CauseInput[]
}

export interface OrgContext extends OrgsContext {
  /** This org's alias index in the identity query. */
  index: number
  /** The causes found before this org (GET /user, the orgs before it): a refusal one of them explains is not unexplained. */
  before: readonly CauseInput[]
}

export interface OrgsFindings {
  causes: CauseInput[]
  summaries: OrgSummary[]
  /** Trusted SSO authorization URLs, in the order met (the first is the verdict's). */
  ssoUrls: string[]
}

/** Every org, in input order. */
export function diagnoseOrgs(orgs: readonly OrgFacts[], ctx: OrgsContext): OrgsFindings {
  const all: OrgsFindings = { causes: [], summaries: [], ssoUrls: [] }
  orgs.forEach((o, index) => {
    const one = diagnoseOrg(o, { ...ctx, index, before: [...ctx.before, ...all.causes] })
    all.causes.push(...one.causes)
    all.summaries.push(one.summary)
    all.ssoUrls.push(...one.ssoUrls)
  })
  return all
}

interface OrgFindings {
  causes: CauseInput[]
  summary: OrgSummary
  ssoUrls: string[]
}

/** Each request's failure (not a 2xx), keyed by the request as the causes name it. */
export type Failures = Map<string, Failure>

const routes = (org: string) => ({
  info: `GET /orgs/${org}`,
  membership: `GET /user/memberships/orgs/${org}`,
  credentials: `GET /orgs/${org}/credential-authorizations`,
  scim: `GET /scim/v2/organizations/${org}/Users`
})

function diagnoseOrg(o: OrgFacts, ctx: OrgContext): OrgFindings {
  const failures = failuresOf(o, ctx.now)
  const identity = readIdentity(ctx.identities, ctx.index)
  // 1. Account-wide refusals, and blockers that explain everything else in this org.
  const blockers = findBlockers(o, failures, identity, ctx)
  // 2. Faults of GitHub or the network: inconclusive, never the token's.
  const faults = found(...[...failures].map(([what, f]) => inconclusiveCause(f, what, o.org)))
  if (blockers.blocked) {
    const causes = [...blockers.causes, ...faults]
    return { causes, summary: blockedSummary(o, [...ctx.before, ...causes]), ssoUrls: blockers.ssoUrls }
  }
  // 3. Does the org exist, and is the account an active owner?
  const membership = judgeMembership(o, failures, ctx.account)
  // 4. The token's SSO authorization record (informational).
  const record = readSsoRecord(o, ctx.account)
  // 5. The linked SAML identity, where it can be checked (identities.ts).
  const saml = judgeSamlIdentity({
    org: o.org,
    account: ctx.account,
    owner: membership.owner,
    role: membership.role,
    state: membership.state,
    identity,
    identities: ctx.identities
  })
  // 6. SCIM, as the IdP calls it.
  const scim = judgeScim(o, failures, membership.owner, identity)
  const causes = [...blockers.causes, ...faults, ...membership.causes, ...record.causes, ...saml.causes, ...scim.causes]
  // 7. Never healthy on an answer nothing explains.
  causes.push(...unexplainedRefusals(o.org, failures, [...ctx.before, ...causes]))
  return {
    causes,
    summary: {
      org: o.org,
      role: membership.role,
      state: membership.state,
      samlIdentity: saml.samlIdentity,
      ssoAuthorization: record.ssoAuthorization,
      ssoAuthorizationNote: record.ssoAuthorizationNote,
      scim: scim.scim,
      notChecked: saml.notChecked === null ? [] : [`linked SAML identity: ${saml.notChecked}`]
    },
    ssoUrls: blockers.ssoUrls
  }
}

function failuresOf(o: OrgFacts, now: Date): Failures {
  const r = routes(o.org)
  const probes: Array<[string, Fact | null]> = [
    [r.info, o.info],
    [r.membership, o.membership],
    [r.credentials, o.credentials],
    [r.scim, o.scim]
  ]
  const failures: Failures = new Map()
  for (const [what, fact] of probes) {
    if (fact !== null && !ok(fact)) failures.set(what, classify(fact, now))
  }
  return failures
}

// ── 1. Blockers: they explain everything else in this org ────────────────

export interface Blockers {
  /** The blockers, with the account-wide refusals met on the way (lockout, suspension). */
  causes: CauseInput[]
  blocked: boolean
  ssoUrls: string[]
}

interface Membership {
  causes: CauseInput[]
  role: string
  state: string
  owner: boolean
}

function judgeMembership(o: OrgFacts, failures: Failures, account: Account): Membership {
  const r = routes(o.org)
  const info =
    ok(o.info) && !(isObject(o.info.body) && typeof o.info.body.login === 'string' && typeof o.info.body.id === 'number')
      ? [badBodyCause(o.info, r.info, o.org)]
      : []
  const m = membershipOf(o, failures, account)
  return { ...m, causes: [...info, ...m.causes] }
}

function membershipOf(o: OrgFacts, failures: Failures, account: Account): Membership {
  const { org } = o
  const r = routes(org)
  const unknown = (causes: CauseInput[], role = 'unknown'): Membership => ({ causes, role, state: 'unknown', owner: false })
  const f = failures.get(r.membership)
  if (f?.type === 'not-found') {
    // GitHub answers 404 both for an org that does not exist and for one the account cannot see (docs/github-behaviour.md, "Status codes and texts").
    if (failures.get(r.info)?.type === 'not-found') {
      return unknown(
        [
          {
            id: 'org-not-found',
            org,
            message: `Organization ${org} does not exist, or is not visible to ${account.login} (GitHub answers 404 for both).`
          }
        ],
        'org not found'
      )
    }
    return unknown(
      [
        {
          id: 'not-org-member',
          org,
          message: `${account.login} is not a member of ${org}: it was removed, never joined, or was dropped by SAML enforcement for want of a linked identity. The IdP provisions with this account's credential, so provisioning into ${org} fails.`
        }
      ],
      'not a member'
    )
  }
  if (f?.type === 'forbidden' || f?.type === 'unauthorized') {
    return unknown(
      account.kindSupported && !account.scopeMissing
        ? [
            {
              id: 'unexpected-response',
              org,
              message: `Organization ${org}: ${r.membership} was refused ("${serverText(f.text, 160)}") although the token has the scopes it needs.`
            }
          ]
        : []
    )
  }
  if (ok(o.membership)) return membershipAnswered(o.membership, org, account)
  if (f !== undefined && !['rate-limited', 'unavailable', 'unexpected'].includes(f.type)) {
    return unknown(found(inconclusiveCause({ type: 'unexpected', detail: `${f.type}` }, r.membership, org)))
  }
  return unknown([])
}

/** A membership GitHub answered: its state and role (`admin` is an owner). */
function membershipAnswered(fact: HttpAnswer, org: string, account: Account): Membership {
  const m = fact.body
  const state = isObject(m) ? m.state : undefined
  const role = isObject(m) && typeof m.role === 'string' ? serverText(m.role, 40) : undefined
  if ((state !== 'active' && state !== 'pending') || typeof role !== 'string') {
    return { causes: [badBodyCause(fact, routes(org).membership, org)], role: 'unknown', state: 'unknown', owner: false }
  }
  const causes: CauseInput[] = []
  if (state === 'pending') {
    causes.push({
      id: 'membership-pending',
      org,
      message: `${account.login} was invited to ${org} but has not accepted the invitation, so it has no access yet.`
    })
  }
  if (role !== 'admin') {
    causes.push({
      id: 'not-org-owner',
      org,
      message: `${account.login} is ${role === 'member' ? 'a member' : `a ${role}`} of ${org}, not an owner. SCIM only accepts an owner's credential; a token never gives more than its account has.`
    })
  }
  return { causes, role: role === 'admin' ? 'owner' : role, state, owner: state === 'active' && role === 'admin' }
}

// ── 4. The token's SSO authorization record ───────────────────────────────

interface SsoRecord {
  causes: CauseInput[]
  ssoAuthorization: CredentialRecord | null
  ssoAuthorizationNote: string | null
}

/**
 * Informational: the record is matched on the token's last eight characters,
 * which are never shown (docs/github-behaviour.md, "SSO").
 */
function readSsoRecord(o: OrgFacts, account: Account): SsoRecord {
  const none = (note: string, causes: CauseInput[] = []): SsoRecord => ({ causes, ssoAuthorization: null, ssoAuthorizationNote: note })
  if (o.credentials === null) return none('not checked')
  if (!ok(o.credentials)) return none('not checked (no answer)')
  const list = o.credentials.body
  if (!Array.isArray(list) || !list.every(isObject)) {
    return none('not checked (no answer)', [badBodyCause(o.credentials, `GET /orgs/${o.org}/credential-authorizations`, o.org)])
  }
  const last8 = account.token.slice(-8)
  const rec = (list as unknown[]).find(e => isObject(e) && e.token_last_eight === last8)
  if (!isObject(rec)) {
    return none(
      account.kind === 'oauth-app' ? 'not listed (GitHub lists no SSO authorization for OAuth tokens)' : 'no record for this token'
    )
  }
  // Timestamps, shown as GitHub wrote them only when they are dates.
  const str = (v: unknown): string | null => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? serverText(v, 40) : null)
  return {
    causes: [],
    ssoAuthorization: {
      authorizedAt: str(rec.credential_authorized_at),
      expiresAt: str(rec.authorized_credential_expires_at),
      accessedAt: str(rec.credential_accessed_at)
    },
    ssoAuthorizationNote: null
  }
}

// ── 6. SCIM, as the IdP calls it ──────────────────────────────────────────

function judgeScim(
  o: OrgFacts,
  failures: Failures,
  owner: boolean,
  identity: IdentityAnswer | null
): { causes: CauseInput[]; scim: string } {
  const { org } = o
  const what = routes(org).scim
  if (o.scim === null) return { causes: [], scim: 'not checked' }
  if (ok(o.scim))
    return isScimList(o.scim.body) ? { causes: [], scim: 'answers' } : { causes: [badBodyCause(o.scim, what, org)], scim: 'not checked' }
  const f = failures.get(what)
  if (f?.type === 'not-found') {
    // Only an owner's 404 says SCIM is not there (docs/github-behaviour.md, "SCIM"); anyone else's is explained by the membership.
    const noSaml = identity?.provider === 'none'
    return {
      causes: owner
        ? [
            {
              id: 'scim-not-available',
              org,
              message: `Organization ${org}: ${what} answered 404 for an owner's token${noSaml ? ', and the organization has no SAML SSO of its own' : ''}. Organization SCIM exists only with organization-level SAML SSO on GitHub Enterprise Cloud; it disappears when SAML is turned off or moved to the enterprise.`
            }
          ]
        : [],
      scim: '404'
    }
  }
  if (f?.type === 'forbidden' || f?.type === 'unauthorized') {
    return {
      causes: [
        {
          id: 'scim-forbidden',
          org,
          message: `Organization ${org}: ${what} was refused${f.text ? ` ("${serverText(f.text, 160)}")` : ''}.`
        }
      ],
      scim: 'refused'
    }
  }
  return { causes: [], scim: f !== undefined ? 'no answer' : 'not checked' }
}

// ── 7. Never healthy on an answer nothing explains ────────────────────────

/** A refusal with no cause of its own (in this org, or account-wide) is unexpected. */
function unexplainedRefusals(org: string, failures: Failures, causes: readonly CauseInput[]): CauseInput[] {
  if (failures.size === 0 || causes.some(c => c.org === org || ACCOUNT_WIDE.has(c.id))) return []
  const what = [...failures].map(([route, f]) => `${route} (${f.type})`).join(', ')
  return [{ id: 'unexpected-response', org, message: `Organization ${org}: ${what} refused a request that nothing else explains.` }]
}
