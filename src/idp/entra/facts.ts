/**
 * The raw facts the Entra provider gathers (CONTRIBUTING.md, "Layout": facts first, verdict second): what each of its
 * requests got back, reduced to the few fields the verdict needs. Bodies are parsed here and dropped; the
 * strings kept are the server's own (bounded, not yet made one line: the judge does that with serverText).
 * No secret is ever kept in facts: not the tokens, not the client secret.
 */
import type { BodyProblem } from '../../http/body.js'
import type { IdpAnswer } from '../http.js'

/** The longest server string kept in facts (serverText cuts further when the judge quotes it). */
const RAW_MAX = 1000

/** What one step (the OIDC token request, the Entra token request, the jobs request) got. */
export type StepFacts =
  /** The step got what it asked for. */
  | { kind: 'ok' }
  /** No answer: timeout, network fault, or refused by our own client before sending. */
  | { kind: 'fault'; fault: 'timeout' | 'network' | 'refused'; detail: string }
  /** An answer that is not what was asked for: a 3xx/4xx/5xx, or a 2xx without the expected body. */
  | {
      kind: 'answer'
      status: number
      /** A 2xx whose body is not the expected JSON (names what was expected). */
      unexpected: string | null
      bodyProblem: BodyProblem | null
      /** `Retry-After` as sent (429, 503). */
      retryAfter: string | null
      /** The host of a 3xx's `Location` (resolved against the request URL), or null. */
      locationHost: string | null
      /** OAuth `error`, or Graph `error.code`. */
      errorCode: string | null
      /** AADSTS numbers: `error_codes`, else those quoted in the description. */
      errorCodes: number[]
      /** OAuth `error_description`, Graph `error.message`, or a bare `message`. */
      message: string | null
    }

export interface EntraErrorFacts {
  code: string | null
  message: string | null
}

export interface EntraExecutionFacts {
  state: string | null
  timeBegan: string | null
  timeEnded: string | null
  error: EntraErrorFacts | null
  countEscrowed: number | null
  countEscrowedRaw: number | null
}

export interface EntraQuarantineFacts {
  reason: string | null
  currentBegan: string | null
  nextAttempt: string | null
  seriesBegan: string | null
  seriesCount: number | null
  error: EntraErrorFacts | null
}

/** One synchronizationJob, as far as the verdict needs it. */
export interface EntraJobFacts {
  id: string | null
  templateId: string | null
  /** status.code */
  statusCode: string | null
  /** schedule.state */
  scheduleState: string | null
  countSuccessiveCompleteFailures: number | null
  lastExecution: EntraExecutionFacts | null
  lastSuccessfulExecution: EntraExecutionFacts | null
  quarantine: EntraQuarantineFacts | null
}

/** The claims of the GitHub OIDC token that a federated credential must match (none of them a secret). */
export interface OidcClaims {
  iss: string | null
  sub: string | null
  aud: string | null
}

export interface EntraFacts {
  authKind: 'secret' | 'oidc'
  /** The GitHub OIDC token request; null with a client secret, or when not reached. */
  oidc: StepFacts | null
  oidcClaims: OidcClaims | null
  /** The Entra token request; null when not reached. */
  token: StepFacts | null
  /** The jobs request; null when not reached. */
  jobs: StepFacts | null
  /** The jobs listed (when `jobs` is ok). */
  jobList: EntraJobFacts[] | null
  /** Why not every job was read (the paging bound, a later page failed or pointed elsewhere), raw; null or absent: all were. */
  jobsPartial?: string | null
  /** Requests sent (retries included). */
  requests: number
}

export const rawString = (value: unknown): string | null => (typeof value === 'string' ? value.slice(0, RAW_MAX) : null)

export const rawNumber = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null)

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The AADSTS numbers of a token error: `error_codes`, else the `AADSTSn` quoted in the description. */
function aadstsCodes(json: Record<string, unknown>, message: string | null): number[] {
  const listed = Array.isArray(json.error_codes)
    ? json.error_codes.filter((n): n is number => typeof n === 'number' && Number.isInteger(n))
    : []
  if (listed.length > 0) return listed.slice(0, 10)
  const quoted = message ? [...message.matchAll(/AADSTS(\d{1,9})/g)].map(m => Number(m[1])) : []
  return quoted.slice(0, 10)
}

/** The error fields of an answer's JSON: OAuth (`error`, `error_description`, `error_codes`) or Graph (`error.code`, `error.message`). */
function errorFields(json: unknown): { errorCode: string | null; errorCodes: number[]; message: string | null } {
  if (!isRecord(json)) return { errorCode: null, errorCodes: [], message: null }
  if (isRecord(json.error)) return { errorCode: rawString(json.error.code), errorCodes: [], message: rawString(json.error.message) }
  const message = rawString(json.error_description) ?? rawString(json.message)
  return { errorCode: rawString(json.error), errorCodes: aadstsCodes(json, message), message }
}

function hostOf(location: string, requestUrl: string): string {
  try {
    const host = new URL(location, requestUrl).host
    return host === '' ? '(no host)' : host
  } catch {
    return '(an unreadable Location)'
  }
}

/** A step that did not get what it asked for, from the answer (a fault, or a response other than the expected 2xx). */
export function failedStep(answer: IdpAnswer, requestUrl: string, unexpected: string | null = null): StepFacts {
  if (answer.kind === 'fault') return { kind: 'fault', fault: answer.fault, detail: answer.detail.slice(0, RAW_MAX) }
  const location = answer.headers.location
  return {
    kind: 'answer',
    status: answer.status,
    unexpected,
    bodyProblem: answer.bodyProblem ?? null,
    retryAfter: rawString(answer.headers['retry-after'])?.slice(0, 100) ?? null,
    locationHost: answer.status >= 300 && answer.status < 400 && location !== undefined ? hostOf(location, requestUrl) : null,
    ...errorFields(answer.json)
  }
}
