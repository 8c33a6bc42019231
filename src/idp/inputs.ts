/**
 * The IdP side's inputs (PRODUCT.md, "The IdP side"), validated once: every
 * problem names its input, and nothing is sent while there is one.
 */
import { describe, parseServiceUrl, parseWholeNumber, type InputProblem } from '../input-fields.js'
import type { EntraInputs, IdpProvider, OktaInputs } from './types.js'

export type IdpConfig = { provider: 'okta'; okta: OktaInputs } | { provider: 'entra'; entra: EntraInputs }

export const OKTA_INPUTS = ['okta-org-url', 'okta-app-id', 'okta-client-id', 'okta-private-key', 'okta-key-id', 'okta-api-token'] as const
export const ENTRA_INPUTS = [
  'entra-tenant-id',
  'entra-client-id',
  'entra-service-principal-id',
  'entra-client-secret',
  'entra-audience',
  'entra-login-url',
  'graph-url'
] as const
/** Inputs that hold secrets: masked and scrubbed like the token from the start of the run. */
export const IDP_SECRET_INPUTS = ['okta-api-token', 'okta-private-key', 'entra-client-secret'] as const

/** action.yml's defaults: a value equal to its default counts as not given. */
export const IDP_DEFAULTS: Readonly<Record<string, string>> = {
  'entra-audience': 'api://AzureADTokenExchange',
  'entra-login-url': 'https://login.microsoftonline.com',
  'graph-url': 'https://graph.microsoft.com',
  'idp-lookback-hours': '720'
}

const OKTA_APP_ID = /^0oa[A-Za-z0-9]{17}$/
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const MAX_LOOKBACK_HOURS = 2160

export type ReadInput = (name: string) => string

export interface IdpTarget {
  /** How many orgs and enterprises the run checks: with `idp`, exactly one (one IdP app provisions one of them). */
  count: number
}

/** The runner's OIDC endpoint (`permissions: id-token: write`), when the job may ask for a token. */
function oidcFromEnv(env: NodeJS.ProcessEnv): { requestUrl: string; requestToken: string } | null {
  const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL ?? ''
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? ''
  return requestUrl !== '' && requestToken !== '' ? { requestUrl, requestToken } : null
}

function given(read: ReadInput, name: string): string {
  const value = read(name).trim()
  return value === IDP_DEFAULTS[name] ? '' : value
}

function problem(problems: InputProblem[], input: string, message: string): void {
  problems.push({ id: 'input-invalid', input, message: `Input "${input}" ${message}` })
}

/** Inputs of the other provider (or of any provider without `idp`) are mistakes: each is named. */
function strayInputs(read: ReadInput, names: readonly string[], problems: InputProblem[], why: string): void {
  for (const name of names) if (given(read, name) !== '') problem(problems, name, why)
}

function required(read: ReadInput, name: string, problems: InputProblem[], provider: IdpProvider): string | null {
  const value = read(name).trim()
  if (value === '') {
    problem(problems, name, `is required with idp: ${provider}.`)
    return null
  }
  return value
}

function guid(read: ReadInput, name: string, problems: InputProblem[], what: string): string | null {
  const value = required(read, name, problems, 'entra')
  if (value === null) return null
  if (!GUID.test(value)) {
    problem(problems, name, `must be ${what}, a GUID such as 00000000-0000-0000-0000-000000000000; got ${describe(value)}.`)
    return null
  }
  return value.toLowerCase()
}

function parseOkta(read: ReadInput, problems: InputProblem[]): OktaInputs | null {
  const before = problems.length
  const urlRaw = required(read, 'okta-org-url', problems, 'okta')
  const orgUrl = urlRaw === null ? null : parseServiceUrl('okta-org-url', urlRaw, 'https://acme.okta.com', problems)
  const appId = required(read, 'okta-app-id', problems, 'okta')
  if (appId !== null && !OKTA_APP_ID.test(appId)) {
    problem(
      problems,
      'okta-app-id',
      `must be the GitHub app instance's id: 0oa followed by 17 letters or digits (from the app's admin URL); got ${describe(appId)}.`
    )
  }
  const lookbackHours = parseWholeNumber(
    'idp-lookback-hours',
    read('idp-lookback-hours') || IDP_DEFAULTS['idp-lookback-hours'] || '720',
    problems,
    { min: 1 }
  )
  if (lookbackHours !== null && lookbackHours > MAX_LOOKBACK_HOURS) {
    problem(
      problems,
      'idp-lookback-hours',
      `must be 1 to ${MAX_LOOKBACK_HOURS} hours (Okta keeps 90 days of System Log); got ${lookbackHours}.`
    )
  }
  const apiToken = read('okta-api-token').trim()
  const clientId = read('okta-client-id').trim()
  const privateKey = read('okta-private-key').trim()
  const keyId = read('okta-key-id').trim()
  if (apiToken !== '' && (clientId !== '' || privateKey !== '')) {
    problem(problems, 'okta-api-token', 'and "okta-client-id"/"okta-private-key" are two ways to sign in to Okta: give one of them.')
  } else if (apiToken === '' && clientId === '' && privateKey === '') {
    problem(
      problems,
      'okta-client-id',
      'and "okta-private-key" (an API service app, recommended), or "okta-api-token", are required with idp: okta.'
    )
  } else if (apiToken === '') {
    if (clientId === '') problem(problems, 'okta-client-id', 'is required with "okta-private-key": the API service app\'s client id.')
    if (privateKey === '')
      problem(problems, 'okta-private-key', 'is required with "okta-client-id": the API service app\'s private key (PEM or JWK).')
  }
  if (keyId !== '' && apiToken !== '') problem(problems, 'okta-key-id', 'goes with "okta-private-key", not with "okta-api-token".')
  if (problems.length > before || orgUrl === null || appId === null || lookbackHours === null) return null
  const auth: OktaInputs['auth'] =
    apiToken !== ''
      ? { kind: 'ssws', token: apiToken }
      : { kind: 'private-key-jwt', clientId, privateKey, keyId: keyId === '' ? null : keyId }
  return { orgUrl, appId, lookbackHours, auth }
}

function parseEntra(read: ReadInput, env: NodeJS.ProcessEnv, problems: InputProblem[]): EntraInputs | null {
  const before = problems.length
  const tenantId = guid(read, 'entra-tenant-id', problems, 'the directory (tenant) id')
  const clientId = guid(read, 'entra-client-id', problems, "the app registration's application (client) id")
  const servicePrincipalId = guid(
    read,
    'entra-service-principal-id',
    problems,
    'the object id of the GitHub enterprise application (its service principal)'
  )
  const loginUrl = parseServiceUrl(
    'entra-login-url',
    read('entra-login-url') || IDP_DEFAULTS['entra-login-url'] || '',
    'https://login.microsoftonline.com',
    problems
  )
  const graphUrl = parseServiceUrl(
    'graph-url',
    read('graph-url') || IDP_DEFAULTS['graph-url'] || '',
    'https://graph.microsoft.com',
    problems
  )
  const audience = read('entra-audience').trim() || IDP_DEFAULTS['entra-audience'] || ''
  if (!/^[\x21-\x7e]{1,200}$/.test(audience))
    problem(
      problems,
      'entra-audience',
      `must be the audience of the GitHub OIDC token, such as api://AzureADTokenExchange; got ${describe(audience)}.`
    )
  const secret = read('entra-client-secret').trim()
  const oidc = secret === '' ? oidcFromEnv(env) : null
  if (secret === '' && oidc === null) {
    problem(
      problems,
      'entra-client-secret',
      'is empty and the job cannot ask for a GitHub OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is not set): add `permissions: id-token: write` to the job (and a federated credential to the app registration), or pass a client secret.'
    )
  }
  if (
    problems.length > before ||
    tenantId === null ||
    clientId === null ||
    servicePrincipalId === null ||
    loginUrl === null ||
    graphUrl === null
  )
    return null
  const auth: EntraInputs['auth'] = oidc ? { kind: 'oidc', ...oidc, audience } : { kind: 'secret', secret }
  return { tenantId, clientId, servicePrincipalId, loginUrl, graphUrl, auth }
}

/** The IdP side's configuration, or null without `idp` (or with a problem, which `problems` then names). */
export function parseIdpInputs(read: ReadInput, env: NodeJS.ProcessEnv, problems: InputProblem[], target: IdpTarget): IdpConfig | null {
  const idp = read('idp').trim().toLowerCase()
  if (idp === '') {
    strayInputs(
      read,
      [...OKTA_INPUTS, ...ENTRA_INPUTS, 'idp-lookback-hours'],
      problems,
      'is an IdP input: set `idp: okta` or `idp: entra` to use it, or remove it.'
    )
    return null
  }
  if (idp !== 'okta' && idp !== 'entra') {
    problem(problems, 'idp', `must be "okta" or "entra" (or empty: GitHub's side only); got ${describe(read('idp').trim())}.`)
    return null
  }
  if (target.count !== 1) {
    problem(
      problems,
      'idp',
      `checks one IdP app, and one app provisions one organization or one enterprise: with idp, give exactly one org or one enterprise (${target.count} are given). Use a job matrix for several.`
    )
  }
  if (idp === 'okta') {
    strayInputs(read, ENTRA_INPUTS, problems, 'belongs to idp: entra, not idp: okta.')
    const okta = parseOkta(read, problems)
    return okta && target.count === 1 ? { provider: 'okta', okta } : null
  }
  strayInputs(read, OKTA_INPUTS, problems, 'belongs to idp: okta, not idp: entra.')
  const entra = parseEntra(read, env, problems)
  return entra && target.count === 1 ? { provider: 'entra', entra } : null
}
