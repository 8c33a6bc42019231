/**
 * The Entra probe (idp-api-facts §2.3): `GET {graph}/v1.0/servicePrincipals/{id}/synchronization/jobs`
 * with the app-only token, read only. The answer is reduced to job facts at once and dropped.
 * Never `validateCredentials`, `start` or `restart`: those are writes.
 */
import type { IdpHttp } from '../http.js'
import type { EntraInputs } from './types.js'
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

/** Jobs read at most, over every page (a service principal has one or a few; past this the verdict is partial). */
export const MAX_JOBS = 200
/** Pages of the jobs list read at most (Graph's `@odata.nextLink`); past this the verdict is partial. */
export const MAX_JOB_PAGES = 5

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

/** One page of the job list: `{value: [job], @odata.nextLink?}`; null when the body is not that shape. */
export function jobPageOf(json: unknown): { jobs: EntraJobFacts[]; nextLink: string | null } | null {
  if (!isRecord(json) || !Array.isArray(json.value)) return null
  const jobs: EntraJobFacts[] = []
  for (const item of json.value.slice(0, MAX_JOBS)) {
    const job = jobFactsOf(item)
    if (job === null) return null
    jobs.push(job)
  }
  const more = json.value.length > MAX_JOBS
  const next = json['@odata.nextLink']
  return { jobs, nextLink: typeof next === 'string' ? next : more ? '' : null }
}

/** The job list of a 200 answer (one page, its next link ignored); null when the body is not that shape. */
export function jobListOf(json: unknown): EntraJobFacts[] | null {
  return jobPageOf(json)?.jobs ?? null
}

export interface JobsProbe {
  jobs: StepFacts
  jobList: EntraJobFacts[] | null
  /** Why not every job was read (bound reached, a page failed, a link elsewhere), raw; null when all were. */
  partial: string | null
}

/** The next page's URL when Graph's link stays on the jobs list (same origin and path); else why not. */
function nextPage(link: string, current: string, seen: ReadonlySet<string>): { url: string } | { stop: string | null } {
  let target: URL
  try {
    target = new URL(link, current)
  } catch {
    return { stop: 'Graph gave an unreadable @odata.nextLink' }
  }
  const here = new URL(current)
  if (target.origin !== here.origin || target.pathname !== here.pathname)
    return { stop: `Graph pointed the next page elsewhere (${target.host}${target.pathname}), not followed` }
  // A link back to a page already read ends the list: nothing is read twice.
  return seen.has(target.href) ? { stop: null } : { url: target.href }
}

/**
 * Every page of the jobs list, following `@odata.nextLink` on the same origin and path only (the token is
 * never sent elsewhere), at most MAX_JOB_PAGES pages and MAX_JOBS jobs; what was left unread is `partial`.
 */
export async function probeJobs(inputs: EntraInputs, http: IdpHttp, accessToken: string): Promise<JobsProbe> {
  const first = jobsUrl(inputs)
  const jobList: EntraJobFacts[] = []
  const seen = new Set<string>()
  let url: string | null = first
  let partial: string | null = null
  for (let page = 1; url !== null; page++) {
    if (page > MAX_JOB_PAGES || jobList.length >= MAX_JOBS) {
      partial = `more than ${jobList.length} jobs (${page - 1} pages): only those were read`
      break
    }
    seen.add(url)
    const answer = await http.send({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${accessToken}` },
      label: `Graph synchronization jobs${page > 1 ? ` (page ${page})` : ''}`
    })
    const ok = answer.kind === 'response' && answer.status === 200 && !answer.bodyProblem
    const read = ok ? jobPageOf(answer.json) : null
    if (read === null) {
      const failed = ok ? failedStep(answer, url, 'a JSON object with the jobs in `value`') : failedStep(answer, url)
      if (page === 1) return { jobs: failed, jobList: null, partial: null }
      partial = `page ${page} of the jobs could not be read (${failed.kind === 'answer' ? `HTTP ${failed.status}` : failed.kind === 'fault' ? failed.fault : 'unreadable'})`
      break
    }
    jobList.push(...read.jobs.slice(0, MAX_JOBS - jobList.length))
    if (read.nextLink === '') {
      partial = `more than ${MAX_JOBS} jobs in one page: only ${jobList.length} were read`
      break
    }
    const next: { url: string } | { stop: string | null } = read.nextLink === null ? { stop: null } : nextPage(read.nextLink, url, seen)
    if ('stop' in next) {
      partial = next.stop
      url = null
    } else url = next.url
  }
  return { jobs: { kind: 'ok' }, jobList, partial }
}
