/**
 * judgeOkta is pure: facts in, IdpReport out. Table tests of every finding's rule (docs/idp.md), and of the input each refused answer names.
 */
import { describe, expect, it } from '@jest/globals'
import type { OktaAnswer, OktaEvent, OktaFacts } from '../src/idp/okta/facts.js'
import { apiFailureFinding, classifyEvent, judgeOkta, tokenFailureFinding } from '../src/idp/okta/judge.js'

const APP = '0oa1234567890ABCDEFG'
const NOW = Date.parse('2026-06-15T12:00:00.000Z')
const H = 3_600_000
const at = (hoursAgo: number): string => new Date(NOW - hoursAgo * H).toISOString()

const CRED = 'The credentials used to connect to the API were invalid; please check your configuration'
const ev = (hoursAgo: number, eventType: string, result: string | null, reason: string | null = null, targetIds = [APP]): OktaEvent => ({
  published: at(hoursAgo),
  eventType,
  result,
  reason,
  displayMessage: result === 'FAILURE' ? 'Automatic provisioning of user x to app GitHub failed' : 'Push user profile update',
  targetIds
})
const ok = (h: number): OktaEvent => ev(h, 'application.provision.user.push_profile', 'SUCCESS')
const credFail = (h: number): OktaEvent => ev(h, 'application.provision.user.push', 'FAILURE', CRED)
const authFail = (h: number): OktaEvent => ev(h, 'application.integration.authentication_failure', 'FAILURE', 'INVALID_CREDENTIALS')
const userFail = (h: number, why = 'Conflict: user exists'): OktaEvent => ev(h, 'application.provision.user.push', 'FAILURE', why)

function facts(events: OktaEvent[], more = false, app: Partial<NonNullable<NonNullable<OktaFacts['app']>['app']>> | null = {}): OktaFacts {
  const answer: OktaAnswer = {
    kind: 'response',
    status: 200,
    location: null,
    rateLimitReset: null,
    wwwAuthenticate: null,
    requestId: null,
    errorCode: null,
    errorSummary: null,
    oauthError: null,
    oauthDescription: null,
    bodyProblem: null,
    unexpected: null
  }
  return {
    auth: 'ssws',
    keyIdGiven: false,
    keyProblem: null,
    tokenFailure: null,
    dpop: false,
    app:
      app === null
        ? null
        : { answer, app: { status: 'ACTIVE', label: 'GitHub', features: ['PUSH_NEW_USERS', 'PUSH_PROFILE_UPDATES'], ...app } },
    logs: { events, pages: more ? 5 : 1, more, failure: null, nextElsewhere: null },
    requests: 2
  }
}
const judge = (f: OktaFacts) => judgeOkta(f, { appId: APP, now: NOW, lookbackHours: 720 })
const errorAnswer = (status: number, extra: Partial<Extract<OktaAnswer, { kind: 'response' }>> = {}): OktaAnswer => ({
  kind: 'response',
  status,
  location: null,
  rateLimitReset: null,
  wwwAuthenticate: null,
  requestId: null,
  errorCode: null,
  errorSummary: null,
  oauthError: null,
  oauthDescription: null,
  bodyProblem: null,
  unexpected: null,
  ...extra
})

describe('which events count', () => {
  it.each([
    ['a successful push', ok(1), 'success'],
    ['a push failure about credentials', credFail(1), 'credentials'],
    ['an authentication failure', authFail(1), 'credentials'],
    ['an authentication failure without outcome', ev(1, 'application.integration.authentication_failure', null), 'credentials'],
    ['"Bad credentials" in the reason', userFail(1, 'GitHub said: Bad credentials'), 'credentials'],
    ['HTTP 401 in the reason', userFail(1, 'Request failed with status 401'), 'credentials'],
    ['Unauthorized', userFail(1, 'Unauthorized'), 'credentials'],
    ['a per-user error', userFail(1), 'other'],
    ['a code naming credentials', userFail(1, 'INVALID_CREDENTIALS'), 'credentials'],
    ['a login with "credentials" in the reason', userFail(1, 'Conflict: the login bad-credentials is taken'), 'other'],
    ['"Bad credentials" inside a quoted name', userFail(1, "Conflict: user 'Bad credentials' exists"), 'other'],
    ['an e-mail with "unauthorized"', userFail(1, 'Error while creating user unauthorized@acme.example: Conflict'), 'other'],
    [
      'a user named "credentials" in the displayMessage',
      {
        ...userFail(1),
        displayMessage: 'Automatic provisioning of user The credentials used to connect to the API were invalid to app GitHub failed'
      },
      'other'
    ],
    [
      "Okta's sentence ending the displayMessage",
      { ...userFail(1, null as unknown as string), displayMessage: `Automatic provisioning of user x to app GitHub failed: ${CRED}` },
      'credentials'
    ],
    ['a SKIPPED push', ev(1, 'application.provision.user.push', 'SKIPPED'), null],
    ['another app', ev(1, 'application.provision.user.push', 'FAILURE', CRED, ['0oaOTHER']), null],
    ['an SSO sign-in to the app', ev(1, 'user.authentication.sso', 'SUCCESS'), null],
    ['a general integration failure', ev(1, 'application.integration.general_failure', 'FAILURE', CRED), null]
  ])('%s', (_name, event, kind) => {
    expect(classifyEvent(event, APP)).toBe(kind)
  })
})

describe('findings', () => {
  it('healthy: pushes succeed, no finding, last success', () => {
    const r = judge(facts([ok(2), ok(30)]))
    expect(r.findings).toEqual([])
    expect(r.lastSuccessAt).toBe(at(2))
    expect(r.lastFailureAt).toBeNull()
    expect(r.noAttempt).toBe(false)
    expect(r.appLabel).toBe('GitHub')
  })

  it('credentials rejected since the first failure after the last success', () => {
    const r = judge(facts([authFail(1), credFail(2), userFail(3), credFail(10), ok(20), credFail(30)]))
    expect(r.findings).toEqual([
      { kind: 'credentials-rejected', since: at(10), sinceAtLeast: false, reason: expect.stringContaining('INVALID_CREDENTIALS') },
      { kind: 'provisioning-errors', count: 1, latestReason: expect.stringContaining('Conflict') }
    ])
    expect(r.lastFailureAt).toBe(at(1))
    expect(r.lastSuccessAt).toBe(at(20))
  })

  it('a success after the last credentials failure clears it', () => {
    expect(judge(facts([ok(1), credFail(2), authFail(3)])).findings).toEqual([])
  })

  it('no success at all in the look-back: since the oldest failure, not "at least" when the log was read to its end', () => {
    const r = judge(facts([credFail(1), credFail(5)]))
    expect(r.findings[0]).toMatchObject({ kind: 'credentials-rejected', since: at(5), sinceAtLeast: false })
    expect(r.details.evidenceSince).toBeNull()
  })

  it('the five pages ran out before the run of failures started: "since at least", evidenceSince', () => {
    const r = judge(facts([credFail(1), credFail(5), ev(6, 'user.authentication.sso', 'SUCCESS')], true))
    expect(r.findings[0]).toMatchObject({ kind: 'credentials-rejected', since: at(5), sinceAtLeast: true })
    expect(r.details.evidenceSince).toBe(at(6))
  })

  it('pages ran out but a success was read: the since is exact', () => {
    const r = judge(facts([credFail(1), ok(3)], true))
    expect(r.findings[0]).toMatchObject({ since: at(1), sinceAtLeast: false })
  })

  it('per-user errors: count and latest reason', () => {
    const r = judge(facts([ok(1), userFail(2, 'newest'), userFail(5, 'older')]))
    expect(r.findings).toEqual([{ kind: 'provisioning-errors', count: 2, latestReason: expect.stringContaining('newest') }])
    expect(r.lastFailureReason).toContain('newest')
  })

  it.each([
    ['INACTIVE', { status: 'INACTIVE' }, /INACTIVE/],
    ['push features off', { features: ['IMPORT_NEW_USERS'] }, /push features are off/],
    ['no features at all', { features: [] }, /push features are off/]
  ])('provisioning off: %s', (_n, app, reason) => {
    const r = judge(facts([ok(1)], false, app))
    expect(r.findings).toEqual([{ kind: 'provisioning-off', reason: expect.stringMatching(reason) }])
  })

  it('one push feature on is not off; no features field is not judged', () => {
    expect(judge(facts([ok(1)], false, { features: ['PUSH_USER_DEACTIVATION'] })).findings).toEqual([])
    expect(judge(facts([ok(1)], false, { features: null })).findings).toEqual([])
  })

  it('no counting event: noAttempt', () => {
    const r = judge(facts([ev(1, 'user.authentication.sso', 'SUCCESS')]))
    expect(r.noAttempt).toBe(true)
    expect(r.findings).toEqual([])
  })

  it('events outside the look-back or far in the future do not count', () => {
    const r = judge(facts([credFail(-2), credFail(721)]))
    expect(r.findings).toEqual([])
    expect(r.noAttempt).toBe(true)
  })

  it('server text becomes one bounded line', () => {
    const r = judge(facts([userFail(1, `line1\nline2\u202e ${'x'.repeat(1000)}`)]))
    const f = r.findings[0] as { latestReason: string }
    expect(f.latestReason).not.toMatch(/[\n\u202e]/)
    expect(f.latestReason.length).toBeLessThanOrEqual(200)
  })

  it('a next link to another host: check-failed, and the events read still judged', () => {
    const f = facts([credFail(1)], true)
    f.logs!.nextElsewhere = 'evil.example'
    const r = judge(f)
    expect(r.findings).toEqual(
      expect.arrayContaining([
        { kind: 'check-failed', input: null, reason: expect.stringContaining('evil.example') },
        expect.objectContaining({ kind: 'credentials-rejected' })
      ])
    )
  })

  it('the private key is unusable: check-failed naming okta-private-key, nothing else', () => {
    const f = facts([])
    f.keyProblem = 'it is neither a PEM private key nor a JWK (JSON)'
    expect(judge(f).findings).toEqual([{ kind: 'check-failed', input: 'okta-private-key', reason: expect.stringContaining('neither') }])
  })
})

describe('the input a refusal names', () => {
  it.each([
    [
      'client id unknown',
      errorAnswer(401, { oauthError: 'invalid_client', oauthDescription: "Invalid value for 'client_id' parameter." }),
      'okta-client-id'
    ],
    [
      'bad signature',
      errorAnswer(401, { oauthError: 'invalid_client', oauthDescription: 'The client_assertion signature is invalid.' }),
      'okta-private-key'
    ],
    [
      'client secret app',
      errorAnswer(401, {
        oauthError: 'invalid_client',
        oauthDescription:
          'Client Credentials requests to the Org Authorization Server must use the private_key_jwt token_endpoint_auth_method.'
      }),
      'okta-client-id'
    ],
    [
      'expired assertion (clock)',
      errorAnswer(401, { oauthError: 'invalid_client', oauthDescription: 'The client_assertion token is expired.' }),
      null
    ],
    ['scopes not granted', errorAnswer(400, { oauthError: 'invalid_scope', oauthDescription: 'no' }), 'okta-client-id'],
    [
      'DPoP refused after the switch',
      errorAnswer(400, { oauthError: 'invalid_dpop_proof', oauthDescription: 'The DPoP proof JWT has already been used.' }),
      null
    ],
    ['rate limited', errorAnswer(429, { rateLimitReset: '1781524800' }), null],
    ['redirect', errorAnswer(302, { location: 'https://login.evil.example/x' }), 'okta-org-url'],
    ['5xx', errorAnswer(503), null],
    ['timeout', { kind: 'fault', fault: 'timeout', detail: 'x' } as OktaAnswer, null]
  ])('token: %s', (_n, answer, input) => {
    expect(tokenFailureFinding(answer, false)).toMatchObject({ kind: 'check-failed', input })
  })

  it.each([
    ['SSWS 401', errorAnswer(401, { errorCode: 'E0000011', errorSummary: 'Invalid token provided' }), 'app', 'ssws', 'okta-api-token'],
    ['SSWS 403', errorAnswer(403, { errorCode: 'E0000006' }), 'logs', 'ssws', 'okta-api-token'],
    [
      'OAuth 403 scope',
      errorAnswer(403, { errorCode: 'E0000006', wwwAuthenticate: 'Bearer error="insufficient_scope"' }),
      'logs',
      'private-key-jwt',
      'okta-client-id'
    ],
    ['OAuth 403 role', errorAnswer(403, { errorCode: 'E0000006' }), 'app', 'private-key-jwt', 'okta-client-id'],
    ['404 app', errorAnswer(404, { errorCode: 'E0000007' }), 'app', 'ssws', 'okta-app-id'],
    ['429', errorAnswer(429, { errorCode: 'E0000047', rateLimitReset: '1781524800' }), 'logs', 'ssws', null],
    ['500', errorAnswer(500, { errorCode: 'E0000009' }), 'logs', 'ssws', null],
    ['network', { kind: 'fault', fault: 'network', detail: 'ECONNREFUSED' } as OktaAnswer, 'app', 'ssws', null]
  ] as const)('API: %s', (_n, answer, which, auth, input) => {
    expect(apiFailureFinding(answer, which, auth)).toMatchObject({ kind: 'check-failed', input })
  })

  it('429 tells when the limit resets; a redirect names the Location host', () => {
    expect((apiFailureFinding(errorAnswer(429, { rateLimitReset: '1781524800' }), 'logs', 'ssws') as { reason: string }).reason).toContain(
      '2026-06-15T12:00:00.000Z'
    )
    expect(
      (apiFailureFinding(errorAnswer(301, { location: 'https://evil.example/x' }), 'app', 'ssws') as { reason: string }).reason
    ).toContain('evil.example')
  })
})
