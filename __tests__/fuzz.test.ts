/**
 * Property-based: the simulator's answers are mutated (status, headers, body
 * bytes, missing fields, wrong types, huge values, unicode) and the real
 * pipeline (inputs, Octokit client, probes, diagnose, report) runs in-process
 * against it. Whatever the answer, the run never throws, always sets a status,
 * is never healthy on an answer that is not GitHub's healthy one, and fails
 * exactly when its status says so.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { startFake, type Fault, type FakeGitHub, type RouteKey } from '../simulator/github-fake.mjs'
import { HEALTHY_TOKEN, healthyWorld } from '../simulator/worlds.mjs'
import { run, type RunCore } from '../src/action/run.js'

/**
 * 100 runs by default keep `npm test` fast (the first 100 of CI's sequence: the seed is fixed); CI runs 1000
 * (.ci/run), and a deep run (FUZZ_RUNS=2000, about two minutes here) is for before a release. FUZZ_SEED
 * replays a failure.
 */
const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 100)

interface Captured {
  outputs: Record<string, string>
  /** The exit code a failing run sets (publish sets process.exitCode, never core.setFailed). */
  failed: string | null
  annotations: Array<{ level: string; text: string }>
  logs: string[]
}

function fakeCore(inputs: Record<string, string>, captured: Captured): RunCore {
  const summary = { addRaw: () => summary, write: async () => summary }
  return {
    getInput: (name: string) => inputs[name] ?? '',
    setSecret: () => undefined,
    debug: (m: string) => void captured.logs.push(m),
    info: (m: string) => void captured.logs.push(m),
    error: (m: string | Error) => void captured.annotations.push({ level: 'error', text: String(m) }),
    warning: (m: string | Error) => void captured.annotations.push({ level: 'warning', text: String(m) }),
    notice: (m: string | Error) => void captured.annotations.push({ level: 'notice', text: String(m) }),
    setOutput: (name: string, value: unknown) => void (captured.outputs[name] = String(value)),
    summary: summary as unknown as RunCore['summary']
  } as RunCore
}

const ROUTES: RouteKey[] = [
  'GET /user',
  'GET /orgs/{org}',
  'GET /user/memberships/orgs/{org}',
  'GET /orgs/{org}/credential-authorizations',
  'GET /scim/v2/organizations/{org}/Users',
  'POST /graphql'
]

// Field names that make a body look like GitHub's healthy answer; mutated objects never carry them.
const KEY_FIELDS = new Set(['login', 'id', 'state', 'role', 'schemas', 'totalResults', 'data', 'errors', 'Resources'])
const junkKey = fc.string({ minLength: 1, maxLength: 12 }).filter(k => !KEY_FIELDS.has(k) && k !== '__proto__')
const scalar = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.string(), fc.string({ unit: 'grapheme' }))
const wrongObject = fc.dictionary(junkKey, scalar, { maxKeys: 5 })
const wrongTypes = fc.record({
  login: fc.oneof(fc.integer(), fc.constant(null), fc.constant(''), fc.array(fc.string(), { maxLength: 2 })),
  id: fc.oneof(fc.string(), fc.constant(null)),
  state: fc.constantFrom('ACTIVE', 'invited', '', 1),
  role: fc.constantFrom(null, 7, ['admin']),
  schemas: fc.constantFrom('urn:ietf:params:scim:api:messages:2.0:ListResponse', null, ['x']),
  totalResults: fc.constantFrom('1', null),
  data: fc.constantFrom(null, 'x', 1)
})

/** A JSON body that is no route's healthy answer. */
const badJson = fc.oneof(
  scalar,
  wrongObject,
  wrongTypes,
  fc.array(scalar, { minLength: 1, maxLength: 4 }),
  fc.array(fc.array(scalar, { maxLength: 2 }), { minLength: 1, maxLength: 2 })
)

/** Raw text that is not JSON (or is cut short). */
const badText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }).map(s => `<html>${s}</html>`),
  fc.string({ unit: 'binary', maxLength: 60 }).filter(s => {
    try {
      JSON.parse(s)
      return false
    } catch {
      return true
    }
  }),
  fc.constant('{"login":"acme-scim","id":50'),
  fc.constant('\uFEFF\u0000'),
  fc.integer({ min: 1, max: 3 }).map(n => `{"pad":"${'x'.repeat(n * 1024 * 1024)}"}`)
)

type Mutation = { route: RouteKey; fault: Fault; why: string }

const statusMutation: fc.Arbitrary<Mutation> = fc
  .record({
    route: fc.constantFrom(...ROUTES),
    status: fc.constantFrom(400, 401, 403, 404, 409, 410, 422, 429, 451, 500, 501, 502, 503, 504),
    body: fc.oneof(
      badJson,
      fc.record({ message: fc.string({ unit: 'grapheme', maxLength: 60 }), documentation_url: fc.webUrl() }),
      badText
    ),
    headers: fc.oneof(
      fc.constant({}),
      fc.record({
        'x-ratelimit-remaining': fc.constantFrom('0', '1', 'x'),
        'x-ratelimit-reset': fc.constantFrom('9999999999', '0', 'soon', '-1')
      }),
      fc.record({ 'retry-after': fc.constantFrom('3600', 'abc', '-5', '1e9') }),
      fc.record({
        'x-github-sso': fc.constantFrom('required; url=javascript:alert(1)', 'required', 'partial-results; organizations=', 'garbage')
      })
    )
  })
  .map(({ route, status, body, headers }) => ({
    route,
    fault: { kind: 'status', status, body, headers } as Fault,
    why: `${route} ${status}`
  }))

const bodyMutation: fc.Arbitrary<Mutation> = fc
  .record({
    route: fc.constantFrom(...ROUTES),
    status: fc.constantFrom(200, 201, 203),
    body: fc.oneof(badJson, badText),
    contentType: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/scim+json',
      'text/plain',
      'text/html',
      'application/octet-stream'
    )
  })
  .map(({ route, status, body, contentType }) => ({
    route,
    fault: { kind: 'status', status, body, headers: { 'content-type': contentType, 'x-oauth-scopes': 'admin:org' } } as Fault,
    why: `${route} ${status} body`
  }))

/** GET /user answering a valid user with broken headers: scopes without admin:org (or none), or a garbage expiry. */
const userHeaders = fc.oneof(
  fc
    .option(
      fc.string({ unit: 'grapheme', maxLength: 20 }).filter(s => !s.includes('admin:org')),
      { nil: undefined }
    )
    .map((scopes): Record<string, string> => (scopes === undefined ? {} : { 'x-oauth-scopes': scopes })),
  fc
    .string({ unit: 'grapheme', maxLength: 25 })
    .filter(s => s.trim() !== '' && !/^\d{4}-\d{2}-\d{2}/.test(s.trim()))
    .map((expiry): Record<string, string> => ({ 'x-oauth-scopes': 'admin:org', 'github-authentication-token-expiration': expiry }))
)
const userHeaderMutation: fc.Arbitrary<Mutation> = userHeaders.map(headers => ({
  route: 'GET /user' as RouteKey,
  fault: { kind: 'status', status: 200, body: { login: 'acme-scim', id: 5001, type: 'User' }, headers } as Fault,
  why: `GET /user headers ${JSON.stringify(headers)}`
}))

/** Header values Node's HTTP server would refuse to send cannot come from GitHub either. */
const sendable = (m: Mutation): boolean =>
  m.fault.kind !== 'status' || Object.values(m.fault.headers ?? {}).every(v => /^[\t\x20-\x7e\x80-\xff]*$/.test(v))

const mutation = fc.oneof(statusMutation, bodyMutation, userHeaderMutation).filter(sendable)

let fake: FakeGitHub
beforeAll(async () => {
  fake = await startFake(healthyWorld())
})
afterAll(async () => {
  await fake.close()
})

async function runOnce(m: Mutation | null): Promise<Captured> {
  const world = healthyWorld()
  if (m) world.faults = { [m.route]: m.fault }
  fake.setWorld(world)
  fake.requests.length = 0
  const captured: Captured = { outputs: {}, failed: null, annotations: [], logs: [] }
  const inputs = { token: HEALTHY_TOKEN, org: 'acme', 'api-url': fake.apiUrl, 'timeout-seconds': '10' }
  await run({
    core: fakeCore(inputs, captured),
    env: { RUNNER_DEBUG: '1' }, // step debug on: the debug lines are written, and checked
    now: Date.now,
    startedAt: Date.now(),
    retryBaseMs: 1,
    setExitCode: code => void (captured.failed = `exit code ${code}`)
  })
  return captured
}

describe('fuzzing the simulator answers', () => {
  it('the unmutated simulator is healthy (the property below can fail)', async () => {
    const c = await runOnce(null)
    expect(c.outputs.status).toBe('healthy')
    expect(c.failed).toBeNull()
  })

  it(`never throws, always sets a status, is never healthy on a broken answer, and fails as its status says (${NUM_RUNS} runs)`, async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (e: unknown): void => void unhandled.push(e)
    process.on('unhandledRejection', onUnhandled)
    try {
      await fc.assert(
        fc.asyncProperty(mutation, async m => {
          const c = await runOnce(m)
          const status = c.outputs.status
          expect(['healthy', 'warning', 'failing', 'inconclusive']).toContain(status)
          // Only a mutated answer the run actually received must keep it from being healthy
          // (GET /orgs/{org}, say, is asked only after a membership 404).
          if (fake.requests.some(r => r.fault !== null)) expect(status).not.toBe('healthy')
          expect(c.failed !== null).toBe(status === 'failing' || status === 'inconclusive')
          expect(c.outputs.report && JSON.parse(c.outputs.report).status).toBe(status)
          for (const text of [...c.logs, ...c.annotations.map(a => a.text), ...Object.values(c.outputs)]) {
            expect(text.includes(HEALTHY_TOKEN)).toBe(false)
          }
          expect(unhandled).toEqual([])
        }),
        { numRuns: NUM_RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261128) }
      )
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  }, 600_000)
})
