/**
 * The OneLogin provider (docs/idp.md; docs/idp-onelogin.md): the token request (client
 * credentials, v2), then at once `GET /api/2/apps/{id}` and the provisioning events (a few pages at most),
 * then one pure verdict (`judgeOneLogin`). Requests go only to the host of `onelogin-url`, through
 * `createIdpHttp` (bounded, read-only, no redirects). Never throws: the IdP's and the network's faults are a
 * `check-failed` finding naming the input to fix.
 */
import { guardedCheck } from '../guard.js'
import { createIdpHttp } from '../http.js'
import type { IdpContext, IdpReport } from '../types.js'
import { signIn } from './auth.js'
import type { OneLoginFacts } from './facts.js'
import { judgeOneLogin } from './judge.js'
import { apiGetter, probeApp, probeEvents } from './probe.js'
import type { OneLoginInputs } from './types.js'

export { judgeOneLogin } from './judge.js'
export type { OneLoginFacts } from './facts.js'
export type { OneLoginInputs } from './types.js'

export interface CheckOneLoginOptions {
  /** Test hook: how long a 3xx/4xx body may take (createIdpHttp's `errorBodyMs`). */
  errorBodyMs?: number
}

/** Asks OneLogin, gathers the facts; the verdict is `judgeOneLogin`'s. */
export async function gatherOneLogin(
  inputs: OneLoginInputs,
  ctx: IdpContext,
  options: CheckOneLoginOptions = {}
): Promise<{ facts: OneLoginFacts; now: number }> {
  const http = createIdpHttp(ctx, {
    allowedHosts: [new URL(inputs.url).host],
    ...(options.errorBodyMs !== undefined ? { errorBodyMs: options.errorBodyMs } : {})
  })
  const facts: OneLoginFacts = { tokenFailure: null, app: null, events: null, requests: 0 }
  const signedIn = await signIn(inputs, ctx, http)
  if (!signedIn.ok) {
    facts.tokenFailure = signedIn.tokenFailure
    facts.requests = http.requests
    return { facts, now: ctx.now() }
  }
  const now = ctx.now()
  const api = apiGetter(http, signedIn.accessToken)
  const [app, events] = await Promise.all([probeApp(api, inputs), probeEvents(api, inputs, now)])
  facts.app = app
  facts.events = events
  facts.requests = http.requests
  ctx.debug(
    `onelogin: app ${app.app ? 'read' : 'not read'}, ${events.pages} event page(s), ${events.events.length} event(s); stopped: ${events.stop}`
  )
  return { facts, now }
}

export async function checkOneLogin(inputs: OneLoginInputs, ctx: IdpContext, options: CheckOneLoginOptions = {}): Promise<IdpReport> {
  // The secrets of this check: the input's, and every one obtained on the way (the Basic header, the access token).
  return guardedCheck(
    { provider: 'onelogin', short: 'OneLogin', app: String(inputs.appId), secrets: [inputs.clientSecret] },
    ctx,
    async inner => {
      const { facts, now } = await gatherOneLogin(inputs, inner, options)
      return judgeOneLogin(facts, { appId: inputs.appId, now, lookbackHours: inputs.lookbackHours })
    }
  )
}
