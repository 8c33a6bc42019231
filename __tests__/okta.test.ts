/**
 * checkOkta against the loopback Okta fake (simulator/okta-fake.mjs), in process: every sign-in path,
 * every finding, Okta's faults, the five-page limit, request counts, read-only, and secrets.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { generateKeyPairSync } from 'node:crypto'
import { checkOkta } from '../src/idp/okta/index.js'
import type { IdpReport } from '../src/idp/types.js'
import type { OktaAuth } from '../src/idp/okta/types.js'
import {
  OKTA_API_TOKEN,
  OKTA_APP_ID,
  OKTA_CLIENT_ID,
  OKTA_KEY_IDS,
  appInactiveWorld,
  credentialsRejectedWorld,
  healthyOktaWorld,
  manyEventsWorld,
  noEventsWorld,
  oktaKeys,
  perUserErrorsWorld,
  pushOffWorld,
  startOktaFake,
  type FakeOkta,
  type OktaWorld
} from '../simulator/okta-fake.mjs'
import { oktaInputs, testContext, type TestContext } from './support/okta-context.js'

const keys = oktaKeys()
const SSWS: OktaAuth = { kind: 'ssws', token: OKTA_API_TOKEN }
const RSA: OktaAuth = { kind: 'private-key-jwt', clientId: OKTA_CLIENT_ID, privateKey: keys.rsaPkcs8Pem, keyId: OKTA_KEY_IDS.rsa }
const EC: OktaAuth = { kind: 'private-key-jwt', clientId: OKTA_CLIENT_ID, privateKey: keys.ecSec1Pem, keyId: OKTA_KEY_IDS.ec }

let fake: FakeOkta | null = null
afterEach(async () => {
  if (fake) {
    // Read only, always: nothing but GETs and the token POST reached Okta.
    expect(fake.violations).toEqual([])
    await fake.close()
    fake = null
  }
})

interface Run {
  report: IdpReport
  ctx: TestContext
  fake: FakeOkta
  ms: number
}
async function run(
  world: OktaWorld,
  auth: OktaAuth = SSWS,
  opts: { budgetMs?: number; appId?: string; lookbackHours?: number; latencyMs?: number } = {}
): Promise<Run> {
  fake = await startOktaFake(world, { latencyMs: opts.latencyMs ?? 0 })
  const ctx = testContext(opts.budgetMs ?? 5000)
  const started = Date.now()
  const report = await checkOkta(
    oktaInputs(fake.url, auth, {
      ...(opts.appId ? { appId: opts.appId } : {}),
      ...(opts.lookbackHours ? { lookbackHours: opts.lookbackHours } : {})
    }),
    ctx,
    { errorBodyMs: 200 }
  )
  return { report, ctx, fake, ms: Date.now() - started }
}

const routes = (f: FakeOkta): string[] => f.requests.map(r => `${r.method} ${r.path} ${r.status ?? 'none'}`)
const checkFailed = (r: IdpReport) =>
  r.findings.find(f => f.kind === 'check-failed') as { input: string | null; reason: string } | undefined

describe('sign-in paths', () => {
  it('SSWS: one round trip of two concurrent requests', async () => {
    const { report, fake } = await run(healthyOktaWorld(), SSWS, { latencyMs: 150 })
    expect(report.findings).toEqual([])
    expect(report.requests).toBe(2)
    expect(fake.requests.map(r => r.authScheme)).toEqual(['SSWS', 'SSWS'])
    const [a, b] = fake.requests
    // concurrent: each started before the other ended
    expect(a!.startedAt).toBeLessThan(b!.endedAt!)
    expect(b!.startedAt).toBeLessThan(a!.endedAt!)
    expect(report.lastSuccessAt).not.toBeNull()
    expect(report.appLabel).toBe('GitHub Enterprise Cloud - Organization')
  })

  it('the log query is bounded, descending, filtered on the app and the event types that count, 200 a page', async () => {
    const { fake } = await run(healthyOktaWorld(), SSWS, { lookbackHours: 48 })
    const logs = fake.requests.find(r => r.path === '/api/v1/logs')!
    expect(logs.query).toMatchObject({
      filter: `target.id eq "${OKTA_APP_ID}" and (eventType eq "application.integration.authentication_failure" or eventType sw "application.provision.")`,
      sortOrder: 'DESCENDING',
      limit: '200'
    })
    const span = Date.parse(logs.query.until!) - Date.parse(logs.query.since!)
    expect(span).toBe(48 * 3_600_000)
  })

  it.each([
    ['RSA PKCS#8 PEM', keys.rsaPkcs8Pem, OKTA_KEY_IDS.rsa],
    ['RSA PKCS#1 PEM', keys.rsaPkcs1Pem, OKTA_KEY_IDS.rsa],
    ['EC SEC1 PEM', keys.ecSec1Pem, OKTA_KEY_IDS.ec],
    ['EC PKCS#8 PEM', keys.ecPkcs8Pem, OKTA_KEY_IDS.ec],
    ['RSA JWK (its own kid)', keys.rsaJwk, null],
    ['EC JWK (its own kid)', keys.ecJwk, null]
  ])('private_key_jwt with %s: token + one round trip', async (_n, privateKey, keyId) => {
    const { report, fake, ctx } = await run(healthyOktaWorld(), { kind: 'private-key-jwt', clientId: OKTA_CLIENT_ID, privateKey, keyId })
    expect(report.findings).toEqual([])
    expect(report.requests).toBe(3)
    expect(routes(fake)[0]).toBe('POST /oauth2/v1/token 200')
    expect(fake.requests.slice(1).map(r => r.authScheme)).toEqual(['Bearer', 'Bearer'])
    expect(ctx.secrets).toContain(fake.issuedTokens[0])
  })

  it('DPoP required, no nonce: switch on invalid_dpop_proof (+1)', async () => {
    const { report, fake } = await run(healthyOktaWorld({ dpop: { nonce: false } }), EC)
    expect(report.findings).toEqual([])
    expect(report.requests).toBe(4)
    expect(fake.requests.map(r => `${r.status} ${r.error ?? ''} ${r.authScheme ?? ''} ${r.dpopProof}`)).toEqual([
      '400 invalid_dpop_proof  false',
      '200   true',
      '200  DPoP true',
      '200  DPoP true'
    ])
  })

  it('DPoP with a nonce: one more token request, a new assertion each time (+1)', async () => {
    const { report, fake } = await run(healthyOktaWorld({ dpop: { nonce: true } }), RSA)
    expect(report.findings).toEqual([])
    expect(report.requests).toBe(5)
    expect(fake.requests.slice(0, 3).map(r => `${r.status} ${r.error ?? ''}`)).toEqual([
      '400 invalid_dpop_proof',
      '400 use_dpop_nonce',
      '200 '
    ])
  })

  it('DPoP nonce at the API: answered once per request', async () => {
    const { report, fake } = await run(credentialsRejectedWorld({ dpop: { nonce: true, apiNonce: true } }), EC)
    expect(report.findings.map(f => f.kind)).toEqual(['credentials-rejected'])
    expect(report.requests).toBe(7)
    expect(fake.requests.filter(r => r.error === 'use_dpop_nonce' && r.method === 'GET')).toHaveLength(2)
  })

  it('the access token is handed to addSecret before any API call', async () => {
    const { ctx, fake } = await run(healthyOktaWorld(), RSA)
    expect(fake.issuedTokens).toHaveLength(1)
    expect(ctx.secrets).toContain(fake.issuedTokens[0])
  })
})

describe('findings from the worlds', () => {
  it('credentials rejected since yesterday, last success two days ago', async () => {
    const now = Date.now()
    const { report } = await run(credentialsRejectedWorld({ now }))
    const f = report.findings.find(x => x.kind === 'credentials-rejected') as { since: string; sinceAtLeast: boolean; reason: string }
    expect(f).toBeDefined()
    expect(Math.abs(Date.parse(f.since) - (now - 24 * 3_600_000))).toBeLessThan(1000)
    expect(f.sinceAtLeast).toBe(false)
    expect(f.reason).toContain('The credentials used to connect to the API were invalid')
    expect(Math.abs(Date.parse(report.lastSuccessAt!) - (now - 48 * 3_600_000))).toBeLessThan(1000)
    expect(report.lastFailureReason).toContain('credentials')
  })

  it('per-user errors', async () => {
    const { report } = await run(perUserErrorsWorld())
    expect(report.findings).toEqual([
      { kind: 'provisioning-errors', count: 2, latestReason: expect.stringContaining('member of another enterprise') }
    ])
  })

  it('app inactive; push off', async () => {
    expect((await run(appInactiveWorld())).report.findings).toEqual([
      { kind: 'provisioning-off', reason: expect.stringContaining('INACTIVE') }
    ])
    await fake!.close()
    fake = null
    expect((await run(pushOffWorld())).report.findings).toEqual([
      { kind: 'provisioning-off', reason: expect.stringContaining('push features are off') }
    ])
  })

  it('no events: noAttempt', async () => {
    const { report } = await run(noEventsWorld())
    expect(report.noAttempt).toBe(true)
    expect(report.findings).toEqual([])
  })

  it('more than five pages: exactly five read, "since at least" the oldest event read', async () => {
    const { report, fake } = await run(manyEventsWorld({ count: 1100 }))
    expect(fake.requests.filter(r => r.path === '/api/v1/logs')).toHaveLength(5)
    expect(report.requests).toBe(6)
    const f = report.findings.find(x => x.kind === 'credentials-rejected') as { since: string; sinceAtLeast: boolean }
    expect(f.sinceAtLeast).toBe(true)
    expect(report.details.evidenceSince).toBe(f.since)
    expect(report.lastSuccessAt).toBeNull()
    // pages after the first carry the cursor, not since
    const later = fake.requests.filter(r => r.path === '/api/v1/logs').slice(1)
    expect(later.every(r => r.query.after && !r.query.since)).toBe(true)
  })

  it('exactly five pages, nothing left: an exact since', async () => {
    const { report, fake } = await run(manyEventsWorld({ count: 999 }))
    expect(fake.requests.filter(r => r.path === '/api/v1/logs')).toHaveLength(5)
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'credentials-rejected', sinceAtLeast: false })])
    expect(report.details.evidenceSince).toBeNull()
  })
})

describe("Okta's faults: check-failed naming the input", () => {
  it('wrong SSWS token: okta-api-token', async () => {
    const { report } = await run(healthyOktaWorld(), { kind: 'ssws', token: 'not-the-token-0123456789' })
    expect(checkFailed(report)).toMatchObject({ input: 'okta-api-token' })
    expect(report.findings).toHaveLength(1)
  })

  it('a key Okta does not know: okta-private-key; a 401 is not retried', async () => {
    const other = String(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }))
    const { report, fake } = await run(healthyOktaWorld(), {
      kind: 'private-key-jwt',
      clientId: OKTA_CLIENT_ID,
      privateKey: other,
      keyId: OKTA_KEY_IDS.ec
    })
    expect(checkFailed(report)).toMatchObject({ input: 'okta-private-key', reason: expect.stringContaining('signature is invalid') })
    expect(fake.requests).toHaveLength(1)
  })

  it('an unknown client: okta-client-id', async () => {
    const { report } = await run(healthyOktaWorld(), { ...EC, clientId: '0oaUNKNOWNCLIENT00000' } as OktaAuth)
    expect(checkFailed(report)).toMatchObject({ input: 'okta-client-id' })
  })

  it("a client that uses a secret: okta-client-id with Okta's words", async () => {
    const world = healthyOktaWorld()
    world.clients![OKTA_CLIENT_ID]!.authMethod = 'client_secret_basic'
    const { report } = await run(world, EC)
    expect(checkFailed(report)).toMatchObject({ input: 'okta-client-id', reason: expect.stringContaining('private_key_jwt') })
  })

  it('several keys and no kid: Okta refuses, the reason says to give okta-key-id', async () => {
    const { report } = await run(healthyOktaWorld(), { ...EC, keyId: null } as OktaAuth)
    expect(checkFailed(report)).toMatchObject({ input: 'okta-private-key', reason: expect.stringContaining('okta-key-id') })
  })

  it('an unreadable key: nothing sent', async () => {
    const { report, fake } = await run(healthyOktaWorld(), { ...EC, privateKey: 'not a key' } as OktaAuth)
    expect(checkFailed(report)).toMatchObject({ input: 'okta-private-key' })
    expect(fake.requests).toHaveLength(0)
  })

  it('scopes not granted: okta-client-id', async () => {
    const world = healthyOktaWorld()
    world.clients![OKTA_CLIENT_ID]!.scopes = ['okta.apps.read']
    const { report } = await run(world, EC)
    expect(checkFailed(report)).toMatchObject({ input: 'okta-client-id', reason: expect.stringContaining('okta.logs.read') })
  })

  it('403: no admin role (SSWS and service app)', async () => {
    const world = healthyOktaWorld()
    world.apiTokens![OKTA_API_TOKEN]!.role = null
    world.clients![OKTA_CLIENT_ID]!.role = null
    expect(checkFailed((await run(world)).report)).toMatchObject({
      input: 'okta-api-token',
      reason: expect.stringContaining('Read-only Administrator')
    })
    await fake!.close()
    fake = null
    expect(checkFailed((await run(world, EC)).report)).toMatchObject({
      input: 'okta-client-id',
      reason: expect.stringContaining('Read-only Administrator')
    })
  })

  it('404 on the app: okta-app-id', async () => {
    const { report } = await run(healthyOktaWorld(), SSWS, { appId: '0oaNOSUCHAPP000000000' })
    expect(checkFailed(report)).toMatchObject({ input: 'okta-app-id' })
  })

  it('429: rate limited, with the reset time', async () => {
    const world = healthyOktaWorld()
    world.faults = { 'GET /api/v1/logs': { kind: 'rate-limit', resetInSeconds: 30 } }
    const { report, fake } = await run(world)
    expect(checkFailed(report)).toMatchObject({ input: null, reason: expect.stringMatching(/rate-limited.*resets at \d{4}-/) })
    expect(fake.requests.filter(r => r.path === '/api/v1/logs')).toHaveLength(1)
  })

  it('5xx: retried once, then Okta unavailable', async () => {
    const world = healthyOktaWorld()
    world.faults = { 'GET /api/v1/apps/{appId}': { kind: 'status', status: 503 } }
    const { report } = await run(world)
    expect(checkFailed(report)).toMatchObject({ input: null, reason: expect.stringContaining('unavailable') })
    expect(report.requests).toBe(3)
  })

  it('a DPoP GET retried after a 5xx carries a new proof (a proof is single-use)', async () => {
    const world = healthyOktaWorld({ dpop: { nonce: false } })
    world.faults = { 'GET /api/v1/apps/{appId}': { kind: 'status', status: 503, times: 1 } }
    const { report, fake } = await run(world, EC)
    expect(report.findings).toEqual([])
    const appRequests = fake.requests.filter(r => r.path.startsWith('/api/v1/apps/'))
    expect(appRequests.map(r => r.status)).toEqual([503, 200])
    expect(new Set(appRequests.map(r => r.dpopJti)).size).toBe(2)
  })

  it('5xx at the token endpoint: not retried', async () => {
    const world = healthyOktaWorld()
    world.faults = { 'POST /oauth2/v1/token': { kind: 'status', status: 500 } }
    const { report, fake } = await run(world, EC)
    expect(checkFailed(report)).toMatchObject({ reason: expect.stringContaining('unavailable') })
    expect(fake.requests).toHaveLength(1)
  })

  it('a hang: timeout within the budget', async () => {
    const world = healthyOktaWorld()
    world.faults = { 'GET /api/v1/apps/{appId}': { kind: 'hang' } }
    const { report, ms } = await run(world, SSWS, { budgetMs: 1500 })
    expect(checkFailed(report)).toMatchObject({ input: null, reason: expect.stringContaining('time budget') })
    expect(ms).toBeLessThan(1600)
    expect(report.lastSuccessAt).not.toBeNull() // the logs still answered
  })

  it('a redirect: the Location host named, never followed', async () => {
    const world = healthyOktaWorld()
    world.faults = { 'POST /oauth2/v1/token': { kind: 'redirect', location: 'https://login.elsewhere.example/oauth2/v1/token' } }
    const { report, fake } = await run(world, EC)
    expect(checkFailed(report)).toMatchObject({ input: 'okta-org-url', reason: expect.stringContaining('login.elsewhere.example') })
    expect(fake.requests).toHaveLength(1)
  })

  it('a next link to another host: check-failed, not followed', async () => {
    const world = manyEventsWorld({ count: 300 })
    world.faults = { 'GET /api/v1/logs': { kind: 'next-elsewhere', origin: 'https://evil.example' } }
    const { report, fake } = await run(world)
    expect(report.findings).toEqual(
      expect.arrayContaining([{ kind: 'check-failed', input: null, reason: expect.stringContaining('evil.example') }])
    )
    expect(fake.requests.filter(r => r.path === '/api/v1/logs')).toHaveLength(1)
  })

  it('a next link to another path of the same origin: check-failed, the credential not sent there', async () => {
    const world = manyEventsWorld({ count: 300 })
    world.faults = { 'GET /api/v1/logs': { kind: 'next-elsewhere', origin: 'same', path: '/api/v1/users' } }
    const { report, fake } = await run(world)
    expect(report.findings).toEqual(
      expect.arrayContaining([{ kind: 'check-failed', input: null, reason: expect.stringContaining('/api/v1/users') }])
    )
    expect(fake.requests.map(r => r.path)).not.toContain('/api/v1/users')
  })
})

describe('secrets never leave in the report or the debug lines', () => {
  const ECHO = (secret: string) => ({
    kind: 'status' as const,
    status: 400,
    body: { errorCode: 'E0000001', errorSummary: `Api validation failed: ${secret}`, errorLink: 'E0000001', errorId: 'x', errorCauses: [] }
  })

  function expectClean(r: Run, secrets: string[]): void {
    const text = JSON.stringify(r.report) + '\n' + r.ctx.lines.join('\n')
    for (const s of secrets)
      for (const line of s
        .split('\n')
        .map(l => l.trim())
        .filter(l => l.length >= 8 && !l.startsWith('-----')))
        expect(text).not.toContain(line)
  }

  it('SSWS token, even when Okta echoes it', async () => {
    const world = credentialsRejectedWorld()
    world.faults = { 'GET /api/v1/logs': ECHO(OKTA_API_TOKEN) }
    const r = await run(world)
    expect(checkFailed(r.report)?.reason).toContain('Api validation failed')
    expectClean(r, [OKTA_API_TOKEN])
  })

  it.each([
    ['RSA PEM', keys.rsaPkcs8Pem, OKTA_KEY_IDS.rsa],
    ['EC JWK', keys.ecJwk, null]
  ])('private key (%s), assertions and the access token', async (_n, privateKey, keyId) => {
    const r = await run(credentialsRejectedWorld({ dpop: { nonce: true } }), {
      kind: 'private-key-jwt',
      clientId: OKTA_CLIENT_ID,
      privateKey,
      keyId
    })
    const assertions = r.ctx.secrets.filter(s => !r.fake.issuedTokens.includes(s))
    expect(assertions.length).toBeGreaterThanOrEqual(3)
    expectClean(r, [privateKey, ...r.ctx.secrets, ...r.fake.issuedTokens])
  })

  it('the access token echoed back by Okta is scrubbed', async () => {
    const world = healthyOktaWorld()
    fake = await startOktaFake(world)
    const ctx = testContext()
    // echo whatever access token is issued: set the fault after the token arrives
    const origAdd = ctx.addSecret
    ctx.addSecret = s => {
      origAdd(s)
      if (fake!.issuedTokens.includes(s)) world.faults = { 'GET /api/v1/apps/{appId}': ECHO(s) }
    }
    const report = await checkOkta(oktaInputs(fake.url, RSA), ctx, { errorBodyMs: 200 })
    expect(checkFailed(report)?.reason).toContain('Api validation failed')
    expect(JSON.stringify(report)).not.toContain(fake.issuedTokens[0])
  })
})
