/**
 * The raw facts the PingOne probes gather (CONTRIBUTING.md, "Layout": facts first, verdict second). Bodies
 * are dropped once parsed. Strings here are still the server's own: `judgePingOne` makes them data.
 *
 * Error bodies [P4][P9]: P1Error `{id, code, message, details:[{code, target, message, innerError}]}`;
 * the token endpoint may answer OAuth's `{error, error_description}` instead (UNCONFIRMED: both are read).
 */
import type { IdpAnswer } from '../http.js'

export type PingAnswer =
  | {
      kind: 'response'
      status: number
      /** 3xx: where it pointed (never followed). */
      location: string | null
      /** `Retry-After` (seconds) [P8]. */
      retryAfter: string | null
      /** P1Error `code` and `message`, and the `details[].code`s. */
      code: string | null
      message: string | null
      detailCodes: string[]
      /** OAuth error body: `error`, `error_description`. */
      oauthError: string | null
      oauthDescription: string | null
      /** The body could not be read (too large, stalled, cut short, budget spent). */
      bodyProblem: string | null
      /** A 2xx whose body is not what the operation returns. */
      unexpected: string | null
    }
  | { kind: 'fault'; fault: 'timeout' | 'network' | 'refused'; detail: string }

/** The GitHubEMU store, reduced to what the verdict reads; the token it may hold is never kept here. */
export interface PingStore {
  id: string | null
  name: string | null
  type: string | null
  /** `ACTIVE` or `INACTIVE` [P3][P4]. */
  status: string | null
  /** configuration.BASE_URL [P2]. */
  baseUrl: string | null
  createUsers: boolean | null
  updateUsers: boolean | null
  deprovisionUsers: boolean | null
  /** syncStatus [P4]: null when the store has none. */
  sync: PingSync | null
  /** configuration.OAUTH_ACCESS_TOKEN came back (its value is registered as a secret and dropped). */
  tokenReturned: boolean
  /** That value is the GitHub token this run checks (ctx.sameAsChecked); null when not returned or not comparable. */
  sameTokenAsChecked: boolean | null
}

export interface PingSync {
  /** `SYNCING` or `FAILED` [P4]; anything else is kept as sent. */
  syncState: string | null
  details: string | null
  lastSyncAt: string | null
  successCount: number | null
  failedCount: number | null
  failedDeprovisionCount: number | null
  userTotal: number | null
}

export interface PingRule {
  id: string | null
  active: boolean | null
  targetStoreId: string | null
  planId: string | null
}

export interface PingPlan {
  id: string | null
  status: string | null
}

export interface PingList<T> {
  answer: PingAnswer
  items: T[] | null
  /** `_links.next` was given (never followed: the list was not read to its end). */
  more: boolean
}

export interface PingOneFacts {
  auth: 'secret' | 'private-key-jwt'
  keyIdGiven: boolean
  /** The private key could not be used (nothing was sent). */
  keyProblem: string | null
  /** The token endpoint's answer, when no token came. */
  tokenFailure: PingAnswer | null
  /** null: not asked (no token). */
  store: { answer: PingAnswer; store: PingStore | null } | null
  rules: PingList<PingRule> | null
  plans: PingList<PingPlan> | null
  requests: number
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null)
export const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/** Reduces an answer to its facts; the body is not kept. `expect` checks a 2xx body's shape. */
export function answerFacts(answer: IdpAnswer, expect?: (json: unknown) => string | null): PingAnswer {
  if (answer.kind === 'fault') return answer
  const body = isRecord(answer.json) ? answer.json : undefined
  const details = Array.isArray(body?.details) ? (body.details as unknown[]) : []
  let unexpected: string | null = null
  if (answer.status >= 200 && answer.status < 300 && !answer.bodyProblem) {
    if (answer.json === undefined) unexpected = 'the body is not JSON'
    else if (expect) unexpected = expect(answer.json)
  }
  return {
    kind: 'response',
    status: answer.status,
    location: answer.headers.location ?? null,
    retryAfter: answer.headers['retry-after'] ?? null,
    code: str(body?.code),
    message: str(body?.message),
    detailCodes: details
      .map(d => (isRecord(d) ? str(d.code) : null))
      .filter((c): c is string => c !== null)
      .slice(0, 5),
    oauthError: str(body?.error),
    oauthDescription: str(body?.error_description),
    bodyProblem: answer.bodyProblem ?? null,
    unexpected
  }
}
