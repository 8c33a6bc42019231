/**
 * The fetch under GitHub's client: through the proxy @actions/http-client
 * picks for the api-url, read only, never following a redirect, bounded in
 * bytes (src/http/body.ts) and in time (the attempt's and the run's deadline).
 */
import { HttpClient } from '@actions/http-client/lib/index.js'
import { getGlobalDispatcher, type Dispatcher } from 'undici'
import { MAX_BODY_BYTES, readBody, type BodyProblem, type BodySource, type BodyRead, type ByteBudget } from '../http/body.js'
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

/** The answer handed back to Octokit: what its fetch wrapper reads of a Response (status, url, headers, text). */
class Answer {
  readonly ok: boolean
  readonly statusText = ''
  readonly redirected = false
  readonly type = 'basic'
  readonly bodyUsed = false
  readonly body = null

  constructor(
    readonly status: number,
    readonly headers: AnswerHeaders,
    private readonly bytes: Buffer | null,
    readonly url: string
  ) {
    this.ok = status >= 200 && status < 300
  }

  async text(): Promise<string> {
    return this.bytes ? UTF8.decode(this.bytes) : ''
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text())
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const b = this.bytes ?? Buffer.alloc(0)
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer
  }
}

/** An answer made here, for the client's warm-up: the shape every real one has, sent by nobody. */
export function localAnswer(url: string, body: string): Response {
  return new Answer(
    200,
    new AnswerHeaders(['content-type', 'application/json; charset=utf-8']),
    Buffer.from(body),
    url
  ) as unknown as Response
}

/** fetch's decoding of a body as text: UTF-8, a leading BOM dropped, invalid bytes replaced. */
const UTF8 = new TextDecoder()

/**
 * An answer's headers as fetch's Headers shows them: names lower-case and sorted, repeated headers joined with
 * ", ", values decoded as Latin-1 (each byte one character, as fetch does): server text, shown only through
 * src/sanitize.ts. Built from the raw lines (RawHeaders below), never from undici's parsed object: that is a
 * plain `{}`, whose parser throws on a header named `constructor` or `__proto__` (a 401 then became a network
 * fault, retried).
 */
class AnswerHeaders {
  private readonly map: Map<string, string>

  constructor(raw: ReadonlyArray<Buffer | string>) {
    const joined = new Map<string, string>()
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = String(raw[i]?.toString('latin1')).toLowerCase()
      const value = String(raw[i + 1]?.toString('latin1'))
      const before = joined.get(name)
      joined.set(name, before === undefined ? value : `${before}, ${value}`)
    }
    this.map = new Map([...joined].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  }

  get(name: string): string | null {
    return this.map.get(name.toLowerCase()) ?? null
  }

  has(name: string): boolean {
    return this.map.has(name.toLowerCase())
  }

  forEach(cb: (value: string, name: string) => void): void {
    this.map.forEach(cb)
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.map.entries()
  }
}

/** Where RawHeaders leaves one answer's raw header lines: the request's `opaque`, handed back with the answer. */
interface RawSink {
  raw: Buffer[]
}

/**
 * Keeps an answer's raw header lines for AnswerHeaders, and hands undici's request handler only the two it
 * reads (content-type, content-length) and no trailers: its parser (`parseHeaders`, into a plain `{}`) throws on
 * a name such as `constructor`, which would turn any answer into a network fault.
 */
class RawHeaders implements Dispatcher.DispatchHandlers {
  constructor(
    private readonly inner: Dispatcher.DispatchHandlers,
    private readonly sink: RawSink | undefined
  ) {}

  onConnect(...args: Parameters<NonNullable<Dispatcher.DispatchHandlers['onConnect']>>): void {
    this.inner.onConnect?.(...args)
  }

  onError(err: Error): void {
    this.inner.onError?.(err)
  }

  onUpgrade(...args: Parameters<NonNullable<Dispatcher.DispatchHandlers['onUpgrade']>>): void {
    this.inner.onUpgrade?.(...args)
  }

  onResponseStarted(): void {
    this.inner.onResponseStarted?.()
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void, statusText: string): boolean {
    if (this.sink) this.sink.raw = raw
    const kept: Buffer[] = []
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]?.toString('latin1').toLowerCase()
      if (name === 'content-type' || name === 'content-length') kept.push(raw[i] as Buffer, raw[i + 1] as Buffer)
    }
    return this.inner.onHeaders?.(status, kept, resume, statusText) ?? true
  }

  onData(chunk: Buffer): boolean {
    return this.inner.onData?.(chunk) ?? true
  }

  onComplete(): void {
    this.inner.onComplete?.([])
  }

  onBodySent(...args: Parameters<NonNullable<Dispatcher.DispatchHandlers['onBodySent']>>): void {
    this.inner.onBodySent?.(...args)
  }
}

const keepRawHeaders: Dispatcher.DispatcherComposeInterceptor = dispatch => (opts, handler) =>
  dispatch(opts, new RawHeaders(handler, (opts as { opaque?: RawSink }).opaque))

/** readBody's view of undici's body stream: read() in order, cancel() drops the rest (and the connection). */
function readerOf(body: Dispatcher.ResponseData['body']): BodySource {
  const chunks = body[Symbol.asyncIterator]()
  return {
    getReader: () => ({
      read: async () => {
        const next = await chunks.next()
        return next.done ? { done: true } : { done: false, value: next.value as Uint8Array }
      },
      cancel: async () => void body.destroy()
    })
  }
}

/**
 * What fetch would have thrown: the abort's reason once the signal fired (the run's deadline, the attempt's
 * timeout), else a TypeError whose cause is the network's error (client.ts reads its code).
 */
function asFetchError(e: unknown, signal: AbortSignal, message: string): unknown {
  if (signal.aborted) return signal.reason ?? new DOMException('This operation was aborted', 'AbortError')
  return new TypeError(message, { cause: e })
}

/**
 * One request on the wire, its body read (bounded). undici's dispatcher API, not its fetch: the same
 * connection pool (and the same proxy agent), without fetch's Request, Response and web streams, which cost
 * more CPU per request than the rest of the client (BENCHMARKS.md). Nothing is decompressed: no
 * accept-encoding is sent, and a body is the server's bytes.
 */
async function sendOnce(
  ctx: FetchContext,
  live: Set<AbortController>,
  dispatcher: Dispatcher,
  target: URL,
  init: RequestInit | undefined
): Promise<Answer> {
  const record: AttemptRecord = { hasReset: false, hasRetryAfter: false }
  if (init?.signal) ctx.records.set(init.signal, record)
  const attemptEnd = ctx.now() + ctx.attemptTimeoutMs
  ctx.sent.count++
  // The run's deadline ends everything; a single attempt that hangs ends sooner, so a retry still fits. One
  // controller and one timer per attempt, both let go when it ends (AbortSignal.any and .timeout cost more).
  const attempt = new AbortController()
  if (ctx.signal.aborted) attempt.abort(ctx.signal.reason)
  live.add(attempt)
  const timer = setTimeout(() => attempt.abort(new DOMException('The operation timed out.', 'TimeoutError')), ctx.attemptTimeoutMs)
  try {
    return await attemptOnce(ctx, { dispatcher, target, init, signal: attempt.signal, record, attemptEnd })
  } finally {
    clearTimeout(timer)
    live.delete(attempt)
  }
}

interface Attempt {
  dispatcher: Dispatcher
  /** The URL, parsed once (the read-only check): undici is handed its origin and path, not a string to parse again. */
  target: URL
  init: RequestInit | undefined
  signal: AbortSignal
  record: AttemptRecord
  attemptEnd: number
}

async function attemptOnce(ctx: FetchContext, a: Attempt): Promise<Answer> {
  const { dispatcher, target, init, signal, record, attemptEnd } = a
  let res: Dispatcher.ResponseData
  const sink: RawSink = { raw: [] }
  try {
    res = await dispatcher.request({
      origin: target.origin,
      path: `${target.pathname}${target.search}`,
      method: (init?.method ?? 'GET').toUpperCase() as Dispatcher.HttpMethod,
      headers: init?.headers as Record<string, string> | undefined,
      body: typeof init?.body === 'string' ? init.body : null,
      signal,
      opaque: sink,
      // Never followed: a 3xx is an answer (its Location named in the report), and nothing is sent elsewhere.
      maxRedirections: 0
    })
  } catch (e) {
    throw asFetchError(e, signal, 'fetch failed')
  }
  // Dropping a body (too large, stalled, not needed) destroys its stream, which then emits an error: the
  // reads below see it, nothing else needs to.
  res.body.on('error', () => undefined)
  const status = res.statusCode
  const headers = new AnswerHeaders(sink.raw)
  record.hasReset = WHOLE_SECONDS.test(headers.get('x-ratelimit-reset') ?? '')
  record.hasRetryAfter = WHOLE_SECONDS.test(headers.get('retry-after') ?? '')

  let body: Buffer | null = null
  const declared = Number(headers.get('content-length') ?? '')
  if (NULL_BODY_STATUS.has(status) || (Number.isFinite(declared) && declared > MAX_BODY_BYTES)) {
    res.body.destroy()
    if (!NULL_BODY_STATUS.has(status)) record.bodyProblem = 'too-large'
  } else {
    const left = Math.min(attemptEnd, ctx.deadline) - ctx.now() - BODY_MARGIN_MS
    let read: BodyRead
    try {
      read = await readBody(readerOf(res.body), ctx, isVerdictStatus(status) ? Math.min(ctx.errorBodyMs, left) : null)
    } catch (e) {
      res.body.destroy()
      throw asFetchError(e, signal, 'terminated')
    }
    if ('problem' in read) record.bodyProblem = read.problem
    else body = read.bytes
  }
  return new Answer(status, headers, body, target.href)
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
  // The attempts in flight: the run's deadline aborts each (one listener for all, however many are in flight).
  const live = new Set<AbortController>()
  ctx.signal.addEventListener('abort', () => live.forEach(a => a.abort(ctx.signal.reason)), { once: true })
  // The proxy agent @actions/http-client picks for the api-url, or undici's global one; composed once per client.
  const dispatcher = (new HttpClient('provisioning-token-check').getAgentDispatcher(ctx.apiUrl) ?? getGlobalDispatcher()).compose(
    keepRawHeaders
  )
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
      return (await sendOnce(ctx, live, dispatcher, target, init)) as unknown as Response
    } finally {
      ctx.wire?.give()
    }
  }
  return f as typeof globalThis.fetch
}
