/**
 * checkPingOne against the loopback PingOne fake (simulator/pingone-fake.mjs), in process: every sign-in
 * path, every world, PingOne's faults (401 never retried, 403, 404, 429 waited once inside the budget or
 * reported at once, 5xx, a hang, a redirect never followed, a body over 1 MiB), request counts, read-only.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { createServer, type Server } from 'node:http'
import { checkPingOne } from '../src/idp/pingone/index.js'
import type { PingOneAuth } from '../src/idp/pingone/config.js'
import type { IdpReport } from '../src/idp/types.js'
import {
  PINGONE_CLIENT_ID,
  PINGONE_ENV_ID,
  PINGONE_OTHER_TOKEN,
  PINGONE_STORE_ID,
  PINGONE_WORLDS,
  healthyPingOneWorld,
  pingoneKeys,
  startPingOneFake,
  type FakePingOne,
  type PingOneFault,
  type PingOneRouteKey,
  type PingOneWorld
} from '../simulator/pingone-fake.mjs'
import { EMU_TOKEN } from '../simulator/worlds.mjs'
import { JWK_AUTH, KEY_AUTH, SECRET_AUTH, pingoneContext, pingoneInputs, type TestContext } from './support/pingone-context.js'

let fake: FakePingOne | null = null
afterEach(async () => {
  if (fake) {
    // Read only, always: nothing but GETs and the token POST reached PingOne.
    expect(fake.violations).toEqual([])
    await fake.close()
    fake = null
  }
})

interface Run {
  report: IdpReport
  ctx: TestContext
  fake: FakePingOne
  ms: number
}
async function run(
  world: PingOneWorld,
  auth: PingOneAuth = SECRET_AUTH,
  opts: { budgetMs?: number; latencyMs?: number; checked?: string } = {}
): Promise<Run> {
  fake = await startPingOneFake(world, { latencyMs: opts.latencyMs ?? 0 })
  const ctx = pingoneContext(opts.budgetMs ?? 5000, opts.checked ?? EMU_TOKEN)
  const started = Date.now()
  const report = await checkPingOne(pingoneInputs(fake.url, auth), ctx, { errorBodyMs: 200 })
  return { report, ctx, fake, ms: Date.now() - started }
}
const faulty = (route: PingOneRouteKey, fault: PingOneFault): PingOneWorld => ({ ...healthyPingOneWorld(), faults: { [route]: fault } })
const routes = (f: FakePingOne): string[] => f.requests.map(r => `${r.method} ${r.routeKey ?? r.path} ${r.status ?? 'none'}`)
const checkFailed = (r: IdpReport) =>
  r.findings.find(f => f.kind === 'check-failed') as { input: string | null; reason: string } | undefined

describe('sign-in paths', () => {
  it.each<[string, PingOneAuth, string]>([
    ['client secret (Basic)', SECRET_AUTH, 'Basic'],
    ['private_key_jwt, PEM with kid', KEY_AUTH, ''],
    ['private_key_jwt, JWK (its own kid)', JWK_AUTH, '']
  ])('%s: the token, then three reads side by side', async (_name, auth, scheme) => {
    const { report, fake, ctx } = await run(healthyPingOneWorld(), auth, { latencyMs: 100 })
    expect(report.findings).toEqual([])
    expect(report.requests).toBe(4)
    expect(fake.requests[0]!.authScheme ?? '').toBe(scheme)
    expect(routes(fake)[0]).toBe('POST POST /as/token 200')
    expect(routes(fake).slice(1).sort()).toEqual(['GET GET plans 200', 'GET GET rules 200', 'GET GET store 200'])
    expect(fake.requests.slice(1).map(r => r.authScheme)).toEqual(['Bearer', 'Bearer', 'Bearer'])
    // Concurrent: each read started before the others ended.
    const reads = fake.requests.slice(1)
    for (const a of reads) for (const b of reads) expect(a.startedAt).toBeLessThan(b.endedAt!)
    expect(ctx.secrets).toContain(fake.issuedTokens[0])
    expect(report.details.sameTokenAsChecked).toBe(true)
  })

  it("the paths are the environment's and the store's", async () => {
    const { fake } = await run(healthyPingOneWorld())
    expect(fake.requests.map(r => r.path)).toEqual(
      expect.arrayContaining([
        `/${PINGONE_ENV_ID}/as/token`,
        `/v1/environments/${PINGONE_ENV_ID}/propagation/stores/${PINGONE_STORE_ID}`,
        `/v1/environments/${PINGONE_ENV_ID}/propagation/rules`,
        `/v1/environments/${PINGONE_ENV_ID}/propagation/plans`
      ])
    )
  })

  it('a secret with characters RFC 6749 form-encodes (space, colon, slash, plus): accepted', async () => {
    const secret = 'a b:c/d+e%f~g' + 'x'.repeat(20)
    const world = healthyPingOneWorld()
    world.clients![PINGONE_CLIENT_ID]!.secret = secret
    const { report, ctx } = await run(world, { kind: 'secret', secret })
    expect(report.findings).toEqual([])
    // The Basic credential is a secret of the run too.
    expect(ctx.secrets.some(s => Buffer.from(s, 'base64').toString('utf8').startsWith(`${PINGONE_CLIENT_ID}:`))).toBe(true)
  })

  it('a wrong secret: one token request (a 401 is never sent again), naming pingone-client-secret', async () => {
    const { report, fake } = await run(healthyPingOneWorld(), { kind: 'secret', secret: 'not-the-secret-0123456789' })
    expect(routes(fake)).toEqual(['POST POST /as/token 401'])
    expect(checkFailed(report)).toMatchObject({ input: 'pingone-client-secret' })
  })

  it('a key the app does not have: one request, naming pingone-private-key', async () => {
    const other = await import('node:crypto').then(c => c.generateKeyPairSync('rsa', { modulusLength: 2048 }))
    const pem = other.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string
    const { report, fake } = await run(healthyPingOneWorld(), { kind: 'private-key-jwt', privateKey: pem, keyId: null })
    expect(routes(fake)).toEqual(['POST POST /as/token 401'])
    expect(checkFailed(report)).toMatchObject({ input: 'pingone-private-key' })
  })

  it('an EC key: refused before anything is sent (PingOne takes RSA only)', async () => {
    const { report, fake } = await run(healthyPingOneWorld(), { kind: 'private-key-jwt', privateKey: pingoneKeys().ecPem, keyId: null })
    expect(fake.requests).toEqual([])
    expect(report.requests).toBe(0)
    expect(checkFailed(report)).toMatchObject({ input: 'pingone-private-key', reason: expect.stringMatching(/RSA keys only/) })
  })

  it('a worker app without a role: 403 on every read, naming pingone-client-id and the role', async () => {
    const world = healthyPingOneWorld()
    world.clients![PINGONE_CLIENT_ID]!.role = null
    const { report } = await run(world)
    expect(checkFailed(report)).toMatchObject({
      input: 'pingone-client-id',
      reason: expect.stringMatching(/INSUFFICIENT_PERMISSIONS.*Configuration Read-Only Admin/)
    })
  })

  it('another environment: 404 at the token endpoint, naming pingone-environment-id', async () => {
    const { report } = await run({ ...healthyPingOneWorld(), environmentId: '00000000-0000-4000-8000-000000000000' })
    expect(checkFailed(report)).toMatchObject({ input: 'pingone-environment-id' })
  })
})

describe('every world', () => {
  it.each<[string, string[], string | boolean]>([
    ['healthy', [], true],
    ['credentials-rejected', ['credentials-rejected'], true],
    ['other-token', ['credentials-rejected'], false],
    ['provisioning-errors', ['provisioning-errors'], true],
    ['failed-other', ['provisioning-errors'], true],
    ['store-inactive', ['provisioning-off'], true],
    ['rule-inactive', ['provisioning-off'], true],
    ['plan-inactive', ['provisioning-off'], true],
    ['never-synced', [], true],
    ['unknown-state', ['check-failed'], true],
    ['token-withheld', [], 'unknown'],
    ['wrong-enterprise', ['check-failed'], true],
    ['not-emu', ['check-failed'], true],
    ['hostile', ['credentials-rejected'], true]
  ])('%s: %j; PingOne holds the checked token: %j', async (name, kinds, same) => {
    const build = PINGONE_WORLDS[name as keyof typeof PINGONE_WORLDS]
    const { report, ctx } = await run(build())
    expect(report.findings.map(f => f.kind)).toEqual(kinds)
    expect(report.details.sameTokenAsChecked).toBe(same)
    expect(report.noAttempt).toBe(name === 'never-synced')
    // The token the store returned was registered as a secret (and is in no field of the report).
    if (same !== 'unknown') expect(ctx.secrets).toContain(name === 'other-token' ? PINGONE_OTHER_TOKEN : EMU_TOKEN)
    expect(JSON.stringify(report)).not.toContain(EMU_TOKEN)
    expect(JSON.stringify(report)).not.toContain(PINGONE_OTHER_TOKEN)
  })

  it('hostile strings come out as data: single-line, bounded, no control or bidi characters', async () => {
    const { report } = await run(PINGONE_WORLDS.hostile())
    const strings: string[] = []
    const walk = (v: unknown): void => {
      if (typeof v === 'string') strings.push(v)
      else if (v && typeof v === 'object') Object.values(v).forEach(walk)
    }
    walk(report)
    expect(strings.length).toBeGreaterThan(5)
    for (const text of strings) {
      // eslint-disable-next-line no-control-regex -- the test looks for control characters
      expect(text).not.toMatch(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/)
      expect(text.length).toBeLessThanOrEqual(500)
    }
    expect(report.appLabel).toContain('::error::pwned')
  })

  it("other-token: the reason says that GitHub's verdict is not about PingOne's token", async () => {
    const { report } = await run(PINGONE_WORLDS['other-token']())
    expect((report.findings[0] as { reason: string }).reason).toMatch(/PingOne holds another token than the one this run checked/)
  })

  it('a store that holds the checked token, for a run that checks another: false', async () => {
    const { report } = await run(healthyPingOneWorld(), SECRET_AUTH, { checked: PINGONE_OTHER_TOKEN })
    expect(report.details.sameTokenAsChecked).toBe(false)
  })
})

describe("PingOne's faults", () => {
  it.each<[PingOneRouteKey, number, string | null]>([
    ['GET store', 401, 'pingone-client-id'],
    ['GET store', 403, 'pingone-client-id'],
    ['GET store', 404, 'pingone-store-id'],
    ['GET rules', 404, 'pingone-environment-id'],
    ['POST /as/token', 401, 'pingone-client-secret']
  ])('%s answers %i: never retried, naming %s', async (route, status, input) => {
    const { report, fake } = await run(faulty(route, { kind: 'status', status }))
    expect(fake.requests.filter(r => r.routeKey === route)).toHaveLength(1)
    expect(checkFailed(report)).toMatchObject({ input })
  })

  it('a 5xx on a read: retried once, then unavailable (never blamed on the credential)', async () => {
    const { report, fake } = await run(faulty('GET store', { kind: 'status', status: 503 }))
    expect(fake.requests.filter(r => r.routeKey === 'GET store')).toHaveLength(2)
    expect(report.findings.map(f => f.kind)).toEqual(['check-failed'])
    expect(checkFailed(report)).toMatchObject({ input: null, reason: expect.stringMatching(/unavailable.*503/) })
  })

  it('a 5xx once: the retry answers, healthy', async () => {
    const { report } = await run(faulty('GET store', { kind: 'status', status: 500, times: 1 }))
    expect(report.findings).toEqual([])
  })

  it('a 429 with Retry-After inside the budget: waited once, then answered', async () => {
    const { report, fake, ms } = await run(faulty('GET store', { kind: 'rate-limit', retryAfterSeconds: 1, times: 1 }), SECRET_AUTH, {
      budgetMs: 6000
    })
    expect(fake.requests.filter(r => r.routeKey === 'GET store').map(r => r.status)).toEqual([429, 200])
    expect(report.findings).toEqual([])
    expect(ms).toBeGreaterThanOrEqual(1000)
  })

  it.each<[string, number | null]>([
    ['beyond the budget', 60],
    ['without Retry-After', null]
  ])('a 429 %s: reported at once, not retried', async (_name, retryAfterSeconds) => {
    const { report, fake, ms } = await run(faulty('GET store', { kind: 'rate-limit', retryAfterSeconds }))
    expect(fake.requests.filter(r => r.routeKey === 'GET store')).toHaveLength(1)
    expect(checkFailed(report)).toMatchObject({ input: null, reason: expect.stringMatching(/rate-limited.*REQUEST_LIMITED/) })
    expect(ms).toBeLessThan(2000)
  })

  it('a hang: check-failed within the budget', async () => {
    const { report, ms } = await run(faulty('GET store', { kind: 'hang' }), SECRET_AUTH, { budgetMs: 1500 })
    expect(checkFailed(report)).toMatchObject({ input: null, reason: expect.stringMatching(/time budget/) })
    expect(ms).toBeLessThan(2500)
  })

  it('a connection reset: retried once for a read, then unavailable', async () => {
    const { report, fake } = await run(faulty('GET plans', { kind: 'reset' }))
    expect(fake.requests.filter(r => r.routeKey === 'GET plans')).toHaveLength(2)
    expect(checkFailed(report)).toMatchObject({ reason: expect.stringMatching(/unavailable/) })
  })

  describe('a redirect is never followed', () => {
    let elsewhere: Server | null = null
    let hits = 0
    afterEach(async () => {
      await new Promise(resolve => elsewhere?.close(resolve))
      elsewhere = null
    })
    it.each<PingOneRouteKey>(['POST /as/token', 'GET store'])('%s: no request reaches the Location; the input is named', async route => {
      hits = 0
      elsewhere = createServer((_req, res) => {
        hits++
        res.end('{}')
      })
      await new Promise<void>(resolve => elsewhere!.listen(0, '127.0.0.1', resolve))
      const port = (elsewhere.address() as { port: number }).port
      const { report } = await run(faulty(route, { kind: 'redirect', location: `http://127.0.0.1:${port}/steal` }))
      expect(hits).toBe(0)
      expect(checkFailed(report)).toMatchObject({
        input: route === 'GET store' ? 'pingone-api-url' : 'pingone-auth-url',
        reason: expect.stringMatching(/redirect \(302\).*not followed/)
      })
    })
  })

  it('a body over 1 MiB: not read past the limit, check-failed', async () => {
    const { report } = await run(faulty('GET store', { kind: 'oversize' }))
    expect(checkFailed(report)).toMatchObject({ reason: expect.stringMatching(/could not be read \(too-large\)/) })
  })

  it('a list with a next page and no rule for the store: not followed, not called off', async () => {
    const world = { ...PINGONE_WORLDS['rule-inactive'](), rules: [], nextPage: { rules: true } }
    const { report, fake } = await run(world)
    expect(fake.requests.filter(r => r.routeKey === 'GET rules')).toHaveLength(1)
    expect(report.findings.map(f => f.kind)).toEqual(['check-failed'])
  })
})
