/**
 * Hostile loopback IdPs for the attack review's tests (issue 17): an Okta org and an Entra tenant + Graph whose
 * every answer the test writes, on one `startHostile` server each, with what a well-behaved client needs
 * (Okta: the app, an SSWS check, the token endpoint; Entra: the token endpoint) answered by default.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { OKTA_API_TOKEN, OKTA_APP_ID } from '../../simulator/okta-fake.mjs'
import { SERVICE_PRINCIPAL_ID, TENANT_ID } from '../../simulator/entra-fake.mjs'
import { answer, startHostile, type HostileServer } from './hostile-server.js'

export const JOBS_PATH = `/v1.0/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/jobs`
export const TOKEN_PATH = `/${TENANT_ID}/oauth2/v2.0/token`
export const ACCESS_TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJncmFwaCJ9.c2lnbmF0dXJlLWhvc3RpbGU'

export type Reply = (req: IncomingMessage, res: ServerResponse, url: URL) => void
export const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void =>
  answer(res, status, headers, JSON.stringify(body))

/** An Entra tenant + Graph on one loopback server: the token endpoint answers; `jobs` answers the jobs list. */
export async function hostileEntra(jobs: Reply, token?: Reply): Promise<HostileServer> {
  return startHostile((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (req.method === 'POST' && url.pathname === TOKEN_PATH) {
      if (token) return token(req, res, url)
      return json(res, 200, { token_type: 'Bearer', expires_in: 3599, access_token: ACCESS_TOKEN })
    }
    if (req.method === 'GET' && url.pathname === JOBS_PATH) return jobs(req, res, url)
    return json(res, 404, { error: { code: 'NotFound', message: 'no such route' } })
  })
}

/** A synchronizationJob of Graph's shape [E8], with `status` as given. */
export function graphJob(id: string, status: Record<string, unknown>): Record<string, unknown> {
  const now = new Date().toISOString()
  return {
    id,
    templateId: 'GitHubOutDelta',
    schedule: { interval: 'PT40M', state: 'Active' },
    status: {
      code: 'Active',
      countSuccessiveCompleteFailures: 0,
      lastExecution: { state: 'Succeeded', timeBegan: now, timeEnded: now, error: null },
      lastSuccessfulExecution: { state: 'Succeeded', timeBegan: now, timeEnded: now, error: null },
      quarantine: null,
      ...status
    }
  }
}

/** An Okta org on one loopback server: the app answers ACTIVE with its push features; `logs` answers the System Log. */
export async function hostileOkta(
  logs: Reply,
  extra?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean
): Promise<HostileServer> {
  return startHostile((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (extra?.(req, res, url)) return
    if (req.headers.authorization !== `SSWS ${OKTA_API_TOKEN}` && !/^Bearer /.test(req.headers.authorization ?? ''))
      return json(res, 401, { errorCode: 'E0000011', errorSummary: 'Invalid token provided' })
    if (url.pathname === `/api/v1/apps/${OKTA_APP_ID}`)
      return json(res, 200, { id: OKTA_APP_ID, status: 'ACTIVE', label: 'GitHub', features: ['PUSH_NEW_USERS', 'PUSH_PROFILE_UPDATES'] })
    if (url.pathname === '/api/v1/logs') return logs(req, res, url)
    return json(res, 404, { errorCode: 'E0000007', errorSummary: 'Not found' })
  })
}

/** A System Log event of Okta's shape [I9], about the app. */
export function oktaEvent(o: {
  uuid: string
  hoursAgo: number
  eventType?: string
  result?: string
  reason?: string | null
  displayMessage?: string
}): Record<string, unknown> {
  return {
    uuid: o.uuid,
    published: new Date(Date.now() - o.hoursAgo * 3_600_000).toISOString(),
    eventType: o.eventType ?? 'application.provision.user.push',
    displayMessage: o.displayMessage ?? 'Automatic provisioning of user mona@acme.example to app GitHub failed',
    outcome: { result: o.result ?? 'FAILURE', reason: o.reason ?? null },
    target: [
      { id: '00u1', type: 'User', alternateId: 'mona@acme.example' },
      { id: OKTA_APP_ID, type: 'AppInstance', alternateId: 'GitHub' }
    ]
  }
}
