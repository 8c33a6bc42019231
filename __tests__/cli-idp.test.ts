/**
 * The CLI's IdP side: the IdP flags (parsed, validated as the action's inputs,
 * bad values a usage error), its secrets (only from the environment or a
 * file; the secret flags refused by name), and dist/cli/index.js against the
 * loopback GitHub with the loopback Okta or Entra, with no secret (given or
 * obtained) anywhere in its output.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  cliEnv,
  ENTRA_SECRET_MISSING,
  flagProblems,
  inputReader,
  OKTA_SIGN_IN_MISSING,
  parseCliArgs,
  SECRET_FILE_FLAGS,
  secretPlan,
  USAGE,
  VALUE_FLAGS,
  type CliArgs,
  type IdpSecrets
} from '../src/cli/args.js'
import { MAX_SECRET_FILE, readIdpSecrets, readSecretFile, shownPath } from '../src/cli/secrets.js'
import { orList } from '../src/idp/inputs.js'
import { IDP_SECRET_INPUTS, PROVIDER_IDS } from '../src/idp/providers.js'
import { parseInputs } from '../src/inputs.js'
import {
  CLIENT_ID,
  CLIENT_SECRET,
  entraWorld,
  OIDC_REQUEST_TOKEN,
  SERVICE_PRINCIPAL_ID,
  startEntraFake,
  TENANT_ID
} from '../simulator/entra-fake.mjs'
import { startFake, type FakeGitHub } from '../simulator/github-fake.mjs'
import {
  credentialsRejectedWorld,
  healthyOktaWorld,
  OKTA_API_TOKEN,
  OKTA_APP_ID,
  OKTA_CLIENT_ID,
  OKTA_KEY_IDS,
  oktaKeys,
  startOktaFake
} from '../simulator/okta-fake.mjs'
import { runAction } from '../simulator/run-action.mjs'
import { HEALTHY_TOKEN, scenarioWorld, type ScenarioName } from '../simulator/worlds.mjs'
import { QUEUED_TIMEOUT_MS, slots, SPAWN_SLOTS } from './support/slots.js'

/** Every provider, as the CLI names them: `--idp okta, --idp entra or …` (the registry's order). */
const ANY_IDP = orList(PROVIDER_IDS.map(id => `--idp ${id}`))
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const CLI = resolve(ROOT, 'dist', 'cli', 'index.js')
const DIR = mkdtempSync(join(tmpdir(), 'cli-idp-'))

const closers: Array<{ close(): Promise<void> }> = []
afterAll(async () => {
  await Promise.all(closers.map(c => c.close()))
  rmSync(DIR, { recursive: true, force: true })
})

const GUID = '2b4d6f8a-1c3e-4a5b-8d7f-9e0a1b2c3d4e'
const SOME_SECRET = 'Xyz8Q~AbCdEf.gHiJk-LmNoP_qRsT~uvw1234567'
const OKTA_FLAGS = ['--org', 'acme', '--idp', 'okta', '--okta-org-url', 'https://acme.okta.com', '--okta-app-id', '0oa1b2c3d4e5f6g7h8i9']
const ENTRA_FLAGS = [
  '--org',
  'acme',
  '--idp',
  'entra',
  '--entra-tenant-id',
  GUID,
  '--entra-client-id',
  GUID,
  '--entra-service-principal-id',
  GUID
]

function cliArgs(argv: string[]): CliArgs {
  const parsed = parseCliArgs(argv)
  if (!parsed.ok) throw new Error(parsed.error)
  return parsed.args
}

function file(name: string, content: string | Buffer): string {
  const path = join(DIR, name)
  writeFileSync(path, content, { mode: 0o600 })
  return path
}

// ── Flags, secret sources, usage problems ───────────────────────────────────

describe('CLI IdP flags', () => {
  it('each non-secret IdP input is a flag of the same name, validated by parseInputs (Okta, API service app)', () => {
    const args = cliArgs([...OKTA_FLAGS, '--okta-client-id', '0oa9z8y7x6w5v4u3t2s1', '--okta-key-id', 'kid-1', '--idp-lookback-hours=48'])
    const secrets: IdpSecrets = { 'okta-private-key': { value: oktaKeys().rsaPkcs8Pem, from: 'OKTA_PRIVATE_KEY' } }
    const parsed = parseInputs(inputReader(args, HEALTHY_TOKEN, secrets), {})
    expect(parsed.problems).toEqual([])
    expect(parsed.inputs?.idp).toMatchObject({
      provider: 'okta',
      config: {
        orgUrl: 'https://acme.okta.com',
        appId: '0oa1b2c3d4e5f6g7h8i9',
        lookbackHours: 48,
        auth: { kind: 'private-key-jwt', clientId: '0oa9z8y7x6w5v4u3t2s1', keyId: 'kid-1' }
      }
    })
  })

  it('Entra: every flag, with the secret from the environment', () => {
    const args = cliArgs([
      ...ENTRA_FLAGS,
      '--entra-audience',
      'api://AzureADTokenExchangeUSGov',
      '--entra-login-url',
      'https://login.microsoftonline.us',
      '--graph-url',
      'https://graph.microsoft.us'
    ])
    const plan = secretPlan(args, { ENTRA_CLIENT_SECRET: SOME_SECRET })
    expect(plan).toEqual([{ input: 'entra-client-secret', env: 'ENTRA_CLIENT_SECRET', value: SOME_SECRET }])
    const parsed = parseInputs(
      inputReader(args, HEALTHY_TOKEN, { 'entra-client-secret': { value: SOME_SECRET, from: 'ENTRA_CLIENT_SECRET' } }),
      {}
    )
    expect(parsed.problems).toEqual([])
    expect(parsed.inputs?.idp).toMatchObject({
      provider: 'entra',
      config: {
        tenantId: GUID,
        loginUrl: 'https://login.microsoftonline.us',
        graphUrl: 'https://graph.microsoft.us',
        auth: { kind: 'secret', secret: SOME_SECRET }
      }
    })
  })

  it('the file flags take a path; each is given at most once', () => {
    expect(
      cliArgs(['--org', 'acme', '--okta-api-token-file', '/a', '--okta-private-key-file=/b', '--entra-client-secret-file', 'c.txt']).files
    ).toEqual({
      'okta-api-token-file': '/a',
      'okta-private-key-file': '/b',
      'entra-client-secret-file': 'c.txt'
    })
    expect(parseCliArgs(['--org', 'acme', '--okta-api-token-file', '/a', '--okta-api-token-file', '/b'])).toEqual({
      ok: false,
      error: '--okta-api-token-file is given more than once'
    })
    expect(parseCliArgs(['--org', 'acme', '--okta-private-key-file'])).toEqual({
      ok: false,
      error: '--okta-private-key-file needs a value'
    })
    expect(parseCliArgs(['--org', 'acme', '--idp', 'okta', '--idp', 'entra'])).toEqual({
      ok: false,
      error: '--idp is given more than once'
    })
  })

  it.each([
    [['--org', 'acme', '--okta-api-token', SOME_SECRET], 'okta-api-token', 'OKTA_API_TOKEN'],
    [['--org', 'acme', `--okta-api-token=${SOME_SECRET}`], 'okta-api-token', 'OKTA_API_TOKEN'],
    [['--org', 'acme', '--okta-private-key', SOME_SECRET], 'okta-private-key', 'OKTA_PRIVATE_KEY'],
    [['--org', 'acme', `--okta-private-key=-----BEGIN PRIVATE KEY-----\n${SOME_SECRET}`], 'okta-private-key', 'OKTA_PRIVATE_KEY'],
    [['--org', 'acme', '--entra-client-secret', SOME_SECRET], 'entra-client-secret', 'ENTRA_CLIENT_SECRET'],
    [['--org', 'acme', `--entra-client-secret=${SOME_SECRET}`], 'entra-client-secret', 'ENTRA_CLIENT_SECRET'],
    [['--org', 'acme', '-entra-client-secret', SOME_SECRET], 'entra-client-secret', 'ENTRA_CLIENT_SECRET'],
    // Before anything else is looked at: help, unknown options, a missing --org.
    [['--help', '--entra-client-secret', SOME_SECRET], 'entra-client-secret', 'ENTRA_CLIENT_SECRET'],
    [['--bogus', '--okta-api-token'], 'okta-api-token', 'OKTA_API_TOKEN']
  ])('refuses %j by name, says why and what to use, never echoes the value', (argv, name, env) => {
    const parsed = parseCliArgs(argv)
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.error).toMatch(new RegExp(`^--${name}: .*shell history.*process list \\(ps\\)`))
    expect(parsed.error).toContain(`Set ${env} in the environment or pass --${name}-file FILE`)
    expect(parsed.error).not.toContain(SOME_SECRET)
    expect(parsed.error).not.toContain('Xyz8Q')
  })

  it('secretPlan: a file wins over the environment; the environment is read only for the provider --idp names', () => {
    const env = { OKTA_API_TOKEN: 'env-token-value', OKTA_PRIVATE_KEY: 'env-key', ENTRA_CLIENT_SECRET: 'env-secret' }
    // Without --idp, variables exported for other tools change nothing.
    expect(secretPlan(cliArgs(['--org', 'acme']), env)).toEqual([])
    expect(flagProblems(cliArgs(['--org', 'acme']), env)).toEqual([])
    // With --idp okta, Entra's variable is not read (and the reverse).
    expect(secretPlan(cliArgs(['--org', 'acme', '--idp', 'okta']), env).map(p => p.input)).toEqual(['okta-private-key', 'okta-api-token'])
    expect(secretPlan(cliArgs(['--org', 'acme', '--idp', 'ENTRA']), env).map(p => p.input)).toEqual(['entra-client-secret'])
    // The file wins; an empty variable counts as not set.
    expect(
      secretPlan(cliArgs(['--org', 'acme', '--idp', 'okta', '--okta-api-token-file', '/t']), { ...env, OKTA_PRIVATE_KEY: ' ' })
    ).toEqual([{ input: 'okta-api-token', file: '/t', flag: 'okta-api-token-file' }])
    // A file flag is always taken: without --idp it is a usage problem, not ignored.
    expect(secretPlan(cliArgs(['--org', 'acme', '--entra-client-secret-file', '/s']), {})).toEqual([
      { input: 'entra-client-secret', file: '/s', flag: 'entra-client-secret-file' }
    ])
  })

  it("cliEnv never passes the runner's OIDC endpoint on", () => {
    const env = {
      ACTIONS_ID_TOKEN_REQUEST_URL: 'https://x/idtoken',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runner-secret',
      GITHUB_API_URL: 'https://api.acme.ghe.com'
    }
    expect(cliEnv(env)).toEqual({ GITHUB_API_URL: 'https://api.acme.ghe.com' })
    expect(env.ACTIONS_ID_TOKEN_REQUEST_URL).toBe('https://x/idtoken')
  })

  it.each<[string[], Record<string, string>, RegExp | string]>([
    [
      ['--org', 'acme', '--idp', 'ping'],
      {},
      `--idp: must be ${orList(PROVIDER_IDS.map(id => `"${id}"`))} (or empty: GitHub's side only); got "ping".`
    ],
    [
      [...OKTA_FLAGS.slice(0, 6), '--okta-app-id', '0oa1'],
      { OKTA_API_TOKEN },
      /^--okta-app-id: must be the GitHub app instance's id: 0oa followed by 17 letters or digits/
    ],
    [[...OKTA_FLAGS, '--idp-lookback-hours', '5000'], { OKTA_API_TOKEN }, /^--idp-lookback-hours: must be 1 to 2160 hours/],
    [[...OKTA_FLAGS, '--idp-lookback-hours', '0'], { OKTA_API_TOKEN }, /^--idp-lookback-hours: must be a whole number of at least 1/],
    [
      ['--org', 'acme', '--idp', 'okta', '--okta-org-url', 'http://acme.okta.com', '--okta-app-id', '0oa1b2c3d4e5f6g7h8i9'],
      { OKTA_API_TOKEN },
      /^--okta-org-url: must be an https URL.*loopback hosts only/
    ],
    [
      ['--org', 'acme', '--idp', 'okta', '--okta-app-id', '0oa1b2c3d4e5f6g7h8i9'],
      { OKTA_API_TOKEN },
      '--okta-org-url: is required with --idp okta.'
    ],
    [OKTA_FLAGS, {}, OKTA_SIGN_IN_MISSING],
    [
      [...OKTA_FLAGS, '--okta-client-id', '0oa9z8y7x6w5v4u3t2s1'],
      {},
      /^--okta-private-key-file \(or OKTA_PRIVATE_KEY\): is required with --okta-client-id: the API service app's private key/
    ],
    [OKTA_FLAGS, { OKTA_PRIVATE_KEY: 'a key' }, /^--okta-client-id: is required with OKTA_PRIVATE_KEY: /],
    [
      OKTA_FLAGS,
      { OKTA_API_TOKEN, OKTA_PRIVATE_KEY: 'a key' },
      'OKTA_API_TOKEN and OKTA_PRIVATE_KEY are two ways to sign in to Okta: give one of them.'
    ],
    [
      [...OKTA_FLAGS, '--okta-client-id', '0oa9z8y7x6w5v4u3t2s1'],
      { OKTA_API_TOKEN },
      'OKTA_API_TOKEN and --okta-client-id are two ways to sign in to Okta: give one of them.'
    ],
    [
      [...OKTA_FLAGS, '--okta-key-id', 'k1'],
      { OKTA_API_TOKEN },
      '--okta-key-id: goes with --okta-private-key-file (or OKTA_PRIVATE_KEY), not with OKTA_API_TOKEN.'
    ],
    [[...OKTA_FLAGS, '--entra-tenant-id', GUID], { OKTA_API_TOKEN }, '--entra-tenant-id: belongs to --idp entra, not --idp okta.'],
    [
      ['--org', 'acme', '--okta-org-url', 'https://acme.okta.com'],
      {},
      `--okta-org-url: is an IdP input: set ${ANY_IDP} to use it, or remove it.`
    ],
    [
      ['--org', 'acme', '--okta-api-token-file', '/t'],
      {},
      `--okta-api-token-file: is an IdP input: set ${ANY_IDP} to use it, or remove it.`
    ],
    [[...ENTRA_FLAGS, '--org', 'beta'], { ENTRA_CLIENT_SECRET: SOME_SECRET }, /^--idp: checks one IdP app.*\(2 are given\)/],
    [
      [
        '--org',
        'acme',
        '--idp',
        'entra',
        '--entra-tenant-id',
        'acme.onmicrosoft.com',
        '--entra-client-id',
        GUID,
        '--entra-service-principal-id',
        GUID
      ],
      { ENTRA_CLIENT_SECRET: SOME_SECRET },
      /^--entra-tenant-id: must be the directory \(tenant\) id, a GUID/
    ],
    [
      [...ENTRA_FLAGS, '--graph-url', 'http://graph.microsoft.com'],
      { ENTRA_CLIENT_SECRET: SOME_SECRET },
      /^--graph-url: must be an https URL/
    ],
    [ENTRA_FLAGS, {}, ENTRA_SECRET_MISSING],
    // The runner's OIDC variables, set by chance, are not taken: still a usage problem.
    [ENTRA_FLAGS, { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/idtoken', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'x' }, ENTRA_SECRET_MISSING]
  ])("a bad IdP value is a usage problem in the CLI's words: %j %j", (argv, env, expected) => {
    const problems = flagProblems(cliArgs(argv), env)
    expect(problems).toHaveLength(1)
    if (typeof expected === 'string') expect(problems[0]).toBe(expected)
    else expect(problems[0]).toMatch(expected)
    expect(problems[0]).not.toMatch(/Input "|`idp: |id-token: write/)
    for (const value of Object.values(env)) if (value.length > 3) expect(problems[0]).not.toContain(value)
  })

  it("the message for Entra without a secret says what to set, not the action's permissions", () => {
    expect(ENTRA_SECRET_MISSING).toContain('ENTRA_CLIENT_SECRET')
    expect(ENTRA_SECRET_MISSING).toContain('--entra-client-secret-file')
    expect(ENTRA_SECRET_MISSING).not.toContain('id-token')
  })

  it("--help lists every flag and the secrets' variables; the secret flags only as refused", () => {
    const help = cliArgs(['--help'])
    expect(help.help).toBe(true)
    for (const flag of [...VALUE_FLAGS, ...SECRET_FILE_FLAGS]) expect(USAGE).toMatch(new RegExp(`^ +--${flag}[ =]`, 'm'))
    for (const env of ['OKTA_API_TOKEN', 'OKTA_PRIVATE_KEY', 'ENTRA_CLIENT_SECRET']) expect(USAGE).toContain(env)
    const refusedParagraph =
      /IdP secrets come only from the environment or from a file[^]*?are\s+refused,\s+as\s+--token\s+is\./.exec(USAGE)?.[0] ?? ''
    for (const input of IDP_SECRET_INPUTS) expect(refusedParagraph.replace(/\s+/g, ' ')).toContain(`--${input}`)
    expect(USAGE).toContain('2 on a usage error')
  })
})

describe('secret files', () => {
  it('reads a file; a file wins over the environment', () => {
    const path = file('okta-token', `${OKTA_API_TOKEN}\n`)
    const read = readIdpSecrets(cliArgs([...OKTA_FLAGS, '--okta-api-token-file', path]), { OKTA_API_TOKEN: 'from-the-environment' })
    expect(read).toEqual({ ok: true, secrets: { 'okta-api-token': { value: `${OKTA_API_TOKEN}\n`, from: '--okta-api-token-file' } } })
    expect(readIdpSecrets(cliArgs(OKTA_FLAGS), { OKTA_API_TOKEN: 'from-the-environment' })).toEqual({
      ok: true,
      secrets: { 'okta-api-token': { value: 'from-the-environment', from: 'OKTA_API_TOKEN' } }
    })
  })

  it('at most 64 KiB: exactly that is read, one byte more is refused without showing the content', () => {
    expect(readSecretFile('okta-private-key-file', file('max', 'k'.repeat(MAX_SECRET_FILE)))).toEqual({
      ok: true,
      value: 'k'.repeat(MAX_SECRET_FILE)
    })
    const big = readSecretFile('okta-private-key-file', file('big', `${SOME_SECRET}${'k'.repeat(MAX_SECRET_FILE)}`))
    expect(big.ok).toBe(false)
    if (!big.ok) {
      expect(big.error).toBe(
        `--okta-private-key-file: ${JSON.stringify(join(DIR, 'big'))} is larger than 64 KiB: it is not a secret (the content is not shown)`
      )
    }
  })

  it.each<[string, () => string, RegExp]>([
    ['missing', () => join(DIR, 'nope.pem'), /^--okta-private-key-file: ".*nope\.pem" does not exist$/],
    ['a directory', () => DIR, /^--okta-private-key-file: ".*" is a directory, not a file$/],
    ['empty', () => file('empty.pem', ' \n'), /^--okta-private-key-file: ".*empty\.pem" is empty$/],
    ['not a regular file', () => '/dev/null', /^--okta-private-key-file: "\/dev\/null" is not a regular file$/]
  ])('%s: a usage problem naming the flag and the path', (_what, path, expected) => {
    const read = readSecretFile('okta-private-key-file', path())
    expect(read.ok).toBe(false)
    if (!read.ok) expect(read.error).toMatch(expected)
  })

  it('a path that could be the secret itself (pasted instead of a path) is not shown', () => {
    for (const pasted of [SOME_SECRET, OKTA_API_TOKEN, '-----BEGIN PRIVATE KEY-----\nMIIE', 'a'.repeat(400)]) {
      expect(shownPath(pasted)).toBeNull()
      const read = readSecretFile('entra-client-secret-file', pasted)
      expect(read.ok).toBe(false)
      if (!read.ok) {
        expect(read.error).toMatch(/^--entra-client-secret-file: does not exist.* \(the path is not shown/)
        expect(read.error).not.toContain(pasted.slice(0, 12))
      }
    }
    for (const path of [
      'okta.pem',
      '~/keys/okta-service-app.pem',
      'secrets/entra',
      '/run/secrets/entra_client_secret_2024',
      'C:\\keys\\okta.pem'
    ])
      expect(shownPath(path)).toBe(JSON.stringify(path))
  })
})

// ── dist/cli/index.js against the loopback GitHub, Okta and Entra ────────────

interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

function spawnCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', d => (stdout += d))
  child.stderr.on('data', d => (stderr += d))
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
const runCli = (args: string[], env?: Record<string, string>): Promise<CliRun> => slot(() => spawnCli(args, env))

async function github(scenario: ScenarioName): Promise<{ fake: FakeGitHub; token: string }> {
  const { world, token } = scenarioWorld(scenario)
  const fake = await startFake(world)
  closers.push(fake)
  return { fake, token }
}

/** No secret, given or obtained, nor any line of a key, in stdout or stderr. */
function expectNoLeak(run: CliRun, secrets: readonly string[]): void {
  const everything = `${run.stdout}\n${run.stderr}`
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(0)
    for (const piece of [secret, ...secret.split('\n').map(l => l.trim())].filter(l => l.length >= 16 && !/^-----/.test(l))) {
      expect({ leaked: everything.includes(piece) }).toEqual({ leaked: false })
    }
  }
}

describe('dist/cli/index.js with the IdP side', () => {
  it.concurrent(
    'the motivating case: --idp okta with OKTA_API_TOKEN, GitHub healthy, Okta rejecting its credential: the cause, exit 1',
    async () => {
      const gh = await github('healthy')
      const okta = await startOktaFake(credentialsRejectedWorld())
      closers.push(okta)
      const run = await runCli(
        ['--org', 'acme', '--api-url', gh.fake.apiUrl, '--idp', 'okta', '--okta-org-url', okta.url, '--okta-app-id', OKTA_APP_ID],
        { GITHUB_TOKEN: gh.token, OKTA_API_TOKEN }
      )
      expect(run.code).toBe(1)
      const lines = run.stdout.split('\n')
      expect(lines[0]).toBe("✗ FAILING: Okta's provisioning to GitHub fails; GitHub's side of the service account shows no error")
      const at = lines.findIndex(l => l.startsWith('✗ [idp-credentials-rejected] '))
      expect(at).toBeGreaterThan(0)
      expect(lines[at]).toMatch(/Okta rejects its stored credential for GitHub: provisioning has been failing since \d{4}-/)
      expect(lines[at + 1]).toMatch(/^ {4}Fix: .*Re-authenticate/)
      expect(run.stdout).toContain('Identity provider (okta)')
      expect(run.stdout).toMatch(/ Status +failing: provisioning to GitHub fails/)
      expect(run.stderr).toBe('')
      expect(gh.fake.violations).toEqual([])
      expect(okta.violations).toEqual([])
      expect(okta.requests.every(r => r.authScheme === 'SSWS')).toBe(true)
      expectNoLeak(run, [gh.token, OKTA_API_TOKEN])
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    '--okta-private-key-file with a PEM, --json: report.idp as the action reports it; no key line or issued token printed',
    async () => {
      const gh = await github('healthy')
      const okta = await startOktaFake(credentialsRejectedWorld())
      closers.push(okta)
      const key = oktaKeys().rsaPkcs8Pem
      const keyFile = file('okta-service-app.pem', key)
      const inputs = {
        org: 'acme',
        'api-url': gh.fake.apiUrl,
        'timeout-seconds': '20',
        idp: 'okta',
        'okta-org-url': okta.url,
        'okta-app-id': OKTA_APP_ID,
        'okta-client-id': OKTA_CLIENT_ID,
        'okta-key-id': OKTA_KEY_IDS.rsa
      }
      // A stale OKTA_PRIVATE_KEY in the environment: the file wins.
      const run = await runCli(
        [...Object.entries(inputs).flatMap(([k, v]) => [`--${k}`, v]), '--okta-private-key-file', keyFile, '--json'],
        {
          GITHUB_TOKEN: gh.token,
          OKTA_PRIVATE_KEY: 'a stale key from the environment'
        }
      )
      expect(run.code).toBe(1)
      expect(run.stdout.trim().split('\n')).toHaveLength(1)
      const report = JSON.parse(run.stdout) as { status: string; causes: Array<{ id: string }>; idp: Record<string, unknown> }
      expect(report.status).toBe('failing')
      expect(report.causes.map(c => c.id)).toEqual(['idp-credentials-rejected'])
      expect(report.idp).toMatchObject({ provider: 'okta', app: OKTA_APP_ID, status: 'failing' })
      // The same report as the action's on the same worlds (but for the times of the run).
      const action = await slot(() => runAction({ token: gh.token, ...inputs, 'okta-private-key': key }))
      const times = (v: unknown): unknown => JSON.parse(JSON.stringify(v).replace(/"accessedAt":"[^"]*"/g, '"accessedAt":"X"'))
      expect(times(report)).toEqual(times(action.report))
      expect(run.code).toBe(action.code)
      // Signed in with the key (a token request), and every access token it was issued stays out of the output.
      expect(okta.requests.some(r => r.routeKey === 'POST /oauth2/v1/token')).toBe(true)
      expect(okta.issuedTokens.length).toBeGreaterThan(0)
      expect(okta.violations).toEqual([])
      expectNoLeak(run, [gh.token, key, ...okta.issuedTokens])
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    '--okta-api-token-file: healthy on both sides, exit 0',
    async () => {
      const gh = await github('healthy')
      const okta = await startOktaFake(healthyOktaWorld())
      closers.push(okta)
      const run = await runCli(
        [
          '--org',
          'acme',
          '--api-url',
          gh.fake.apiUrl,
          '--idp',
          'okta',
          '--okta-org-url',
          okta.url,
          '--okta-app-id',
          OKTA_APP_ID,
          '--okta-api-token-file',
          file('token.txt', `${OKTA_API_TOKEN}\n`)
        ],
        { GITHUB_TOKEN: gh.token }
      )
      expect(run.code).toBe(0)
      expect(run.stdout).toMatch(/^✓ HEALTHY/)
      expect(run.stdout).toMatch(/ Status +healthy: provisioning to GitHub works/)
      expectNoLeak(run, [gh.token, OKTA_API_TOKEN])
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    "--idp entra with ENTRA_CLIENT_SECRET: the quarantine, exit 1; the runner's OIDC variables, set by chance, are not used",
    async () => {
      const gh = await github('healthy')
      const entra = await startEntraFake(entraWorld('escrow-quarantine'))
      closers.push(entra)
      const run = await runCli(
        [
          '--org',
          'acme',
          '--api-url',
          gh.fake.apiUrl,
          '--idp',
          'entra',
          '--entra-tenant-id',
          TENANT_ID,
          '--entra-client-id',
          CLIENT_ID,
          '--entra-service-principal-id',
          SERVICE_PRINCIPAL_ID,
          '--entra-login-url',
          entra.loginUrl,
          '--graph-url',
          entra.graphUrl
        ],
        {
          GITHUB_TOKEN: gh.token,
          ENTRA_CLIENT_SECRET: CLIENT_SECRET,
          ACTIONS_ID_TOKEN_REQUEST_URL: entra.oidcRequestUrl,
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: OIDC_REQUEST_TOKEN
        }
      )
      expect(run.code).toBe(1)
      expect(run.stdout).toMatch(/^✗ \[idp-quarantined\] /m)
      expect(run.stdout).toContain('Identity provider (entra)')
      expect(run.stdout).toMatch(/^ {2}job [^:]+: /m)
      expect(entra.requests.filter(r => r.role === 'oidc')).toEqual([])
      expect(entra.requests.find(r => r.role === 'login')?.form?.clientSecretFingerprint).not.toBeNull()
      expect(entra.issued.accessTokens).toHaveLength(1)
      expect(entra.violations).toEqual([])
      expectNoLeak(run, [gh.token, CLIENT_SECRET, OIDC_REQUEST_TOKEN, ...entra.issued.accessTokens])
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    '--entra-client-secret-file wins over ENTRA_CLIENT_SECRET; --json has report.idp.entra.jobs',
    async () => {
      const gh = await github('healthy')
      const entra = await startEntraFake(entraWorld('credentials-quarantine'))
      closers.push(entra)
      const run = await runCli(
        [
          '--org',
          'acme',
          '--api-url',
          gh.fake.apiUrl,
          '--idp',
          'entra',
          '--entra-tenant-id',
          TENANT_ID,
          '--entra-client-id',
          CLIENT_ID,
          '--entra-service-principal-id',
          SERVICE_PRINCIPAL_ID,
          '--entra-login-url',
          entra.loginUrl,
          '--graph-url',
          entra.graphUrl,
          '--entra-client-secret-file',
          file('entra-secret', CLIENT_SECRET),
          '--json'
        ],
        { GITHUB_TOKEN: gh.token, ENTRA_CLIENT_SECRET: 'an-old-secret-that-entra-would-refuse' }
      )
      expect(run.code).toBe(1)
      const report = JSON.parse(run.stdout) as {
        causes: Array<{ id: string }>
        idp: { provider: string; status: string; entra: { jobs: unknown[] } }
      }
      expect(report.causes.map(c => c.id)).toEqual(['idp-credentials-rejected'])
      expect(report.idp).toMatchObject({ provider: 'entra', status: 'failing' })
      expect(report.idp.entra.jobs).toHaveLength(1)
      expectNoLeak(run, [gh.token, CLIENT_SECRET, ...entra.issued.accessTokens])
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    "Entra's token endpoint echoes the request back: idp-check-failed, exit 1 (inconclusive: fail), the secret nowhere",
    async () => {
      const gh = await github('healthy')
      const world = entraWorld('healthy')
      world.faults = { 'POST /{tenant}/oauth2/v2.0/token': { kind: 'echo' } }
      const entra = await startEntraFake(world)
      closers.push(entra)
      const run = await runCli(
        [
          '--org',
          'acme',
          '--api-url',
          gh.fake.apiUrl,
          '--idp',
          'entra',
          '--entra-tenant-id',
          TENANT_ID,
          '--entra-client-id',
          CLIENT_ID,
          '--entra-service-principal-id',
          SERVICE_PRINCIPAL_ID,
          '--entra-login-url',
          entra.loginUrl,
          '--graph-url',
          entra.graphUrl
        ],
        { GITHUB_TOKEN: gh.token, ENTRA_CLIENT_SECRET: CLIENT_SECRET }
      )
      expect(entra.requests.filter(q => q.fault === 'echo')).toHaveLength(1)
      expect(run.stdout).toMatch(/^\? \[idp-check-failed\] /m)
      expect(run.code).toBe(1)
      expectNoLeak(run, [gh.token, CLIENT_SECRET])
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'usage errors send nothing to GitHub or the IdP, and never echo a secret',
    async () => {
      const gh = await github('healthy')
      const okta = await startOktaFake(healthyOktaWorld())
      const entra = await startEntraFake(entraWorld('healthy'))
      closers.push(okta, entra)
      const oktaArgs = [
        '--org',
        'acme',
        '--api-url',
        gh.fake.apiUrl,
        '--idp',
        'okta',
        '--okta-org-url',
        okta.url,
        '--okta-app-id',
        OKTA_APP_ID
      ]
      const entraArgs = [
        '--org',
        'acme',
        '--api-url',
        gh.fake.apiUrl,
        '--idp',
        'entra',
        '--entra-tenant-id',
        TENANT_ID,
        '--entra-client-id',
        CLIENT_ID,
        '--entra-service-principal-id',
        SERVICE_PRINCIPAL_ID,
        '--entra-login-url',
        entra.loginUrl,
        '--graph-url',
        entra.graphUrl
      ]
      const cases: Array<[string[], Record<string, string>, RegExp]> = [
        [
          [...oktaArgs, '--okta-api-token', OKTA_API_TOKEN],
          {},
          /^provisioning-token-check: --okta-api-token: .*shell history.*process list.*OKTA_API_TOKEN.*--okta-api-token-file/
        ],
        [
          [...oktaArgs, `--okta-api-token=${OKTA_API_TOKEN}`],
          { OKTA_API_TOKEN },
          /--okta-api-token: IdP secrets are never taken from the command line/
        ],
        [
          [...entraArgs, '--entra-client-secret', CLIENT_SECRET],
          {},
          /--entra-client-secret: .*ENTRA_CLIENT_SECRET.*--entra-client-secret-file/
        ],
        [
          [...entraArgs],
          { ACTIONS_ID_TOKEN_REQUEST_URL: entra.oidcRequestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: OIDC_REQUEST_TOKEN },
          /^provisioning-token-check: --idp entra: needs the app registration's client secret here: set ENTRA_CLIENT_SECRET/
        ],
        [
          [...oktaArgs, '--okta-api-token-file', join(DIR, 'missing-token.txt')],
          {},
          /^provisioning-token-check: --okta-api-token-file: ".*missing-token\.txt" does not exist$/m
        ],
        [[...oktaArgs, '--okta-api-token-file', OKTA_API_TOKEN], {}, /--okta-api-token-file: does not exist \(the path is not shown/],
        [
          [...oktaArgs, '--idp-lookback-hours', '9999'],
          { OKTA_API_TOKEN },
          /^provisioning-token-check: --idp-lookback-hours: must be 1 to 2160 hours/
        ],
        [
          [...oktaArgs, '--okta-client-id', OKTA_CLIENT_ID],
          { OKTA_API_TOKEN },
          /^provisioning-token-check: OKTA_API_TOKEN and --okta-client-id are two ways/
        ]
      ]
      const runs = await Promise.all(cases.map(([args, env]) => runCli(args, { GITHUB_TOKEN: gh.token, ...env })))
      for (const [k, [args, , expected]] of cases.entries()) {
        const run = runs[k] as CliRun
        expect({ args: args.slice(9), code: run.code }).toEqual({ args: args.slice(9), code: 2 })
        expect(run.stderr).toMatch(expected)
        expect(run.stderr).toContain('Run provisioning-token-check --help for usage.')
        expect(run.stdout).toBe('')
        expectNoLeak(run, [gh.token, OKTA_API_TOKEN, CLIENT_SECRET, OIDC_REQUEST_TOKEN])
      }
      expect(gh.fake.requests).toEqual([])
      expect(okta.requests).toEqual([])
      expect(entra.requests).toEqual([])
    },
    QUEUED_TIMEOUT_MS
  )
})
