/**
 * The HTTP client: Octokit from @octokit/rest with @octokit/plugin-retry and
 * @octokit/plugin-throttling, bounded by the run's time budget, over a fetch
 * that goes through the proxy chosen for the api-url actually used. Not
 * @actions/github: its context module prints to stdout when imported with a
 * stale GITHUB_EVENT_PATH, which would corrupt the CLI's --json.
 *
 * Every call resolves to a Fact (status, headers, parsed body) or a fault; it
 * never throws and never makes a write request.
 */
import { HttpClient } from '@actions/http-client'
import { retry } from '@octokit/plugin-retry'
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling'
import { Octokit as RestOctokit } from '@octokit/rest'
import { fetch as undiciFetch, Response as UndiciResponse } from 'undici'
import { MAX_BODY_BYTES, readBody, type BodyProblem, type BodyRead, type ByteBudget } from '../http/body.js'
import { Limiter } from './limiter.js'

export { MAX_BODY_BYTES, MAX_TOTAL_BODY_BYTES, type BodyProblem } from '../http/body.js'

export type Headers = Record<string, string>


/**
 * What one request came to. Header names are lower-case whatever the server sent. A 3xx is never followed: it
 * arrives as a response (its `location` header included). `bodyProblem` is set only when the body was not read.
 */
export type Fact =
  | { kind: 'response'; status: number; headers: Headers; body: unknown; bodyProblem?: BodyProblem }
  | { kind: 'fault'; fault: 'timeout' | 'network'; detail: string }

export interface ProbeClient {
  get(route: string, params?: Record<string, string | number>, accept?: string): Promise<Fact>
  graphql(query: string, variables: Record<string, string>): Promise<Fact>
  /**
   * Runs the request path (Octokit, plugins, undici) once against a local stub, sending nothing, so
   * that its code is compiled before the fan-out. Meant for the idle round trip of GET /user.
   */
  warmUp(): Promise<void>
  /** Requests sent so far (attempts, retries included). */
  readonly requestCount: number
}

export interface ClientOptions {
  token: string
  apiUrl: string
  /** Epoch ms after which nothing is waited for. */
  deadline: number
  /** Debug sink; never receives the token. */
  debug?: (message: string) => void
  /** Requests in flight at once (GitHub's secondary-rate-limit guidance: at most 100; default 50). */
  maxConcurrent?: number
  now?: () => number
  /** Base of plugin-retry's quadratic back-off (ms): 1x, 4x. */
  retryBaseMs?: number
  /** How long the body of a 3xx/4xx may take once its status is known (default ERROR_BODY_MS). */
  errorBodyMs?: number
  /** The run's byte budget, shared with the IdP's requests (default: this client's own). */
  budget?: ByteBudget
}

/** A 3xx/4xx is a verdict by its status: its body is waited for this long at most. */
export const ERROR_BODY_MS = 2000
/** A 3xx/4xx body read ends this long before the attempt's or the run's end, so that the status still comes back. */
const BODY_MARGIN_MS = 150
/** Half of GitHub's limit of 100 concurrent requests: 20 orgs' checks go out in two waves at most. */
export const DEFAULT_MAX_CONCURRENT = 50
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304])

/** GraphQL endpoint that belongs to a REST base (PRODUCT.md, docs/github-behaviour.md). */
export function graphqlUrl(apiUrl: string): string {
  const base = apiUrl.replace(/\/+$/, '')
  if (/\/api\/v3$/.test(base)) return base.replace(/\/api\/v3$/, '/api/graphql')
  return `${base}/graphql`
}

/** Node's timers overflow (and fire at once) past 2^31-1 ms, about 24.8 days. */
const MAX_TIMER_MS = 2 ** 31 - 1

/** One attempt may use a third of the budget (at least 2 s): a hung connection leaves room for a retry. */
export function attemptTimeoutMs(budgetMs: number): number {
  return Math.min(MAX_TIMER_MS, Math.max(2000, Math.floor(budgetMs / 3)))
}

class DeadlineError extends Error {
  constructor() {
    super('the time budget ran out before GitHub answered')
    this.name = 'AbortError'
  }
}

/** What the fetch learnt about one attempt of a call, for the layers above it that see only Octokit's view. */
interface AttemptRecord {
  bodyProblem?: BodyProblem
  /** The answer had `x-ratelimit-reset` (epoch seconds): plugin-throttling's primary-limit wait comes from it. */
  hasReset: boolean
  /** The answer had `retry-after` in whole seconds: plugin-throttling's secondary-limit wait comes from it. */
  hasRetryAfter: boolean
}

interface FetchContext {
  apiUrl: string
  /** The run's deadline: aborts everything. */
  signal: AbortSignal
  attemptTimeoutMs: number
  errorBodyMs: number
  deadline: number
  now: () => number
  /** Body bytes read so far in this run. */
  budget: ByteBudget
  /** Requests actually sent (every attempt). */
  sent: { count: number }
  /** Per call, keyed by the call's own signal (the one thing Octokit hands both to the fetch and to its hooks). */
  records: WeakMap<AbortSignal, AttemptRecord>
}

const WHOLE_SECONDS = /^\s*\d+\s*$/

/** A 3xx or 4xx is an answer by its status alone; its body only adds detail. */
function isVerdictStatus(status: number): boolean {
  return status >= 300 && status < 500
}

/**
 * A fetch that goes through the proxy @actions/http-client picks for the
 * api-url (HTTPS_PROXY / HTTP_PROXY / NO_PROXY), never follows a redirect, is
 * aborted at the deadline, and reads the whole body (bounded) before
 * returning. A 2xx or 5xx whose connection drops or stalls mid-body is a
 * network fault (retried), not a half-read answer; a 3xx or 4xx keeps its
 * status whatever its body does (a 401 is never retried). A body that is not
 * read comes back empty, with the reason in the call's AttemptRecord.
 */
function budgetedFetch(ctx: FetchContext): typeof globalThis.fetch {
  const dispatcher = new HttpClient('provisioning-token-check').getAgentDispatcher(ctx.apiUrl)
  const f = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (ctx.signal.aborted) throw new DeadlineError()
    const method = (init?.method ?? 'GET').toUpperCase()
    const target = new URL(String(url))
    // Read-only, always: a SCIM PATCH deprovisions users.
    if (method !== 'GET' && !(method === 'POST' && target.pathname.endsWith('/graphql'))) {
      throw new Error(`refusing a ${method} request: this action only reads`)
    }
    const record: AttemptRecord = { hasReset: false, hasRetryAfter: false }
    if (init?.signal) ctx.records.set(init.signal, record)
    const attemptEnd = ctx.now() + ctx.attemptTimeoutMs
    ctx.sent.count++
    // The run's deadline ends everything; a single attempt that hangs ends sooner, so a retry still fits.
    const signals = [ctx.signal, AbortSignal.timeout(ctx.attemptTimeoutMs), ...(init?.signal ? [init.signal] : [])]
    const res = await undiciFetch(String(url), {
      ...(init as object),
      // Never followed: a 3xx is an answer (its Location named in the report), and nothing is sent elsewhere.
      redirect: 'manual',
      signal: AbortSignal.any(signals),
      ...(dispatcher ? { dispatcher } : {})
    } as Parameters<typeof undiciFetch>[1])
    record.hasReset = WHOLE_SECONDS.test(res.headers.get('x-ratelimit-reset') ?? '')
    record.hasRetryAfter = WHOLE_SECONDS.test(res.headers.get('retry-after') ?? '')

    let body: Buffer | null = null
    if (res.body && !NULL_BODY_STATUS.has(res.status)) {
      const declared = Number(res.headers.get('content-length') ?? '')
      let read: BodyRead
      if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
        res.body.cancel().catch(() => undefined)
        read = { problem: 'too-large' }
      } else {
        const left = Math.min(attemptEnd, ctx.deadline) - ctx.now() - BODY_MARGIN_MS
        read = await readBody(res.body, ctx, isVerdictStatus(res.status) ? Math.min(ctx.errorBodyMs, left) : null)
      }
      if ('problem' in read) record.bodyProblem = read.problem
      else body = read.bytes
    } else if (res.body) {
      res.body.cancel().catch(() => undefined)
    }
    // undici's own Response: the global one would load Node's internal copy of undici on first use.
    return new UndiciResponse(body, {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers
    }) as unknown as Response
  }
  return f as typeof globalThis.fetch
}

interface OctokitErrorLike {
  name?: string
  status?: number
  message?: string
  response?: { status: number; headers: Record<string, unknown>; data: unknown }
  cause?: unknown
}

function toHeaders(raw: Record<string, unknown>): Headers {
  const out: Headers = {}
  for (const [k, v] of Object.entries(raw)) {
    if (v !== undefined && v !== null) out[k.toLowerCase()] = String(v)
  }
  return out
}

function describeCause(err: OctokitErrorLike): string {
  const cause = err.cause as { message?: string; code?: string; cause?: { code?: string; message?: string } } | undefined
  const code = cause?.code ?? cause?.cause?.code
  const msg = cause?.cause?.message ?? cause?.message ?? err.message ?? 'network error'
  return code ? `${code}: ${msg}` : msg
}

/** What every part of one client shares: its clock, its deadline, its request log. */
interface ClientState {
  options: ClientOptions
  now: () => number
  remaining: () => number
  controller: AbortController
  /** Resolves (with a timeout fact) when the run's deadline passes. */
  deadlineReached: Promise<Fact>
  debug: (message: string) => void
  sent: { count: number }
  records: WeakMap<AbortSignal, AttemptRecord>
}

function clientState(options: ClientOptions): ClientState {
  const now = options.now ?? Date.now
  const controller = new AbortController()
  const remaining = (): number => options.deadline - now()
  const timer = setTimeout(() => controller.abort(), Math.min(MAX_TIMER_MS, Math.max(0, remaining())))
  timer.unref()
  const deadlineReached = new Promise<Fact>(resolve => {
    controller.signal.addEventListener('abort', () =>
      resolve({ kind: 'fault', fault: 'timeout', detail: 'the time budget ran out before GitHub answered' })
    )
  })
  return { options, now, remaining, controller, deadlineReached, debug: options.debug ?? (() => undefined), sent: { count: 0 }, records: new WeakMap() }
}

/**
 * A rate limit is waited for only once, only when the answer said until when (PRODUCT.md: one without a reset
 * time or retry-after is reported at once), and only when the wait fits the budget. plugin-throttling computes a
 * primary limit's wait from x-ratelimit-reset alone (none: 0 s, sent again at once) and a secondary limit's from
 * retry-after alone (none: 60 s), so each counts as timed only with its own header.
 */
function rateLimitWait(state: ClientState, kind: 'primary' | 'secondary', retryAfterSeconds: number, opts: unknown, retryCount: number): boolean {
  const signal = (opts as { request?: { signal?: AbortSignal } } | null)?.request?.signal
  const record = signal ? state.records.get(signal) : undefined
  const timed = (kind === 'primary' ? record?.hasReset : record?.hasRetryAfter) === true
  const wait = timed && retryCount < 1 && retryAfterSeconds * 1000 + 1000 < state.remaining()
  const why = !timed ? `no ${kind === 'primary' ? 'x-ratelimit-reset' : 'retry-after'}` : retryCount >= 1 ? 'waited once already' : 'beyond the time budget'
  state.debug(`${kind} rate limit: retry after ${retryAfterSeconds}s: ${wait ? 'waiting' : `not waiting (${why})`}`)
  return wait
}

/** plugin-throttling's options: this run's own light queues, and the rate-limit hooks above. */
function throttleOptions(state: ClientState): ThrottlingOptions {
  const throttle = {
    // This run's own queues, and light ones (./limiter.ts): plugin-throttling's shared Bottleneck defaults
    // allow 10 requests at once and space GraphQL requests a second apart (meant for mutations; this action
    // sends only queries), and Bottleneck's timer hops cost ~3.5 ms of CPU per request. All five groups and
    // the retry limiter are this client's, so no Bottleneck queue is ever created.
    Bottleneck: Limiter,
    global: new Limiter.Group({ maxConcurrent: state.options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT }),
    write: new Limiter.Group({ maxConcurrent: 1 }),
    auth: new Limiter.Group({ maxConcurrent: 1 }),
    search: new Limiter.Group({ maxConcurrent: 1 }),
    notifications: new Limiter.Group({ maxConcurrent: 1 }),
    retryLimiter: new Limiter(),
    onRateLimit: (retryAfter: number, opts: unknown, _o: unknown, retryCount: number) => rateLimitWait(state, 'primary', retryAfter, opts, retryCount),
    onSecondaryRateLimit: (retryAfter: number, opts: unknown, _o: unknown, retryCount: number) =>
      rateLimitWait(state, 'secondary', retryAfter, opts, retryCount)
  }
  // The limiters have the part of Bottleneck's API the plugin calls (./limiter.ts), not its whole type.
  return throttle as unknown as ThrottlingOptions
}

function buildOctokit(state: ClientState): InstanceType<ReturnType<typeof RestOctokit.plugin>> {
  const { options } = state
  const Octokit = RestOctokit.plugin(retry, throttling)
  return new Octokit({
    auth: `token ${options.token}`,
    baseUrl: options.apiUrl,
    userAgent: 'provisioning-token-check',
    request: {
      fetch: budgetedFetch({
        apiUrl: options.apiUrl,
        signal: state.controller.signal,
        attemptTimeoutMs: attemptTimeoutMs(state.remaining()),
        errorBodyMs: options.errorBodyMs ?? ERROR_BODY_MS,
        deadline: options.deadline,
        now: state.now,
        budget: options.budget ?? { spent: 0 },
        sent: state.sent,
        records: state.records
      })
    },
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    retry: {
      // Never 401 (lockout), nor other answers that are verdicts; 429 belongs to the throttling plugin. A 3xx
      // (never followed) is no error to plugin-retry but for 304, which it does not retry either (< 400).
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
      retries: 2,
      retryAfterBaseValue: options.retryBaseMs ?? 250
    },
    throttle: throttleOptions(state)
  })
}

type OctokitAnswer = { status: number; headers: Record<string, unknown>; data: unknown }
type Run = (request: { signal: AbortSignal }) => Promise<OctokitAnswer>

/** Sends one call through the gate and Octokit, and turns whatever happens into a Fact; never throws. */
function sender(state: ClientState): (label: string, run: Run) => Promise<Fact> {
  // At most maxConcurrent calls inside Octokit at once: plugin-throttling's global group caps requests in
  // flight too, but a call queued there has already gone through Octokit's endpoint and hook chain, so 300
  // calls at once would all be prepared before the first is sent. Here the rest wait, cheaply, before it.
  const gate = new Limiter({ maxConcurrent: state.options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT })
  return async (label, run) => {
    const started = state.now()
    // The call's own signal (never aborted) identifies it in the fetch and in the throttling hooks.
    const call = new AbortController().signal
    const response = (status: number, headers: Record<string, unknown>, data: unknown): Fact => {
      const bodyProblem = state.records.get(call)?.bodyProblem
      return bodyProblem
        ? { kind: 'response', status, headers: toHeaders(headers), body: undefined, bodyProblem }
        : { kind: 'response', status, headers: toHeaders(headers), body: data }
    }
    const attempt = gate.schedule(async (): Promise<Fact> => {
      try {
        const res = await run({ signal: call })
        return response(res.status, res.headers, res.data)
      } catch (e) {
        const err = e as OctokitErrorLike
        if (err.response && typeof err.response.status === 'number') return response(err.response.status, err.response.headers ?? {}, err.response.data)
        if (state.controller.signal.aborted || err.name === 'AbortError') {
          return { kind: 'fault', fault: 'timeout', detail: 'the time budget ran out before GitHub answered' }
        }
        return { kind: 'fault', fault: 'network', detail: describeCause(err) }
      }
    }) as Promise<Fact>
    const fact = await Promise.race([attempt, state.deadlineReached])
    const outcome = fact.kind === 'response' ? `${fact.status}${fact.bodyProblem ? ` (body ${fact.bodyProblem})` : ''}` : fact.fault
    state.debug(`${label} -> ${outcome} (${state.now() - started} ms)`)
    return fact
  }
}

/** Nothing leaves the process through this fetch: it answers every warm-up request itself. */
async function stubFetch(): Promise<Response> {
  await (await undiciFetch('data:application/json,%7B%7D')).arrayBuffer()
  return new UndiciResponse('{}', { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' } }) as unknown as Response
}

const API_HEADERS = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' }

export function createClient(options: ClientOptions): ProbeClient {
  const state = clientState(options)
  const octokit = buildOctokit(state)
  const send = sender(state)
  // GraphQL is sent as route + base, never one absolute URL: @octokit/endpoint reads ':name' in a URL as a
  // parameter, which mangles IPv6 hosts such as [::ffff:7f00:1].
  const graphqlBase = graphqlUrl(options.apiUrl).replace(/\/graphql$/, '')
  return {
    get(route, params = {}, accept) {
      return send(`GET ${route}`, request =>
        octokit.request(`GET ${route}`, { ...params, request, headers: { ...API_HEADERS, accept: accept ?? API_HEADERS.accept } }) as Promise<OctokitAnswer>
      )
    },
    graphql(query, variables) {
      return send('POST graphql', request =>
        octokit.request({ method: 'POST', url: '/graphql', baseUrl: graphqlBase, query, variables, request, headers: { accept: API_HEADERS.accept } }) as Promise<OctokitAnswer>
      )
    },
    async warmUp() {
      const request = { fetch: stubFetch }
      await Promise.all([
        octokit.request('GET /user/memberships/orgs/{org}', { org: 'warm-up', headers: API_HEADERS, request }),
        octokit.request('GET /scim/v2/organizations/{org}/Users', { org: 'warm-up', startIndex: 1, count: 1, headers: { ...API_HEADERS, accept: 'application/scim+json' }, request }),
        octokit.request({ method: 'POST', url: '/graphql', baseUrl: graphqlBase, query: 'query { viewer { login } }', variables: {}, headers: API_HEADERS, request })
      ]).catch(() => undefined)
    },
    get requestCount() {
      return state.sent.count
    }
  }
}
