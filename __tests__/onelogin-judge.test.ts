/**
 * judgeOneLogin, the pure verdict: table tests from facts to findings, idp-status (through the join's
 * idpStatusOf), the event classification (vendor fields only), and the failures naming their input.
 */
import { describe, expect, it } from '@jest/globals'
import { idpStatusOf } from '../src/diagnose/idp.js'
import { classifyEvent } from '../src/idp/onelogin/event-types.js'
import type { OneLoginAnswer, OneLoginEvent, OneLoginFacts } from '../src/idp/onelogin/facts.js'
import { judgeOneLogin } from '../src/idp/onelogin/judge.js'

const NOW = Date.parse('2026-12-01T12:00:00.000Z')
const H = 3_600_000
const APP = '928532'
const OPTIONS = { appId: APP, now: NOW, lookbackHours: 720 }

const ok: OneLoginAnswer = {
  kind: 'response',
  status: 200,
  location: null,
  rateLimitReset: null,
  code: null,
  errorName: null,
  message: null,
  bodyProblem: null,
  unexpected: null
}
const answer = (status: number, over: Partial<Extract<OneLoginAnswer, { kind: 'response' }>> = {}): OneLoginAnswer => ({
  ...ok,
  status,
  ...over
})

let nextId = 1000
const ev = (
  hoursAgo: number,
  eventTypeId: number,
  errorDescription: string | null = null,
  appId: number | null = 928532
): OneLoginEvent => ({
  id: nextId++,
  createdAt: new Date(NOW - hoursAgo * H).toISOString(),
  eventTypeId,
  appId,
  errorDescription
})

function facts(events: OneLoginEvent[], over: Partial<OneLoginFacts> = {}, more = false): OneLoginFacts {
  return {
    tokenFailure: null,
    app: { answer: ok, app: { name: 'GitHub Enterprise Cloud', provisioningEnabled: true } },
    events: { events, pages: 1, more, stop: 'no more pages', failure: null },
    requests: 3,
    ...over
  }
}

describe('classifyEvent: vendor fields only', () => {
  it.each<[string, Partial<OneLoginEvent>, string | null]>([
    ['85 APP_COULD_NOT_AUTHENTICATE', { eventTypeId: 85 }, 'credentials'],
    ['250 PROVISIONING_APP_CONFIG_ERROR', { eventTypeId: 250 }, 'credentials'],
    ['64 with a 401', { eventTypeId: 64, errorDescription: '401 Unauthorized' }, 'credentials'],
    ['61 with "Bad credentials"', { eventTypeId: 61, errorDescription: 'GitHub said: Bad credentials' }, 'credentials'],
    ['25 with "token"', { eventTypeId: 25, errorDescription: 'the token was revoked' }, 'credentials'],
    ['65 with a conflict', { eventTypeId: 65, errorDescription: '409 Conflict' }, 'other'],
    ['63 with no description', { eventTypeId: 63, errorDescription: null }, 'other'],
    ['51 created', { eventTypeId: 51 }, 'success'],
    ['55 deleted', { eventTypeId: 55 }, 'success'],
    ['26 generic, even with credential words', { eventTypeId: 26, errorDescription: '401 Unauthorized' }, null],
    ['85 of another app', { eventTypeId: 85, appId: 111 }, null],
    ['85 with no app', { eventTypeId: 85, appId: null }, null],
    ['"4010" is no 401', { eventTypeId: 64, errorDescription: 'error 4010 happened' }, 'other']
  ])('%s', (_name, over, kind) => {
    expect(classifyEvent({ ...ev(1, 64), ...over }, APP)).toBe(kind)
  })
})

describe('findings and idp-status', () => {
  it.each<[string, OneLoginFacts, string[], string, boolean]>([
    ['healthy: successes only', facts([ev(1, 52), ev(7, 51)]), [], 'healthy', false],
    [
      'credentials since the last success',
      facts([ev(1, 85), ev(5, 64, '401 Unauthorized'), ev(10, 52)]),
      ['credentials-rejected'],
      'failing',
      false
    ],
    ['a success after the credentials failure clears it', facts([ev(1, 52), ev(5, 85)]), [], 'healthy', false],
    ['per-user errors stay healthy', facts([ev(1, 64, 'login taken'), ev(2, 52)]), ['provisioning-errors'], 'healthy', false],
    [
      'provisioning off',
      facts([ev(1, 52)], { app: { answer: ok, app: { name: 'x', provisioningEnabled: false } } }),
      ['provisioning-off'],
      'off',
      false
    ],
    ['no event of the app: noAttempt, unknown', facts([ev(1, 85, null, 111)]), [], 'unknown', true],
    ['events outside the look-back do not count', facts([ev(721, 85)]), [], 'unknown', true],
    ['events far in the future are not believed', facts([ev(-2, 85)]), [], 'unknown', true],
    ['the token refused', facts([], { tokenFailure: answer(401), app: null, events: null }), ['check-failed'], 'unknown', false],
    ['the app 403, events fine', facts([ev(1, 52)], { app: { answer: answer(403), app: null } }), ['check-failed'], 'unknown', false],
    [
      'credentials and an app failure: failing wins',
      facts([ev(1, 85)], { app: { answer: answer(404), app: null } }),
      ['check-failed', 'credentials-rejected'],
      'failing',
      false
    ]
  ])('%s', (_name, f, kinds, status, noAttempt) => {
    const report = judgeOneLogin(f, OPTIONS)
    expect(report.findings.map(x => x.kind)).toEqual(kinds)
    expect(idpStatusOf(report)).toBe(status)
    expect(report.noAttempt).toBe(noAttempt)
    expect(report.provider).toBe('onelogin')
    expect(report.app).toBe(APP)
  })

  it("since: the first failure of the run; reason: OneLogin's error_description; last success and failure", () => {
    const report = judgeOneLogin(facts([ev(1, 64, '401 Unauthorized: Bad credentials'), ev(4, 85), ev(9, 52), ev(12, 85)]), OPTIONS)
    expect(report.findings).toEqual([
      {
        kind: 'credentials-rejected',
        since: new Date(NOW - 4 * H).toISOString(),
        sinceAtLeast: false,
        reason: '401 Unauthorized: Bad credentials'
      }
    ])
    expect(report.lastSuccessAt).toBe(new Date(NOW - 9 * H).toISOString())
    expect(report.lastFailureAt).toBe(new Date(NOW - 1 * H).toISOString())
    expect(report.lastFailureReason).toBe('401 Unauthorized: Bad credentials')
  })

  it('no error_description: the event type is named', () => {
    const report = judgeOneLogin(facts([ev(1, 85)]), OPTIONS)
    expect(report.findings[0]).toMatchObject({ reason: 'APP_COULD_NOT_AUTHENTICATE (event type 85)' })
  })

  it('"since at least" when the pages ran out with no success; evidenceSince is the oldest event read', () => {
    const report = judgeOneLogin(facts([ev(1, 85), ev(30, 85), ev(40, 26)], {}, true), OPTIONS)
    expect(report.findings[0]).toMatchObject({
      kind: 'credentials-rejected',
      since: new Date(NOW - 30 * H).toISOString(),
      sinceAtLeast: true
    })
    expect(report.details.evidenceSince).toBe(new Date(NOW - 40 * H).toISOString())
  })

  it('a success in the pages read settles since, even with more pages', () => {
    const report = judgeOneLogin(facts([ev(1, 85), ev(2, 52)], {}, true), OPTIONS)
    expect(report.findings[0]).toMatchObject({ sinceAtLeast: false })
  })

  it('per-user errors: counted, the latest reason first', () => {
    const report = judgeOneLogin(facts([ev(1, 65, 'newest'), ev(3, 64, 'older'), ev(5, 52)]), OPTIONS)
    expect(report.findings).toEqual([{ kind: 'provisioning-errors', count: 2, latestReason: 'newest' }])
  })

  it('server strings become one bounded line', () => {
    const report = judgeOneLogin(facts([ev(1, 64, `a\nb\u202e::error::x ${'y'.repeat(1000)}`)]), OPTIONS)
    const f = report.findings[0] as { latestReason: string }
    expect(f.latestReason).not.toMatch(/[\n\u202e]/)
    expect(f.latestReason.length).toBeLessThanOrEqual(200)
  })
})

describe('check-failed names the input to fix', () => {
  const token = (a: OneLoginAnswer) => judgeOneLogin(facts([], { tokenFailure: a, app: null, events: null }), OPTIONS).findings
  const app = (a: OneLoginAnswer) => judgeOneLogin(facts([], { app: { answer: a, app: null } }), OPTIONS).findings[0]
  const events = (a: OneLoginAnswer) =>
    judgeOneLogin(facts([], { events: { events: [], pages: 0, more: false, stop: 'x', failure: a } }), OPTIONS).findings[0]

  it.each<[string, OneLoginAnswer, string | null, RegExp]>([
    ['401', answer(401, { errorName: 'Unauthorized', message: 'Authentication Failure' }), 'onelogin-client-id', /Authentication Failure/],
    ['400', answer(400, { message: 'Authorization Information is incorrect' }), 'onelogin-client-id', /API Credentials/],
    ['500: the creator deleted', answer(500), 'onelogin-client-id', /creator may have been deleted/],
    ['503: an outage, no input blamed', answer(503), null, /OneLogin is unavailable: the token request answered HTTP 503/],
    ['404', answer(404), 'onelogin-url', /no token endpoint/],
    ['a redirect', answer(302, { location: 'https://evil.example/x' }), 'onelogin-url', /evil\.example, not followed/],
    ['429 with seconds', answer(429, { rateLimitReset: '42' }), null, /resets in 42 s/],
    ['a timeout', { kind: 'fault', fault: 'timeout', detail: 'x' }, null, /time budget/],
    ['refused', { kind: 'fault', fault: 'refused', detail: 'not a configured host' }, 'onelogin-url', /not sent/]
  ])('the token request: %s', (_n, a, input, reason) => {
    const f = token(a)
    expect(f).toHaveLength(1)
    expect(f[0]).toMatchObject({ kind: 'check-failed', input, reason: expect.stringMatching(reason) })
  })

  it.each<[string, OneLoginAnswer, string | null, RegExp]>([
    ['401', answer(401), 'onelogin-client-id', /access token/],
    ['403: Read All', answer(403), 'onelogin-client-id', /Read All scope \(Read users does not cover apps\)/],
    ['404', answer(404), 'onelogin-app-id', /no app with the id/],
    ['503', answer(503), null, /unavailable/],
    ['not JSON', answer(200, { unexpected: 'the body is not JSON' }), null, /not what OneLogin sends/],
    ['too large', answer(200, { bodyProblem: 'too-large' }), null, /could not be read \(too-large\)/]
  ])('the app: %s', (_n, a, input, reason) => {
    expect(app(a)).toMatchObject({ kind: 'check-failed', input, reason: expect.stringMatching(reason) })
  })

  it.each<[string, OneLoginAnswer, string | null, RegExp]>([
    ['403', answer(403), 'onelogin-client-id', /Read All/],
    ['404', answer(404), 'onelogin-url', /no events API/],
    ['400', answer(400, { message: 'limit must be 1 to 50' }), null, /HTTP 400 \(limit must be 1 to 50\)/]
  ])('the events: %s', (_n, a, input, reason) => {
    expect(events(a)).toMatchObject({ kind: 'check-failed', input, reason: expect.stringMatching(reason) })
  })
})
