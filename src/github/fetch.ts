/**
 * The fetch under GitHub's client: through the proxy @actions/http-client
 * picks for the api-url, read only, never following a redirect, bounded in
 * bytes (src/http/body.ts) and in time (the attempt's and the run's deadline).
 */
import { HttpClient } from '@actions/http-client/lib/index.js'
import { fetch as undiciFetch, Response as UndiciResponse } from 'undici'
import { MAX_BODY_BYTES, readBody, type BodyProblem, type BodyRead, type ByteBudget } from '../http/body.js'
import type { Semaphore } from './limiter.js'

/** A 3xx/4xx body read ends this long before the attempt's or the run's end, so that the status still comes back. */
const BODY_MARGIN_MS = 150
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304])

class DeadlineError extends Error {
  constructor() {
    super('the time budget ran out before GitHub answered')
    this.name = 'AbortError'
  }
}

/** What the fetch learnt about one attempt of a call, for the layers above it that see only Octokit's view. */
export interface AttemptRecord {
  bodyProblem?: BodyProblem
  /** The answer had `x-ratelimit-reset` (epoch seconds): plugin-throttling's primary-limit wait comes from it. */
  hasReset: boolean
  /** The answer had `retry-after` in whole seconds: plugin-throttling's secondary-limit wait comes from it. */
  hasRetryAfter: boolean
}

export interface FetchContext {
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
  /**
   * The cap of requests in flight: a slot is taken before the request is sent and given back once its body
   * is read (or the attempt fails), not after Octokit's response path, so the next request goes out at once.
   */
  wire?: Semaphore
  /** Per call: called when the call reaches this fetch, i.e. is built (the client then builds its next call). */
  onFetch?: WeakMap<AbortSignal, () => void>
}

const WHOLE_SECONDS = /^\s*\d+\s*$/

/** A 3xx or 4xx is an answer by its status alone; its body only adds detail. */
function isVerdictStatus(status: number): boolean {
  return status >= 300 && status < 500
}

/** One request on the wire, its body read (bounded). */
async function sendOnce(
  ctx: FetchContext,
  dispatcher: ReturnType<HttpClient['getAgentDispatcher']>,
  url: string | URL | Request,
  init: RequestInit | undefined
): Promise<Response> {
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

/**
 * A fetch that goes through the proxy @actions/http-client picks for the
 * api-url (HTTPS_PROXY / HTTP_PROXY / NO_PROXY), never follows a redirect, is
 * aborted at the deadline, and reads the whole body (bounded) before
 * returning. A 2xx or 5xx whose connection drops or stalls mid-body is a
 * network fault (retried), not a half-read answer; a 3xx or 4xx keeps its
 * status whatever its body does (a 401 is never retried). A body that is not
 * read comes back empty, with the reason in the call's AttemptRecord.
 */
export function budgetedFetch(ctx: FetchContext): typeof globalThis.fetch {
  const dispatcher = new HttpClient('provisioning-token-check').getAgentDispatcher(ctx.apiUrl)
  const f = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (ctx.signal.aborted) throw new DeadlineError()
    const method = (init?.method ?? 'GET').toUpperCase()
    const target = new URL(String(url))
    // Read-only, always: a SCIM PATCH deprovisions users.
    if (method !== 'GET' && !(method === 'POST' && target.pathname.endsWith('/graphql'))) {
      throw new Error(`refusing a ${method} request: this action only reads`)
    }
    if (init?.signal) ctx.onFetch?.get(init.signal)?.()
    const wait = ctx.wire?.take()
    if (wait) await wait
    try {
      if (ctx.signal.aborted) throw new DeadlineError()
      return await sendOnce(ctx, dispatcher, url, init)
    } finally {
      ctx.wire?.give()
    }
  }
  return f as typeof globalThis.fetch
}
