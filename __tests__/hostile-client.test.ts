/**
 * The real HTTP client (Octokit + plugin-retry + plugin-throttling + undici fetch) against a hostile loopback
 * server: redirects, bodies cut short, stalled, dripped or huge, rate limits without a reset time, mixed-case
 * header names. Asserts what each call comes back as (the Fact diagnose receives) and how many requests were sent.
 * The rules are docs/how-it-works.md's "Hostile and unusual answers" and docs/causes.md (copied into the test names).
 *
 * Timings are asserted only as generous upper bounds of the budget, never as benchmarks.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { createClient, ERROR_BODY_MS, MAX_BODY_BYTES, MAX_TOTAL_BODY_BYTES, type Fact, type ProbeClient } from '../src/github/client.js'
import { runAction } from '../simulator/run-action.mjs'
import {
  answer,
  chunkedBody,
  cutShort,
  drip,
  hang,
  jsonOfSize,
  stallBody,
  startHostile,
  type Handler,
  type HostileServer
} from './support/hostile-server.js'

const TOKEN = `ghp_${'A1b2C3d4'.repeat(4)}zZ9y`
const USER = JSON.stringify({ login: 'acme-scim', id: 5001, type: 'User' })
/** Short, so that the tests stay fast; one test keeps the default (ERROR_BODY_MS). */
const ERROR_BODY_TEST_MS = 300
/** Scheduling slack on a busy 2-core machine: bounds are the budget plus this, never tight. */
const SLACK_MS = 1500

const servers: HostileServer[] = []
afterAll(async () => {
  await Promise.all(servers.map(s => s.close()))
})

async function serve(handler: Handler): Promise<HostileServer> {
  const server = await startHostile(handler)
  servers.push(server)
  return server
}

function clientFor(server: HostileServer, budgetMs = 10_000, options: { errorBodyMs?: number } = {}): ProbeClient {
  return createClient({
    token: TOKEN,
    apiUrl: server.url,
    deadline: Date.now() + budgetMs,
    retryBaseMs: 1,
    errorBodyMs: options.errorBodyMs ?? ERROR_BODY_TEST_MS
  })
}

async function timed(call: Promise<Fact>): Promise<{ fact: Fact; ms: number }> {
  const started = performance.now()
  const fact = await call
  return { fact, ms: performance.now() - started }
}

function asResponse(fact: Fact): Extract<Fact, { kind: 'response' }> {
  if (fact.kind !== 'response') throw new Error(`expected a response, got ${JSON.stringify(fact)}`)
  return fact
}

describe('redirects are never followed', () => {
  it.each([301, 302, 303, 307, 308])('GET /user answering %i comes back as that status with its Location, sent once', async status => {
    const server = await serve((req, res) => {
      if (req.url === '/user') return answer(res, status, { Location: `${server.url}/stolen` }, '{"message":"Moved"}')
      answer(res, 200, {}, USER)
    })
    const client = clientFor(server)
    const fact = asResponse(await client.get('/user'))
    expect(fact.status).toBe(status)
    expect(fact.headers.location).toBe(`${server.url}/stolen`)
    expect(fact.bodyProblem).toBeUndefined()
    expect(server.requests.map(r => `${r.method} ${r.path}`)).toEqual(['GET /user'])
    expect(client.requestCount).toBe(1)
  })

  it('a 307 from POST /graphql causes exactly one request (the query is never re-sent anywhere)', async () => {
    const server = await serve((_req, res) => answer(res, 307, { Location: `${server.url}/elsewhere/graphql` }))
    const client = clientFor(server)
    const fact = asResponse(await client.graphql('query($login: String!) { user(login: $login) { login } }', { login: 'acme-scim' }))
    expect(fact.status).toBe(307)
    expect(fact.headers.location).toBe(`${server.url}/elsewhere/graphql`)
    expect(server.requests.map(r => `${r.method} ${r.path}`)).toEqual(['POST /graphql'])
    expect(client.requestCount).toBe(1)
  })

  it('a redirect to another host is reported with that host in Location, and nothing is sent there', async () => {
    const server = await serve((_req, res) => answer(res, 302, { Location: 'https://evil.example/login?return=/user' }, ''))
    const fact = asResponse(await clientFor(server).get('/user/memberships/orgs/{org}', { org: 'acme' }))
    expect(fact.status).toBe(302)
    expect(new URL(fact.headers.location ?? '').host).toBe('evil.example')
    expect(server.requests).toHaveLength(1)
  })
})

describe('a 4xx keeps its status whatever its body does, and a 401 is never retried', () => {
  it.each([401, 403, 404])('%i whose connection drops mid-body: that status, body cut-short, one request', async status => {
    const server = await serve((_req, res) => cutShort(res, status, 1000, 20, { 'X-GitHub-Request-Id': 'ABCD' }))
    const client = clientFor(server)
    const fact = asResponse(await client.get('/user'))
    expect(fact).toMatchObject({ status, body: undefined, bodyProblem: 'cut-short' })
    expect(fact.headers['x-github-request-id']).toBe('ABCD')
    expect(server.count('/user')).toBe(1)
    expect(client.requestCount).toBe(1)
  })

  it.each([401, 403, 404])('%i whose body stalls: that status, body stalled, one request, no long wait', async status => {
    const server = await serve((_req, res) => stallBody(res, status))
    const client = clientFor(server)
    const { fact, ms } = await timed(client.get('/user'))
    expect(asResponse(fact)).toMatchObject({ status, body: undefined, bodyProblem: 'stalled' })
    expect(server.count('/user')).toBe(1)
    expect(ms).toBeLessThan(ERROR_BODY_TEST_MS + SLACK_MS)
  })

  // Concurrent: it waits for seconds, and nothing in it is bound tighter than ERROR_BODY_MS or the retry-after.
  it.concurrent('a stalled 401 body is given up after ERROR_BODY_MS (the default), not after the attempt timeout', async () => {
    const server = await serve((_req, res) => stallBody(res, 401))
    // A 60 s budget: one attempt may take 20 s.
    const client = createClient({ token: TOKEN, apiUrl: server.url, deadline: Date.now() + 60_000, retryBaseMs: 1 })
    const { fact, ms } = await timed(client.get('/user'))
    expect(asResponse(fact)).toMatchObject({ status: 401, bodyProblem: 'stalled' })
    expect(server.count('/user')).toBe(1)
    expect(ms).toBeLessThan(ERROR_BODY_MS + SLACK_MS)
  })

  it('a 401 whose body drips one byte at a time: 401, stalled, one request', async () => {
    const server = await serve((_req, res) => drip(res, 'body', 401, 20))
    const client = clientFor(server)
    const fact = asResponse(await client.get('/user'))
    expect(fact).toMatchObject({ status: 401, bodyProblem: 'stalled' })
    expect(server.count('/user')).toBe(1)
  })

  it('a 401 declaring a body over 1 MiB: 401, too-large, one request', async () => {
    const big = jsonOfSize(2 * MAX_BODY_BYTES)
    const server = await serve((_req, res) => answer(res, 401, {}, big))
    const client = clientFor(server)
    expect(asResponse(await client.get('/user'))).toMatchObject({ status: 401, body: undefined, bodyProblem: 'too-large' })
    expect(server.count('/user')).toBe(1)
    expect(client.requestCount).toBe(1)
  })

  it('a 401 sending 1 MiB + 1 byte chunked (no Content-Length): 401, too-large, one request', async () => {
    const big = jsonOfSize(MAX_BODY_BYTES + 1)
    const server = await serve((_req, res) => chunkedBody(res, 401, big))
    const client = clientFor(server)
    expect(asResponse(await client.get('/user'))).toMatchObject({ status: 401, bodyProblem: 'too-large' })
    expect(server.count('/user')).toBe(1)
  })

  it('a 401 from POST /graphql cut short: 401, one request (plugin-throttling does not retry it either)', async () => {
    const server = await serve((_req, res) => cutShort(res, 401))
    const client = clientFor(server)
    expect(asResponse(await client.graphql('query { viewer { login } }', {}))).toMatchObject({ status: 401, bodyProblem: 'cut-short' })
    expect(server.count('/graphql')).toBe(1)
  })

  it('control: a whole 401 keeps its parsed body and has no bodyProblem', async () => {
    const server = await serve((_req, res) => answer(res, 401, {}, '{"message":"Bad credentials","status":"401"}'))
    const fact = asResponse(await clientFor(server).get('/user'))
    expect(fact.status).toBe(401)
    expect(fact.body).toEqual({ message: 'Bad credentials', status: '401' })
    expect('bodyProblem' in fact).toBe(false)
  })
})

describe('2xx and 5xx bodies that break are network faults, retried as before', () => {
  it.each([200, 502])('%i cut short mid-body: a network fault after 1 + 2 attempts', async status => {
    const server = await serve((_req, res) => cutShort(res, status))
    const client = clientFor(server)
    const fact = await client.get('/user')
    expect(fact.kind).toBe('fault')
    expect(server.count('/user')).toBe(3)
    expect(client.requestCount).toBe(3)
  })

  it('a 200 cut short once, then whole: the retry succeeds', async () => {
    let n = 0
    const server = await serve((_req, res) => (n++ === 0 ? cutShort(res, 200) : answer(res, 200, {}, USER)))
    const fact = asResponse(await clientFor(server).get('/user'))
    expect(fact).toMatchObject({ status: 200, body: { login: 'acme-scim' } })
    expect(server.count('/user')).toBe(2)
  })
})

describe('bodies are bounded: 1 MiB an answer, 16 MiB a run', () => {
  it('a 200 of exactly 1 MiB is read; one of 1 MiB + 1 is too-large and not retried', async () => {
    const server = await serve((req, res) => chunkedBody(res, 200, jsonOfSize(req.url === '/user' ? MAX_BODY_BYTES : MAX_BODY_BYTES + 1)))
    const client = clientFor(server)
    const exact = asResponse(await client.get('/user'))
    expect(exact.bodyProblem).toBeUndefined()
    expect((exact.body as { pad: string }).pad.length).toBe(MAX_BODY_BYTES - 10)
    const over = asResponse(await client.get('/user/memberships/orgs/{org}', { org: 'acme' }))
    expect(over).toMatchObject({ status: 200, body: undefined, bodyProblem: 'too-large' })
    expect(server.requests).toHaveLength(2)
  })

  it('once 16 MiB are read, no body is read any more: later answers keep their status with budget-spent', async () => {
    const mib = jsonOfSize(MAX_BODY_BYTES)
    const server = await serve((req, res) => (req.url === '/user' ? cutShort(res, 401) : chunkedBody(res, 200, mib)))
    const client = clientFor(server, 20_000)
    const answers = MAX_TOTAL_BODY_BYTES / MAX_BODY_BYTES
    for (let i = 0; i < answers; i++) {
      const fact = asResponse(await client.get('/orgs/{org}', { org: `org${i}` }))
      expect(fact.bodyProblem).toBeUndefined()
    }
    const spent = asResponse(await client.get('/orgs/{org}', { org: 'one-too-many' }))
    expect(spent).toMatchObject({ status: 200, body: undefined, bodyProblem: 'budget-spent' })
    // A 4xx still keeps its status once the budget is spent, and is still not retried.
    const unauthorized = asResponse(await client.get('/user'))
    expect(unauthorized).toMatchObject({ status: 401, body: undefined, bodyProblem: 'budget-spent' })
    expect(server.count('/user')).toBe(1)
    expect(server.requests).toHaveLength(answers + 2)
  })
})

describe('rate limits without a reset time are reported at once, not retried', () => {
  const resetIn = (s: number): string => String(Math.floor(Date.now() / 1000) + s)
  const CASES: Array<[string, number, Record<string, string>, string]> = [
    [
      'primary 403, X-RateLimit-Remaining: 0, no reset',
      403,
      { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Limit': '5000' },
      'API rate limit exceeded for user ID 5001.'
    ],
    ['primary 429, no reset', 429, { 'X-RateLimit-Remaining': '0' }, 'API rate limit exceeded for user ID 5001.'],
    [
      'primary 429, retry-after but no reset (plugin-throttling would wait 0 s)',
      429,
      { 'X-RateLimit-Remaining': '0', 'Retry-After': '0' },
      'API rate limit exceeded for user ID 5001.'
    ],
    [
      'primary 403, garbage reset',
      403,
      { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': 'soon' },
      'API rate limit exceeded for user ID 5001.'
    ],
    ['secondary 403, no retry-after', 403, {}, 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'],
    ['secondary 429, no retry-after', 429, {}, 'You have exceeded a secondary rate limit.'],
    [
      'primary 403, reset in an hour (beyond the budget)',
      403,
      { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': resetIn(3600) },
      'API rate limit exceeded.'
    ],
    ['secondary 403, retry-after 3600 (beyond the budget)', 403, { 'Retry-After': '3600' }, 'You have exceeded a secondary rate limit.']
  ]
  it.each(CASES)('%s: one request, the answer as it came', async (_name, status, headers, message) => {
    const server = await serve((_req, res) => answer(res, status, headers, JSON.stringify({ message })))
    // A budget over 61 s: plugin-throttling's own fallback (a secondary limit without retry-after: wait 60 s) would fit.
    const client = clientFor(server, 120_000)
    const fact = asResponse(await client.get('/user'))
    expect(fact.status).toBe(status)
    expect(fact.body).toEqual({ message })
    for (const [name, value] of Object.entries(headers)) expect(fact.headers[name.toLowerCase()]).toBe(value)
    expect(server.count('/user')).toBe(1)
    expect(client.requestCount).toBe(1)
  })

  it('POST /graphql: a primary limit without a reset is not retried either', async () => {
    const server = await serve((_req, res) => answer(res, 403, { 'X-RateLimit-Remaining': '0' }, '{"message":"API rate limit exceeded"}'))
    const client = clientFor(server)
    expect(asResponse(await client.graphql('query { viewer { login } }', {})).status).toBe(403)
    expect(server.count('/graphql')).toBe(1)
  })

  // Concurrent: it waits for seconds, and nothing in it is bound tighter than ERROR_BODY_MS or the retry-after.
  it.concurrent('control: a secondary limit with retry-after 1 (fits the budget) is waited for once, then succeeds', async () => {
    let n = 0
    const server = await serve((_req, res) =>
      n++ === 0
        ? answer(res, 403, { 'Retry-After': '1' }, '{"message":"You have exceeded a secondary rate limit."}')
        : answer(res, 200, {}, USER)
    )
    const fact = asResponse(await clientFor(server).get('/user'))
    expect(fact.status).toBe(200)
    expect(server.count('/user')).toBe(2)
  })
})

describe('header names', () => {
  const MIXED = {
    'X-OAuth-Scopes': 'admin:org, repo',
    'X-Accepted-OAuth-Scopes': 'admin:org',
    'X-RateLimit-Remaining': '4999',
    'X-RateLimit-Reset': '1893456000',
    'X-GitHub-SSO': 'required; url=https://github.com/orgs/acme/sso?authorization_request=ABC',
    'X-GitHub-Request-Id': 'C0DE:1234',
    'GitHub-Authentication-Token-Expiration': '2030-01-01 00:00:00 UTC'
  }
  it.each([200, 403])('mixed-case names sent over HTTP/1.1 reach the Fact lower-cased (%i)', async status => {
    const server = await serve((_req, res) =>
      answer(res, status, MIXED, status === 200 ? USER : '{"message":"Resource protected by organization SAML enforcement."}')
    )
    const fact = asResponse(await clientFor(server).get('/user'))
    expect(fact.status).toBe(status)
    for (const key of Object.keys(fact.headers)) expect(key).toBe(key.toLowerCase())
    for (const [name, value] of Object.entries(MIXED)) expect(fact.headers[name.toLowerCase()]).toBe(value)
  })
})

describe('every call ends within the budget whatever the server does', () => {
  const BUDGET_MS = 1500
  const CASES: Array<[string, Handler, (f: Fact) => void]> = [
    ['never answers', (_q, res) => hang(res), f => expect(f).toMatchObject({ kind: 'fault', fault: 'timeout' })],
    ['200 headers, then the body stalls', (_q, res) => stallBody(res, 200), f => expect(f.kind).toBe('fault')],
    ['drips the status line and headers', (_q, res) => drip(res, 'head', 200, 20), f => expect(f.kind).toBe('fault')],
    ['drips a 200 body', (_q, res) => drip(res, 'body', 200, 20), f => expect(f.kind).toBe('fault')],
    // The 4xx body limit ends before the budget, so the status still comes back.
    [
      'drips a 401 body',
      (_q, res) => drip(res, 'body', 401, 20),
      f => expect(f).toMatchObject({ kind: 'response', status: 401, bodyProblem: 'stalled' })
    ]
  ]
  it.concurrent.each(CASES)('%s', async (_name, handler, check) => {
    const server = await serve(handler)
    const client = clientFor(server, BUDGET_MS, { errorBodyMs: ERROR_BODY_MS })
    const [user, graphql] = await Promise.all([timed(client.get('/user')), timed(client.graphql('query { viewer { login } }', {}))])
    check(user.fact)
    check(graphql.fact)
    expect(Math.max(user.ms, graphql.ms)).toBeLessThan(BUDGET_MS + SLACK_MS)
    // GET /user (and the query) are never sent more than 1 + 2 times.
    expect(server.count('/user')).toBeLessThanOrEqual(3)
  })
})

describe('the built action (dist/index.js) against a hostile server', () => {
  it.concurrent('a 401 to GET /user cut short mid-body: one request in the whole run, and not healthy', async () => {
    const server = await serve((_req, res) => cutShort(res, 401))
    const run = await runAction({ token: TOKEN, org: 'acme', 'api-url': server.url, 'timeout-seconds': '10' })
    expect(server.requests.map(r => `${r.method} ${r.path}`)).toEqual(['GET /user'])
    expect(['failing', 'inconclusive']).toContain(run.outputs.status)
    expect(run.code).toBe(1)
  })

  it.concurrent('a redirect on every route: nothing followed, nothing sent twice, not healthy', async () => {
    const server = await serve((req, res) =>
      req.url === '/user'
        ? answer(res, 200, { 'X-OAuth-Scopes': 'admin:org' }, USER)
        : answer(res, 307, { Location: `${server.url}/stolen${req.url ?? ''}` }, '')
    )
    const run = await runAction({ token: TOKEN, org: 'acme', 'api-url': server.url, 'timeout-seconds': '10' })
    expect(server.requests.filter(r => r.path.startsWith('/stolen'))).toEqual([])
    const seen = server.requests.map(r => `${r.method} ${r.path}`)
    expect(new Set(seen).size).toBe(seen.length)
    expect(run.outputs.status).not.toBe('healthy')
  })

  it.concurrent('slowloris on every body: the run ends inside timeout-seconds, inconclusive', async () => {
    const server = await serve((_req, res) => drip(res, 'body', 200, 50))
    const run = await runAction({ token: TOKEN, org: 'acme', 'api-url': server.url, 'timeout-seconds': '3' })
    expect(run.durationMs).toBeLessThan(3000 + SLACK_MS)
    expect(run.outputs.status).toBe('inconclusive')
  })
})

describe('peak memory: 100 orgs answering huge bodies', () => {
  const PEAK_RSS = fileURLToPath(new URL('./support/peak-rss.mjs', import.meta.url))
  const MIB = 1024 * 1024
  const ORGS = Array.from({ length: 100 }, (_, i) => `org-${i}`).join(',')
  const TIMEOUT_S = 20
  // One shared buffer per case: the server's own memory is not what is measured (the action runs in a child).
  const CASES: Array<[string, Buffer, boolean]> = [
    ['4 MiB bodies with Content-Length', jsonOfSize(4 * MIB), false],
    ['1 MiB + 1 byte bodies, chunked', jsonOfSize(MIB + 1), true]
  ]
  it.concurrent.each(CASES)(
    '%s: dist/index.js stays under 200 MiB and inside timeout-seconds',
    async (_name, body, chunked) => {
      const server = await serve((req, res) => {
        if (req.url === '/user') return answer(res, 200, { 'X-OAuth-Scopes': 'admin:org' }, USER)
        if (chunked) chunkedBody(res, 200, body, { 'X-OAuth-Scopes': 'admin:org' })
        else answer(res, 200, { 'X-OAuth-Scopes': 'admin:org' }, body)
      })
      const dir = mkdtempSync(join(tmpdir(), 'ptc-rss-'))
      const rssFile = join(dir, 'peak')
      try {
        const run = await runAction(
          { token: TOKEN, org: ORGS, 'api-url': server.url, 'timeout-seconds': String(TIMEOUT_S) },
          { env: { NODE_OPTIONS: `--import=${pathToFileURL(PEAK_RSS).href}`, PEAK_RSS_FILE: rssFile } }
        )
        const peakKiB = Number(readFileSync(rssFile, 'utf8'))
        expect(peakKiB).toBeGreaterThan(0)
        expect(peakKiB * 1024).toBeLessThan(200 * MIB)
        expect(run.durationMs).toBeLessThan(TIMEOUT_S * 1000 + SLACK_MS)
        expect(run.outputs.status).not.toBe('healthy')
        expect(['healthy', 'warning', 'failing', 'inconclusive']).toContain(run.outputs.status)
        // 1 GET /user + 1 query + 3 requests per org at most: the huge answers were not retried.
        expect(server.requests.length).toBeLessThanOrEqual(2 + 100 * 3)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
    60_000
  )
})
