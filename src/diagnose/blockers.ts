/**
 * Blockers of an organization (SSO, IP allow list, OAuth app restrictions, PAT
 * policies): each explains every membership, owner and SCIM answer of its org.
 */
import type { Blockers, Failures, OrgContext } from './org.js'
import type { CauseInput } from '../causes.js'
import type { OrgFacts } from '../github/probes.js'
import { serverText } from '../sanitize.js'
import { accountWideCause, found } from './answer-causes.js'
import { isObject, ok, parseSsoHeader, trustedSsoUrl, type Failure } from './answers.js'
import { type IdentityAnswer } from './identities.js'
import { ORG_BLOCKERS } from './root-causes.js'
import type { OrgSummary } from './verdict.js'

export function findBlockers(o: OrgFacts, failures: Failures, identity: IdentityAnswer | null, ctx: OrgContext): Blockers {
  const org = o.org
  const viaGraphql = 'the GraphQL identity query'
  const met: Array<CauseInput | null> = []
  const blockers: Array<{ cause: CauseInput; url: string | null }> = []
  const block = (f: Failure, what: string): void => {
    const b = blockerCause(f, org, what, ctx.webUrl)
    if (b !== null) {
      blockers.push(b)
      met.push(b.cause)
    }
  }
  for (const [what, f] of failures) {
    met.push(accountWideCause(f))
    block(f, what)
  }
  // GraphQL reports a SAML or IP allow list block inside a 200, per org (docs/github-behaviour.md, "GraphQL identities").
  if (identity?.provider === 'error' && (identity.samlFailure === true || /SAML enforcement/i.test(identity.errorMessage ?? ''))) {
    block({ type: 'sso', url: null }, viaGraphql)
  } else if (identity?.provider === 'error' && /IP allow list/i.test(identity.errorMessage ?? '')) {
    block({ type: 'ip-allow-list' }, viaGraphql)
  }
  // `X-GitHub-SSO: partial-results; organizations=…` names the orgs left out for want of SSO (docs/github-behaviour.md, "SSO").
  const orgId = orgIdOf(o)
  if (ok(ctx.identities) && orgId !== null && parseSsoHeader(ctx.identities.headers).partialOrgIds.includes(orgId)) {
    block({ type: 'sso', url: null }, viaGraphql)
  }
  return { causes: found(...met), blocked: blockers.length > 0, ssoUrls: blockers.flatMap(b => (b.url === null ? [] : [b.url])) }
}

export function blockerCause(f: Failure, org: string, what: string, webUrl: string): { cause: CauseInput; url: string | null } | null {
  const cause = (c: CauseInput): { cause: CauseInput; url: null } => ({ cause: c, url: null })
  switch (f.type) {
    case 'sso': {
      const { url, foreignHost } = trustedSsoUrl(f.url, webUrl)
      const how = url
        ? ` Authorize it within the hour at ${url}`
        : foreignHost
          ? ` GitHub's answer carried an authorization URL on ${foreignHost}, which is not ${new URL(webUrl).host}: it was not used. Authorize the token with Configure SSO instead.`
          : ''
      return {
        cause: {
          id: 'sso-not-authorized',
          org,
          url: url ?? undefined,
          message: `Organization ${org}: ${what} was refused with "Resource protected by organization SAML enforcement": the token is not authorized for SAML SSO in this organization.${how}`
        },
        url
      }
    }
    case 'ip-allow-list':
      return cause({
        id: 'ip-allow-list-blocked',
        org,
        message: `Organization ${org}: ${what} was refused because the organization's IP allow list does not include this runner's IP address.`
      })
    case 'oauth-restricted':
      return cause({
        id: 'oauth-app-restricted',
        org,
        message: `Organization ${org}: ${what} was refused: the organization has OAuth App access restrictions and this OAuth app is not approved.`
      })
    case 'pat-policy':
      return cause({
        id: 'pat-policy-blocked',
        org,
        message: `Organization ${org}: ${what} was refused by a token policy: "${serverText(f.text)}"`
      })
    default:
      return null
  }
}

/** The org's numeric id (for `X-GitHub-SSO: partial-results`), from the membership or the org itself. */
export function orgIdOf(o: OrgFacts): string | null {
  for (const fact of [o.membership, o.info]) {
    if (!ok(fact) || !isObject(fact.body)) continue
    const body = fact.body
    const id = isObject(body.organization) ? body.organization.id : body.id
    if (typeof id === 'number') return String(id)
  }
  return null
}

/** A blocked org: nothing behind the blocker was judged, and the summary says which blocker. */
export function blockedSummary(o: OrgFacts, causes: readonly CauseInput[]): OrgSummary {
  const by = causes.find(c => c.org === o.org && ORG_BLOCKERS.has(c.id))?.id ?? 'a blocker'
  return {
    org: o.org,
    role: 'unknown',
    state: 'unknown',
    samlIdentity: 'not checked',
    ssoAuthorization: null,
    ssoAuthorizationNote: ok(o.credentials) ? null : 'not checked',
    scim: 'blocked',
    notChecked: [`membership, owner role, linked SAML identity and SCIM: the organization refused the token (${by})`]
  }
}

// ── 3. Does the org exist, and is the account an active owner? ────────────
