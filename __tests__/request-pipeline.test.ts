/**
 * Issue 18, the request path of a many-org run (speed itself is measured by `npm run bench`, never here):
 * - plugin-retry queues each request through src/github/limiter.ts, not a Bottleneck of its own (in the tests
 *   through jest.config.js's moduleNameMapper, in dist/ through tsconfig.json's paths: both are checked);
 * - the cap of 50 requests in flight is held at the wire: the 51st request is sent as soon as one answer's
 *   body has been read (calls are built PREPARING_AT_ONCE at a time, ahead of the wire, and wait there);
 * - retries still follow plugin-retry's rules (a 5xx retried, a 401 never).
 */
import { afterAll, describe, expect, it, jest } from '@jest/globals'
import { readFileSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createClient, DEFAULT_MAX_CONCURRENT, PREPARING_AT_ONCE, type Fact } from '../src/github/client.js'
import { Limiter } from '../src/github/limiter.js'
import { bundleText } from './support/bundle.js'
import { answer, startHostile, type Handler, type HostileServer } from './support/hostile-server.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const TOKEN = `ghp_${'Q7w8E9r0'.repeat(4)}xX1y`
const USER = JSON.stringify({ login: 'acme-scim', id: 5001, type: 'User' })

const servers: HostileServer[] = []
afterAll(async () => {
  await Promise.all(servers.map(s => s.close()))
})

async function serve(handler: Handler): Promise<HostileServer> {
  const server = await startHostile(handler)
  servers.push(server)
  return server
}

const client = (server: HostileServer) => createClient({ token: TOKEN, apiUrl: server.url, deadline: Date.now() + 20_000, retryBaseMs: 1 })

/** Resolves once `check` holds, looking after each turn of the event loop (bounded by the test's timeout). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise(res => setTimeout(res, 5))
}

describe("plugin-retry's queue is ours", () => {
  it('bottleneck/light.js is src/github/limiter.ts here, as in the build', async () => {
    const mapped = (await import('bottleneck/light.js' as string)) as { default: unknown }
    expect(mapped.default).toBe(Limiter)
    const paths = readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')
    expect(paths).toMatch(/"bottleneck\/light\.js": \["\.\/src\/github\/limiter\.ts"\]/)
  })

  it('plugin-retry schedules every request through Limiter and retries a 502 through it; a 401 is sent once', async () => {
    const schedule = jest.spyOn(Limiter.prototype, 'schedule')
    try {
      let n = 0
      const flaky = await serve((_req, res) => (n++ === 0 ? answer(res, 502, {}, '{}') : answer(res, 200, {}, USER)))
      const fact = await client(flaky).get('/user')
      expect(fact).toMatchObject({ kind: 'response', status: 200 })
      expect(flaky.count('/user')).toBe(2)
      // plugin-retry's call: schedule(requestWithGraphqlErrorHandling, options), once per call (retries inside it).
      const byRetry = schedule.mock.calls.filter(
        args => typeof args[0] === 'function' && args[0].name.includes('requestWithGraphqlErrorHandling')
      )
      expect(byRetry).toHaveLength(1)

      const refused = await serve((_req, res) => answer(res, 401, {}, '{"message":"Bad credentials"}'))
      expect(await client(refused).get('/user')).toMatchObject({ kind: 'response', status: 401 })
      expect(refused.count('/user')).toBe(1)
    } finally {
      schedule.mockRestore()
    }
  })

  it.each(['dist', 'dist/cli'])('%s (the entry and its chunks) bundles no Bottleneck', dir => {
    const bundle = bundleText(join(ROOT, dir))
    expect(bundle).toContain('provisioning-token-check')
    expect(bundle).not.toContain('dropped by Bottleneck')
    expect(bundle).not.toContain('This limiter has been stopped')
  })
})

describe('the cap of requests in flight is held at the wire', () => {
  it(`${DEFAULT_MAX_CONCURRENT} requests go out, the next one as soon as an answer is read, in call order`, async () => {
    expect(PREPARING_AT_ONCE).toBeGreaterThanOrEqual(1)
    expect(PREPARING_AT_ONCE).toBeLessThan(DEFAULT_MAX_CONCURRENT)
    const held: ServerResponse[] = []
    const server = await serve((_req, res) => held.push(res))
    const c = client(server)
    const total = DEFAULT_MAX_CONCURRENT + 10
    const facts: Array<Promise<Fact>> = []
    for (let i = 0; i < total; i++) facts.push(c.get('/orgs/{org}', { org: `org${i}` }))
    await until(() => server.requests.length === DEFAULT_MAX_CONCURRENT)
    // Some turns of the event loop later, still no more than the cap.
    for (let i = 0; i < 20; i++) await new Promise(res => setImmediate(res))
    expect(server.requests).toHaveLength(DEFAULT_MAX_CONCURRENT)
    expect(c.requestCount).toBe(DEFAULT_MAX_CONCURRENT)

    answer(held.shift() as ServerResponse, 200, {}, '{"login":"org0"}')
    await until(() => server.requests.length === DEFAULT_MAX_CONCURRENT + 1)
    // In call order: the first call beyond the cap went out first.
    expect(server.requests.at(-1)?.path).toBe(`/orgs/org${DEFAULT_MAX_CONCURRENT}`)
    expect(await facts[0]).toMatchObject({ kind: 'response', status: 200 })

    for (;;) {
      const res = held.shift()
      if (res) answer(res, 200, {}, '{}')
      else if (server.requests.length === total) break
      else await new Promise(r => setTimeout(r, 5))
    }
    const all = await Promise.all(facts)
    expect(all.every(f => f.kind === 'response' && f.status === 200)).toBe(true)
    expect(new Set(server.requests.map(r => r.path)).size).toBe(total)
  })
})

describe("the wire: undici's dispatcher, not its fetch (what Octokit and the probes still see)", () => {
  it('json-with-bigint is src/github/json.ts here, as in the build: a huge integer stays a number, never a BigInt', async () => {
    const mapped = (await import('json-with-bigint' as string)) as { JSONParse: (t: string) => unknown }
    expect(mapped.JSONParse('{"id":123456789012345678901234567890}')).toEqual({ id: 1.2345678901234568e29 })
    expect(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')).toMatch(/"json-with-bigint": \["\.\/src\/github\/json\.ts"\]/)
    const server = await serve((_req, res) => answer(res, 200, {}, '{"login":"acme-scim","id":123456789012345678901234567890}'))
    const fact = await client(server).get('/user')
    expect(fact).toMatchObject({ kind: 'response', status: 200 })
    const id = (fact as { body: { id: unknown } }).body.id
    expect(typeof id).toBe('number')
  })

  it.each(['dist/index.js', 'dist/cli/index.js'])('%s bundles no json-with-bigint (its BigInt marker regex)', file => {
    expect(readFileSync(join(ROOT, file), 'utf8')).not.toContain('n+"$/')
  })

  it('headers as fetch shows them: names lower-case, repeated ones joined with ", "; the body decoded as UTF-8, a BOM dropped', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, [
        ['Content-Type', 'application/json; charset=utf-8'],
        ['X-OAuth-Scopes', 'repo'],
        ['Link', '<a>; rel="next"'],
        ['Link', '<b>; rel="last"']
      ])
      res.end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"login":"zoë"}')]))
    })
    const fact = await client(server).get('/user')
    expect(fact).toMatchObject({
      kind: 'response',
      status: 200,
      headers: { 'x-oauth-scopes': 'repo', link: '<a>; rel="next", <b>; rel="last"' },
      body: { login: 'zoë' }
    })
  })

  it('sends what Octokit built and nothing more: no accept-encoding (nothing is decompressed), the token once', async () => {
    const server = await serve((_req, res) => answer(res, 200, {}, USER))
    const c = client(server)
    await c.get('/user')
    await c.graphql('query { viewer { login } }', {})
    const [get, post] = server.requests
    expect(get).toMatchObject({ method: 'GET', path: '/user' })
    expect(get?.headers.authorization).toBe(`token ${TOKEN}`)
    expect(get?.headers['user-agent']).toMatch(/^provisioning-token-check/)
    expect(get?.headers['accept-encoding']).toBeUndefined()
    expect(post).toMatchObject({ method: 'POST', path: '/graphql' })
    expect(post?.headers['content-type']).toMatch(/^application\/json/)
  })
})
