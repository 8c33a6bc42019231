/**
 * Entra sign-in (docs/idp.md; idp-api-facts §2.1, §2.2): an app-only Graph token from
 * `{loginUrl}/{tenantId}/oauth2/v2.0/token` (client credentials, scope `{graph origin}/.default`), with
 * the client secret, or with the GitHub OIDC token as a federated client assertion.
 *
 * The OIDC token is fetched by our own bounded request (GET `{requestUrl}&audience=…` with the runner's
 * request token), not by `core.getIDToken`, which follows redirects and retries ten times. Every token
 * obtained goes to `ctx.addSecret` the moment it arrives. A refused token request is never retried
 * (createIdpHttp retries no POST and no 4xx).
 */
import { isCredentialShaped } from '../../sanitize.js'
import type { IdpHttp } from '../http.js'
import type { IdpContext } from '../types.js'
import type { EntraInputs } from './types.js'
import { failedStep, isRecord, rawString, type OidcClaims, type StepFacts } from './facts.js'

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

export interface AuthResult {
  oidc: StepFacts | null
  oidcClaims: OidcClaims | null
  token: StepFacts | null
  /** The Graph access token; null unless `token` is ok. Never put into facts or a report. */
  accessToken: string | null
}

/** `{requestUrl}&audience=…` (or `?audience=…` when the URL has no query), as @actions/core builds it. */
export function oidcTokenUrl(requestUrl: string, audience: string): string {
  const hash = requestUrl.indexOf('#')
  const base = hash >= 0 ? requestUrl.slice(0, hash) : requestUrl
  const sep = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&'
  return `${base}${sep}audience=${encodeURIComponent(audience)}`
}

export function tokenUrl(inputs: Pick<EntraInputs, 'loginUrl' | 'tenantId'>): string {
  return `${inputs.loginUrl.replace(/\/+$/, '')}/${encodeURIComponent(inputs.tenantId)}/oauth2/v2.0/token`
}

/** `https://graph.microsoft.com/.default`: `.default` must name the Graph host in use (§2.1). */
export function graphScope(graphUrl: string): string {
  return `${new URL(graphUrl).origin}/.default`
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

/** The claims a federated credential matches on (iss, sub, aud), read from the JWT's payload; never verified, never a secret. */
export function oidcClaimsOf(jwt: string): OidcClaims | null {
  try {
    const payload: unknown = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'))
    if (!isRecord(payload)) return null
    const aud = Array.isArray(payload.aud) ? rawString(payload.aud[0]) : rawString(payload.aud)
    return { iss: rawString(payload.iss), sub: rawString(payload.sub), aud }
  } catch {
    return null
  }
}

/** Gets the GitHub OIDC token (OIDC only), then the Graph access token. */
export async function signIn(inputs: EntraInputs, ctx: IdpContext, http: IdpHttp): Promise<AuthResult> {
  const result: AuthResult = { oidc: null, oidcClaims: null, token: null, accessToken: null }
  let credential: Record<string, string>
  if (inputs.auth.kind === 'oidc') {
    const url = oidcTokenUrl(inputs.auth.requestUrl, inputs.auth.audience)
    const answer = await http.send({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${inputs.auth.requestToken}` },
      label: 'GitHub OIDC token'
    })
    const value = answer.kind === 'response' && answer.status === 200 && isRecord(answer.json) ? answer.json.value : undefined
    // Registered as a secret only when it could be one: an ordinary word masked would blank our own outputs.
    if (isCredentialShaped(value)) ctx.addSecret(value)
    if (answer.kind !== 'response' || answer.status !== 200 || answer.bodyProblem) {
      result.oidc = failedStep(answer, url)
      return result
    }
    if (typeof value !== 'string' || !JWT_SHAPE.test(value)) {
      result.oidc = failedStep(answer, url, 'a JSON object with the token in `value`')
      return result
    }
    result.oidc = { kind: 'ok' }
    result.oidcClaims = oidcClaimsOf(value)
    credential = { client_assertion_type: JWT_BEARER, client_assertion: value }
  } else {
    credential = { client_secret: inputs.auth.secret }
  }

  const url = tokenUrl(inputs)
  const answer = await http.send({
    method: 'POST',
    url,
    tokenRequest: true,
    form: { grant_type: 'client_credentials', client_id: inputs.clientId, scope: graphScope(inputs.graphUrl), ...credential },
    label: 'Entra token'
  })
  const accessToken = answer.kind === 'response' && answer.status === 200 && isRecord(answer.json) ? answer.json.access_token : undefined
  if (isCredentialShaped(accessToken)) ctx.addSecret(accessToken)
  if (answer.kind !== 'response' || answer.status !== 200 || answer.bodyProblem) {
    result.token = failedStep(answer, url)
    return result
  }
  if (!isCredentialShaped(accessToken)) {
    result.token = failedStep(answer, url, 'a JSON object with an `access_token`')
    return result
  }
  result.token = { kind: 'ok' }
  result.accessToken = accessToken
  return result
}
