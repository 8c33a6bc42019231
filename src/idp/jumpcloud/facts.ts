/**
 * The raw facts the JumpCloud probes gather (facts first, verdict second). Bodies are dropped once parsed:
 * what is kept is the status, the few headers the verdict reads, JumpCloud's error words and the parsed app
 * and events. Strings here are still the server's own: `judgeJumpCloud` makes them data.
 */
import type { IdpAnswer } from '../http.js'

/** One answer of JumpCloud (or of the network), without its body. */
export type JcAnswer =
  | {
      kind: 'response'
      status: number
      /** 3xx: where it pointed (never followed). */
      location: string | null
      retryAfter: string | null
      requestId: string | null
      /** JumpCloud's error object `{code, message, status}` [J4]: `message` (or a bare `error` string). */
      message: string | null
      /** OAuth error body of the token endpoint: `error`, `error_description`. */
      oauthError: string | null
      oauthDescription: string | null
      bodyProblem: string | null
      /** A 2xx whose body is not what the operation returns. */
      unexpected: string | null
    }
  | { kind: 'fault'; fault: 'timeout' | 'network' | 'refused'; detail: string }

/** What `GET /api/applications/{id}` said of the app [J4]; everything else of the body is dropped. */
export interface JcApp {
  active: boolean | null
  name: string | null
  displayLabel: string | null
}

/** One Directory Insights event, reduced to what the verdict reads [J3]. */
export interface JcEvent {
  id: string | null
  timestamp: string
  eventType: string
  /** `success`: a boolean of the vendor's; anything else is null (does not count). */
  success: boolean | null
  errorMessage: string | null
  /** `message_chain.response_code` as text ("401"), or null. */
  responseCode: string | null
  responseMessage: string | null
  applicationId: string | null
  idmClientId: string | null
}

export interface JcEvents {
  events: JcEvent[]
  /** Pages read (answered 200). */
  pages: number
  /** More events matched than were read (the page bound, a missing or repeated X-Search_after, a later page failed). */
  more: boolean
  /** The answer that stopped the paging, when one did. */
  failure: JcAnswer | null
  /** JumpCloud answered in ascending order (X-Sort: ASC) although DESC was asked. */
  ascending: boolean
}

export interface JcFacts {
  auth: 'api-key' | 'service-account'
  orgIdGiven: boolean
  /** The token endpoint's answer, when no token came (service account). */
  tokenFailure: JcAnswer | null
  /** null: not asked (no token). */
  app: { answer: JcAnswer; app: JcApp | null } | null
  events: JcEvents | null
  requests: number
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)

/** Reduces an answer to its facts; the body is not kept. `expect` checks a 2xx body's shape. */
export function answerFacts(answer: IdpAnswer, expect?: (json: unknown) => string | null): JcAnswer {
  if (answer.kind === 'fault') return answer
  const h = answer.headers
  const json = answer.json
  const body = json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined
  let unexpected: string | null = null
  if (answer.status >= 200 && answer.status < 300 && !answer.bodyProblem) {
    if (json === undefined) unexpected = 'the body is not JSON'
    else if (expect) unexpected = expect(json)
  }
  const oauthError = str(body?.error)
  return {
    kind: 'response',
    status: answer.status,
    location: h.location ?? null,
    retryAfter: h['retry-after'] ?? null,
    requestId: h['x-request-id'] ?? null,
    message: str(body?.message) ?? (oauthError !== null && str(body?.error_description) === null ? oauthError : null),
    oauthError,
    oauthDescription: str(body?.error_description),
    bodyProblem: answer.bodyProblem ?? null,
    unexpected
  }
}
