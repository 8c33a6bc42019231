/**
 * The Okta fake answers like Okta: every JSON body of the management API it serves, over every world and
 * the error routes, validates against the schema of Okta's OpenAPI description (the vendored subset,
 * __tests__/fixtures/okta-openapi-subset.json) for the same operation and status; and the behaviours the
 * provider relies on hold (texts, assertion checks, read-only log).
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import { clientAssertion, readSigningKey } from '../src/idp/okta/jwt.js'
import {
  OKTA_API_TOKEN,
  OKTA_APP_ID,
  OKTA_CLIENT_ID,
  OKTA_KEY_IDS,
  OKTA_MESSAGES,
  OKTA_WORLDS,
  healthyOktaWorld,
  oktaKeys,
  startOktaFake,
  type FakeOkta,
  type OktaWorld
} from '../simulator/okta-fake.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const subset = JSON.parse(readFileSync(resolve(here, 'fixtures/okta-openapi-subset.json'), 'utf8')) as Record<string, unknown>

/** The subset leaves some referenced schemas out: those refs accept anything (fixtures/README.md). */
function resolvable(node: unknown, root: Record<string, unknown>): unknown {
  if (Array.isArray(node)) return node.map(n => resolvable(n, root))
  if (node === null || typeof node !== 'object') return node
  const obj = node as Record<string, unknown>
  if (typeof obj.$ref === 'string') {
    const target = obj.$ref
      .slice(2)
      .split('/')
      .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], root)
    if (target === undefined) return {}
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, resolvable(v, root)]))
}
const spec = resolvable(subset, subset) as {
  paths: Record<string, { get: { responses: Record<string, { $ref?: string; content?: Record<string, { schema: object }> }> } }>
  components: { responses: Record<string, { content: Record<string, { schema: object }> }> }
}

const ajv = new Ajv({ strict: false, allErrors: true })
addFormats.default(ajv)
ajv.addSchema(spec as object, 'okta')

const validators = new Map<string, ValidateFunction>()
function validatorFor(template: string, status: number): ValidateFunction | null {
  const key = `${template} ${status}`
  if (validators.has(key)) return validators.get(key)!
  let response = spec.paths[template]?.get.responses[String(status)]
  if (!response && status === 401) response = { $ref: '#/components/responses/ErrorInvalidToken401' }
  if (!response) return null
  const name = response.$ref?.split('/').pop()
  const media = name ? spec.components.responses[name]!.content['application/json'] : response.content?.['application/json']
  if (!media) return null
  const pointer = name
    ? `okta#/components/responses/${name}/content/application~1json/schema`
    : `okta#/paths/${template.replace(/~/g, '~0').replace(/\//g, '~1')}/get/responses/${status}/content/application~1json/schema`
  const validate = ajv.compile({ $ref: pointer })
  validators.set(key, validate)
  return validate
}

let fake: FakeOkta | null = null
afterEach(async () => {
  await fake?.close()
  fake = null
})

async function get(path: string, token = OKTA_API_TOKEN): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${fake!.url}${path}`, {
    headers: { authorization: `SSWS ${token}`, accept: 'application/json' },
    redirect: 'manual'
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers }
}

function expectValid(template: string, status: number, body: unknown): void {
  const validate = validatorFor(template, status)
  expect(validate).not.toBeNull()
  const ok = validate!(body)
  if (!ok) throw new Error(`${template} ${status}: ${ajv.errorsText(validate!.errors).slice(0, 600)}`)
}

const logsQuery = (extra = ''): string =>
  `/api/v1/logs?since=${encodeURIComponent(new Date(Date.now() - 720 * 3_600_000).toISOString())}&until=${encodeURIComponent(new Date().toISOString())}` +
  `&filter=${encodeURIComponent(`target.id eq "${OKTA_APP_ID}"`)}&sortOrder=DESCENDING&limit=200${extra}`

describe("bodies validate against Okta's OpenAPI subset", () => {
  it.each(Object.keys(OKTA_WORLDS))('world %s: the app and every log page', async name => {
    fake = await startOktaFake(OKTA_WORLDS[name as keyof typeof OKTA_WORLDS]())
    const app = await get(`/api/v1/apps/${OKTA_APP_ID}`)
    expect(app.status).toBe(200)
    expectValid('/api/v1/apps/{appId}', 200, app.body)
    let path: string | null = logsQuery()
    let pages = 0
    while (path && pages < 10) {
      const page = await get(path)
      expect(page.status).toBe(200)
      expectValid('/api/v1/logs', 200, page.body)
      expect(page.headers.get('x-okta-request-id')).toBeTruthy()
      expect(page.headers.get('x-rate-limit-reset')).toMatch(/^\d+$/)
      const link = page.headers.get('link') ?? ''
      expect(link).toContain('rel="self"')
      const next = /<([^>]+)>; rel="next"/.exec(link)?.[1]
      path = next ? next.slice(fake.url.length) : null
      pages++
    }
    expect(fake.violations).toEqual([])
  })

  it('error bodies: 401, 403, 404, 429, 400', async () => {
    const world: OktaWorld = healthyOktaWorld()
    world.apiTokens!['readonly-without-role-000'] = { role: null }
    fake = await startOktaFake(world)
    const r401 = await get(`/api/v1/apps/${OKTA_APP_ID}`, 'wrong-token-0000000000')
    expect(r401).toMatchObject({ status: 401, body: { errorCode: 'E0000011', errorSummary: OKTA_MESSAGES.invalidToken } })
    expectValid('/api/v1/apps/{appId}', 401, r401.body)
    const r403 = await get(logsQuery(), 'readonly-without-role-000')
    expect(r403).toMatchObject({ status: 403, body: { errorCode: 'E0000006' } })
    expectValid('/api/v1/logs', 403, r403.body)
    const r404 = await get('/api/v1/apps/0oaNOSUCHAPP000000000')
    expect(r404).toMatchObject({ status: 404, body: { errorCode: 'E0000007' } })
    expectValid('/api/v1/apps/{appId}', 404, r404.body)
    const r400 = await get('/api/v1/logs?filter=published%20gt%20%222020%22')
    expect(r400).toMatchObject({ status: 400, body: { errorCode: 'E0000053' } })
    expectValid('/api/v1/logs', 400, r400.body)
    world.faults = { 'GET /api/v1/logs': { kind: 'rate-limit', resetInSeconds: 10 } }
    const r429 = await get(logsQuery())
    expect(r429).toMatchObject({ status: 429, body: { errorCode: 'E0000047' } })
    expectValid('/api/v1/logs', 429, r429.body)
    expect(Number(r429.headers.get('x-rate-limit-reset'))).toBeGreaterThan(Date.now() / 1000)
  })
})

describe('behaviours the provider relies on', () => {
  const tokenPost = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${fake!.url}/oauth2/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString()
    })
  const assertionForm = (assertion: string) => ({
    grant_type: 'client_credentials',
    scope: 'okta.apps.read okta.logs.read',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion
  })

  it("a client secret is refused with Okta's text; a replayed assertion too", async () => {
    fake = await startOktaFake(healthyOktaWorld())
    const secret = await tokenPost({
      grant_type: 'client_credentials',
      scope: 'okta.apps.read',
      client_id: OKTA_CLIENT_ID,
      client_secret: 'abc'
    })
    expect(secret.status).toBe(401)
    expect(await secret.json()).toEqual({ error: 'invalid_client', error_description: OKTA_MESSAGES.clientSecretRefused })
    const key = readSigningKey(oktaKeys().rsaPkcs8Pem)
    if ('problem' in key) throw new Error(key.problem)
    const assertion = clientAssertion(OKTA_CLIENT_ID, `${fake.url}/oauth2/v1/token`, key, OKTA_KEY_IDS.rsa, Date.now())
    expect((await tokenPost(assertionForm(assertion))).status).toBe(200)
    const again = await tokenPost(assertionForm(assertion))
    expect(again.status).toBe(401)
    expect(await again.json()).toMatchObject({ error_description: OKTA_MESSAGES.assertionReplayed })
    const wrongAud = clientAssertion(OKTA_CLIENT_ID, 'https://acme.okta.com/oauth2/v1/token', key, OKTA_KEY_IDS.rsa, Date.now())
    expect((await tokenPost(assertionForm(wrongAud))).status).toBe(401)
    const expired = clientAssertion(OKTA_CLIENT_ID, `${fake.url}/oauth2/v1/token`, key, OKTA_KEY_IDS.rsa, Date.now() - 3_600_000)
    expect(await (await tokenPost(assertionForm(expired))).json()).toMatchObject({ error_description: OKTA_MESSAGES.assertionExpired })
    const tampered = `${assertion.slice(0, -6)}AAAAAA`
    expect(await (await tokenPost(assertionForm(tampered))).json()).toMatchObject({ error_description: expect.any(String) })
    expect(fake.violations).toEqual([])
  })

  it('DPoP: no proof is invalid_dpop_proof; a proof without the nonce gets use_dpop_nonce and the nonce', async () => {
    fake = await startOktaFake(healthyOktaWorld({ dpop: { nonce: true } }))
    const key = readSigningKey(oktaKeys().ecJwk)
    if ('problem' in key) throw new Error(key.problem)
    const tokenUrl = `${fake.url}/oauth2/v1/token`
    const first = await tokenPost(assertionForm(clientAssertion(OKTA_CLIENT_ID, tokenUrl, key, null, Date.now())))
    expect(await first.json()).toEqual({ error: 'invalid_dpop_proof', error_description: OKTA_MESSAGES.dpopMissing })
    const { dpopProof, newDpopKey } = await import('../src/idp/okta/jwt.js')
    const dk = newDpopKey()
    const second = await tokenPost(assertionForm(clientAssertion(OKTA_CLIENT_ID, tokenUrl, key, null, Date.now())), {
      dpop: dpopProof(dk, 'POST', tokenUrl, Date.now())
    })
    expect(second.status).toBe(400)
    expect(await second.json()).toMatchObject({ error: 'use_dpop_nonce' })
    const nonce = second.headers.get('dpop-nonce')
    expect(nonce).toBeTruthy()
    const wrongHtu = await tokenPost(assertionForm(clientAssertion(OKTA_CLIENT_ID, tokenUrl, key, null, Date.now())), {
      dpop: dpopProof(dk, 'POST', `${fake.url}/elsewhere`, Date.now(), { nonce })
    })
    expect(await wrongHtu.json()).toMatchObject({ error: 'invalid_dpop_proof', error_description: OKTA_MESSAGES.dpopHtu })
    const third = await tokenPost(assertionForm(clientAssertion(OKTA_CLIENT_ID, tokenUrl, key, null, Date.now())), {
      dpop: dpopProof(dk, 'POST', tokenUrl, Date.now(), { nonce })
    })
    const body = (await third.json()) as { token_type: string; access_token: string }
    expect(body.token_type).toBe('DPoP')
    // At the API: Bearer is refused for a DPoP-bound token; a proof without ath is refused
    const url = `${fake.url}/api/v1/apps/${OKTA_APP_ID}`
    const bearer = await fetch(url, { headers: { authorization: `Bearer ${body.access_token}` } })
    expect(await bearer.json()).toMatchObject({ error_description: OKTA_MESSAGES.dpopScheme })
    const noAth = await fetch(url, { headers: { authorization: `DPoP ${body.access_token}`, dpop: dpopProof(dk, 'GET', url, Date.now()) } })
    expect(await noAth.json()).toMatchObject({ error_description: OKTA_MESSAGES.dpopAth })
    const good = await fetch(url, {
      headers: {
        authorization: `DPoP ${body.access_token}`,
        dpop: dpopProof(dk, 'GET', url, Date.now(), { accessToken: body.access_token })
      }
    })
    expect(good.status).toBe(200)
  })

  it('any other write is a violation', async () => {
    fake = await startOktaFake(healthyOktaWorld())
    const res = await fetch(`${fake.url}/api/v1/apps/${OKTA_APP_ID}`, {
      method: 'DELETE',
      headers: { authorization: `SSWS ${OKTA_API_TOKEN}` }
    })
    expect(res.status).toBe(405)
    expect(fake.violations).toHaveLength(1)
  })
})
