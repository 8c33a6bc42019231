/**
 * The Entra verdict: one pure function from facts to the provider's report (PRODUCT.md, "The IdP side";
 * idp-api-facts §2). No I/O, no clock but `now`; every server string is made one bounded line with
 * serverText before it enters the report.
 *
 * A step that failed (OIDC token, Entra token, Graph) is one `check-failed` finding naming the input to
 * fix. Otherwise each synchronization job is judged and the worst decides:
 *   credentials-rejected > quarantined > provisioning-errors > provisioning-off > (never ran) > healthy.
 */
import { serverText } from '../../sanitize.js'
import type { IdpFinding, IdpJob, IdpQuarantine, IdpReport } from '../types.js'
import type { EntraErrorFacts, EntraExecutionFacts, EntraFacts, EntraJobFacts, EntraQuarantineFacts, OidcClaims, StepFacts } from './facts.js'

export interface JudgeOptions {
  servicePrincipalId: string
  /** Epoch ms. */
  now: number
}

/** Entra disables a job that stays quarantined for more than four weeks (idp-api-facts §2.3, [E9]). */
export const QUARANTINE_DISABLE_DAYS = 28

// ── Time ─────────────────────────────────────────────────────────────────

/** An Entra timestamp as ISO 8601; null for "never" (`0001-01-01T00:00:00Z`), null, or anything that is not a date. */
export function entraTime(value: string | null | undefined): string | null {
  if (typeof value !== 'string' || value.length > 64) return null
  const ms = Date.parse(value)
  if (!Number.isFinite(ms)) return null
  const date = new Date(ms)
  if (date.getUTCFullYear() < 1970) return null
  return date.toISOString()
}

const latest = (times: Array<string | null>): string | null =>
  times.reduce<string | null>((best, t) => (t !== null && (best === null || Date.parse(t) > Date.parse(best)) ? t : best), null)

// ── Words ────────────────────────────────────────────────────────────────

/** A job error's code and message, one line. */
function errorText(error: EntraErrorFacts | null): string | null {
  if (!error) return null
  const code = error.code ? serverText(error.code, 120) : ''
  const message = error.message ? serverText(error.message) : ''
  if (code && message) return `${code}: ${message}`
  return code || message || null
}

/**
 * Does an error speak of credentials, authorization or HTTP 401? (The GitHub app's own error codes are
 * UNCONFIRMED; Microsoft's examples show `SystemForCrossDomainIdentityManagementInvalidCredentials` and
 * "Authorization with Box is not valid".)
 */
export function speaksOfCredentials(error: EntraErrorFacts | null): boolean {
  if (!error) return false
  const text = `${error.code ?? ''} ${error.message ?? ''}`
  return /credential|authori[sz]|\b401\b/i.test(text)
}

// ── One job ──────────────────────────────────────────────────────────────

type JobVerdict =
  | { rank: 5; finding: Extract<IdpFinding, { kind: 'credentials-rejected' }> }
  | { rank: 4; finding: Extract<IdpFinding, { kind: 'quarantined' }> }
  | { rank: 3; finding: Extract<IdpFinding, { kind: 'provisioning-errors' }> }
  | { rank: 2; finding: Extract<IdpFinding, { kind: 'provisioning-off' }> }
  /** Never ran: no finding, but no attempt either. */
  | { rank: 1; finding: null }
  | { rank: 0; finding: null }

const executionTime = (e: EntraExecutionFacts | null): string | null => (e ? (entraTime(e.timeEnded) ?? entraTime(e.timeBegan)) : null)

/** A job that never ran: no execution, no success, no quarantine (NotRun, NotConfigured, `0001-01-01` times). */
function neverRan(job: EntraJobFacts): boolean {
  if (job.quarantine) return false
  const ran = (e: EntraExecutionFacts | null): boolean => e !== null && (entraTime(e.timeBegan) !== null || entraTime(e.timeEnded) !== null)
  return !ran(job.lastExecution) && !ran(job.lastSuccessfulExecution)
}

const failedRun = (e: EntraExecutionFacts | null): e is EntraExecutionFacts =>
  e !== null && (e.state === 'Failed' || e.state === 'EntryLevelErrors' || (e.state !== 'Succeeded' && e.error !== null))

function isDisabled(job: EntraJobFacts): boolean {
  return job.scheduleState === 'Disabled' || job.scheduleState === 'Paused' || job.statusCode === 'Paused'
}

function quarantineOf(q: EntraQuarantineFacts): IdpQuarantine {
  return {
    reason: q.reason ? serverText(q.reason, 120) : 'Unknown',
    since: entraTime(q.seriesBegan) ?? entraTime(q.currentBegan),
    nextAttemptAt: entraTime(q.nextAttempt),
    errorCode: q.error?.code ? serverText(q.error.code, 120) : null,
    errorMessage: q.error?.message ? serverText(q.error.message) : null
  }
}

/** Entry-level errors of a run: the entries held in escrow (countEscrowed, else countEscrowedRaw), at least one. */
function entryErrorCount(e: EntraExecutionFacts): number {
  const counted = [e.countEscrowed, e.countEscrowedRaw].find((n): n is number => n !== null && n > 0)
  return counted === undefined ? 1 : Math.floor(counted)
}

/** What Entra does after four weeks in quarantine ([E9]), dated from the series' start when known. */
function disableWords(since: string | null, disabled: boolean, now: number): string {
  if (disabled) return 'Entra has disabled the job (it does after four weeks in quarantine)'
  if (since === null) return 'Entra disables the job after four weeks in quarantine'
  const due = new Date(Date.parse(since) + QUARANTINE_DISABLE_DAYS * 86_400_000).toISOString()
  return Date.parse(due) > now
    ? `Entra disables the job after four weeks in quarantine, about ${due}`
    : `four weeks in quarantine ended ${due}: Entra disables the job`
}

function judgeJob(job: EntraJobFacts, now: number): JobVerdict {
  const q = job.quarantine
  const last = job.lastExecution
  const lastFailed = failedRun(last) ? last : null
  if (q) {
    // The quarantine's own error, else the failing run's: whichever speaks of credentials.
    const credentialError = [q.error, lastFailed?.error ?? null].find(e => speaksOfCredentials(e)) ?? null
    if (credentialError) {
      const since = entraTime(q.seriesBegan) ?? entraTime(q.currentBegan) ?? executionTime(lastFailed)
      return { rank: 5, finding: { kind: 'credentials-rejected', since, sinceAtLeast: false, reason: errorText(credentialError) ?? 'credentials rejected' } }
    }
    const reason = q.reason ? serverText(q.reason, 120) : 'Unknown'
    const detail = errorText(q.error) ?? errorText(lastFailed?.error ?? null)
    const since = entraTime(q.seriesBegan) ?? entraTime(q.currentBegan)
    const disabled = isDisabled(job)
    return {
      rank: 4,
      finding: {
        kind: 'quarantined',
        reason: `${detail ? `${reason}: ${detail}` : reason}; ${disableWords(since, disabled, now)}`,
        since,
        nextAttemptAt: entraTime(q.nextAttempt),
        disabled
      }
    }
  }
  if (job.statusCode === 'NotConfigured') {
    return { rank: 2, finding: { kind: 'provisioning-off', reason: 'the provisioning job is not configured (never authorized or started)' } }
  }
  if (job.statusCode === 'Paused' || job.scheduleState === 'Paused' || job.scheduleState === 'Disabled') {
    const what = job.statusCode === 'Paused' ? 'the provisioning job is paused' : `the provisioning job's schedule is ${serverText(job.scheduleState, 40)}`
    return { rank: 2, finding: { kind: 'provisioning-off', reason: what } }
  }
  if (lastFailed && speaksOfCredentials(lastFailed.error)) {
    const failures = job.countSuccessiveCompleteFailures ?? 0
    return {
      rank: 5,
      finding: {
        kind: 'credentials-rejected',
        since: entraTime(lastFailed.timeBegan) ?? entraTime(lastFailed.timeEnded),
        // Earlier runs failed too: the failures started before this one.
        sinceAtLeast: failures > 1,
        reason: errorText(lastFailed.error) ?? 'credentials rejected'
      }
    }
  }
  if (lastFailed) {
    const when = executionTime(lastFailed)
    const state = serverText(lastFailed.state ?? 'Failed', 40)
    const latestReason = errorText(lastFailed.error) ?? `the last run${when ? ` (${when})` : ''} ended in ${state}`
    return { rank: 3, finding: { kind: 'provisioning-errors', count: entryErrorCount(lastFailed), latestReason } }
  }
  if (neverRan(job)) return { rank: 1, finding: null }
  return { rank: 0, finding: null }
}

function jobOf(job: EntraJobFacts): IdpJob {
  return {
    id: serverText(job.id ?? '(no id)', 200),
    templateId: job.templateId === null ? null : serverText(job.templateId, 120),
    status: serverText(job.statusCode ?? 'unknown', 40),
    scheduleState: job.scheduleState === null ? null : serverText(job.scheduleState, 40),
    lastExecutionAt: executionTime(job.lastExecution),
    lastExecutionState: job.lastExecution?.state ? serverText(job.lastExecution.state, 40) : null,
    lastSuccessAt: executionTime(job.lastSuccessfulExecution),
    quarantine: job.quarantine ? quarantineOf(job.quarantine) : null
  }
}

/** The latest failure over the jobs: a failed run (Failed, EntryLevelErrors) or a quarantine's error. */
function lastFailure(jobs: readonly EntraJobFacts[]): { at: string; reason: string } | null {
  let best: { at: string; reason: string } | null = null
  const consider = (at: string | null, reason: string | null): void => {
    if (at === null) return
    if (best === null || Date.parse(at) > Date.parse(best.at)) best = { at, reason: reason ?? 'failed' }
  }
  for (const job of jobs) {
    const last = job.lastExecution
    if (failedRun(last)) consider(executionTime(last), errorText(last.error) ?? serverText(last.state ?? 'Failed', 40))
    const q = job.quarantine
    if (q) consider(entraTime(q.currentBegan) ?? entraTime(q.seriesBegan), errorText(q.error) ?? `quarantined: ${serverText(q.reason ?? 'Unknown', 120)}`)
  }
  return best
}

// ── A step that failed ───────────────────────────────────────────────────

type CheckFailed = Extract<IdpFinding, { kind: 'check-failed' }>
type Answer = Extract<StepFacts, { kind: 'answer' }>

const failed = (input: string | null, reason: string): CheckFailed => ({ kind: 'check-failed', input, reason })

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
    return failed(urlInput, `${where} answered with a redirect (HTTP ${a.status}) ${to}; redirects are never followed${urlInput ? `: check ${urlInput}` : ''}`)
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
    return failed(null, `${OIDC_WHERE} refused the GitHub OIDC token request (${answerWords(a)}): give the job \`permissions: id-token: write\`, or set entra-client-secret`)
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
  if (has(90002, 900023, 90013)) return failed('entra-tenant-id', `Entra does not know the tenant (${words}): check entra-tenant-id (and that entra-login-url is the tenant's cloud)`)
  if (has(700016, 700011)) return failed('entra-client-id', `Entra found no app registration with that client id in the tenant (${words}): check entra-client-id`)
  if (has(70001)) return failed('entra-client-id', `the app registration (entra-client-id) is disabled (${words})`)
  if (has(7000222)) return failed('entra-client-secret', `the client secret has expired (${words}): create a new secret on the app registration and store its Value in entra-client-secret`)
  if (has(7000215)) return failed('entra-client-secret', `Entra refused the client secret (${words}): store the secret's Value (not its ID) in entra-client-secret`)
  if (has(700213)) {
    return failed('entra-audience', `no federated credential on the app registration matches the subject of the GitHub OIDC token${claimsWords(facts.oidcClaims)} (${words}): add a federated credential with exactly that subject (issuer and entra-audience must match too)`)
  }
  if (has(700212)) return failed('entra-audience', `no federated credential on the app registration has the audience of the GitHub OIDC token${claimsWords(facts.oidcClaims)} (${words}): set entra-audience to the credential's audience`)
  if (has(700211)) return failed('entra-audience', `no federated credential on the app registration has the issuer of the GitHub OIDC token${claimsWords(facts.oidcClaims)} (${words}): fix the federated credential's issuer`)
  if (has(70021, 700024, 700027, 50027) || (federated && a.errorCode === 'invalid_client')) {
    return failed('entra-audience', `Entra refused the GitHub OIDC token as a federated credential${claimsWords(facts.oidcClaims)} (${words}): check the app registration's federated credential (subject, issuer) and entra-audience`)
  }
  if (has(70011) || a.errorCode === 'invalid_scope') return failed('graph-url', `Entra refused the Graph scope (${words}): check graph-url (the scope is its origin + /.default; entra-login-url must be the same cloud)`)
  if (has(65001, 90094)) return failed('entra-client-id', `the app registration (entra-client-id) lacks admin consent (${words}): grant admin consent for Synchronization.Read.All`)
  if (has(53003)) return failed(null, `a Conditional Access policy blocked the sign-in of the app registration (${words})`)
  if (a.errorCode === 'invalid_client') return failed('entra-client-secret', `Entra refused the client credential (${words}): check entra-client-secret`)
  if (a.errorCode === 'unauthorized_client') return failed('entra-client-id', `Entra refused the app registration (${words}): check entra-client-id`)
  if (a.status === 404) return failed('entra-login-url', `${TOKEN_WHERE} does not exist (${words}): check entra-login-url and entra-tenant-id`)
  return failed(null, `${TOKEN_WHERE} refused the token request (${words})`)
}

function graphFailure(step: Exclude<StepFacts, { kind: 'ok' }>): CheckFailed {
  const common = commonFailure(step, GRAPH_WHERE, 'graph-url')
  if (common) return common
  const a = step as Answer
  const words = answerWords(a)
  if (a.status === 401) {
    return failed('graph-url', `${GRAPH_WHERE} refused the access token (${words}): entra-login-url and graph-url must belong to the same cloud`)
  }
  if (a.status === 403) {
    return failed('entra-client-id', `${GRAPH_WHERE} denied reading the synchronization jobs (${words}): give the app registration (entra-client-id) the application permission Synchronization.Read.All and grant admin consent`)
  }
  if (a.status === 404 || a.status === 400) {
    return failed('entra-service-principal-id', `${GRAPH_WHERE} found no service principal with that id (${words}): entra-service-principal-id must be the Object ID of the GitHub enterprise application (Enterprise applications > the app > Overview), not the app registration's`)
  }
  return failed(null, `${GRAPH_WHERE} refused to list the synchronization jobs (${words})`)
}

/** The first step that failed, as a check-failed finding; null when every step got its answer. */
function stepFailure(facts: EntraFacts): CheckFailed | null {
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

export function judgeEntra(facts: EntraFacts, options: JudgeOptions): IdpReport {
  const report: IdpReport = {
    provider: 'entra',
    app: serverText(options.servicePrincipalId, 64),
    appLabel: null,
    lastSuccessAt: null,
    lastFailureAt: null,
    lastFailureReason: null,
    quarantine: null,
    jobs: [],
    noAttempt: false,
    evidenceSince: null,
    findings: [],
    requests: facts.requests
  }
  const failure = stepFailure(facts)
  if (failure) return { ...report, findings: [failure] }
  const jobs = facts.jobList ?? []
  if (jobs.length === 0) {
    return {
      ...report,
      noAttempt: true,
      findings: [{ kind: 'provisioning-off', reason: 'the enterprise application has no provisioning job (provisioning was never set up, or was removed)' }]
    }
  }

  const verdicts = jobs.map(job => judgeJob(job, options.now))
  let worst = 0
  verdicts.forEach((v, i) => {
    if (v.rank > (verdicts[worst]?.rank ?? 0)) worst = i
  })
  const decisive = verdicts[worst]
  const decisiveJob = jobs[worst]
  const failure2 = lastFailure(jobs)
  const quarantined = decisiveJob?.quarantine ? decisiveJob : jobs.find(j => j.quarantine !== null)
  return {
    ...report,
    jobs: jobs.map(jobOf),
    lastSuccessAt: latest(jobs.map(j => executionTime(j.lastSuccessfulExecution))),
    lastFailureAt: failure2?.at ?? null,
    lastFailureReason: failure2?.reason ?? null,
    quarantine: quarantined?.quarantine ? quarantineOf(quarantined.quarantine) : null,
    noAttempt: jobs.every(neverRan),
    findings: decisive?.finding ? [decisive.finding] : []
  }
}
