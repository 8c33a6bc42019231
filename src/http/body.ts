/**
 * Bounded bodies (docs/how-it-works.md, "Hostile and unusual answers"): one answer
 * body at most 1 MiB, all bodies of a run at most 16 MiB, shared by GitHub's
 * client and the IdP's. Used by every fetch the action makes.
 */
/** What readBody reads from: a web stream (fetch's body) or any source with the same reader. */
export interface BodySource {
  getReader(): { read(): Promise<{ done: true; value?: undefined } | { done: false; value: Uint8Array }>; cancel(): Promise<void> }
}

/**
 * Why an answer's body was not read. The status and headers are still the server's own; the body is then
 * `undefined`, and the answer is no verdict beyond its status (diagnose: `unexpected-response`).
 * - `too-large`: larger than MAX_BODY_BYTES (declared or counted); the rest was not read.
 * - `budget-spent`: the run's MAX_TOTAL_BODY_BYTES were spent before (or while) reading it.
 * - `cut-short`: a 3xx/4xx whose connection dropped mid-body (for 2xx/5xx this is a network fault, retried).
 * - `stalled`: a 3xx/4xx whose body did not arrive in time (likewise a fault for 2xx/5xx).
 */
export type BodyProblem = 'too-large' | 'cut-short' | 'stalled' | 'budget-spent'

/** Bodies larger than this are no answer to the calls we make (docs/reference.md: at most 1 MiB). */
export const MAX_BODY_BYTES = 1024 * 1024
/** All the bodies one run reads, together; once spent, no body is read any more. */
export const MAX_TOTAL_BODY_BYTES = 16 * 1024 * 1024

/** Body bytes read so far in this run: one object shared by every client of the run. */
/** The IdP's share of a run's bytes: whatever the IdP sends, GitHub's answers keep the rest and are read. */
export const IDP_BODY_BYTES = 6 * 1024 * 1024

export interface ByteBudget {
  spent: number
  /** This budget's share of the run's MAX_TOTAL_BODY_BYTES (GitHub's and the IdP's shares add up to it). */
  limit?: number
}

export function isAbort(e: unknown): boolean {
  const name = (e as { name?: unknown } | null)?.name
  return name === 'AbortError' || name === 'TimeoutError'
}

export type BodyRead = { bytes: Buffer } | { problem: BodyProblem }

/**
 * Reads one body within MAX_BODY_BYTES and the client's MAX_TOTAL_BODY_BYTES, stopping (and dropping the
 * connection) as soon as either is exceeded. With `limitMs`, a body that has not fully arrived by then is
 * `stalled`, one whose connection drops is `cut-short`; without it (2xx, 5xx) such errors are thrown as they
 * are: a network fault, retried.
 */
export async function readBody(body: BodySource, ctx: { budget: ByteBudget }, limitMs: number | null): Promise<BodyRead> {
  const reader = body.getReader()
  const stop = (problem: BodyProblem): BodyRead => {
    reader.cancel().catch(() => undefined)
    return { problem }
  }
  if (ctx.budget.spent >= (ctx.budget.limit ?? MAX_TOTAL_BODY_BYTES)) return stop('budget-spent')
  let timer: NodeJS.Timeout | undefined
  const stalled =
    limitMs === null ? null : new Promise<'stalled'>(resolve => (timer = setTimeout(() => resolve('stalled'), Math.max(0, limitMs))))
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for (;;) {
      let next: Awaited<ReturnType<ReturnType<BodySource['getReader']>['read']>> | 'stalled'
      try {
        next = await (stalled ? Promise.race([reader.read(), stalled]) : reader.read())
      } catch (e) {
        if (limitMs === null) throw e
        return stop(isAbort(e) ? 'stalled' : 'cut-short')
      }
      if (next === 'stalled') return stop('stalled')
      if (next.done) break
      size += next.value.byteLength
      ctx.budget.spent += next.value.byteLength
      if (size > MAX_BODY_BYTES) return stop('too-large')
      if (ctx.budget.spent > (ctx.budget.limit ?? MAX_TOTAL_BODY_BYTES)) return stop('budget-spent')
      chunks.push(next.value)
    }
  } finally {
    clearTimeout(timer)
  }
  return { bytes: Buffer.concat(chunks) }
}
