/**
 * PingOne sign-in (docs/idp-pingone.md [P6][P7]): the worker app's access token by client credentials,
 * `POST {auth host}/{environmentId}/as/token`, form-encoded `grant_type=client_credentials`, with
 * - the client secret as HTTP Basic (CLIENT_SECRET_BASIC, the worker app's default), or
 * - a `private_key_jwt` client assertion (PRIVATE_KEY_JWT, RS256/384/512), signed with Okta's JWT code
 *   (src/idp/okta/jwt.ts: iss = sub = the client id, aud = the token URL, five minutes, a fresh jti).
 * No scope is asked: the worker app's role assignments apply [P6]. One request: a refusal is never sent again.
 * Every secret made or obtained (the Basic credential, the assertion, the access token) goes to
 * `ctx.addSecret` the moment it exists, before anything is sent or logged.
 */
import { isCredentialShaped } from '../../sanitize.js'
import type { IdpHttp } from '../http.js'
import type { IdpContext } from '../types.js'
import { clientAssertion, readSigningKey } from '../okta/jwt.js'
import { tokenUrlOf, type PingOneInputs } from './config.js'
import { answerFacts, isRecord, type PingAnswer } from './facts.js'

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

export type SignIn = { ok: true; accessToken: string } | { ok: false; keyProblem: string | null; tokenFailure: PingAnswer | null }

/** The form and headers of the token request; null and a problem when the private key cannot sign. */
function credential(
  inputs: PingOneInputs,
  ctx: IdpContext,
  tokenUrl: string
): { form: Record<string, string>; headers: Record<string, string> } | string {
  const form: Record<string, string> = { grant_type: 'client_credentials' }
  if (inputs.auth.kind === 'secret') {
    // RFC 6749 §2.3.1: id and secret form-encoded before Basic, as PingOne's Go SDK sends them
    // (golang.org/x/oauth2 AuthStyleAutoDetect, pingone/client.go [P5]); a generated secret is unchanged by it.
    const formEncoded = (v: string): string => encodeURIComponent(v).replace(/%20/g, '+')
    const basic = Buffer.from(`${formEncoded(inputs.clientId)}:${formEncoded(inputs.auth.secret)}`, 'utf8').toString('base64')
    ctx.addSecret(basic)
    return { form, headers: { authorization: `Basic ${basic}` } }
  }
  const key = readSigningKey(inputs.auth.privateKey)
  if ('problem' in key) return key.problem.replace(/Okta/g, 'PingOne')
  // PingOne's PRIVATE_KEY_JWT takes RS256, RS384 or RS512 [P7].
  if (!key.alg.startsWith('RS')) return 'it is an EC key: PingOne signs Private Key JWT with RSA keys only (RS256, RS384, RS512)'
  const assertion = clientAssertion(inputs.clientId, tokenUrl, key, inputs.auth.keyId, ctx.now())
  ctx.addSecret(assertion)
  return { form: { ...form, client_assertion_type: ASSERTION_TYPE, client_assertion: assertion }, headers: {} }
}

export async function signIn(inputs: PingOneInputs, ctx: IdpContext, http: IdpHttp): Promise<SignIn> {
  const tokenUrl = tokenUrlOf(inputs)
  const request = credential(inputs, ctx, tokenUrl)
  if (typeof request === 'string') return { ok: false, keyProblem: request, tokenFailure: null }
  const answer = await http.send({
    method: 'POST',
    url: tokenUrl,
    tokenRequest: true,
    label: 'pingone token',
    headers: request.headers,
    form: request.form
  })
  const body = answer.kind === 'response' && isRecord(answer.json) ? answer.json : undefined
  // Only a value that could be a credential is one: an ordinary word registered as a secret would blank our outputs.
  const accessToken = isCredentialShaped(body?.access_token) ? body.access_token : null
  if (accessToken !== null) ctx.addSecret(accessToken)
  if (answer.kind === 'response' && answer.status === 200 && !answer.bodyProblem) {
    const type = typeof body?.token_type === 'string' ? body.token_type.toLowerCase() : 'bearer'
    if (accessToken !== null && type === 'bearer') return { ok: true, accessToken }
    return {
      ok: false,
      keyProblem: null,
      tokenFailure: answerFacts(answer, () =>
        accessToken === null ? 'no access_token in the answer' : `an access token of type ${String(body?.token_type)}, not Bearer`
      )
    }
  }
  return { ok: false, keyProblem: null, tokenFailure: answerFacts(answer) }
}
