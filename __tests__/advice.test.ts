/**
 * Advice that never misleads (docs/causes.md) and GitHub's real
 * wording (docs/github-behaviour.md, "Wording across years and versions"): table tests
 * of the pure diagnosis.
 */
import { describe, expect, it } from '@jest/globals'
import { verdictForInternalError } from '../src/check.js'
import { classify, diagnose, parseExpiryHeader, trustedSsoUrl } from '../src/diagnose/index.js'
import { expiryText, ssoAuthorizationText } from '../src/report/summary.js'
import { err, facts, healthyOrg, identities, ids, inputs, LINKED, NOW, resp, user } from './support/facts.js'

const EMU = { orgs: [] as string[], enterprise: 'fabrikam' }

describe('login-mismatch: nothing about another account is judged', () => {
  // The member's token: not an owner, no admin:org, expiring soon: every one of those would be advice about the wrong token.
  const memberFacts = facts({
    user: user({ 'x-oauth-scopes': 'repo', 'github-authentication-token-expiration': '2026-11-30 12:00:00 UTC' }, 'mona'),
    expectedUser: resp(200, { login: 'acme-scim', id: 5001 }),
    orgs: [healthyOrg('acme', { membership: resp(200, { state: 'active', role: 'member' }), scim: err(403, 'Permission denied') })]
  })
  const v = diagnose(memberFacts, inputs({ expectedLogin: 'acme-scim' }), NOW)

  it('reports login-mismatch alone', () => {
    expect(ids(v)).toEqual(['login-mismatch'])
    expect(v.status).toBe('failing')
  })
  it('gives no owner, scope or PAT advice about that account', () => {
    const text = JSON.stringify(v.causes)
    expect(text).not.toMatch(/Change role > Owner|Edit the classic PAT|admin:org for organization SCIM/)
  })
  it('says what was withheld and why, and shows no org rows of the other account', () => {
    expect(v.notes).toHaveLength(1)
    expect(v.notes[0]).toMatch(/belongs to mona, not to acme-scim/)
    expect(v.notes[0]).toMatch(/not-org-owner/)
    expect(v.notes[0]).toMatch(/scope-missing/)
    expect(v.notes[0]).toMatch(/token-expiring/)
    expect(v.orgs).toEqual([])
  })
  it("gives no SSO authorization URL of the other account's orgs", () => {
    const sso = err(403, 'Resource protected by organization SAML enforcement.', {
      'x-github-sso': 'required; url=https://github.com/orgs/acme/sso?authorization_request=X'
    })
    const f = { ...memberFacts, orgs: [healthyOrg('acme', { membership: sso, credentials: sso, scim: sso })] }
    const v2 = diagnose(f, inputs({ expectedLogin: 'acme-scim' }), NOW)
    expect(ids(v2)).toEqual(['login-mismatch'])
    expect(v2.ssoAuthorizationUrl).toBeNull()
  })
  it('keeps a fault of the run beside it (the check did not finish)', () => {
    const f = { ...memberFacts, expectedUser: err(502, 'Bad Gateway') }
    expect(ids(diagnose(f, inputs({ expectedLogin: 'acme-scim' }), NOW))).toEqual(['login-mismatch', 'github-unavailable'])
  })
  it("account-renamed is judged in full: the token is the renamed service account's", () => {
    const f = {
      ...memberFacts,
      user: user({}, 'acme-scim-2'),
      expectedUser: err(404, 'Not Found'),
      orgs: [healthyOrg('acme', { membership: resp(200, { state: 'active', role: 'member' }), scim: err(403, 'x') })]
    }
    expect(ids(diagnose(f, inputs({ expectedLogin: 'acme-scim' }), NOW))).toEqual(['account-renamed', 'not-org-owner'])
  })
})

describe('enterprise causes speak of the enterprise', () => {
  const emuUser = user({ 'x-oauth-scopes': 'scim:enterprise' }, 'fab_admin')
  it('scim-forbidden names scim:enterprise and the setup user, never admin:org', () => {
    const v = diagnose(
      facts({ user: emuUser, orgs: [], identities: null, enterpriseScim: err(403, 'Permission denied') }),
      inputs(EMU),
      NOW
    )
    const c = v.causes.find(x => x.id === 'scim-forbidden')
    expect(c?.title).toBe('Enterprise SCIM request refused')
    expect(c?.remediation).toMatch(/scim:enterprise/)
    expect(c?.remediation).toMatch(/setup user/)
    expect(`${c?.title} ${c?.message} ${c?.remediation}`).not.toMatch(/admin:org|organization owner/i)
  })
  it('scim-not-available names the slug and EMU, not organization-level SAML', () => {
    const v = diagnose(facts({ user: emuUser, orgs: [], identities: null, enterpriseScim: err(404, 'Not Found') }), inputs(EMU), NOW)
    const c = v.causes.find(x => x.id === 'scim-not-available')
    expect(c?.title).toBe('Enterprise SCIM is not available')
    expect(c?.message).toMatch(/fabrikam/)
    expect(c?.remediation).toMatch(/Enterprise Managed Users/)
    expect(c?.remediation).not.toMatch(/organization-level SAML/)
  })
  it('the organization variants stay as they were', () => {
    const v = diagnose(facts({ orgs: [healthyOrg('acme', { scim: err(403, 'Permission denied') })] }), inputs(), NOW)
    const c = v.causes.find(x => x.id === 'scim-forbidden')
    expect(c?.title).toBe('SCIM request refused')
    expect(c?.remediation).toMatch(/admin:org/)
  })
})

describe('"not checked" says the true reason', () => {
  it("an owner's admin:org token whose GraphQL query failed is not told it lacks a scope or the role", () => {
    const v = diagnose(facts({ identities: err(502, 'Bad Gateway') }), inputs(), NOW)
    const note = v.notes.find(n => /linked SAML identity/.test(n)) ?? ''
    expect(note).toMatch(/GraphQL identity query got no usable answer/)
    expect(note).not.toMatch(/owner|read:org/)
  })
  it('a member is told it is not an owner', () => {
    const v = diagnose(
      facts({ orgs: [healthyOrg('acme', { membership: resp(200, { state: 'active', role: 'member' }), scim: err(403, 'x') })] }),
      inputs(),
      NOW
    )
    expect(v.notes.join('\n')).toMatch(/acme-scim it is an active member, not an active owner/)
  })
  it('a token without read:org is told so', () => {
    const v = diagnose(facts({ user: user({ 'x-oauth-scopes': 'repo' }), identities: null }), inputs({ requiredScopes: [] }), NOW)
    expect(v.notes.join('\n')).toMatch(/neither read:org nor admin:org/)
  })
  it('a blocked org says what blocked it', () => {
    const sso = err(
      403,
      'Resource protected by organization SAML enforcement. You must grant your personal token access to this organization.'
    )
    const v = diagnose(facts({ orgs: [healthyOrg('acme', { membership: sso, credentials: sso, scim: sso })] }), inputs(), NOW)
    expect(v.notes.join('\n')).toMatch(/refused the token \(sso-not-authorized\)/)
  })
  it('GHES rows say the SSO record was not checked, never "no record"', () => {
    const v = diagnose(
      facts({ platform: 'ghes', orgs: [healthyOrg('acme', { credentials: null, scim: null })], identities: null }),
      inputs({ apiUrl: 'https://ghes.example.com/api/v3' }),
      NOW
    )
    expect(v.orgs[0]?.ssoAuthorizationNote).toBe('not checked')
  })
  it('an OAuth token is told GitHub lists no SSO authorization for it', () => {
    const v = diagnose(facts({ orgs: [healthyOrg('acme', { credentials: resp(200, []) })] }), inputs({ tokenKind: 'oauth-app' }), NOW)
    expect(v.orgs[0]?.ssoAuthorizationNote).toMatch(/OAuth tokens/)
  })
})

describe('our own bugs', () => {
  it('are internal-error, inconclusive, asking for a report', () => {
    const v = verdictForInternalError('x is undefined')
    expect(ids(v)).toEqual(['internal-error'])
    expect(v.status).toBe('inconclusive')
    expect(v.causes[0]?.remediation).toMatch(/report it/)
    expect(v.causes[0]?.remediation).not.toMatch(/api-url|proxy/)
  })
})

describe('expiry', () => {
  it('is unknown (null), not "never", when GitHub never answered', () => {
    const v = diagnose(facts({ user: err(401, 'Bad credentials') }), inputs(), NOW)
    expect(v.expiresAt).toBeNull()
    expect(v.login).toBeNull()
    expect(expiryText(v)).toMatch(/^unknown/)
  })
  it('is "never" only when GitHub answered without an expiry header', () => {
    expect(expiryText(diagnose(facts(), inputs(), NOW))).toMatch(/^never/)
  })
  it('an SSO record not checked says so in the summary row', () => {
    const v = diagnose(
      facts({ platform: 'ghes', orgs: [healthyOrg('acme', { credentials: null, scim: null })], identities: null }),
      inputs({ apiUrl: 'https://ghes.example.com/api/v3' }),
      NOW
    )
    expect(v.orgs[0] && ssoAuthorizationText(v.orgs[0])).toBe('not checked')
  })
  it.each([
    ['2025-06-14 15:09:46 UTC', '2025-06-14T15:09:46.000Z'],
    ['2023-06-14 15:09:46 -0700', '2023-06-14T22:09:46.000Z'],
    ['2023-06-14 15:09:46 +0900', '2023-06-14T06:09:46.000Z'],
    ['2023-06-14 15:09:46 +09:00', '2023-06-14T06:09:46.000Z']
  ])('parses the recorded format %s', (header, iso) => {
    expect(parseExpiryHeader(header)?.toISOString()).toBe(iso)
  })
})

describe('redirects are never followed, and named', () => {
  it.each([
    [301, 'https://evil.example:8443/x', /redirect to evil\.example:8443, which was not followed/],
    [307, '/graphql2', /redirect to the same host/],
    [302, undefined, /redirect to no location/]
  ])('HTTP %i to %s', (status, location, re) => {
    const headers: Record<string, string> = location ? { location } : {}
    const v = diagnose(facts({ user: resp(status, '', headers) }), inputs(), NOW)
    expect(ids(v)).toEqual(['unexpected-response'])
    expect(v.causes[0]?.message).toMatch(re)
  })
  it('a redirect on an org request is unexpected-response for that org, never healthy', () => {
    const v = diagnose(
      facts({ orgs: [healthyOrg('acme', { scim: resp(302, '', { location: 'https://login.evil.example/' }) })] }),
      inputs(),
      NOW
    )
    expect(v.status).toBe('inconclusive')
    expect(v.causes.map(c => [c.id, c.org])).toEqual([['unexpected-response', 'acme']])
  })
})

describe('the SSO authorization URL is used only on the web host of api-url', () => {
  const ssoWith = (url: string): ReturnType<typeof err> =>
    err(
      403,
      'Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.',
      { 'x-github-sso': `required; url=${url}` }
    )
  it.each([
    ['https://github.com/orgs/acme/sso?authorization_request=A', 'https://api.github.com', true],
    ['https://evil.example/orgs/acme/sso', 'https://api.github.com', false],
    ['https://github.com.evil.example/sso', 'https://api.github.com', false],
    ['http://github.com/orgs/acme/sso', 'https://api.github.com', false],
    ['https://user@github.com/orgs/acme/sso', 'https://api.github.com', false],
    ['https://acme.ghe.com/orgs/acme/sso?authorization_request=A', 'https://api.acme.ghe.com', true],
    ['https://github.com/orgs/acme/sso', 'https://api.acme.ghe.com', false],
    ['https://ghes.example.com/orgs/acme/sso', 'https://ghes.example.com/api/v3', true]
  ])('%s with api-url %s: used %s', (url, apiUrl, used) => {
    const v = diagnose(
      facts({ orgs: [healthyOrg('acme', { membership: ssoWith(url), scim: ssoWith(url), credentials: ssoWith(url) })] }),
      inputs({ apiUrl }),
      NOW
    )
    expect(ids(v)).toEqual(['sso-not-authorized'])
    expect(v.ssoAuthorizationUrl).toBe(used ? url : null)
    expect(v.causes[0]?.url).toBe(used ? url : undefined)
    if (!used) {
      expect(v.causes[0]?.message).toMatch(/was not used/)
      expect(v.causes[0]?.message).not.toContain(url)
    }
  })
  it('an unparsable URL is not used', () => {
    expect(trustedSsoUrl('https://[bad', 'https://github.com').url).toBeNull()
  })
})

describe("GitHub's wording across years and versions: status and headers first", () => {
  it.each([
    ['the lockout in the singular', err(403, 'Max number of login attempt exceeded'), 'lockout'],
    ['the lockout today', err(403, 'Maximum number of login attempts exceeded. Please try again later.'), 'lockout'],
    [
      'the old abuse-detection secondary limit',
      err(403, 'You have triggered an abuse detection mechanism. Please wait a few minutes before you try again.', { 'retry-after': '60' }),
      'rate-limited'
    ],
    ['a secondary limit by its headers alone', err(403, 'Forbidden', { 'retry-after': '30' }), 'rate-limited'],
    [
      "today's secondary text with the terms-of-service sentence",
      err(
        403,
        'You have exceeded a secondary rate limit and have been temporarily blocked from content creation. Please retry your request again later. If you reach out to GitHub Support for help, please include the request ID X.'
      ),
      'rate-limited'
    ],
    [
      'a primary limit without a reset header',
      err(403, 'API rate limit exceeded for user ID 1.', { 'x-ratelimit-remaining': '0' }),
      'rate-limited'
    ],
    ['a primary limit by its header alone', err(403, '', { 'x-ratelimit-remaining': '0' }), 'rate-limited'],
    [
      'SSO in the docs\' "personal token" wording, no header',
      err(403, 'Resource protected by organization SAML enforcement. You must grant your personal token access to this organization.'),
      'sso'
    ],
    [
      'SSO for an OAuth token',
      err(
        403,
        'Resource protected by organization SAML enforcement. You must grant your OAuth token access to an organization within this business.'
      ),
      'sso'
    ],
    ['a 401 whose body could not be read', resp(401, undefined), 'bad-credentials']
  ])('%s', (_name, fact, type) => {
    expect(classify(fact, NOW).type).toBe(type)
  })

  it('a primary limit without a reset has no reset time (reported at once)', () => {
    const f = classify(err(403, 'API rate limit exceeded for user ID 1.', { 'x-ratelimit-remaining': '0' }), NOW)
    expect(f).toEqual({ type: 'rate-limited', reset: null, secondary: false })
  })

  it('X-GitHub-SSO named in Access-Control-Expose-Headers is no SSO signal', () => {
    const v = diagnose(
      facts({ user: user({ 'access-control-expose-headers': 'ETag, Link, X-GitHub-SSO, X-OAuth-Scopes' }) }),
      inputs(),
      NOW
    )
    expect(ids(v)).toEqual([])
  })

  it('GraphQL reports a SAML block inside a 200 (FORBIDDEN with saml_failure)', () => {
    const v = diagnose(
      facts({
        identities: identities({ o0: null }, [
          {
            type: 'FORBIDDEN',
            path: ['o0'],
            extensions: { saml_failure: true },
            message: 'Resource protected by organization SAML enforcement.'
          }
        ])
      }),
      inputs(),
      NOW
    )
    expect(ids(v)).toEqual(['sso-not-authorized'])
  })

  it('a GitHub App user token (empty scopes header) is unsupported, not missing scopes', () => {
    const v = diagnose(
      facts({ user: user({ 'x-oauth-scopes': '', 'x-oauth-client-id': 'Iv1.abc' }) }),
      inputs({ tokenKind: 'github-app-user' }),
      NOW
    )
    expect(ids(v)[0]).toBe('token-kind-unsupported')
    expect(ids(v)).not.toContain('scope-missing')
  })

  it('old answers without documentation_url or status classify the same', () => {
    const v = diagnose(facts({ user: resp(401, { message: 'Bad credentials' }) }), inputs(), NOW)
    expect(ids(v)).toEqual(['token-invalid'])
  })
})

describe('server strings are data', () => {
  it.each([
    ['a login with a line break and a workflow command', 'acme-scim\n::stop-commands::x'],
    ['a login with Markdown', '[x](https://evil.example)'],
    ['a login with HTML', '<img src=x onerror=alert(1)>'],
    ['a 3 MB login', 'a'.repeat(3 * 1024 * 1024)],
    ['an empty login', '']
  ])('%s is unexpected-response, and never shown', (_name, login) => {
    const v = diagnose(facts({ user: resp(200, { login, id: 1 }, { 'x-oauth-scopes': 'admin:org' }) }), inputs(), NOW)
    expect(ids(v)).toEqual(['unexpected-response'])
    expect(v.login).toBeNull()
    expect(JSON.stringify(v).length).toBeLessThan(5000)
  })

  it('an error message is quoted on one line, bounded, without control or bidi characters', () => {
    const msg = `Forbidden\r\n::add-mask::x\u202e\u0007 ${'y'.repeat(10000)}`
    const v = diagnose(facts({ orgs: [healthyOrg('acme', { scim: err(403, msg) })] }), inputs(), NOW)
    const m = v.causes.find(c => c.id === 'scim-forbidden')?.message ?? ''
    // eslint-disable-next-line no-control-regex
    expect(m).not.toMatch(/[\r\n\u202e\u0007]/)
    expect(m.length).toBeLessThan(400)
  })

  it('scope names that are not scopes are dropped', () => {
    const v = diagnose(facts({ user: user({ 'x-oauth-scopes': 'admin:org, <b>x</b>, [a](b)' }) }), inputs(), NOW)
    expect(v.scopes).toEqual(['admin:org'])
    expect(ids(v)).toEqual(['unexpected-response'])
  })

  it('a role that is not a word is bounded data', () => {
    const v = diagnose(
      facts({
        orgs: [healthyOrg('acme', { membership: resp(200, { state: 'active', role: 'x\n'.repeat(5000) }), scim: err(403, 'x') })],
        identities: identities({ o0: LINKED })
      }),
      inputs(),
      NOW
    )
    expect(v.orgs[0]?.role.length).toBeLessThanOrEqual(40)
    expect(v.orgs[0]?.role).not.toMatch(/\n/)
  })
})

describe('links point at the web host that belongs to api-url', () => {
  it.each([
    ['https://api.github.com', 'https://github.com/settings/tokens'],
    ['https://api.acme.ghe.com', 'https://acme.ghe.com/settings/tokens'],
    ['https://ghes.example.com/api/v3', 'https://ghes.example.com/settings/tokens']
  ])('%s', (apiUrl, page) => {
    const v = diagnose(facts({ user: err(401, 'Bad credentials') }), inputs({ apiUrl }), NOW)
    expect(v.causes[0]?.remediation).toContain(page)
  })
})

describe('answers whose body could not be read', () => {
  const broken = (status: number, bodyProblem: 'too-large' | 'cut-short' | 'stalled' | 'budget-spent'): ReturnType<typeof resp> => ({
    kind: 'response',
    status,
    headers: {},
    body: undefined,
    bodyProblem
  })
  it.each([
    ['a 401 cut short is still a 401: token-invalid', broken(401, 'cut-short'), ['token-invalid']],
    ['a 401 that stalled is still a 401', broken(401, 'stalled'), ['token-invalid']],
    ['a 403 too large is unexpected-response (which 403 cannot be told)', broken(403, 'too-large'), ['unexpected-response']],
    ['a 200 too large is unexpected-response', broken(200, 'too-large'), ['unexpected-response']],
    ["a 200 after the run's byte budget is unexpected-response", broken(200, 'budget-spent'), ['unexpected-response']],
    ['a 502 too large is github-unavailable', broken(502, 'too-large'), ['github-unavailable']]
  ])('%s', (_name, fact, causes) => {
    const v = diagnose(facts({ user: fact }), inputs(), NOW)
    expect(ids(v)).toEqual(causes)
  })
  it('names the problem in the message', () => {
    const v = diagnose(facts({ orgs: [healthyOrg('acme', { scim: broken(200, 'budget-spent') })] }), inputs(), NOW)
    expect(v.causes.map(c => [c.id, c.org])).toEqual([['unexpected-response', 'acme']])
    expect(v.causes[0]?.message).toMatch(/16 MiB/)
  })
})
