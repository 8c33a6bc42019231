/**
 * The Okta provider (docs/idp.md): sign in (SSWS, or client credentials with
 * `private_key_jwt`, DPoP when asked), then at once `GET /api/v1/apps/{id}` and the System Log (five pages
 * at most), then one pure verdict (`judgeOkta`). Requests go only to the host of `okta-org-url`, through
 * `createIdpHttp` (bounded, read-only, no redirects). Never throws: the IdP's and the network's faults are
 * a `check-failed` finding naming the input to fix.
 */
import { guardedCheck } from '../guard.js'
import { createIdpHttp } from '../http.js'
import type { IdpContext, IdpReport } from '../types.js'
import type { OktaInputs } from './types.js'
import { signIn } from './auth.js'
import type { OktaFacts } from './facts.js'
import { judgeOkta } from './judge.js'
import { apiGetter, probeApp, probeLogs } from './probe.js'

export { judgeOkta } from './judge.js'
export type { OktaFacts } from './facts.js'

export interface CheckOktaOptions {
  /** Test hook: how long a 3xx/4xx body may take (createIdpHttp's `errorBodyMs`). */
  errorBodyMs?: number
}

/** Asks Okta, gathers the facts; the verdict is `judgeOkta`'s. */
export async function gatherOkta(
  inputs: OktaInputs,
  ctx: IdpContext,
  options: CheckOktaOptions = {}
): Promise<{ facts: OktaFacts; now: number }> {
  const http = createIdpHttp(ctx, {
    allowedHosts: [new URL(inputs.orgUrl).host],
    ...(options.errorBodyMs !== undefined ? { errorBodyMs: options.errorBodyMs } : {})
  })
  const facts: OktaFacts = {
    auth: inputs.auth.kind === 'ssws' ? 'ssws' : 'private-key-jwt',
    keyIdGiven: inputs.auth.kind === 'private-key-jwt' && inputs.auth.keyId !== null,
    keyProblem: null,
    tokenFailure: null,
    dpop: false,
    app: null,
    logs: null,
    requests: 0
  }
  const signedIn = await signIn(inputs, ctx, http)
  facts.dpop = signedIn.dpop
  if (!signedIn.ok) {
    facts.keyProblem = signedIn.keyProblem
    facts.tokenFailure = signedIn.tokenFailure
    facts.requests = http.requests
    return { facts, now: ctx.now() }
  }
  const now = ctx.now()
  const api = apiGetter(http, signedIn.credential)
  const [app, logs] = await Promise.all([probeApp(api, inputs), probeLogs(api, inputs, now)])
  facts.app = app
  facts.logs = logs
  facts.requests = http.requests
  ctx.debug(
    `okta: app ${app.app ? 'read' : 'not read'}, ${logs.pages} log page(s), ${logs.events.length} event(s)${logs.more ? ', more left unread' : ''}`
  )
  return { facts, now }
}

export async function checkOkta(inputs: OktaInputs, ctx: IdpContext, options: { errorBodyMs?: number } = {}): Promise<IdpReport> {
  // The secrets of this check: the input's, and every one obtained on the way (assertions, the access token).
  const secrets = [inputs.auth.kind === 'ssws' ? inputs.auth.token : inputs.auth.privateKey]
  return guardedCheck(
    { provider: 'okta', short: 'Okta', app: inputs.appId, secrets, details: { evidenceSince: null } },
    ctx,
    async inner => {
      const { facts, now } = await gatherOkta(inputs, inner, options)
      return judgeOkta(facts, { appId: inputs.appId, now, lookbackHours: inputs.lookbackHours })
    }
  )
}
