/**
 * The input to fix when a step of Entra's sign-in or the Graph request failed:
 * each refusal named in the words of the input that causes it.
 */
import { serverText } from '../../sanitize.js'
import type { IdpFinding } from '../types.js'
import type { EntraFacts, OidcClaims, StepFacts } from './facts.js'

export type CheckFailed = Extract<IdpFinding, { kind: 'check-failed' }>
type Answer = Extract<StepFacts, { kind: 'answer' }>

export const failed = (input: string | null, reason: string): CheckFailed => ({ kind: 'check-failed', input, reason })

/** `HTTP 401, invalid_client: AADSTS7000215: …` — the status and the server's own words, one bounded line. */
function answerWords(a: Answer): string {
  const parts = [`HTTP ${a.status}`]
  if (a.errorCode) parts.push(serverText(a.errorCode, 80))
  const head = parts.join(' ')
  return a.message ? `${head}: ${serverText(a.message)}` : head
}

function retryAfterWords(a: Answer): string {
  if (a.retryAfter === null) return ''
  const seconds = /^\s*(\d{1,9})\s*$/.exec(a.retryAfter)
  return seconds ? `; Retry-After: ${seconds[1]} s` : `; Retry-After: ${serverText(a.retryAfter, 60)}`
}

/**
 * What every step shares: no answer, a redirect, a rate limit, an outage, a 2xx that is not the answer.
 * Null for a 4xx the step judges itself.
 */
function commonFailure(step: Exclude<StepFacts, { kind: 'ok' }>, where: string, urlInput: string | null): CheckFailed | null {
  if (step.kind === 'fault') {
    const detail = serverText(step.detail, 160)
    if (step.fault === 'timeout') return failed(null, `${where} did not answer within the time budget`)
    if (step.fault === 'network') return failed(null, `${where} could not be reached (${detail})`)
    return failed(urlInput, `the request to ${where} was not sent (${detail})`)
  }
  const a = step
  if (a.status >= 300 && a.status < 400) {
    const to = a.locationHost ? `to ${serverText(a.locationHost, 120)}` : 'without a Location'
    return failed(
      urlInput,
      `${where} answered with a redirect (HTTP ${a.status}) ${to}; redirects are never followed${urlInput ? `: check ${urlInput}` : ''}`
    )
  }
  if (a.status === 429) return failed(null, `${where} rate limited the check (${answerWords(a)}${retryAfterWords(a)}); run it again later`)
  if (a.status >= 500) return failed(null, `${where} is unavailable (${answerWords(a)}${retryAfterWords(a)})`)
  if (a.status >= 200 && a.status < 300) {
    if (a.bodyProblem) return failed(null, `${where} answered HTTP ${a.status}, but its body could not be read (${a.bodyProblem})`)
    return failed(null, `${where} answered HTTP ${a.status} without ${a.unexpected ?? 'the expected JSON'}`)
  }
  if (a.status < 200) return failed(null, `${where} sent an unexpected answer (HTTP ${a.status})`)
  return null
}

const OIDC_WHERE = "the runner's OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL)"
const TOKEN_WHERE = 'the Entra token endpoint (entra-login-url)'
const GRAPH_WHERE = 'Microsoft Graph (graph-url)'

function oidcFailure(step: Exclude<StepFacts, { kind: 'ok' }>): CheckFailed {
  const common = commonFailure(step, OIDC_WHERE, null)
  if (common) return common
  const a = step as Answer
  if (a.status === 401 || a.status === 403) {
    return failed(
      null,
      `${OIDC_WHERE} refused the GitHub OIDC token request (${answerWords(a)}): give the job \`permissions: id-token: write\`, or set entra-client-secret`
    )
  }
  return failed('entra-audience', `${OIDC_WHERE} refused to issue a GitHub OIDC token (${answerWords(a)}): check entra-audience`)
}

function claimsWords(claims: OidcClaims | null): string {
  if (!claims) return ''
  const parts: string[] = []
  if (claims.iss) parts.push(`issuer '${serverText(claims.iss, 120)}'`)
  if (claims.sub) parts.push(`subject '${serverText(claims.sub, 200)}'`)
  if (claims.aud) parts.push(`audience '${serverText(claims.aud, 120)}'`)
  return parts.length > 0 ? ` (the GitHub OIDC token has ${parts.join(', ')})` : ''
}

function tokenFailure(step: Exclude<StepFacts, { kind: 'ok' }>, facts: EntraFacts): CheckFailed {
  const common = commonFailure(step, TOKEN_WHERE, 'entra-login-url')
  if (common) return common
  const a = step as Answer
  const words = answerWords(a)
  const has = (...codes: number[]): boolean => a.errorCodes.some(c => codes.includes(c))
  const federated = facts.authKind === 'oidc'
  if (has(90002, 900023, 90013))
    return failed(
      'entra-tenant-id',
      `Entra does not know the tenant (${words}): check entra-tenant-id (and that entra-login-url is the tenant's cloud)`
    )
  if (has(700016, 700011))
    return failed('entra-client-id', `Entra found no app registration with that client id in the tenant (${words}): check entra-client-id`)
  if (has(70001)) return failed('entra-client-id', `the app registration (entra-client-id) is disabled (${words})`)
  if (has(7000222))
    return failed(
      'entra-client-secret',
      `the client secret has expired (${words}): create a new secret on the app registration and store its Value in entra-client-secret`
    )
  if (has(7000215))
    return failed(
      'entra-client-secret',
      `Entra refused the client secret (${words}): store the secret's Value (not its ID) in entra-client-secret`
    )
  if (has(700213)) {
    return failed(
      'entra-audience',
      `no federated credential on the app registration matches the subject of the GitHub OIDC token${claimsWords(facts.oidcClaims)} (${words}): add a federated credential with exactly that subject (issuer and entra-audience must match too)`
    )
  }
  if (has(700212))
    return failed(
      'entra-audience',
      `no federated credential on the app registration has the audience of the GitHub OIDC token${claimsWords(facts.oidcClaims)} (${words}): set entra-audience to the credential's audience`
    )
  if (has(700211))
    return failed(
      'entra-audience',
      `no federated credential on the app registration has the issuer of the GitHub OIDC token${claimsWords(facts.oidcClaims)} (${words}): fix the federated credential's issuer`
    )
  if (has(70021, 700024, 700027, 50027) || (federated && a.errorCode === 'invalid_client')) {
    return failed(
      'entra-audience',
      `Entra refused the GitHub OIDC token as a federated credential${claimsWords(facts.oidcClaims)} (${words}): check the app registration's federated credential (subject, issuer) and entra-audience`
    )
  }
  if (has(70011) || a.errorCode === 'invalid_scope')
    return failed(
      'graph-url',
      `Entra refused the Graph scope (${words}): check graph-url (the scope is its origin + /.default; entra-login-url must be the same cloud)`
    )
  if (has(65001, 90094))
    return failed(
      'entra-client-id',
      `the app registration (entra-client-id) lacks admin consent (${words}): grant admin consent for Synchronization.Read.All`
    )
  if (has(53003)) return failed(null, `a Conditional Access policy blocked the sign-in of the app registration (${words})`)
  if (a.errorCode === 'invalid_client')
    return failed('entra-client-secret', `Entra refused the client credential (${words}): check entra-client-secret`)
  if (a.errorCode === 'unauthorized_client')
    return failed('entra-client-id', `Entra refused the app registration (${words}): check entra-client-id`)
  if (a.status === 404)
    return failed('entra-login-url', `${TOKEN_WHERE} does not exist (${words}): check entra-login-url and entra-tenant-id`)
  return failed(null, `${TOKEN_WHERE} refused the token request (${words})`)
}

function graphFailure(step: Exclude<StepFacts, { kind: 'ok' }>): CheckFailed {
  const common = commonFailure(step, GRAPH_WHERE, 'graph-url')
  if (common) return common
  const a = step as Answer
  const words = answerWords(a)
  if (a.status === 401) {
    return failed(
      'graph-url',
      `${GRAPH_WHERE} refused the access token (${words}): entra-login-url and graph-url must belong to the same cloud`
    )
  }
  if (a.status === 403) {
    return failed(
      'entra-client-id',
      `${GRAPH_WHERE} denied reading the synchronization jobs (${words}): give the app registration (entra-client-id) the application permission Synchronization.Read.All and grant admin consent`
    )
  }
  if (a.status === 404 || a.status === 400) {
    return failed(
      'entra-service-principal-id',
      `${GRAPH_WHERE} found no service principal with that id (${words}): entra-service-principal-id must be the Object ID of the GitHub enterprise application (Enterprise applications > the app > Overview), not the app registration's`
    )
  }
  return failed(null, `${GRAPH_WHERE} refused to list the synchronization jobs (${words})`)
}

/** The first step that failed, as a check-failed finding; null when every step got its answer. */
export function stepFailure(facts: EntraFacts): CheckFailed | null {
  if (facts.authKind === 'oidc') {
    if (facts.oidc === null) return failed(null, 'the GitHub OIDC token was not requested')
    if (facts.oidc.kind !== 'ok') return oidcFailure(facts.oidc)
  }
  if (facts.token === null) return failed(null, 'the Entra token was not requested')
  if (facts.token.kind !== 'ok') return tokenFailure(facts.token, facts)
  if (facts.jobs === null) return failed(null, 'the synchronization jobs were not requested')
  if (facts.jobs.kind !== 'ok') return graphFailure(facts.jobs)
  if (facts.jobList === null) return failed(null, `${GRAPH_WHERE} answered without the jobs`)
  return null
}

// ── The report ───────────────────────────────────────────────────────────
