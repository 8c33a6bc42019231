/**
 * The PingOne provider (docs/idp-pingone.md): sign in as the worker app (client secret, or
 * `private_key_jwt`), then at once the GitHubEMU propagation store, the rules and the plan, then one pure
 * verdict (`judgePingOne`). Requests go only to the auth and API hosts (the region's, or the URL inputs'),
 * through `createIdpHttp` (bounded, read-only, no redirects). Never throws: the IdP's and the network's
 * faults are a `check-failed` finding naming the input to fix.
 */
import { guardedCheck } from '../guard.js'
import { createIdpHttp } from '../http.js'
import type { IdpContext, IdpReport } from '../types.js'
import { signIn } from './auth.js'
import type { PingOneInputs } from './config.js'
import type { PingOneFacts } from './facts.js'
import { judgePingOne } from './judge.js'
import { probe } from './probe.js'

export { judgePingOne } from './judge.js'
export type { PingOneFacts } from './facts.js'

export interface CheckPingOneOptions {
  /** Test hook: how long a 3xx/4xx body may take (createIdpHttp's `errorBodyMs`). */
  errorBodyMs?: number
}

/** Asks PingOne and gathers the facts; the verdict is `judgePingOne`'s. */
export async function gatherPingOne(inputs: PingOneInputs, ctx: IdpContext, options: CheckPingOneOptions = {}): Promise<PingOneFacts> {
  const http = createIdpHttp(ctx, {
    allowedHosts: [new URL(inputs.authUrl).host, new URL(inputs.apiUrl).host],
    ...(options.errorBodyMs !== undefined ? { errorBodyMs: options.errorBodyMs } : {})
  })
  const facts: PingOneFacts = {
    auth: inputs.auth.kind,
    keyIdGiven: inputs.auth.kind === 'private-key-jwt' && inputs.auth.keyId !== null,
    keyProblem: null,
    tokenFailure: null,
    store: null,
    rules: null,
    plans: null,
    requests: 0
  }
  const signedIn = await signIn(inputs, ctx, http)
  if (!signedIn.ok) {
    facts.keyProblem = signedIn.keyProblem
    facts.tokenFailure = signedIn.tokenFailure
  } else {
    const probed = await probe(inputs, ctx, http, signedIn.accessToken)
    facts.store = probed.store
    facts.rules = probed.rules
    facts.plans = probed.plans
  }
  facts.requests = http.requests
  return facts
}

export async function checkPingOne(inputs: PingOneInputs, ctx: IdpContext, options: CheckPingOneOptions = {}): Promise<IdpReport> {
  // The secrets of this check: the input's, and every one obtained on the way (the Basic credential, the
  // assertion, the access token, the GitHub token the store may return).
  const secrets = [inputs.auth.kind === 'secret' ? inputs.auth.secret : inputs.auth.privateKey]
  return guardedCheck({ provider: 'pingone', short: 'PingOne', app: inputs.storeId, secrets }, ctx, async inner => {
    const facts = await gatherPingOne(inputs, inner, options)
    const report = judgePingOne(facts, { storeId: inputs.storeId, enterprise: ctx.target?.enterprise ?? null, inputs })
    ctx.debug(
      `pingone: store ${facts.store?.store ? 'read' : 'not read'}, ${facts.rules?.items?.length ?? 0} rule(s), ${facts.plans?.items?.length ?? 0} plan(s); findings: ${report.findings.map(f => f.kind).join(',') || 'none'}`
    )
    return report
  })
}
