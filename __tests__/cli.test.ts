/**
 * The CLI: renderText (pure), its argument and prompt helpers (pure), and the
 * committed dist/cli/index.js spawned against the simulator, compared with the
 * action (dist/index.js) on the same worlds.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { readFileSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeCause, type Cause, type CauseId, type Severity } from '../src/causes.js'
import { verdictForParsedProblems } from '../src/check.js'
import { colorEnabled, editHiddenLine, flagProblems, inputReader, parseCliArgs, type CliArgs } from '../src/cli/args.js'
import { renderText } from '../src/cli/render.js'
import type { Verdict } from '../src/diagnose/index.js'
import { parseInputs } from '../src/inputs.js'
import { startFake, type FakeGitHub } from '../simulator/github-fake.mjs'
import { runAction } from '../simulator/run-action.mjs'
import { HEALTHY_TOKEN, scenarioWorld, type ScenarioName } from '../simulator/worlds.mjs'
import { QUEUED_TIMEOUT_MS, slots, SPAWN_SLOTS } from './support/slots.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const CLI = resolve(ROOT, 'dist', 'cli', 'index.js')
const ESC = '\x1b['

const servers: FakeGitHub[] = []
afterAll(async () => {
  await Promise.all(servers.map(s => s.close()))
})

// ── renderText ─────────────────────────────────────────────────────────────

const ctx = { webUrl: 'https://github.com' }

function verdictWith(causes: Array<{ id: CauseId; severity?: Severity; org?: string }>, status: Verdict['status']): Verdict {
  const made: Cause[] = causes.map(c =>
    makeCause({ id: c.id, severity: c.severity, org: c.org ?? null, message: `message of ${c.id}` }, ctx)
  )
  return {
    status,
    login: 'acme-scim',
    tokenKind: 'classic-pat',
    scopes: ['admin:org', 'delete_repo'],
    missingScopes: [],
    expiresAt: '2031-01-02T03:04:05Z',
    expiry: 'date',
    daysUntilExpiry: 12,
    ssoAuthorizationUrl: null,
    platform: 'dotcom',
    causes: made,
    orgs: [
      {
        org: 'acme',
        role: 'owner',
        state: 'active',
        samlIdentity: 'linked (scim@acme.example)',
        ssoAuthorization: { authorizedAt: '2024-01-15T10:00:00Z', expiresAt: null, accessedAt: null },
        ssoAuthorizationNote: null,
        scim: 'answers',
        notChecked: []
      }
    ],
    enterprise: null,
    notes: ['a note'],
    idp: null
  }
}

const BY_SEVERITY: Array<{ status: Verdict['status']; cause: { id: CauseId; severity?: Severity }; icon: string; color: string }> = [
  { status: 'failing', cause: { id: 'not-org-owner' }, icon: '✗', color: '31' },
  { status: 'inconclusive', cause: { id: 'github-unavailable' }, icon: '?', color: '35' },
  { status: 'warning', cause: { id: 'token-expiring', severity: 'warning' }, icon: '!', color: '33' },
  { status: 'healthy', cause: { id: 'scope-excessive' }, icon: 'i', color: '36' }
]

describe('renderText', () => {
  it.each(BY_SEVERITY)('$status: header, one line per cause with its fix, without colors', ({ status, cause, icon }) => {
    const v = verdictWith([{ ...cause, org: 'acme' }], status)
    const text = renderText(v, { color: false })
    const lines = text.split('\n')
    expect(lines[0]).toMatch(new RegExp(`^. ${status.toUpperCase()}: `))
    expect(text).not.toContain(ESC)
    const at = lines.findIndex(l => l.startsWith(`${icon} [${cause.id}] `))
    expect(at).toBeGreaterThan(0)
    expect(lines[at]).toBe(`${icon} [${cause.id}] message of ${cause.id}`)
    expect(lines[at + 1]).toBe(`    Fix: ${v.causes[0]!.remediation}`)
    expect(text).toContain('Token owner    acme-scim')
    expect(text).toContain('personal access token (classic)')
    expect(text).toContain('admin:org, delete_repo')
    expect(text).toContain('2031-01-02T03:04:05Z (12 days)')
    expect(text).toMatch(
      /acme: role owner; SAML identity linked \(scim@acme\.example\); SSO authorization authorized 2024-01-15T10:00:00Z; SCIM answers/
    )
    expect(text).toContain('  - a note')
    expect(text.endsWith('\n')).toBe(true)
  })

  it.each(BY_SEVERITY)('$status: colors the header and the cause by severity', ({ status, cause, color }) => {
    const text = renderText(verdictWith([cause], status), { color: true })
    const statusColor = { healthy: '32', warning: '33', failing: '31', inconclusive: '35' }[status]
    expect(text.split('\n')[0]).toContain(`${ESC}1m${ESC}${statusColor}m`)
    expect(text).toContain(`${ESC}${color}m[${cause.id}]${ESC}0m`)
  })

  it('says so when there is no cause', () => {
    const text = renderText(verdictWith([], 'healthy'), { color: false })
    expect(text.split('\n')[0]).toBe('✓ HEALTHY: provisioning with this token should work')
    expect(text).toContain('No problems found.')
  })

  it('lists every cause, most severe first as the verdict orders them', () => {
    const v = verdictWith(
      [
        { id: 'not-org-owner', org: 'acme' },
        { id: 'rate-limited' },
        { id: 'saml-identity-missing', org: 'acme' },
        { id: 'scope-excessive' }
      ],
      'failing'
    )
    const ids = renderText(v, { color: false })
      .split('\n')
      .filter(l => /^. \[/.test(l))
      .map(l => l.slice(0, 2) + /\[([a-z-]+)\]/.exec(l)![1])
    expect(ids).toEqual(['✗ not-org-owner', '? rate-limited', '! saml-identity-missing', 'i scope-excessive'])
  })

  it("drops control characters that came from GitHub's answers", () => {
    const v = verdictWith([{ id: 'scim-forbidden', org: 'acme' }], 'failing')
    v.causes[0]!.message = 'refused ("\x1b]0;owned\x07\x1b[2Jbad\nline")'
    const text = renderText(v, { color: false })
    expect(text).not.toContain('\x1b')
    expect(text).not.toContain('\x07')
    expect(text).toContain('[scim-forbidden] refused ("]0;owned[2Jbad line")')
  })

  it('never contains the token, even a malformed one', () => {
    for (const raw of [`Bearer ${HEALTHY_TOKEN}`, ` ${HEALTHY_TOKEN}\n`, `"${HEALTHY_TOKEN}"`]) {
      const parsed = parseInputs(inputReader(cliArgs(['--org', 'acme', '--fail-days', '99']), raw), {})
      expect(parsed.inputs).toBeUndefined()
      const v = verdictForParsedProblems(parsed)
      expect(v.causes.length).toBeGreaterThan(0)
      for (const color of [true, false]) expect(renderText(v, { color })).not.toContain(HEALTHY_TOKEN)
    }
    for (const { status, cause } of BY_SEVERITY)
      expect(renderText(verdictWith([cause], status), { color: true })).not.toContain(HEALTHY_TOKEN)
  })
})

// ── Arguments, inputs, colors, the hidden prompt ─────────────────────────────

function cliArgs(argv: string[]): CliArgs {
  const parsed = parseCliArgs(argv)
  if (!parsed.ok) throw new Error(parsed.error)
  return parsed.args
}

describe('CLI arguments', () => {
  it("builds the action's inputs: --org repeats or takes commas, --name=value works", () => {
    const args = cliArgs([
      '--org',
      'acme,beta',
      '--org=gamma',
      '--enterprise',
      'fabrikam',
      '--warn-days=10',
      '--fail-days',
      '3',
      '--json',
      '--api-url',
      'http://127.0.0.1:1'
    ])
    expect(args.json).toBe(true)
    const parsed = parseInputs(inputReader(args, HEALTHY_TOKEN), {})
    expect(parsed.problems).toEqual([])
    expect(parsed.inputs).toMatchObject({
      orgs: ['acme', 'beta', 'gamma'],
      enterprise: 'fabrikam',
      warnDays: 10,
      failDays: 3,
      apiUrl: 'http://127.0.0.1:1',
      token: HEALTHY_TOKEN
    })
  })

  it('defaults --api-url to GITHUB_API_URL, else api.github.com, as the action does', () => {
    const args = cliArgs(['--org', 'acme'])
    expect(parseInputs(inputReader(args, HEALTHY_TOKEN), {}).inputs?.apiUrl).toBe('https://api.github.com')
    expect(parseInputs(inputReader(args, HEALTHY_TOKEN), { GITHUB_API_URL: 'https://api.acme.ghe.com' }).inputs?.apiUrl).toBe(
      'https://api.acme.ghe.com'
    )
  })

  it.each([
    [['--org', 'acme', '--token', 'x'], /--token: the token is never taken from the command line.*shell history.*process list/],
    [['--org', 'acme', '--token=x'], /--token:/],
    [['--org', 'acme', '--gh-token', 'x'], /--token:/],
    [['--org', HEALTHY_TOKEN], /looks like a GitHub token/],
    [['--org', 'acme', HEALTHY_TOKEN], /looks like a GitHub token/],
    [['--org', 'acme', '--expected-login=' + HEALTHY_TOKEN], /looks like a GitHub token/],
    [['--org', 'acme', '--verbose'], /unknown option --verbose/],
    [['--org', 'acme', '-x'], /unknown option "-x"/],
    [['--org', 'acme', 'stray'], /unexpected argument 3/],
    [['--org'], /--org needs a value/],
    [['--org', '--json'], /--org needs a value/],
    [['--org', 'acme', '--warn-days', '1', '--warn-days', '2'], /--warn-days is given more than once/],
    [['--json'], /--org ORG .*--enterprise SLUG/],
    [['--org', 'acme', '--', 'stray'], /unexpected argument 4 after --/],
    [['--', '--org', 'acme'], /unexpected argument 2 after --/]
  ])('refuses %j', (argv, error) => {
    const parsed = parseCliArgs(argv)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) {
      expect(parsed.error).toMatch(error)
      expect(parsed.error).not.toContain(HEALTHY_TOKEN)
      expect(parsed.error).not.toContain('stray')
    }
  })

  it('-- ends the options; --version is its own answer', () => {
    expect(parseCliArgs(['--org', 'acme', '--'])).toEqual({
      ok: true,
      args: { values: { org: ['acme'] }, files: {}, json: false, help: false, version: false }
    })
    expect(parseCliArgs(['--version']).ok && parseCliArgs(['--version'])).toMatchObject({ args: { version: true } })
    // After --, even --help is not an option.
    expect(parseCliArgs(['--org', 'acme', '--', '--help']).ok).toBe(false)
  })

  it.each([
    [['--org', 'acme', '--fail-on', 'sometimes'], /^--fail-on: must be one of "error", "warning", "never"; got "sometimes"\.$/],
    [['--org', 'acme', '--fail-days', '40'], /^--fail-days: \(40\) must not exceed --warn-days \(30\)/],
    [['--org', 'acme', '--timeout-seconds', '0'], /^--timeout-seconds: must be a whole number of at least 1/],
    [['--org', 'acme', '--api-url', 'http://api.github.com'], /^--api-url: .*loopback hosts only/],
    [['--org', 'acme', '--scim-probe', 'yes'], /^--scim-probe: /]
  ])("a bad value is a usage problem in the CLI's words: %j", (argv, problem) => {
    const problems = flagProblems(cliArgs(argv), {})
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(problem)
  })

  it('--help wins over anything but a token', () => {
    expect(parseCliArgs(['--help', '--bogus'])).toEqual({
      ok: true,
      args: { values: {}, files: {}, json: false, help: true, version: false }
    })
    expect(parseCliArgs(['-h', '--token', 'x']).ok).toBe(false)
  })

  it('colors only on a terminal without NO_COLOR; FORCE_COLOR forces (0 disables)', () => {
    expect(colorEnabled({}, true)).toBe(true)
    expect(colorEnabled({}, false)).toBe(false)
    expect(colorEnabled({ NO_COLOR: '1' }, true)).toBe(false)
    expect(colorEnabled({ NO_COLOR: '' }, true)).toBe(true)
    expect(colorEnabled({ FORCE_COLOR: '1' }, false)).toBe(true)
    expect(colorEnabled({ FORCE_COLOR: '1', NO_COLOR: '1' }, false)).toBe(true)
    expect(colorEnabled({ FORCE_COLOR: '0' }, true)).toBe(false)
  })

  it('edits the hidden line: backspace, Ctrl-U, arrow keys ignored, Enter ends, Ctrl-C cancels', () => {
    let line = editHiddenLine('', 'ghp_ab')
    expect(line).toEqual({ buffer: 'ghp_ab', done: false, cancelled: false })
    line = editHiddenLine(line.buffer, 'x\x7f\x1b[Dc\x1bOA\b')
    expect(line.buffer).toBe('ghp_ab')
    line = editHiddenLine(line.buffer, 'cd\rignored')
    expect(line).toEqual({ buffer: 'ghp_abcd', done: true, cancelled: false })
    expect(editHiddenLine('junk', '\x15ghp_1\n').buffer).toBe('ghp_1')
    expect(editHiddenLine('ghp_1', '2\x03')).toEqual({ buffer: '', done: false, cancelled: true })
    expect(editHiddenLine('ghp_1', '\x04')).toEqual({ buffer: 'ghp_1', done: true, cancelled: false })
  })
})

// ── dist/cli/index.js against the simulator ──────────────────────────────────

interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

function spawnCli(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<CliRun> {
  // A clean environment: no GITHUB_TOKEN/GH_TOKEN, color or proxy settings of whoever runs the tests.
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env }
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', d => (stdout += d))
  child.stderr?.on('data', d => (stderr += d))
  if (options.stdin !== undefined) child.stdin?.end(options.stdin)
  const killer = setTimeout(() => child.kill('SIGKILL'), 25_000)
  return new Promise(res =>
    child.on('close', code => {
      clearTimeout(killer)
      res({ code, stdout, stderr })
    })
  )
}

/** The cases below run concurrently, a few processes at a time (support/slots.ts). */
const slot = slots(SPAWN_SLOTS)
const runCli = (args: string[], options?: { env?: Record<string, string>; stdin?: string }): Promise<CliRun> =>
  slot(() => spawnCli(args, options))

async function fakeFor(scenario: ScenarioName): Promise<{ fake: FakeGitHub; token: string }> {
  const { world, token } = scenarioWorld(scenario)
  const fake = await startFake(world)
  servers.push(fake)
  return { fake, token }
}

function expectNoLeak(run: CliRun, token: string): void {
  expect(run.stdout).not.toContain(token)
  expect(run.stderr).not.toContain(token)
}

/** Volatile: the SSO authorization URL is new on every request; "last used" is the previous run's time. */
function stable(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value)
      .replace(/authorization_request=[A-Za-z0-9]+/g, 'authorization_request=X')
      .replace(/"accessedAt":"[^"]*"/g, '"accessedAt":"X"')
  )
}

function keysOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keysOf)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map(k => [k, keysOf((value as Record<string, unknown>)[k])])
    )
  }
  return typeof value
}

describe('dist/cli/index.js against the simulator', () => {
  it('is a node script with a shebang, executable, runnable as is', () => {
    expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
    expect(statSync(CLI).mode & 0o111).not.toBe(0)
    const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { bin?: Record<string, string> }
    expect(pkg.bin).toEqual({ 'provisioning-token-check': 'dist/cli/index.js' })
  })

  it.concurrent(
    'healthy: exit 0 and a healthy header',
    async () => {
      const { fake, token } = await fakeFor('healthy')
      const run = await runCli(['--org', 'acme', '--api-url', fake.apiUrl], { env: { GITHUB_TOKEN: token } })
      expect(run.code).toBe(0)
      expect(run.stdout.split('\n')[0]).toBe('✓ HEALTHY: provisioning with this token should work')
      expect(run.stdout).toContain('Token owner    acme-scim')
      expect(run.stdout).not.toContain(ESC)
      expectNoLeak(run, token)
      expect(fake.violations).toEqual([])
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent.each([
    ['not-org-owner' as const, 'Make the service account an owner'],
    ['sso-not-authorized' as const, 'Configure SSO']
  ])(
    '%s: exit 1, the cause line and its fix',
    async (scenario, fix) => {
      const { fake, token } = await fakeFor(scenario)
      const run = await runCli(['--org', 'acme', '--api-url', fake.apiUrl], { env: { GH_TOKEN: token } })
      expect(run.code).toBe(1)
      const lines = run.stdout.split('\n')
      expect(lines[0]).toBe("✗ FAILING: GitHub's side fails: the checked token or the service account's access")
      const at = lines.findIndex(l => l.startsWith(`✗ [${scenario}] `))
      expect(at).toBeGreaterThan(0)
      expect(lines[at + 1]).toMatch(new RegExp(`^    Fix: .*${fix}`))
      expectNoLeak(run, token)
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'colors with FORCE_COLOR, not with NO_COLOR',
    async () => {
      const { fake, token } = await fakeFor('not-org-owner')
      const args = ['--org', 'acme', '--api-url', fake.apiUrl]
      const forced = await runCli(args, { env: { GITHUB_TOKEN: token, FORCE_COLOR: '1' } })
      expect(forced.stdout).toContain(`${ESC}31m[not-org-owner]`)
      const plainRun = await runCli(args, { env: { GITHUB_TOKEN: token, NO_COLOR: '1' } })
      expect(plainRun.stdout).not.toContain(ESC)
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'reads the token from stdin when there is no env token and stdin is not a terminal',
    async () => {
      const { fake, token } = await fakeFor('healthy')
      const run = await runCli(['--org', 'acme', '--api-url', fake.apiUrl], { stdin: `${token}\n` })
      expect(run.code).toBe(0)
      expect(run.stdout).toMatch(/^✓ HEALTHY/)
      expect(run.stdout).not.toContain('token-whitespace')
      expectNoLeak(run, token)
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent.each<[ScenarioName, Record<string, string>]>([
    ['healthy', {}],
    ['not-org-owner', {}],
    ['sso-not-authorized', {}],
    ['token-invalid', {}],
    ['token-expiring', { 'warn-days': '10', 'fail-days': '2' }],
    ['saml-identity-missing', { 'fail-on': 'warning' }]
  ])(
    "--json on %s %j: the action's report and exit code",
    async (scenario, inputs) => {
      const { fake, token } = await fakeFor(scenario)
      const all: Record<string, string> = { org: 'acme', 'api-url': fake.apiUrl, 'timeout-seconds': '20', ...inputs }
      const cli = await runCli([...Object.entries(all).flatMap(([k, v]) => [`--${k}`, v]), '--json'], { env: { GITHUB_TOKEN: token } })
      const action = await slot(() => runAction({ token, ...all }))
      // Exactly one JSON document on stdout, nothing else.
      const report = JSON.parse(cli.stdout) as unknown
      expect(cli.stdout.trim().split('\n')).toHaveLength(1)
      expect(keysOf(report)).toEqual(keysOf(action.report))
      expect(stable(report)).toEqual(stable(action.report))
      expect(cli.code).toBe(action.code)
      expectNoLeak(cli, token)
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    '--token: exit 2, says why, and sends nothing',
    async () => {
      const { fake, token } = await fakeFor('healthy')
      for (const args of [['--token', 'x'], [`--token=${token}`], [token]]) {
        const run = await runCli(['--org', 'acme', '--api-url', fake.apiUrl, ...args], { env: { GITHUB_TOKEN: token } })
        expect(run.code).toBe(2)
        expect(run.stderr).toMatch(/shell history/)
        expect(run.stderr).toMatch(/process list/)
        expect(run.stdout).toBe('')
        expectNoLeak(run, token)
      }
      expect(fake.requests).toEqual([])
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'a bad option value exits 2 before any token is read or request sent',
    async () => {
      const { fake, token } = await fakeFor('healthy')
      for (const bad of [
        ['--fail-on', 'sometimes'],
        ['--fail-days', '40']
      ]) {
        const run = await runCli(['--org', 'acme', '--api-url', fake.apiUrl, ...bad], { env: { GITHUB_TOKEN: token } })
        expect(run.code).toBe(2)
        expect(run.stderr).toContain(`${bad[0]}:`)
        expect(run.stdout).toBe('')
      }
      expect(fake.requests).toEqual([])
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    '--version prints the package version',
    async () => {
      const run = await runCli(['--version'])
      expect(run.code).toBe(0)
      expect(run.stdout).toMatch(/^provisioning-token-check \d+\.\d+\.\d+\n$/)
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    '--json prints one JSON document even with stale GITHUB_* variables',
    async () => {
      const { token, fake } = await fakeFor('healthy')
      const run = await runCli(['--org', 'acme', '--api-url', fake.apiUrl, '--json'], {
        env: {
          GITHUB_TOKEN: token,
          GITHUB_EVENT_PATH: '/nonexistent/event.json',
          GITHUB_ACTIONS: 'true',
          GITHUB_REPOSITORY: 'a/b',
          GITHUB_EVENT_NAME: 'push'
        }
      })
      expect(run.code).toBe(0)
      expect(JSON.parse(run.stdout)).toMatchObject({ status: 'healthy' })
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'usage errors exit 2 before any request; --help exits 0',
    async () => {
      const { fake, token } = await fakeFor('healthy')
      const unknown = await runCli(['--org', 'acme', '--api-url', fake.apiUrl, '--bogus'], { env: { GITHUB_TOKEN: token } })
      expect(unknown.code).toBe(2)
      expect(unknown.stderr).toContain('unknown option --bogus')
      const noToken = await runCli(['--org', 'acme', '--api-url', fake.apiUrl], { stdin: '' })
      expect(noToken.code).toBe(2)
      expect(noToken.stderr).toMatch(/no token/)
      expect(fake.requests).toEqual([])
      const help = await runCli(['--help'])
      expect(help.code).toBe(0)
      expect(help.stdout).toMatch(/^Usage: provisioning-token-check --org ORG/)
      expect(help.stdout).toContain('never taken as an argument')
    },
    QUEUED_TIMEOUT_MS
  )
})
