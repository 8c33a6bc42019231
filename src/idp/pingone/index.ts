/**
 * The PingOne provider (docs/idp-pingone.md): sign in as the worker app (client secret, or
 * `private_key_jwt`), then at once the GitHubEMU propagation store, the rules and the plan, then one pure
 * verdict (`judgePingOne`). Requests go only to the auth and API hosts (the region's, or the URL inputs'),
 * through `createIdpHttp` (bounded, read-only, no redirects). Never throws: the IdP's and the network's
 * faults are a `check-failed` finding naming the input to fix.
 */
import { scrubberFor, serverText, type Scrub } from '../../sanitize.js'
import { createIdpHttp } from '../http.js'
import { blankReport } from '../report.js'
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

/** Every string of the report, scrubbed (a server that echoes a secret back must not get it out). */
function scrubbed<T>(value: T, scrub: Scrub): T {
  if (typeof value === 'string') return scrub(value) as T
  if (Array.isArray(value)) return value.map(v => scrubbed(v, scrub)) as T
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubbed(v, scrub)])) as T
  }
  return value
}

/** Each secret as sent (a form or a URL encodes `~`, `/`, `+`…): a server that echoes the request echoes these. */
function withEncodings(secrets: readonly string[]): string[] {
  return secrets.flatMap(s => [s, encodeURIComponent(s), new URLSearchParams({ s }).toString().slice(2)])
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
  const secrets: string[] = [inputs.auth.kind === 'secret' ? inputs.auth.secret : inputs.auth.privateKey]
  const inner: IdpContext = {
    ...ctx,
    addSecret: secret => {
      secrets.push(secret)
      ctx.addSecret(secret)
    }
  }
  try {
    const facts = await gatherPingOne(inputs, inner, options)
    const report = judgePingOne(facts, {
      storeId: inputs.storeId,
      enterprise: ctx.target?.enterprise ?? null,
      inputs
    })
    ctx.debug(
      `pingone: store ${facts.store?.store ? 'read' : 'not read'}, ${facts.rules?.items?.length ?? 0} rule(s), ${facts.plans?.items?.length ?? 0} plan(s); findings: ${report.findings.map(f => f.kind).join(',') || 'none'}`
    )
    return scrubbed(report, scrubberFor(...withEncodings(secrets.filter(s => s !== ''))))
  } catch (e) {
    // Our own fault, not PingOne's: still no throw, and no secret in what is said.
    const what = serverText(scrubberFor(...withEncodings(secrets))(e instanceof Error ? e.name : 'error'), 60)
    return blankReport('pingone', inputs.storeId, 0, [
      { kind: 'check-failed', input: null, reason: `the PingOne check stopped on an internal error (${what}); please report it` }
    ])
  }
}
