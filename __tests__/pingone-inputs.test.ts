/**
 * PingOne's inputs (docs/idp.md): valid forms, each missing `pingone-*` input
 * named, bad forms, stray inputs, and the CLI's flags (the secrets refused as flags, read from the
 * environment only for `--idp pingone`, or from `--*-file`).
 */
import { describe, expect, it } from '@jest/globals'
import { flagProblems, inputReader, parseCliArgs, secretPlan, type CliArgs } from '../src/cli/args.js'
import { parseInputs } from '../src/inputs.js'

const TOKEN = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'
const ENV = '11111111-2222-4333-8444-555555555555'
const STORE = '66666666-7777-4888-9999-aaaaaaaaaaaa'
const CLIENT = 'bbbbbbbb-cccc-4ddd-8eee-ffffffffffff'
const SECRET = 'Zq3-' + 'p0Lk9.Mn8_Bv7~Cx6Za5Sd4Fg3Hj2Kl1Qw0Er9Ty8'
const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC\n-----END PRIVATE KEY-----'

/** action.yml's defaults, as the runner passes them whether or not idp is set. */
const DEFAULTS = {
  'entra-audience': 'api://AzureADTokenExchange',
  'entra-login-url': 'https://login.microsoftonline.com',
  'graph-url': 'https://graph.microsoft.com',
  'pingone-region': 'com',
  'idp-lookback-hours': '720'
}
const BASE = { idp: 'pingone', 'pingone-environment-id': ENV, 'pingone-store-id': STORE, 'pingone-client-id': CLIENT }

const parse = (values: Record<string, string>, target: Record<string, string> = { enterprise: 'fabrikam' }) =>
  parseInputs(name => ({ token: TOKEN, ...target, ...DEFAULTS, ...values })[name] ?? '', {})

describe('valid PingOne inputs', () => {
  it('a client secret, the default region: the .com hosts', () => {
    const r = parse({ ...BASE, 'pingone-client-secret': SECRET })
    expect(r.problems).toEqual([])
    expect(r.inputs?.idp).toEqual({
      provider: 'pingone',
      config: {
        environmentId: ENV,
        storeId: STORE,
        clientId: CLIENT,
        authUrl: 'https://auth.pingone.com',
        apiUrl: 'https://api.pingone.com',
        authUrlInput: 'pingone-region',
        apiUrlInput: 'pingone-region',
        auth: { kind: 'secret', secret: SECRET }
      }
    })
  })

  it.each(['eu', 'asia', 'com.au', 'ca', 'sg', 'EU'])('region %s: both hosts on its suffix', region => {
    const r = parse({ ...BASE, 'pingone-client-secret': SECRET, 'pingone-region': region })
    const tld = region.toLowerCase()
    expect(r.inputs?.idp?.config).toMatchObject({ authUrl: `https://auth.pingone.${tld}`, apiUrl: `https://api.pingone.${tld}` })
  })

  it('a private key with its kid, explicit URLs (loopback http allowed), upper-case UUIDs lower-cased', () => {
    const r = parse({
      ...BASE,
      'pingone-environment-id': ENV.toUpperCase(),
      'pingone-private-key': PEM,
      'pingone-key-id': 'kid-1',
      'pingone-auth-url': 'http://127.0.0.1:9999/',
      'pingone-api-url': 'https://api.pingone.eu'
    })
    expect(r.problems).toEqual([])
    expect(r.inputs?.idp?.config).toMatchObject({
      environmentId: ENV,
      authUrl: 'http://127.0.0.1:9999',
      apiUrl: 'https://api.pingone.eu',
      authUrlInput: 'pingone-auth-url',
      apiUrlInput: 'pingone-api-url',
      auth: { kind: 'private-key-jwt', privateKey: PEM, keyId: 'kid-1' }
    })
  })

  it('for an org as well as an enterprise (one target)', () => {
    expect(parse({ ...BASE, 'pingone-client-secret': SECRET }, { org: 'acme' }).problems).toEqual([])
  })
})

describe('invalid PingOne inputs: input-invalid naming each input, nothing parsed', () => {
  it.each([
    ['pingone-environment-id', {}],
    ['pingone-store-id', {}],
    ['pingone-client-id', {}]
  ])('%s missing', input => {
    const values: Record<string, string> = { ...BASE, 'pingone-client-secret': SECRET }
    delete values[input]
    const r = parse(values)
    expect(r.inputs).toBeUndefined()
    expect(r.problems).toEqual([{ id: 'input-invalid', input, message: `Input "${input}" is required with idp: pingone.` }])
  })

  it('all missing: each named, once', () => {
    const r = parse({ idp: 'pingone' })
    expect(r.problems.map(p => p.input)).toEqual([
      'pingone-environment-id',
      'pingone-store-id',
      'pingone-client-id',
      'pingone-client-secret'
    ])
    expect(r.problems.every(p => p.id === 'input-invalid')).toBe(true)
  })

  it.each<[string, Record<string, string>, RegExp]>([
    ['pingone-environment-id', { 'pingone-environment-id': 'prod' }, /a GUID/],
    ['pingone-store-id', { 'pingone-store-id': 'GitHub EMU' }, /a GUID/],
    ['pingone-client-id', { 'pingone-client-id': '1234' }, /a GUID/],
    ['pingone-region', { 'pingone-region': 'us' }, /com, eu, asia, com.au, ca, sg/],
    ['pingone-auth-url', { 'pingone-auth-url': 'http://auth.pingone.eu' }, /plain http is accepted for loopback hosts only/],
    ['pingone-api-url', { 'pingone-api-url': 'https://u:p@api.pingone.eu' }, /holds credentials/],
    ['pingone-client-secret', { 'pingone-private-key': PEM }, /two ways to sign in/],
    ['pingone-key-id', { 'pingone-key-id': 'kid-1' }, /goes with "pingone-private-key"/]
  ])('%s: %j', (input, values, message) => {
    const r = parse({ ...BASE, 'pingone-client-secret': SECRET, ...values })
    expect(r.inputs).toBeUndefined()
    expect(r.problems.map(p => p.input)).toEqual([input])
    expect(r.problems[0]?.message).toMatch(message)
  })

  it("stray inputs: another provider's with idp: pingone, and pingone's without idp", () => {
    const r = parse({ ...BASE, 'pingone-client-secret': SECRET, 'okta-org-url': 'https://acme.okta.com' })
    expect(r.problems).toEqual([expect.objectContaining({ input: 'okta-org-url', message: expect.stringMatching(/belongs to idp: okta/) })])
    const s = parse({ 'pingone-store-id': STORE, 'pingone-region': 'com' })
    expect(s.problems.map(p => p.input)).toEqual(['pingone-store-id'])
    const t = parse({
      idp: 'entra',
      'entra-tenant-id': ENV,
      'entra-client-id': CLIENT,
      'entra-service-principal-id': STORE,
      'entra-client-secret': SECRET,
      'pingone-region': 'eu'
    })
    expect(t.problems.map(p => p.input)).toEqual(['pingone-region'])
  })

  it('never echoes a secret', () => {
    const r = parse({ ...BASE, 'pingone-client-secret': SECRET, 'pingone-private-key': PEM, 'pingone-client-id': SECRET })
    for (const p of r.problems) {
      expect(p.message).not.toContain(SECRET)
      expect(p.message).not.toContain('MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC')
    }
  })
})

describe('CLI flags', () => {
  const cliArgs = (argv: string[]): CliArgs => {
    const parsed = parseCliArgs(argv)
    if (!parsed.ok) throw new Error(parsed.error)
    return parsed.args
  }
  const FLAGS = [
    '--enterprise',
    'fabrikam',
    '--idp',
    'pingone',
    '--pingone-environment-id',
    ENV,
    '--pingone-store-id',
    STORE,
    '--pingone-client-id',
    CLIENT
  ]

  it('every non-secret input is a flag; the secret comes from PINGONE_CLIENT_SECRET', () => {
    const args = cliArgs([...FLAGS, '--pingone-region', 'eu'])
    expect(secretPlan(args, { PINGONE_CLIENT_SECRET: SECRET })).toEqual([
      { input: 'pingone-client-secret', env: 'PINGONE_CLIENT_SECRET', value: SECRET }
    ])
    const parsed = parseInputs(inputReader(args, TOKEN, { 'pingone-client-secret': { value: SECRET, from: 'PINGONE_CLIENT_SECRET' } }), {})
    expect(parsed.problems).toEqual([])
    expect(parsed.inputs?.idp?.config).toMatchObject({ apiUrl: 'https://api.pingone.eu', auth: { kind: 'secret', secret: SECRET } })
  })

  it.each<[string[], string, string]>([
    [['--enterprise', 'fabrikam', '--pingone-client-secret', SECRET], 'pingone-client-secret', 'PINGONE_CLIENT_SECRET'],
    [['--enterprise', 'fabrikam', `--pingone-private-key=${PEM}`], 'pingone-private-key', 'PINGONE_PRIVATE_KEY']
  ])('refuses %j by name, never echoes the value', (argv, name, env) => {
    const parsed = parseCliArgs(argv)
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.error).toMatch(new RegExp(`^--${name}: `))
    expect(parsed.error).toContain(`Set ${env} in the environment or pass --${name}-file FILE`)
    expect(parsed.error).not.toContain(SECRET)
    expect(parsed.error).not.toContain('MIIEvQ')
  })

  it('the environment is read only with --idp pingone; a file wins', () => {
    const env = { PINGONE_CLIENT_SECRET: SECRET, PINGONE_PRIVATE_KEY: PEM }
    expect(secretPlan(cliArgs(['--enterprise', 'fabrikam']), env)).toEqual([])
    expect(secretPlan(cliArgs(['--enterprise', 'fabrikam', '--idp', 'okta']), env).map(p => p.input)).not.toContain('pingone-client-secret')
    expect(secretPlan(cliArgs(['--enterprise', 'fabrikam', '--idp', 'pingone']), env).map(p => p.input)).toEqual([
      'pingone-client-secret',
      'pingone-private-key'
    ])
    expect(secretPlan(cliArgs([...FLAGS, '--pingone-private-key-file', '/k']), env)).toEqual([
      { input: 'pingone-client-secret', env: 'PINGONE_CLIENT_SECRET', value: SECRET },
      { input: 'pingone-private-key', file: '/k', flag: 'pingone-private-key-file' }
    ])
    expect(flagProblems(cliArgs(['--enterprise', 'fabrikam']), env)).toEqual([])
  })
})
