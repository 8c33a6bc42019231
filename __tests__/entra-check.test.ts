/**
 * checkEntra in process against the Entra fake: both sign-ins (client secret; GitHub OIDC: three requests
 * in a row), every finding, every fault naming the right input, read only, within the budget, and no
 * secret (client secret, OIDC request token, OIDC token, access token) in the report or the debug lines.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import {
  AUDIENCE,
  CLIENT_SECRET,
  OIDC_REQUEST_TOKEN,
  ROUTE_KEYS,
  entraWorld,
  startEntraFake,
  type EntraScenario,
  type EntraWorld,
  type FakeEntra,
  type Fault
} from '../simulator/entra-fake.mjs'
import { oidcTokenUrl } from '../src/idp/entra/auth.js'
import { checkEntra } from '../src/idp/entra/index.js'
import type { IdpFinding, IdpReport } from '../src/idp/types.js'
import type { EntraAuth } from '../src/idp/entra/types.js'
import { entraInputs, oidcAuth, recordingContext, secretAuth, type RecordingContext } from './support/entra.js'

const fakes: FakeEntra[] = []
afterAll(async () => {
  await Promise.all(fakes.map(f => f.close()))
})

/** Short: hang tests end at half the budget (one attempt's share). */
const BUDGET_MS = 1500

interface Run {
  fake: FakeEntra
  report: IdpReport
  ctx: RecordingContext
  ms: number
}

async function run(
  world: EntraWorld,
  auth: (fake: FakeEntra) => EntraAuth = () => secretAuth(),
  over: Parameters<typeof entraInputs>[2] = {},
  budgetMs = BUDGET_MS
): Promise<Run> {
  const fake = await startEntraFake(world)
  fakes.push(fake)
  const ctx = recordingContext(budgetMs)
  const started = Date.now()
  const report = await checkEntra(entraInputs(fake, auth(fake), over), ctx, { errorBodyMs: 200 })
  return { fake, report, ctx, ms: Date.now() - started }
}

const withFault = (route: keyof typeof ROUTE_KEYS | '*', fault: Fault, scenario: EntraScenario = 'healthy'): EntraWorld => {
  const world = entraWorld(scenario)
  world.faults = { [route === '*' ? '*' : ROUTE_KEYS[route]]: fault }
  return world
}

/** No secret of the run anywhere in what the provider hands back or logs. */
function expectNoSecrets(r: Run, extra: string[] = []) {
  const secrets = [CLIENT_SECRET, OIDC_REQUEST_TOKEN, ...r.fake.issued.oidcTokens, ...r.fake.issued.accessTokens, ...extra]
  const out = JSON.stringify(r.report) + '\n' + r.ctx.debugLines.join('\n')
  for (const s of secrets) {
    expect(out).not.toContain(s)
    expect(out).not.toContain(encodeURIComponent(s))
    expect(out).not.toContain(new URLSearchParams({ s }).toString().slice(2))
  }
}

/** Each token the fake issued was registered as a secret. */
function expectTokensRegistered(r: Run) {
  const issued = [...r.fake.issued.oidcTokens, ...r.fake.issued.accessTokens]
  expect(issued.length).toBeGreaterThan(0)
  for (const t of issued) expect(r.ctx.secrets).toContain(t)
}

const only = (report: IdpReport): IdpFinding => {
  expect(report.findings).toHaveLength(1)
  return report.findings[0] as IdpFinding
}

describe('with a client secret: every finding', () => {
  const cases: Array<[EntraScenario, IdpFinding['kind'] | null, boolean]> = [
    ['healthy', null, false],
    ['credentials-quarantine', 'credentials-rejected', false],
    ['escrow-quarantine', 'quarantined', false],
    ['disabled-after-quarantine', 'quarantined', false],
    ['paused', 'provisioning-off', false],
    ['not-configured', 'provisioning-off', true],
    ['no-job', 'provisioning-off', true],
    ['entry-level-errors', 'provisioning-errors', false],
    ['never-ran', null, true],
    ['two-jobs', 'credentials-rejected', false]
  ]
  it.each(cases)('%s -> %s', async (scenario, kind, noAttempt) => {
    const r = await run(entraWorld(scenario))
    expect(r.report.findings.map(f => f.kind)).toEqual(kind === null ? [] : [kind])
    expect(r.report.noAttempt).toBe(noAttempt)
    expect(r.report.requests).toBe(2)
    expect(r.fake.requests.map(q => `${q.method} ${q.role} ${q.status}`)).toEqual(['POST login 200', 'GET graph 200'])
    expect(r.fake.violations).toEqual([])
    expect(r.report.details.jobs as Array<{ status: string }>).toHaveLength(scenario === 'no-job' ? 0 : scenario === 'two-jobs' ? 2 : 1)
    expectTokensRegistered(r)
    expectNoSecrets(r)
  })

  it('the motivating case: Entra quarantined for invalid credentials, since the series began, with the last success', async () => {
    const now = Date.now()
    const r = await run(entraWorld('credentials-quarantine', { now }))
    expect(only(r.report)).toEqual({
      kind: 'credentials-rejected',
      since: new Date(Math.floor((now - 3 * 86_400_000) / 1000) * 1000).toISOString(),
      sinceAtLeast: false,
      reason: expect.stringMatching(
        /^SystemForCrossDomainIdentityManagementInvalidCredentials: The credentials used to connect to the API were invalid/
      )
    })
    expect(r.report.lastSuccessAt).not.toBeNull()
    expect(r.report.quarantine?.reason).toBe('EncounteredQuarantineException')
    // The token request: client credentials for Graph's .default, the secret sent (its fingerprint logged).
    expect(r.fake.requests[0]?.form).toMatchObject({
      grantType: 'client_credentials',
      scope: `${r.fake.graphUrl}/.default`,
      clientAssertionType: null
    })
  })
})

describe('with GitHub OIDC federation', () => {
  it('three requests in a row: the OIDC token, the Entra token, the jobs', async () => {
    const r = await run(entraWorld('credentials-quarantine'), fake => oidcAuth(fake))
    expect(only(r.report).kind).toBe('credentials-rejected')
    expect(r.fake.requests.map(q => `${q.method} ${q.role} ${q.status}`)).toEqual(['GET oidc 200', 'POST login 200', 'GET graph 200'])
    expect(r.fake.requests[0]?.query).toEqual({ 'api-version': '2.0', audience: AUDIENCE })
    expect(r.fake.requests[1]?.form).toMatchObject({
      clientAssertionType: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      clientSecretFingerprint: null
    })
    // Sequential: each starts after the one before ended.
    const [a, b, c] = r.fake.requests
    expect(b?.startedAt).toBeGreaterThanOrEqual(a?.endedAt ?? Infinity)
    expect(c?.startedAt).toBeGreaterThanOrEqual(b?.endedAt ?? Infinity)
    expect(r.report.requests).toBe(3)
    expect(r.fake.violations).toEqual([])
    expect(r.fake.issued.oidcTokens).toHaveLength(1)
    expectTokensRegistered(r)
    // The OIDC token is registered before the access token even exists.
    expect(r.ctx.secrets.indexOf(r.fake.issued.oidcTokens[0] ?? '')).toBeLessThan(
      r.ctx.secrets.indexOf(r.fake.issued.accessTokens[0] ?? '')
    )
    expectNoSecrets(r)
  })

  it('no federated credential for the subject: names it and entra-audience', async () => {
    const world = entraWorld('healthy')
    world.oidc.subject = 'repo:acme/provisioning:ref:refs/heads/main'
    const r = await run(world, fake => oidcAuth(fake))
    expect(only(r.report)).toMatchObject({ kind: 'check-failed', input: 'entra-audience' })
    expect(JSON.stringify(r.report)).toContain("subject 'repo:acme/provisioning:ref:refs/heads/main'")
    expect(r.report.requests).toBe(2)
    expectTokensRegistered(r)
    expectNoSecrets(r)
  })

  it('another audience than the federated credential has: entra-audience', async () => {
    const r = await run(entraWorld('healthy'), fake => oidcAuth(fake, { audience: 'api://AzureADTokenExchangeUSGov' }))
    expect(only(r.report)).toMatchObject({
      kind: 'check-failed',
      input: 'entra-audience',
      reason: expect.stringContaining("audience 'api://AzureADTokenExchangeUSGov'")
    })
  })

  it('a refused request token: says id-token: write; nothing else is sent', async () => {
    const r = await run(entraWorld('healthy'), fake => oidcAuth(fake, { requestToken: 'not-the-runner-token' }))
    expect(only(r.report)).toMatchObject({ kind: 'check-failed', input: null, reason: expect.stringContaining('id-token: write') })
    expect(r.fake.requests.map(q => q.role)).toEqual(['oidc'])
    expectNoSecrets(r, ['not-the-runner-token'])
  })

  it('the audience is appended with & or ?', () => {
    expect(oidcTokenUrl('https://r.example/idtoken?api-version=2.0', 'api://AzureADTokenExchange')).toBe(
      'https://r.example/idtoken?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange'
    )
    expect(oidcTokenUrl('https://r.example/idtoken', 'a b')).toBe('https://r.example/idtoken?audience=a%20b')
  })

  it.each<[string, Fault, RegExp]>([
    ['hang', { kind: 'hang' }, /did not answer within the time budget/],
    ['redirect', { kind: 'redirect', location: 'https://elsewhere.example/idtoken' }, /redirect \(HTTP 302\) to elsewhere\.example/],
    ['500', { kind: 'status', status: 500 }, /unavailable \(HTTP 500/]
  ])('the OIDC endpoint: %s', async (_name, fault, reason) => {
    const r = await run(withFault('oidc', fault), fake => oidcAuth(fake))
    expect(only(r.report)).toMatchObject({ kind: 'check-failed', reason: expect.stringMatching(reason) })
    expect(r.fake.requests.filter(q => q.role !== 'oidc')).toEqual([])
    expect(r.ms).toBeLessThan(BUDGET_MS + 500)
  })
})

describe('the token endpoint refuses: the input to fix, never retried', () => {
  it.each<[string, (w: EntraWorld) => void, Parameters<typeof entraInputs>[2], string]>([
    ['a wrong client secret', () => undefined, {}, 'entra-client-secret'],
    [
      'an expired client secret',
      w => void (w.app.secrets = [{ value: CLIENT_SECRET, expiresAt: '2020-01-01T00:00:00Z' }]),
      {},
      'entra-client-secret'
    ],
    ['an unknown tenant', () => undefined, { tenantId: '00000000-0000-4000-8000-000000000000' }, 'entra-tenant-id'],
    ['an unknown client', () => undefined, { clientId: '11111111-1111-4111-8111-111111111111' }, 'entra-client-id']
  ])('%s', async (name, change, over, input) => {
    const world = entraWorld('healthy')
    change(world)
    const auth = name === 'a wrong client secret' ? secretAuth('wrong~secret.value_0123456789abcdefghij') : secretAuth()
    const r = await run(world, () => auth, over)
    expect(only(r.report)).toMatchObject({ kind: 'check-failed', input })
    expect(r.fake.requests.map(q => `${q.method} ${q.role}`)).toEqual(['POST login'])
    expect(r.report.requests).toBe(1)
    expectNoSecrets(r, ['wrong~secret.value_0123456789abcdefghij'])
  })
})

describe('faults name the right input, within the budget', () => {
  const cases: Array<[string, keyof typeof ROUTE_KEYS, Fault, string | null, RegExp, number]> = [
    [
      'token 503 (a POST: not retried)',
      'token',
      { kind: 'status', status: 503 },
      null,
      /Entra token endpoint .* is unavailable \(HTTP 503/,
      1
    ],
    ['token 429', 'token', { kind: 'rate-limit', retryAfter: 12 }, null, /rate limited .*Retry-After: 12 s/, 1],
    ['token hang', 'token', { kind: 'hang' }, null, /did not answer within the time budget/, 1],
    [
      'token redirect',
      'token',
      { kind: 'redirect', location: 'https://login.evil.example/token', status: 307 },
      'entra-login-url',
      /to login\.evil\.example/,
      1
    ],
    [
      'graph 403 (status fault)',
      'jobs',
      {
        kind: 'status',
        status: 403,
        body: {
          error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.', innerError: {} }
        }
      },
      'entra-client-id',
      /Synchronization\.Read\.All/,
      2
    ],
    [
      'graph 404 (status fault)',
      'jobs',
      { kind: 'status', status: 404 },
      'entra-service-principal-id',
      /entra-service-principal-id|Object ID/,
      2
    ],
    ['graph 401', 'jobs', { kind: 'status', status: 401 }, 'graph-url', /refused the access token/, 2],
    [
      'graph 429 with Retry-After',
      'jobs',
      { kind: 'rate-limit', retryAfter: 41 },
      null,
      /Microsoft Graph \(graph-url\) rate limited the check .*Retry-After: 41 s/,
      2
    ],
    [
      'graph 500 (a GET: retried once)',
      'jobs',
      { kind: 'status', status: 500 },
      null,
      /Microsoft Graph \(graph-url\) is unavailable \(HTTP 500/,
      3
    ],
    ['graph 503 once, then fine', 'jobs', { kind: 'status', status: 503, times: 1 }, null, /NO FINDING/, 3],
    ['graph hang', 'jobs', { kind: 'hang' }, null, /did not answer within the time budget/, 2],
    ['graph body stalls', 'jobs', { kind: 'stall-body' }, null, /did not answer within the time budget/, 2],
    ['graph reset (retried once)', 'jobs', { kind: 'reset' }, null, /could not be reached/, 3],
    [
      'graph redirect',
      'jobs',
      { kind: 'redirect', location: 'https://graph.evil.example/v1.0/x' },
      'graph-url',
      /to graph\.evil\.example; redirects are never followed/,
      2
    ],
    ['graph HTML 200', 'jobs', { kind: 'html' }, null, /without a JSON object with the jobs/, 2],
    ['graph wrong shape', 'jobs', { kind: 'wrong-shape' }, null, /without a JSON object with the jobs/, 2]
  ]
  it.each(cases)('%s', async (_name, route, fault, input, reason, requests) => {
    const r = await run(withFault(route, fault))
    if (reason.source === 'NO FINDING') expect(r.report.findings).toEqual([])
    else expect(only(r.report)).toMatchObject({ kind: 'check-failed', input, reason: expect.stringMatching(reason) })
    expect(r.report.requests).toBe(requests)
    expect(r.fake.violations).toEqual([])
    expect(r.ms).toBeLessThan(BUDGET_MS + 500)
    expectNoSecrets(r)
  })

  it('a redirect to a configured host is not followed either', async () => {
    const fake = await startEntraFake(entraWorld('healthy'))
    fakes.push(fake)
    fake.world.faults = { [ROUTE_KEYS.jobs]: { kind: 'redirect', location: `${fake.loginUrl}/${'x'}/oauth2/v2.0/token` } }
    const ctx = recordingContext(BUDGET_MS)
    const report = await checkEntra(entraInputs(fake, secretAuth()), ctx)
    expect(only(report)).toMatchObject({ kind: 'check-failed', input: 'graph-url' })
    expect(fake.requests.map(q => `${q.method} ${q.role}`)).toEqual(['POST login', 'GET graph'])
  })

  it('Graph without admin consent (a real 403): Synchronization.Read.All', async () => {
    const world = entraWorld('healthy')
    world.app.permissions = []
    const r = await run(world)
    expect(only(r.report)).toMatchObject({
      kind: 'check-failed',
      input: 'entra-client-id',
      reason: expect.stringContaining('Synchronization.Read.All and grant admin consent')
    })
  })

  it('a wrong service principal id (a real 404): entra-service-principal-id', async () => {
    const r = await run(entraWorld('healthy'), undefined, { servicePrincipalId: '99999999-9999-4999-8999-999999999999' })
    expect(only(r.report)).toMatchObject({ kind: 'check-failed', input: 'entra-service-principal-id' })
  })

  it('the IdP down altogether (connection refused): unavailable, no throw', async () => {
    const fake = await startEntraFake(entraWorld('healthy'))
    const loginUrl = fake.loginUrl
    await fake.close()
    const ctx = recordingContext(BUDGET_MS)
    const report = await checkEntra(entraInputs(fake, secretAuth(), { loginUrl }), ctx)
    expect(only(report)).toMatchObject({ kind: 'check-failed', input: null, reason: expect.stringMatching(/could not be reached/) })
  })

  it('a URL input that is not a URL: names it, sends nothing', async () => {
    const fake = await startEntraFake(entraWorld('healthy'))
    fakes.push(fake)
    const report = await checkEntra(entraInputs(fake, secretAuth(), { graphUrl: 'not a url' }), recordingContext())
    expect(only(report)).toMatchObject({ kind: 'check-failed', input: 'graph-url' })
    expect(fake.requests).toEqual([])
  })
})

describe('secrets never leave', () => {
  it.each<[string, keyof typeof ROUTE_KEYS, 'secret' | 'oidc', boolean]>([
    ['the token endpoint echoes the client secret back', 'token', 'secret', true],
    ['the token endpoint echoes the OIDC token back', 'token', 'oidc', false],
    ['Graph echoes the access token back', 'jobs', 'secret', false],
    ['the OIDC endpoint echoes the request token back', 'oidc', 'oidc', true]
  ])('%s', async (_name, route, kind, shortSecretEchoed) => {
    const r = await run(withFault(route, { kind: 'echo' }), fake => (kind === 'oidc' ? oidcAuth(fake) : secretAuth()))
    expect(only(r.report).kind).toBe('check-failed')
    expect(r.fake.requests.filter(q => q.fault === 'echo')).toHaveLength(1)
    // A short secret was quoted, and scrubbed (a JWT is longer than what a reason quotes: the cut drops it whole).
    if (shortSecretEchoed) expect(JSON.stringify(r.report)).toContain(route === 'token' ? 'client_secret=***' : 'Bearer ***')
    expectNoSecrets(r)
  })
})
