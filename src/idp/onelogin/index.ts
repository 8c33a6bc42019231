/**
 * The OneLogin provider (docs/idp.md; docs/idp-onelogin.md): the token request (client
 * credentials, v2), then at once `GET /api/2/apps/{id}` and the provisioning events (a few pages at most),
 * then one pure verdict (`judgeOneLogin`). Requests go only to the host of `onelogin-url`, through
 * `createIdpHttp` (bounded, read-only, no redirects). Never throws: the IdP's and the network's faults are a
 * `check-failed` finding naming the input to fix.
 */
import { scrubberFor, serverText, type Scrub } from '../../sanitize.js'
import { createIdpHttp } from '../http.js'
import { blankReport } from '../report.js'
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

/** Every string of the report, scrubbed (a server that echoes a secret back must not get it out). */
function scrubbed<T>(value: T, scrub: Scrub): T {
  if (typeof value === 'string') return scrub(value) as T
  if (Array.isArray(value)) return value.map(v => scrubbed(v, scrub)) as T
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubbed(v, scrub)])) as T
  }
  return value
}

/** Each secret as a server may echo it: as sent, percent- and form-encoded, JSON-escaped. */
function withEncodings(secrets: readonly string[]): string[] {
  return secrets.flatMap(s => [s, encodeURIComponent(s), new URLSearchParams({ s }).toString().slice(2), JSON.stringify(s).slice(1, -1)])
}

export async function checkOneLogin(inputs: OneLoginInputs, ctx: IdpContext, options: CheckOneLoginOptions = {}): Promise<IdpReport> {
  // The secrets of this check: the input's, and every one obtained on the way (the Basic header, the access token).
  const secrets: string[] = [inputs.clientSecret]
  const inner: IdpContext = {
    ...ctx,
    addSecret: secret => {
      secrets.push(secret)
      ctx.addSecret(secret)
    }
  }
  try {
    const { facts, now } = await gatherOneLogin(inputs, inner, options)
    const report = judgeOneLogin(facts, { appId: inputs.appId, now, lookbackHours: inputs.lookbackHours })
    return scrubbed(report, scrubberFor(...withEncodings(secrets.filter(s => s !== ''))))
  } catch (e) {
    // Our own fault, not OneLogin's: still no throw. The error's text is not quoted (it could hold input).
    return blankReport('onelogin', inputs.appId, 0, [
      {
        kind: 'check-failed',
        input: null,
        reason: `the OneLogin check stopped on an internal error (${serverText((e as Error)?.name ?? 'error', 40)}); please report it`
      }
    ])
  }
}
