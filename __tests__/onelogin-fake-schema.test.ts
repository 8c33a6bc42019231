/**
 * The OneLogin fake answers like OneLogin: every JSON body it serves, over every world and the error routes,
 * validates against the schema transcribed from OneLogin's generated SDK (the vendored subset,
 * __tests__/fixtures/onelogin-openapi-subset.json) for the same operation and status; and the behaviours the
 * provider relies on hold (the v2 token is the same on repeat, client authentication forms, the cursor belongs
 * to its query, next_link points elsewhere, the rate-limit headers, read-only).
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv, type ValidateFunction } from 'ajv'
import {
  EVENT_TYPES,
  ONELOGIN_APP_ID,
  ONELOGIN_CLIENT_ID,
  ONELOGIN_CLIENT_SECRET,
  ONELOGIN_MESSAGES,
  ONELOGIN_WORLDS,
  healthyOneLoginWorld,
  manyEventsWorld,
  startOneLoginFake,
  type FakeOneLogin,
  type OneLoginWorld
} from '../simulator/onelogin-fake.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const subset = JSON.parse(readFileSync(resolve(here, 'fixtures/onelogin-openapi-subset.json'), 'utf8')) as {
  operations: Record<string, Record<string, string>>
  components: { schemas: Record<string, object> }
}
const ajv = new Ajv({ strict: false, allErrors: true })
ajv.addSchema(subset as object, 'onelogin')
const validators = new Map<string, ValidateFunction>()
function expectValid(operation: string, status: number, body: unknown): void {
  const name = subset.operations[operation]?.[String(status)]
  expect({ operation, status, schema: name ?? null }).toEqual({ operation, status, schema: expect.any(String) })
  let validate = validators.get(name!)
  if (!validate) {
    validate = ajv.compile({ $ref: `onelogin#/components/schemas/${name}` })
    validators.set(name!, validate)
  }
  if (!validate(body)) throw new Error(`${operation} ${status}: ${ajv.errorsText(validate.errors).slice(0, 600)}`)
}

let fake: FakeOneLogin | null = null
afterEach(async () => {
  await fake?.close()
  fake = null
})

const BASIC = `Basic ${Buffer.from(`${ONELOGIN_CLIENT_ID}:${ONELOGIN_CLIENT_SECRET}`).toString('base64')}`
async function call(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${fake!.url}${path}`, {
    method,
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: 'manual'
  })
  const text = await res.text()
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined, headers: res.headers }
}
async function token(auth: Record<string, string> = { authorization: BASIC }, body: unknown = { grant_type: 'client_credentials' }) {
  return call('POST', '/auth/oauth2/v2/token', auth, body)
}
const SINCE = encodeURIComponent(new Date(Date.now() - 720 * 3_600_000).toISOString())
const eventsPath = (extra = '', limit = 50) =>
  `/api/1/events?event_type_id=25,51,52,53,54,55,61,62,63,64,65,85,250&since=${SINCE}&sort=-id&limit=${limit}${extra}`

describe("bodies validate against OneLogin's schemas", () => {
  it.each(Object.keys(ONELOGIN_WORLDS).filter(w => w !== 'creator-deleted'))(
    'world %s: token, app, every event page, types',
    async name => {
      fake = await startOneLoginFake(ONELOGIN_WORLDS[name as keyof typeof ONELOGIN_WORLDS]())
      const t = await token()
      expect(t.status).toBe(200)
      expectValid('POST /auth/oauth2/v2/token', 200, t.body)
      const bearer = { authorization: `Bearer ${String(t.body!.access_token)}` }
      const app = await call('GET', `/api/2/apps/${ONELOGIN_APP_ID}`, bearer)
      expectValid('GET /api/2/apps/{app_id}', app.status, app.body)
      let path: string | null = eventsPath()
      for (let pages = 0; path && pages < 10; pages++) {
        const page = await call('GET', path, bearer)
        expect(page.status).toBe(200)
        expectValid('GET /api/1/events', 200, page.body)
        expect(page.headers.get('x-ratelimit-limit')).toBe('5000')
        expect(page.headers.get('x-ratelimit-reset')).toMatch(/^\d{1,5}$/) // seconds left, not an epoch
        const pagination = page.body!.pagination as { after_cursor?: string; next_link?: string }
        if (pagination.after_cursor) expect(new URL(pagination.next_link!).host).toBe('api.us.onelogin.com')
        path = pagination.after_cursor ? eventsPath(`&after_cursor=${pagination.after_cursor}`) : null
      }
      const types = await call('GET', '/api/1/events/types', bearer)
      expectValid('GET /api/1/events/types', 200, types.body)
      expect(fake.violations).toEqual([])
    }
  )

  it('error bodies: 401 (/1 and /2), 403, 404, 400, 429, 500', async () => {
    const world: OneLoginWorld = healthyOneLoginWorld()
    world.credentials!.readUsers = { secret: 'read-users-secret-000000', scope: 'read_users' }
    world.credentials!.gone = { secret: 'gone-secret-00000000000', creatorDeleted: true }
    fake = await startOneLoginFake(world)
    const bad = await token({ authorization: `Basic ${Buffer.from(`${ONELOGIN_CLIENT_ID}:wrong`).toString('base64')}` })
    expect(bad).toMatchObject({ status: 401, body: { status: { code: 401, message: ONELOGIN_MESSAGES.authFailure } } })
    expectValid('POST /auth/oauth2/v2/token', 401, bad.body)
    const gone = await token({ authorization: `Basic ${Buffer.from('gone:gone-secret-00000000000').toString('base64')}` })
    expect(gone.status).toBe(500)
    expectValid('POST /auth/oauth2/v2/token', 500, gone.body)
    const noAuth = await token({})
    expect(noAuth.status).toBe(400)
    expectValid('POST /auth/oauth2/v2/token', 400, noAuth.body)
    const r401v2 = await call('GET', `/api/2/apps/${ONELOGIN_APP_ID}`, { authorization: 'Bearer nope' })
    expect(r401v2).toMatchObject({ status: 401, body: { statusCode: 401, name: 'UnauthorizedError' } })
    expectValid('GET /api/2/apps/{app_id}', 401, r401v2.body)
    const r401v1 = await call('GET', eventsPath(), { authorization: 'Bearer nope' })
    expect(r401v1).toMatchObject({ status: 401, body: { status: { code: 401 } } })
    expectValid('GET /api/1/events', 401, r401v1.body)
    const ru = await token({ authorization: `Basic ${Buffer.from('readUsers:read-users-secret-000000').toString('base64')}` })
    const ruBearer = { authorization: `bearer:${String(ru.body!.access_token)}` } // the /1 docs' own form
    const r403 = await call('GET', `/api/2/apps/${ONELOGIN_APP_ID}`, ruBearer)
    expect(r403.status).toBe(403)
    expectValid('GET /api/2/apps/{app_id}', 403, r403.body)
    expect((await call('GET', eventsPath(), ruBearer)).status).toBe(200)
    const t = await token()
    const bearer = { authorization: `Bearer ${String(t.body!.access_token)}` }
    const r404 = await call('GET', '/api/2/apps/42', bearer)
    expect(r404).toMatchObject({ status: 404, body: { message: ONELOGIN_MESSAGES.notFound } })
    expectValid('GET /api/2/apps/{app_id}', 404, r404.body)
    const r400 = await call('GET', eventsPath('', 51), bearer)
    expect(r400.status).toBe(400)
    expectValid('GET /api/1/events', 400, r400.body)
    world.faults = { 'GET /api/1/events': { kind: 'rate-limit', resetInSeconds: 12 } }
    const r429 = await call('GET', eventsPath(), bearer)
    expect(r429.status).toBe(429)
    expect(r429.headers.get('x-ratelimit-reset')).toBe('12')
    expectValid('GET /api/1/events', 429, r429.body)
  })
})

describe('behaviours the provider relies on', () => {
  it("the v2 token is the same on repeat; OneLogin's own header and body credentials work too", async () => {
    fake = await startOneLoginFake(healthyOneLoginWorld())
    const a = await token()
    const b = await token({ authorization: `client_id:${ONELOGIN_CLIENT_ID}, client_secret:${ONELOGIN_CLIENT_SECRET}` })
    const c = await token({}, { grant_type: 'client_credentials', client_id: ONELOGIN_CLIENT_ID, client_secret: ONELOGIN_CLIENT_SECRET })
    expect(a.body!.access_token).toEqual(b.body!.access_token)
    expect(c.body!.access_token).toEqual(a.body!.access_token)
    expect(a.body).toMatchObject({ token_type: 'bearer', expires_in: 36000 })
    expect((await token(undefined, { grant_type: 'password' })).status).toBe(400)
  })

  it('a cursor belongs to its query; events come newest first, limit at most 50', async () => {
    fake = await startOneLoginFake(manyEventsWorld({ count: 120 }))
    const t = await token()
    const bearer = { authorization: `Bearer ${String(t.body!.access_token)}` }
    const first = await call('GET', eventsPath(), bearer)
    const data = first.body!.data as Array<{ id: number; created_at: string }>
    expect(data).toHaveLength(50)
    expect(data.map(e => e.id)).toEqual([...data.map(e => e.id)].sort((x, y) => y - x))
    const cursor = (first.body!.pagination as { after_cursor: string }).after_cursor
    expect((await call('GET', eventsPath(`&after_cursor=${cursor}`), bearer)).status).toBe(200)
    expect((await call('GET', `/api/1/events?after_cursor=${cursor}`, bearer)).status).toBe(400)
    expect(EVENT_TYPES.map(([id]) => id)).toEqual([25, 51, 52, 53, 54, 55, 61, 62, 63, 64, 65, 85, 250])
  })

  it('any write is a violation', async () => {
    fake = await startOneLoginFake(healthyOneLoginWorld())
    const res = await fetch(`${fake.url}/api/2/apps/${ONELOGIN_APP_ID}`, { method: 'PUT', headers: { authorization: BASIC } })
    expect(res.status).toBe(405)
    const post = await fetch(`${fake.url}/api/1/events`, { method: 'POST' })
    expect(post.status).toBe(405)
    expect(fake.violations).toHaveLength(2)
  })
})
