/**
 * checkJumpCloud against the loopback JumpCloud fake (simulator/jumpcloud-fake.mjs), in process: both sign-in
 * paths, every finding, JumpCloud's faults (401 never retried, 403 two ways, 404, 429 with and without a
 * reset, 5xx, hang, redirect, a body over 1 MiB), the event query's paging, read-only, and secrets.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { checkJumpCloud } from '../src/idp/jumpcloud/index.js'
import type { JumpCloudAuth, JumpCloudInputs } from '../src/idp/jumpcloud/config.js'
import type { IdpReport } from '../src/idp/types.js'
import {
  JC_API_KEY,
  JC_APP_ID,
  JC_CLIENT_ID,
  JC_CLIENT_SECRET,
  JC_IDP_PRIVATE_KEY,
  JC_ORG_ID,
  PER_USER_ERROR,
  appInactiveWorld,
  credentialsRejectedWorld,
  deactivatedWorld,
  healthyWorld,
  manyEventsWorld,
  noAttemptWorld,
  provisioningErrorsWorld,
  startJumpCloudFake,
  type FakeJumpCloud,
  type JumpCloudWorld
} from '../simulator/jumpcloud-fake.mjs'
import { jcInputs } from './support/jumpcloud.js'
import { testContext, type TestContext } from './support/okta-context.js'

const KEY: JumpCloudAuth = { kind: 'api-key', apiKey: JC_API_KEY }
const SA: JumpCloudAuth = { kind: 'service-account', clientId: JC_CLIENT_ID, clientSecret: JC_CLIENT_SECRET }

let fake: FakeJumpCloud | null = null
afterEach(async () => {
  if (fake) {
    // Read only, always: GETs, the token POST and the event query, nothing else.
    expect(fake.violations).toEqual([])
    await fake.close()
    fake = null
  }
})

interface Run {
  report: IdpReport
  ctx: TestContext
  fake: FakeJumpCloud
  ms: number
}
async function run(
  world: JumpCloudWorld,
  auth: JumpCloudAuth = KEY,
  opts: { budgetMs?: number; over?: Partial<JumpCloudInputs>; latencyMs?: number } = {}
): Promise<Run> {
  if (fake) await fake.close()
  fake = await startJumpCloudFake(world, { latencyMs: opts.latencyMs ?? 0 })
  const ctx = testContext(opts.budgetMs ?? 5000)
  const started = Date.now()
  const report = await checkJumpCloud(jcInputs(fake.url, auth, opts.over), ctx, { errorBodyMs: 200 })
  return { report, ctx, fake, ms: Date.now() - started }
}

const checkFailed = (r: IdpReport) =>
  r.findings.find(f => f.kind === 'check-failed') as { input: string | null; reason: string } | undefined
const events = (f: FakeJumpCloud) => f.requests.filter(r => r.routeKey === 'POST /insights/directory/v1/events')

describe('sign-in paths', () => {
  it('API key: one round trip of two concurrent requests, x-api-key on both', async () => {
    const { report, fake } = await run(healthyWorld(), KEY, { latencyMs: 150 })
    expect(report.findings).toEqual([])
    expect(report.requests).toBe(2)
    expect(fake.requests.map(r => r.auth)).toEqual(['api-key', 'api-key'])
    const [a, b] = fake.requests
    expect(a!.startedAt).toBeLessThan(b!.endedAt!)
    expect(b!.startedAt).toBeLessThan(a!.endedAt!)
    expect(report.appLabel).toBe('GitHub (acme)')
    expect(report.lastSuccessAt).not.toBeNull()
    expect(report.noAttempt).toBe(false)
  })

  it('service account: the token request (Basic, form), then Bearer on both; the token and the Basic value are secrets', async () => {
    const { report, fake, ctx } = await run(healthyWorld(), SA)
    expect(report.findings).toEqual([])
    expect(report.requests).toBe(3)
    expect(fake.requests.map(r => `${r.method} ${r.path} ${r.auth} ${r.status}`)).toEqual([
      'POST /oauth2/token basic 200',
      expect.stringMatching(/ bearer 200$/),
      expect.stringMatching(/ bearer 200$/)
    ])
    expect(fake.requests[0]!.contentType).toBe('application/x-www-form-urlencoded')
    expect(ctx.secrets).toContain(fake.issuedTokens[0])
    expect(ctx.secrets).toContain(Buffer.from(`${JC_CLIENT_ID}:${JC_CLIENT_SECRET}`).toString('base64'))
  })

  it('a multi-tenant admin: x-org-id on every request', async () => {
    const world = healthyWorld()
    world.apiKeys![JC_API_KEY]!.orgIds = [JC_ORG_ID]
    const { report, fake } = await run(world, KEY, { over: { orgId: JC_ORG_ID } })
    expect(report.findings).toEqual([])
    expect(fake.requests.map(r => r.orgId)).toEqual([JC_ORG_ID, JC_ORG_ID])
  })

  it('the event query: directory, the look-back, newest first, the provisioning events of the app', async () => {
    const { fake } = await run(healthyWorld(), KEY, { over: { lookbackHours: 48 } })
    const q = events(fake)[0]!.json as Record<string, unknown>
    expect(fake.requests.find(r => r.routeKey === 'POST /insights/directory/v1/events')!.contentType).toBe('application/json')
    expect(q).toMatchObject({ service: ['directory'], sort: 'DESC', limit: 1000 })
    expect(Date.parse(q.end_time as string) - Date.parse(q.start_time as string)).toBe(48 * 3_600_000)
    const and = (q.search_term as { and: Array<Record<string, unknown>> }).and
    expect(and[0]!.event_type).toEqual(expect.arrayContaining(['user_create_provision', 'user_update_provision', 'user_delete_provision']))
    expect(and[1]).toEqual({ or: [{ 'application.id': JC_APP_ID }, { idm_client_id: JC_APP_ID }] })
  })
})

describe('findings from the worlds', () => {
  it('credentials rejected since yesterday (401 in message_chain), last success two days ago', async () => {
    const now = Date.now()
    const { report } = await run(credentialsRejectedWorld({ now }))
    expect(report.findings).toEqual([
      { kind: 'credentials-rejected', since: expect.any(String), sinceAtLeast: false, reason: expect.stringContaining('HTTP 401') }
    ])
    const f = report.findings[0] as { since: string }
    expect(Math.abs(Date.parse(f.since) - (now - 24 * 3_600_000))).toBeLessThan(1000)
    expect(Math.abs(Date.parse(report.lastSuccessAt!) - (now - 48 * 3_600_000))).toBeLessThan(1000)
  })

  it('per-user errors', async () => {
    const { report } = await run(provisioningErrorsWorld())
    expect(report.findings).toEqual([{ kind: 'provisioning-errors', count: 2, latestReason: expect.stringContaining(PER_USER_ERROR) }])
  })

  it('app inactive; Identity Management deactivated', async () => {
    expect((await run(appInactiveWorld())).report.findings).toEqual([
      { kind: 'provisioning-off', reason: expect.stringContaining('inactive') }
    ])
    expect((await run(deactivatedWorld())).report.findings).toEqual([
      { kind: 'provisioning-off', reason: expect.stringContaining('deactivated') }
    ])
  })

  it("no attempt: another app's events do not count", async () => {
    const { report } = await run(noAttemptWorld())
    expect(report.noAttempt).toBe(true)
    expect(report.findings).toEqual([])
  })

  it('more than five pages: five read, each with the previous page\'s cursor, "since at least"', async () => {
    const { report, fake } = await run(manyEventsWorld({ count: 5200 }), KEY, { budgetMs: 15000 })
    const pages = events(fake)
    expect(pages).toHaveLength(5)
    expect(pages[0]!.json!.search_after).toBeUndefined()
    const cursors = pages.slice(1).map(p => JSON.stringify(p.json!.search_after))
    expect(new Set(cursors).size).toBe(4)
    const f = report.findings[0] as { kind: string; sinceAtLeast: boolean; since: string }
    expect(f).toMatchObject({ kind: 'credentials-rejected', sinceAtLeast: true })
    expect(report.details).toMatchObject({ evidenceSince: f.since, eventsRead: 5000 })
  }, 20000)

  it('two pages, the second short: an exact since', async () => {
    const { report, fake } = await run(manyEventsWorld({ count: 1500 }))
    expect(events(fake)).toHaveLength(2)
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'credentials-rejected', sinceAtLeast: false })])
    expect(report.details).toMatchObject({ evidenceSince: null, eventsRead: 1500 })
  })

  it('a cursor that does not move: never sent twice, evidence marked incomplete', async () => {
    const world = manyEventsWorld({ count: 1500 })
    world.faults = { 'POST /insights/directory/v1/events': { kind: 'cursor-loop' } }
    const { report, fake } = await run(world)
    expect(events(fake)).toHaveLength(2)
    expect(report.details).toMatchObject({ eventsRead: 1000, evidenceSince: expect.any(String) })
  })

  it('no X-Search_after on a full page: one page, evidence incomplete', async () => {
    const world = manyEventsWorld({ count: 1500 })
    world.faults = { 'POST /insights/directory/v1/events': { kind: 'no-cursor' } }
    const { report, fake } = await run(world)
    expect(events(fake)).toHaveLength(1)
    expect((report.findings[0] as { sinceAtLeast: boolean }).sinceAtLeast).toBe(true)
  })

  it('oldest first with pages left: check-failed, no verdict from the old half', async () => {
    const world = manyEventsWorld({ count: 5200 })
    world.faults = { 'POST /insights/directory/v1/events': { kind: 'asc' } }
    const { report } = await run(world, KEY, { budgetMs: 15000 })
    expect(report.findings).toEqual([{ kind: 'check-failed', input: null, reason: expect.stringContaining('oldest first') }])
  }, 20000)
})

describe("JumpCloud's faults: check-failed naming the input", () => {
  it('a wrong API key: jumpcloud-api-key; the 401 is not retried', async () => {
    const { report, fake } = await run(healthyWorld(), { kind: 'api-key', apiKey: 'f'.repeat(40) })
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'check-failed', input: 'jumpcloud-api-key' })])
    expect(fake.requests.map(r => r.status)).toEqual([401, 401])
  })

  it('a wrong client secret: jumpcloud-client-secret; one token request, nothing else', async () => {
    const { report, fake } = await run(healthyWorld(), { ...SA, clientSecret: 'wrong-secret-0123456789' } as JumpCloudAuth)
    expect(checkFailed(report)).toMatchObject({ input: 'jumpcloud-client-secret', reason: expect.stringContaining('invalid_client') })
    expect(fake.requests).toHaveLength(1)
  })

  it('403 without a role: the credential input, with the role to grant', async () => {
    const world = healthyWorld()
    world.apiKeys![JC_API_KEY]!.role = null
    world.serviceAccounts![JC_CLIENT_ID]!.role = null
    expect(checkFailed((await run(world)).report)).toMatchObject({ input: 'jumpcloud-api-key', reason: expect.stringContaining('View on') })
    expect(checkFailed((await run(world, SA)).report)).toMatchObject({
      input: 'jumpcloud-client-id',
      reason: expect.stringContaining('View on')
    })
  })

  it('403 "IP blocked": no input to blame', async () => {
    const world = healthyWorld()
    world.faults = { '*': { kind: 'ip-blocked' } }
    const { report } = await run(world)
    expect(report.findings.length).toBeGreaterThan(0)
    for (const f of report.findings)
      expect(f).toEqual({ kind: 'check-failed', input: null, reason: expect.stringContaining("blocks this runner's IP") })
  })

  it('a wrong org id for a multi-tenant admin: named in the reason', async () => {
    const world = healthyWorld()
    world.apiKeys![JC_API_KEY]!.orgIds = [JC_ORG_ID]
    const { report } = await run(world, KEY, { over: { orgId: 'a'.repeat(24) } })
    expect(checkFailed(report)).toMatchObject({ input: 'jumpcloud-api-key', reason: expect.stringContaining('jumpcloud-org-id') })
  })

  it('404 on the app: jumpcloud-app-id', async () => {
    const { report } = await run(healthyWorld(), KEY, { over: { appId: 'b'.repeat(24) } })
    expect(checkFailed(report)).toMatchObject({ input: 'jumpcloud-app-id' })
  })

  it('404 on the event query: jumpcloud-insights-url', async () => {
    const world = healthyWorld()
    world.faults = { 'POST /insights/directory/v1/events': { kind: 'status', status: 404 } }
    expect(checkFailed((await run(world)).report)).toMatchObject({ input: 'jumpcloud-insights-url' })
  })

  it('429 without Retry-After (as JumpCloud documents): reported at once, asked once', async () => {
    const world = healthyWorld()
    world.faults = { 'POST /insights/directory/v1/events': { kind: 'rate-limit' } }
    const { report, fake } = await run(world)
    expect(checkFailed(report)).toMatchObject({ input: null, reason: expect.stringContaining('rate-limited') })
    expect(events(fake)).toHaveLength(1)
  })

  it('429 with a Retry-After inside the budget: one wait, asked again, healthy', async () => {
    const world = healthyWorld()
    world.faults = { 'POST /insights/directory/v1/events': { kind: 'rate-limit', retryAfterSeconds: 1, times: 1 } }
    const { report, fake } = await run(world, KEY, { budgetMs: 6000 })
    expect(report.findings).toEqual([])
    expect(events(fake).map(r => r.status)).toEqual([429, 200])
  })

  it('429 with a Retry-After beyond the budget: reported now', async () => {
    const world = healthyWorld()
    world.faults = { 'POST /insights/directory/v1/events': { kind: 'rate-limit', retryAfterSeconds: 60 } }
    const { report, fake, ms } = await run(world, KEY, { budgetMs: 3000 })
    expect(checkFailed(report)).toMatchObject({ input: null, reason: expect.stringContaining('retry after 60 s') })
    expect(events(fake)).toHaveLength(1)
    expect(ms).toBeLessThan(2000)
  })

  it('5xx: retried once, then JumpCloud unavailable', async () => {
    const world = healthyWorld()
    world.faults = { 'GET /api/applications/{id}': { kind: 'status', status: 503 } }
    const { report } = await run(world)
    expect(checkFailed(report)).toMatchObject({ input: null, reason: expect.stringContaining('unavailable') })
    expect(report.requests).toBe(3)
  })

  it('5xx at the token endpoint: not retried', async () => {
    const world = healthyWorld()
    world.faults = { 'POST /oauth2/token': { kind: 'status', status: 500 } }
    const { report, fake } = await run(world, SA)
    expect(checkFailed(report)).toMatchObject({ reason: expect.stringContaining('unavailable') })
    expect(fake.requests).toHaveLength(1)
  })

  it('a hang: timeout within the budget, the other probe still answers', async () => {
    const world = healthyWorld()
    world.faults = { 'GET /api/applications/{id}': { kind: 'hang' } }
    const { report, ms } = await run(world, KEY, { budgetMs: 1500 })
    expect(checkFailed(report)).toMatchObject({ input: null, reason: expect.stringContaining('time budget') })
    expect(ms).toBeLessThan(1700)
    expect(report.lastSuccessAt).not.toBeNull()
  })

  it.each([
    ['POST /oauth2/token', SA, 'jumpcloud-oauth-url'],
    ['GET /api/applications/{id}', KEY, 'jumpcloud-console-url'],
    ['POST /insights/directory/v1/events', KEY, 'jumpcloud-insights-url']
  ] as const)('a redirect of %s: the Location host named, never followed', async (route, auth, input) => {
    const world = healthyWorld()
    world.faults = { [route]: { kind: 'redirect', location: 'https://login.elsewhere.example/steal' } }
    const { report, fake } = await run(world, auth)
    expect(checkFailed(report)).toMatchObject({ input, reason: expect.stringContaining('login.elsewhere.example') })
    expect(fake.requests.filter(r => r.path === '/steal')).toHaveLength(0)
    expect(fake.requests.filter(r => r.routeKey === route)).toHaveLength(1)
  })

  it('a redirect to a path of the same host: not followed either (no request reaches it)', async () => {
    const world = healthyWorld()
    world.faults = { 'POST /insights/directory/v1/events': { kind: 'redirect', location: '/api/applications', status: 307 } }
    const { report, fake } = await run(world)
    expect(checkFailed(report)).toMatchObject({ input: 'jumpcloud-insights-url' })
    expect(fake.requests.filter(r => r.path === '/api/applications')).toHaveLength(0)
    expect(fake.requests).toHaveLength(2)
  })

  it('a body over 1 MiB: not read past the limit, check-failed', async () => {
    const world = healthyWorld()
    world.faults = { 'POST /insights/directory/v1/events': { kind: 'huge' } }
    const { report, ctx } = await run(world)
    expect(checkFailed(report)).toMatchObject({ input: null, reason: expect.stringContaining('could not be read') })
    expect(ctx.budget.spent).toBeLessThan(2 * 1024 * 1024)
  })
})

describe('secrets never leave in the report or the debug lines', () => {
  function expectClean(r: Run, secrets: string[]): void {
    const text = JSON.stringify(r.report) + '\n' + r.ctx.lines.join('\n')
    for (const s of secrets)
      for (const piece of s
        .split('\n')
        .map(l => l.trim())
        .filter(l => l.length >= 8 && !l.startsWith('-----')))
        expect(text).not.toContain(piece)
  }

  it.each([
    ['the API key', KEY],
    ['the service account', SA]
  ] as const)('%s, echoed back by JumpCloud', async (_n, auth) => {
    const world = credentialsRejectedWorld()
    world.faults = { 'POST /insights/directory/v1/events': { kind: 'echo' } }
    const r = await run(world, auth)
    expect(checkFailed(r.report)?.reason).toContain('invalid request from')
    expectClean(r, [JC_API_KEY, JC_CLIENT_SECRET, ...r.ctx.secrets, ...r.fake.issuedTokens])
  })

  it("the app's idpPrivateKey is registered as a secret and kept nowhere", async () => {
    const r = await run(healthyWorld())
    expect(r.ctx.secrets).toContain(JC_IDP_PRIVATE_KEY)
    expect(JSON.stringify(r.report)).not.toContain('PRIVATE KEY')
    expectClean(r, [JC_IDP_PRIVATE_KEY])
  })
})
