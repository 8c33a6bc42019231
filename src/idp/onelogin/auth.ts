/**
 * OneLogin sign-in (docs/idp-onelogin.md): client credentials at the account's v2 token endpoint,
 * `POST {onelogin-url}/auth/oauth2/v2/token` with the JSON body `{"grant_type":"client_credentials"}` and
 * HTTP Basic client authentication (what OneLogin's own Go SDK sends [O8]; documented beside OneLogin's
 * `client_id:…, client_secret:…` header [O3]). The v2 endpoint hands back the same token for the same
 * credential until it expires (10 h), so asking once per run spends nothing [O3]; the v1 endpoint, which
 * invalidates earlier tokens, is never used. One request: a refused credential is not sent again.
 * The Basic header and the access token are given to `ctx.addSecret` the moment they exist.
 */
import type { IdpAnswer, IdpHttp } from '../http.js'
import type { IdpContext } from '../types.js'
import { isCredentialShaped } from '../../sanitize.js'
import { answerFacts, type OneLoginAnswer } from './facts.js'
import type { OneLoginInputs } from './types.js'

export const TOKEN_PATH = '/auth/oauth2/v2/token'

export type SignIn = { ok: true; accessToken: string } | { ok: false; tokenFailure: OneLoginAnswer }

/**
 * `X-RateLimit-Reset` is the number of SECONDS left until the reset, not an epoch [O12]; a 429 without it
 * may still say `Retry-After`. The IdP client waits once when this falls inside the budget.
 */
export function rateLimitWaitMs(headers: Record<string, string>): number | null {
  for (const name of ['x-ratelimit-reset', 'retry-after']) {
    const raw = (headers[name] ?? '').trim()
    if (/^\d{1,7}$/.test(raw)) return Number(raw) * 1000
  }
  return null
}

function basic(inputs: OneLoginInputs): string {
  return Buffer.from(`${inputs.clientId}:${inputs.clientSecret}`, 'utf8').toString('base64')
}

function tokenOf(answer: Extract<IdpAnswer, { kind: 'response' }>): string | null {
  const body = answer.json as { access_token?: unknown; token_type?: unknown } | undefined
  const type = typeof body?.token_type === 'string' ? body.token_type.toLowerCase() : 'bearer'
  // Only a value that could be a credential is one: an ordinary word registered as a secret would blank our outputs.
  return isCredentialShaped(body?.access_token) && type === 'bearer' ? body.access_token : null
}

export async function signIn(inputs: OneLoginInputs, ctx: IdpContext, http: IdpHttp): Promise<SignIn> {
  const credential = basic(inputs)
  ctx.addSecret(credential)
  const answer = await http.send({
    method: 'POST',
    url: `${inputs.url}${TOKEN_PATH}`,
    tokenRequest: true,
    label: 'onelogin token',
    headers: { authorization: `Basic ${credential}` },
    json: { grant_type: 'client_credentials' },
    rateLimitWaitMs: rateLimitWaitMs
  })
  if (answer.kind === 'response' && answer.status === 200) {
    const token = tokenOf(answer)
    if (token !== null) {
      ctx.addSecret(token)
      return { ok: true, accessToken: token }
    }
    // The facts keep no body field but OneLogin's error words: whatever came as `access_token` is not kept.
    return { ok: false, tokenFailure: answerFacts(answer, () => 'no bearer access_token in the answer') }
  }
  return { ok: false, tokenFailure: answerFacts(answer) }
}
