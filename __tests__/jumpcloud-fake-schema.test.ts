/**
 * The JumpCloud fake answers like JumpCloud, and the client asks like JumpCloud documents: every app body
 * and error body the fake serves validates against JumpCloud's published Swagger (the vendored subset,
 * __tests__/fixtures/jumpcloud-openapi-subset.json), every 200 of the event query is the documented array,
 * and the client's event query validates as an `EventQuery`. The fake's search behaves as the DI guide says.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import { checkJumpCloud } from '../src/idp/jumpcloud/index.js'
import { eventsQuery } from '../src/idp/jumpcloud/probe.js'
import {
  DI_SERVICES,
  JC_API_KEY,
  JC_APP_ID,
  JC_CLIENT_ID,
  JC_CLIENT_SECRET,
  JC_WORLDS,
  diEvent,
  healthyWorld,
  manyEventsWorld,
  matchSearch,
  startJumpCloudFake,
  type FakeJumpCloud,
  type JumpCloudWorld
} from '../simulator/jumpcloud-fake.mjs'
import { jcInputs } from './support/jumpcloud.js'
import { testContext } from './support/okta-context.js'

const here = dirname(fileURLToPath(import.meta.url))
const subset = JSON.parse(readFileSync(resolve(here, 'fixtures/jumpcloud-openapi-subset.json'), 'utf8')) as {
  'x-source': { commit: string }
  paths: Record<string, Record<string, { responses: Record<string, { schema: object }> }>>
}

const ajv = new Ajv({ strict: false, allErrors: true })
addFormats.default(ajv)
ajv.addFormat('int64', true)
ajv.addFormat('int32', true)
ajv.addSchema(subset as object, 'jc')
const schema = (ref: string): ValidateFunction => {
  const v = ajv.getSchema(`jc#/definitions/${ref}`)
  if (!v) throw new Error(`no schema ${ref}`)
  return v
}
const eventsOk = ajv.compile(subset.paths['/insights/directory/v1/events']!.post!.responses['200']!.schema)
const valid = (v: ValidateFunction, body: unknown): string[] => (v(body) ? [] : (v.errors ?? []).map(e => `${e.instancePath} ${e.message}`))

let fake: FakeJumpCloud | null = null
afterEach(async () => {
  await fake?.close()
  fake = null
})

async function ask(world: JumpCloudWorld, method: 'GET' | 'POST', path: string, body?: unknown, key = JC_API_KEY) {
  fake ??= await startJumpCloudFake(world)
  fake.setWorld(world)
  const res = await fetch(`${fake.url}${path}`, {
    method,
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  return { status: res.status, headers: res.headers, body: (await res.json()) as unknown }
}
const QUERY = eventsQuery(jcInputs('http://x', { kind: 'api-key', apiKey: 'k' }), Date.now())

describe('the subset is the vendor source named', () => {
  it('has its source commit and the operations used', () => {
    expect(subset['x-source'].commit).toMatch(/^82c20c19[0-9a-f]{32}$/)
    expect(Object.keys(subset.paths).sort()).toEqual(['/api/applications/{id}', '/insights/directory/v1/events'])
  })
})

describe('bodies validate against the schema', () => {
  it.each(Object.keys(JC_WORLDS))('world %s: the app is an `application`; the events page is the documented array', async name => {
    const world = JC_WORLDS[name as keyof typeof JC_WORLDS]()
    const app = await ask(world, 'GET', `/api/applications/${JC_APP_ID}`)
    expect(app.status).toBe(200)
    expect(valid(schema('application'), app.body)).toEqual([])
    const page = await ask(world, 'POST', '/insights/directory/v1/events', QUERY)
    expect(page.status).toBe(200)
    expect(valid(eventsOk, page.body)).toEqual([])
    expect(page.headers.get('x-result-count')).toBe(String((page.body as unknown[]).length))
    expect(page.headers.get('x-limit')).toBe('1000')
    expect(page.headers.get('x-sort')).toBe('DESC')
  })

  it.each<[string, JumpCloudWorld['faults'], string, number]>([
    ['401', {}, 'bad-key', 401],
    ['404', {}, 'missing-app', 404],
    ['403', { '*': { kind: 'ip-blocked' } }, '', 403],
    ['429', { '*': { kind: 'rate-limit' } }, '', 429],
    ['503', { '*': { kind: 'status', status: 503 } }, '', 503]
  ])('error %s is an `Error` {code, message, status}', async (_n, faults, mode, status) => {
    const world = { ...healthyWorld(), faults }
    const r = await ask(
      world,
      'GET',
      `/api/applications/${mode === 'missing-app' ? 'b'.repeat(24) : JC_APP_ID}`,
      undefined,
      mode === 'bad-key' ? 'nope' : JC_API_KEY
    )
    expect(r.status).toBe(status)
    expect(valid(schema('Error'), r.body)).toEqual([])
    expect(r.body).toMatchObject({ code: status })
  })

  it("the client's query is an `EventQuery`; a next page resends it with the header's search_after", async () => {
    fake = await startJumpCloudFake(manyEventsWorld({ count: 1200 }))
    await checkJumpCloud(jcInputs(fake.url, { kind: 'api-key', apiKey: JC_API_KEY }), testContext(), { errorBodyMs: 200 })
    const [first, second] = fake.requests.filter(r => r.routeKey === 'POST /insights/directory/v1/events')
    // The spec's prose (the DI guide's "Search" examples) sends `and` as a list of term objects; its schema types
    // TermConjunction as an object (the SDK's hashtable). The guide's form is sent, the rest validates as is.
    const { search_term: term, ...query } = first!.json as Record<string, unknown>
    expect(valid(schema('EventQuery'), query)).toEqual([])
    expect(term).toEqual({ and: [{ event_type: expect.any(Array) }, { or: expect.any(Array) }] })
    // The spec types search_after's items as strings, the guide's header sends [number, string]: the header wins.
    const { search_after: after, ...rest } = second!.json as Record<string, unknown>
    expect(rest).toEqual(first!.json)
    expect(after).toEqual([expect.any(Number), expect.any(String)])
  })

  it('the token endpoint answers an OAuth token for the service account, form-encoded request', async () => {
    fake = await startJumpCloudFake(healthyWorld())
    const res = await fetch(`${fake.url}/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${JC_CLIENT_ID}:${JC_CLIENT_SECRET}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded'
      },
      body: 'grant_type=client_credentials&scope=api'
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ access_token: expect.any(String), token_type: 'bearer', expires_in: expect.any(Number) })
  })
})

describe("the fake's event query behaves as the DI guide says", () => {
  it('an unknown service: 400 listing the valid ones', async () => {
    const r = await ask(healthyWorld(), 'POST', '/insights/directory/v1/events', { ...QUERY, service: ['github'] })
    expect(r.status).toBe(400)
    for (const s of DI_SERVICES) expect((r.body as { message: string }).message).toContain(s)
  })

  it('no start_time: 400', async () => {
    const { start_time: _drop, ...query } = QUERY as { start_time: string }
    expect((await ask(healthyWorld(), 'POST', '/insights/directory/v1/events', query)).status).toBe(400)
  })

  it('a write is refused and logged as a violation', async () => {
    fake = await startJumpCloudFake(healthyWorld())
    const res = await fetch(`${fake.url}/api/applications/${JC_APP_ID}`, { method: 'PUT', headers: { 'x-api-key': JC_API_KEY } })
    expect(res.status).toBe(405)
    expect(fake.violations).toHaveLength(1)
  })

  it.each<[string, object, boolean]>([
    ['a list value matches any', { and: [{ event_type: ['user_create_provision', 'user_update_provision'] }] }, true],
    ['values match lower-cased', { and: [{ 'application.id': JC_APP_ID.toUpperCase() }] }, true],
    ['and: all must match', { and: [{ event_type: 'user_update_provision' }, { success: 'false' }] }, false],
    ['a nested or', { and: [{ or: [{ 'application.id': 'nope' }, { idm_client_id: 'nope' }] }] }, false],
    ['or: one is enough', { or: [{ 'application.id': 'nope' }, { success: 'true' }] }, true],
    ["the SDK's map form of and", { and: { event_type: ['user_update_provision'], 'application.id': JC_APP_ID } }, true],
    ["the SDK's map form, one field off", { and: { event_type: 'user_update_provision', success: 'false' } }, false]
  ])('search_term: %s', (_n, term, match) => {
    expect(matchSearch(diEvent({ at: Date.now() }), term)).toBe(match)
  })

  it('pages: X-Search_after on every page; the next page starts after it; the last page is short', async () => {
    const world = manyEventsWorld({ count: 1500 })
    const one = await ask(world, 'POST', '/insights/directory/v1/events', QUERY)
    const after = JSON.parse(one.headers.get('x-search_after') ?? 'null') as unknown[]
    const two = await ask(world, 'POST', '/insights/directory/v1/events', { ...QUERY, search_after: after })
    expect((one.body as unknown[]).length).toBe(1000)
    expect((two.body as unknown[]).length).toBe(500)
    expect(two.headers.get('x-search_after')).not.toBeNull()
    const ids = new Set([...(one.body as Array<{ id: string }>), ...(two.body as Array<{ id: string }>)].map(e => e.id))
    expect(ids.size).toBe(1500)
  })
})
