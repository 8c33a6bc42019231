/**
 * judgeJumpCloud, the pure verdict: table tests of every finding and status from hand-made facts, the event
 * classification (vendor fields only), and the failures naming their inputs.
 */
import { describe, expect, it } from '@jest/globals'
import { idpStatusOf } from '../src/diagnose/idp.js'
import type { JcAnswer, JcEvent, JcFacts } from '../src/idp/jumpcloud/facts.js'
import { apiFailureFinding, tokenFailureFinding } from '../src/idp/jumpcloud/failures.js'
import { classifyEvent, judgeJumpCloud } from '../src/idp/jumpcloud/judge.js'
import { parseEvent, searchAfterOf } from '../src/idp/jumpcloud/probe.js'

const APP = '5c86b7469fdce00001d38016'
const NOW = Date.parse('2026-12-01T12:00:00Z')
const H = 3_600_000
const OPTS = { appId: APP, now: NOW, lookbackHours: 720 }

const ok = (status = 200): JcAnswer => ({
  kind: 'response',
  status,
  location: null,
  retryAfter: null,
  requestId: null,
  message: null,
  oauthError: null,
  oauthDescription: null,
  bodyProblem: null,
  unexpected: null
})
const err = (status: number, over: Partial<Extract<JcAnswer, { kind: 'response' }>> = {}): JcAnswer =>
  ({ ...ok(status), ...over }) as JcAnswer

function ev(hoursAgo: number, over: Partial<JcEvent> = {}): JcEvent {
  return {
    id: `e${hoursAgo}-${over.eventType ?? ''}-${String(over.success)}`,
    timestamp: new Date(NOW - hoursAgo * H).toISOString(),
    eventType: 'user_update_provision',
    success: true,
    errorMessage: null,
    responseCode: '200',
    responseMessage: 'OK',
    applicationId: APP,
    idmClientId: null,
    ...over
  }
}
const fail = (hoursAgo: number, code: string, error = 'boom'): JcEvent =>
  ev(hoursAgo, { success: false, responseCode: code, errorMessage: error })

function facts(list: JcEvent[], over: Partial<JcFacts> = {}, more = false): JcFacts {
  return {
    auth: 'api-key',
    orgIdGiven: false,
    tokenFailure: null,
    app: { answer: ok(), app: { active: true, name: 'github', displayLabel: 'GitHub' } },
    events: { events: list, pages: 1, more, failure: null, ascending: false },
    requests: 2,
    ...over
  }
}

describe('every finding and idp-status', () => {
  it.each<[string, JcEvent[], string[], string, boolean]>([
    ['healthy: successes only', [ev(1), ev(20)], [], 'healthy', false],
    ['no event: no attempt', [], [], 'unknown', true],
    ['401 after the last success: credentials', [fail(1, '401'), ev(5)], ['credentials-rejected'], 'failing', false],
    ['403 counts as credentials', [fail(1, '403')], ['credentials-rejected'], 'failing', false],
    ['a success after the 401: healed', [ev(1), fail(2, '401')], [], 'healthy', false],
    ['409: a per-user error', [fail(1, '409'), ev(2)], ['provisioning-errors'], 'healthy', false],
    ['500 from GitHub: a per-user error, not credentials', [fail(1, '500')], ['provisioning-errors'], 'healthy', false],
    ['both', [fail(1, '401'), fail(2, '409')], ['credentials-rejected', 'provisioning-errors'], 'failing', false],
    [
      'deactivated after the last success: off',
      [ev(1, { eventType: 'integration_deactivate' }), ev(3)],
      ['provisioning-off'],
      'off',
      false
    ],
    [
      'reactivated: on',
      [ev(1, { eventType: 'integration_activate' }), ev(2, { eventType: 'integration_deactivate' })],
      [],
      'unknown',
      true
    ],
    ['outside the look-back: ignored', [fail(800, '401')], [], 'unknown', true],
    ['another app: ignored', [fail(1, '401', 'x')].map(e => ({ ...e, applicationId: 'f'.repeat(24) })), [], 'unknown', true],
    ['matched by idm_client_id', [{ ...fail(1, '401'), applicationId: null, idmClientId: APP }], ['credentials-rejected'], 'failing', false]
  ])('%s', (_n, list, kinds, status, noAttempt) => {
    const report = judgeJumpCloud(facts(list), OPTS)
    expect(report.findings.map(f => f.kind)).toEqual(kinds)
    expect(idpStatusOf(report)).toBe(status)
    expect(report.noAttempt).toBe(noAttempt)
    expect(report.provider).toBe('jumpcloud')
  })

  it('since: the first failure of the current run; last success and failure', () => {
    const report = judgeJumpCloud(facts([fail(1, '401', 'Bad credentials'), fail(10, '401'), ev(30), fail(40, '401')]), OPTS)
    expect(report.findings[0]).toEqual({
      kind: 'credentials-rejected',
      since: new Date(NOW - 10 * H).toISOString(),
      sinceAtLeast: false,
      reason: 'user_update_provision: Bad credentials; HTTP 401 OK'
    })
    expect(report.lastSuccessAt).toBe(new Date(NOW - 30 * H).toISOString())
    expect(report.lastFailureAt).toBe(new Date(NOW - H).toISOString())
  })

  it('since at least, when pages were left and no success was read', () => {
    const report = judgeJumpCloud(facts([fail(1, '401'), fail(3, '401')], {}, true), OPTS)
    expect(report.findings[0]).toMatchObject({ sinceAtLeast: true })
    expect(report.details).toEqual({ evidenceSince: new Date(NOW - 3 * H).toISOString(), eventsRead: 2 })
  })

  it('an inactive app: off; its label shown', () => {
    const report = judgeJumpCloud(facts([ev(1)], { app: { answer: ok(), app: { active: false, name: 'gh', displayLabel: null } } }), OPTS)
    expect(report.findings).toEqual([{ kind: 'provisioning-off', reason: expect.stringContaining('inactive') }])
    expect(report.appLabel).toBe('gh')
  })

  it('ascending with pages left: check-failed only', () => {
    const f = facts([fail(1, '401')], {}, true)
    f.events!.ascending = true
    expect(judgeJumpCloud(f, OPTS).findings).toEqual([
      { kind: 'check-failed', input: null, reason: expect.stringContaining('oldest first') }
    ])
  })

  it('a token failure: only that', () => {
    const report = judgeJumpCloud(facts([], { tokenFailure: err(401, { oauthError: 'invalid_client' }), app: null, events: null }), OPTS)
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'check-failed', input: 'jumpcloud-client-secret' })])
  })

  it('hostile strings become one bounded line', () => {
    const report = judgeJumpCloud(facts([fail(1, '409', `evil\n::error::x\u202e${'y'.repeat(5000)}`)]), OPTS)
    const reason = (report.findings[0] as { latestReason: string }).latestReason
    expect(reason).not.toMatch(/[\n\u202e]/)
    expect(reason.length).toBeLessThanOrEqual(200)
  })
})

describe('classifyEvent reads vendor fields only', () => {
  it.each<[string, Partial<JcEvent>, string | null]>([
    ['success true', {}, 'success'],
    ['success false, 401', { success: false, responseCode: '401' }, 'credentials'],
    ['success false, no code', { success: false, responseCode: null }, 'other'],
    [
      'an error_message about credentials does not decide',
      { success: false, responseCode: '409', errorMessage: 'invalid credentials' },
      'other'
    ],
    ['success missing: does not count', { success: null }, null],
    ['another event type', { eventType: 'user_update' }, null],
    ['a failed deactivation does not count', { eventType: 'integration_deactivate', success: false }, null],
    ['upper-case app id still matches', { applicationId: APP.toUpperCase() }, 'success']
  ])('%s', (_n, over, kind) => {
    expect(classifyEvent(ev(1, over), APP)).toBe(kind)
  })

  it('parseEvent: the fields read, a numeric response_code as text, junk dropped', () => {
    expect(
      parseEvent({
        id: 'a',
        timestamp: '2026-12-01T00:00:00Z',
        event_type: 'user_create_provision',
        success: false,
        message_chain: { response_code: 401 },
        application: { id: APP },
        resource: { username: 'credential-401' }
      })
    ).toMatchObject({ responseCode: '401', applicationId: APP, success: false })
    expect(parseEvent({ id: 'a' })).toBeNull()
    expect(parseEvent('x')).toBeNull()
    expect(parseEvent({ timestamp: 't', event_type: 'x', success: 'false' })).toMatchObject({ success: null })
  })

  it.each<[string | undefined, unknown]>([
    ['[1576181718000,"DZrPyW8BNsa9iKWoOm7h"]', [1576181718000, 'DZrPyW8BNsa9iKWoOm7h']],
    [undefined, null],
    ['[]', null],
    ['not json', null],
    ['{"a":1}', null],
    ['[{"a":1}]', null],
    [`["${'x'.repeat(2000)}"]`, null]
  ])('searchAfterOf(%s)', (header, want) => {
    expect(searchAfterOf(header)).toEqual(want)
  })
})

describe('failures name their inputs', () => {
  const api = { auth: 'api-key' as const, orgIdGiven: false }
  const sa = { auth: 'service-account' as const, orgIdGiven: false }
  it.each<[string, JcAnswer, 'app' | 'events', typeof api | typeof sa, string | null, RegExp]>([
    ['401 key', err(401), 'app', api, 'jumpcloud-api-key', /API key/],
    ['401 token', err(401), 'events', sa, 'jumpcloud-client-id', /access token/],
    ['403 role', err(403, { message: 'Forbidden' }), 'events', api, 'jumpcloud-api-key', /View on Directory Insights/],
    ['403 IP', err(403, { message: 'Your IP has been blocked due to suspected abuse' }), 'app', sa, null, /IP address/],
    ['404 app', err(404), 'app', api, 'jumpcloud-app-id', /no application/],
    ['404 events', err(404), 'events', api, 'jumpcloud-insights-url', /Directory Insights/],
    ['429', err(429), 'events', api, null, /rate-limited.*no time/],
    ['503', err(503), 'app', api, null, /unavailable/],
    ['302', err(302, { location: 'https://x.example/a' }), 'app', api, 'jumpcloud-console-url', /x\.example/],
    ['timeout', { kind: 'fault', fault: 'timeout', detail: 'x' }, 'events', api, null, /time budget/],
    [
      'refused host',
      { kind: 'fault', fault: 'refused', detail: 'not a configured host' },
      'events',
      api,
      'jumpcloud-insights-url',
      /not sent/
    ],
    ['200 not JSON', err(200, { unexpected: 'the body is not JSON' }), 'events', api, null, /not what JumpCloud sends/]
  ])('%s', (_n, answer, which, who, input, reason) => {
    expect(apiFailureFinding(answer, which, who)).toEqual({ kind: 'check-failed', input, reason: expect.stringMatching(reason) })
  })

  it.each<[string, JcAnswer, string | null]>([
    ['invalid_client', err(401, { oauthError: 'invalid_client' }), 'jumpcloud-client-secret'],
    ['invalid_scope', err(400, { oauthError: 'invalid_scope' }), 'jumpcloud-client-id'],
    ['404', err(404), 'jumpcloud-oauth-url'],
    ['500', err(500), null],
    ['redirect', err(301, { location: '/elsewhere' }), 'jumpcloud-oauth-url']
  ])('token: %s', (_n, answer, input) => {
    expect(tokenFailureFinding(answer)).toMatchObject({ kind: 'check-failed', input })
  })
})
