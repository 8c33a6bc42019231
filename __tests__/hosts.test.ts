/**
 * EMU enterprises, GHE.com and GHES hosts, and proxies: dist/index.js end to
 * end against the simulator. The runs of these scenarios as they are (no input
 * but the enterprise or the org) have step debug on, and are held to the secrecy
 * rules of e2e.test.ts's sweep over every scenario: that sweep leaves them to
 * this file, so that each runs once (issue 18).
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { startFake } from '../simulator/github-fake.mjs'
import { leaksOf, runAction as spawnAction } from '../simulator/run-action.mjs'
import { daysFromNow, EMU_TOKEN, makeToken, scenarioWorld, type ScenarioName } from '../simulator/worlds.mjs'
import { startForwardProxy, type ForwardProxy } from './support/forward-proxy.js'
import { DEBUG_ENV, expectSweepInvariants, SWEPT_BY_HOSTS } from './support/secrecy.js'
import { QUEUED_TIMEOUT_MS, slots, SPAWN_SLOTS } from './support/slots.js'

const closers: Array<{ close(): Promise<void> }> = []
afterAll(async () => {
  await Promise.all(closers.map(s => s.close()))
})

/** Every case runs concurrently, a few processes at a time (support/slots.ts). */
const slot = slots(SPAWN_SLOTS)
const runAction = (...args: Parameters<typeof spawnAction>) => slot(() => spawnAction(...args))

async function fakeFor(scenario: ScenarioName, mutate: (w: ReturnType<typeof scenarioWorld>['world']) => void = () => undefined) {
  const { world, token } = scenarioWorld(scenario)
  mutate(world)
  const fake = await startFake(world)
  closers.push(fake)
  return { fake, token }
}

/** The run of a scenario as it is, with step debug on: made once, read by its case and by the sweep below. */
const plainRuns = new Map<ScenarioName, ReturnType<typeof plainRun>>()
async function plainRun(scenario: ScenarioName) {
  const { fake, token } = await fakeFor(scenario)
  const where = scenario.startsWith('emu-') ? { enterprise: 'fabrikam' } : { org: 'acme' }
  const run = await runAction({ token, ...where, 'api-url': fake.apiUrl, 'timeout-seconds': '20' }, { env: DEBUG_ENV })
  return { run, fake, token }
}
function plain(scenario: ScenarioName): ReturnType<typeof plainRun> {
  const known = plainRuns.get(scenario)
  if (known) return known
  const made = plainRun(scenario)
  plainRuns.set(scenario, made)
  return made
}

async function emu(scenario: ScenarioName, inputs: Record<string, string> = {}, mutate?: Parameters<typeof fakeFor>[1]) {
  const { run, fake, token } =
    Object.keys(inputs).length === 0 && mutate === undefined
      ? await plain(scenario)
      : await (async () => {
          const made = await fakeFor(scenario, mutate)
          const r = await runAction({
            token: made.token,
            enterprise: 'fabrikam',
            'api-url': made.fake.apiUrl,
            'timeout-seconds': '20',
            ...inputs
          })
          return { run: r, ...made }
        })()
  expect(leaksOf(run, token)).toEqual([])
  expect(fake.violations).toEqual([])
  return { run, fake }
}

describe('Enterprise Managed Users', () => {
  it.concurrent(
    'a healthy setup-user token is healthy, with enterprise SCIM asked exactly as the IdP does',
    async () => {
      const { run, fake } = await emu('emu-healthy')
      expect(run.outputs.status).toBe('healthy')
      expect(run.outputs.causes).toBe('')
      expect(run.code).toBe(0)
      expect(run.outputs.login).toBe('fab_admin')
      const scim = fake.requests.find(r => r.path === '/scim/v2/enterprises/fabrikam/Users')
      expect(scim?.query).toMatchObject({ startIndex: '1', count: '1' })
      expect(scim?.accept).toBe('application/scim+json')
      // enterprise alone: no org is checked.
      expect(fake.requests.map(r => r.path).sort()).toEqual(['/scim/v2/enterprises/fabrikam/Users', '/user'])
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'an EMU token with any expiry: token-expires (warning) with the date and days left',
    async () => {
      const { run } = await emu('emu-healthy', {}, w => void (w.tokens[EMU_TOKEN]!.expiresAt = daysFromNow(200)))
      expect(run.outputs.status).toBe('warning')
      expect(run.outputs.causes).toBe('token-expires')
      expect(run.code).toBe(0)
      expect(Number(run.outputs['days-until-expiry'])).toBeGreaterThanOrEqual(199)
      expect(run.report?.causes[0]).toMatchObject({ id: 'token-expires', enterprise: 'fabrikam', org: null })
      expect(run.report?.causes[0]?.message).toContain(run.outputs['expires-at'])
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'an EMU token expiring soon: token-expiring thresholds still apply',
    async () => {
      const { run } = await emu('emu-healthy', {}, w => void (w.tokens[EMU_TOKEN]!.expiresAt = daysFromNow(3)))
      expect(run.outputs.causes).toBe('token-expiring,token-expires')
      expect(run.outputs.status).toBe('failing')
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'admin:enterprise only: still works, with a scope-excessive notice recommending scim:enterprise',
    async () => {
      const { run } = await emu('emu-admin-enterprise')
      expect(run.outputs.status).toBe('healthy')
      expect(run.outputs.causes).toBe('scope-excessive')
      expect(run.annotations.find(a => a.title?.endsWith('[scope-excessive]'))?.level).toBe('notice')
      expect(run.report?.causes[0]?.message).toContain('scim:enterprise')
      expect(run.code).toBe(0)
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    "not-setup-user for another owner's token",
    async () => {
      const other = makeToken('ghp_', 'emu-other-owner')
      const { world } = scenarioWorld('emu-healthy')
      world.users['jdoe_fab'] = { id: 7007 }
      world.enterprises.fabrikam!.owners.push('jdoe_fab')
      world.tokens[other] = { login: 'jdoe_fab', scopes: ['scim:enterprise'] }
      const fake = await startFake(world)
      closers.push(fake)
      const run = await runAction({ token: other, enterprise: 'fabrikam', 'api-url': fake.apiUrl })
      expect(run.outputs.status).toBe('warning')
      expect(run.outputs.causes).toBe('not-setup-user')
      expect(run.report?.causes[0]).toMatchObject({ enterprise: 'fabrikam' })
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'SCIM 401 (token refused by SCIM though GET /user took it): scim-forbidden',
    async () => {
      const { run } = await emu('emu-healthy', {}, w => {
        w.faults = {
          'GET /scim/v2/enterprises/{enterprise}/Users': {
            kind: 'status',
            status: 401,
            body: { message: 'Authorization failure', documentation_url: 'https://docs.github.com/rest' }
          }
        }
      })
      expect(run.outputs.causes).toBe('scim-forbidden')
      expect(run.code).toBe(1)
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'SCIM 403 for an account that is no enterprise owner: scim-forbidden',
    async () => {
      const { run } = await emu('emu-not-owner')
      expect(run.outputs.causes).toBe('scim-forbidden')
      expect(run.report?.causes[0]).toMatchObject({ enterprise: 'fabrikam', org: null })
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'SCIM 404 (enterprise SCIM off): scim-not-available',
    async () => {
      const { run } = await emu('emu-scim-off')
      expect(run.outputs.causes).toBe('scim-not-available')
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'a wrong slug: scim-not-available naming the slug and the host hint',
    async () => {
      const { run } = await emu('emu-healthy', { enterprise: 'fabrikom' })
      expect(run.outputs.causes).toBe('scim-not-available')
      expect(run.report?.causes[0]?.message).toContain('ghe.com')
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'without scim:enterprise: scope-missing, not a SCIM refusal',
    async () => {
      const { run } = await emu('emu-scope-missing')
      expect(run.outputs.causes).toBe('scope-missing')
      expect(run.outputs['missing-scopes']).toBe('scim:enterprise')
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'org and enterprise together: both checked in one run, each cause tagged with where it applies',
    async () => {
      const { fake, token } = await fakeFor('healthy')
      const run = await runAction({ token, org: 'acme', enterprise: 'fabrikam', 'api-url': fake.apiUrl })
      expect(fake.requests.map(r => r.path)).toEqual(
        expect.arrayContaining(['/scim/v2/organizations/acme/Users', '/scim/v2/enterprises/fabrikam/Users'])
      )
      expect(run.report?.causes.map(c => [c.id, c.org, c.enterprise])).toEqual([
        ['scope-missing', null, null],
        ['not-setup-user', null, 'fabrikam']
      ])
      expect(run.summary).toMatch(/\| acme \| owner \|/)
    },
    QUEUED_TIMEOUT_MS
  )
})

describe('hosts', () => {
  it.concurrent(
    'GHES (X-GitHub-Enterprise-Version 3.17.0): REST under /api/v3, org SCIM skipped with a note, not failed',
    async () => {
      const { fake, run } = await plain('ghes')
      expect(fake.apiUrl).toMatch(/\/api\/v3$/)
      expect(run.outputs.status).toBe('healthy')
      expect(run.code).toBe(0)
      expect(fake.requests.some(r => r.path.startsWith('/scim/'))).toBe(false)
      expect(fake.requests.every(r => r.rawPath.startsWith('/api/v3/'))).toBe(true)
      expect(run.summary).toContain('GitHub Enterprise Server')
      expect(run.summary).toContain('Organization SCIM and SSO authorization records: they do not exist on GitHub Enterprise Server.')
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'GHES with an enterprise: enterprise SCIM skipped with a note',
    async () => {
      const { fake, token } = await fakeFor('ghes')
      const run = await runAction({ token, enterprise: 'fabrikam', 'api-url': fake.apiUrl })
      expect(fake.requests.some(r => r.path.startsWith('/scim/'))).toBe(false)
      expect(run.summary).toContain('Enterprise SCIM: GitHub Enterprise Server has instance SCIM')
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'GHES: the GraphQL endpoint belongs to api-url (/api/graphql)',
    async () => {
      // Force the GraphQL query on a GHES-shaped URL: a dotcom world served under /api/v3 is not possible, so
      // check the mapping the client uses.
      const { graphqlUrl } = await import('../src/github/client.js')
      expect(graphqlUrl('https://ghes.example.com/api/v3')).toBe('https://ghes.example.com/api/graphql')
      expect(graphqlUrl('https://api.github.com')).toBe('https://api.github.com/graphql')
      expect(graphqlUrl('https://api.acme.ghe.com')).toBe('https://api.acme.ghe.com/graphql')
      expect(graphqlUrl('http://127.0.0.1:8080/prefix')).toBe('http://127.0.0.1:8080/prefix/graphql')
    },
    QUEUED_TIMEOUT_MS
  )
})

describe('across these scenarios, with step debug on (the rest of the sweep is in e2e.test.ts)', () => {
  it.concurrent.each(SWEPT_BY_HOSTS)(
    '%s',
    async scenario => {
      const { run, fake, token } = await plain(scenario)
      expectSweepInvariants(run, fake, token)
    },
    QUEUED_TIMEOUT_MS
  )
})

describe('proxies', () => {
  async function withProxy(): Promise<ForwardProxy> {
    const proxy = await startForwardProxy()
    closers.push(proxy)
    return proxy
  }

  it.concurrent(
    'plain http to a named host is refused before any request, even through a proxy (a token never crosses a network in clear)',
    async () => {
      const { fake, token } = await fakeFor('healthy')
      const proxy = await withProxy()
      const port = new URL(fake.url).port
      const run = await runAction(
        { token, org: 'acme', 'api-url': `http://api.acme.ghe.com:${port}` },
        { env: { HTTP_PROXY: proxy.url, http_proxy: proxy.url } }
      )
      expect(run.outputs.causes).toBe('input-invalid')
      expect(run.annotations.find(a => a.title?.endsWith('[input-invalid]'))?.message).toMatch(/"api-url".*loopback hosts only/)
      expect(proxy.requests).toEqual([])
      expect(fake.requests).toEqual([])
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'a healthy run through the proxy',
    async () => {
      const { fake, token } = await fakeFor('healthy')
      const proxy = await withProxy()
      const port = new URL(fake.url).port
      // An IPv4-mapped IPv6 literal: not "loopback" to the proxy rules, yet reachable directly.
      const run = await runAction(
        { token, org: 'acme', 'api-url': `http://[::ffff:127.0.0.1]:${port}` },
        { env: { HTTP_PROXY: proxy.url } }
      )
      expect(run.outputs.status).toBe('healthy')
      expect(proxy.requests.length).toBe(fake.requests.length)
      expect(proxy.requests.length).toBeGreaterThanOrEqual(5)
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'NO_PROXY naming the API host bypasses the proxy',
    async () => {
      const { fake, token } = await fakeFor('healthy')
      const proxy = await withProxy()
      const port = new URL(fake.url).port
      const run = await runAction(
        { token, org: 'acme', 'api-url': `http://[::ffff:127.0.0.1]:${port}` },
        { env: { HTTP_PROXY: proxy.url, NO_PROXY: 'example.com,[::ffff:7f00:1]' } }
      )
      expect(run.outputs.status).toBe('healthy')
      expect(fake.requests.length).toBeGreaterThanOrEqual(5)
      expect(proxy.requests).toEqual([])
      expect(proxy.tunnels).toBe(0)
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'a proxy that is down is github-unavailable, not the token',
    async () => {
      const { fake, token } = await fakeFor('healthy')
      const proxy = await startForwardProxy()
      const deadUrl = proxy.url
      await proxy.close()
      const port = new URL(fake.url).port
      const run = await runAction(
        { token, org: 'acme', 'api-url': `http://[::ffff:127.0.0.1]:${port}`, 'timeout-seconds': '5' },
        { env: { HTTP_PROXY: deadUrl } }
      )
      expect(run.outputs.status).toBe('inconclusive')
      expect(run.outputs.causes).toBe('github-unavailable')
      expect(fake.requests).toEqual([])
    },
    QUEUED_TIMEOUT_MS
  )
})
