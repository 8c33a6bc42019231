/**
 * JumpCloud's inputs (docs/idp.md): each missing or malformed `jumpcloud-*`
 * input is input-invalid naming it, no inputs come back (nothing is sent), stray inputs are named; and the
 * CLI: the same flags, secrets only from the environment or `--*-file`.
 */
import { describe, expect, it } from '@jest/globals'
import { flagProblems, inputReader, parseCliArgs, secretPlan, type CliArgs } from '../src/cli/args.js'
import { parseInputs } from '../src/inputs.js'
import { JUMPCLOUD_SIGN_IN_MISSING } from '../src/idp/jumpcloud/provider.js'
import { IDP_SECRET_INPUTS } from '../src/idp/providers.js'

const TOKEN = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'
const APP = '5C86B7469FDCE00001D38016'
const KEY = '0123456789abcdef0123456789abcdef01234567'
const SECRET = 'jcs_S3cr3t-valu3.with~chars_0123456789'
/** action.yml's defaults, as the runner passes them whether or not idp is set. */
const DEFAULTS = {
  'entra-audience': 'api://AzureADTokenExchange',
  'entra-login-url': 'https://login.microsoftonline.com',
  'graph-url': 'https://graph.microsoft.com',
  'jumpcloud-console-url': 'https://console.jumpcloud.com',
  'jumpcloud-insights-url': 'https://api.jumpcloud.com',
  'jumpcloud-oauth-url': 'https://admin-oauth.id.jumpcloud.com',
  'idp-lookback-hours': '720'
}
const parse = (values: Record<string, string>) =>
  parseInputs(name => ({ token: TOKEN, enterprise: 'fabrikam', ...DEFAULTS, ...values })[name] ?? '', {})
const BASE = { idp: 'jumpcloud', 'jumpcloud-app-id': APP }

describe('valid JumpCloud inputs', () => {
  it('an API key; the app id lower-cased; the default hosts', () => {
    const r = parse({ ...BASE, 'jumpcloud-api-key': KEY })
    expect(r.problems).toEqual([])
    expect(r.inputs?.idp).toEqual({
      provider: 'jumpcloud',
      config: {
        appId: APP.toLowerCase(),
        orgId: null,
        consoleUrl: 'https://console.jumpcloud.com',
        insightsUrl: 'https://api.jumpcloud.com',
        oauthUrl: 'https://admin-oauth.id.jumpcloud.com',
        lookbackHours: 720,
        auth: { kind: 'api-key', apiKey: KEY }
      }
    })
  })

  it('a service account, an org id, EU hosts, a look-back', () => {
    const r = parse({
      ...BASE,
      'jumpcloud-client-id': 'c0ffee00-1d2e-4f3a-8b9c-0d1e2f3a4b5c',
      'jumpcloud-client-secret': SECRET,
      'jumpcloud-org-id': 'aaaaaaaaaaaaaaaaaaaaaaaa',
      'jumpcloud-console-url': 'https://console.eu.jumpcloud.com/',
      'jumpcloud-insights-url': 'https://api.eu.jumpcloud.com',
      'jumpcloud-oauth-url': 'https://admin-oauth.id.eu.jumpcloud.com',
      'idp-lookback-hours': '48'
    })
    expect(r.problems).toEqual([])
    expect(r.inputs?.idp?.config).toMatchObject({
      orgId: 'aaaaaaaaaaaaaaaaaaaaaaaa',
      consoleUrl: 'https://console.eu.jumpcloud.com',
      lookbackHours: 48,
      auth: { kind: 'service-account', clientId: 'c0ffee00-1d2e-4f3a-8b9c-0d1e2f3a4b5c', clientSecret: SECRET }
    })
  })

  it('the two secret inputs are secrets (masked and scrubbed from the start)', () => {
    expect(IDP_SECRET_INPUTS).toEqual(expect.arrayContaining(['jumpcloud-api-key', 'jumpcloud-client-secret']))
    expect(IDP_SECRET_INPUTS).not.toContain('jumpcloud-client-id')
  })
})

describe('each problem names its input; nothing comes back', () => {
  it.each<[string, Record<string, string>, string[], RegExp]>([
    ['nothing given', { idp: 'jumpcloud' }, ['jumpcloud-app-id', 'jumpcloud-client-id'], /required with idp: jumpcloud/],
    ['no way to sign in', BASE, ['jumpcloud-client-id'], /service account, recommended.*jumpcloud-api-key/],
    ['a client id alone', { ...BASE, 'jumpcloud-client-id': 'abc' }, ['jumpcloud-client-secret'], /required with "jumpcloud-client-id"/],
    ['a secret alone', { ...BASE, 'jumpcloud-client-secret': SECRET }, ['jumpcloud-client-id'], /required with "jumpcloud-client-secret"/],
    ['both ways', { ...BASE, 'jumpcloud-api-key': KEY, 'jumpcloud-client-id': 'abc' }, ['jumpcloud-api-key'], /two ways to sign in/],
    [
      'an app id that is a name',
      { ...BASE, 'jumpcloud-app-id': 'github', 'jumpcloud-api-key': KEY },
      ['jumpcloud-app-id'],
      /24 hex digits/
    ],
    ['an org id too short', { ...BASE, 'jumpcloud-api-key': KEY, 'jumpcloud-org-id': 'abc' }, ['jumpcloud-org-id'], /multi-tenant/],
    [
      'plain http',
      { ...BASE, 'jumpcloud-api-key': KEY, 'jumpcloud-console-url': 'http://console.jumpcloud.com' },
      ['jumpcloud-console-url'],
      /https/
    ],
    [
      'credentials in a URL',
      { ...BASE, 'jumpcloud-api-key': KEY, 'jumpcloud-insights-url': `https://x:${KEY}@api.jumpcloud.com` },
      ['jumpcloud-insights-url'],
      /holds credentials/
    ],
    ['a look-back over 90 days', { ...BASE, 'jumpcloud-api-key': KEY, 'idp-lookback-hours': '3000' }, ['idp-lookback-hours'], /90 days/],
    [
      'a client id with spaces',
      { ...BASE, 'jumpcloud-client-id': 'a b', 'jumpcloud-client-secret': SECRET },
      ['jumpcloud-client-id'],
      /no spaces/
    ],
    [
      "another provider's input",
      { ...BASE, 'jumpcloud-api-key': KEY, 'okta-org-url': 'https://acme.okta.com' },
      ['okta-org-url'],
      /belongs to idp: okta, not idp: jumpcloud/
    ]
  ])('%s', (_n, values, inputs, message) => {
    const r = parse(values)
    expect(r.inputs).toBeUndefined()
    expect(r.problems.map(p => p.input)).toEqual(inputs)
    expect(r.problems.every(p => p.id === 'input-invalid')).toBe(true)
    expect(r.problems.map(p => p.message).join(' ')).toMatch(message)
    expect(JSON.stringify(r.problems)).not.toContain(KEY)
    expect(JSON.stringify(r.problems)).not.toContain(SECRET)
  })

  it('jumpcloud inputs without idp are named; their defaults are not', () => {
    const r = parse({ 'jumpcloud-app-id': APP })
    expect(r.problems.map(p => p.input)).toEqual(['jumpcloud-app-id'])
    expect(r.problems[0]?.message).toMatch(/is an IdP input/)
  })
})

describe('the CLI', () => {
  const FLAGS = ['--enterprise', 'fabrikam', '--idp', 'jumpcloud', '--jumpcloud-app-id', APP]
  const args = (argv: string[]): CliArgs => {
    const parsed = parseCliArgs(argv)
    if (!parsed.ok) throw new Error(parsed.error)
    return parsed.args
  }

  it.each(['--jumpcloud-api-key', '--jumpcloud-client-secret'])('%s is refused as a flag, by name, without its value', flag => {
    const parsed = parseCliArgs([...FLAGS, flag, KEY])
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) {
      expect(parsed.error).toContain(flag)
      expect(parsed.error).not.toContain(KEY)
    }
  })

  it('the secrets come from the environment only with --idp jumpcloud, or from their files', () => {
    const env = { JUMPCLOUD_API_KEY: KEY, JUMPCLOUD_CLIENT_SECRET: SECRET }
    expect(secretPlan(args(['--enterprise', 'fabrikam']), env)).toEqual([])
    expect(secretPlan(args(FLAGS), { JUMPCLOUD_API_KEY: KEY })).toEqual([
      { input: 'jumpcloud-api-key', env: 'JUMPCLOUD_API_KEY', value: KEY }
    ])
    expect(secretPlan(args(['--enterprise', 'fabrikam', '--idp', 'okta']), env).map(p => p.input)).not.toContain('jumpcloud-api-key')
    expect(secretPlan(args([...FLAGS, '--jumpcloud-client-secret-file', '/s']), {})).toEqual([
      expect.objectContaining({ input: 'jumpcloud-client-secret' })
    ])
  })

  it('every flag reaches parseInputs', () => {
    const a = args([...FLAGS, '--jumpcloud-client-id', 'abc', '--jumpcloud-console-url', 'https://console.eu.jumpcloud.com'])
    const parsed = parseInputs(inputReader(a, TOKEN, { 'jumpcloud-client-secret': { value: SECRET, from: 'JUMPCLOUD_CLIENT_SECRET' } }), {})
    expect(parsed.problems).toEqual([])
    expect(parsed.inputs?.idp?.config).toMatchObject({
      consoleUrl: 'https://console.eu.jumpcloud.com',
      auth: { kind: 'service-account', clientId: 'abc', clientSecret: SECRET }
    })
  })

  it.each<[string[], Record<string, string>, string | RegExp]>([
    [FLAGS, {}, JUMPCLOUD_SIGN_IN_MISSING],
    [
      FLAGS,
      { JUMPCLOUD_API_KEY: KEY, JUMPCLOUD_CLIENT_SECRET: SECRET },
      'JUMPCLOUD_API_KEY and JUMPCLOUD_CLIENT_SECRET are two ways to sign in to JumpCloud: give one of them.'
    ],
    [
      [...FLAGS, '--jumpcloud-client-id', 'abc'],
      { JUMPCLOUD_API_KEY: KEY },
      'JUMPCLOUD_API_KEY and --jumpcloud-client-id are two ways to sign in to JumpCloud: give one of them.'
    ],
    [
      ['--enterprise', 'fabrikam', '--idp', 'jumpcloud'],
      { JUMPCLOUD_API_KEY: KEY },
      '--jumpcloud-app-id: is required with --idp jumpcloud.'
    ]
  ])("a usage problem in the CLI's words: %j %j", (argv, env, expected) => {
    const problems = flagProblems(args(argv), env)
    expect(problems).toHaveLength(1)
    if (typeof expected === 'string') expect(problems[0]).toBe(expected)
    else expect(problems[0]).toMatch(expected)
    for (const value of Object.values(env)) expect(problems[0]).not.toContain(value)
  })
})
