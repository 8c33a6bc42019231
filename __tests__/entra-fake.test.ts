/**
 * The Entra fake answers like the services it plays: every body it serves has the shape of Microsoft's
 * documented examples (__tests__/fixtures/graph-synchronization-examples.json; the schemas below are checked
 * against those examples first), the token endpoint really verifies a federated assertion, the runner's OIDC
 * endpoint checks its request token, writes are recorded as violations, and each fault does what it says.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import {
  AUDIENCE,
  CLIENT_ID,
  CLIENT_SECRET,
  ENTRA_SCENARIOS,
  FEDERATED_SUBJECT,
  GITHUB_OIDC_ISSUER,
  OIDC_REQUEST_TOKEN,
  ROUTE_KEYS,
  SERVICE_PRINCIPAL_ID,
  TENANT_ID,
  entraWorld,
  startEntraFake,
  type EntraWorld,
  type FakeEntra
} from '../simulator/entra-fake.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const examples = JSON.parse(readFileSync(resolve(here, 'fixtures/graph-synchronization-examples.json'), 'utf8')) as Record<
  string,
  { status?: number; body?: unknown; status_object?: unknown; headers?: Record<string, string> }
>

// ── Shapes, after the documented examples (idp-api-facts §2.3, [E8][E11][E12][E1]) ──────────────

const dateTime = { type: 'string', format: 'date-time' }
const nullable = (schema: object) => ({ anyOf: [{ type: 'null' }, schema] })
const int = { type: 'integer', minimum: 0 }
const syncError = {
  type: 'object',
  required: ['code', 'message'],
  properties: { code: { type: 'string' }, message: { type: 'string' }, tenantActionable: { type: 'boolean' } },
  additionalProperties: false
}
const execution = {
  type: 'object',
  required: ['activityIdentifier', 'state', 'timeBegan', 'timeEnded'],
  properties: {
    activityIdentifier: { type: 'string' },
    countEntitled: int,
    countEntitledForProvisioning: int,
    countEscrowed: int,
    countEscrowedRaw: int,
    countExported: int,
    countExports: int,
    countImported: int,
    countImportedDeltas: int,
    countImportedReferenceDeltas: int,
    state: { enum: ['Succeeded', 'Failed', 'EntryLevelErrors'] },
    error: nullable(syncError),
    timeBegan: dateTime,
    timeEnded: dateTime
  },
  additionalProperties: false
}
const quarantine = {
  type: 'object',
  required: ['currentBegan', 'nextAttempt', 'reason', 'seriesBegan', 'seriesCount'],
  properties: {
    currentBegan: dateTime,
    nextAttempt: dateTime,
    reason: {
      enum: [
        'EncounteredBaseEscrowThreshold',
        'EncounteredTotalEscrowThreshold',
        'EncounteredEscrowProportionThreshold',
        'EncounteredQuarantineException',
        'Unknown',
        'QuarantinedOnDemand',
        'TooManyDeletes',
        'IngestionInterrupted'
      ]
    },
    seriesBegan: dateTime,
    seriesCount: int,
    error: nullable(syncError)
  },
  additionalProperties: false
}
const status = {
  type: 'object',
  required: [
    'code',
    'countSuccessiveCompleteFailures',
    'escrowsPruned',
    'quarantine',
    'lastExecution',
    'lastSuccessfulExecution',
    'lastSuccessfulExecutionWithExports',
    'steadyStateFirstAchievedTime',
    'steadyStateLastAchievedTime',
    'synchronizedEntryCountByType'
  ],
  properties: {
    code: { enum: ['NotConfigured', 'NotRun', 'Active', 'Paused', 'Quarantine'] },
    countSuccessiveCompleteFailures: int,
    escrowsPruned: { type: 'boolean' },
    quarantine: nullable(quarantine),
    troubleshootingUrl: { type: ['string', 'null'] },
    lastExecution: nullable(execution),
    lastSuccessfulExecution: nullable(execution),
    lastSuccessfulExecutionWithExports: nullable(execution),
    progress: { type: 'array' },
    steadyStateFirstAchievedTime: dateTime,
    steadyStateLastAchievedTime: dateTime,
    synchronizedEntryCountByType: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'value'],
        properties: { key: { type: 'string' }, value: int },
        additionalProperties: false
      }
    }
  },
  additionalProperties: false
}
const job = {
  type: 'object',
  required: ['id', 'templateId', 'schedule', 'status'],
  properties: {
    id: { type: 'string', minLength: 1 },
    templateId: { type: 'string', minLength: 1 },
    schedule: {
      type: 'object',
      required: ['expiration', 'interval', 'state'],
      properties: {
        expiration: nullable(dateTime),
        interval: { type: 'string', pattern: '^P' },
        state: { enum: ['Active', 'Disabled', 'Paused'] }
      },
      additionalProperties: false
    },
    status,
    synchronizationJobSettings: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'value'],
        properties: { name: { type: 'string' }, value: { type: 'string' } },
        additionalProperties: false
      }
    }
  },
  additionalProperties: false
}
const jobList = {
  type: 'object',
  required: ['value'],
  properties: { '@odata.context': { type: 'string' }, value: { type: 'array', items: job } },
  additionalProperties: false
}
const graphErrorShape = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'innerError'],
      properties: {
        code: { type: 'string', minLength: 1 },
        message: { type: 'string' },
        innerError: {
          type: 'object',
          required: ['request-id', 'date'],
          properties: { 'request-id': { type: 'string' }, date: { type: 'string' } }
        }
      },
      additionalProperties: false
    }
  },
  additionalProperties: false
}
const tokenError = {
  type: 'object',
  required: ['error', 'error_description', 'error_codes', 'timestamp', 'trace_id', 'correlation_id'],
  properties: {
    error: { type: 'string', pattern: '^[a-z_]+$' },
    error_description: { type: 'string', pattern: '^AADSTS[0-9]+: ' },
    error_codes: { type: 'array', items: { type: 'integer' }, minItems: 1 },
    timestamp: { type: 'string' },
    trace_id: { type: 'string' },
    correlation_id: { type: 'string' },
    error_uri: { type: 'string', format: 'uri' }
  },
  additionalProperties: false
}
const tokenSuccess = {
  type: 'object',
  required: ['token_type', 'expires_in', 'access_token'],
  properties: { token_type: { const: 'Bearer' }, expires_in: int, ext_expires_in: int, access_token: { type: 'string', minLength: 1 } },
  additionalProperties: false
}

const ajv = new Ajv({ strict: true, allErrors: true })
addFormats.default(ajv)
const validate = {
  jobList: ajv.compile(jobList),
  job: ajv.compile(job),
  status: ajv.compile(status),
  graphError: ajv.compile(graphErrorShape),
  tokenError: ajv.compile(tokenError),
  tokenSuccess: ajv.compile(tokenSuccess)
}
const errorsOf = (v: { errors?: unknown }) => JSON.stringify(v.errors, null, 1)

describe('the shapes fit the documented examples', () => {
  const cases: Array<[string, keyof typeof validate, unknown]> = [
    ['documented_list_paused', 'jobList', examples.documented_list_paused?.body],
    ['documented_get_quarantined_invalid_credentials', 'job', examples.documented_get_quarantined_invalid_credentials?.body],
    ['documented_status_quarantined_app_specific_code', 'status', examples.documented_status_quarantined_app_specific_code?.status_object],
    ['constructed_list_healthy_github', 'jobList', examples.constructed_list_healthy_github?.body],
    ['constructed_list_not_configured', 'jobList', examples.constructed_list_not_configured?.body],
    ['documented_graph_error_shape', 'graphError', examples.documented_graph_error_shape?.body],
    ['observed_graph_429', 'graphError', examples.observed_graph_429?.body],
    ['documented_token_error', 'tokenError', examples.documented_token_error?.body],
    ['documented_token_success', 'tokenSuccess', examples.documented_token_success?.body]
  ]
  it.each(cases)('%s', (_name, kind, body) => {
    expect(body).toBeDefined()
    const v = validate[kind]
    const ok = v(body)
    if (!ok) throw new Error(errorsOf(v))
  })

  it('a body of another shape fails (the schemas can fail)', () => {
    const paused = structuredClone(examples.documented_list_paused?.body) as { value: Array<{ status: { code: string } }> }
    const first = paused.value[0]
    if (first) first.status.code = 'Sleeping'
    expect(validate.jobList(paused)).toBe(false)
    expect(validate.graphError({ error: 'x' })).toBe(false)
    expect(validate.tokenError({ error: 'invalid_client', error_description: 'no code' })).toBe(false)
  })
})

// ── The fake over HTTP ───────────────────────────────────────────────────

const fakes: FakeEntra[] = []
afterAll(async () => {
  await Promise.all(fakes.map(f => f.close()))
})
async function start(world: EntraWorld): Promise<FakeEntra> {
  const fake = await startEntraFake(world)
  fakes.push(fake)
  return fake
}

const SCOPE = (fake: FakeEntra) => `${fake.graphUrl}/.default`

async function tokenRequest(fake: FakeEntra, form: Record<string, string>, tenant = TENANT_ID) {
  const res = await fetch(`${fake.loginUrl}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, scope: SCOPE(fake), ...form }).toString()
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

async function oidcToken(fake: FakeEntra, audience = AUDIENCE, requestToken = OIDC_REQUEST_TOKEN) {
  const res = await fetch(`${fake.oidcRequestUrl}&audience=${encodeURIComponent(audience)}`, {
    headers: { authorization: `Bearer ${requestToken}` }
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
const assertionForm = (jwt: string) => ({ client_assertion_type: JWT_BEARER, client_assertion: jwt })

async function jobsWith(fake: FakeEntra, accessToken: string | null, id = SERVICE_PRINCIPAL_ID) {
  const res = await fetch(`${fake.graphUrl}/v1.0/servicePrincipals/${id}/synchronization/jobs`, {
    headers: accessToken === null ? {} : { authorization: `Bearer ${accessToken}` }
  })
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> }
}

async function accessToken(fake: FakeEntra): Promise<string> {
  const { status, body } = await tokenRequest(fake, { client_secret: CLIENT_SECRET })
  expect(status).toBe(200)
  return body.access_token as string
}

describe('the fake serves the documented shapes', () => {
  let fake: FakeEntra
  beforeAll(async () => {
    fake = await start(entraWorld('healthy'))
  })

  it.each(ENTRA_SCENARIOS.map(s => [s]))('jobs of %s validate', async scenario => {
    fake.setWorld(entraWorld(scenario))
    const { status, body } = await jobsWith(fake, await accessToken(fake))
    expect(status).toBe(200)
    if (!validate.jobList(body)) throw new Error(errorsOf(validate.jobList))
    expect((body.value as unknown[]).length).toBe(scenario === 'no-job' ? 0 : scenario === 'two-jobs' ? 2 : 1)
  })

  it('a token answer and every token error validate', async () => {
    fake.setWorld(entraWorld('healthy'))
    const ok = await tokenRequest(fake, { client_secret: CLIENT_SECRET })
    expect(validate.tokenSuccess(ok.body)).toBe(true)
    const errors = [
      await tokenRequest(fake, { client_secret: 'wrong-secret-value' }),
      await tokenRequest(fake, { client_secret: CLIENT_SECRET }, '00000000-0000-4000-8000-000000000000'),
      await tokenRequest(fake, { client_secret: CLIENT_SECRET, client_id: '11111111-1111-4111-8111-111111111111' }),
      await tokenRequest(fake, { client_secret: CLIENT_SECRET, scope: 'https://graph.microsoft.com/.default' }),
      await tokenRequest(fake, {})
    ]
    expect(errors.map(e => [e.status, (e.body.error_codes as number[])[0]])).toEqual([
      [401, 7000215],
      [400, 90002],
      [400, 700016],
      [400, 70011],
      [400, 7000218]
    ])
    for (const e of errors) if (!validate.tokenError(e.body)) throw new Error(errorsOf(validate.tokenError))
  })

  it('an expired client secret is AADSTS7000222', async () => {
    const world = entraWorld('healthy')
    world.app.secrets = [{ value: CLIENT_SECRET, expiresAt: '2020-01-01T00:00:00Z' }]
    fake.setWorld(world)
    const { status, body } = await tokenRequest(fake, { client_secret: CLIENT_SECRET })
    expect([status, body.error, body.error_codes]).toEqual([401, 'invalid_client', [7000222]])
  })

  it('Graph errors validate: no token 401, no consent 403, unknown id 404', async () => {
    const world = entraWorld('healthy')
    fake.setWorld(world)
    const token = await accessToken(fake)
    const unknown = await jobsWith(fake, token, '99999999-9999-4999-8999-999999999999')
    const none = await jobsWith(fake, null)
    world.app.permissions = []
    const noConsent = await jobsWith(fake, await accessToken(fake))
    expect([unknown.status, none.status, noConsent.status]).toEqual([404, 401, 403])
    for (const r of [unknown, none, noConsent]) if (!validate.graphError(r.body)) throw new Error(errorsOf(validate.graphError))
  })
})

describe('GitHub OIDC federation is really verified', () => {
  let fake: FakeEntra
  beforeAll(async () => {
    fake = await start(entraWorld('healthy'))
  })

  it('the runner endpoint issues an RS256 JWT for the audience asked, only with the request token', async () => {
    fake.setWorld(entraWorld('healthy'))
    const refused = await oidcToken(fake, AUDIENCE, 'not-the-request-token')
    expect(refused.status).toBe(401)
    const { status, body } = await oidcToken(fake, 'api://Custom')
    expect(status).toBe(200)
    const [header, payload] = String(body.value)
      .split('.')
      .slice(0, 2)
      .map(p => JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>)
    expect(header?.alg).toBe('RS256')
    expect(payload).toMatchObject({ aud: 'api://Custom', iss: GITHUB_OIDC_ISSUER, sub: FEDERATED_SUBJECT })
    expect(fake.requests.at(-1)?.query).toEqual({ 'api-version': '2.0', audience: 'api://Custom' })
  })

  it('a matching assertion gets a token; a wrong audience, subject, signature or expiry does not', async () => {
    fake.setWorld(entraWorld('healthy'))
    const good = String((await oidcToken(fake)).body.value)
    expect((await tokenRequest(fake, assertionForm(good))).status).toBe(200)

    const wrongAudience = String((await oidcToken(fake, 'api://Other')).body.value)
    const a = await tokenRequest(fake, assertionForm(wrongAudience))
    expect(a.body.error_codes).toEqual([700212])

    const world = entraWorld('healthy')
    world.oidc.subject = 'repo:acme/provisioning:ref:refs/heads/main'
    fake.setWorld(world)
    const wrongSubject = String((await oidcToken(fake)).body.value)
    const s = await tokenRequest(fake, assertionForm(wrongSubject))
    expect([s.status, s.body.error_codes]).toEqual([400, [700213]])
    expect(String(s.body.error_description)).toContain("subject 'repo:acme/provisioning:ref:refs/heads/main'")

    // A payload changed after signing: the signature no longer holds.
    const [h, p, sig] = good.split('.')
    const forged = JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
    forged.sub = 'repo:evil/repo:ref:refs/heads/main'
    const tampered = `${h}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${sig}`
    expect((await tokenRequest(fake, assertionForm(tampered))).body.error_codes).toEqual([700027])

    const expiring = entraWorld('healthy')
    expiring.oidc.lifetimeSeconds = -10
    fake.setWorld(expiring)
    const expired = String((await oidcToken(fake)).body.value)
    expect((await tokenRequest(fake, assertionForm(expired))).body.error_codes).toEqual([700024])
  })
})

describe('read only, and faults', () => {
  let fake: FakeEntra
  beforeAll(async () => {
    fake = await start(entraWorld('healthy'))
  })

  it('records a write as a violation, and not the token POST', async () => {
    fake.setWorld(entraWorld('healthy'))
    await accessToken(fake)
    expect(fake.violations).toEqual([])
    const res = await fetch(`${fake.graphUrl}/v1.0/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/jobs/x/start`, {
      method: 'POST'
    })
    expect(res.status).toBe(405)
    await fetch(`${fake.graphUrl}/v1.0/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/jobs`, { method: 'DELETE' })
    expect(fake.violations).toHaveLength(2)
    expect(fake.violations[0]).toMatch(/^POST graph .*start: write request refused/)
  })

  it('429 carries Retry-After; a redirect carries Location; a status fault has the service shape; `times` limits a fault', async () => {
    const world = entraWorld('healthy')
    world.faults = {
      [ROUTE_KEYS.jobs]: { kind: 'rate-limit', retryAfter: 7, times: 1 },
      [ROUTE_KEYS.token]: { kind: 'status', status: 503, times: 1 }
    }
    fake.setWorld(world)
    const down = await tokenRequest(fake, { client_secret: CLIENT_SECRET })
    expect(down.status).toBe(503)
    expect(validate.tokenError(down.body)).toBe(true)
    const token = await accessToken(fake)
    const limited = await jobsWith(fake, token)
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '7'])
    expect(validate.graphError(limited.body)).toBe(true)
    expect((await jobsWith(fake, token)).status).toBe(200)

    world.faults = { [ROUTE_KEYS.jobs]: { kind: 'redirect', location: 'https://evil.example/jobs' } }
    const res = await fetch(`${fake.graphUrl}/v1.0/servicePrincipals/${SERVICE_PRINCIPAL_ID}/synchronization/jobs`, { redirect: 'manual' })
    expect([res.status, res.headers.get('location')]).toEqual([302, 'https://evil.example/jobs'])
  })

  it('the log keeps fingerprints, never a credential', async () => {
    fake.setWorld(entraWorld('healthy'))
    await accessToken(fake)
    const log = JSON.stringify(fake.requests)
    expect(log).not.toContain(CLIENT_SECRET)
    expect(fake.requests.at(-1)?.form).toMatchObject({ grantType: 'client_credentials', clientId: CLIENT_ID, scope: SCOPE(fake) })
  })
})
