/**
 * Faults: whatever GitHub or the network does, the action ends inside
 * timeout-seconds with an honest verdict: inconclusive (never healthy, never a
 * token cause), and the exit code that `inconclusive` asks for. The whole
 * matrix (fault × route) runs in-process with the real client; a sample of it
 * runs end to end (dist/index.js, as the runner runs it).
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { startFake, type Fault, type FakeGitHub, type RouteKey } from '../simulator/github-fake.mjs'
import { leaksOf, runAction as spawnAction } from '../simulator/run-action.mjs'
import { scenarioWorld } from '../simulator/worlds.mjs'
import { runInProcess } from './support/in-process.js'
import { QUEUED_TIMEOUT_MS, slots, SPAWN_SLOTS } from './support/slots.js'

const servers: FakeGitHub[] = []
afterAll(async () => {
  await Promise.all(servers.map(s => s.close()))
})

/**
 * The end-to-end cases run concurrently, a few processes at a time (support/slots.ts): one more than the
 * other files, as these mostly wait (a hang, a retry-after, the budget) rather than compute.
 */
const slot = slots(SPAWN_SLOTS + 1)
const runAction = (...args: Parameters<typeof spawnAction>) => slot(() => spawnAction(...args))

const BUDGET_S = 3
/** Process start-up and exit, outside the action's own clock. */
const SLACK_MS = 1500

async function runWithFault(route: RouteKey | '*', fault: Fault, inputs: Record<string, string> = {}) {
  const { world, token } = scenarioWorld('healthy')
  world.faults = { [route]: fault }
  const fake = await startFake(world)
  servers.push(fake)
  const run = await runAction({ token, org: 'acme', 'api-url': fake.apiUrl, 'timeout-seconds': String(BUDGET_S), ...inputs })
  return { run, fake, token }
}

const TOKEN_CAUSES = [
  'token-invalid',
  'token-kind-unsupported',
  'scope-missing',
  'login-mismatch',
  'account-renamed',
  'account-suspended',
  'not-org-member',
  'not-org-owner',
  'org-not-found',
  'sso-not-authorized',
  'scim-forbidden',
  'scim-not-available'
]

type Expected = 'github-unavailable' | 'unexpected-response' | 'rate-limited'

const FAULTS: Array<[string, Fault, Expected]> = [
  ['accepts and never answers', { kind: 'hang' }, 'github-unavailable'],
  ['sends headers, then stalls the body', { kind: 'stall-body' }, 'github-unavailable'],
  ['closes the connection mid-body', { kind: 'close-mid-body' }, 'github-unavailable'],
  ['resets the connection', { kind: 'reset' }, 'github-unavailable'],
  ['500', { kind: 'status', status: 500 }, 'github-unavailable'],
  ['502 (HTML unicorn page)', { kind: 'status', status: 502 }, 'github-unavailable'],
  ['503', { kind: 'status', status: 503 }, 'github-unavailable'],
  ['504', { kind: 'status', status: 504 }, 'github-unavailable'],
  ['200 with an HTML body', { kind: 'html' }, 'unexpected-response'],
  ['200 with truncated JSON', { kind: 'truncated' }, 'unexpected-response'],
  ['200 with JSON of the wrong shape', { kind: 'wrong-shape' }, 'unexpected-response'],
  ['primary rate limit, 403, reset in an hour', { kind: 'primary-rate-limit', status: 403, resetInSeconds: 3600 }, 'rate-limited'],
  ['primary rate limit, 429, reset in an hour', { kind: 'primary-rate-limit', status: 429, resetInSeconds: 3600 }, 'rate-limited'],
  ['secondary rate limit, 403, retry-after 60', { kind: 'secondary-rate-limit', status: 403, retryAfter: 60 }, 'rate-limited'],
  ['secondary rate limit, 429, retry-after 60', { kind: 'secondary-rate-limit', status: 429, retryAfter: 60 }, 'rate-limited']
]

const ROUTES: RouteKey[] = ['GET /user', 'GET /user/memberships/orgs/{org}', 'GET /scim/v2/organizations/{org}/Users', 'POST /graphql']

const CASES = FAULTS.flatMap(([name, fault, expected]) => ROUTES.map(route => ({ name: `${route}: ${name}`, route, fault, expected })))

function expectHonest(outputs: Record<string, string | undefined>, expected: Expected): void {
  expect(outputs.status).toBe('inconclusive')
  expect(outputs.causes?.split(',')).toContain(expected)
  for (const id of TOKEN_CAUSES) expect(outputs.causes?.split(',')).not.toContain(id)
}

/** One route, a fault of each family: the same verdicts from dist/index.js, spawned as the runner spawns it. */
const SPAWNED = CASES.filter(
  c => c.route === 'GET /scim/v2/organizations/{org}/Users' && /never answers|502|HTML|primary rate limit, 403/.test(c.name)
)

describe('faults end in an honest verdict within the budget (dist/index.js)', () => {
  it.concurrent.each(SPAWNED)(
    '$name',
    async ({ route, fault, expected }) => {
      const { run, fake, token } = await runWithFault(route, fault)
      expectHonest(run.outputs, expected)
      expect(run.code).toBe(1)
      expect(run.durationMs).toBeLessThan(BUDGET_S * 1000 + SLACK_MS)
      expect(run.annotations.find(a => a.title?.endsWith(`[${expected}]`))?.level).toBe('error')
      expect(fake.violations).toEqual([])
      expect(leaksOf(run, token)).toEqual([])
    },
    QUEUED_TIMEOUT_MS
  )
})

describe('retries, waits and policies', () => {
  it.concurrent(
    'inconclusive: pass exits 0 and annotates the cause as a warning',
    async () => {
      const { run } = await runWithFault('GET /user', { kind: 'status', status: 503 }, { inconclusive: 'pass' })
      expect(run.outputs.status).toBe('inconclusive')
      expect(run.code).toBe(0)
      expect(run.annotations.find(a => a.title?.endsWith('[github-unavailable]'))?.level).toBe('warning')
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'retries a 5xx and then succeeds',
    async () => {
      const { run, fake } = await runWithFault('GET /user', { kind: 'status', status: 502, times: 1 }, { 'timeout-seconds': '20' })
      expect(run.outputs.status).toBe('healthy')
      expect(fake.requests.filter(r => r.path === '/user')).toHaveLength(2)
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'retries a connection reset and then succeeds',
    async () => {
      const { run, fake } = await runWithFault(
        'GET /scim/v2/organizations/{org}/Users',
        { kind: 'reset', times: 1 },
        { 'timeout-seconds': '20' }
      )
      expect(run.outputs.status).toBe('healthy')
      expect(fake.requests.filter(r => r.path.startsWith('/scim/'))).toHaveLength(2)
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'gives up on a hung attempt and retries within the budget',
    async () => {
      const { run, fake } = await runWithFault('GET /user/memberships/orgs/{org}', { kind: 'hang', times: 1 }, { 'timeout-seconds': '9' })
      expect(run.outputs.status).toBe('healthy')
      expect(fake.requests.filter(r => r.path === '/user/memberships/orgs/acme')).toHaveLength(2)
      expect(run.durationMs).toBeLessThan(9000 + SLACK_MS)
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'waits for a secondary rate limit whose retry-after fits the budget',
    async () => {
      const { run, fake } = await runWithFault(
        'GET /user',
        { kind: 'secondary-rate-limit', status: 403, retryAfter: 1, times: 1 },
        { 'timeout-seconds': '20' }
      )
      expect(run.outputs.status).toBe('healthy')
      expect(fake.requests.filter(r => r.path === '/user')).toHaveLength(2)
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'waits for a primary rate limit whose reset fits the budget',
    async () => {
      const { run, fake } = await runWithFault(
        'GET /user',
        { kind: 'primary-rate-limit', status: 429, resetInSeconds: 1, times: 1 },
        { 'timeout-seconds': '20' }
      )
      expect(run.outputs.status).toBe('healthy')
      expect(fake.requests.filter(r => r.path === '/user')).toHaveLength(2)
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'reports a broken org lookup after a membership 404',
    async () => {
      const { world, token } = scenarioWorld('not-org-member')
      world.faults = { 'GET /orgs/{org}': { kind: 'status', status: 503 } }
      const fake = await startFake(world)
      servers.push(fake)
      const run = await runAction({ token, org: 'acme', 'api-url': fake.apiUrl, 'timeout-seconds': '10' })
      // The membership 404 is certain; whether the org exists could not be told.
      expect(run.outputs.causes).toBe('not-org-member,github-unavailable')
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'never retries a 401, a 403 or a 404',
    async () => {
      const scenarios = ['token-invalid', 'not-org-owner', 'org-not-found'] as const
      const fakes = await Promise.all(
        scenarios.map(async scenario => {
          const { world, token } = scenarioWorld(scenario)
          const fake = await startFake(world)
          servers.push(fake)
          await runAction({ token, org: 'acme', 'api-url': fake.apiUrl })
          return fake
        })
      )
      for (const fake of fakes) {
        const seen = fake.requests.map(r => `${r.method} ${r.rawPath}?${new URLSearchParams(r.query).toString()}`)
        expect(new Set(seen).size).toBe(seen.length)
      }
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'reports an unreachable API as github-unavailable',
    async () => {
      const { token } = scenarioWorld('healthy')
      const fake = await startFake({})
      const url = fake.apiUrl
      await fake.close()
      const run = await runAction({ token, org: 'acme', 'api-url': url, 'timeout-seconds': String(BUDGET_S) })
      expect(run.outputs.status).toBe('inconclusive')
      expect(run.outputs.causes).toBe('github-unavailable')
      expect(run.durationMs).toBeLessThan(BUDGET_S * 1000 + SLACK_MS)
    },
    QUEUED_TIMEOUT_MS
  )
})

// Declared after the end-to-end cases, which then start first: most of their time is spent waiting (hangs,
// retry-after, budgets), and these in-process cases fill that time.
describe('faults end in an honest verdict within the budget (in-process, every route)', () => {
  it.concurrent.each(CASES)('$name', async ({ route, fault, expected }) => {
    const { world, token } = scenarioWorld('healthy')
    world.faults = { [route]: fault }
    const fake = await startFake(world)
    servers.push(fake)
    const started = Date.now()
    const run = await runInProcess({ token, org: 'acme', 'api-url': fake.apiUrl, 'timeout-seconds': String(BUDGET_S) })
    expect(Date.now() - started).toBeLessThan(BUDGET_S * 1000 + SLACK_MS)
    expectHonest(run.outputs, expected)
    expect(run.code).toBe(1)
    // The inconclusive cause fails the run, so it is annotated as an error.
    expect(run.annotations.find(a => a.title?.endsWith(`[${expected}]`))?.level).toBe('error')
    expect(fake.violations).toEqual([])
    expect(JSON.stringify({ ...run, masked: [] })).not.toContain(token)
    if (expected === 'rate-limited') {
      expect(JSON.parse(run.outputs.report ?? '{}').causes.find((c: { id: string }) => c.id === 'rate-limited')?.message).toMatch(
        /resets at \d{4}-\d{2}-\d{2}T/
      )
    }
  })
})
