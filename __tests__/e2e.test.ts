/**
 * End to end: the committed dist/index.js, run exactly as the runner runs it,
 * against the loopback GitHub simulator. Asserts annotations, outputs, the
 * job summary, the exit code, the requests made, and that the token never leaks.
 * Every scenario the simulator knows runs with step debug on, here or (the
 * enterprise and host ones) in hosts.test.ts, and each run is also held to the
 * secrecy rules (secrets.test.ts has the hostile and the malformed inputs).
 *
 * A run is a process (about half a second of CPU): each distinct one runs once,
 * and the table, the sweep and the checks below read the same run (issue 18).
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { startFake, type FakeGitHub } from '../simulator/github-fake.mjs'
import { leaksOf, runAction, type ActionRun } from '../simulator/run-action.mjs'
import { addOrg, SCENARIOS, scenarioWorld, type ScenarioName } from '../simulator/worlds.mjs'
import { DEBUG_ENV, expectSweepInvariants, SWEPT_BY_HOSTS } from './support/secrecy.js'
import { QUEUED_TIMEOUT_MS, slots, SPAWN_SLOTS } from './support/slots.js'

const servers: FakeGitHub[] = []
afterAll(async () => {
  await Promise.all(servers.map(s => s.close()))
})

const slot = slots(SPAWN_SLOTS)

interface Case {
  scenario: ScenarioName
  inputs?: Record<string, string>
  causes: string[]
  status: 'healthy' | 'warning' | 'failing' | 'inconclusive'
  code: number
  /** Exactly these requests (method + path) and no others. */
  requests?: string[]
}

interface Checked {
  run: ActionRun
  fake: FakeGitHub
  token: string
}

/** The runs of scenarios, with step debug on, by scenario and inputs: each one is made once. */
const runs = new Map<string, Promise<Checked>>()

function runScenario(scenario: ScenarioName, inputs: Record<string, string>): Promise<Checked> {
  const key = `${scenario} ${JSON.stringify(inputs)}`
  const known = runs.get(key)
  if (known) return known
  const made = slot(async () => {
    const { world, token } = scenarioWorld(scenario)
    const fake = await startFake(world)
    servers.push(fake)
    const run = await runAction({ token, 'api-url': fake.apiUrl, ...inputs }, { env: DEBUG_ENV })
    return { run, fake, token }
  })
  runs.set(key, made)
  return made
}

const check = (scenario: ScenarioName, inputs: Record<string, string> = {}): Promise<Checked> =>
  runScenario(scenario, { org: 'acme', 'timeout-seconds': '20', ...inputs })

function expectConsistent(run: ActionRun, c: Pick<Case, 'causes' | 'status' | 'code'>): void {
  expect(run.outputs.status).toBe(c.status)
  expect(run.outputs.causes).toBe(c.causes.join(','))
  expect(run.code).toBe(c.code)
  // One annotation per cause, titled "<Title> [<cause-id>]".
  const titled = run.annotations.filter(a => a.title !== null)
  expect(titled.map(a => /\[([a-z-]+)\]$/.exec(a.title ?? '')?.[1])).toEqual(run.report?.causes.map(x => x.id))
  expect(run.report?.status).toBe(c.status)
  expect(run.summary).toContain('Provisioning token check')
  for (const id of c.causes) expect(run.summary).toContain(`\`${id}\``)
}

const CASES: Case[] = [
  {
    scenario: 'healthy',
    causes: [],
    status: 'healthy',
    code: 0,
    requests: [
      'GET /user',
      'GET /orgs/acme/credential-authorizations',
      'GET /scim/v2/organizations/acme/Users',
      'GET /user/memberships/orgs/acme',
      'POST /graphql'
    ]
  },
  { scenario: 'token-invalid', causes: ['token-invalid'], status: 'failing', code: 1, requests: ['GET /user'] },
  { scenario: 'token-expired', causes: ['token-invalid'], status: 'failing', code: 1, requests: ['GET /user'] },
  { scenario: 'token-unknown', causes: ['token-invalid'], status: 'failing', code: 1, requests: ['GET /user'] },
  { scenario: 'account-deleted', causes: ['token-invalid'], status: 'failing', code: 1, requests: ['GET /user'] },
  { scenario: 'login-attempts-exceeded', causes: ['login-attempts-exceeded'], status: 'failing', code: 1, requests: ['GET /user'] },
  { scenario: 'account-suspended', causes: ['account-suspended'], status: 'failing', code: 1, requests: ['GET /user'] },
  { scenario: 'token-expiring', causes: ['token-expiring'], status: 'failing', code: 1 },
  { scenario: 'token-expiring', inputs: { 'fail-days': '3' }, causes: ['token-expiring'], status: 'warning', code: 0 },
  {
    scenario: 'token-expiring',
    inputs: { 'fail-days': '3', 'fail-on': 'warning' },
    causes: ['token-expiring'],
    status: 'warning',
    code: 1
  },
  { scenario: 'token-expiring', inputs: { 'warn-days': '4', 'fail-days': '2' }, causes: [], status: 'healthy', code: 0 },
  { scenario: 'scope-missing', causes: ['scope-missing'], status: 'failing', code: 1 },
  { scenario: 'no-scopes', causes: ['scope-missing'], status: 'failing', code: 1 },
  { scenario: 'healthy', inputs: { 'required-scopes': 'read:org' }, causes: [], status: 'healthy', code: 0 },
  { scenario: 'healthy', inputs: { 'required-scopes': 'repo, user:email' }, causes: ['scope-missing'], status: 'failing', code: 1 },
  { scenario: 'fine-grained-token', causes: ['token-kind-unsupported'], status: 'failing', code: 1 },
  { scenario: 'installation-token', causes: ['token-kind-unsupported'], status: 'failing', code: 1 },
  { scenario: 'oauth-token', causes: [], status: 'healthy', code: 0 },
  { scenario: 'member-token', inputs: { 'expected-login': 'acme-scim' }, causes: ['login-mismatch'], status: 'failing', code: 1 },
  { scenario: 'account-renamed', inputs: { 'expected-login': 'acme-scim' }, causes: ['account-renamed'], status: 'failing', code: 1 },
  { scenario: 'healthy', inputs: { 'expected-login': 'acme-scim' }, causes: [], status: 'healthy', code: 0 },
  { scenario: 'healthy', inputs: { 'fail-on': 'never', 'required-scopes': 'repo' }, causes: ['scope-missing'], status: 'failing', code: 0 },
  // Organizations
  { scenario: 'org-not-found', causes: ['org-not-found'], status: 'failing', code: 1 },
  { scenario: 'not-org-member', causes: ['not-org-member'], status: 'failing', code: 1 },
  // Only a membership 404 asks for the org itself.
  {
    scenario: 'org-not-found',
    causes: ['org-not-found'],
    status: 'failing',
    code: 1,
    requests: [
      'GET /user',
      'GET /user/memberships/orgs/acme',
      'GET /orgs/acme',
      'GET /orgs/acme/credential-authorizations',
      'GET /scim/v2/organizations/acme/Users',
      'POST /graphql'
    ]
  },
  { scenario: 'membership-pending', causes: ['membership-pending'], status: 'failing', code: 1 },
  { scenario: 'not-org-owner', causes: ['not-org-owner'], status: 'failing', code: 1 },
  { scenario: 'sso-not-authorized', causes: ['sso-not-authorized'], status: 'failing', code: 1 },
  { scenario: 'saml-identity-missing', causes: ['saml-identity-missing'], status: 'warning', code: 0 },
  { scenario: 'saml-identity-missing', inputs: { 'fail-on': 'warning' }, causes: ['saml-identity-missing'], status: 'warning', code: 1 },
  { scenario: 'ip-allow-list-blocked', causes: ['ip-allow-list-blocked'], status: 'failing', code: 1 },
  { scenario: 'oauth-app-restricted', causes: ['oauth-app-restricted'], status: 'failing', code: 1 },
  { scenario: 'pat-policy-blocked', causes: ['pat-policy-blocked'], status: 'failing', code: 1 },
  { scenario: 'fine-grained-blocked', causes: ['token-kind-unsupported', 'pat-policy-blocked'], status: 'failing', code: 1 },
  { scenario: 'scim-not-available', causes: ['scim-not-available'], status: 'failing', code: 1 },
  { scenario: 'healthy', inputs: { 'scim-probe': 'false' }, causes: [], status: 'healthy', code: 0 },
  // A budget past Node's timer range (2^31-1 ms) must not fire at once.
  { scenario: 'healthy', inputs: { 'timeout-seconds': '3000000' }, causes: [], status: 'healthy', code: 0 }
]

describe('dist/index.js against the simulator', () => {
  it.concurrent.each(CASES.map(c => ({ ...c, name: `${c.scenario} ${JSON.stringify(c.inputs ?? {})}` })))(
    '$name',
    async c => {
      const { run, fake, token } = await check(c.scenario, c.inputs)
      expectConsistent(run, c)
      if (c.requests) {
        expect(fake.requests.map(r => `${r.method} ${r.path}`).sort()).toEqual([...c.requests].sort())
      }
      // Read-only, and the token never leaks.
      expect(fake.violations).toEqual([])
      expect(leaksOf(run, token)).toEqual([])
      expect(run.stdout).toContain(`::add-mask::${token}`)
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'links each annotation to its section of docs/causes.md, at the version run',
    async () => {
      const { world, token } = scenarioWorld('not-org-owner')
      const fake = await startFake(world)
      servers.push(fake)
      const env = { GITHUB_ACTION_REPOSITORY: 'octo-org/provisioning-token-check', GITHUB_SERVER_URL: 'https://github.com' }
      const run = await slot(() => runAction({ token, org: 'acme', 'api-url': fake.apiUrl }, { env: { ...env, GITHUB_ACTION_REF: 'v1' } }))
      expect(run.annotations[0]?.message).toContain(
        'More: https://github.com/octo-org/provisioning-token-check/blob/v1/docs/causes.md#not-org-owner'
      )
      const unpinned = await slot(() => runAction({ token, org: 'acme', 'api-url': fake.apiUrl }, { env }))
      expect(unpinned.annotations[0]?.message).toContain('/blob/main/docs/causes.md#not-org-owner')
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'gives the healthy outputs of the contract',
    async () => {
      const { run } = await check('healthy')
      expect(run.outputs).toMatchObject({
        status: 'healthy',
        causes: '',
        login: 'acme-scim',
        'token-kind': 'classic-pat',
        scopes: 'admin:org',
        'missing-scopes': '',
        'expires-at': 'never',
        'days-until-expiry': '',
        'sso-authorization-url': ''
      })
      expect(run.annotations).toEqual([])
      expect(run.report).toMatchObject({
        status: 'healthy',
        login: 'acme-scim',
        tokenKind: 'classic-pat',
        scopes: ['admin:org'],
        expiresAt: null,
        expiry: 'never',
        causes: []
      })
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'sends GET /user first and alone, then everything else at once',
    async () => {
      const { fake } = await check('healthy')
      const [first, ...rest] = fake.requests
      expect(first?.path).toBe('/user')
      for (const r of rest) expect(r.startedAt).toBeGreaterThanOrEqual(first!.endedAt ?? Infinity)
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'asks a 401 exactly once',
    async () => {
      const { fake } = await check('token-invalid', { 'expected-login': 'someone-else', org: 'acme,beta' })
      expect(fake.requests.filter(r => r.status === 401)).toHaveLength(1)
      expect(fake.requests).toHaveLength(1)
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'reports the expiry and days left',
    async () => {
      const { run } = await check('token-expiring')
      expect(run.outputs['expires-at']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
      expect(Number(run.outputs['days-until-expiry'])).toBeGreaterThanOrEqual(4)
      expect(Number(run.outputs['days-until-expiry'])).toBeLessThanOrEqual(5)
      expect(run.annotations[0]?.level).toBe('error')
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'lists missing scopes in the output',
    async () => {
      const { run } = await check('scope-missing')
      expect(run.outputs['missing-scopes']).toBe('admin:org')
      expect(run.outputs.scopes).toBe('read:org')
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'passes the SSO authorization URL to the output and the annotation',
    async () => {
      const { run } = await check('sso-not-authorized')
      const url = run.outputs['sso-authorization-url']
      expect(url).toMatch(/^https:\/\/github\.com\/orgs\/acme\/sso\?authorization_request=/)
      expect(run.annotations[0]?.message).toContain(url)
      expect(run.annotations[0]?.message).toContain('Configure SSO')
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'checks several orgs at once; exactly one failing for exactly one cause',
    async () => {
      const { world, token } = scenarioWorld('healthy')
      addOrg(world, 'beta', { id: 1002 })
      addOrg(world, 'gamma', { id: 1003 })
      world.orgs.gamma!.members['acme-scim'] = { role: 'member', state: 'active' }
      const fake = await startFake(world)
      servers.push(fake)
      const run = await slot(() => runAction({ token, org: 'acme, beta\ngamma', 'api-url': fake.apiUrl }))
      expect(run.outputs.causes).toBe('not-org-owner')
      expect(run.report?.causes).toEqual([expect.objectContaining({ id: 'not-org-owner', org: 'gamma' })])
      expect(run.code).toBe(1)
      expect(fake.requests.filter(r => r.path === '/user')).toHaveLength(1)
      expect(fake.requests.filter(r => r.method === 'POST')).toHaveLength(1)
      expect(run.summary).toMatch(/\| beta \| owner \|/)
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'a healthy multi-org run is healthy with no annotation',
    async () => {
      const { world, token } = scenarioWorld('healthy')
      addOrg(world, 'beta', { id: 1002 })
      const fake = await startFake(world)
      servers.push(fake)
      const run = await slot(() => runAction({ token, org: 'acme,beta', 'api-url': fake.apiUrl }))
      expect(run.outputs.status).toBe('healthy')
      expect(run.annotations).toEqual([])
      expect(run.code).toBe(0)
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'an input error sends no request and names the input',
    async () => {
      const { world, token } = scenarioWorld('healthy')
      const fake = await startFake(world)
      servers.push(fake)
      const run = await slot(() => runAction({ token, org: 'acme', 'api-url': fake.apiUrl, 'warn-days': 'soon' }))
      expect(fake.requests).toEqual([])
      expect(run.code).toBe(1)
      expect(run.outputs.causes).toBe('input-invalid')
      expect(run.annotations[0]?.title).toBe('Invalid input [input-invalid]')
      expect(run.annotations[0]?.message).toContain('"warn-days"')
      expect(run.stderr).not.toMatch(/\bat .+\.js:\d+/)
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'trims a token pasted with a newline, warns, and checks it',
    async () => {
      const { world, token } = scenarioWorld('healthy')
      const fake = await startFake(world)
      servers.push(fake)
      const run = await slot(() => runAction({ token: `${token}\n`, org: 'acme', 'api-url': fake.apiUrl }))
      expect(run.outputs.status).toBe('warning')
      expect(run.outputs.causes).toBe('token-whitespace')
      expect(run.code).toBe(0)
      expect(leaksOf(run, token)).toEqual([])
    },
    QUEUED_TIMEOUT_MS
  )
})

describe('across every scenario, with step debug on', () => {
  /** Each scenario's run of the table above with the default fail-on and inconclusive. */
  const sweepCase = (scenario: ScenarioName): Case | undefined =>
    CASES.find(x => x.scenario === scenario && x.inputs?.['fail-on'] === undefined && x.inputs?.inconclusive === undefined)
  const SWEPT = (Object.keys(SCENARIOS) as ScenarioName[]).filter(s => !SWEPT_BY_HOSTS.includes(s))

  it('leaves no scenario out: the table runs each one here, hosts.test.ts the enterprise and host ones', () => {
    expect(SWEPT.filter(s => sweepCase(s) === undefined)).toEqual([])
    expect([...SWEPT, ...SWEPT_BY_HOSTS].sort()).toEqual(Object.keys(SCENARIOS).sort())
  })

  it.concurrent.each(SWEPT)(
    '%s',
    async scenario => {
      const c = sweepCase(scenario) as Case
      const { run, fake, token } = await check(c.scenario, c.inputs)
      expectSweepInvariants(run, fake, token)
    },
    QUEUED_TIMEOUT_MS
  )
})
