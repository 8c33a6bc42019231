import { describe, expect, it } from '@jest/globals'
import { diagnose, parseExpiryHeader, type Verdict } from '../src/diagnose/index.js'
import type { Fact } from '../src/github/client.js'
import type { Inputs } from '../src/inputs.js'
import type { Facts } from '../src/github/probes.js'
import { shouldFail } from '../src/report/policy.js'
import {
  err,
  facts,
  healthyOrg,
  identities,
  ids,
  inputs,
  LINKED,
  NOT_FOUND,
  NOW,
  resp,
  SSO_403,
  TOKEN,
  UNLINKED,
  user
} from './support/facts.js'

interface Row {
  name: string
  facts: Facts
  inputs?: Partial<Inputs>
  causes: string[]
  status: Verdict['status']
}

const GENERIC_503 = err(503, 'Service Unavailable')

const rows: Row[] = [
  { name: 'healthy owner token', facts: facts(), causes: [], status: 'healthy' },
  {
    name: 'token-invalid on 401, nothing else reported',
    facts: facts({ user: err(401, 'Bad credentials'), orgs: [] }),
    causes: ['token-invalid'],
    status: 'failing'
  },
  {
    name: 'login-attempts-exceeded',
    facts: facts({ user: err(403, 'Maximum number of login attempts exceeded. Please try again later.'), orgs: [] }),
    causes: ['login-attempts-exceeded'],
    status: 'failing'
  },
  {
    name: 'account-suspended',
    facts: facts({ user: err(403, 'Sorry. Your account was suspended.'), orgs: [] }),
    causes: ['account-suspended'],
    status: 'failing'
  },
  {
    name: 'token-kind-unsupported (fine-grained) excludes scope-missing and SCIM refusal',
    facts: facts({
      user: resp(200, { login: 'acme-scim', id: 5001 }),
      orgs: [healthyOrg('acme', { scim: err(403, 'Resource not accessible by personal access token') })]
    }),
    inputs: { tokenKind: 'fine-grained-pat', token: 'github_pat_' + 'a'.repeat(22) + '_' + 'b'.repeat(59) },
    causes: ['token-kind-unsupported'],
    status: 'failing'
  },
  {
    name: 'scope-missing excludes scim-forbidden',
    facts: facts({
      user: user({ 'x-oauth-scopes': 'read:org, repo' }),
      orgs: [
        healthyOrg('acme', {
          scim: resp(403, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '403', detail: 'Permission denied' })
        })
      ]
    }),
    causes: ['scope-missing', 'scope-excessive'],
    status: 'failing'
  },
  {
    name: 'admin:org covers read:org in required-scopes',
    facts: facts(),
    inputs: { requiredScopes: ['read:org', 'write:org'] },
    causes: [],
    status: 'healthy'
  },
  {
    name: 'scope-excessive alone is a notice: healthy',
    facts: facts({ user: user({ 'x-oauth-scopes': 'admin:org, delete_repo' }) }),
    causes: ['scope-excessive'],
    status: 'healthy'
  },
  {
    name: 'token-expiring warning inside warn-days',
    facts: facts({ user: user({ 'github-authentication-token-expiration': '2026-12-18 12:00:00 UTC' }) }),
    causes: ['token-expiring'],
    status: 'warning'
  },
  {
    name: 'token-expiring error inside fail-days',
    facts: facts({ user: user({ 'github-authentication-token-expiration': '2026-12-01 12:00:00 UTC' }) }),
    causes: ['token-expiring'],
    status: 'failing'
  },
  {
    name: 'expiry beyond warn-days is healthy',
    facts: facts({ user: user({ 'github-authentication-token-expiration': '2027-06-01 00:00:00 UTC' }) }),
    causes: [],
    status: 'healthy'
  },
  {
    name: 'login-mismatch when the expected account exists',
    facts: facts({ user: user({}, 'alice'), expectedUser: resp(200, { login: 'acme-scim', id: 5001 }) }),
    inputs: { expectedLogin: 'acme-scim' },
    causes: ['login-mismatch'],
    status: 'failing'
  },
  {
    name: 'account-renamed when the expected login no longer exists',
    facts: facts({ user: user({}, 'acme-provisioning'), expectedUser: NOT_FOUND }),
    inputs: { expectedLogin: 'acme-scim' },
    causes: ['account-renamed'],
    status: 'failing'
  },
  {
    name: 'expected login differing only in case is the same account',
    facts: facts({ user: user({}, 'Acme-Scim') }),
    inputs: { expectedLogin: 'acme-scim' },
    causes: [],
    status: 'healthy'
  },
  {
    name: 'rate-limited on GET /user',
    facts: facts({
      user: err(403, 'API rate limit exceeded for user ID 5001.', { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1795871200' }),
      orgs: []
    }),
    causes: ['rate-limited'],
    status: 'inconclusive'
  },
  {
    name: 'secondary rate limit (429) is rate-limited',
    facts: facts({
      user: err(429, 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', { 'retry-after': '60' }),
      orgs: []
    }),
    causes: ['rate-limited'],
    status: 'inconclusive'
  },
  {
    name: 'github-unavailable on 503',
    facts: facts({ user: GENERIC_503, orgs: [] }),
    causes: ['github-unavailable'],
    status: 'inconclusive'
  },
  {
    name: 'github-unavailable on a network fault',
    facts: facts({ user: { kind: 'fault', fault: 'network', detail: 'ECONNRESET' }, orgs: [] }),
    causes: ['github-unavailable'],
    status: 'inconclusive'
  },
  {
    name: 'github-unavailable on timeout',
    facts: facts({ user: { kind: 'fault', fault: 'timeout', detail: 'budget' }, orgs: [] }),
    causes: ['github-unavailable'],
    status: 'inconclusive'
  },
  {
    name: 'unexpected-response on an HTML 200',
    facts: facts({
      user: { kind: 'response', status: 200, headers: { 'content-type': 'text/html' }, body: '<html>login</html>' },
      orgs: []
    }),
    causes: ['unexpected-response'],
    status: 'inconclusive'
  },
  {
    name: 'unexpected-response on JSON of the wrong shape',
    facts: facts({ user: resp(200, [] as unknown), orgs: [] }),
    causes: ['unexpected-response'],
    status: 'inconclusive'
  },
  {
    name: 'unexpected-response when a classic token reports no scopes header',
    facts: facts({ user: resp(200, { login: 'acme-scim', id: 5001 }) }),
    causes: ['unexpected-response'],
    status: 'inconclusive'
  },
  {
    name: 'unexpected-response on an unparseable expiry header',
    facts: facts({ user: user({ 'github-authentication-token-expiration': 'soon' }) }),
    causes: ['unexpected-response'],
    status: 'inconclusive'
  },
  // ── Organizations ──
  {
    name: 'org-not-found excludes not-org-member',
    facts: facts({
      orgs: [healthyOrg('acme', { info: NOT_FOUND, membership: NOT_FOUND, credentials: NOT_FOUND, scim: NOT_FOUND })],
      identities: identities({ o0: null }, [
        { type: 'NOT_FOUND', path: ['o0'], message: "Could not resolve to an Organization with the login of 'acme'." }
      ])
    }),
    causes: ['org-not-found'],
    status: 'failing'
  },
  {
    name: 'not-org-member excludes owner and SCIM causes',
    facts: facts({
      orgs: [healthyOrg('acme', { membership: NOT_FOUND, credentials: NOT_FOUND, scim: err(403, 'Permission denied') })],
      identities: identities({ o0: { samlIdentityProvider: null } })
    }),
    causes: ['not-org-member'],
    status: 'failing'
  },
  {
    name: 'membership-pending',
    facts: facts({
      orgs: [healthyOrg('acme', { membership: resp(200, { state: 'pending', role: 'admin' }), scim: err(403, 'Permission denied') })]
    }),
    causes: ['membership-pending'],
    status: 'failing'
  },
  {
    name: 'not-org-owner excludes scim-forbidden',
    facts: facts({
      orgs: [
        healthyOrg('acme', {
          membership: resp(200, { state: 'active', role: 'member' }),
          credentials: NOT_FOUND,
          scim: err(403, 'Permission denied')
        })
      ],
      identities: identities({ o0: { samlIdentityProvider: null } })
    }),
    causes: ['not-org-owner'],
    status: 'failing'
  },
  {
    name: 'sso-not-authorized carries the URL and excludes the org causes',
    facts: facts({
      orgs: [healthyOrg('acme', { info: SSO_403, membership: SSO_403, credentials: SSO_403, scim: SSO_403 })],
      identities: identities({ o0: null }, [
        {
          type: 'FORBIDDEN',
          path: ['o0'],
          message:
            'Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.'
        }
      ])
    }),
    causes: ['sso-not-authorized'],
    status: 'failing'
  },
  {
    name: 'saml-identity-missing is a warning',
    facts: facts({ identities: identities({ o0: UNLINKED }) }),
    causes: ['saml-identity-missing'],
    status: 'warning'
  },
  {
    name: 'saml-identity-missing is not reported for a non-owner (not checked)',
    facts: facts({
      orgs: [healthyOrg('acme', { membership: resp(200, { state: 'active', role: 'member' }), scim: err(403, 'x') })],
      identities: identities({ o0: UNLINKED })
    }),
    causes: ['not-org-owner'],
    status: 'failing'
  },
  {
    name: 'ip-allow-list-blocked',
    facts: facts({
      orgs: [
        healthyOrg('acme', {
          info: err(
            403,
            'Although you appear to have the correct authorization credentials, the `acme` organization has an IP allow list enabled, and your IP address is not permitted to access this resource.'
          ),
          membership: err(
            403,
            'Although you appear to have the correct authorization credentials, the `acme` organization has an IP allow list enabled, and your IP address is not permitted to access this resource.'
          )
        })
      ]
    }),
    causes: ['ip-allow-list-blocked'],
    status: 'failing'
  },
  {
    name: 'oauth-app-restricted',
    facts: facts({
      orgs: [
        healthyOrg('acme', {
          scim: err(
            403,
            'Although you appear to have the correct authorization credentials, the `acme` organization has enabled OAuth App access restrictions, meaning that data access to third-parties is limited.'
          )
        })
      ]
    }),
    inputs: { tokenKind: 'oauth-app', token: 'gho_' + 'x'.repeat(36) },
    causes: ['oauth-app-restricted'],
    status: 'failing'
  },
  {
    name: 'pat-policy-blocked',
    facts: facts({
      orgs: [
        healthyOrg('acme', {
          scim: err(
            403,
            '`acme` forbids access via a personal access token (classic). Please use a GitHub App, OAuth App, or a personal access token with fine-grained permissions.'
          )
        })
      ]
    }),
    causes: ['pat-policy-blocked'],
    status: 'failing'
  },
  {
    name: 'scim-not-available: 404 for an owner with no org SAML',
    facts: facts({
      orgs: [healthyOrg('acme', { scim: NOT_FOUND, credentials: resp(200, []) })],
      identities: identities({ o0: { samlIdentityProvider: null } })
    }),
    causes: ['scim-not-available'],
    status: 'failing'
  },
  {
    name: 'scim-forbidden when nothing else explains it',
    facts: facts({
      orgs: [
        healthyOrg('acme', {
          scim: resp(403, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '403', detail: 'Permission denied' })
        })
      ]
    }),
    causes: ['scim-forbidden'],
    status: 'failing'
  },
  {
    name: 'one org of two failing for one cause',
    facts: facts({
      orgs: [healthyOrg('acme'), healthyOrg('beta', { membership: resp(200, { state: 'active', role: 'member' }), scim: err(403, 'x') })],
      identities: identities({ o0: LINKED, o1: LINKED })
    }),
    inputs: { orgs: ['acme', 'beta'] },
    causes: ['not-org-owner'],
    status: 'failing'
  },
  {
    name: 'an org probe outage is inconclusive, not the token',
    facts: facts({ orgs: [healthyOrg('acme', { scim: GENERIC_503 })] }),
    causes: ['github-unavailable'],
    status: 'inconclusive'
  },
  {
    name: 'a SCIM 200 that is not a ListResponse is unexpected',
    facts: facts({ orgs: [healthyOrg('acme', { scim: resp(200, { foo: 1 }) })] }),
    causes: ['unexpected-response'],
    status: 'inconclusive'
  },
  {
    name: 'errors outrank inconclusive in status',
    facts: facts({
      orgs: [
        healthyOrg('acme', { membership: resp(200, { state: 'active', role: 'member' }), scim: err(403, 'x'), credentials: GENERIC_503 })
      ]
    }),
    causes: ['not-org-owner', 'github-unavailable'],
    status: 'failing'
  },
  // ── Enterprise ──
  {
    name: 'healthy EMU setup user',
    facts: facts({
      user: user({ 'x-oauth-scopes': 'scim:enterprise' }, 'fab_admin'),
      orgs: [],
      identities: null,
      enterpriseScim: resp(200, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
        totalResults: 0,
        itemsPerPage: 0,
        startIndex: 1,
        Resources: []
      })
    }),
    inputs: { orgs: [], enterprise: 'fabrikam' },
    causes: [],
    status: 'healthy'
  },
  {
    name: 'EMU with admin:enterprise only: works, excessive notice',
    facts: facts({
      user: user({ 'x-oauth-scopes': 'admin:enterprise' }, 'fab_admin'),
      orgs: [],
      identities: null,
      enterpriseScim: resp(200, { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, Resources: [] })
    }),
    inputs: { orgs: [], enterprise: 'fabrikam' },
    causes: ['scope-excessive'],
    status: 'healthy'
  },
  {
    name: 'EMU token with an expiry: token-expires, not-setup-user',
    facts: facts({
      user: user({ 'x-oauth-scopes': 'scim:enterprise', 'github-authentication-token-expiration': '2027-06-01 00:00:00 UTC' }, 'jdoe_fab'),
      orgs: [],
      identities: null,
      enterpriseScim: resp(200, { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, Resources: [] })
    }),
    inputs: { orgs: [], enterprise: 'fabrikam' },
    causes: ['token-expires', 'not-setup-user'],
    status: 'warning'
  },
  {
    name: 'EMU SCIM 404: scim-not-available',
    facts: facts({
      user: user({ 'x-oauth-scopes': 'scim:enterprise' }, 'fab_admin'),
      orgs: [],
      identities: null,
      enterpriseScim: NOT_FOUND
    }),
    inputs: { orgs: [], enterprise: 'fabrikam' },
    causes: ['scim-not-available'],
    status: 'failing'
  },
  {
    name: 'EMU SCIM 403: scim-forbidden',
    facts: facts({
      user: user({ 'x-oauth-scopes': 'scim:enterprise' }, 'fab_admin'),
      orgs: [],
      identities: null,
      enterpriseScim: err(403, 'Permission denied')
    }),
    inputs: { orgs: [], enterprise: 'fabrikam' },
    causes: ['scim-forbidden'],
    status: 'failing'
  }
]

describe('diagnose', () => {
  it.each(rows)('$name', row => {
    const v = diagnose(row.facts, inputs(row.inputs), NOW)
    expect(ids(v)).toEqual(row.causes)
    expect(v.status).toBe(row.status)
  })

  it('reports token-whitespace beside a verdict, and alone keeps the run at warning', () => {
    const v = diagnose(facts(), inputs(), NOW, { tokenWhitespace: true })
    expect(ids(v)).toEqual(['token-whitespace'])
    expect(v.status).toBe('warning')
  })

  it('keeps token-whitespace beside token-invalid and drops everything else', () => {
    const v = diagnose(facts({ user: err(401, 'Bad credentials') }), inputs({ expectedLogin: 'x' }), NOW, { tokenWhitespace: true })
    expect(ids(v)).toEqual(['token-invalid', 'token-whitespace'])
  })

  it('computes days-until-expiry as whole days, rounding down', () => {
    const v = diagnose(facts({ user: user({ 'github-authentication-token-expiration': '2026-12-08 11:59:59 UTC' }) }), inputs(), NOW)
    expect(v.daysUntilExpiry).toBe(9)
    expect(v.expiresAt).toBe('2026-12-08T11:59:59Z')
    expect(v.causes[0]?.severity).toBe('warning')
  })

  it('treats days equal to fail-days as an error and equal to warn-days as a warning', () => {
    const at = (days: number): string =>
      new Date(NOW.getTime() + days * 86400000 + 1000)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC')
    expect(diagnose(facts({ user: user({ 'github-authentication-token-expiration': at(7) }) }), inputs(), NOW).causes[0]?.severity).toBe(
      'error'
    )
    expect(diagnose(facts({ user: user({ 'github-authentication-token-expiration': at(8) }) }), inputs(), NOW).causes[0]?.severity).toBe(
      'warning'
    )
    expect(diagnose(facts({ user: user({ 'github-authentication-token-expiration': at(30) }) }), inputs(), NOW).causes[0]?.severity).toBe(
      'warning'
    )
    expect(diagnose(facts({ user: user({ 'github-authentication-token-expiration': at(31) }) }), inputs(), NOW).causes).toEqual([])
  })

  it('falls back to the SSO authorization record for the expiry', () => {
    const org = healthyOrg()
    org.credentials = resp(200, [
      {
        token_last_eight: TOKEN.slice(-8),
        credential_authorized_at: '2026-01-01T00:00:00Z',
        authorized_credential_expires_at: '2026-12-03T00:00:00Z',
        credential_accessed_at: null
      }
    ])
    const v = diagnose(facts({ orgs: [org] }), inputs(), NOW)
    expect(v.expiresAt).toBe('2026-12-03T00:00:00Z')
    expect(ids(v)).toEqual(['token-expiring'])
    expect(v.orgs[0]?.ssoAuthorization?.expiresAt).toBe('2026-12-03T00:00:00Z')
  })

  it('gives every SSO-blocked org its own URL, the first in ssoAuthorizationUrl', () => {
    const sso = (org: string): Fact =>
      err(403, 'Resource protected by organization SAML enforcement.', {
        'x-github-sso': `required; url=https://github.com/orgs/${org}/sso?authorization_request=R${org}`
      })
    const v = diagnose(
      facts({
        orgs: [
          healthyOrg('acme', { info: sso('acme'), membership: sso('acme') }),
          healthyOrg('beta', { info: sso('beta'), membership: sso('beta') })
        ],
        identities: identities({ o0: null, o1: null })
      }),
      inputs({ orgs: ['acme', 'beta'] }),
      NOW
    )
    expect(v.causes.map(c => [c.id, c.org, c.url])).toEqual([
      ['sso-not-authorized', 'acme', 'https://github.com/orgs/acme/sso?authorization_request=Racme'],
      ['sso-not-authorized', 'beta', 'https://github.com/orgs/beta/sso?authorization_request=Rbeta']
    ])
    expect(v.ssoAuthorizationUrl).toBe('https://github.com/orgs/acme/sso?authorization_request=Racme')
  })

  it('reads partial-results SSO headers on the GraphQL answer by org id', () => {
    const v = diagnose(
      facts({ identities: identities({ o0: LINKED }, [], { 'x-github-sso': 'partial-results; organizations=1001,2002' }) }),
      inputs(),
      NOW
    )
    expect(ids(v)).toEqual(['sso-not-authorized'])
  })

  it('orders causes error, inconclusive, warning, notice', () => {
    const v = diagnose(
      facts({
        user: user({ 'x-oauth-scopes': 'admin:org, delete_repo', 'github-authentication-token-expiration': '2026-12-20 00:00:00 UTC' }),
        orgs: [
          healthyOrg('acme', { credentials: GENERIC_503 }),
          healthyOrg('beta', { membership: resp(200, { state: 'active', role: 'member' }), scim: err(403, 'x') })
        ],
        identities: identities({ o0: LINKED, o1: LINKED })
      }),
      inputs({ orgs: ['acme', 'beta'] }),
      NOW
    )
    expect(v.causes.map(c => c.severity)).toEqual(['error', 'inconclusive', 'warning', 'notice'])
    expect(ids(v)).toEqual(['not-org-owner', 'github-unavailable', 'token-expiring', 'scope-excessive'])
  })

  it('is pure: same facts, same verdict', () => {
    const f = facts({ identities: identities({ o0: UNLINKED }) })
    expect(diagnose(f, inputs(), NOW)).toEqual(diagnose(f, inputs(), NOW))
  })
})

// Classes of broken answers the fuzz test (fuzz.test.ts) turned up, kept as plain regressions.
describe('answers nothing explains are never healthy', () => {
  it('a 401 on an org route after GET /user took the token', () => {
    const v = diagnose(facts({ orgs: [healthyOrg('acme', { credentials: err(401, 'Authorization failure') })] }), inputs(), NOW)
    expect(ids(v)).toEqual(['unexpected-response'])
  })
  it('credential-authorizations answering an array of non-objects', () => {
    const v = diagnose(facts({ orgs: [healthyOrg('acme', { credentials: resp(200, [1, 'a']) })] }), inputs(), NOW)
    expect(ids(v)).toEqual(['unexpected-response'])
  })
  it('an org lookup answering an object without login and id', () => {
    const v = diagnose(facts({ orgs: [healthyOrg('acme', { membership: NOT_FOUND, info: resp(200, { foo: 1 }) })] }), inputs(), NOW)
    expect(ids(v)).toContain('unexpected-response')
  })
  it('an SSO header whose url is not http(s) keeps the cause but not the URL', () => {
    const sso = err(403, 'Resource protected by organization SAML enforcement.', { 'x-github-sso': 'required; url=javascript:alert(1)' })
    const v = diagnose(facts({ orgs: [healthyOrg('acme', { membership: sso })] }), inputs(), NOW)
    expect(ids(v)).toEqual(['sso-not-authorized'])
    expect(v.ssoAuthorizationUrl).toBeNull()
    expect(v.causes[0]?.url).toBeUndefined()
  })
  it('a 400 on the membership request', () => {
    const v = diagnose(facts({ orgs: [healthyOrg('acme', { membership: err(400, 'Problems parsing JSON') })] }), inputs(), NOW)
    expect(v.status).toBe('inconclusive')
  })
})

describe('parseExpiryHeader', () => {
  it.each([
    ['2021-10-07 19:07:53 UTC', '2021-10-07T19:07:53.000Z'],
    ['2021-10-07 19:07:53 +0900', '2021-10-07T10:07:53.000Z'],
    ['2021-10-07T19:07:53Z', '2021-10-07T19:07:53.000Z']
  ])('%s', (raw, iso) => {
    expect(parseExpiryHeader(raw)?.toISOString()).toBe(iso)
  })
  it('rejects garbage', () => {
    expect(parseExpiryHeader('tomorrow')).toBeNull()
    expect(parseExpiryHeader('2021-13-45 99:99:99 UTC')).toBeNull()
  })
})

describe('shouldFail', () => {
  const v = (...sev: Array<'error' | 'warning' | 'notice' | 'inconclusive'>) => ({
    causes: sev.map(severity => ({
      id: 'scope-excessive' as const,
      severity,
      org: null,
      enterprise: null,
      title: '',
      message: '',
      remediation: ''
    }))
  })
  it.each([
    [v(), 'error', 'fail', false],
    [v('notice'), 'warning', 'fail', false],
    [v('warning'), 'error', 'fail', false],
    [v('warning'), 'warning', 'fail', true],
    [v('error'), 'error', 'pass', true],
    [v('error'), 'never', 'fail', false],
    [v('inconclusive'), 'error', 'fail', true],
    [v('inconclusive'), 'error', 'pass', false],
    [v('inconclusive'), 'never', 'fail', false],
    [v('inconclusive', 'warning'), 'warning', 'pass', true]
  ] as const)('%j fail-on=%s inconclusive=%s -> %s', (verdict, failOn, inconclusive, expected) => {
    expect(shouldFail(verdict, { failOn, inconclusive })).toBe(expected)
  })
})
