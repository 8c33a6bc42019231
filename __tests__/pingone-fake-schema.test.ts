/**
 * The PingOne fake answers like PingOne: every body of the three reads, over every world, and its error
 * bodies validate against the schemas of PingOne's OpenAPI description (the vendored subset,
 * __tests__/fixtures/pingone-openapi-subset.json, with its amendments listed in the file); and it refuses
 * every write, the test-connection POST first of all.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import {
  PINGONE_CLIENT_ID,
  PINGONE_CLIENT_SECRET,
  PINGONE_ENV_ID,
  PINGONE_STORE_ID,
  PINGONE_WORLDS,
  healthyPingOneWorld,
  startPingOneFake,
  type FakePingOne,
  type PingOneWorld
} from '../simulator/pingone-fake.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const subset = JSON.parse(readFileSync(resolve(here, 'fixtures/pingone-openapi-subset.json'), 'utf8')) as Record<string, unknown>
const ajv = new Ajv({ strict: false, allErrors: true })
addFormats.default(ajv)
ajv.addSchema(subset as object, 'p1')
const schema = (name: string) => ajv.compile({ $ref: `p1#/components/schemas/${name}` })
const STORE = schema('PropagationStore')
const EMU_CONFIG = schema('PropagationStoreConfigurationGithubEMU')
const RULES = schema('x-RuleList')
const PLANS = schema('EntityArray')
const PLAN = schema('IdentityPropagationPlan')
const P1_ERROR = schema('P1Error')

function expectValid(validate: ReturnType<typeof schema>, body: unknown): void {
  const ok = validate(body)
  expect({ ok, errors: ok ? null : validate.errors }).toEqual({ ok: true, errors: null })
}

let fake: FakePingOne | null = null
afterEach(async () => {
  await fake?.close()
  fake = null
})

async function token(): Promise<string> {
  const res = await fetch(`${fake!.url}/${PINGONE_ENV_ID}/as/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${PINGONE_CLIENT_ID}:${PINGONE_CLIENT_SECRET}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded'
    },
    body: 'grant_type=client_credentials'
  })
  const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number }
  expect(res.status).toBe(200)
  expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 })
  return body.access_token
}

async function get(path: string, bearer: string | null): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${fake!.url}/v1/environments/${PINGONE_ENV_ID}${path}`, {
    headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
    redirect: 'manual'
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers }
}

describe("bodies validate against PingOne's schemas", () => {
  it.each(Object.keys(PINGONE_WORLDS))('%s: the store, its configuration, the rules and the plans', async name => {
    fake = await startPingOneFake(PINGONE_WORLDS[name as keyof typeof PINGONE_WORLDS]())
    const world = fake.world
    world.clients![PINGONE_CLIENT_ID]!.role = 'Configuration Read-Only Admin'
    const bearer = await token()
    const store = await get(`/propagation/stores/${PINGONE_STORE_ID}`, bearer)
    expect(store.status).toBe(200)
    if (name === 'unknown-state') {
      // On purpose: a syncState the spec does not list yet (the provider must not call it healthy); only that is off.
      expect(STORE(store.body)).toBe(false)
      expect(STORE.errors?.map(e => e.instancePath)).toEqual(['/syncStatus/syncState'])
    } else expectValid(STORE, store.body)
    const s = store.body as { type: string; configuration: unknown }
    if (s.type === 'GitHubEMU' && world.returnToken !== false) expectValid(EMU_CONFIG, s.configuration)
    const rules = await get('/propagation/rules', bearer)
    expectValid(RULES, rules.body)
    const plans = await get('/propagation/plans', bearer)
    expectValid(PLANS, plans.body)
    for (const plan of (plans.body as { _embedded: { plans: unknown[] } })._embedded.plans) expectValid(PLAN, plan)
  })

  it.each<[string, (w: PingOneWorld) => void, number, string, string | null]>([
    ['no token', () => {}, 401, 'ACCESS_FAILED', 'INVALID_TOKEN'],
    ['an app without a role', w => void (w.clients![PINGONE_CLIENT_ID]!.role = null), 403, 'ACCESS_FAILED', 'INSUFFICIENT_PERMISSIONS'],
    ['an unknown store', w => void (w.stores = {}), 404, 'NOT_FOUND', null],
    [
      'a rate limit',
      w => void (w.faults = { 'GET store': { kind: 'rate-limit', retryAfterSeconds: 7 } }),
      429,
      'REQUEST_LIMITED',
      'LIMIT_EXCEEDED'
    ],
    ['an outage', w => void (w.faults = { 'GET store': { kind: 'status', status: 500 } }), 500, 'UNEXPECTED_ERROR', null]
  ])('%s: HTTP %i, a P1Error %s (%s)', async (name, mutate, status, code, detail) => {
    const world = healthyPingOneWorld()
    mutate(world)
    fake = await startPingOneFake(world)
    const bearer = name === 'no token' ? null : await token()
    const r = await get(`/propagation/stores/${PINGONE_STORE_ID}`, bearer)
    expect(r.status).toBe(status)
    expectValid(P1_ERROR, r.body)
    const body = r.body as { code: string; details?: Array<{ code: string }> }
    expect(body.code).toBe(code)
    expect(body.details?.[0]?.code ?? null).toBe(detail)
    if (status === 429) expect(r.headers.get('retry-after')).toBe('7')
  })
})

describe('read only', () => {
  it.each<[string, string]>([
    ['POST', `/v1/environments/${PINGONE_ENV_ID}/propagation/stores/connection/status`],
    ['POST', `/v1/environments/${PINGONE_ENV_ID}/propagation/revisions`],
    ['PUT', `/v1/environments/${PINGONE_ENV_ID}/propagation/stores/${PINGONE_STORE_ID}`],
    ['DELETE', `/v1/environments/${PINGONE_ENV_ID}/propagation/stores/${PINGONE_STORE_ID}`],
    ['PATCH', `/v1/environments/${PINGONE_ENV_ID}/propagation/rules`]
  ])('%s %s: refused (405) and recorded as a violation', async (method, path) => {
    fake = await startPingOneFake(healthyPingOneWorld())
    const res = await fetch(`${fake.url}${path}`, { method, body: method === 'DELETE' ? undefined : '{}' })
    expect(res.status).toBe(405)
    expect(fake.violations).toHaveLength(1)
    if (path.endsWith('connection/status')) expect(fake.violations[0]).toMatch(/Test Connection/)
  })

  it('the token endpoint: a wrong secret is refused with an OAuth error, no token', async () => {
    fake = await startPingOneFake(healthyPingOneWorld())
    const res = await fetch(`${fake.url}/${PINGONE_ENV_ID}/as/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${PINGONE_CLIENT_ID}:wrong`).toString('base64')}` },
      body: 'grant_type=client_credentials'
    })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ error: 'invalid_client', error_description: expect.any(String) })
    expect(fake.issuedTokens).toEqual([])
    expect(fake.violations).toEqual([])
  })
})
