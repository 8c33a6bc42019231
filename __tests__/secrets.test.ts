/**
 * Secrecy and safety across every scenario the simulator knows: the token never
 * leaks (debug on), only GET and GraphQL queries reach GitHub, a 401 is asked
 * once, and malformed inputs stop before any request.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { startFake, type FakeGitHub, type RouteKey } from '../simulator/github-fake.mjs'
import { leaksOf, runAction, type ActionRun } from '../simulator/run-action.mjs'
import { HEALTHY_TOKEN, SCENARIOS, scenarioWorld, type ScenarioName } from '../simulator/worlds.mjs'

const servers: FakeGitHub[] = []
afterAll(async () => {
  await Promise.all(servers.map(s => s.close()))
})

const DEBUG_ENV = { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' }

function expectNoLeak(run: ActionRun, token: string): void {
  expect(leaksOf(run, token)).toEqual([])
  // Not even a recognisable part of it: the last eight characters are what credential-authorizations matches on.
  expect(leaksOf(run, token.slice(-8))).toEqual([])
  expect(run.report === null || !JSON.stringify(run.report).includes(token)).toBe(true)
  for (const line of run.stdout.split('\n').filter(l => l.startsWith('::debug::'))) expect(line).not.toContain(token)
}

function inputsFor(scenario: ScenarioName, fake: FakeGitHub): Record<string, string> {
  const emu = scenario.startsWith('emu-')
  return {
    'api-url': fake.apiUrl,
    'timeout-seconds': '10',
    'expected-login': emu ? 'fab_admin' : 'acme-scim',
    ...(emu ? { enterprise: 'fabrikam' } : { org: 'acme' })
  }
}

describe('across every scenario, with step debug on', () => {
  const names = Object.keys(SCENARIOS) as ScenarioName[]
  it.concurrent.each(names)('%s', async scenario => {
    const { world, token } = scenarioWorld(scenario)
    const fake = await startFake(world)
    servers.push(fake)
    const run = await runAction({ token, ...inputsFor(scenario, fake) }, { env: DEBUG_ENV })
    expect(run.stdout).toContain(`::add-mask::${token}`)
    // The mask comes before anything else is printed.
    expect(run.stdout.split('\n')[0]).toBe(`::add-mask::${token}`)
    expectNoLeak(run, token)
    // Read-only: the simulator records any other method as a violation.
    expect(fake.violations).toEqual([])
    expect(fake.requests.every(r => r.method === 'GET' || (r.method === 'POST' && r.path === '/graphql'))).toBe(true)
    // A 401 is asked at most once per token per run.
    expect(fake.requests.filter(r => r.status === 401).length).toBeLessThanOrEqual(1)
    // Every run sets a status, and its exit code follows it (fail-on: error, inconclusive: fail).
    expect(['healthy', 'warning', 'failing', 'inconclusive']).toContain(run.outputs.status)
    expect(run.code).toBe(run.outputs.status === 'failing' || run.outputs.status === 'inconclusive' ? 1 : 0)
    expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/)
  })

  const faultRoutes: RouteKey[] = [
    'GET /user',
    'GET /user/memberships/orgs/{org}',
    'GET /orgs/{org}/credential-authorizations',
    'POST /graphql'
  ]
  it.concurrent.each(faultRoutes)('with an HTML page on %s', async route => {
    const { world, token } = scenarioWorld('healthy')
    world.faults = { [route]: { kind: 'html' } }
    const fake = await startFake(world)
    servers.push(fake)
    const run = await runAction({ token, org: 'acme', 'api-url': fake.apiUrl, 'timeout-seconds': '5' }, { env: DEBUG_ENV })
    expectNoLeak(run, token)
    expect(run.outputs.status).toBe('inconclusive')
  })
})

describe('malformed inputs: one clear annotation naming the input, exit 1, no request', () => {
  const T = HEALTHY_TOKEN
  const cases: Array<{
    name: string
    inputs: Record<string, string>
    id: 'input-invalid' | 'token-malformed'
    input: string
    env?: Record<string, string>
  }> = [
    { name: 'empty token', inputs: { token: '' }, id: 'input-invalid', input: 'token' },
    { name: 'whitespace token', inputs: { token: ' \n ' }, id: 'input-invalid', input: 'token' },
    { name: 'double-quoted token', inputs: { token: `"${T}"` }, id: 'token-malformed', input: 'token' },
    { name: 'single-quoted token', inputs: { token: `'${T}'` }, id: 'token-malformed', input: 'token' },
    { name: 'newline in the token', inputs: { token: `${T.slice(0, 12)}\n${T.slice(12)}` }, id: 'token-malformed', input: 'token' },
    { name: 'Bearer prefix', inputs: { token: `Bearer ${T}` }, id: 'token-malformed', input: 'token' },
    { name: 'truncated token', inputs: { token: T.slice(0, 25) }, id: 'token-malformed', input: 'token' },
    { name: 'not a token', inputs: { token: 'correct-horse-battery-staple' }, id: 'token-malformed', input: 'token' },
    { name: 'refresh token', inputs: { token: `ghr_${T.slice(4)}` }, id: 'token-malformed', input: 'token' },
    { name: 'negative warn-days', inputs: { 'warn-days': '-5' }, id: 'input-invalid', input: 'warn-days' },
    { name: 'non-numeric fail-days', inputs: { 'fail-days': 'a week' }, id: 'input-invalid', input: 'fail-days' },
    { name: 'fail-days > warn-days', inputs: { 'warn-days': '3', 'fail-days': '9' }, id: 'input-invalid', input: 'fail-days' },
    { name: 'unknown fail-on', inputs: { 'fail-on': 'always' }, id: 'input-invalid', input: 'fail-on' },
    { name: 'unknown inconclusive', inputs: { inconclusive: 'maybe' }, id: 'input-invalid', input: 'inconclusive' },
    { name: 'ftp api-url', inputs: { 'api-url': 'ftp://api.github.com' }, id: 'input-invalid', input: 'api-url' },
    { name: 'javascript: api-url', inputs: { 'api-url': 'javascript:alert(1)' }, id: 'input-invalid', input: 'api-url' },
    { name: 'api-url without scheme', inputs: { 'api-url': 'api.github.com' }, id: 'input-invalid', input: 'api-url' },
    { name: 'org with spaces', inputs: { org: 'acme corp' }, id: 'input-invalid', input: 'org' },
    { name: 'org with a slash', inputs: { org: 'acme/infra' }, id: 'input-invalid', input: 'org' },
    {
      name: '40 orgs of garbage',
      inputs: { org: Array.from({ length: 40 }, (_, i) => `x y ${i}`).join('\n') },
      id: 'input-invalid',
      input: 'org'
    },
    { name: 'zero timeout', inputs: { 'timeout-seconds': '0' }, id: 'input-invalid', input: 'timeout-seconds' },
    { name: 'scim-probe maybe', inputs: { 'scim-probe': 'maybe' }, id: 'input-invalid', input: 'scim-probe' },
    { name: 'unknown required scope', inputs: { 'required-scopes': 'admin:everything' }, id: 'input-invalid', input: 'required-scopes' }
  ]
  it.concurrent.each(cases)('$name', async c => {
    const fake = await startFake(scenarioWorld('healthy').world)
    servers.push(fake)
    const run = await runAction({ token: T, org: 'acme', 'api-url': c.inputs['api-url'] ?? fake.apiUrl, ...c.inputs })
    expect(fake.requests).toEqual([])
    expect(run.code).toBe(1)
    const titled = run.annotations.filter(a => a.title !== null)
    expect(titled).toHaveLength(1)
    expect(titled[0]?.title).toMatch(new RegExp(`\\[${c.id}\\]$`))
    expect(titled[0]?.message).toContain(`"${c.input}"`)
    expect(run.outputs.causes).toBe(c.id)
    expect(run.outputs.status).toBe('failing')
    expect(run.stderr).toBe('')
    expect(run.stdout).not.toMatch(/\n\s+at .+:\d+:\d+/)
    const token = c.inputs.token ?? T
    for (const piece of token
      .trim()
      .split(/\s+/)
      .filter(p => p.length >= 6 && !/^(bearer|token)$/i.test(p))) {
      expect(leaksOf(run, piece)).toEqual([])
    }
  })
})

describe('debug lines: one per request with step debug on, none without (the runner hides them then)', () => {
  it.concurrent.each([
    { env: DEBUG_ENV, lines: true },
    { env: {}, lines: false }
  ])('RUNNER_DEBUG=$env.RUNNER_DEBUG: debug lines $lines', async c => {
    const { world, token } = scenarioWorld('healthy')
    const fake = await startFake(world)
    servers.push(fake)
    const run = await runAction({ token, ...inputsFor('healthy', fake) }, { env: c.env })
    expect(run.outputs.status).toBe('healthy')
    const debug = run.stdout.split('\n').filter(l => l.startsWith('::debug::'))
    if (c.lines) {
      // Every request GitHub answered has its line (so the leak checks above read real debug lines).
      expect(debug.filter(l => / -> \d{3} \(\d+ ms\)$/.test(l))).toHaveLength(fake.requests.length)
      expect(debug.at(-1)).toMatch(/requests to GitHub in \d+ ms$/)
    } else {
      expect(debug).toEqual([])
    }
  })
})
