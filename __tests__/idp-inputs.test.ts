/**
 * The IdP side's inputs (docs/idp.md; validation: docs/reference.md): each problem
 * is input-invalid naming its input, and no inputs object comes back (nothing
 * is sent).
 */
import { describe, expect, it } from '@jest/globals'
import { parseInputs } from '../src/inputs.js'

const TOKEN = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'
const APP = '0oa1bcdefghijklmnopq'
const GUID_A = '11111111-2222-3333-4444-555555555555'
const GUID_B = '66666666-7777-8888-9999-aaaaaaaaaaaa'
const GUID_C = 'bbbbbbbb-cccc-dddd-eeee-ffffffffffff'
const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC\n-----END PRIVATE KEY-----'
const OIDC_ENV = {
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://pipelines.actions.githubusercontent.com/x/idtoken?api-version=2.0',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token-value'
}

/** action.yml's defaults, as the runner passes them whether or not idp is set. */
const DEFAULTS = {
  'entra-audience': 'api://AzureADTokenExchange',
  'entra-login-url': 'https://login.microsoftonline.com',
  'graph-url': 'https://graph.microsoft.com',
  'idp-lookback-hours': '720'
}

const parse = (values: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
  parseInputs(name => ({ token: TOKEN, org: 'acme', ...DEFAULTS, ...values })[name] ?? '', env)

const OKTA_JWT = {
  idp: 'okta',
  'okta-org-url': 'https://acme.okta.com',
  'okta-app-id': APP,
  'okta-client-id': '0oaclientid123',
  'okta-private-key': PEM
}
const OKTA_SSWS = {
  idp: 'okta',
  'okta-org-url': 'https://acme.okta.com/',
  'okta-app-id': APP,
  'okta-api-token': '00abcdefghijklmnopqrstuvwxyz0123456789ABCD'
}
const ENTRA = { idp: 'entra', 'entra-tenant-id': GUID_A, 'entra-client-id': GUID_B, 'entra-service-principal-id': GUID_C }

describe('valid IdP inputs', () => {
  it('without idp, the defaults of the IdP inputs are no problem', () => {
    const r = parse({})
    expect(r.problems).toEqual([])
    expect(r.inputs?.idp).toBeNull()
  })
  it('Okta with an API service app key', () => {
    const r = parse(OKTA_JWT)
    expect(r.problems).toEqual([])
    expect(r.inputs?.idp).toEqual({
      provider: 'okta',
      config: {
        orgUrl: 'https://acme.okta.com',
        appId: APP,
        lookbackHours: 720,
        auth: { kind: 'private-key-jwt', clientId: '0oaclientid123', privateKey: PEM, keyId: null }
      }
    })
  })
  it("Okta with an SSWS token, a look-back, and the org URL's trailing slash dropped", () => {
    const r = parse({ ...OKTA_SSWS, 'idp-lookback-hours': '48' })
    expect(r.inputs?.idp).toMatchObject({
      provider: 'okta',
      config: { orgUrl: 'https://acme.okta.com', lookbackHours: 48, auth: { kind: 'ssws' } }
    })
  })
  it('Entra with a client secret', () => {
    const r = parse({ ...ENTRA, 'entra-client-secret': 's3cret~value' })
    expect(r.inputs?.idp).toEqual({
      provider: 'entra',
      config: {
        tenantId: GUID_A,
        clientId: GUID_B,
        servicePrincipalId: GUID_C,
        loginUrl: 'https://login.microsoftonline.com',
        graphUrl: 'https://graph.microsoft.com',
        auth: { kind: 'secret', secret: 's3cret~value' }
      }
    })
  })
  it('Entra with GitHub OIDC when no secret is given and the job may ask for a token', () => {
    const r = parse(ENTRA, OIDC_ENV)
    expect(r.inputs?.idp).toMatchObject({
      config: {
        auth: {
          kind: 'oidc',
          requestUrl: OIDC_ENV.ACTIONS_ID_TOKEN_REQUEST_URL,
          requestToken: 'request-token-value',
          audience: 'api://AzureADTokenExchange'
        }
      }
    })
  })
  it('Entra for an EMU enterprise, sovereign cloud URLs', () => {
    const r = parse({
      ...ENTRA,
      org: '',
      enterprise: 'fabrikam',
      'entra-client-secret': 'x',
      'entra-login-url': 'https://login.microsoftonline.us',
      'graph-url': 'https://graph.microsoft.us',
      'entra-audience': 'api://AzureADTokenExchangeUSGov'
    })
    expect(r.problems).toEqual([])
    expect(r.inputs?.idp).toMatchObject({
      provider: 'entra',
      config: { loginUrl: 'https://login.microsoftonline.us', graphUrl: 'https://graph.microsoft.us' }
    })
  })
})

describe('invalid IdP inputs: input-invalid naming the input, nothing sent', () => {
  const CASES: Array<[string, Record<string, string>, string, NodeJS.ProcessEnv?]> = [
    ['an unknown idp', { idp: 'shibboleth' }, 'idp'],
    ['IdP inputs without idp', { 'okta-app-id': APP }, 'okta-app-id'],
    ['a look-back without idp', { 'idp-lookback-hours': '24' }, 'idp-lookback-hours'],
    ['two orgs with idp', { ...OKTA_JWT, org: 'acme,beta' }, 'idp'],
    ['an org and an enterprise with idp', { ...OKTA_JWT, enterprise: 'fabrikam' }, 'idp'],
    ['Okta without its org URL', { ...OKTA_JWT, 'okta-org-url': '' }, 'okta-org-url'],
    ['Okta over plain http', { ...OKTA_JWT, 'okta-org-url': 'http://acme.okta.com' }, 'okta-org-url'],
    ['Okta without its app id', { ...OKTA_JWT, 'okta-app-id': '' }, 'okta-app-id'],
    ['an app id that is not 0oa + 17', { ...OKTA_JWT, 'okta-app-id': '0oa123' }, 'okta-app-id'],
    ['an Okta API token and a client id/key', { ...OKTA_JWT, 'okta-api-token': 'x'.repeat(42) }, 'okta-api-token'],
    ['no Okta credential at all', { idp: 'okta', 'okta-org-url': 'https://acme.okta.com', 'okta-app-id': APP }, 'okta-client-id'],
    ['a client id without its key', { ...OKTA_JWT, 'okta-private-key': '' }, 'okta-private-key'],
    ['a key without its client id', { ...OKTA_JWT, 'okta-client-id': '' }, 'okta-client-id'],
    ['a key id with an API token', { ...OKTA_SSWS, 'okta-key-id': 'kid1' }, 'okta-key-id'],
    ['a look-back of 0', { ...OKTA_JWT, 'idp-lookback-hours': '0' }, 'idp-lookback-hours'],
    ['a look-back over 2160', { ...OKTA_JWT, 'idp-lookback-hours': '2161' }, 'idp-lookback-hours'],
    ['a fractional look-back', { ...OKTA_JWT, 'idp-lookback-hours': '1.5' }, 'idp-lookback-hours'],
    ['Entra inputs with idp: okta', { ...OKTA_JWT, 'entra-tenant-id': GUID_A }, 'entra-tenant-id'],
    ['Okta inputs with idp: entra', { ...ENTRA, 'entra-client-secret': 'x', 'okta-app-id': APP }, 'okta-app-id'],
    [
      'a tenant that is not a GUID',
      { ...ENTRA, 'entra-client-secret': 'x', 'entra-tenant-id': 'contoso.onmicrosoft.com' },
      'entra-tenant-id'
    ],
    ['a client id that is not a GUID', { ...ENTRA, 'entra-client-secret': 'x', 'entra-client-id': 'abc' }, 'entra-client-id'],
    ['no service principal id', { ...ENTRA, 'entra-client-secret': 'x', 'entra-service-principal-id': '' }, 'entra-service-principal-id'],
    ['no secret and no OIDC', ENTRA, 'entra-client-secret'],
    ['a graph URL with a query', { ...ENTRA, 'entra-client-secret': 'x', 'graph-url': 'https://graph.microsoft.com/?x' }, 'graph-url'],
    [
      'a login URL over plain http',
      { ...ENTRA, 'entra-client-secret': 'x', 'entra-login-url': 'http://login.example.com' },
      'entra-login-url'
    ],
    ['an audience with a space', { ...ENTRA, 'entra-client-secret': 'x', 'entra-audience': 'api://a b' }, 'entra-audience']
  ]
  // Rows as objects: a test function of more parameters than a row has would be taken for a `done` callback.
  it.each(CASES.map(([name, values, input, env]) => ({ name, values, input, env })))('$name → $input', ({ values, input, env }) => {
    const r = parse(values, env ?? {})
    expect(r.inputs).toBeUndefined()
    expect(r.problems.map(p => p.input)).toContain(input)
    expect(r.problems.every(p => p.id === 'input-invalid')).toBe(true)
    expect(r.problems.find(p => p.input === input)?.message).toContain(`"${input}"`)
  })

  it('no secret and no OIDC says to add id-token: write', () => {
    expect(parse(ENTRA).problems[0]?.message).toMatch(/permissions: id-token: write/)
  })

  it('never echoes a secret input', () => {
    const r = parse({ ...OKTA_JWT, 'okta-api-token': 'SSWS-0123456789abcdefghij', 'okta-app-id': 'bad' })
    for (const p of r.problems) {
      expect(p.message).not.toContain('0123456789abcdefghij')
      expect(p.message).not.toContain('MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC')
    }
  })
})
