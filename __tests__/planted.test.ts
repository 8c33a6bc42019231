/**
 * Behaviours a held-out round of planted bugs got past (issue 18, "Tests that planted bugs got past"), and
 * their siblings: encodings of an echoed secret, documented maxima accepted (not only their neighbours
 * refused), the EMU setup-user rule's underscore, and per-org scoping of the root-cause rules.
 */
import { describe, expect, it } from '@jest/globals'
import { makeCause, type Cause, type CauseId } from '../src/causes.js'
import { diagnose, rootCausesOnly } from '../src/diagnose/index.js'
import { judgeEnterprise } from '../src/diagnose/enterprise.js'
import { judgeExpiry } from '../src/diagnose/expiry.js'
import { parseInputs } from '../src/inputs.js'
import { REDACTED, scrubberFor } from '../src/sanitize.js'
import { err, facts, healthyOrg, identities, ids, inputs, LINKED, NOW, resp, SSO_403, TOKEN } from './support/facts.js'

// ── An echoed secret, in each encoding ──────────────────────────────────

/** A secret whose standard base64 holds `+` or `/`: its base64url differs. Found, not hard-coded, and checked. */
function secretWithPlusOrSlash(): string {
  for (let i = 0; i < 10_000; i++) {
    const s = `ghp_${'x'.repeat(20)}${String.fromCharCode(0x3e + (i % 60))}${i}~?>`
    const b64 = Buffer.from(s).toString('base64')
    if (/[+/]/.test(b64.replace(/=+$/, ''))) return s
  }
  throw new Error('no such secret')
}

describe('a secret echoed in another encoding is scrubbed', () => {
  const secret = secretWithPlusOrSlash()
  const b64 = Buffer.from(secret).toString('base64')
  const b64url = Buffer.from(secret).toString('base64url')
  const scrub = scrubberFor(secret)

  it('the premise: its standard base64 differs from its base64url', () => {
    expect(b64.replace(/=+$/, '')).not.toBe(b64url)
    expect(b64).toMatch(/[+/]/)
  })
  it.each<[string, string]>([
    ['standard base64, padded', b64],
    ['standard base64, unpadded', b64.replace(/=+$/, '')],
    ['base64url', b64url],
    ['percent-encoded, upper-case hex', encodeURIComponent(secret)],
    ['percent-encoded, lower-case hex', encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, e => e.toLowerCase())],
    ['percent-encoded standard base64 (a query string)', encodeURIComponent(b64)]
  ])('%s', (_name, echoed) => {
    const out = scrub(`the server says: ${echoed} (end)`)
    expect(out).not.toContain(echoed.replace(/=+$/, '').replace(/%3D/gi, ''))
    expect(out).toContain(REDACTED)
    expect(out).toMatch(/^the server says: /)
  })
  it('inside a Basic authorization value (user:secret, base64) it goes with the scheme word', () => {
    const basic = Buffer.from(`x-access-token:${secret}`).toString('base64')
    expect(scrub(`Authorization: Basic ${basic}`)).not.toContain(basic.slice(0, 12))
  })
})

// ── Documented maxima are accepted ───────────────────────────────────────

const APP = '0oa1bcdefghijklmnopq'
const OKTA = {
  idp: 'okta',
  'okta-org-url': 'https://acme.okta.com',
  'okta-app-id': APP,
  'okta-api-token': '00abcdefghijklmnopqrstuvwxyz0123456789ABCD'
}
const parse = (values: Record<string, string>) => parseInputs(name => ({ token: TOKEN, org: 'acme', ...values })[name] ?? '', {})
const problemsOf = (values: Record<string, string>) => parse(values).problems.map(p => p.input)

describe('a documented bound is accepted, its neighbour outside refused', () => {
  it.each<[string, Record<string, string>, string | null]>([
    ['idp-lookback-hours 2160 (the maximum)', { ...OKTA, 'idp-lookback-hours': '2160' }, null],
    ['idp-lookback-hours 1 (the minimum)', { ...OKTA, 'idp-lookback-hours': '1' }, null],
    ['idp-lookback-hours 2161', { ...OKTA, 'idp-lookback-hours': '2161' }, 'idp-lookback-hours'],
    ['idp-lookback-hours 0', { ...OKTA, 'idp-lookback-hours': '0' }, 'idp-lookback-hours'],
    ['100 orgs (the maximum)', { org: Array.from({ length: 100 }, (_, i) => `org${i}`).join(',') }, null],
    ['101 orgs', { org: Array.from({ length: 101 }, (_, i) => `org${i}`).join(',') }, 'org'],
    ['an org login of 39 characters (the maximum)', { org: 'a'.repeat(39) }, null],
    ['an org login of 40 characters', { org: 'a'.repeat(40) }, 'org'],
    ['an enterprise slug of 60 characters', { org: '', enterprise: 'e'.repeat(60) }, null],
    ['an enterprise slug of 61 characters', { org: '', enterprise: 'e'.repeat(61) }, 'enterprise'],
    ['expected-login of 39 characters with a 24-character shortcode', { 'expected-login': `${'u'.repeat(39)}_${'s'.repeat(24)}` }, null],
    ['expected-login with a 25-character shortcode', { 'expected-login': `u_${'s'.repeat(25)}` }, 'expected-login'],
    ['fail-days equal to warn-days', { 'warn-days': '7', 'fail-days': '7' }, null],
    ['fail-days one over warn-days', { 'warn-days': '7', 'fail-days': '8' }, 'fail-days'],
    ['warn-days 0 and fail-days 0', { 'warn-days': '0', 'fail-days': '0' }, null],
    ['timeout-seconds 1 (the minimum)', { 'timeout-seconds': '1' }, null],
    ['timeout-seconds 0', { 'timeout-seconds': '0' }, 'timeout-seconds']
  ])('%s', (_name, values, refused) => {
    expect(problemsOf(values)).toEqual(refused === null ? [] : [refused])
    if (refused === null) expect(parse(values).inputs).toBeDefined()
  })
  it('the maximum look-back reaches the provider as given', () => {
    expect(parse({ ...OKTA, 'idp-lookback-hours': '2160' }).inputs?.idp?.config).toMatchObject({ lookbackHours: 2160 })
  })
})

describe('token-expiring at its thresholds', () => {
  const DAY = 24 * 3600 * 1000
  const at = (days: number) =>
    judgeExpiry({
      header: { expiry: new Date(NOW.getTime() + days * DAY + 60_000), absent: false, causes: [] },
      orgs: [],
      warnDays: 30,
      failDays: 7,
      now: NOW
    }).causes.map(c => c.severity ?? 'warning')
  it.each<[number, string[]]>([
    [0, ['error']],
    [7, ['error']],
    [8, ['warning']],
    [30, ['warning']],
    [31, []]
  ])('%i days left: %j', (days, severities) => {
    expect(at(days)).toEqual(severities)
  })
})

// ── The EMU setup user ───────────────────────────────────────────────────

describe("not-setup-user: the setup user's login ends in _admin, underscore included", () => {
  const judge = (login: string) =>
    judgeEnterprise({
      slug: 'fabrikam',
      login,
      scim: resp(200, { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, Resources: [] }),
      expiry: null,
      daysUntilExpiry: null,
      now: NOW
    }).causes.map(c => c.id)
  it.each<[string, boolean]>([
    ['fab_admin', false],
    ['fabrikam_admin', false],
    ['fabadmin', true],
    ['fab-admin', true],
    ['admin', true],
    ['fab_admin2', true],
    ['fab_admins', true],
    ['jdoe_fab', true]
  ])('%s: not-setup-user %s', (login, fires) => {
    expect(judge(login).includes('not-setup-user')).toBe(fires)
  })
})

// ── Per-org scoping of the root-cause rules ──────────────────────────────

const CTX = { webUrl: 'https://github.com' }
const at = (id: CauseId, org: string): Cause => makeCause({ id, org, message: `${id} in ${org}` }, CTX)

/** Every rule "X in an org excludes Y in that org" (docs/causes.md, "root causes only"). */
const PER_ORG_RULES: ReadonlyArray<[CauseId, CauseId]> = [
  ...(['sso-not-authorized', 'ip-allow-list-blocked', 'oauth-app-restricted', 'pat-policy-blocked'] as const).flatMap(blocker =>
    (
      [
        'org-not-found',
        'not-org-member',
        'membership-pending',
        'not-org-owner',
        'scim-not-available',
        'scim-forbidden',
        'saml-identity-missing'
      ] as const
    ).map(explained => [blocker, explained] as [CauseId, CauseId])
  ),
  ['org-not-found', 'not-org-member'],
  ['org-not-found', 'not-org-owner'],
  ['org-not-found', 'membership-pending'],
  ['not-org-member', 'not-org-owner'],
  ['not-org-member', 'membership-pending'],
  ...(['not-org-owner', 'not-org-member', 'membership-pending', 'org-not-found'] as const).flatMap(m =>
    (['scim-forbidden', 'scim-not-available'] as const).map(s => [m, s] as [CauseId, CauseId])
  )
]

describe('with several orgs, a root cause in one org never hides the causes of another', () => {
  it.each(PER_ORG_RULES)('%s in acme excludes %s in acme only', (root, explained) => {
    const kept = rootCausesOnly([at(root, 'acme'), at(explained, 'acme'), at(explained, 'beta')])
    expect(kept.map(c => `${c.id}@${c.org}`)).toEqual([`${root}@acme`, `${explained}@beta`])
  })

  it('in the full diagnosis: SSO blocking acme leaves beta judged (not an owner) and gamma healthy', () => {
    const v = diagnose(
      facts({
        orgs: [
          healthyOrg('acme', { membership: SSO_403, credentials: SSO_403, scim: SSO_403 }),
          healthyOrg('beta', {
            membership: resp(200, { state: 'active', role: 'member', organization: { login: 'beta' }, user: { login: 'acme-scim' } }),
            scim: err(403, 'Must be an organization owner')
          }),
          healthyOrg('gamma')
        ],
        identities: identities({ o0: LINKED, o1: LINKED, o2: LINKED })
      }),
      inputs({ orgs: ['acme', 'beta', 'gamma'] }),
      NOW
    )
    expect(v.causes.map(c => `${c.id}@${c.org}`)).toEqual(['sso-not-authorized@acme', 'not-org-owner@beta'])
    expect(ids(v)).not.toContain('scim-forbidden')
  })

  it('in the full diagnosis: an org not found does not hide another org that is not a member', () => {
    const v = diagnose(
      facts({
        orgs: [
          healthyOrg('acme', { info: err(404, 'Not Found'), membership: err(404, 'Not Found'), scim: err(404, 'Not Found') }),
          healthyOrg('beta', { membership: err(404, 'Not Found'), scim: err(403, 'Forbidden') })
        ],
        identities: identities({ o0: null, o1: LINKED })
      }),
      inputs({ orgs: ['acme', 'beta'] }),
      NOW
    )
    expect(v.causes.map(c => `${c.id}@${c.org}`)).toEqual(expect.arrayContaining(['org-not-found@acme', 'not-org-member@beta']))
    expect(v.causes.filter(c => c.org === 'acme').map(c => c.id)).toEqual(['org-not-found'])
  })
})
