/**
 * judgeEntra, table-tested: job facts (from Microsoft's documented examples and the fake's builders) to
 * findings, and each failed step to the check-failed finding naming the input to fix.
 */
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { INVALID_CREDENTIALS_ERROR, execution, job, jobs, quarantine } from '../simulator/entra-fake.mjs'
import type { EntraFacts, StepFacts } from '../src/idp/entra/facts.js'
import { entraTime, judgeEntra, speaksOfCredentials } from '../src/idp/entra/judge.js'
import { jobFactsOf, jobListOf } from '../src/idp/entra/probe.js'
import type { IdpFinding } from '../src/idp/types.js'

const here = dirname(fileURLToPath(import.meta.url))
const examples = JSON.parse(readFileSync(resolve(here, 'fixtures/graph-synchronization-examples.json'), 'utf8')) as Record<
  string,
  { body?: unknown; status_object?: unknown }
>

const NOW = Date.parse('2026-03-10T12:00:00Z')
const HOUR = 3600_000
const DAY = 24 * HOUR
const SP = '5c1f7d2e-3a4b-4c5d-9e6f-a7b8c9d0e1f2'

function factsFor(jobBodies: unknown[], over: Partial<EntraFacts> = {}): EntraFacts {
  return {
    authKind: 'secret',
    oidc: null,
    oidcClaims: null,
    token: { kind: 'ok' },
    jobs: { kind: 'ok' },
    jobList: jobListOf({ value: jobBodies }),
    requests: 2,
    ...over
  }
}
const judge = (facts: EntraFacts) => judgeEntra(facts, { servicePrincipalId: SP, now: NOW })
const judgeJobs = (...bodies: unknown[]) => judge(factsFor(bodies))

describe('timestamps', () => {
  it.each([
    ['0001-01-01T00:00:00Z', null],
    [null, null],
    ['yesterday', null],
    ['2021-05-24T21:45:53.6330529Z', '2021-05-24T21:45:53.633Z'],
    ['2026-01-01T10:00:20Z', '2026-01-01T10:00:20.000Z']
  ])('%s -> %s', (raw, iso) => expect(entraTime(raw)).toBe(iso))
})

describe('what speaks of credentials', () => {
  it.each([
    [{ code: 'SystemForCrossDomainIdentityManagementInvalidCredentials', message: 'x' }, true],
    [{ code: 'BoxInsufficientPermissions', message: 'Authorization with Box is not valid. Please re-authorize access to Box' }, true],
    [{ code: 'HttpError', message: 'Unauthorized' }, true],
    [{ code: null, message: 'GitHub answered 401' }, true],
    [{ code: 'SystemForCrossDomainIdentityManagementServiceIncompatible', message: 'The target is not SCIM compliant' }, false],
    [{ code: 'X', message: 'Failed after 4010 ms' }, false]
  ])('%j -> %s', (error, expected) => expect(speaksOfCredentials(error)).toBe(expected))
})

type Expect = { finding: (Partial<IdpFinding> & { kind: IdpFinding['kind'] }) | null; noAttempt?: boolean }

describe('one job', () => {
  const cases: Array<[string, unknown, Expect]> = [
    [
      'healthy (constructed GitHub example)',
      (examples.constructed_list_healthy_github?.body as { value: unknown[] }).value[0],
      { finding: null, noAttempt: false }
    ],
    [
      'paused (documented example)',
      (examples.documented_list_paused?.body as { value: unknown[] }).value[0],
      { finding: { kind: 'provisioning-off', reason: 'the provisioning job is paused' }, noAttempt: true }
    ],
    [
      'quarantined, invalid credentials (documented example)',
      examples.documented_get_quarantined_invalid_credentials?.body,
      {
        finding: {
          kind: 'credentials-rejected',
          since: '2021-05-24T21:45:54.498Z',
          sinceAtLeast: false,
          reason: 'SystemForCrossDomainIdentityManagementInvalidCredentials: Please provide a valid tenant URL for your application.'
        }
      }
    ],
    [
      'quarantined without its own error, the run failed for authorization (documented status example)',
      {
        id: 'box',
        templateId: 'BoxOutDelta',
        schedule: { state: 'Active' },
        status: examples.documented_status_quarantined_app_specific_code?.status_object
      },
      {
        finding: {
          kind: 'credentials-rejected',
          since: '2017-07-19T06:56:58.246Z',
          reason: 'BoxInsufficientPermissions: Authorization with Box is not valid. Please re-authorize access to Box'
        }
      }
    ],
    [
      'credentials quarantine (fake)',
      jobs.credentialsQuarantine({ now: NOW }),
      { finding: { kind: 'credentials-rejected', since: new Date(NOW - 3 * DAY).toISOString(), sinceAtLeast: false } }
    ],
    [
      'escrow quarantine (fake)',
      jobs.escrowQuarantine({ now: NOW }),
      {
        finding: {
          kind: 'quarantined',
          since: new Date(NOW - DAY).toISOString(),
          nextAttemptAt: new Date(NOW - 6 * HOUR + DAY).toISOString(),
          disabled: false
        }
      }
    ],
    [
      'disabled after quarantine (fake): still quarantined',
      jobs.disabledAfterQuarantine({ now: NOW }),
      { finding: { kind: 'quarantined', disabled: true, nextAttemptAt: null } }
    ],
    ['paused (fake)', jobs.paused({ now: NOW }), { finding: { kind: 'provisioning-off' }, noAttempt: false }],
    [
      'not configured',
      jobs.notConfigured({ now: NOW }),
      {
        finding: { kind: 'provisioning-off', reason: 'the provisioning job is not configured (never authorized or started)' },
        noAttempt: true
      }
    ],
    [
      'entry-level errors: count from the counters',
      jobs.entryLevelErrors({ now: NOW }),
      { finding: { kind: 'provisioning-errors', count: 3 } }
    ],
    ['never ran', jobs.neverRan({ now: NOW }), { finding: null, noAttempt: true }],
    [
      'quarantine EncounteredQuarantineException without a credential error: quarantined',
      job({
        now: NOW,
        code: 'Quarantine',
        lastExecution: execution({
          state: 'Failed',
          began: NOW - HOUR,
          error: { code: 'SystemForCrossDomainIdentityManagementServiceUnavailable', message: 'The target did not answer' }
        }),
        quarantine: quarantine({ reason: 'EncounteredQuarantineException', began: NOW - 2 * DAY, now: NOW })
      }),
      {
        finding: {
          kind: 'quarantined',
          reason: expect.stringMatching(
            /^EncounteredQuarantineException: SystemForCrossDomainIdentityManagementServiceUnavailable: The target did not answer; Entra disables the job after four weeks in quarantine, about 2026-04-05/
          ) as unknown as string
        }
      }
    ],
    [
      'a failed run for credentials, not quarantined yet: since at least that run',
      job({
        now: NOW,
        countSuccessiveCompleteFailures: 2,
        lastExecution: execution({ state: 'Failed', began: NOW - HOUR, error: INVALID_CREDENTIALS_ERROR }),
        lastSuccessfulExecution: execution({ began: NOW - DAY })
      }),
      { finding: { kind: 'credentials-rejected', since: new Date(NOW - HOUR).toISOString(), sinceAtLeast: true } }
    ],
    [
      'a failed run for another reason: provisioning errors',
      job({
        now: NOW,
        lastExecution: execution({
          state: 'Failed',
          began: NOW - HOUR,
          error: { code: 'SystemForCrossDomainIdentityManagementServiceIncompatible', message: 'Not SCIM' }
        }),
        lastSuccessfulExecution: execution({ began: NOW - DAY })
      }),
      {
        finding: {
          kind: 'provisioning-errors',
          count: 1,
          latestReason: 'SystemForCrossDomainIdentityManagementServiceIncompatible: Not SCIM'
        }
      }
    ]
  ]
  it.each(cases)('%s', (_name, body, expected) => {
    const report = judgeJobs(body)
    if (expected.finding === null) expect(report.findings).toEqual([])
    else {
      expect(report.findings).toHaveLength(1)
      expect(report.findings[0]).toMatchObject(expected.finding)
    }
    if (expected.noAttempt !== undefined) expect(report.noAttempt).toBe(expected.noAttempt)
    expect(report.details.jobs as Array<{ status: string }>).toHaveLength(1)
  })
})

describe('the report', () => {
  it('no job: provisioning-off', () => {
    const report = judgeJobs()
    expect(report.findings).toEqual([{ kind: 'provisioning-off', reason: expect.stringContaining('no provisioning job') }])
    expect(report.details.jobs as Array<{ status: string }>).toEqual([])
  })

  it('several jobs: each is listed, the worst decides, times are the latest', () => {
    const healthy = jobs.healthy({ now: NOW })
    const failing = jobs.credentialsQuarantine({ now: NOW })
    const report = judgeJobs(healthy, jobs.entryLevelErrors({ now: NOW }), failing)
    expect(report.findings.map(f => f.kind)).toEqual(['credentials-rejected'])
    expect((report.details.jobs as Array<{ status: string }>).map(j => j.status)).toEqual(['Active', 'Active', 'Quarantine'])
    expect(report.lastSuccessAt).toBe(new Date(NOW - HOUR + 20_000).toISOString())
    // The latest failure: the entry-level errors (an hour ago), after the quarantined run (six hours ago).
    expect(report.lastFailureAt).toBe(new Date(NOW - HOUR + 40_000).toISOString())
    expect(report.quarantine).toMatchObject({
      reason: 'EncounteredQuarantineException',
      errorCode: 'SystemForCrossDomainIdentityManagementInvalidCredentials'
    })
    expect(report.noAttempt).toBe(false)
    // Order does not matter.
    expect(judgeJobs(failing, healthy).findings.map(f => f.kind)).toEqual(['credentials-rejected'])
  })

  it('a job: its fields, "never" as null', () => {
    const report = judgeJobs((examples.documented_list_paused?.body as { value: unknown[] }).value[0])
    expect((report.details.jobs as Array<{ status: string }>)[0]).toEqual({
      id: '{jobId}',
      templateId: 'BoxOutDelta',
      status: 'Paused',
      scheduleState: 'Disabled',
      lastExecutionAt: null,
      lastExecutionState: null,
      lastSuccessAt: null,
      quarantine: null
    })
    expect(report).toMatchObject({
      provider: 'entra',
      app: SP,
      appLabel: null,
      lastSuccessAt: null,
      lastFailureAt: null,
      details: { jobs: [expect.anything()] },
      requests: 2
    })
  })

  it('server strings become one bounded line', () => {
    const hostile = job({
      now: NOW,
      code: 'Quarantine',
      quarantine: {
        ...quarantine({ reason: 'EncounteredQuarantineException', began: NOW - DAY, now: NOW }),
        error: { code: 'InvalidCredentials\n::set-output name=x::1', message: `401 ${'A'.repeat(5000)}\u202e` }
      }
    })
    const report = judgeJobs(hostile)
    const finding = report.findings[0]
    expect(finding?.kind).toBe('credentials-rejected')
    const text = JSON.stringify(report)
    expect(text).not.toMatch(/\\n|\u202e/)
    expect(finding && 'reason' in finding ? finding.reason.length : 0).toBeLessThan(400)
  })

  it('a hostile job list: not a list, or items that are not objects, is no answer', () => {
    expect(jobListOf({ value: 'x' })).toBeNull()
    expect(jobListOf({ value: [1] })).toBeNull()
    expect(jobFactsOf({})).toMatchObject({ statusCode: null, quarantine: null })
    const report = judge(factsFor([], { jobList: null }))
    expect(report.findings[0]).toMatchObject({ kind: 'check-failed', input: null })
  })
})

// ── Failed steps ────────────────────────────────────────────────────────

const answer = (status: number, over: Partial<Extract<StepFacts, { kind: 'answer' }>> = {}): StepFacts => ({
  kind: 'answer',
  status,
  unexpected: null,
  bodyProblem: null,
  retryAfter: null,
  locationHost: null,
  errorCode: null,
  errorCodes: [],
  message: null,
  ...over
})
const aad = (status: number, error: string, code: number, text = 'x') =>
  answer(status, { errorCode: error, errorCodes: [code], message: `AADSTS${code}: ${text}` })

describe('a failed step names the input to fix', () => {
  const CLAIMS = {
    iss: 'https://token.actions.githubusercontent.com',
    sub: 'repo:acme/provisioning:ref:refs/heads/main',
    aud: 'api://AzureADTokenExchange'
  }
  const cases: Array<[string, Partial<EntraFacts>, string | null, RegExp]> = [
    ['token: invalid secret', { token: aad(401, 'invalid_client', 7000215) }, 'entra-client-secret', /Value \(not its ID\)/],
    ['token: expired secret', { token: aad(401, 'invalid_client', 7000222) }, 'entra-client-secret', /expired/],
    ['token: unknown tenant', { token: aad(400, 'invalid_request', 90002) }, 'entra-tenant-id', /tenant/],
    ['token: unknown client', { token: aad(400, 'unauthorized_client', 700016) }, 'entra-client-id', /client id/],
    ['token: invalid scope', { token: aad(400, 'invalid_scope', 70011) }, 'graph-url', /scope/],
    [
      'token: invalid_client without a code (secret)',
      { token: answer(401, { errorCode: 'invalid_client' }) },
      'entra-client-secret',
      /client credential/
    ],
    [
      'token: no federated record for the subject (AADSTS700213)',
      { authKind: 'oidc', oidc: { kind: 'ok' }, oidcClaims: CLAIMS, token: aad(400, 'invalid_request', 700213) },
      'entra-audience',
      /subject 'repo:acme\/provisioning:ref:refs\/heads\/main'/
    ],
    [
      'token: no federated record (AADSTS70021)',
      { authKind: 'oidc', oidc: { kind: 'ok' }, token: aad(400, 'invalid_request', 70021) },
      'entra-audience',
      /federated credential/
    ],
    [
      'token: federated, audience (AADSTS700212)',
      { authKind: 'oidc', oidc: { kind: 'ok' }, oidcClaims: CLAIMS, token: aad(400, 'invalid_request', 700212) },
      'entra-audience',
      /audience 'api:\/\/AzureADTokenExchange'/
    ],
    [
      'token: federated invalid_client without a code',
      { authKind: 'oidc', oidc: { kind: 'ok' }, token: answer(401, { errorCode: 'invalid_client' }) },
      'entra-audience',
      /federated/
    ],
    ['token: 429', { token: answer(429, { retryAfter: '30' }) }, null, /rate limited.*Retry-After: 30 s/],
    ['token: 503', { token: answer(503) }, null, /unavailable \(HTTP 503/],
    [
      'token: redirect',
      { token: answer(302, { locationHost: 'evil.example' }) },
      'entra-login-url',
      /redirect \(HTTP 302\) to evil\.example; redirects are never followed/
    ],
    ['token: timeout', { token: { kind: 'fault', fault: 'timeout', detail: 'x' } }, null, /did not answer within the time budget/],
    [
      'token: network',
      { token: { kind: 'fault', fault: 'network', detail: 'ECONNREFUSED' } },
      null,
      /could not be reached \(ECONNREFUSED\)/
    ],
    [
      'token: 200 without a token',
      { token: answer(200, { unexpected: 'a JSON object with an `access_token`' }) },
      null,
      /without a JSON object with an `access_token`/
    ],
    ['graph: 401', { jobs: answer(401, { errorCode: 'InvalidAuthenticationToken' }) }, 'graph-url', /same cloud/],
    [
      'graph: 403',
      { jobs: answer(403, { errorCode: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' }) },
      'entra-client-id',
      /Synchronization\.Read\.All and grant admin consent/
    ],
    [
      'graph: 404',
      { jobs: answer(404, { errorCode: 'Request_ResourceNotFound' }) },
      'entra-service-principal-id',
      /Object ID of the GitHub enterprise application/
    ],
    [
      'graph: 429',
      { jobs: answer(429, { retryAfter: '41' }) },
      null,
      /Microsoft Graph \(graph-url\) rate limited the check .*Retry-After: 41 s/
    ],
    ['graph: 500', { jobs: answer(500, { errorCode: 'generalException' }) }, null, /unavailable \(HTTP 500 generalException/],
    ['graph: redirect', { jobs: answer(307, { locationHost: 'login.evil.example' }) }, 'graph-url', /to login\.evil\.example/],
    ['graph: 200, body too large', { jobs: answer(200, { bodyProblem: 'too-large' }) }, null, /could not be read \(too-large\)/],
    ['oidc: 401', { authKind: 'oidc', oidc: answer(401), token: null }, null, /id-token: write/],
    [
      'oidc: redirect',
      { authKind: 'oidc', oidc: answer(302, { locationHost: 'elsewhere.example' }), token: null },
      null,
      /to elsewhere\.example/
    ],
    [
      'oidc: timeout',
      { authKind: 'oidc', oidc: { kind: 'fault', fault: 'timeout', detail: '' }, token: null },
      null,
      /OIDC token endpoint .* did not answer/
    ]
  ]
  it.each(cases)('%s', (_name, over, input, reason) => {
    const report = judge(factsFor([], { ...(over.token || over.oidc ? { jobs: null, jobList: null } : { jobList: null }), ...over }))
    expect(report.findings).toHaveLength(1)
    const finding = report.findings[0]
    expect(finding).toMatchObject({ kind: 'check-failed', input })
    expect(finding && 'reason' in finding ? finding.reason : '').toMatch(reason)
    expect(report.details.jobs as Array<{ status: string }>).toEqual([])
  })
})
