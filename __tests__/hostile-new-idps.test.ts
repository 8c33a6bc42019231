/**
 * An attacker's review of OneLogin, PingOne and JumpCloud: what an admin may misconfigure (a secret pasted
 * with a line break inside) and what a hostile IdP may answer (a list that pages on, counts that cancel out).
 * Each case failed before its fix: a secret with a line break went out in a header (JumpCloud's API key is
 * sent as it is; undici refuses it and the run blamed the network); PingOne's plans paged on with no plan of
 * the store on the first page and the verdict read healthy; negative failure counts cancelled real ones.
 */
import { describe, expect, it } from '@jest/globals'
import { idpStatusOf } from '../src/diagnose/idp.js'
import type { InputProblem } from '../src/input-fields.js'
import { parseJumpCloud } from '../src/idp/jumpcloud/provider.js'
import { classifyEvent } from '../src/idp/onelogin/event-types.js'
import { parseOneLogin } from '../src/idp/onelogin/provider.js'
import type { PingAnswer, PingOneFacts, PingStore } from '../src/idp/pingone/facts.js'
import { judgePingOne } from '../src/idp/pingone/judge.js'
import { parsePingOne } from '../src/idp/pingone/provider.js'
import { JC_APP_ID } from '../simulator/jumpcloud-fake.mjs'

const GUID_A = '11111111-1111-4111-8111-111111111111'
const GUID_B = '22222222-2222-4222-8222-222222222222'
const GUID_C = '33333333-3333-4333-8333-333333333333'

const BASE: Record<string, Record<string, string>> = {
  onelogin: {
    'onelogin-url': 'https://acme.onelogin.com',
    'onelogin-client-id': 'a'.repeat(64),
    'onelogin-client-secret': 'b'.repeat(64),
    'onelogin-app-id': '1234'
  },
  pingone: {
    'pingone-environment-id': GUID_A,
    'pingone-store-id': GUID_B,
    'pingone-client-id': GUID_C,
    'pingone-client-secret': 'Zr8~q2.Secret-Value_0123456789abcdef'
  },
  jumpcloud: { 'jumpcloud-app-id': JC_APP_ID, 'jumpcloud-api-key': 'jca_' + 'k'.repeat(36) },
  'jumpcloud-sa': {
    'jumpcloud-app-id': JC_APP_ID,
    'jumpcloud-client-id': 'sa-client-0123',
    'jumpcloud-client-secret': 'S3cret-value-0123456789abcdefXYZ'
  }
}
const PARSE = { onelogin: parseOneLogin, pingone: parsePingOne, jumpcloud: parseJumpCloud, 'jumpcloud-sa': parseJumpCloud }

function parse(provider: keyof typeof PARSE, over: Record<string, string>): { config: unknown; problems: InputProblem[] } {
  const values: Record<string, string> = { ...BASE[provider], ...over }
  const problems: InputProblem[] = []
  const config = PARSE[provider](name => values[name] ?? '', {}, problems)
  return { config, problems }
}

describe('a secret with a line break or a control character inside is input-invalid, naming the input', () => {
  it.each<[keyof typeof PARSE, string, string]>([
    ['jumpcloud', 'jumpcloud-api-key', 'jca_first-half\njca_second-half-0123456789'],
    ['jumpcloud', 'jumpcloud-api-key', 'jca_first-half\r\nx-injected: 1'],
    ['jumpcloud', 'jumpcloud-api-key', 'jca_with a-space-0123456789abcdef'],
    ['jumpcloud-sa', 'jumpcloud-client-secret', 'S3cret-first\nS3cret-second-0123456789'],
    ['onelogin', 'onelogin-client-secret', 'bbbbbbbbbbbbbbbb\nbbbbbbbbbbbbbbbbbbbb'],
    ['onelogin', 'onelogin-client-secret', 'bbbbbbbbbbbbbbbb\u0000bbbbbbbbbbbbbbbb'],
    ['pingone', 'pingone-client-secret', 'Zr8~q2.Secret\r\nValue_0123456789abcdef']
  ])('%s: %s', (provider, input, value) => {
    const { config, problems } = parse(provider, { [input]: value })
    expect(config).toBeNull()
    expect(problems.map(p => p.input)).toEqual([input])
    // The problem never quotes the secret, not even a half of it.
    for (const half of value.split(/\s+/).flatMap(p => p.split(String.fromCharCode(0)))) expect(problems[0]!.message).not.toContain(half)
  })

  it.each(Object.keys(PARSE) as Array<keyof typeof PARSE>)('%s: the well-formed inputs still parse', provider => {
    const { config, problems } = parse(provider, {})
    expect(problems).toEqual([])
    expect(config).not.toBeNull()
  })
})

describe('URLs with credentials, a query or plain http, and ids of the wrong shape are input-invalid, naming the input', () => {
  it.each<[keyof typeof PARSE, string, string]>([
    ['onelogin', 'onelogin-url', 'https://admin:hunter2hunter2@acme.onelogin.com'],
    ['onelogin', 'onelogin-url', 'https://acme.onelogin.com?next=https://evil.example'],
    ['onelogin', 'onelogin-url', 'http://acme.onelogin.com'],
    ['onelogin', 'onelogin-url', 'https://acme.onelogin.com/api/1'],
    ['onelogin', 'onelogin-app-id', '1234/../5678'],
    ['onelogin', 'onelogin-app-id', '0x12'],
    ['pingone', 'pingone-api-url', 'https://api.pingone.eu#frag'],
    ['pingone', 'pingone-auth-url', 'https://u:p@auth.pingone.eu'],
    ['pingone', 'pingone-store-id', '22222222-2222-4222-8222-22222222222'],
    ['pingone', 'pingone-environment-id', '../11111111-1111-4111-8111-111111111111'],
    ['pingone', 'pingone-region', 'evil.example'],
    ['jumpcloud', 'jumpcloud-console-url', 'http://console.jumpcloud.com'],
    ['jumpcloud', 'jumpcloud-insights-url', 'https://api.jumpcloud.com?x=1'],
    ['jumpcloud', 'jumpcloud-oauth-url', 'https://k:s@admin-oauth.id.jumpcloud.com'],
    ['jumpcloud', 'jumpcloud-app-id', JC_APP_ID.slice(1)],
    ['jumpcloud', 'jumpcloud-org-id', 'not-an-org-id']
  ])('%s: %s = %s', (provider, input, value) => {
    const { config, problems } = parse(provider, { [input]: value })
    expect(config).toBeNull()
    expect(problems.map(p => p.input)).toEqual([input])
    for (const secretPart of ['hunter2hunter2', 'u:p@', 'k:s@']) expect(problems[0]!.message).not.toContain(secretPart)
  })
})

// ── PingOne: hostile lists and counts (the pure verdict, table-driven) ──

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
const STORE: PingStore = {
  id: GUID_B,
  name: 'GitHub EMU',
  type: 'GitHubEMU',
  status: 'ACTIVE',
  baseUrl: 'https://api.github.com/scim/v2/enterprises/fabrikam',
  createUsers: true,
  updateUsers: true,
  deprovisionUsers: true,
  sync: {
    syncState: 'SYNCING',
    details: '',
    lastSyncAt: '2026-12-01T10:00:00.000Z',
    successCount: 10,
    failedCount: 0,
    failedDeprovisionCount: 0,
    userTotal: 10
  },
  tokenReturned: false,
  sameTokenAsChecked: null
}
const PLAN_ID = 'aaaaaaaa-0000-4000-8000-000000000001'
const OTHER_PLAN = 'aaaaaaaa-0000-4000-8000-000000000002'

function pingFacts(over: Partial<PingOneFacts> = {}, sync: Partial<NonNullable<PingStore['sync']>> = {}): PingOneFacts {
  return {
    auth: 'secret',
    keyIdGiven: false,
    keyProblem: null,
    tokenFailure: null,
    store: { answer: OK, store: { ...STORE, sync: { ...STORE.sync!, ...sync } } },
    rules: { answer: OK, items: [{ id: 'r1', active: true, targetStoreId: GUID_B, planId: PLAN_ID }], more: false },
    plans: { answer: OK, items: [{ id: PLAN_ID, status: 'ACTIVE' }], more: false },
    requests: 4,
    ...over
  }
}
const judge = (f: PingOneFacts) =>
  judgePingOne(f, {
    storeId: GUID_B,
    enterprise: 'fabrikam',
    inputs: { auth: { kind: 'secret', secret: 'x' }, authUrlInput: 'pingone-region', apiUrlInput: 'pingone-region' }
  })

describe('PingOne: a verdict the answers cannot support is never healthy', () => {
  it.each<[string, PingOneFacts, string]>([
    [
      "plans page on (_links.next) and the rule's plan is not on the first page",
      pingFacts({ plans: { answer: OK, items: [{ id: OTHER_PLAN, status: 'ACTIVE' }], more: true } }),
      'unknown'
    ],
    ['plans page on, none on the first page', pingFacts({ plans: { answer: OK, items: [], more: true } }), 'unknown'],
    ['rules page on, none of the first targets the store', pingFacts({ rules: { answer: OK, items: [], more: true } }), 'unknown']
  ])('%s: %s', (_what, facts, status) => {
    const report = judge(facts)
    expect(idpStatusOf(report)).toBe(status)
    const partial = report.findings.find(f => f.kind === 'check-failed')
    expect(partial).toMatchObject({ kind: 'check-failed', input: null, partial: true })
  })

  it("the rule's plan on the first page decides, whatever the next pages hold", () => {
    const report = judge(pingFacts({ plans: { answer: OK, items: [{ id: PLAN_ID, status: 'ACTIVE' }], more: true } }))
    expect(report.findings).toEqual([])
    expect(idpStatusOf(report)).toBe('healthy')
  })

  it.each<[string, Partial<NonNullable<PingStore['sync']>>]>([
    ['failedCount cancelled by a negative failedDeprovisionCount', { failedCount: 3, failedDeprovisionCount: -3 }],
    ['failedDeprovisionCount cancelled by a negative failedCount', { failedCount: -1, failedDeprovisionCount: 1 }]
  ])('%s: the failures still count', (_what, sync) => {
    const report = judge(pingFacts({}, sync))
    expect(report.findings.map(f => f.kind)).toEqual(['provisioning-errors'])
    expect(report.lastSuccessAt).toBeNull()
  })

  it('a negative count alone is no failure, and not counted as one', () => {
    const report = judge(pingFacts({}, { failedCount: -5, failedDeprovisionCount: 0 }))
    expect(report.findings).toEqual([])
  })
})

// ── A user's name in the IdP's error text never decides the verdict ──

const NAMED_USERS: Array<[string, string]> = [
  ['a login with "token" in it', 'Failed to create user token.smith@acme.com in GitHub: 409 Conflict'],
  ['a login with "401" in it', 'Could not update 401.ops@acme.com: 422 Unprocessable Entity'],
  ['a quoted name with "credential" in it', "User 'credential-tester' already exists (409)"],
  ['a double-quoted name "Unauthorized Bob"', 'Could not create user "Unauthorized Bob": 422 invalid attribute']
]
const CREDENTIALS_SAID: Array<[string, string]> = [
  ["GitHub's 401", 'GitHub returned 401 Bad credentials for user bob@acme.com'],
  ['an unauthorized token', "Unauthorized: the token for 'GitHub' was revoked"]
]

describe('OneLogin: a per-user failure whose text quotes a user is not a credentials failure', () => {
  const event = (errorDescription: string) => ({ eventTypeId: 64, appId: 1234, errorDescription })
  it.each(NAMED_USERS)('%s', (_what, text) => expect(classifyEvent(event(text), '1234')).toBe('other'))
  it.each(CREDENTIALS_SAID)('%s still is one', (_what, text) => expect(classifyEvent(event(text), '1234')).toBe('credentials'))
})

describe("PingOne: a FAILED sync whose details quote a user is provisioning errors, not the store's credential", () => {
  const kindsOf = (details: string) => judge(pingFacts({}, { syncState: 'FAILED', details, failedCount: 1 })).findings.map(f => f.kind)
  it.each(NAMED_USERS)('%s', (_what, text) => expect(kindsOf(text)).toEqual(['provisioning-errors']))
  it.each(CREDENTIALS_SAID)('%s still is one', (_what, text) => expect(kindsOf(text)).toEqual(['credentials-rejected']))
})
