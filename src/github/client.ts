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
import { retry } from '@octokit/plugin-retry'
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling'
import { Octokit as RestOctokit } from '@octokit/rest'
import type { BodyProblem, ByteBudget } from '../http/body.js'
import { budgetedFetch, localAnswer, type AttemptRecord } from './fetch.js'
import { Limiter, Semaphore } from './limiter.js'

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
/** Half of GitHub's limit of 100 concurrent requests: 20 orgs' checks go out in two waves at most. */
export const DEFAULT_MAX_CONCURRENT = 50
/**
 * Calls being prepared (Octokit's endpoint and hook chain, up to the fetch) at once. Few, so that each is
 * written to the socket as soon as it is built: 50 calls entering Octokit together advance through every
 * await in lockstep, and none reaches the wire before the last is built (issue 18).
 */
export const PREPARING_AT_ONCE = 4
/**
 * Calls inside Octokit at once, as a multiple of the cap of requests in flight: besides those on the wire,
 * as many built and waiting for a wire slot, so that a freed slot is used at once, without building a call
 * first; the rest wait before Octokit (300 calls built before the first is sent delayed it by 2.7 RT).
 */
const INSIDE_PER_WIRE_SLOT = 2

/** GraphQL endpoint that belongs to a REST base (docs/github-behaviour.md). */
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
  /** The cap of requests in flight, held from the fetch until the body is read (./fetch.ts). */
  wire: Semaphore
  /** Per call (its own signal): frees its preparation slot; called by the fetch on entry (the call is built). */
  onFetch: WeakMap<AbortSignal, () => void>
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
  return {
    options,
    now,
    remaining,
    controller,
    deadlineReached,
    debug: options.debug ?? (() => undefined),
    sent: { count: 0 },
    records: new WeakMap(),
    wire: new Semaphore(options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT),
    onFetch: new WeakMap()
  }
}

/**
 * A rate limit is waited for only once, only when the answer said until when (docs/reference.md: one without a reset
 * time or retry-after is reported at once), and only when the wait fits the budget. plugin-throttling computes a
 * primary limit's wait from x-ratelimit-reset alone (none: 0 s, sent again at once) and a secondary limit's from
 * retry-after alone (none: 60 s), so each counts as timed only with its own header.
 */
function rateLimitWait(
  state: ClientState,
  kind: 'primary' | 'secondary',
  retryAfterSeconds: number,
  opts: unknown,
  retryCount: number
): boolean {
  const signal = (opts as { request?: { signal?: AbortSignal } } | null)?.request?.signal
  const record = signal ? state.records.get(signal) : undefined
  const timed = (kind === 'primary' ? record?.hasReset : record?.hasRetryAfter) === true
  const wait = timed && retryCount < 1 && retryAfterSeconds * 1000 + 1000 < state.remaining()
  const why = !timed
    ? `no ${kind === 'primary' ? 'x-ratelimit-reset' : 'retry-after'}`
    : retryCount >= 1
      ? 'waited once already'
      : 'beyond the time budget'
  state.debug(`${kind} rate limit: retry after ${retryAfterSeconds}s: ${wait ? 'waiting' : `not waiting (${why})`}`)
  return wait
}

/** plugin-throttling's options: this run's own light queues, and the rate-limit hooks above. */
function throttleOptions(state: ClientState): ThrottlingOptions {
  const throttle = {
    // This run's own queues, and light ones (./limiter.ts): plugin-throttling's shared Bottleneck defaults
    // allow 10 requests at once and space GraphQL requests a second apart (meant for mutations; this action
    // sends only queries), and Bottleneck's timer hops cost ~3.5 ms of CPU per request. All five groups and
    // the retry limiter are this client's, so no Bottleneck queue is ever created. The global group has no
    // cap of its own: a slot there is held through Octokit's whole response path, so the cap of requests in
    // flight is held at the wire instead (state.wire, from the fetch until the body is read).
    Bottleneck: Limiter,
    global: new Limiter.Group({ maxConcurrent: null }),
    write: new Limiter.Group({ maxConcurrent: 1 }),
    auth: new Limiter.Group({ maxConcurrent: 1 }),
    search: new Limiter.Group({ maxConcurrent: 1 }),
    notifications: new Limiter.Group({ maxConcurrent: 1 }),
    retryLimiter: new Limiter(),
    onRateLimit: (retryAfter: number, opts: unknown, _o: unknown, retryCount: number) =>
      rateLimitWait(state, 'primary', retryAfter, opts, retryCount),
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
        records: state.records,
        wire: state.wire,
        onFetch: state.onFetch
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
  // At most PREPARING_AT_ONCE calls being built: a call leaves `building` when it reaches the fetch (or ends
  // before), and the next one is built meanwhile; at most INSIDE_PER_WIRE_SLOT x the cap inside Octokit. The
  // rest wait, cheaply, before it.
  const inside = new Semaphore(INSIDE_PER_WIRE_SLOT * (state.options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT))
  const building = new Semaphore(PREPARING_AT_ONCE)
  const admitted = async (call: AbortSignal, run: () => Promise<Fact>): Promise<Fact> => {
    const wait = inside.take()
    if (wait) await wait
    try {
      const turn = building.take()
      if (turn) await turn
      let built = false
      const leave = (): void => {
        if (built) return
        built = true
        building.give()
      }
      state.onFetch.set(call, leave)
      try {
        return await run()
      } finally {
        leave()
      }
    } finally {
      inside.give()
    }
  }
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
    const attempt = admitted(call, async (): Promise<Fact> => {
      try {
        const res = await run({ signal: call })
        return response(res.status, res.headers, res.data)
      } catch (e) {
        const err = e as OctokitErrorLike
        if (err.response && typeof err.response.status === 'number')
          return response(err.response.status, err.response.headers ?? {}, err.response.data)
        if (state.controller.signal.aborted || err.name === 'AbortError') {
          return { kind: 'fault', fault: 'timeout', detail: 'the time budget ran out before GitHub answered' }
        }
        return { kind: 'fault', fault: 'network', detail: describeCause(err) }
      }
    })
    const fact = await Promise.race([attempt, state.deadlineReached])
    const outcome = fact.kind === 'response' ? `${fact.status}${fact.bodyProblem ? ` (body ${fact.bodyProblem})` : ''}` : fact.fault
    state.debug(`${label} -> ${outcome} (${state.now() - started} ms)`)
    return fact
  }
}

/** Nothing leaves the process through this fetch: it answers every warm-up request itself. */
async function stubFetch(url: string | URL | Request): Promise<Response> {
  return localAnswer(String(url), '{}')
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
      return send(
        `GET ${route}`,
        request =>
          octokit.request(`GET ${route}`, {
            ...params,
            request,
            headers: { ...API_HEADERS, accept: accept ?? API_HEADERS.accept }
          }) as Promise<OctokitAnswer>
      )
    },
    graphql(query, variables) {
      return send(
        'POST graphql',
        request =>
          octokit.request({
            method: 'POST',
            url: '/graphql',
            baseUrl: graphqlBase,
            query,
            variables,
            request,
            headers: { accept: API_HEADERS.accept }
          }) as Promise<OctokitAnswer>
      )
    },
    async warmUp() {
      const request = { fetch: stubFetch }
      await Promise.all([
        octokit.request('GET /user/memberships/orgs/{org}', { org: 'warm-up', headers: API_HEADERS, request }),
        octokit.request('GET /scim/v2/organizations/{org}/Users', {
          org: 'warm-up',
          startIndex: 1,
          count: 1,
          headers: { ...API_HEADERS, accept: 'application/scim+json' },
          request
        }),
        octokit.request({
          method: 'POST',
          url: '/graphql',
          baseUrl: graphqlBase,
          query: 'query { viewer { login } }',
          variables: {},
          headers: API_HEADERS,
          request
        })
      ]).catch(() => undefined)
    },
    get requestCount() {
      return state.sent.count
    }
  }
}
