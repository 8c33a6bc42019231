/**
 * Okta sign-in (idp-api-facts 1.1, 1.2): an SSWS API token as it is, or an access token of the org
 * authorization server by client credentials with `private_key_jwt` [I1][I3], switching to DPoP when
 * the token endpoint asks for it [I2]:
 * 1. POST {org}/oauth2/v1/token with a client assertion (no proof);
 * 2. on 400 `invalid_dpop_proof`: a fresh P-256 key for the run, the same request with a DPoP proof and a NEW
 *    assertion (Okta refuses a replayed jti [I3]);
 * 3. on 400 `use_dpop_nonce` with a `DPoP-Nonce` header: once more, the proof carrying the nonce, and again a
 *    new assertion.
 * Anything else ends the sign-in: a 401 is never sent again. The access token is given to `ctx.addSecret`
 * the moment it arrives, and so is every assertion before it leaves.
 */
import type { IdpAnswer, IdpHttp } from '../http.js'
import type { IdpContext } from '../types.js'
import type { OktaInputs } from './types.js'
import { answerFacts, type OktaAnswer } from './facts.js'
import { isCredentialShaped } from '../../sanitize.js'
import { clientAssertion, dpopProof, newDpopKey, readSigningKey, type DpopKey } from './jwt.js'

export const OKTA_SCOPES = 'okta.apps.read okta.logs.read'
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
/** At most: the plain request, the DPoP one, the DPoP one with the nonce. */
const MAX_TOKEN_REQUESTS = 3

/** How API requests are signed in: `headersFor` builds the headers of ONE attempt (a DPoP proof is single-use). */
export interface OktaCredential {
  scheme: 'SSWS' | 'Bearer' | 'DPoP'
  headersFor(method: 'GET', url: string, nonce: string | null): Record<string, string>
}

export type SignIn =
  | { ok: true; credential: OktaCredential; dpop: boolean }
  | { ok: false; keyProblem: string | null; tokenFailure: OktaAnswer | null; dpop: boolean }

export const tokenUrlOf = (orgUrl: string): string => `${orgUrl}/oauth2/v1/token`

/** An OAuth error answer's `error`, or null. */
function oauthErrorOf(answer: Awaited<ReturnType<IdpHttp['send']>>): string | null {
  if (answer.kind !== 'response') return null
  const error = (answer.json as { error?: unknown } | undefined)?.error
  return typeof error === 'string' ? error : null
}

/** The credential an answered token request gives: its scheme follows `token_type` [I2]. */
function signedIn(answer: Extract<IdpAnswer, { kind: 'response' }>, dpop: DpopKey | null, ctx: IdpContext): SignIn {
  const body = answer.json as { access_token?: unknown; token_type?: unknown } | undefined
  // Only a value that could be a credential is one: an ordinary word registered as a secret would blank our outputs.
  const accessToken = isCredentialShaped(body?.access_token) ? body.access_token : null
  if (accessToken) {
    ctx.addSecret(accessToken)
    const tokenType = typeof body?.token_type === 'string' ? body.token_type.toLowerCase() : 'bearer'
    // A DPoP-bound token only when we sent a proof.
    if (tokenType === 'dpop' && dpop) {
      const headersFor = (method: string, url: string, apiNonce: string | null): Record<string, string> => ({
        authorization: `DPoP ${accessToken}`,
        dpop: dpopProof(dpop, method, url, ctx.now(), { nonce: apiNonce, accessToken })
      })
      return { ok: true, dpop: true, credential: { scheme: 'DPoP', headersFor } }
    }
    if (tokenType === 'bearer') {
      return {
        ok: true,
        dpop: dpop !== null,
        credential: { scheme: 'Bearer', headersFor: () => ({ authorization: `Bearer ${accessToken}` }) }
      }
    }
  }
  return {
    ok: false,
    keyProblem: null,
    dpop: dpop !== null,
    tokenFailure: answerFacts(answer, () =>
      accessToken ? `an access token of type ${String(body?.token_type)}, which this check cannot use` : 'no access_token in the answer'
    )
  }
}

export async function signIn(inputs: OktaInputs, ctx: IdpContext, http: IdpHttp): Promise<SignIn> {
  const auth = inputs.auth
  if (auth.kind === 'ssws') {
    const token = auth.token
    return { ok: true, dpop: false, credential: { scheme: 'SSWS', headersFor: () => ({ authorization: `SSWS ${token}` }) } }
  }
  const key = readSigningKey(auth.privateKey)
  if ('problem' in key) return { ok: false, keyProblem: key.problem, tokenFailure: null, dpop: false }

  const tokenUrl = tokenUrlOf(inputs.orgUrl)
  let dpop: DpopKey | null = null
  let nonce: string | null = null
  let nonceTried = false
  let last: OktaAnswer | null = null
  for (let i = 0; i < MAX_TOKEN_REQUESTS; i++) {
    // A new assertion (fresh jti) for every request, retries included [I3].
    const assertion = clientAssertion(auth.clientId, tokenUrl, key, auth.keyId, ctx.now())
    ctx.addSecret(assertion)
    const headers: Record<string, string> = dpop ? { dpop: dpopProof(dpop, 'POST', tokenUrl, ctx.now(), { nonce }) } : {}
    const answer = await http.send({
      method: 'POST',
      url: tokenUrl,
      tokenRequest: true,
      label: `okta token${dpop ? (nonce ? ' (DPoP, nonce)' : ' (DPoP)') : ''}`,
      headers,
      // No wait and second ask after a 429 here: it would send the same assertion again, whose jti Okta takes
      // once [I3] (a refused replay would read as a clock problem). The rate limit is reported at once.
      rateLimitWaitMs: () => null,
      form: {
        grant_type: 'client_credentials',
        scope: OKTA_SCOPES,
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: assertion
      }
    })
    if (answer.kind === 'response' && answer.status === 200) return signedIn(answer, dpop, ctx)
    last = answerFacts(answer)
    const error = oauthErrorOf(answer)
    if (answer.kind === 'response' && answer.status === 400 && error === 'invalid_dpop_proof' && !dpop) {
      dpop = newDpopKey() // the app requires DPoP [I2][I13]
      continue
    }
    const offered = answer.kind === 'response' ? answer.headers['dpop-nonce'] : undefined
    if (answer.kind === 'response' && answer.status === 400 && error === 'use_dpop_nonce' && !nonceTried && offered) {
      dpop ??= newDpopKey()
      nonce = offered
      nonceTried = true
      continue
    }
    break
  }
  return { ok: false, keyProblem: null, tokenFailure: last, dpop: dpop !== null }
}
