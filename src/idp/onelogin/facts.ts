/**
 * The raw facts the OneLogin probes gather (CONTRIBUTING.md, "Layout": facts first, verdict second). Bodies
 * are dropped once parsed: what is kept is the status, the few headers the verdict reads, the error fields
 * and the parsed app and events. Strings here are still the server's own: `judgeOneLogin` makes them data.
 */
import type { IdpAnswer } from '../http.js'

/** One answer of OneLogin (or of the network), without its body. */
export type OneLoginAnswer =
  | {
      kind: 'response'
      status: number
      /** 3xx: where it pointed (never followed). */
      location: string | null
      /** `X-RateLimit-Reset`: SECONDS until the account's hourly budget resets, not an epoch [O12]. */
      rateLimitReset: string | null
      /**
       * The error's code and words: /1 bodies `{status:{error,code,type,message}}`, /2 bodies
       * `{statusCode,name,message}` [O11][O12][O13]; also an OAuth `error`/`error_description` pair.
       */
      code: number | null
      errorName: string | null
      message: string | null
      /** The body could not be read (too large, stalled, cut short, budget spent). */
      bodyProblem: string | null
      /** A 2xx whose body is not what the operation returns (not JSON, wrong shape). */
      unexpected: string | null
    }
  | { kind: 'fault'; fault: 'timeout' | 'network' | 'refused'; detail: string }

/** What `GET /api/2/apps/{id}` said of the app [O10][O7]. */
export interface OneLoginApp {
  name: string | null
  /** `provisioning.enabled`; null when the body has no provisioning object. */
  provisioningEnabled: boolean | null
}

/** One event of `GET /api/1/events`, reduced to what the verdict reads (vendor-controlled fields only) [O6][O7]. */
export interface OneLoginEvent {
  id: number
  createdAt: string
  eventTypeId: number
  /** null: the event names no app. */
  appId: number | null
  /** OneLogin's own provisioning error text ("Provisioning error details, if applicable" [O6]). */
  errorDescription: string | null
}

export interface OneLoginEvents {
  /** Distinct events (by id), in the order read (newest first). */
  events: OneLoginEvent[]
  /** Pages read (answered 200). */
  pages: number
  /** Older events were left unread (the page limit, a repeated cursor or a failed later page). */
  more: boolean
  /** Why the paging stopped early, for the debug line: `page limit`, `last success read`, … */
  stop: string
  /** The answer that stopped the paging, when one did (first page or later). */
  failure: OneLoginAnswer | null
}

export interface OneLoginFacts {
  /** The token endpoint's answer, when no token came. */
  tokenFailure: OneLoginAnswer | null
  /** null: not asked (no token). */
  app: { answer: OneLoginAnswer; app: OneLoginApp | null } | null
  events: OneLoginEvents | null
  requests: number
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null)
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null)

/** Reduces an answer to its facts; the body is not kept. `expect` checks a 2xx body's shape. */
export function answerFacts(answer: IdpAnswer, expect?: (json: unknown) => string | null): OneLoginAnswer {
  if (answer.kind === 'fault') return answer
  const json = answer.json
  const body = json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined
  const status = body?.status !== null && typeof body?.status === 'object' ? (body.status as Record<string, unknown>) : undefined
  let unexpected: string | null = null
  if (answer.status >= 200 && answer.status < 300 && !answer.bodyProblem) {
    if (answer.json === undefined) unexpected = 'the body is not JSON'
    else if (expect) unexpected = expect(answer.json)
  }
  return {
    kind: 'response',
    status: answer.status,
    location: answer.headers.location ?? null,
    rateLimitReset: answer.headers['x-ratelimit-reset'] ?? null,
    code: num(status?.code) ?? num(body?.statusCode),
    errorName: str(status?.type) ?? str(body?.name) ?? str(body?.error),
    message: str(status?.message) ?? str(body?.message) ?? str(body?.error_description),
    bodyProblem: answer.bodyProblem ?? null,
    unexpected
  }
}
