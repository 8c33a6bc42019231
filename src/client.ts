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
import { throttling } from '@octokit/plugin-throttling'
import { Octokit as RestOctokit } from '@octokit/rest'
import Bottleneck from 'bottleneck/light.js'
import { fetch as undiciFetch, Response as UndiciResponse } from 'undici'

export type Headers = Record<string, string>

export type Fact =
  | { kind: 'response'; status: number; headers: Headers; body: unknown }
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
}

/** Bodies larger than this are not GitHub's answer to the calls we make. */
const MAX_BODY_BYTES = 4 * 1024 * 1024
/** Half of GitHub's limit of 100 concurrent requests: 20 orgs' checks go out in two waves at most. */
export const DEFAULT_MAX_CONCURRENT = 50
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304])

/** GraphQL endpoint that belongs to a REST base (PRODUCT.md, facts sheet section 5). */
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

/**
 * A fetch that goes through the proxy @actions/http-client picks for the
 * api-url (HTTPS_PROXY / HTTP_PROXY / NO_PROXY), is aborted at the deadline,
 * and reads the whole body before returning, so that a connection dropped or
 * stalled mid-body is a network fault (retried), not a half-read 200.
 */
function budgetedFetch(apiUrl: string, signal: AbortSignal, attemptTimeoutMs: number): typeof globalThis.fetch {
  const dispatcher = new HttpClient('provisioning-token-check').getAgentDispatcher(apiUrl)
  const f = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (signal.aborted) throw new DeadlineError()
    const method = (init?.method ?? 'GET').toUpperCase()
    const target = new URL(String(url))
    // Read-only, always: a SCIM PATCH deprovisions users.
    if (method !== 'GET' && !(method === 'POST' && target.pathname.endsWith('/graphql'))) {
      throw new Error(`refusing a ${method} request: this action only reads`)
    }
    // The run's deadline ends everything; a single attempt that hangs ends sooner, so a retry still fits.
    const signals = [signal, AbortSignal.timeout(attemptTimeoutMs), ...(init?.signal ? [init.signal] : [])]
    const res = await undiciFetch(String(url), {
      ...(init as object),
      signal: AbortSignal.any(signals),
      ...(dispatcher ? { dispatcher } : {})
    } as Parameters<typeof undiciFetch>[1])
    const chunks: Uint8Array[] = []
    let size = 0
    if (res.body) {
      for await (const chunk of res.body) {
        size += chunk.byteLength
        if (size > MAX_BODY_BYTES) {
          await res.body.cancel().catch(() => undefined)
          throw new Error(`response body larger than ${MAX_BODY_BYTES} bytes`)
        }
        chunks.push(chunk)
      }
    }
    const body = NULL_BODY_STATUS.has(res.status) ? null : Buffer.concat(chunks)
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

export function createClient(options: ClientOptions): ProbeClient {
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
  const debug = options.debug ?? (() => undefined)
  let requestCount = 0

  // A rate limit is waited for only once, and only when the wait fits the budget.
  const fitsBudget = (retryAfterSeconds: number, retryCount: number): boolean =>
    retryCount < 1 && retryAfterSeconds * 1000 + 1000 < remaining()

  // Passed as a variable: `global` is read by plugin-throttling at runtime but missing from its option type.
  const throttle = {
    // This run's own queues: plugin-throttling's shared defaults allow 10 requests at once and space
    // GraphQL requests a second apart (meant for mutations; this action sends only queries).
    global: new Bottleneck.Group({ maxConcurrent: options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT }),
    write: new Bottleneck.Group({ maxConcurrent: 1 }),
    onRateLimit: (retryAfter: number, _opts: unknown, _o: unknown, retryCount: number) => {
      const wait = fitsBudget(retryAfter, retryCount)
      debug(`primary rate limit: retry after ${retryAfter}s: ${wait ? 'waiting' : 'not waiting (beyond the time budget)'}`)
      return wait
    },
    onSecondaryRateLimit: (retryAfter: number, _opts: unknown, _o: unknown, retryCount: number) => {
      const wait = fitsBudget(retryAfter, retryCount)
      debug(`secondary rate limit: retry after ${retryAfter}s: ${wait ? 'waiting' : 'not waiting (beyond the time budget)'}`)
      return wait
    }
  }
  const Octokit = RestOctokit.plugin(retry, throttling)
  const octokit = new Octokit({
    auth: `token ${options.token}`,
    baseUrl: options.apiUrl,
    userAgent: 'provisioning-token-check',
    request: {
      fetch: budgetedFetch(options.apiUrl, controller.signal, attemptTimeoutMs(remaining()))
    },
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    retry: {
      // Never 401 (lockout), nor other answers that are verdicts; 429 belongs to the throttling plugin.
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
      retries: 2,
      retryAfterBaseValue: options.retryBaseMs ?? 250
    },
    throttle
  })
  // GraphQL is sent as route + base, never one absolute URL: @octokit/endpoint reads ':name' in a URL as a
  // parameter, which mangles IPv6 hosts such as [::ffff:7f00:1].
  const graphqlBase = graphqlUrl(options.apiUrl).replace(/\/graphql$/, '')
  // Nothing leaves the process through this fetch: it answers every warm-up request itself.
  const stubFetch = async (): Promise<Response> => {
    await (await undiciFetch('data:application/json,%7B%7D')).arrayBuffer()
    return new UndiciResponse('{}', { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' } }) as unknown as Response
  }
  octokit.hook.before('request', opts => {
    if (opts.request?.fetch !== stubFetch) requestCount++
  })

  async function send(label: string, run: () => Promise<{ status: number; headers: Record<string, unknown>; data: unknown }>): Promise<Fact> {
    const started = now()
    const attempt = (async (): Promise<Fact> => {
      try {
        const res = await run()
        return { kind: 'response', status: res.status, headers: toHeaders(res.headers), body: res.data }
      } catch (e) {
        const err = e as OctokitErrorLike
        if (err.response && typeof err.response.status === 'number') {
          return {
            kind: 'response',
            status: err.response.status,
            headers: toHeaders(err.response.headers ?? {}),
            body: err.response.data
          }
        }
        if (controller.signal.aborted || err.name === 'AbortError') {
          return { kind: 'fault', fault: 'timeout', detail: 'the time budget ran out before GitHub answered' }
        }
        return { kind: 'fault', fault: 'network', detail: describeCause(err) }
      }
    })()
    const fact = await Promise.race([attempt, deadlineReached])
    debug(`${label} -> ${fact.kind === 'response' ? fact.status : fact.fault} (${now() - started} ms)`)
    return fact
  }

  return {
    get(route, params = {}, accept) {
      return send(`GET ${route}`, () =>
        octokit.request(`GET ${route}`, {
          ...params,
          headers: {
            accept: accept ?? 'application/vnd.github+json',
            'x-github-api-version': '2022-11-28'
          }
        }) as Promise<{ status: number; headers: Record<string, unknown>; data: unknown }>
      )
    },
    graphql(query, variables) {
      return send('POST graphql', () =>
        octokit.request({
          method: 'POST',
          url: '/graphql',
          baseUrl: graphqlBase,
          query,
          variables,
          headers: { accept: 'application/vnd.github+json' }
        }) as Promise<{ status: number; headers: Record<string, unknown>; data: unknown }>
      )
    },
    async warmUp() {
      const request = { fetch: stubFetch }
      const headers = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' }
      await Promise.all([
        octokit.request('GET /user/memberships/orgs/{org}', { org: 'warm-up', headers, request }),
        octokit.request('GET /scim/v2/organizations/{org}/Users', { org: 'warm-up', startIndex: 1, count: 1, headers: { ...headers, accept: 'application/scim+json' }, request }),
        octokit.request({ method: 'POST', url: '/graphql', baseUrl: graphqlBase, query: 'query { viewer { login } }', variables: {}, headers, request })
      ]).catch(() => undefined)
    },
    get requestCount() {
      return requestCount
    }
  }
}
