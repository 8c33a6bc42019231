/**
 * judgePingOne, the pure verdict: table tests from facts to findings, status and report fields, for every
 * finding (credentials-rejected, provisioning-errors, provisioning-off, check-failed), noAttempt, the Base
 * URL check and whether PingOne holds the token this run checks.
 */
import { describe, expect, it } from '@jest/globals'
import { idpStatusOf } from '../src/diagnose/idp.js'
import type { PingAnswer, PingOneFacts, PingPlan, PingRule, PingStore, PingSync } from '../src/idp/pingone/facts.js'
import { enterpriseOf, HELD_TOKEN_NOTE, judgePingOne, type JudgeOptions } from '../src/idp/pingone/judge.js'
import { pingone } from '../src/idp/pingone/provider.js'
import type { IdpFinding } from '../src/idp/types.js'

const STORE_ID = '5cf55496-504b-4177-8102-920e0d6d85fb'
const PLAN_ID = 'aaaaaaaa-0000-4000-8000-000000000001'
const OK: PingAnswer = {
  kind: 'response',
  status: 200,
  location: null,
  retryAfter: null,
  code: null,
  message: null,
  detailCodes: [],
  oauthError: null,
  oauthDescription: null,
  bodyProblem: null,
  unexpected: null
}
const answer = (over: Partial<Extract<PingAnswer, { kind: 'response' }>>): PingAnswer => ({ ...OK, ...(over as object) }) as PingAnswer

const SYNCING: PingSync = {
  syncState: 'SYNCING',
  details: '',
  lastSyncAt: '2026-12-01T10:00:00.000Z',
  successCount: 120,
  failedCount: 0,
  failedDeprovisionCount: 0,
  userTotal: 120
}
const store = (over: Partial<PingStore> = {}, sync: Partial<PingSync> | null = {}): PingStore => ({
  id: STORE_ID,
  name: 'GitHub EMU',
  type: 'GitHubEMU',
  status: 'ACTIVE',
  baseUrl: 'https://api.github.com/scim/v2/enterprises/fabrikam',
  createUsers: true,
  updateUsers: true,
  deprovisionUsers: true,
  sync: sync === null ? null : { ...SYNCING, ...sync },
  tokenReturned: true,
  sameTokenAsChecked: true,
  ...over
})
const RULE: PingRule = { id: 'r1', active: true, targetStoreId: STORE_ID, planId: PLAN_ID }
const PLAN: PingPlan = { id: PLAN_ID, status: 'ACTIVE' }

function facts(over: Partial<PingOneFacts> = {}, s: PingStore | null = store()): PingOneFacts {
  return {
    auth: 'secret',
    keyIdGiven: false,
    keyProblem: null,
    tokenFailure: null,
    store: { answer: OK, store: s },
    rules: { answer: OK, items: [RULE], more: false },
    plans: { answer: OK, items: [PLAN], more: false },
    requests: 4,
    ...over
  }
}
const OPTIONS: JudgeOptions = {
  storeId: STORE_ID,
  enterprise: 'fabrikam',
  inputs: { auth: { kind: 'secret', secret: 'x' }, authUrlInput: 'pingone-region', apiUrlInput: 'pingone-region' }
}
const judge = (f: PingOneFacts, o: Partial<JudgeOptions> = {}) => judgePingOne(f, { ...OPTIONS, ...o })
const kinds = (fs: IdpFinding[]) => fs.map(f => f.kind)

describe('the store decides', () => {
  it.each<[string, PingStore, string[], string]>([
    ['SYNCING, no failures', store(), [], 'healthy'],
    [
      'FAILED, details about a 401',
      store({}, { syncState: 'FAILED', details: 'GitHub returned 401 Unauthorized', failedCount: 7 }),
      ['credentials-rejected'],
      'failing'
    ],
    [
      'FAILED, "Bad credentials"',
      store({}, { syncState: 'FAILED', details: 'Bad credentials', failedCount: 1 }),
      ['credentials-rejected'],
      'failing'
    ],
    [
      'FAILED, per-user words',
      store({}, { syncState: 'FAILED', details: '409 Conflict: user exists', failedCount: 3 }),
      ['provisioning-errors'],
      'healthy'
    ],
    ['FAILED, no details', store({}, { syncState: 'FAILED', details: null, failedCount: 0 }), ['provisioning-errors'], 'healthy'],
    ['SYNCING with failedCount', store({}, { failedCount: 2, details: 'user bob: 409' }), ['provisioning-errors'], 'healthy'],
    ['SYNCING with failedDeprovisionCount', store({}, { failedDeprovisionCount: 1 }), ['provisioning-errors'], 'healthy'],
    ['an unknown syncState', store({}, { syncState: 'PAUSED' }), ['check-failed'], 'unknown'],
    ['store INACTIVE', store({ status: 'INACTIVE' }), ['provisioning-off'], 'off']
  ])('%s: %j, idp-status %s', (_name, s, expected, status) => {
    const report = judge(facts({}, s))
    expect(kinds(report.findings)).toEqual(expected)
    expect(idpStatusOf(report)).toBe(status)
    expect(report.noAttempt).toBe(false)
  })

  it('healthy: lastSyncAt is the last success; the store in details; the app is the store id', () => {
    const report = judge(facts())
    expect(report).toMatchObject({
      provider: 'pingone',
      app: STORE_ID,
      appLabel: 'GitHub EMU',
      lastSuccessAt: SYNCING.lastSyncAt,
      lastFailureAt: null
    })
    expect(report.details).toMatchObject({
      store: { id: STORE_ID, status: 'ACTIVE', syncState: 'SYNCING', successCount: 120, failedCount: 0 },
      sameTokenAsChecked: true,
      rules: '1 active of 1 targeting the store',
      plan: 'ACTIVE'
    })
  })

  it('FAILED: the last failure is lastSyncAt with its details; no success is claimed; since is not known', () => {
    const report = judge(facts({}, store({}, { syncState: 'FAILED', details: 'token refused: 401', failedCount: 7, successCount: 0 })))
    expect(report.lastSuccessAt).toBeNull()
    expect(report.lastFailureAt).toBe(SYNCING.lastSyncAt)
    expect(report.lastFailureReason).toBe('token refused: 401')
    expect(report.findings[0]).toMatchObject({ kind: 'credentials-rejected', since: null, sinceAtLeast: false })
  })

  it('counts: failedCount plus failedDeprovisionCount, and the details as the latest reason', () => {
    const report = judge(facts({}, store({}, { failedCount: 2, failedDeprovisionCount: 1, details: 'user bob: 409' })))
    expect(report.findings).toEqual([{ kind: 'provisioning-errors', count: 3, latestReason: 'user bob: 409' }])
  })

  it.each<[string, PingStore]>([
    ['no syncStatus', store({}, null)],
    ['syncStatus without state or lastSyncAt', store({}, { syncState: null, lastSyncAt: null })],
    ['SYNCING but never synced', store({}, { lastSyncAt: null, successCount: 0 })]
  ])('%s: no attempt seen, idp-status unknown', (_name, s) => {
    const report = judge(facts({}, s))
    expect(report.noAttempt).toBe(true)
    expect(report.findings).toEqual([])
    expect(idpStatusOf(report)).toBe('unknown')
  })
})

describe('off: the rules and the plan', () => {
  it.each<[string, Partial<PingOneFacts>, RegExp]>([
    [
      'no rule targets the store',
      { rules: { answer: OK, items: [{ ...RULE, targetStoreId: 'other' }], more: false } },
      /no propagation rule targets/
    ],
    ['the rule is inactive', { rules: { answer: OK, items: [{ ...RULE, active: false }], more: false } }, /all inactive/],
    [
      'the plan is INACTIVE',
      { plans: { answer: OK, items: [{ ...PLAN, status: 'INACTIVE' }], more: false } },
      /plan is INACTIVE, not ACTIVE/
    ],
    ['no plan at all', { plans: { answer: OK, items: [], more: false } }, /no propagation plan/]
  ])('%s: provisioning-off', (_name, over, reason) => {
    const report = judge(facts(over))
    expect(kinds(report.findings)).toEqual(['provisioning-off'])
    expect((report.findings[0] as { reason: string }).reason).toMatch(reason)
    expect(idpStatusOf(report)).toBe('off')
  })

  it("the rule's own plan decides, not another one", () => {
    const plans = { answer: OK, items: [{ id: 'other', status: 'INACTIVE' }, PLAN], more: false }
    expect(judge(facts({ plans })).findings).toEqual([])
  })

  it('no rule on the first page, but a next page: not known, not off', () => {
    const report = judge(facts({ rules: { answer: OK, items: [], more: true } }))
    expect(kinds(report.findings)).toEqual(['check-failed'])
  })

  it.each<[string, Partial<PingOneFacts>]>([
    [
      'rules',
      {
        rules: {
          answer: answer({ status: 403, code: 'ACCESS_FAILED', detailCodes: ['INSUFFICIENT_PERMISSIONS'] }),
          items: null,
          more: false
        }
      }
    ],
    ['plans', { plans: { answer: answer({ status: 500, code: 'UNEXPECTED_ERROR' }), items: null, more: false } }]
  ])('the %s could not be read: check-failed beside the store verdict', (_name, over) => {
    const report = judge(facts(over, store({}, { syncState: 'FAILED', details: '401', failedCount: 1 })))
    expect(kinds(report.findings).sort()).toEqual(['check-failed', 'credentials-rejected'])
  })
})

describe('the token PingOne holds, and where it provisions', () => {
  const failing = (same: boolean | null) =>
    store(
      { sameTokenAsChecked: same, tokenReturned: same !== null },
      { syncState: 'FAILED', details: 'GitHub returned 401', failedCount: 7 }
    )

  it.each<[boolean | null, string | boolean, string]>([
    [true, true, HELD_TOKEN_NOTE.same],
    [false, false, HELD_TOKEN_NOTE.other],
    [null, 'unknown', '']
  ])('sameTokenAsChecked %j: details say %j and the reason notes it', (same, shown, note) => {
    const report = judge(facts({}, failing(same)))
    expect(report.details.sameTokenAsChecked).toBe(shown)
    const reason = (report.findings[0] as { reason: string }).reason
    expect(reason.startsWith('GitHub returned 401')).toBe(true)
    if (note) expect(reason).toContain(note)
    else expect(reason).toBe('GitHub returned 401')
  })

  it('another token, provisioning healthy: a row-only fact, no finding', () => {
    const report = judge(facts({}, store({ sameTokenAsChecked: false })))
    expect(report.findings).toEqual([])
    expect(report.details.sameTokenAsChecked).toBe(false)
  })

  it.each<[string, string | null]>([
    ['https://api.github.com/scim/v2/enterprises/fabrikam', 'fabrikam'],
    ['https://api.github.com/scim/v2/enterprises/FabriKam/', 'FabriKam'],
    ['https://api.fabrikam.ghe.com/scim/v2/enterprises/fabrikam', 'fabrikam'],
    ['https://api.github.com/scim/v2/organizations/acme', null],
    ['', null]
  ])('enterpriseOf(%j) = %j', (url, slug) => {
    expect(enterpriseOf(url)).toBe(slug)
  })

  it.each<[string, string | null, string[]]>([
    ['https://api.github.com/scim/v2/enterprises/fabrikam', 'fabrikam', []],
    ['https://api.github.com/scim/v2/enterprises/FABRIKAM', 'fabrikam', []],
    ['https://api.github.com/scim/v2/enterprises/contoso', 'fabrikam', ['check-failed']],
    ['https://scim.example/other', 'fabrikam', ['check-failed']],
    ['https://api.github.com/scim/v2/enterprises/contoso', null, []]
  ])('BASE_URL %s with enterprise %s: %j', (baseUrl, enterprise, expected) => {
    const report = judge(facts({}, store({ baseUrl })), { enterprise })
    expect(kinds(report.findings)).toEqual(expected)
    if (expected.length > 0)
      expect(report.findings[0]).toMatchObject({ input: 'pingone-store-id', reason: expect.stringMatching(/elsewhere/) })
  })

  it('a store that is not GitHubEMU: check-failed naming pingone-store-id, nothing else judged', () => {
    const report = judge(facts({}, store({ type: 'scim', status: 'INACTIVE' })))
    expect(report.findings).toEqual([
      { kind: 'check-failed', input: 'pingone-store-id', reason: expect.stringMatching(/type scim, not GitHubEMU/) }
    ])
  })

  it.each<[string, string | null, string[]]>([
    ['the same id, other case', STORE_ID.toUpperCase(), []],
    ['no id in the answer', null, []],
    ['another store, failing', '0e9b6c1a-0000-4000-8000-000000000000', ['check-failed']]
  ])("the answer's store id (%s): another store's health is never this one's", (_what, id, expected) => {
    const report = judge(facts({}, store({ id }, { syncState: 'FAILED', failedCount: 3, details: 'x' })))
    if (expected.length === 0) expect(kinds(report.findings)).toContain('provisioning-errors')
    else {
      expect(kinds(report.findings)).toEqual(expected)
      expect(report.findings[0]).toMatchObject({ input: 'pingone-store-id' })
      expect(idpStatusOf(report)).toBe('unknown')
    }
  })
})

describe('sign-in and read failures name the input to fix', () => {
  const tokenFailed = (a: Partial<Extract<PingAnswer, { kind: 'response' }>>, auth: JudgeOptions['inputs']['auth'] = OPTIONS.inputs.auth) =>
    judge(facts({ tokenFailure: answer(a), store: null, rules: null, plans: null }), { inputs: { ...OPTIONS.inputs, auth } }).findings
  const key = { kind: 'private-key-jwt', privateKey: 'k', keyId: null } as const

  it.each<[string, Partial<Extract<PingAnswer, { kind: 'response' }>>, JudgeOptions['inputs']['auth'], string | null, RegExp]>([
    [
      'invalid_client (secret)',
      { status: 401, oauthError: 'invalid_client', oauthDescription: 'Invalid client credentials' },
      OPTIONS.inputs.auth,
      'pingone-client-secret',
      /current secret/
    ],
    [
      'unknown client',
      { status: 401, oauthError: 'invalid_client', oauthDescription: 'client_id not found' },
      OPTIONS.inputs.auth,
      'pingone-client-id',
      /does not know the client/
    ],
    [
      'unauthorized_client',
      { status: 400, oauthError: 'unauthorized_client' },
      OPTIONS.inputs.auth,
      'pingone-client-id',
      /Client Credentials/
    ],
    [
      'a bad signature',
      { status: 401, oauthError: 'invalid_client', oauthDescription: 'client_assertion signature could not be verified' },
      key,
      'pingone-private-key',
      /private half/
    ],
    [
      'an expired assertion',
      { status: 401, oauthError: 'invalid_client', oauthDescription: 'client_assertion is expired' },
      key,
      null,
      /clock/
    ],
    [
      'an unknown kid',
      { status: 401, oauthError: 'invalid_client', oauthDescription: 'kid not found' },
      key,
      'pingone-key-id',
      /pingone-key-id/
    ],
    ['an unknown environment', { status: 404, code: 'NOT_FOUND' }, OPTIONS.inputs.auth, 'pingone-environment-id', /no environment/],
    [
      'a redirect',
      { status: 302, location: 'https://elsewhere.example/x' },
      OPTIONS.inputs.auth,
      'pingone-region',
      /redirect \(302\) to elsewhere.example, not followed/
    ],
    [
      'a 429 with Retry-After',
      { status: 429, code: 'REQUEST_LIMITED', retryAfter: '30' },
      OPTIONS.inputs.auth,
      null,
      /rate-limited.*Retry-After: 30 s/
    ],
    ['a 503', { status: 503 }, OPTIONS.inputs.auth, null, /unavailable.*503/]
  ])('token: %s', (_name, a, auth, input, reason) => {
    const [f] = tokenFailed(a, auth)
    expect(f).toMatchObject({ kind: 'check-failed', input })
    expect((f as { reason: string }).reason).toMatch(reason)
  })

  it.each<[string, PingAnswer, string | null, RegExp]>([
    [
      '401 INVALID_TOKEN',
      answer({ status: 401, code: 'ACCESS_FAILED', detailCodes: ['INVALID_TOKEN'] }),
      'pingone-client-id',
      /ACCESS_FAILED \(INVALID_TOKEN\)/
    ],
    [
      '403 INSUFFICIENT_PERMISSIONS',
      answer({ status: 403, code: 'ACCESS_FAILED', detailCodes: ['INSUFFICIENT_PERMISSIONS'] }),
      'pingone-client-id',
      /Configuration Read-Only Admin/
    ],
    ['404 NOT_FOUND', answer({ status: 404, code: 'NOT_FOUND' }), 'pingone-store-id', /no propagation store/],
    ['429 without Retry-After', answer({ status: 429, code: 'REQUEST_LIMITED' }), null, /no Retry-After/],
    ['a hang', { kind: 'fault', fault: 'timeout', detail: 'x' }, null, /no answer within the time budget/],
    ['a network fault', { kind: 'fault', fault: 'network', detail: 'ECONNRESET' }, null, /ECONNRESET.*pingone-region/],
    ['a body too large', answer({ status: 200, bodyProblem: 'too-large' }), null, /could not be read \(too-large\)/],
    ['not JSON', answer({ status: 200, unexpected: 'the body is not JSON' }), null, /not what PingOne sends/]
  ])('store: %s', (_name, a, input, reason) => {
    const report = judge(facts({ store: { answer: a, store: null } }))
    expect(report.findings).toHaveLength(1)
    expect(report.findings[0]).toMatchObject({ kind: 'check-failed', input })
    expect((report.findings[0] as { reason: string }).reason).toMatch(reason)
    expect(idpStatusOf(report)).toBe('unknown')
  })

  it('a key that cannot sign: check-failed naming pingone-private-key', () => {
    const report = judge(facts({ keyProblem: 'it is an EC key', store: null }))
    expect(report.findings).toEqual([
      { kind: 'check-failed', input: 'pingone-private-key', reason: 'the private key cannot be used: it is an EC key' }
    ])
  })

  it('the same facts give the same report (pure)', () => {
    const f = facts({}, store({}, { syncState: 'FAILED', details: '401', failedCount: 2 }))
    expect(judge(f)).toEqual(judge(f))
  })
})

describe("the summary's and the CLI's view of the details", () => {
  it.each<[boolean | string, RegExp]>([
    [true, /^PingOne holds the token this run checks$/],
    [false, /^another token than the one this run checks: GitHub's verdict on the checked token is not about PingOne's$/],
    ['unknown', /^not known/]
  ])('sameTokenAsChecked %j: the Held token row', (same, words) => {
    const view = pingone.view({ ...judge(facts()).details, sameTokenAsChecked: same })
    expect(view.rows.find(r => r[0] === 'Held token')?.[1]).toMatch(words)
  })

  it('the store as one table row and one CLI line; labels fit the CLI column', () => {
    const view = pingone.view(judge(facts({}, store({}, { syncState: 'FAILED', details: '401', failedCount: 7, successCount: 0 }))).details)
    expect(view.table).toEqual({
      columns: ['Propagation store', 'Status', 'Sync state', 'Last sync', 'Succeeded', 'Failed'],
      rows: [[STORE_ID, 'ACTIVE', 'FAILED', SYNCING.lastSyncAt, '0', '7']],
      what: 'stores'
    })
    expect(view.lines).toEqual([`store ${STORE_ID}: ACTIVE; sync FAILED; last sync ${SYNCING.lastSyncAt}; 0 succeeded, 7 failed`])
    for (const [label] of view.rows) expect(label.length).toBeLessThanOrEqual(14)
  })

  it('no store read: rows only, no table', () => {
    const view = pingone.view(judge(facts({ store: { answer: answer({ status: 404, code: 'NOT_FOUND' }), store: null } })).details)
    expect(view.table).toBeNull()
    expect(view.lines).toEqual([])
  })
})
