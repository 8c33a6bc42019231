/**
 * OneLogin's inputs (`onelogin-*`): validation through the action's own parseInputs (each problem names its
 * input; nothing comes back, so nothing is sent), stray inputs, and the CLI's flags (the secret refused as a
 * flag by name, read from ONELOGIN_CLIENT_SECRET only with --idp onelogin, or from --onelogin-client-secret-file).
 */
import { describe, expect, it } from '@jest/globals'
import { flagProblems, inputReader, parseCliArgs, secretPlan, USAGE, type CliArgs } from '../src/cli/args.js'
import { IDP_SECRET_INPUTS } from '../src/idp/providers.js'
import { parseInputs } from '../src/inputs.js'

const TOKEN = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'
const CLIENT_ID = 'a'.repeat(24) + '0123456789abcdef0123456789abcdef0123456789'
const SECRET = 'Zq9' + 'x'.repeat(30) + '-Secret_0987654321'
const DEFAULTS = {
  'entra-audience': 'api://AzureADTokenExchange',
  'entra-login-url': 'https://login.microsoftonline.com',
  'graph-url': 'https://graph.microsoft.com',
  'idp-lookback-hours': '720'
}
const ONELOGIN = {
  idp: 'onelogin',
  'onelogin-url': 'https://acme.onelogin.com/',
  'onelogin-client-id': CLIENT_ID,
  'onelogin-client-secret': SECRET,
  'onelogin-app-id': '928532'
}
const parse = (values: Record<string, string>) =>
  parseInputs(name => ({ token: TOKEN, org: 'acme', ...DEFAULTS, ...values })[name] ?? '', {})

describe('valid OneLogin inputs', () => {
  it('every input, the URL without its trailing slash, the look-back', () => {
    const r = parse({ ...ONELOGIN, 'idp-lookback-hours': '48' })
    expect(r.problems).toEqual([])
    expect(r.inputs?.idp).toEqual({
      provider: 'onelogin',
      config: { url: 'https://acme.onelogin.com', clientId: CLIENT_ID, clientSecret: SECRET, appId: '928532', lookbackHours: 48 }
    })
  })
  it('a loopback http URL (tests, simulators)', () => {
    expect(parse({ ...ONELOGIN, 'onelogin-url': 'http://127.0.0.1:8080' }).problems).toEqual([])
  })
  it('the client secret is a secret input (masked from the start of the run)', () => {
    expect(IDP_SECRET_INPUTS).toContain('onelogin-client-secret')
  })
})

describe('problems name their input, and nothing comes back', () => {
  it('with idp: onelogin and nothing else, each missing input is named', () => {
    const r = parse({ idp: 'onelogin' })
    expect(r.inputs ?? null).toBeNull()
    expect(r.problems.map(p => p.input)).toEqual(['onelogin-url', 'onelogin-client-id', 'onelogin-client-secret', 'onelogin-app-id'])
    for (const p of r.problems)
      expect(p).toMatchObject({ id: 'input-invalid', message: expect.stringContaining('is required with idp: onelogin') })
  })

  it.each<[string, Record<string, string>, string, RegExp]>([
    ['plain http elsewhere', { 'onelogin-url': 'http://acme.onelogin.com' }, 'onelogin-url', /loopback hosts only/],
    ['a path', { 'onelogin-url': 'https://acme.onelogin.com/admin' }, 'onelogin-url', /without a path/],
    ['credentials in the URL', { 'onelogin-url': `https://x:${SECRET}@acme.onelogin.com` }, 'onelogin-url', /holds credentials/],
    ['a query', { 'onelogin-url': 'https://acme.onelogin.com/?a=1' }, 'onelogin-url', /query or fragment/],
    ['an app name instead of its id', { 'onelogin-app-id': 'GitHub' }, 'onelogin-app-id', /numeric id/],
    ['a zero app id', { 'onelogin-app-id': '0' }, 'onelogin-app-id', /numeric id/],
    ['a client id with spaces', { 'onelogin-client-id': 'my api credential' }, 'onelogin-client-id', /client id/],
    ['a look-back too long', { 'idp-lookback-hours': '9999' }, 'idp-lookback-hours', /1 to 2160/]
  ])('%s', (_n, over, input, message) => {
    const r = parse({ ...ONELOGIN, ...over })
    expect(r.inputs ?? null).toBeNull()
    expect(r.problems).toEqual([{ id: 'input-invalid', input, message: expect.stringMatching(message) }])
    expect(JSON.stringify(r.problems)).not.toContain(SECRET)
  })

  it("another provider's input with idp: onelogin, and OneLogin's without idp or with another", () => {
    expect(parse({ ...ONELOGIN, 'okta-org-url': 'https://acme.okta.com' }).problems).toEqual([
      { id: 'input-invalid', input: 'okta-org-url', message: 'Input "okta-org-url" belongs to idp: okta, not idp: onelogin.' }
    ])
    const alone = parse({ 'onelogin-url': 'https://acme.onelogin.com' }).problems
    expect(alone).toEqual([
      { id: 'input-invalid', input: 'onelogin-url', message: expect.stringMatching(/is an IdP input: set .*`idp: onelogin`/) }
    ])
    const withOkta = parse({ idp: 'entra', 'onelogin-app-id': '1' }).problems
    expect(withOkta).toContainEqual({
      id: 'input-invalid',
      input: 'onelogin-app-id',
      message: 'Input "onelogin-app-id" belongs to idp: onelogin, not idp: entra.'
    })
  })
})

describe('the CLI', () => {
  const FLAGS = ['--org', 'acme', '--idp', 'onelogin', '--onelogin-url', 'https://acme.onelogin.com', '--onelogin-client-id', CLIENT_ID]
  const args = (argv: string[]): CliArgs => {
    const parsed = parseCliArgs(argv)
    if (!parsed.ok) throw new Error(parsed.error)
    return parsed.args
  }

  it.each([[['--org', 'acme', '--onelogin-client-secret', SECRET]], [['--org', 'acme', `--onelogin-client-secret=${SECRET}`]]])(
    'refuses the secret as a flag by name, never echoing it: %j',
    argv => {
      const parsed = parseCliArgs(argv)
      expect(parsed.ok).toBe(false)
      if (parsed.ok) return
      expect(parsed.error).toMatch(/^--onelogin-client-secret: .*shell history/)
      expect(parsed.error).toContain('Set ONELOGIN_CLIENT_SECRET in the environment or pass --onelogin-client-secret-file FILE')
      expect(parsed.error).not.toContain(SECRET)
    }
  )

  it('reads ONELOGIN_CLIENT_SECRET only with --idp onelogin; a file wins', () => {
    const env = { ONELOGIN_CLIENT_SECRET: SECRET, OKTA_API_TOKEN: 'okta-token-value' }
    expect(secretPlan(args(['--org', 'acme']), env)).toEqual([])
    expect(secretPlan(args(['--org', 'acme', '--idp', 'okta']), env).map(p => p.input)).not.toContain('onelogin-client-secret')
    expect(secretPlan(args(FLAGS), env)).toEqual([{ input: 'onelogin-client-secret', env: 'ONELOGIN_CLIENT_SECRET', value: SECRET }])
    expect(secretPlan(args([...FLAGS, '--onelogin-client-secret-file', '/s']), env)).toEqual([
      { input: 'onelogin-client-secret', file: '/s', flag: 'onelogin-client-secret-file' }
    ])
  })

  it('every flag reaches the same validation as the action', () => {
    const a = args([...FLAGS, '--onelogin-app-id', '928532', '--idp-lookback-hours', '24'])
    const parsed = parseInputs(inputReader(a, TOKEN, { 'onelogin-client-secret': { value: SECRET, from: 'ONELOGIN_CLIENT_SECRET' } }), {})
    expect(parsed.problems).toEqual([])
    expect(parsed.inputs?.idp).toMatchObject({ provider: 'onelogin', config: { appId: '928532', lookbackHours: 24, clientSecret: SECRET } })
  })

  it.each<[string[], Record<string, string>, RegExp]>([
    [
      [...FLAGS, '--onelogin-app-id', '928532'],
      {},
      /^--onelogin-client-secret-file \(or ONELOGIN_CLIENT_SECRET\): is required with --idp onelogin/
    ],
    [[...FLAGS], { ONELOGIN_CLIENT_SECRET: SECRET }, /^--onelogin-app-id: is required with --idp onelogin/],
    [
      [...FLAGS, '--onelogin-app-id', 'github'],
      { ONELOGIN_CLIENT_SECRET: SECRET },
      /^--onelogin-app-id: must be the GitHub app's numeric id/
    ]
  ])('usage problems in the CLI words: %j', (argv, env, expected) => {
    const problems = flagProblems(args(argv), env)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(expected)
    expect(problems[0]).not.toContain(SECRET)
  })

  it('--help lists the flags and the variable', () => {
    for (const flag of ['--onelogin-url', '--onelogin-client-id', '--onelogin-client-secret-file', '--onelogin-app-id'])
      expect(USAGE).toContain(flag)
    expect(USAGE).toContain('ONELOGIN_CLIENT_SECRET')
  })
})
