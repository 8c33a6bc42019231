/**
 * Shared fixtures for tests of diagnose: facts as the probes gather them,
 * shaped like GitHub's answers (status, lower-case headers, parsed body).
 */
import type { Fact } from '../../src/github/client.js'
import type { Verdict } from '../../src/diagnose/index.js'
import type { Inputs } from '../../src/inputs.js'
import type { Facts, OrgFacts } from '../../src/github/probes.js'

export const TOKEN = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'
export const NOW = new Date('2026-11-28T12:00:00Z')
export const JSON_CT = { 'content-type': 'application/json; charset=utf-8' }

export const resp = (status: number, body: unknown, headers: Record<string, string> = {}): Fact => ({
  kind: 'response',
  status,
  headers: { ...JSON_CT, ...headers },
  body
})
export const err = (status: number, message: string, headers: Record<string, string> = {}): Fact =>
  resp(status, { message, documentation_url: 'https://docs.github.com/rest' }, headers)
export const NOT_FOUND = err(404, 'Not Found')
export const SSO_403 = err(
  403,
  'Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.',
  {
    'x-github-sso': 'required; url=https://github.com/orgs/acme/sso?authorization_request=ABC123'
  }
)

export function inputs(over: Partial<Inputs> = {}): Inputs {
  return {
    token: TOKEN,
    tokenKind: 'classic-pat',
    orgs: ['acme'],
    enterprise: null,
    expectedLogin: null,
    requiredScopes: [],
    warnDays: 30,
    failDays: 7,
    failOn: 'error',
    inconclusive: 'fail',
    scimProbe: true,
    apiUrl: 'https://api.github.com',
    timeoutSeconds: 60,
    idpCredential: 'auto',
    idp: null,
    ...over
  }
}

export function user(headers: Record<string, string> = {}, login = 'acme-scim'): Fact {
  return resp(200, { login, id: 5001, type: 'User' }, { 'x-oauth-scopes': 'admin:org', ...headers })
}

export function healthyOrg(org = 'acme', over: Partial<OrgFacts> = {}): OrgFacts {
  return {
    org,
    info: resp(200, { login: org, id: 1001 }),
    membership: resp(200, { state: 'active', role: 'admin', organization: { login: org }, user: { login: 'acme-scim' } }),
    credentials: resp(200, [
      {
        login: 'acme-scim',
        token_last_eight: TOKEN.slice(-8),
        credential_authorized_at: '2026-01-01T00:00:00Z',
        credential_accessed_at: '2026-11-27T00:00:00Z',
        authorized_credential_expires_at: null
      }
    ]),
    scim: resp(200, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 3,
      itemsPerPage: 1,
      startIndex: 1,
      Resources: [{}]
    }),
    ...over
  }
}

export function identities(perOrg: Record<string, unknown>, errors: unknown[] = [], headers: Record<string, string> = {}): Fact {
  return resp(200, { data: perOrg, ...(errors.length ? { errors } : {}) }, headers)
}
export const LINKED = {
  samlIdentityProvider: {
    ssoUrl: 'https://idp.example/sso',
    externalIdentities: { nodes: [{ guid: 'x', samlIdentity: { nameId: 'scim@acme.example' } }] }
  }
}
export const UNLINKED = { samlIdentityProvider: { ssoUrl: 'https://idp.example/sso', externalIdentities: { nodes: [] } } }

export function facts(over: Partial<Facts> = {}): Facts {
  return {
    user: user(),
    expectedUser: null,
    orgs: [healthyOrg()],
    identities: identities({ o0: LINKED }),
    enterpriseScim: null,
    platform: 'dotcom',
    skipped: [],
    ...over
  }
}

export const ids = (v: Verdict): string[] => v.causes.map(c => c.id)
