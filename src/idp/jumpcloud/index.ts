/**
 * The JumpCloud provider (docs/idp-jumpcloud.md): sign in (an admin's API key, or a service account's client
 * credentials), then at once `GET /api/applications/{id}` and the Directory Insights event query (five pages
 * at most), then one pure verdict (`judgeJumpCloud`). Requests go only to the hosts of the three
 * `jumpcloud-*-url` inputs, through `createIdpHttp`: bounded, no redirects, GETs plus the token POST and the
 * documented read-only event query. Never throws: the IdP's and the network's faults are a `check-failed`
 * finding naming the input to fix.
 */
import { guardedCheck } from '../guard.js'
import { createIdpHttp } from '../http.js'
import type { IdpContext, IdpReport } from '../types.js'
import { signIn } from './auth.js'
import { EVENTS_PATH, type JumpCloudInputs } from './config.js'
import type { JcFacts } from './facts.js'
import { judgeJumpCloud } from './judge.js'
import { probeApp, probeEvents } from './probe.js'

export { judgeJumpCloud } from './judge.js'
export type { JcFacts } from './facts.js'

export interface CheckJumpCloudOptions {
  /** Test hook: how long a 3xx/4xx body may take (createIdpHttp's `errorBodyMs`). */
  errorBodyMs?: number
}

/** Asks JumpCloud, gathers the facts; the verdict is `judgeJumpCloud`'s. */
export async function gatherJumpCloud(
  inputs: JumpCloudInputs,
  ctx: IdpContext,
  options: CheckJumpCloudOptions = {}
): Promise<{ facts: JcFacts; now: number }> {
  const hosts = [inputs.consoleUrl, inputs.insightsUrl, ...(inputs.auth.kind === 'service-account' ? [inputs.oauthUrl] : [])]
  const http = createIdpHttp(ctx, {
    allowedHosts: hosts.map(u => new URL(u).host),
    queryPaths: [`${new URL(inputs.insightsUrl).pathname.replace(/\/$/, '')}${EVENTS_PATH}`],
    ...(options.errorBodyMs !== undefined ? { errorBodyMs: options.errorBodyMs } : {})
  })
  const facts: JcFacts = {
    auth: inputs.auth.kind,
    orgIdGiven: inputs.orgId !== null,
    tokenFailure: null,
    app: null,
    events: null,
    requests: 0
  }
  const signedIn = await signIn(inputs, ctx, http)
  if (!signedIn.ok) {
    facts.tokenFailure = signedIn.tokenFailure
    facts.requests = http.requests
    return { facts, now: ctx.now() }
  }
  const now = ctx.now()
  const [app, events] = await Promise.all([probeApp(http, inputs, signedIn.headers, ctx), probeEvents(http, inputs, signedIn.headers, now)])
  facts.app = app
  facts.events = events
  facts.requests = http.requests
  ctx.debug(
    `jumpcloud: app ${app.app ? 'read' : 'not read'}, ${events.pages} event page(s), ${events.events.length} event(s)${events.more ? ', more left unread' : ''}`
  )
  return { facts, now }
}

export async function checkJumpCloud(inputs: JumpCloudInputs, ctx: IdpContext, options: CheckJumpCloudOptions = {}): Promise<IdpReport> {
  // The secrets of this check: the input's, and every one obtained on the way (the Basic value, the token).
  const secrets = [inputs.auth.kind === 'api-key' ? inputs.auth.apiKey : inputs.auth.clientSecret]
  return guardedCheck({ provider: 'jumpcloud', short: 'JumpCloud', app: inputs.appId, secrets }, ctx, async inner => {
    const { facts, now } = await gatherJumpCloud(inputs, inner, options)
    return judgeJumpCloud(facts, { appId: inputs.appId, now, lookbackHours: inputs.lookbackHours })
  })
}
