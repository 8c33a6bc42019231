/**
 * The Entra verdict: one pure function from facts to the provider's report (docs/idp.md;
 * idp-api-facts §2). No I/O, no clock but `now`; every server string is made one bounded line with
 * serverText before it enters the report.
 *
 * A step that failed (OIDC token, Entra token, Graph) is one `check-failed` finding naming the input to
 * fix. Otherwise each synchronization job is judged and the worst decides:
 *   credentials-rejected > quarantined > provisioning-errors > provisioning-off > (never ran) > healthy.
 */
import { stepFailure } from './failures.js'
import { serverText } from '../../sanitize.js'
import type { IdpFinding, IdpQuarantine, IdpReport } from '../types.js'
import type { IdpJob } from './types.js'
import type { EntraErrorFacts, EntraExecutionFacts, EntraFacts, EntraJobFacts, EntraQuarantineFacts } from './facts.js'
import { blankReport } from '../report.js'

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
  | { rank: 3; finding: Extract<IdpFinding, { kind: 'provisioning-errors' } | { kind: 'check-failed' }> }
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

/**
 * A run that failed whole (not per-user errors) and says no reason: nothing tells whether the credential is to
 * blame, so neither a per-user error (the IdP would read healthy) nor credentials: a partial verdict, never healthy.
 */
function unexplainedFailure(job: EntraJobFacts, run: EntraExecutionFacts): JobVerdict {
  const when = executionTime(run)
  const count = job.countSuccessiveCompleteFailures ?? 0
  const runs = count > 1 ? `its last ${Math.floor(count)} runs` : `its last run${when ? ` (${when})` : ''}`
  const id = serverText(job.id ?? '(no id)', 80)
  return {
    rank: 3,
    finding: {
      kind: 'check-failed',
      input: null,
      partial: true,
      reason: `the provisioning job ${id} failed ${runs} (${serverText(run.state ?? 'Failed', 40)}) without an error saying why, so the check cannot tell whether the credential Entra holds for GitHub is to blame; the app's Provisioning logs say why`
    }
  }
}

/** `status.code` Quarantine is a quarantine whatever details are missing: a job with no `quarantine` gets an empty one. */
export function withQuarantine(job: EntraJobFacts): EntraJobFacts {
  if (job.statusCode !== 'Quarantine' || job.quarantine !== null) return job
  return {
    ...job,
    quarantine: { reason: null, currentBegan: null, nextAttempt: null, seriesBegan: null, seriesCount: null, error: null }
  }
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
      return {
        rank: 5,
        finding: { kind: 'credentials-rejected', since, sinceAtLeast: false, reason: errorText(credentialError) ?? 'credentials rejected' }
      }
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
    return {
      rank: 2,
      finding: { kind: 'provisioning-off', reason: 'the provisioning job is not configured (never authorized or started)' }
    }
  }
  if (job.statusCode === 'Paused' || job.scheduleState === 'Paused' || job.scheduleState === 'Disabled') {
    const what =
      job.statusCode === 'Paused'
        ? 'the provisioning job is paused'
        : `the provisioning job's schedule is ${serverText(job.scheduleState, 40)}`
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
  if (lastFailed && lastFailed.state !== 'EntryLevelErrors' && lastFailed.error === null) return unexplainedFailure(job, lastFailed)
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
    if (q)
      consider(
        entraTime(q.currentBegan) ?? entraTime(q.seriesBegan),
        errorText(q.error) ?? `quarantined: ${serverText(q.reason ?? 'Unknown', 120)}`
      )
  }
  return best
}

// ── A step that failed ───────────────────────────────────────────────────

export function judgeEntra(facts: EntraFacts, options: JudgeOptions): IdpReport {
  const report: IdpReport = blankReport('entra', serverText(options.servicePrincipalId, 64), facts.requests, [], { jobs: [] })
  const failure = stepFailure(facts)
  if (failure) return { ...report, findings: [failure] }
  const jobs = (facts.jobList ?? []).map(withQuarantine)
  // Not every job was read: whatever the others say, the verdict is partial (never healthy).
  const partial: IdpFinding[] = facts.jobsPartial
    ? [
        {
          kind: 'check-failed',
          input: null,
          partial: true,
          reason: `the synchronization jobs were not all read: ${serverText(facts.jobsPartial, 200)}`
        }
      ]
    : []
  if (jobs.length === 0 && partial.length === 0) {
    return {
      ...report,
      noAttempt: true,
      findings: [
        {
          kind: 'provisioning-off',
          reason: 'the enterprise application has no provisioning job (provisioning was never set up, or was removed)'
        }
      ]
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
    details: { jobs: jobs.map(jobOf) },
    lastSuccessAt: latest(jobs.map(j => executionTime(j.lastSuccessfulExecution))),
    lastFailureAt: failure2?.at ?? null,
    lastFailureReason: failure2?.reason ?? null,
    quarantine: quarantined?.quarantine ? quarantineOf(quarantined.quarantine) : null,
    noAttempt: jobs.every(neverRan),
    findings: [...(decisive?.finding ? [decisive.finding] : []), ...partial]
  }
}
