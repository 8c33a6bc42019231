/**
 * JumpCloud sign-in [J3][J6][J7]:
 * - an admin's API key: sent as `x-api-key` on every request, as it is (no token request);
 * - a service account: `POST {jumpcloud-oauth-url}/oauth2/token`, HTTP Basic base64(client_id:client_secret),
 *   `grant_type=client_credentials&scope=api`, then `Authorization: Bearer <access_token>`. GUESS: the token
 *   URL, Basic auth and `scope=api` are observed in third-party clients only [J7]; JumpCloud's own page on it
 *   was not retrieved.
 * A multi-tenant admin's `x-org-id` goes on every API request [J3]. The Basic value and the access token are
 * given to `ctx.addSecret` the moment they exist. A refused token request is never sent again.
 */
import { isCredentialShaped } from '../../sanitize.js'
import type { IdpHttp } from '../http.js'
import type { IdpContext } from '../types.js'
import { TOKEN_PATH, type JumpCloudInputs } from './config.js'
import { answerFacts, type JcAnswer } from './facts.js'

export type SignIn = { ok: true; headers: Record<string, string> } | { ok: false; tokenFailure: JcAnswer }

const orgHeader = (inputs: JumpCloudInputs): Record<string, string> => (inputs.orgId ? { 'x-org-id': inputs.orgId } : {})

export async function signIn(inputs: JumpCloudInputs, ctx: IdpContext, http: IdpHttp): Promise<SignIn> {
  if (inputs.auth.kind === 'api-key') return { ok: true, headers: { 'x-api-key': inputs.auth.apiKey, ...orgHeader(inputs) } }
  const basic = Buffer.from(`${inputs.auth.clientId}:${inputs.auth.clientSecret}`, 'utf8').toString('base64')
  // The header as sent: a server that echoes it must not get the secret out in base64.
  ctx.addSecret(basic)
  const answer = await http.send({
    method: 'POST',
    url: `${inputs.oauthUrl}${TOKEN_PATH}`,
    tokenRequest: true,
    label: 'jumpcloud token',
    headers: { authorization: `Basic ${basic}` },
    form: { grant_type: 'client_credentials', scope: 'api' }
  })
  const body = answer.kind === 'response' ? (answer.json as { access_token?: unknown; token_type?: unknown } | undefined) : undefined
  const token = answer.kind === 'response' && answer.status === 200 && isCredentialShaped(body?.access_token) ? body.access_token : null
  if (token !== null) {
    ctx.addSecret(token)
    const type = typeof body?.token_type === 'string' ? body.token_type.toLowerCase() : 'bearer'
    if (type === 'bearer') return { ok: true, headers: { authorization: `Bearer ${token}`, ...orgHeader(inputs) } }
  }
  return {
    ok: false,
    tokenFailure: answerFacts(answer, () =>
      token !== null ? `an access token of type ${String(body?.token_type)}, which this check cannot use` : 'no access_token in the answer'
    )
  }
}
