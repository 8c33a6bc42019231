import { describe, expect, it } from '@jest/globals'
import { parseInputs } from '../src/inputs.js'
import { classifyToken } from '../src/token.js'
import { expandScopes, missingScopes, excessiveScopes } from '../src/scopes.js'

const GOOD = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'
const reader = (values: Record<string, string>) => (name: string) => values[name] ?? ''
const parse = (values: Record<string, string>, env: NodeJS.ProcessEnv = { GITHUB_REPOSITORY_OWNER: 'acme' }) =>
  parseInputs(reader({ token: GOOD, ...values }), env)

describe('parseInputs', () => {
  it('applies the defaults of the contract', () => {
    const { inputs, problems } = parse({})
    expect(problems).toEqual([])
    expect(inputs).toMatchObject({
      orgs: ['acme'],
      enterprise: null,
      warnDays: 30,
      failDays: 7,
      failOn: 'error',
      inconclusive: 'fail',
      scimProbe: true,
      apiUrl: 'https://api.github.com',
      timeoutSeconds: 60,
      tokenKind: 'classic-pat'
    })
  })

  it('splits orgs on commas and new lines, dropping blanks and duplicates', () => {
    expect(parse({ org: 'acme, beta\n\ngamma,ACME' }).inputs?.orgs).toEqual(['acme', 'beta', 'gamma'])
  })

  it('checks no org when only an enterprise is given', () => {
    expect(parse({ enterprise: 'fabrikam' }).inputs?.orgs).toEqual([])
  })

  it('keeps the path of a GHES api-url and strips the trailing slash', () => {
    expect(parse({ 'api-url': 'https://ghes.example.com/api/v3/' }).inputs?.apiUrl).toBe('https://ghes.example.com/api/v3')
  })

  it('trims a token with surrounding whitespace and says so', () => {
    const r = parse({ token: `  ${GOOD}\n` })
    expect(r.inputs?.token).toBe(GOOD)
    expect(r.tokenWhitespace).toBe(true)
  })

  // At least 20 malformed inputs: each is one problem naming its input, and no inputs object (no request).
  const bad: Array<[string, Record<string, string>, string, 'input-invalid' | 'token-malformed', NodeJS.ProcessEnv?]> = [
    ['empty token', { token: '' }, 'token', 'input-invalid'],
    ['whitespace-only token', { token: '  \n ' }, 'token', 'input-invalid'],
    ['quoted token', { token: `"${GOOD}"` }, 'token', 'token-malformed'],
    ['single-quoted token', { token: `'${GOOD}'` }, 'token', 'token-malformed'],
    ['newline inside the token', { token: `${GOOD.slice(0, 20)}\n${GOOD.slice(20)}` }, 'token', 'token-malformed'],
    ['token with a Bearer prefix', { token: `Bearer ${GOOD}` }, 'token', 'token-malformed'],
    ['token with a "token " prefix', { token: `token ${GOOD}` }, 'token', 'token-malformed'],
    ['truncated classic token', { token: GOOD.slice(0, 20) }, 'token', 'token-malformed'],
    ['refresh token', { token: 'ghr_' + 'a'.repeat(36) }, 'token', 'token-malformed'],
    ['password instead of a token', { token: 'hunter2' }, 'token', 'token-malformed'],
    ['39 hex characters', { token: 'a'.repeat(39) }, 'token', 'token-malformed'],
    ['negative warn-days', { 'warn-days': '-1' }, 'warn-days', 'input-invalid'],
    ['non-numeric fail-days', { 'fail-days': 'seven' }, 'fail-days', 'input-invalid'],
    ['fractional warn-days', { 'warn-days': '2.5' }, 'warn-days', 'input-invalid'],
    ['fail-days above warn-days', { 'warn-days': '5', 'fail-days': '10' }, 'fail-days', 'input-invalid'],
    ['unknown fail-on', { 'fail-on': 'errors' }, 'fail-on', 'input-invalid'],
    ['unknown inconclusive', { inconclusive: 'ignore' }, 'inconclusive', 'input-invalid'],
    ['scim-probe not a boolean', { 'scim-probe': 'yes' }, 'scim-probe', 'input-invalid'],
    ['ftp api-url', { 'api-url': 'ftp://api.github.com' }, 'api-url', 'input-invalid'],
    ['javascript: api-url', { 'api-url': 'javascript:alert(1)' }, 'api-url', 'input-invalid'],
    ['api-url without scheme', { 'api-url': 'api.github.com' }, 'api-url', 'input-invalid'],
    ['api-url with credentials', { 'api-url': 'https://user:pass@api.github.com' }, 'api-url', 'input-invalid'],
    ['org with a space', { org: 'acme corp' }, 'org', 'input-invalid'],
    ['org with a slash', { org: 'acme/repo' }, 'org', 'input-invalid'],
    ['org with a leading hyphen', { org: '-acme' }, 'org', 'input-invalid'],
    ['40 orgs of garbage', { org: Array.from({ length: 40 }, (_, i) => `bad org ${i}!`).join(',') }, 'org', 'input-invalid'],
    ['zero timeout', { 'timeout-seconds': '0' }, 'timeout-seconds', 'input-invalid'],
    ['fractional timeout', { 'timeout-seconds': '1.5' }, 'timeout-seconds', 'input-invalid'],
    ['enterprise with a slash', { enterprise: 'fab/rikam' }, 'enterprise', 'input-invalid'],
    ['expected-login with a space', { 'expected-login': 'acme scim' }, 'expected-login', 'input-invalid'],
    ['unknown required scope', { 'required-scopes': 'admin:orgs' }, 'required-scopes', 'input-invalid'],
    ['no org, no enterprise, no repository owner', { org: '' }, 'org', 'input-invalid', {}],
    ['plain http to a host that is not loopback', { 'api-url': 'http://api.github.com' }, 'api-url', 'input-invalid'],
    ['plain http to a private address', { 'api-url': 'http://10.0.0.5/api/v3' }, 'api-url', 'input-invalid'],
    ['http to a name that only starts like loopback', { 'api-url': 'http://127.0.0.1.evil.example' }, 'api-url', 'input-invalid'],
    ['a bare trailing ?', { 'api-url': 'https://api.github.com/?' }, 'api-url', 'input-invalid'],
    ['a bare trailing #', { 'api-url': 'https://api.github.com#' }, 'api-url', 'input-invalid'],
    ['empty userinfo', { 'api-url': 'https://@api.github.com' }, 'api-url', 'input-invalid'],
    ['a token as userinfo', { 'api-url': `https://x:${GOOD}@api.github.com` }, 'api-url', 'input-invalid'],
    ['http to an IPv4-mapped address outside loopback', { 'api-url': 'http://[::ffff:10.0.0.1]' }, 'api-url', 'input-invalid'],
    ['not https', { 'api-url': 'ftp://api.github.com' }, 'api-url', 'input-invalid'],
    ['a PAT pasted into org', { org: GOOD }, 'org', 'input-invalid'],
    ['a 10 MB org input', { org: 'a,'.repeat(5 * 1024 * 1024) }, 'org', 'input-invalid'],
    ['101 orgs', { org: Array.from({ length: 101 }, (_, i) => `org${i}`).join(',') }, 'org', 'input-invalid']
  ]
  it.each(bad.map(([name, values, input, id, env]) => ({ name, values, input, id, env })))('$name', ({ values, input, id, env }) => {
    const r = parse(values, env ?? { GITHUB_REPOSITORY_OWNER: 'acme' })
    expect(r.inputs).toBeUndefined()
    expect(r.problems).toHaveLength(1)
    expect(r.problems[0]).toMatchObject({ id, input })
    expect(r.problems[0]?.message).toContain(`"${input}"`)
  })

  it.each([
    'http://127.0.0.1:8080',
    'http://localhost:3000/api/v3',
    'http://[::1]:8080',
    'http://127.4.5.6',
    'http://[::ffff:127.0.0.1]:80'
  ])('accepts plain http for the loopback host of %s', url => {
    expect(parse({ 'api-url': url }).problems).toEqual([])
  })

  it('never echoes a token pasted into another input', () => {
    const pasted: Array<Record<string, string>> = [
      { org: GOOD },
      { 'api-url': `https://${GOOD}@api.github.com` },
      { 'expected-login': GOOD },
      { enterprise: `gho_${'a'.repeat(36)}` },
      { 'required-scopes': `github_pat_${'b'.repeat(60)}` }
    ]
    for (const values of pasted) {
      const r = parse(values)
      expect(r.problems.length).toBeGreaterThan(0)
      for (const p of r.problems) expect(p.message).not.toMatch(/gh[po]_[A-Za-z0-9]{8}|github_pat_[A-Za-z0-9]{8}/)
    }
  })

  it('rejects a huge org input at once, without reading its entries', () => {
    const r = parse({ org: `${GOOD},`.repeat(200_000) })
    expect(r.problems).toHaveLength(1)
    expect(r.problems[0]?.message).toMatch(/characters long/)
  })

  it('parses 1,000 distinct orgs in one pass and reports the count', () => {
    const r = parse({ org: Array.from({ length: 1000 }, (_, i) => `org-${i}`).join('\n') })
    expect(r.problems[0]?.message).toMatch(/lists 1000 organizations/)
  })

  it('never quotes the token in a problem message', () => {
    for (const token of [`"${GOOD}"`, `Bearer ${GOOD}`, GOOD.slice(0, 30), `${GOOD}!`]) {
      const r = parse({ token })
      expect(r.problems.length).toBeGreaterThan(0)
      for (const p of r.problems) expect(p.message).not.toContain(token.replace(/^Bearer |"/g, '').slice(0, 12))
    }
  })
})

describe('classifyToken', () => {
  it.each([
    [GOOD, 'classic-pat'],
    ['gho_' + 'a'.repeat(36), 'oauth-app'],
    ['ghu_' + 'a'.repeat(36), 'github-app-user'],
    ['ghs_' + 'a'.repeat(36), 'github-app-installation'],
    ['github_pat_' + 'a'.repeat(22) + '_' + 'b'.repeat(59), 'fine-grained-pat'],
    ['0123456789abcdef0123456789abcdef01234567', 'legacy']
  ])('%s is %s', (token, kind) => {
    const r = classifyToken(token)
    expect(r.ok && r.kind).toBe(kind)
  })
})

describe('scopes', () => {
  it('follows GitHub implication rules', () => {
    const have = expandScopes(['admin:org', 'repo', 'user'])
    for (const s of ['write:org', 'read:org', 'public_repo', 'repo:status', 'read:user', 'user:email']) expect(have.has(s)).toBe(true)
    expect(have.has('admin:enterprise')).toBe(false)
  })
  it('lets admin:enterprise satisfy scim:enterprise', () => {
    expect(missingScopes(['admin:enterprise'], ['scim:enterprise'])).toEqual([])
    expect(excessiveScopes(['admin:enterprise'], ['scim:enterprise'])).toEqual(['admin:enterprise'])
  })
  it('does not let read:org satisfy admin:org', () => {
    expect(missingScopes(['read:org'], ['admin:org'])).toEqual(['admin:org'])
  })
})
