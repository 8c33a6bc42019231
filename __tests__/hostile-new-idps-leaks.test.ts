/**
 * The three new providers' real clients against a hostile loopback IdP that echoes every secret it was sent
 * or gave out, in every form (halves split across two fields, wrapped over lines, base64 and base64url of the
 * secret alone, percent-encoded), on the token request and on the API reads: none reaches the report or a
 * debug line. (Scrubbing the report is each provider's own `checkX`; the output boundary scrubs again.)
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { checkJumpCloud } from '../src/idp/jumpcloud/index.js'
import { checkOneLogin } from '../src/idp/onelogin/index.js'
import { checkPingOne } from '../src/idp/pingone/index.js'
import type { IdpReport } from '../src/idp/types.js'
import { startHostile, type HostileServer } from './support/hostile-server.js'
import { jcInputs } from './support/jumpcloud.js'
import { testContext, type TestContext } from './support/okta-context.js'
import { pingoneInputs } from './support/pingone-context.js'

const SECRET = 'Qm9vZ2llV29vZ2llU2VjcmV0~K3y/Val+ue.0123456789'
const ACCESS = 'at_7fJ2kLq9Zx0Vb3Nm5Rt8Yw1Pa4Sd6Fg0Hj2Kl4Zx6Cv8Bn0Mq'

/** Every form a server may echo `s` in. */
function forms(s: string): string[] {
  const half = Math.floor(s.length / 2)
  return [
    s,
    s.slice(0, half),
    s.slice(half),
    Buffer.from(s).toString('base64'),
    Buffer.from(s).toString('base64url'),
    encodeURIComponent(s),
    encodeURIComponent(s).toLowerCase()
  ]
}
function echoBody(s: string): Record<string, unknown> {
  const half = Math.floor(s.length / 2)
  const f = forms(s)
  const text = `${f[3]} ${f[4]} ${f[5]} ${s.slice(0, half)}\n${s.slice(half)}`
  return {
    error: s.slice(0, half),
    error_description: `${s.slice(half)} ${text}`,
    code: s.slice(0, half),
    message: `${s.slice(half)} ${text}`,
    name: s.slice(0, half),
    details: [{ code: s.slice(half), message: text }],
    status: { error: true, code: 401, type: s.slice(0, half), message: `${s.slice(half)} ${text}` }
  }
}
const send = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}
/** Token requests give ACCESS (or echo SECRET when `refuseToken`); every other request echoes `apiEcho` with a 403. */
function handler(refuseToken: boolean, apiEcho: string) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if ((req.url ?? '').split('?')[0]!.endsWith('/token')) {
      if (refuseToken) return send(res, 401, echoBody(SECRET))
      return send(res, 200, { access_token: ACCESS, token_type: 'Bearer', expires_in: 3600 })
    }
    send(res, 403, echoBody(apiEcho))
  }
}

let server: HostileServer | null = null
afterEach(async () => {
  await server?.close()
  server = null
})

type Run = (url: string, ctx: TestContext) => Promise<IdpReport>
/** A provider's check, and the secret its API reads carry (the access token it obtained, or the API key itself). */
const RUNS: Array<[string, Run, string]> = [
  [
    'OneLogin',
    (url, ctx) =>
      checkOneLogin({ url, clientId: 'c'.repeat(64), clientSecret: SECRET, appId: '1234', lookbackHours: 24 }, ctx, { errorBodyMs: 200 }),
    ACCESS
  ],
  ['PingOne', (url, ctx) => checkPingOne(pingoneInputs(url, { kind: 'secret', secret: SECRET }), ctx, { errorBodyMs: 200 }), ACCESS],
  [
    'JumpCloud (service account)',
    (url, ctx) =>
      checkJumpCloud(jcInputs(url, { kind: 'service-account', clientId: 'sa-client-0123', clientSecret: SECRET }), ctx, {
        errorBodyMs: 200
      }),
    ACCESS
  ],
  [
    'JumpCloud (API key)',
    (url, ctx) => checkJumpCloud(jcInputs(url, { kind: 'api-key', apiKey: SECRET }), ctx, { errorBodyMs: 200 }),
    SECRET
  ]
]

describe.each(RUNS)('%s: an IdP that echoes every secret back', (_name, run, apiSecret) => {
  it.each([
    ['the token request refused, echoing the client secret', true],
    ['the API reads refused, echoing the access token (or the API key)', false]
  ])('%s', async (_what, refuseToken) => {
    server = await startHostile(handler(refuseToken, apiSecret))
    const ctx = testContext(4000)
    const report = await run(server.url, ctx)
    expect(report.findings.some(f => f.kind === 'check-failed')).toBe(true)
    const out = JSON.stringify(report) + '\n' + ctx.lines.join('\n')
    for (const s of [SECRET, apiSecret]) for (const f of forms(s)) expect(out).not.toContain(f)
    // The echo did reach the report's words, and was scrubbed there (else this test proves nothing).
    expect(out).toContain('***')
  })
})

describe.each(RUNS)('%s: redirects and hangs', (_name, run) => {
  it('a 307 on every request is not followed, and nothing but the token request (and the event query) is a POST', async () => {
    server = await startHostile((_req, res) => {
      res.writeHead(307, { location: 'https://evil.example/steal' })
      res.end()
    })
    const report = await run(server.url, testContext(4000))
    expect(report.findings.length).toBeGreaterThan(0)
    expect(report.findings.every(f => f.kind === 'check-failed')).toBe(true)
    for (const r of server.requests) {
      if (r.method === 'POST') expect(r.path).toMatch(/\/token$|^\/insights\/directory\/v1\/events$/)
      else expect(r.method).toBe('GET')
    }
    // One POST to the token endpoint at most: a refusal is never sent again.
    expect(server.requests.filter(r => r.path.endsWith('/token')).length).toBeLessThanOrEqual(1)
  })

  it('an IdP that never answers: the check ends within its budget, unknown', async () => {
    server = await startHostile(() => undefined)
    const started = Date.now()
    const report = await run(server.url, testContext(1500))
    expect(Date.now() - started).toBeLessThan(2500)
    expect(report.findings.map(f => f.kind)).toContain('check-failed')
    expect(report.findings.map(f => f.kind)).not.toContain('credentials-rejected')
  })
})

describe.each(RUNS)('%s: refusals and rate limits', (_name, run) => {
  it('a 401 on the API reads is never retried', async () => {
    server = await startHostile((req, res) => {
      if ((req.url ?? '').split('?')[0]!.endsWith('/token')) return send(res, 200, { access_token: ACCESS, token_type: 'Bearer' })
      send(res, 401, { message: 'Unauthorized' })
    })
    const report = await run(server.url, testContext(4000))
    expect(report.findings.every(f => f.kind === 'check-failed')).toBe(true)
    const paths = server.requests.map(r => r.path)
    expect(paths.length).toBeGreaterThan(0)
    expect(new Set(paths).size).toBe(paths.length)
  })

  it('a 429 whose reset falls past the budget is not waited for, and not blamed on the credential', async () => {
    server = await startHostile((_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '30', 'x-ratelimit-reset': '30' })
      res.end('{"message":"Too Many Requests"}')
    })
    const started = Date.now()
    const report = await run(server.url, testContext(3000))
    expect(Date.now() - started).toBeLessThan(1500)
    expect(report.findings.length).toBeGreaterThan(0)
    expect(report.findings.every(f => f.kind === 'check-failed' && f.input === null)).toBe(true)
    expect(new Set(server.requests.map(r => r.path)).size).toBe(server.requests.length)
  })
})

describe('JumpCloud: an event is counted once, even one without an id sent again on every page', () => {
  it('five pages of the same id-less per-user error count one error', async () => {
    let page = 0
    const at = new Date(Date.now() - 60_000).toISOString()
    server = await startHostile((req, res) => {
      if (!(req.url ?? '').startsWith('/insights/')) return send(res, 200, { active: true, name: 'GitHub' })
      page++
      const row = {
        timestamp: at,
        event_type: 'user_create_provision',
        service: 'directory',
        success: false,
        error_message: 'user exists',
        message_chain: { response_code: 409, response_message: 'Conflict' },
        application: { id: jcInputs('', { kind: 'api-key', apiKey: SECRET }).appId }
      }
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-result-count': '1',
        'x-limit': '1',
        'x-search_after': JSON.stringify([`cursor-${page}`])
      })
      res.end(JSON.stringify([row]))
    })
    const report = await checkJumpCloud(jcInputs(server.url, { kind: 'api-key', apiKey: SECRET }), testContext(4000), { errorBodyMs: 200 })
    expect(page).toBe(5)
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'provisioning-errors', count: 1 })])
  })
})

describe('OneLogin: a success dated in the future does not stop the paging', () => {
  it('the credentials failure on the next page is still read', async () => {
    const now = Date.now()
    const event = (id: number, type: number, at: number) => ({
      id,
      event_type_id: type,
      app_id: 1234,
      created_at: new Date(at).toISOString()
    })
    server = await startHostile((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x')
      if (url.pathname.endsWith('/token')) return send(res, 200, { access_token: ACCESS, token_type: 'Bearer', expires_in: 3600 })
      if (url.pathname.startsWith('/api/2/apps/')) return send(res, 200, { name: 'GitHub', provisioning: { enabled: true } })
      if (url.searchParams.get('after_cursor') === null)
        return send(res, 200, { data: [event(9, 51, now + 86_400_000)], pagination: { after_cursor: 'page-2' } })
      send(res, 200, { data: [event(8, 85, now - 3_600_000)], pagination: { after_cursor: null } })
    })
    const report = await checkOneLogin(
      { url: server.url, clientId: 'c'.repeat(64), clientSecret: SECRET, appId: '1234', lookbackHours: 24 },
      testContext(4000),
      { errorBodyMs: 200 }
    )
    expect(report.findings.map(f => f.kind)).toEqual(['credentials-rejected'])
    expect(report.lastSuccessAt).toBeNull()
  })
})

describe('secrets an IdP hands back in its answers: never shown, however echoed', () => {
  const HELD = 'ghp_' + 'Rk7Vq2Lm9Zx4Tb8Nc1Wd6Ys3Pf0Hj5Ga2Ke'
  const KEY_LINE = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7V0tY'
  const PEM = `-----BEGIN PRIVATE KEY-----\n${KEY_LINE}\nQ2hyaXN0bWFzVHJlZUxpZ2h0c0FyZVByZXR0eUJyaWdodFRvbmlnaHQ=\n-----END PRIVATE KEY-----`

  it("PingOne's OAUTH_ACCESS_TOKEN, echoed in the store's name and the sync details", async () => {
    const half = HELD.length / 2
    server = await startHostile((req, res) => {
      const path = (req.url ?? '').split('?')[0]!
      if (path.endsWith('/token')) return send(res, 200, { access_token: ACCESS, token_type: 'Bearer' })
      if (path.endsWith('/rules') || path.endsWith('/plans')) return send(res, 200, { _embedded: {} })
      send(res, 200, {
        id: 'store',
        name: `GitHub ${HELD.slice(0, half)}`,
        type: 'GitHubEMU',
        status: 'ACTIVE',
        configuration: { OAUTH_ACCESS_TOKEN: HELD, BASE_URL: `https://api.github.com/scim/v2/enterprises/x?t=${encodeURIComponent(HELD)}` },
        syncStatus: {
          syncState: 'FAILED',
          details: `401 for ${HELD.slice(half)} ${Buffer.from(HELD).toString('base64')}`,
          lastSyncAt: new Date().toISOString()
        }
      })
    })
    const ctx = testContext(4000)
    const report = await checkPingOne(pingoneInputs(server.url, { kind: 'secret', secret: SECRET }), ctx, { errorBodyMs: 200 })
    expect(ctx.secrets).toContain(HELD)
    const out = JSON.stringify(report) + '\n' + ctx.lines.join('\n')
    for (const f of forms(HELD)) expect(out).not.toContain(f)
    expect(out).toContain('***')
  })

  it.each([
    ['as the schema has it, { value }', { value: PEM }],
    ['as a plain string', PEM]
  ])("JumpCloud's idpPrivateKey (%s), echoed line by line in the app's label and an error", async (_how, idpPrivateKey) => {
    server = await startHostile((req, res) => {
      if ((req.url ?? '').startsWith('/insights/')) return send(res, 500, { message: `boom ${KEY_LINE}` })
      send(res, 200, { active: true, name: 'GitHub', displayLabel: `GitHub ${KEY_LINE}`, config: { idpPrivateKey } })
    })
    const ctx = testContext(4000)
    const report = await checkJumpCloud(jcInputs(server.url, { kind: 'api-key', apiKey: SECRET }), ctx, { errorBodyMs: 200 })
    const out = JSON.stringify(report) + '\n' + ctx.lines.join('\n')
    expect(out).not.toContain(KEY_LINE)
    expect(out).not.toContain(KEY_LINE.slice(0, 24))
    expect(out).toContain('***')
  })
})
