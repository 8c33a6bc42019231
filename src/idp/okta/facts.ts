/**
 * The raw facts the Okta probes gather (CONTRIBUTING.md, "Layout": facts first, verdict second). Bodies are
 * dropped once parsed: what is kept is the status, the few headers the verdict reads, the error fields and
 * the parsed app and events. Strings here are still the server's own: `judgeOkta` makes them data.
 */
import type { IdpAnswer } from '../http.js'

/** One answer of Okta (or of the network), without its body. */
export type OktaAnswer =
  | {
      kind: 'response'
      status: number
      /** 3xx: where it pointed (never followed). */
      location: string | null
      /** `X-Rate-Limit-Reset` (epoch seconds) [I10]. */
      rateLimitReset: string | null
      wwwAuthenticate: string | null
      requestId: string | null
      /** Okta's error object [I5]: `errorCode`, `errorSummary` (+ the first of `errorCauses`). */
      errorCode: string | null
      errorSummary: string | null
      /** OAuth error body [I3]: `error`, `error_description`. */
      oauthError: string | null
      oauthDescription: string | null
      /** The body could not be read (too large, stalled, cut short, budget spent). */
      bodyProblem: string | null
      /** A 2xx whose body is not what the operation returns (not JSON, wrong shape). */
      unexpected: string | null
    }
  | { kind: 'fault'; fault: 'timeout' | 'network' | 'refused'; detail: string }

/** What `GET /api/v1/apps/{appId}` said of the app [I9]. */
export interface OktaApp {
  status: string | null
  label: string | null
  /** `features` ("Enabled app features"); null when the body has none. */
  features: string[] | null
}

/** One System Log event, reduced to what the verdict reads [I9]. */
export interface OktaEvent {
  /** The event's own id [I9]: an event read twice (a page served again) counts once. */
  uuid?: string | null
  published: string
  eventType: string
  result: string | null
  reason: string | null
  displayMessage: string | null
  targetIds: string[]
}

export interface OktaLogs {
  events: OktaEvent[]
  /** Pages read (answered 200). */
  pages: number
  /** A `next` page was left unread: the five pages ran out (or a later page failed) before the look-back's start. */
  more: boolean
  /** The answer that stopped the paging, when one did (first page or later). */
  failure: OktaAnswer | null
  /** A `next` link to another host (never followed): that host. */
  nextElsewhere: string | null
}

export interface OktaFacts {
  auth: 'ssws' | 'private-key-jwt'
  /** `okta-key-id` was given. */
  keyIdGiven: boolean
  /** The private key could not be used (nothing was sent). */
  keyProblem: string | null
  /** The token endpoint's last answer, when no token came. */
  tokenFailure: OktaAnswer | null
  /** The token request was made with DPoP (the endpoint asked for it). */
  dpop: boolean
  /** null: not asked (no token). */
  app: { answer: OktaAnswer; app: OktaApp | null } | null
  logs: OktaLogs | null
  requests: number
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}

/** Reduces an answer to its facts; the body is not kept. `expect` checks a 2xx body's shape. */
export function answerFacts(answer: IdpAnswer, expect?: (json: unknown) => string | null): OktaAnswer {
  if (answer.kind === 'fault') return answer
  const h = answer.headers
  const json = answer.json as Record<string, unknown> | undefined
  const body = json !== null && typeof json === 'object' && !Array.isArray(json) ? json : undefined
  const causes = Array.isArray(body?.errorCauses) ? (body.errorCauses as unknown[]) : []
  const cause = str((causes[0] as { errorSummary?: unknown } | undefined)?.errorSummary)
  const summary = str(body?.errorSummary)
  let unexpected: string | null = null
  if (answer.status >= 200 && answer.status < 300 && !answer.bodyProblem) {
    if (answer.json === undefined) unexpected = 'the body is not JSON'
    else if (expect) unexpected = expect(answer.json)
  }
  return {
    kind: 'response',
    status: answer.status,
    location: h.location ?? null,
    rateLimitReset: h['x-rate-limit-reset'] ?? null,
    wwwAuthenticate: h['www-authenticate'] ?? null,
    requestId: h['x-okta-request-id'] ?? null,
    errorCode: str(body?.errorCode),
    errorSummary: summary === null ? null : cause && cause !== summary ? `${summary} ${cause}` : summary,
    oauthError: str(body?.error),
    oauthDescription: str(body?.error_description),
    bodyProblem: answer.bodyProblem ?? null,
    unexpected
  }
}

/**
 * How long a 429 of Okta asks to wait, in ms: until `X-Rate-Limit-Reset` (epoch seconds) [I10], counted from
 * the answer's own `Date` when it has one (Okta's clock, not ours), else from `now`; null when not given.
 */
export function oktaRateLimitWait(headers: Record<string, string>, now: number): number | null {
  const raw = (headers['x-rate-limit-reset'] ?? '').trim()
  if (!/^\d{1,12}$/.test(raw)) return null
  const date = Date.parse(headers.date ?? '')
  const from = Number.isFinite(date) ? date : now
  return Math.max(0, Number(raw) * 1000 - from)
}
