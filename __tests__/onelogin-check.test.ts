/**
 * checkOneLogin against the loopback OneLogin fake (simulator/onelogin-fake.mjs), in process: the sign-in,
 * every finding, OneLogin's faults (401, 403, 404, 429, 5xx, hang, redirect, a body over 1 MiB), the bounded
 * paging, request counts, read-only, and secrets.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { checkOneLogin } from '../src/idp/onelogin/index.js'
import type { OneLoginInputs } from '../src/idp/onelogin/types.js'
import type { IdpContext, IdpReport } from '../src/idp/types.js'
import {
  CREDENTIALS_ERROR,
  ONELOGIN_APP_ID,
  ONELOGIN_CLIENT_ID,
  ONELOGIN_CLIENT_SECRET,
  PER_USER_ERROR,
  creatorDeletedWorld,
  credentialsRejectedWorld,
  healthyOneLoginWorld,
  hostileWorld,
  loginEvent,
  manyEventsWorld,
  noAttemptWorld,
  provisioningErrorsWorld,
  provisioningOffWorld,
  readUsersWorld,
  startOneLoginFake,
  type FakeOneLogin,
  type OneLoginWorld
} from '../simulator/onelogin-fake.mjs'

interface TestContext extends IdpContext {
  secrets: string[]
  lines: string[]
}
function testContext(budgetMs = 5000): TestContext {
  const secrets: string[] = []
  const lines: string[] = []
  return {
    deadline: Date.now() + budgetMs,
    now: () => Date.now(),
    budget: { spent: 0 },
    addSecret: s => secrets.push(s),
    debug: m => lines.push(m),
    secrets,
    lines
  }
}

let fake: FakeOneLogin | null = null
afterEach(async () => {
  if (fake) {
    // Read only, always: nothing but GETs and the token POST reached OneLogin.
    expect(fake.violations).toEqual([])
    await fake.close()
    fake = null
  }
})

interface Run {
  report: IdpReport
  ctx: TestContext
  fake: FakeOneLogin
  ms: number
}
async function run(
  world: OneLoginWorld,
  opts: { budgetMs?: number; inputs?: Partial<OneLoginInputs>; latencyMs?: number; url?: string } = {}
): Promise<Run> {
  fake = await startOneLoginFake(world, { latencyMs: opts.latencyMs ?? 0 })
  const ctx = testContext(opts.budgetMs ?? 5000)
  const started = Date.now()
  const inputs: OneLoginInputs = {
    url: opts.url ?? fake.url,
    clientId: ONELOGIN_CLIENT_ID,
    clientSecret: ONELOGIN_CLIENT_SECRET,
    appId: String(ONELOGIN_APP_ID),
    lookbackHours: 720,
    ...opts.inputs
  }
  const report = await checkOneLogin(inputs, ctx, { errorBodyMs: 200 })
  return { report, ctx, fake, ms: Date.now() - started }
}

const routes = (f: FakeOneLogin): string[] => f.requests.map(r => `${r.method} ${r.path} ${r.status ?? 'none'}`)
const eventPages = (f: FakeOneLogin) => f.requests.filter(r => r.path === '/api/1/events')
const checkFailed = (r: IdpReport) =>
  r.findings.find(f => f.kind === 'check-failed') as { input: string | null; reason: string } | undefined

describe('sign-in and the reads', () => {
  it('healthy: the token request (Basic, JSON body), then the app and one event page at once', async () => {
    const { report, fake, ctx } = await run(healthyOneLoginWorld(), { latencyMs: 100 })
    expect(report.findings).toEqual([])
    expect(report.requests).toBe(3)
    expect(routes(fake)).toEqual([
      'POST /auth/oauth2/v2/token 200',
      expect.stringMatching(/^GET \/api\/(2\/apps\/928532|1\/events) 200$/),
      expect.stringMatching(/^GET \/api\/(2\/apps\/928532|1\/events) 200$/)
    ])
    expect(fake.requests.map(r => r.authScheme)).toEqual(['Basic', 'Bearer', 'Bearer'])
    const [, a, b] = fake.requests
    expect(a!.startedAt).toBeLessThan(b!.endedAt!)
    expect(b!.startedAt).toBeLessThan(a!.endedAt!)
    expect(report.appLabel).toBe('GitHub Enterprise Cloud')
    expect(report.lastSuccessAt).not.toBeNull()
    expect(report.details).toMatchObject({ provisioningEnabled: true, eventPages: 1, evidenceSince: null })
    // The access token and the Basic credential were registered the moment they existed.
    expect(ctx.secrets).toContain(fake.issuedTokens[0])
    expect(ctx.secrets).toContain(Buffer.from(`${ONELOGIN_CLIENT_ID}:${ONELOGIN_CLIENT_SECRET}`).toString('base64'))
  })

  it('the event query: the provisioning types, the look-back, newest first, 50 a page', async () => {
    const { fake } = await run(healthyOneLoginWorld(), { inputs: { lookbackHours: 48 } })
    const page = eventPages(fake)[0]!
    expect(page.query).toMatchObject({ event_type_id: '25,51,52,53,54,55,61,62,63,64,65,85,250', sort: '-id', limit: '50' })
    expect(Date.parse(page.query.until!) - Date.parse(page.query.since!)).toBe(48 * 3_600_000)
  })
})

describe('findings from the worlds', () => {
  it('credentials rejected since yesterday, last success two days ago', async () => {
    const now = Date.now()
    const { report } = await run(credentialsRejectedWorld({ now }))
    const f = report.findings.find(x => x.kind === 'credentials-rejected') as { since: string; sinceAtLeast: boolean; reason: string }
    expect(report.findings.map(x => x.kind)).toEqual(['credentials-rejected'])
    expect(Math.abs(Date.parse(f.since) - (now - 24 * 3_600_000))).toBeLessThan(1000)
    expect(f.sinceAtLeast).toBe(false)
    expect(f.reason).toBe(CREDENTIALS_ERROR)
    expect(Math.abs(Date.parse(report.lastSuccessAt!) - (now - 48 * 3_600_000))).toBeLessThan(1000)
  })

  it('per-user errors; a user NAMED like a credentials failure does not flip the verdict', async () => {
    const { report } = await run(provisioningErrorsWorld())
    expect(report.findings).toEqual([{ kind: 'provisioning-errors', count: 2, latestReason: PER_USER_ERROR }])
  })

  it('provisioning off on the app', async () => {
    const { report } = await run(provisioningOffWorld())
    expect(report.findings).toEqual([{ kind: 'provisioning-off', reason: expect.stringContaining('provisioning.enabled is false') }])
    expect(report.details.provisioningEnabled).toBe(false)
  })

  it("no event of the app (another app's failure, other types do not count): noAttempt", async () => {
    const { report } = await run(noAttemptWorld())
    expect(report.noAttempt).toBe(true)
    expect(report.findings).toEqual([])
  })

  it('more than five pages: exactly five read, "since at least" the oldest event read', async () => {
    const { report, fake } = await run(manyEventsWorld({ count: 300 }))
    expect(eventPages(fake)).toHaveLength(5)
    expect(report.requests).toBe(7)
    const f = report.findings.find(x => x.kind === 'credentials-rejected') as { since: string; sinceAtLeast: boolean }
    expect(f.sinceAtLeast).toBe(true)
    expect(report.details.evidenceSince).toBe(f.since)
    expect(report.lastSuccessAt).toBeNull()
    // Each later page: the same query and the page's after_cursor, on the configured host (next_link not followed).
    const later = eventPages(fake).slice(1)
    expect(later.every(r => typeof r.query.after_cursor === 'string' && r.query.sort === '-id')).toBe(true)
    expect(new Set(later.map(r => r.query.after_cursor)).size).toBe(4)
  })

  it('exactly five pages and nothing left: an exact since', async () => {
    const { report, fake } = await run(manyEventsWorld({ count: 249 }))
    expect(eventPages(fake)).toHaveLength(5)
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'credentials-rejected', sinceAtLeast: false })])
    expect(report.details.evidenceSince).toBeNull()
  })

  it('paging stops once the last success is read (spend little of the shared budget)', async () => {
    const now = Date.now()
    const world = manyEventsWorld({ now, count: 60 })
    const { report, fake } = await run(world)
    expect(eventPages(fake)).toHaveLength(2)
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'credentials-rejected', sinceAtLeast: false })])
    expect(report.lastSuccessAt).not.toBeNull()
  })

  it('a cursor handed back twice is not read again; each event counts once', async () => {
    const world = manyEventsWorld({ count: 120 })
    world.repeatCursor = true
    const { report, fake } = await run(world)
    const cursors = eventPages(fake).map(r => r.query.after_cursor ?? '')
    expect(new Set(cursors).size).toBe(cursors.length)
    expect(eventPages(fake)).toHaveLength(2)
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'credentials-rejected', sinceAtLeast: true })])
  })

  it('the same event on two pages is counted once', async () => {
    const now = Date.now()
    const world = healthyOneLoginWorld({ now })
    // 49 newer failures of another app (read, not counted), then the same event twice: the last of page 1, the first of page 2.
    world.events = Array.from({ length: 49 }, (_, i) => loginEvent({ at: now - (i + 1) * 60_000, type: 64, appId: 111111, error: 'x' }))
    const dup = loginEvent({ at: now - 3_600_000, type: 64, error: 'Conflict' })
    world.events.push(dup, { ...dup }, loginEvent({ at: now - 2 * 3_600_000, type: 52 }))
    const { report, fake } = await run(world)
    expect(eventPages(fake)).toHaveLength(2)
    expect(report.findings).toEqual([{ kind: 'provisioning-errors', count: 1, latestReason: 'Conflict' }])
  })

  it('hostile strings: one bounded line, no workflow command at a line start', async () => {
    const { report } = await run(hostileWorld())
    const text = JSON.stringify(report)
    expect(report.appLabel!.length).toBeLessThanOrEqual(200)
    expect(text).not.toMatch(/\\n|\\r|\\u0000|\\u202e|\\u001b/)
    expect(report.findings.map(f => f.kind)).toContain('credentials-rejected')
  })
})

describe("OneLogin's faults: check-failed naming the input", () => {
  it('a wrong secret: onelogin-client-id; the 401 is not retried', async () => {
    const { report, fake } = await run(healthyOneLoginWorld(), { inputs: { clientSecret: 'not-the-secret-0123456789' } })
    expect(checkFailed(report)).toMatchObject({ input: 'onelogin-client-id', reason: expect.stringContaining('Authentication Failure') })
    expect(report.findings).toHaveLength(1)
    expect(fake.requests).toHaveLength(1)
  })

  it("the credential's creator deleted: 500 at the token endpoint, said so, naming onelogin-client-id, not retried", async () => {
    const { report, fake } = await run(creatorDeletedWorld())
    expect(checkFailed(report)).toMatchObject({
      input: 'onelogin-client-id',
      reason: expect.stringContaining('creator may have been deleted')
    })
    expect(fake.requests).toHaveLength(1)
  })

  it('Read users: the events answer, the app is 403 (Read All needed)', async () => {
    const { report } = await run(readUsersWorld())
    expect(checkFailed(report)).toMatchObject({ input: 'onelogin-client-id', reason: expect.stringContaining('Read All') })
    expect(report.lastSuccessAt).not.toBeNull()
  })

  it('404 on the app: onelogin-app-id', async () => {
    const { report } = await run(healthyOneLoginWorld(), { inputs: { appId: '42' } })
    expect(checkFailed(report)).toMatchObject({ input: 'onelogin-app-id' })
  })

  it('401 at the API: onelogin-client-id, not retried', async () => {
    const world = healthyOneLoginWorld()
    world.faults = { 'GET /api/1/events': { kind: 'status', status: 401 } }
    const { report, fake } = await run(world)
    expect(checkFailed(report)).toMatchObject({ input: 'onelogin-client-id' })
    expect(eventPages(fake)).toHaveLength(1)
  })

  it('429 with a reset inside the budget: waits once and asks again', async () => {
    const world = healthyOneLoginWorld()
    world.faults = { 'GET /api/1/events': { kind: 'rate-limit', resetInSeconds: 1, times: 1 } }
    const { report, fake, ms } = await run(world, { budgetMs: 8000 })
    expect(report.findings).toEqual([])
    expect(eventPages(fake).map(r => r.status)).toEqual([429, 200])
    expect(ms).toBeGreaterThanOrEqual(900)
  })

  it('429 at the token endpoint with a reset inside the budget: the token request waits once too', async () => {
    const world = healthyOneLoginWorld()
    world.faults = { 'POST /auth/oauth2/v2/token': { kind: 'rate-limit', resetInSeconds: 1, times: 1 } }
    const { report, fake } = await run(world, { budgetMs: 8000 })
    expect(report.findings).toEqual([])
    expect(fake.requests.filter(r => r.method === 'POST').map(r => r.status)).toEqual([429, 200])
  })

  it('429 with a reset beyond the budget: reported now, with the seconds left', async () => {
    const world = healthyOneLoginWorld()
    world.faults = { 'GET /api/1/events': { kind: 'rate-limit', resetInSeconds: 1800 } }
    const { report, fake, ms } = await run(world)
    expect(checkFailed(report)).toMatchObject({ input: null, reason: expect.stringMatching(/rate-limited.*resets in 1800 s.*shared/) })
    expect(eventPages(fake)).toHaveLength(1)
    expect(ms).toBeLessThan(2000)
  })

  it('429 without a reset: reported now, not waited for', async () => {
    const world = healthyOneLoginWorld()
    world.faults = { 'GET /api/2/apps/{id}': { kind: 'rate-limit' } }
    const { report, fake } = await run(world)
    expect(checkFailed(report)).toMatchObject({ reason: expect.stringContaining('reset time was not given') })
    expect(fake.requests.filter(r => r.path.startsWith('/api/2/apps'))).toHaveLength(1)
  })

  it('5xx at the API: retried once, then OneLogin unavailable', async () => {
    const world = healthyOneLoginWorld()
    world.faults = { 'GET /api/2/apps/{id}': { kind: 'status', status: 503 } }
    const { report } = await run(world)
    expect(checkFailed(report)).toMatchObject({ input: null, reason: expect.stringContaining('unavailable') })
    expect(report.requests).toBe(4)
  })

  it('a hang: a timeout within the budget; the other read still answers', async () => {
    const world = healthyOneLoginWorld()
    world.faults = { 'GET /api/2/apps/{id}': { kind: 'hang' } }
    const { report, ms } = await run(world, { budgetMs: 1500 })
    expect(checkFailed(report)).toMatchObject({ input: null, reason: expect.stringContaining('time budget') })
    expect(ms).toBeLessThan(1700)
    expect(report.lastSuccessAt).not.toBeNull()
  })

  it('a redirect: the Location host named, never followed', async () => {
    const world = healthyOneLoginWorld()
    world.faults = { 'POST /auth/oauth2/v2/token': { kind: 'redirect', location: 'https://login.elsewhere.example/auth/oauth2/v2/token' } }
    const { report, fake } = await run(world)
    expect(checkFailed(report)).toMatchObject({ input: 'onelogin-url', reason: expect.stringContaining('login.elsewhere.example') })
    expect(fake.requests).toHaveLength(1)
  })

  it('a body over 1 MiB: unreadable, not believed', async () => {
    const world = healthyOneLoginWorld()
    world.faults = { 'GET /api/1/events': { kind: 'huge' } }
    const { report } = await run(world)
    expect(checkFailed(report)).toMatchObject({ input: null, reason: expect.stringContaining('could not be read') })
    expect(report.noAttempt).toBe(false)
  })

  it('nothing listens at onelogin-url: OneLogin unavailable, naming the network', async () => {
    const { report } = await run(healthyOneLoginWorld(), { url: 'http://127.0.0.1:9' })
    expect(checkFailed(report)).toMatchObject({ reason: expect.stringContaining('network') })
  })
})

describe('secrets never leave in the report or the debug lines', () => {
  const basic = Buffer.from(`${ONELOGIN_CLIENT_ID}:${ONELOGIN_CLIENT_SECRET}`).toString('base64')
  function expectClean(r: Run, secrets: string[]): void {
    const text = JSON.stringify(r.report) + '\n' + r.ctx.lines.join('\n')
    for (const s of secrets) expect({ leaked: text.includes(s) }).toEqual({ leaked: false })
  }

  it('the token endpoint echoing the Basic header and the decoded secret', async () => {
    const world = healthyOneLoginWorld()
    world.faults = { 'POST /auth/oauth2/v2/token': { kind: 'echo' } }
    const r = await run(world)
    expect(checkFailed(r.report)?.reason).toContain('Authorization Information is incorrect')
    expectClean(r, [ONELOGIN_CLIENT_SECRET, basic])
  })

  it('the API echoing the access token', async () => {
    const world = credentialsRejectedWorld()
    world.faults = { 'GET /api/1/events': { kind: 'echo' } }
    const r = await run(world)
    expect(checkFailed(r.report)?.reason).toContain('Authorization Information is incorrect')
    expect(r.fake.issuedTokens).toHaveLength(1)
    expectClean(r, [ONELOGIN_CLIENT_SECRET, basic, ...r.fake.issuedTokens])
  })
})
