/**
 * Secrecy and safety against a broken GitHub and malformed inputs: the token
 * never leaks (debug on) when GitHub answers with an HTML page, and malformed
 * inputs stop before any request with one clear annotation. Every scenario the
 * simulator knows is held to the same secrecy rules in e2e.test.ts, on the runs
 * it makes anyway.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { startFake, type FakeGitHub, type RouteKey } from '../simulator/github-fake.mjs'
import { leaksOf, runAction } from '../simulator/run-action.mjs'
import { HEALTHY_TOKEN, scenarioWorld } from '../simulator/worlds.mjs'
import { runInProcess, type InProcessRun } from './support/in-process.js'
import { DEBUG_ENV, expectNoLeak } from './support/secrecy.js'
import { QUEUED_TIMEOUT_MS, slots, SPAWN_SLOTS } from './support/slots.js'

const servers: FakeGitHub[] = []
afterAll(async () => {
  await Promise.all(servers.map(s => s.close()))
})

const slot = slots(SPAWN_SLOTS)

describe('with step debug on, against an HTML page', () => {
  const faultRoutes: RouteKey[] = [
    'GET /user',
    'GET /user/memberships/orgs/{org}',
    'GET /orgs/{org}/credential-authorizations',
    'POST /graphql'
  ]
  it.concurrent.each(faultRoutes)(
    'on %s',
    async route => {
      const { world, token } = scenarioWorld('healthy')
      world.faults = { [route]: { kind: 'html' } }
      const fake = await startFake(world)
      servers.push(fake)
      const run = await slot(() => runAction({ token, org: 'acme', 'api-url': fake.apiUrl, 'timeout-seconds': '5' }, { env: DEBUG_ENV }))
      expectNoLeak(run, token)
      expect(run.outputs.status).toBe('inconclusive')
    },
    QUEUED_TIMEOUT_MS
  )
})

/** What a run left that a reader sees: its annotations, outputs and exit code, and where a string shows up in it. */
interface Seen {
  code: number | null
  titled: Array<{ title: string | null; message: string }>
  outputs: Record<string, string>
  leaks: (piece: string) => string[]
}

/** An in-process run (src/action/run.ts with a recording core): every place it wrote to. */
function seenInProcess(run: InProcessRun): Seen {
  const places: Record<string, string> = {
    annotations: run.annotations.map(a => `${a.title ?? ''}\n${a.text}`).join('\n'),
    logs: run.logs.join('\n'),
    outputs: Object.values(run.outputs).join('\n'),
    summary: run.summary
  }
  return {
    code: run.code,
    titled: run.annotations.filter(a => a.title !== null).map(a => ({ title: a.title, message: a.text })),
    outputs: run.outputs,
    leaks: piece => Object.keys(places).filter(where => places[where]?.includes(piece))
  }
}

/**
 * Every case runs in-process; those marked `spawned` run as well as dist/index.js, exactly as the runner runs
 * it (stdout, stderr, the outputs file, the summary: one of each kind of input, and each kind of cause).
 */
describe('malformed inputs: one clear annotation naming the input, exit 1, no request', () => {
  const T = HEALTHY_TOKEN
  const cases: Array<{
    name: string
    inputs: Record<string, string>
    id: 'input-invalid' | 'token-malformed'
    input: string
    spawned?: true
  }> = [
    { name: 'empty token', inputs: { token: '' }, id: 'input-invalid', input: 'token' },
    { name: 'whitespace token', inputs: { token: ' \n ' }, id: 'input-invalid', input: 'token', spawned: true },
    { name: 'double-quoted token', inputs: { token: `"${T}"` }, id: 'token-malformed', input: 'token' },
    { name: 'single-quoted token', inputs: { token: `'${T}'` }, id: 'token-malformed', input: 'token' },
    {
      name: 'newline in the token',
      inputs: { token: `${T.slice(0, 12)}\n${T.slice(12)}` },
      id: 'token-malformed',
      input: 'token',
      spawned: true
    },
    { name: 'Bearer prefix', inputs: { token: `Bearer ${T}` }, id: 'token-malformed', input: 'token' },
    { name: 'truncated token', inputs: { token: T.slice(0, 25) }, id: 'token-malformed', input: 'token' },
    { name: 'not a token', inputs: { token: 'correct-horse-battery-staple' }, id: 'token-malformed', input: 'token' },
    { name: 'refresh token', inputs: { token: `ghr_${T.slice(4)}` }, id: 'token-malformed', input: 'token' },
    { name: 'negative warn-days', inputs: { 'warn-days': '-5' }, id: 'input-invalid', input: 'warn-days' },
    { name: 'non-numeric fail-days', inputs: { 'fail-days': 'a week' }, id: 'input-invalid', input: 'fail-days' },
    {
      name: 'fail-days > warn-days',
      inputs: { 'warn-days': '3', 'fail-days': '9' },
      id: 'input-invalid',
      input: 'fail-days',
      spawned: true
    },
    { name: 'unknown fail-on', inputs: { 'fail-on': 'always' }, id: 'input-invalid', input: 'fail-on' },
    { name: 'unknown inconclusive', inputs: { inconclusive: 'maybe' }, id: 'input-invalid', input: 'inconclusive' },
    { name: 'ftp api-url', inputs: { 'api-url': 'ftp://api.github.com' }, id: 'input-invalid', input: 'api-url' },
    { name: 'javascript: api-url', inputs: { 'api-url': 'javascript:alert(1)' }, id: 'input-invalid', input: 'api-url', spawned: true },
    { name: 'api-url without scheme', inputs: { 'api-url': 'api.github.com' }, id: 'input-invalid', input: 'api-url' },
    { name: 'org with spaces', inputs: { org: 'acme corp' }, id: 'input-invalid', input: 'org' },
    { name: 'org with a slash', inputs: { org: 'acme/infra' }, id: 'input-invalid', input: 'org' },
    {
      name: '40 orgs of garbage',
      inputs: { org: Array.from({ length: 40 }, (_, i) => `x y ${i}`).join('\n') },
      id: 'input-invalid',
      input: 'org',
      spawned: true
    },
    { name: 'zero timeout', inputs: { 'timeout-seconds': '0' }, id: 'input-invalid', input: 'timeout-seconds' },
    { name: 'scim-probe maybe', inputs: { 'scim-probe': 'maybe' }, id: 'input-invalid', input: 'scim-probe' },
    { name: 'unknown required scope', inputs: { 'required-scopes': 'admin:everything' }, id: 'input-invalid', input: 'required-scopes' }
  ]
  function expectRefused(seen: Seen, c: (typeof cases)[number]): void {
    expect(seen.code).toBe(1)
    expect(seen.titled).toHaveLength(1)
    expect(seen.titled[0]?.title).toMatch(new RegExp(`\\[${c.id}\\]$`))
    expect(seen.titled[0]?.message).toContain(`"${c.input}"`)
    expect(seen.outputs.causes).toBe(c.id)
    expect(seen.outputs.status).toBe('failing')
    const token = c.inputs.token ?? T
    for (const piece of token
      .trim()
      .split(/\s+/)
      .filter(p => p.length >= 6 && !/^(bearer|token)$/i.test(p))) {
      expect(seen.leaks(piece)).toEqual([])
    }
  }

  it.concurrent.each(cases)('$name', async c => {
    const fake = await startFake(scenarioWorld('healthy').world)
    servers.push(fake)
    const run = await runInProcess({ token: T, org: 'acme', 'api-url': c.inputs['api-url'] ?? fake.apiUrl, ...c.inputs })
    expect(fake.requests).toEqual([])
    expectRefused(seenInProcess(run), c)
  })

  it.concurrent.each(cases.filter(c => c.spawned))(
    '$name: dist/index.js',
    async c => {
      const fake = await startFake(scenarioWorld('healthy').world)
      servers.push(fake)
      const run = await slot(() => runAction({ token: T, org: 'acme', 'api-url': c.inputs['api-url'] ?? fake.apiUrl, ...c.inputs }))
      expect(fake.requests).toEqual([])
      expectRefused(
        { code: run.code, titled: run.annotations.filter(a => a.title !== null), outputs: run.outputs, leaks: p => leaksOf(run, p) },
        c
      )
      expect(run.stderr).toBe('')
      expect(run.stdout).not.toMatch(/\n\s+at .+:\d+:\d+/)
    },
    QUEUED_TIMEOUT_MS
  )
})

describe('debug lines: one per request with step debug on, none without (the runner hides them then)', () => {
  it.concurrent.each([
    { env: DEBUG_ENV, lines: true },
    { env: {}, lines: false }
  ])(
    'RUNNER_DEBUG=$env.RUNNER_DEBUG: debug lines $lines',
    async c => {
      const { world, token } = scenarioWorld('healthy')
      const fake = await startFake(world)
      servers.push(fake)
      const run = await slot(() =>
        runAction({ token, org: 'acme', 'expected-login': 'acme-scim', 'api-url': fake.apiUrl, 'timeout-seconds': '10' }, { env: c.env })
      )
      expect(run.outputs.status).toBe('healthy')
      const debug = run.stdout.split('\n').filter(l => l.startsWith('::debug::'))
      if (c.lines) {
        // Every request GitHub answered has its line (so the leak checks on debug runs read real debug lines).
        expect(debug.filter(l => / -> \d{3} \(\d+ ms\)$/.test(l))).toHaveLength(fake.requests.length)
        expect(debug.at(-1)).toMatch(/requests to GitHub in \d+ ms$/)
      } else {
        expect(debug).toEqual([])
      }
    },
    QUEUED_TIMEOUT_MS
  )
})
