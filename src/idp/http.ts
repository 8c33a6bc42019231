/**
 * The IdP side's HTTP: one bounded request at a time, under the same rules as
 * GitHub's client (docs/how-it-works.md, "Hostile and unusual answers"):
 * - read only: GET, and POST only for an OAuth token request (`tokenRequest`, to a path ending in
 *   `/token`) or for a vendor's documented read-only event query (`readOnlyQuery`, to a path the
 *   provider lists in `queryPaths`: JumpCloud's Directory Insights has no GET);
 * - https only (plain http to loopback hosts only: a credential never crosses a network in clear);
 * - only to the hosts the run was configured with (`allowedHosts`), through
 *   the proxy @actions/http-client picks for each (HTTPS_PROXY, NO_PROXY);
 * - never a redirect: a 3xx is an answer, its Location kept as data;
 * - bodies bounded (1 MiB an answer, the run's 16 MiB shared with GitHub's);
 * - inside the run's deadline; a 3xx/4xx keeps its status whatever its body does;
 * - one retry after a 5xx or a network fault, for a read (GET or query), when it fits the budget;
 *   one wait and a second ask after a 429 whose reset falls inside the budget
 *   (never after a 401 or another 4xx: a refused credential is not sent again).
 * Every call resolves to an `IdpAnswer`; it never throws.
 */
import { HttpClient } from '@actions/http-client/lib/index.js'
import { fetch as undiciFetch } from 'undici'
import { MAX_BODY_BYTES, readBody, type BodyProblem } from '../http/body.js'
import { isLoopbackHost } from '../input-fields.js'
import { serverText } from '../sanitize.js'
import type { IdpContext } from './types.js'

export type IdpAnswer =
  | {
      kind: 'response'
      status: number
      /** Lower-case names. */
      headers: Record<string, string>
      /** The body parsed as JSON when it is JSON, else undefined. */
      json: unknown
      /** The raw body text (bounded by MAX_BODY_BYTES), undefined when not read. */
      text: string | undefined
      bodyProblem?: BodyProblem
    }
  | { kind: 'fault'; fault: 'timeout' | 'network' | 'refused'; detail: string }

export interface IdpRequest {
  method: 'GET' | 'POST'
  url: string
  /**
   * Request headers; a function is called for each attempt (a DPoP proof is single-use: a retry needs a new one).
   */
  headers?: Record<string, string> | (() => Record<string, string>)
  /** POST only: an application/x-www-form-urlencoded body. */
  form?: Record<string, string>
  /** POST only: a JSON body (sent as application/json); `form` wins when both are given. */
  json?: unknown
  /** Marks the OAuth token request. */
  tokenRequest?: boolean
  /** Marks a documented read-only query (a search of events); allowed only to `queryPaths`. */
  readOnlyQuery?: boolean
  /** Short name for debug lines (never a URL with a secret in it). */
  label: string
  /**
   * A 429's wait in ms read from the vendor's own headers (e.g. Okta's `x-rate-limit-reset` epoch seconds,
   * OneLogin's `x-ratelimit-reset` seconds left), null when they say none; absent: `Retry-After` is read.
   */
  rateLimitWaitMs?: (headers: Record<string, string>, now: number) => number | null
}

export interface IdpHttp {
  send(request: IdpRequest): Promise<IdpAnswer>
  /** Requests sent so far (attempts, retries included). */
  readonly requests: number
}

/** A 3xx/4xx is a verdict by its status: its body is waited for this long at most. */
const ERROR_BODY_MS = 2000
/** One attempt may use at most this share of what is left of the budget (a retry must still fit). */
const ATTEMPT_SHARE = 0.5
const RETRY_PAUSE_MS = 250
/** After a rate-limit wait, at least this much of the budget must be left for the second answer. */
const RATE_LIMIT_ROOM_MS = 1000

/**
 * How long a 429 asks to wait, in ms, or null when it does not say: the request's own reading of its
 * vendor's headers (`rateLimitWaitMs`), else a standard `Retry-After` (seconds, or an HTTP date).
 */
export function rateLimitWait(req: Pick<IdpRequest, 'rateLimitWaitMs'>, headers: Record<string, string>, now: number): number | null {
  const own = req.rateLimitWaitMs?.(headers, now)
  if (own !== undefined) return own === null || !Number.isFinite(own) || own < 0 ? null : Math.ceil(own)
  const raw = (headers['retry-after'] ?? '').trim()
  if (/^\d{1,7}$/.test(raw)) return Number(raw) * 1000
  const date = raw === '' ? Number.NaN : Date.parse(raw)
  return Number.isFinite(date) ? Math.max(0, date - now) : null
}

function isVerdictStatus(status: number): boolean {
  return status >= 300 && status < 500
}

export interface IdpHttpOptions {
  /** Hosts (`host[:port]`, lower-case) requests may go to: the configured IdP hosts, the OIDC host. */
  allowedHosts: readonly string[]
  /** Test hook: how long a 3xx/4xx body may take (default 2 s). */
  errorBodyMs?: number
  /** Paths (exact) where a `readOnlyQuery` POST may go: the vendor's documented event queries. */
  queryPaths?: readonly string[]
}

/** What every attempt of one IdP client shares. */
interface HttpState {
  ctx: IdpContext
  allowed: ReadonlySet<string>
  errorBodyMs: number
  queryPaths: ReadonlySet<string>
  dispatchers: Map<string, ReturnType<HttpClient['getAgentDispatcher']>>
  requests: { count: number }
}

function dispatcherFor(state: HttpState, url: string): ReturnType<HttpClient['getAgentDispatcher']> {
  const origin = new URL(url).origin
  if (!state.dispatchers.has(origin)) state.dispatchers.set(origin, new HttpClient('provisioning-token-check').getAgentDispatcher(origin))
  return state.dispatchers.get(origin)
}

/** The body of an answer: read within the limits, parsed when it is JSON. */
async function readAnswer(state: HttpState, res: Awaited<ReturnType<typeof undiciFetch>>, attemptEnd: number): Promise<IdpAnswer> {
  const { ctx } = state
  const headers: Record<string, string> = {}
  res.headers.forEach((value, name) => (headers[name.toLowerCase()] = value))
  let text: string | undefined
  let bodyProblem: BodyProblem | undefined
  if (res.body) {
    const declared = Number(res.headers.get('content-length') ?? '')
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
      res.body.cancel().catch(() => undefined)
      bodyProblem = 'too-large'
    } else {
      const limit = isVerdictStatus(res.status) ? Math.min(state.errorBodyMs, attemptEnd - ctx.now() - 100) : null
      const read = await readBody(res.body, ctx, limit)
      if ('problem' in read) bodyProblem = read.problem
      else text = read.bytes.toString('utf8')
    }
  }
  let json: unknown
  if (text !== undefined && text.trim() !== '') {
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
  }
  return { kind: 'response', status: res.status, headers, json, text, ...(bodyProblem ? { bodyProblem } : {}) }
}

function requestBody(req: IdpRequest): string | undefined {
  if (req.method !== 'POST') return undefined
  if (req.form) return new URLSearchParams(req.form).toString()
  return req.json === undefined ? undefined : JSON.stringify(req.json)
}

async function attempt(state: HttpState, req: IdpRequest, target: URL): Promise<IdpAnswer> {
  const { ctx } = state
  const left = ctx.deadline - ctx.now()
  if (left <= 0) return { kind: 'fault', fault: 'timeout', detail: 'the time budget ran out before the IdP answered' }
  const attemptMs = Math.max(1, Math.floor(left * ATTEMPT_SHARE))
  const attemptEnd = ctx.now() + attemptMs
  state.requests.count++
  const dispatcher = dispatcherFor(state, target.href)
  try {
    const res = await undiciFetch(target.href, {
      method: req.method,
      headers: {
        'user-agent': 'provisioning-token-check',
        accept: 'application/json',
        ...(req.form
          ? { 'content-type': 'application/x-www-form-urlencoded' }
          : req.json !== undefined
            ? { 'content-type': 'application/json' }
            : {}),
        ...(typeof req.headers === 'function' ? req.headers() : req.headers)
      },
      body: requestBody(req),
      redirect: 'manual',
      signal: AbortSignal.timeout(attemptMs),
      ...(dispatcher ? { dispatcher } : {})
    })
    return await readAnswer(state, res, attemptEnd)
  } catch (e) {
    const name = (e as { name?: string }).name
    if (name === 'AbortError' || name === 'TimeoutError' || ctx.now() >= ctx.deadline) {
      return { kind: 'fault', fault: 'timeout', detail: 'no answer within the time budget' }
    }
    const cause = (e as { cause?: { code?: string; message?: string } }).cause
    return {
      kind: 'fault',
      fault: 'network',
      detail: serverText(cause?.code ?? cause?.message ?? (e as Error).message ?? 'network error', 120)
    }
  }
}

/** Refuses what the rules forbid (a write, another host); null when the request may go. */
function refusal(state: HttpState, req: IdpRequest, target: URL): IdpAnswer | null {
  // Read only, and only where the run was pointed: the token request, and a documented read-only query.
  const token = req.tokenRequest === true && /\/token$/.test(target.pathname)
  const query = req.readOnlyQuery === true && state.queryPaths.has(target.pathname)
  if (req.method !== 'GET' && !(req.method === 'POST' && (token || query))) {
    return { kind: 'fault', fault: 'refused', detail: `${req.label}: refusing a ${req.method} request: this action only reads` }
  }
  if (!state.allowed.has(target.host.toLowerCase()) || (target.protocol !== 'https:' && target.protocol !== 'http:')) {
    return {
      kind: 'fault',
      fault: 'refused',
      detail: `${req.label}: refusing a request to ${serverText(target.host, 100)}, which is not a configured host`
    }
  }
  // Every request carries a credential (a token, a request token, a secret): plain http only to loopback.
  // (The URL inputs are checked so at parse time; this holds for the runner's ACTIONS_ID_TOKEN_REQUEST_URL too.)
  if (target.protocol === 'http:' && !isLoopbackHost(target.hostname)) {
    return {
      kind: 'fault',
      fault: 'refused',
      detail: `${req.label}: refusing plain http to ${serverText(target.host, 100)}: https only (plain http for loopback hosts only), so that no credential crosses a network in clear`
    }
  }
  return null
}

async function send(state: HttpState, req: IdpRequest): Promise<IdpAnswer> {
  const { ctx } = state
  let target: URL
  try {
    target = new URL(req.url)
  } catch {
    return { kind: 'fault', fault: 'refused', detail: `${req.label}: not a URL` }
  }
  const refused = refusal(state, req, target)
  if (refused) return refused
  const started = ctx.now()
  let answer = await attempt(state, req, target)
  const transient = answer.kind === 'fault' ? answer.fault === 'network' : answer.status >= 500
  const reads = req.method === 'GET' || req.readOnlyQuery === true
  const wait = answer.kind === 'response' && answer.status === 429 ? rateLimitWait(req, answer.headers, ctx.now()) : null
  if (transient && reads && ctx.deadline - ctx.now() > RETRY_PAUSE_MS * 4) {
    await new Promise(resolve => setTimeout(resolve, RETRY_PAUSE_MS))
    answer = await attempt(state, req, target)
  } else if (wait !== null && ctx.now() + wait + RATE_LIMIT_ROOM_MS < ctx.deadline) {
    // A 429 whose reset falls inside the budget: wait once and ask again (never a 401: that is not retried).
    ctx.debug(`${req.label}: rate limited; waiting ${wait} ms once`)
    await new Promise(resolve => setTimeout(resolve, wait))
    answer = await attempt(state, req, target)
  }
  ctx.debug(
    `${req.label} -> ${answer.kind === 'response' ? `${answer.status}${answer.bodyProblem ? ` (body ${answer.bodyProblem})` : ''}` : answer.fault} (${ctx.now() - started} ms)`
  )
  return answer
}

export function createIdpHttp(ctx: IdpContext, options: IdpHttpOptions): IdpHttp {
  const state: HttpState = {
    ctx,
    allowed: new Set(options.allowedHosts.map(h => h.toLowerCase())),
    errorBodyMs: options.errorBodyMs ?? ERROR_BODY_MS,
    queryPaths: new Set(options.queryPaths ?? []),
    dispatchers: new Map(),
    requests: { count: 0 }
  }
  return {
    send: req => send(state, req),
    get requests() {
      return state.requests.count
    }
  }
}
