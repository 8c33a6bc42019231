/**
 * Issue 17, "Wrong verdicts": the real Okta and Entra clients against hostile loopback IdPs
 * (support/hostile-idp.ts). A quarantined job is never healthy; Graph's paging is followed (same host and
 * path, bounded; past the bound the verdict is partial); the status agrees with the causes; a user's name
 * never makes a credentials failure; no System Log URL is read twice, no event counted twice; a 429 is
 * waited for once inside the budget, reported at once beyond it; a 401 is never retried; a request token
 * never goes over plain http to a host that is not loopback.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import {
  CREDENTIALS_INVALID,
  credentialsRejectedWorld,
  busySignInsWorld,
  OKTA_API_TOKEN,
  OKTA_CLIENT_ID,
  oktaKeys,
  startOktaFake
} from '../simulator/okta-fake.mjs'
import { joinIdp } from '../src/diagnose/idp.js'
import { checkEntra } from '../src/idp/entra/index.js'
import { checkOkta } from '../src/idp/okta/index.js'
import type { IdpReport } from '../src/idp/types.js'
import { entraInputs, recordingContext, secretAuth } from './support/entra.js'
import type { HostileServer } from './support/hostile-server.js'
import { graphJob, hostileEntra, hostileOkta, JOBS_PATH, json, oktaEvent, TOKEN_PATH } from './support/hostile-idp.js'
import { oktaInputs, testContext } from './support/okta-context.js'

const CTX = { webUrl: 'https://github.com' }
const servers: HostileServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map(s => s.close()))
})
const keep = (s: HostileServer): HostileServer => (servers.push(s), s)

/** The join's view: `idp-status` and the IdP's cause ids. */
function joined(report: IdpReport): { status: string; causes: string[] } {
  const { causes, idp } = joinIdp([], report, { org: 'acme', enterprise: null, ctx: CTX })
  return { status: idp.status, causes: causes.map(c => c.id) }
}

async function entra(server: HostileServer, budgetMs = 4000): Promise<IdpReport> {
  const fake = { loginUrl: server.url, graphUrl: server.url } as Parameters<typeof entraInputs>[0]
  return checkEntra(entraInputs(fake, secretAuth()), recordingContext(budgetMs), { errorBodyMs: 200 })
}

async function okta(server: HostileServer, budgetMs = 4000): Promise<IdpReport> {
  return checkOkta(oktaInputs(server.url, { kind: 'ssws', token: OKTA_API_TOKEN }), testContext(budgetMs), { errorBodyMs: 200 })
}

describe('Entra: a quarantined job is never healthy', () => {
  it('status.code Quarantine without any quarantine details: idp-quarantined, failing', async () => {
    const server = keep(await hostileEntra((_q, res) => json(res, 200, { value: [graphJob('GitHub.a1', { code: 'Quarantine' })] })))
    const report = await entra(server)
    expect(report.findings.map(f => f.kind)).toEqual(['quarantined'])
    expect(report.quarantine).toMatchObject({ reason: 'Unknown' })
    expect(joined(report)).toEqual({ status: 'failing', causes: ['idp-quarantined'] })
  })

  it("a quarantined job on Graph's second page (@odata.nextLink, same host and path) is read", async () => {
    const server = keep(
      await hostileEntra((_q, res, url) =>
        url.searchParams.get('$skiptoken') === 'p2'
          ? json(res, 200, {
              value: [graphJob('GitHub.b2', { code: 'Quarantine', quarantine: { reason: 'EncounteredEscrowProportionThreshold' } })]
            })
          : json(res, 200, { value: [graphJob('GitHub.a1', {})], '@odata.nextLink': `${server.url}${JOBS_PATH}?$skiptoken=p2` })
      )
    )
    const report = await entra(server)
    expect(server.count(JOBS_PATH)).toBe(2)
    expect(joined(report)).toEqual({ status: 'failing', causes: ['idp-quarantined'] })
    expect((report.details.jobs as unknown[]).length).toBe(2)
  })

  it('the 60th job of one page is read', async () => {
    const value = Array.from({ length: 60 }, (_, i) =>
      graphJob(`GitHub.${i + 1}`, i === 59 ? { code: 'Quarantine', quarantine: { reason: 'TooManyDeletes' } } : {})
    )
    const server = keep(await hostileEntra((_q, res) => json(res, 200, { value })))
    expect(joined(await entra(server))).toEqual({ status: 'failing', causes: ['idp-quarantined'] })
  })

  it('paging without end: bounded, and the verdict is partial, never healthy', async () => {
    let n = 0
    const server = keep(
      await hostileEntra((_q, res) =>
        json(res, 200, { value: [graphJob(`GitHub.${++n}`, {})], '@odata.nextLink': `${server.url}${JOBS_PATH}?$skiptoken=${n}` })
      )
    )
    const report = await entra(server)
    expect(server.count(JOBS_PATH)).toBe(5)
    expect(joined(report)).toEqual({ status: 'unknown', causes: ['idp-check-failed'] })
    expect(report.findings[0]).toMatchObject({ kind: 'check-failed', partial: true })
  })

  it('a next link to another path or a page already read: the token goes nowhere else, nothing read twice', async () => {
    const server = keep(
      await hostileEntra((_q, res, url) =>
        json(res, 200, {
          value: [graphJob('GitHub.a1', {})],
          '@odata.nextLink': url.search === '' ? `${server.url}${JOBS_PATH}?$skiptoken=again` : `${server.url}/v1.0/me`
        })
      )
    )
    const report = await entra(server)
    expect(server.requests.filter(r => r.method === 'GET').map(r => r.path)).toEqual([JOBS_PATH, JOBS_PATH])
    expect(joined(report).status).toBe('unknown')
    const loop = keep(
      await hostileEntra((_q, res) => json(res, 200, { value: [graphJob('GitHub.a1', {})], '@odata.nextLink': `${loop.url}${JOBS_PATH}` }))
    )
    const looped = await entra(loop)
    expect(loop.count(JOBS_PATH)).toBe(1)
    expect(joined(looped)).toEqual({ status: 'healthy', causes: [] })
  })
})

describe('Entra: the status agrees with the causes', () => {
  it('twelve failed runs in a row without an error object: not per-user errors, and not healthy', async () => {
    const began = new Date(Date.now() - 3_600_000).toISOString()
    const job = graphJob('GitHub.a1', {
      countSuccessiveCompleteFailures: 12,
      lastExecution: { state: 'Failed', timeBegan: began, timeEnded: began, error: null }
    })
    const server = keep(await hostileEntra((_q, res) => json(res, 200, { value: [job] })))
    const report = await entra(server)
    const { status, causes } = joined(report)
    expect(causes).not.toContain('idp-provisioning-errors')
    expect(status).not.toBe('healthy')
    expect({ status, causes }).toEqual({ status: 'unknown', causes: ['idp-check-failed'] })
    expect(report.findings[0]).toMatchObject({ reason: expect.stringContaining('failed its last 12 runs') })
  })
})

describe('Okta: credentials are judged on what the vendor controls, never on a name', () => {
  it('a per-user error about a user named "credentials": idp-provisioning-errors, not idp-credentials-rejected', async () => {
    const events = [
      oktaEvent({
        uuid: 'e1',
        hoursAgo: 1,
        reason: 'Conflict: the login bad-credentials.admin is already taken',
        displayMessage: 'Automatic provisioning of user Credentials Invalid (credentials@acme.example) to app GitHub failed'
      })
    ]
    const server = keep(await hostileOkta((_q, res) => json(res, 200, events)))
    expect(joined(await okta(server))).toEqual({ status: 'healthy', causes: ['idp-provisioning-errors'] })
  })

  it("Okta's own sentence in the reason is a credentials failure", async () => {
    const server = keep(
      await hostileOkta((_q, res) => json(res, 200, [oktaEvent({ uuid: 'e1', hoursAgo: 1, reason: CREDENTIALS_INVALID })]))
    )
    expect(joined(await okta(server))).toEqual({ status: 'failing', causes: ['idp-credentials-rejected'] })
  })
})

describe('Okta: no URL read twice, no event counted twice', () => {
  it('a next link to the page just read: read once, each event once, no "since at least"', async () => {
    const events = [oktaEvent({ uuid: 'u1', hoursAgo: 1, reason: 'Conflict' }), oktaEvent({ uuid: 'u2', hoursAgo: 2, reason: 'Conflict' })]
    const server = keep(
      await hostileOkta((req, res) =>
        json(res, 200, events, { link: `<${server.url}${req.url}>; rel="self", <${server.url}${req.url}>; rel="next"` })
      )
    )
    const report = await okta(server)
    expect(server.count('/api/v1/logs')).toBe(1)
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'provisioning-errors', count: 2 })])
    expect(report.details.evidenceSince).toBeNull()
  })

  it('a next page that serves the same events again (another URL): each counted once, by uuid', async () => {
    const events = [oktaEvent({ uuid: 'u1', hoursAgo: 1, reason: 'Conflict' })]
    const server = keep(
      await hostileOkta((_q, res, url) =>
        json(res, 200, events, url.searchParams.has('after') ? {} : { link: `<${server.url}/api/v1/logs?after=2>; rel="next"` })
      )
    )
    const report = await okta(server)
    expect(server.count('/api/v1/logs')).toBe(2)
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'provisioning-errors', count: 1 })])
  })

  it("Okta's end of a stream (an empty page whose next is its self): stop there, an exact since", async () => {
    const world = { ...credentialsRejectedWorld(), endWithEmptyPage: true }
    const fake = await startOktaFake(world)
    try {
      const report = await checkOkta(oktaInputs(fake.url, { kind: 'ssws', token: OKTA_API_TOKEN }), testContext(), { errorBodyMs: 200 })
      const logs = fake.requests.filter(r => r.path === '/api/v1/logs')
      expect(logs).toHaveLength(2)
      expect(report.findings).toEqual([expect.objectContaining({ kind: 'credentials-rejected', sinceAtLeast: false })])
      expect(report.details.evidenceSince).toBeNull()
    } finally {
      await fake.close()
    }
  })

  it("a busy app's sign-ins do not fill the five pages: the query asks only for the event types that count", async () => {
    const fake = await startOktaFake(busySignInsWorld())
    try {
      const report = await checkOkta(oktaInputs(fake.url, { kind: 'ssws', token: OKTA_API_TOKEN }), testContext(), { errorBodyMs: 200 })
      expect(report.findings).toEqual([expect.objectContaining({ kind: 'credentials-rejected', sinceAtLeast: false })])
      expect(fake.requests.filter(r => r.path === '/api/v1/logs')).toHaveLength(1)
    } finally {
      await fake.close()
    }
  })
})

describe('a 429 is waited for once inside the budget, reported at once beyond it; a 401 never retried', () => {
  it('Okta: X-Rate-Limit-Reset a second away: one wait, then the answer', async () => {
    let calls = 0
    const server = keep(
      await hostileOkta((_q, res) => {
        if (++calls > 1) return json(res, 200, [])
        const reset = String(Math.ceil(Date.now() / 1000) + 1)
        json(
          res,
          429,
          { errorCode: 'E0000047', errorSummary: 'API call exceeded rate limit due to too many requests.' },
          { 'x-rate-limit-reset': reset }
        )
      })
    )
    const report = await okta(server, 6000)
    expect(server.count('/api/v1/logs')).toBe(2)
    expect(report.findings).toEqual([])
  })

  it('Okta: a reset beyond the budget is reported at once, never blamed on the credential', async () => {
    const reset = String(Math.ceil(Date.now() / 1000) + 3600)
    const server = keep(await hostileOkta((_q, res) => json(res, 429, { errorCode: 'E0000047' }, { 'x-rate-limit-reset': reset })))
    const started = Date.now()
    const report = await okta(server, 6000)
    expect(Date.now() - started).toBeLessThan(2000)
    expect(server.count('/api/v1/logs')).toBe(1)
    expect(report.findings).toEqual([
      expect.objectContaining({ kind: 'check-failed', input: null, reason: expect.stringContaining('rate-limited') })
    ])
  })

  it("Okta's token request: a 429 is reported at once, never the same single-use assertion sent again", async () => {
    const reset = String(Math.ceil(Date.now() / 1000) + 1)
    const server = keep(
      await hostileOkta(
        () => undefined,
        (req, res, url) => {
          if (url.pathname !== '/oauth2/v1/token') return false
          json(
            res,
            429,
            { errorCode: 'E0000047', errorSummary: 'API call exceeded rate limit due to too many requests.' },
            { 'x-rate-limit-reset': reset }
          )
          return true
        }
      )
    )
    const auth = { kind: 'private-key-jwt' as const, clientId: OKTA_CLIENT_ID, privateKey: oktaKeys().rsaPkcs8Pem, keyId: null }
    const report = await checkOkta(oktaInputs(server.url, auth), testContext(6000), { errorBodyMs: 200 })
    expect(server.count('/oauth2/v1/token')).toBe(1)
    expect(report.findings).toEqual([
      expect.objectContaining({ kind: 'check-failed', input: null, reason: expect.stringContaining('rate-limited') })
    ])
  })

  it('Okta: a 401 is asked once', async () => {
    const server = keep(await hostileOkta(() => undefined))
    const report = await checkOkta(oktaInputs(server.url, { kind: 'ssws', token: 'not-the-token-0123456789' }), testContext(), {
      errorBodyMs: 200
    })
    expect(server.requests).toHaveLength(2) // the app and the first log page, each once
    expect(report.findings[0]).toMatchObject({ kind: 'check-failed', input: 'okta-api-token' })
  })

  it('Entra: Retry-After 1 on the jobs: one wait, then the answer; Retry-After an hour: at once', async () => {
    let calls = 0
    const once = keep(
      await hostileEntra((_q, res) =>
        ++calls > 1 ? json(res, 200, { value: [graphJob('GitHub.a1', {})] }) : json(res, 429, {}, { 'retry-after': '1' })
      )
    )
    expect(joined(await entra(once, 6000))).toEqual({ status: 'healthy', causes: [] })
    expect(once.count(JOBS_PATH)).toBe(2)
    const long = keep(await hostileEntra((_q, res) => json(res, 429, {}, { 'retry-after': '3600' })))
    const started = Date.now()
    const report = await entra(long, 6000)
    expect(Date.now() - started).toBeLessThan(2000)
    expect(long.count(JOBS_PATH)).toBe(1)
    expect(joined(report)).toEqual({ status: 'unknown', causes: ['idp-check-failed'] })
  })

  it('Entra: a 401 of the token endpoint is sent once', async () => {
    const server = keep(
      await hostileEntra(
        () => undefined,
        (_q, res) => json(res, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' })
      )
    )
    const report = await entra(server)
    expect(server.count(TOKEN_PATH)).toBe(1)
    expect(report.findings[0]).toMatchObject({ kind: 'check-failed', input: 'entra-client-secret' })
  })
})

describe("the runner's OIDC request token never crosses a network in clear", () => {
  it('ACTIONS_ID_TOKEN_REQUEST_URL on plain http to a host that is not loopback: not sent', async () => {
    const server = keep(await hostileEntra((_q, res) => json(res, 200, { value: [] })))
    const fake = { loginUrl: server.url, graphUrl: server.url } as Parameters<typeof entraInputs>[0]
    const auth = {
      kind: 'oidc' as const,
      requestUrl: 'http://pipelines.example.net/idtoken?api-version=2.0',
      requestToken: 'request-token-Zx8Qp2',
      audience: 'api://AzureADTokenExchange'
    }
    const ctx = recordingContext()
    const report = await checkEntra(entraInputs(fake, auth), ctx, { errorBodyMs: 200 })
    expect(report.requests).toBe(0)
    expect(server.requests).toHaveLength(0)
    expect(report.findings[0]).toMatchObject({ kind: 'check-failed', reason: expect.stringContaining('https only') })
  })
})
