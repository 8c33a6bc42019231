/**
 * The Entra probe (idp-api-facts §2.3): `GET {graph}/v1.0/servicePrincipals/{id}/synchronization/jobs`
 * with the app-only token, read only. The answer is reduced to job facts at once and dropped.
 * Never `validateCredentials`, `start` or `restart`: those are writes.
 */
import type { IdpHttp } from '../http.js'
import type { EntraInputs } from '../types.js'
import {
  failedStep,
  isRecord,
  rawNumber,
  rawString,
  type EntraErrorFacts,
  type EntraExecutionFacts,
  type EntraJobFacts,
  type EntraQuarantineFacts,
  type StepFacts
} from './facts.js'

/** Jobs read from one answer at most (a service principal has one or a few; the rest of a hostile list is ignored). */
export const MAX_JOBS = 50

export function jobsUrl(inputs: Pick<EntraInputs, 'graphUrl' | 'servicePrincipalId'>): string {
  return `${inputs.graphUrl.replace(/\/+$/, '')}/v1.0/servicePrincipals/${encodeURIComponent(inputs.servicePrincipalId)}/synchronization/jobs`
}

function errorOf(value: unknown): EntraErrorFacts | null {
  if (!isRecord(value)) return null
  const code = rawString(value.code)
  const message = rawString(value.message)
  return code === null && message === null ? null : { code, message }
}

function executionOf(value: unknown): EntraExecutionFacts | null {
  if (!isRecord(value)) return null
  return {
    state: rawString(value.state),
    timeBegan: rawString(value.timeBegan),
    timeEnded: rawString(value.timeEnded),
    error: errorOf(value.error),
    countEscrowed: rawNumber(value.countEscrowed),
    countEscrowedRaw: rawNumber(value.countEscrowedRaw)
  }
}

function quarantineOf(value: unknown): EntraQuarantineFacts | null {
  if (!isRecord(value)) return null
  return {
    reason: rawString(value.reason),
    currentBegan: rawString(value.currentBegan),
    nextAttempt: rawString(value.nextAttempt),
    seriesBegan: rawString(value.seriesBegan),
    seriesCount: rawNumber(value.seriesCount),
    error: errorOf(value.error)
  }
}

/** One synchronizationJob's facts; null when the item is not a job object. */
export function jobFactsOf(value: unknown): EntraJobFacts | null {
  if (!isRecord(value)) return null
  const status = isRecord(value.status) ? value.status : {}
  const schedule = isRecord(value.schedule) ? value.schedule : {}
  return {
    id: rawString(value.id),
    templateId: rawString(value.templateId),
    statusCode: rawString(status.code),
    scheduleState: rawString(schedule.state),
    countSuccessiveCompleteFailures: rawNumber(status.countSuccessiveCompleteFailures),
    lastExecution: executionOf(status.lastExecution),
    lastSuccessfulExecution: executionOf(status.lastSuccessfulExecution),
    quarantine: quarantineOf(status.quarantine)
  }
}

/** The job list of a 200 answer: `{value: [job]}`; null when the body is not that shape. */
export function jobListOf(json: unknown): EntraJobFacts[] | null {
  if (!isRecord(json) || !Array.isArray(json.value)) return null
  const jobs: EntraJobFacts[] = []
  for (const item of json.value.slice(0, MAX_JOBS)) {
    const job = jobFactsOf(item)
    if (job === null) return null
    jobs.push(job)
  }
  return jobs
}

export async function probeJobs(
  inputs: EntraInputs,
  http: IdpHttp,
  accessToken: string
): Promise<{ jobs: StepFacts; jobList: EntraJobFacts[] | null }> {
  const url = jobsUrl(inputs)
  const answer = await http.send({
    method: 'GET',
    url,
    headers: { authorization: `Bearer ${accessToken}` },
    label: 'Graph synchronization jobs'
  })
  if (answer.kind !== 'response' || answer.status !== 200 || answer.bodyProblem) return { jobs: failedStep(answer, url), jobList: null }
  const jobList = jobListOf(answer.json)
  if (jobList === null) return { jobs: failedStep(answer, url, 'a JSON object with the jobs in `value`'), jobList: null }
  return { jobs: { kind: 'ok' }, jobList }
}
