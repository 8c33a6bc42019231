/**
 * onelogin-fake: a loopback fake of a OneLogin account's v2 token endpoint and the two API operations the
 * action reads, answering from a plain-object *world model* (onelogin-fake.d.mts for its shape; the world
 * builders at the end of this file).
 *
 * Executable documentation of the OneLogin behaviour the action relies on. Bracketed keys ([O3], [O5], …)
 * cite the sources of the facts sheet (docs/idp-onelogin.md, "Sources"). Bodies
 * validate against onelogin-openapi-subset.json (__tests__/onelogin-fake-schema.test.ts). Where OneLogin's
 * behaviour is not documented, the choice is marked GUESS.
 *
 * Plain JavaScript ESM, no build step, node: built-ins only. No secret is kept in the request log.
 */
import { createServer } from 'node:http'
import { createHash, randomBytes } from 'node:crypto'
import { URL } from 'node:url'
import { closeFake, listenLoopback, readBody as readLimited, sleep } from './loopback.mjs'

const JSON_TYPE = 'application/json; charset=utf-8'
const TOKEN_PATH = '/auth/oauth2/v2/token'
const READ_ONLY_VIOLATION = 'the action must only read (GET, and the OAuth token POST)'
/** [O12]: 5,000 calls an hour for the whole account, every credential together. */
const RATE_LIMIT = 5000

const ROUTES = [
  { key: 'POST /auth/oauth2/v2/token', method: 'POST', pattern: /^\/auth\/oauth2\/v2\/token$/ },
  { key: 'GET /api/2/apps/{id}', method: 'GET', pattern: /^\/api\/2\/apps\/([^/]+)$/ },
  { key: 'GET /api/1/events', method: 'GET', pattern: /^\/api\/1\/events$/ },
  { key: 'GET /api/1/events/types', method: 'GET', pattern: /^\/api\/1\/events\/types$/ }
]

/** The scopes of an API credential [O4]: which of them may read what. */
const READS_APPS = ['read_all', 'manage_all'] // [O10]: Read All or Manage All, not Read users
const READS_EVENTS = ['read_users', 'manage_users', 'read_all', 'manage_all'] // [O5]

// ----- OneLogin's bodies -----

const reply = (status, body, headers = {}) => ({ status, body, headers })
/** /1 error body [O3][O12]: `status.code`, never branch on `message`. */
const v1Error = (code, type, message, headers = {}) => reply(code, { status: { error: true, code, type, message } }, headers)
/** /2 error body [O11]. */
const v2Error = (statusCode, name, message, headers = {}) => reply(statusCode, { statusCode, name, message }, headers)

export const ONELOGIN_MESSAGES = Object.freeze({
  authFailure: 'Authentication Failure', // [O12] v1 401
  badAuthInfo: 'Authorization Information is incorrect', // [O12] v1 400
  unauthorized: 'Unauthorized', // [O11] v2 401
  notFound: 'The resource with the given id could not be found', // [O11] v2 404
  // GUESS: the 403 texts (a Read users credential reading an app is UNCONFIRMED [O10]).
  forbidden: 'Forbidden',
  // GUESS: the 429 body and the 500 of a credential whose creator was deleted [O3][O12].
  rateLimited: 'Too Many Requests',
  internal: 'Internal Server Error',
  badRequest: 'Bad Request'
})

/** An event type's event (every field OneLogin writes that the sample shows; nulls left out) [O6][O7]. */
let sequence = 0
/** Event ids grow with time, as OneLogin's do (`sort=-id` is newest first): the second, then a counter. */
const eventId = at => Math.floor(at / 1000) * 100 + (sequence++ % 100)

export function loginEvent({
  id = undefined,
  at,
  type,
  appId = ONELOGIN_APP_ID,
  appName = 'GitHub Enterprise Cloud',
  user = 'Jane Doe',
  error = null
}) {
  const eventIdValue = id ?? eventId(at)
  const event = {
    id: eventIdValue,
    created_at: new Date(at).toISOString(),
    event_type_id: type,
    account_id: ACCOUNT_ID,
    actor_system: 'Provisioning',
    user_id: 60000000 + (eventIdValue % 1000000),
    user_name: user
  }
  if (appId !== null) Object.assign(event, { app_id: appId, app_name: appName })
  if (error !== null) event.error_description = error
  return event
}

// ----- The server -----

/**
 * @param {import('./onelogin-fake.d.mts').OneLoginWorld} world
 * @param {{ latencyMs?: number }} [options]
 */
export async function startOneLoginFake(world, { latencyMs = 0 } = {}) {
  const state = {
    world,
    requests: [],
    violations: [],
    issued: new Map(), // token -> clientId
    tokenOf: new Map(), // clientId -> token (v2: the same token until it expires [O3])
    cursors: new Map(),
    faultUses: new Map(),
    used: 0,
    sockets: new Set(),
    timers: new Set(),
    closed: false
  }
  let origin = ''
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500)
      res.end()
    })
  })
  server.on('connection', socket => {
    state.sockets.add(socket)
    socket.on('close', () => state.sockets.delete(socket))
  })

  function takeFault(routeKey) {
    for (const key of [routeKey, '*']) {
      const fault = key && state.world.faults?.[key]
      if (!fault) continue
      const used = state.faultUses.get(fault) ?? 0
      if (fault.times !== undefined && used >= fault.times) continue
      state.faultUses.set(fault, used + 1)
      return fault
    }
    return undefined
  }

  /** [O12]: limit, remaining, and the SECONDS left until the reset (not an epoch). */
  function rateHeaders() {
    state.used = Math.min(RATE_LIMIT, state.used + 1)
    return {
      'x-ratelimit-limit': String(RATE_LIMIT),
      'x-ratelimit-remaining': String(RATE_LIMIT - state.used),
      'x-ratelimit-reset': '1800'
    }
  }

  async function handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const route = ROUTES.find(r => r.pattern.test(url.pathname))
    const match = route?.pattern.exec(url.pathname)
    const authorization = req.headers.authorization ?? ''
    const entry = {
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      routeKey: route?.key ?? null,
      authScheme: /^(\w+)[\s:]/.exec(authorization)?.[1] ?? null,
      startedAt: performance.now(),
      endedAt: null,
      status: null,
      fault: null,
      error: null
    }
    state.requests.push(entry)
    const finish = () => {
      if (entry.endedAt === null) entry.endedAt = performance.now()
    }
    res.on('finish', finish)
    res.on('close', finish)
    const body = await readBody(req)
    if (latencyMs > 0) await sleep(latencyMs, state.timers)
    if (state.closed) return
    if (req.method !== 'GET' && !(req.method === 'POST' && url.pathname === TOKEN_PATH)) {
      state.violations.push(`${req.method} ${url.pathname}: write request refused; ${READ_ONLY_VIOLATION}`)
      return send(res, entry, v2Error(405, 'MethodNotAllowedError', 'Method Not Allowed'))
    }
    if (!route || route.method !== req.method) return send(res, entry, v2Error(404, 'NotFoundError', 'Not Found'))
    const fault = takeFault(route.key)
    if (fault) {
      entry.fault = fault.kind
      const r = faultReply(fault, req, body)
      if (r === 'hang') return
      if (r === 'reset') return res.socket?.destroy()
      return send(res, entry, r)
    }
    if (route.key === 'POST /auth/oauth2/v2/token') return send(res, entry, tokenEndpoint(req, body))
    const v1 = route.key !== 'GET /api/2/apps/{id}'
    const auth = authenticate(req, v1)
    if (!auth.ok) return send(res, entry, auth.reply)
    if (route.key === 'GET /api/2/apps/{id}') return send(res, entry, getApp(auth, decodeURIComponent(match[1])))
    if (route.key === 'GET /api/1/events/types') return send(res, entry, reply(200, eventTypesBody()))
    return send(res, entry, listEvents(auth, url))
  }

  function faultReply(fault, req, body) {
    switch (fault.kind) {
      case 'hang':
      case 'reset':
        return fault.kind
      case 'status': {
        if (fault.body !== undefined) return reply(fault.status, fault.body, fault.headers ?? {})
        const text = fault.status >= 500 ? ONELOGIN_MESSAGES.internal : fault.status === 404 ? ONELOGIN_MESSAGES.notFound : 'Error'
        return v1Error(fault.status, fault.status >= 500 ? 'Internal Server Error' : 'Error', text, fault.headers ?? {})
      }
      case 'rate-limit': {
        const headers = { 'x-ratelimit-limit': String(RATE_LIMIT), 'x-ratelimit-remaining': '0' }
        if (fault.resetInSeconds !== undefined) headers['x-ratelimit-reset'] = String(fault.resetInSeconds)
        return { ...v1Error(429, 'Too Many Requests', ONELOGIN_MESSAGES.rateLimited, headers), noReset: fault.resetInSeconds === undefined }
      }
      case 'redirect':
        return reply(fault.status ?? 302, '', { location: fault.location })
      case 'echo':
        // A hostile or broken server that sends the request back: the Authorization header and the body.
        return v1Error(400, 'bad request', `${ONELOGIN_MESSAGES.badAuthInfo}: ${echoed(req)} ${body}`)
      case 'huge':
        return reply(200, { status: { error: false, code: 200, type: 'success', message: 'x'.repeat(1_200_000) }, data: [] })
      default:
        throw new Error(`onelogin-fake: unknown fault kind ${JSON.stringify(fault.kind)}`)
    }
  }

  /** The request's Authorization header, and, for Basic, what it decodes to (the client id and secret). */
  function echoed(req) {
    const header = req.headers.authorization ?? ''
    const basic = /^basic\s+(\S+)$/i.exec(header)
    if (!basic) return header
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8')
    // The secret first (a bounded message still carries it), then the id, then the header itself.
    return `${decoded.slice(decoded.indexOf(':') + 1)} ${decoded.slice(0, decoded.indexOf(':'))} ${header}`
  }

  // ----- The token endpoint [O3][O7][O8] -----

  /** The client's id and secret: HTTP Basic, OneLogin's own `client_id:…, client_secret:…` header, or the body. */
  function clientOf(req, json) {
    const header = req.headers.authorization ?? ''
    const basic = /^basic\s+(\S+)$/i.exec(header)
    if (basic) {
      const text = Buffer.from(basic[1], 'base64').toString('utf8')
      const colon = text.indexOf(':')
      return colon < 0 ? null : { id: text.slice(0, colon), secret: text.slice(colon + 1) }
    }
    const own = /^client_id:\s*([^,\s]+)\s*,\s*client_secret:\s*(\S+)$/i.exec(header)
    if (own) return { id: own[1], secret: own[2] }
    if (typeof json?.client_id === 'string' && typeof json?.client_secret === 'string')
      return { id: json.client_id, secret: json.client_secret }
    return null
  }

  function tokenEndpoint(req, body) {
    let json = null
    try {
      json = JSON.parse(body)
    } catch {
      json = null
    }
    if (json?.grant_type !== 'client_credentials') return v1Error(400, 'bad request', 'grant_type is incorrect/absent') // GUESS text
    const client = clientOf(req, json)
    if (client === null) return v1Error(400, 'bad request', ONELOGIN_MESSAGES.badAuthInfo)
    const known = state.world.credentials?.[client.id]
    if (!known || known.secret !== client.secret) return v1Error(401, 'Unauthorized', ONELOGIN_MESSAGES.authFailure)
    // [O3]: the creator of the credential was deleted: the credential stops working and OneLogin answers 500.
    if (known.creatorDeleted) return v1Error(500, 'Internal Server Error', ONELOGIN_MESSAGES.internal)
    let token = state.tokenOf.get(client.id)
    if (!token) {
      token = randomBytes(32).toString('hex')
      state.tokenOf.set(client.id, token)
      state.issued.set(token, client.id)
    }
    const answer = {
      access_token: token,
      created_at: new Date().toISOString(),
      expires_in: 36000,
      token_type: 'bearer',
      account_id: ACCOUNT_ID
    }
    return reply(200, answer, { 'cache-control': 'no-store' })
  }

  // ----- The API: who is asking -----

  function authenticate(req, v1) {
    const header = req.headers.authorization ?? ''
    // [O5][O10][O8]: `bearer:<token>` (/1 docs), `bearer <token>` (/2 docs), `Bearer <token>` (Go SDK).
    const m = /^bearer[:\s]\s*(\S+)$/i.exec(header)
    const clientId = m ? state.issued.get(m[1]) : undefined
    const credential = clientId ? state.world.credentials?.[clientId] : undefined
    if (!credential) {
      const r = v1
        ? v1Error(401, 'Unauthorized', ONELOGIN_MESSAGES.authFailure)
        : v2Error(401, 'UnauthorizedError', ONELOGIN_MESSAGES.unauthorized)
      return { ok: false, reply: r }
    }
    return { ok: true, scope: credential.scope ?? 'read_all' }
  }

  function getApp(auth, id) {
    if (!READS_APPS.includes(auth.scope)) return v2Error(403, 'ForbiddenError', ONELOGIN_MESSAGES.forbidden)
    const app = state.world.apps?.[id]
    if (!app) return v2Error(404, 'NotFoundError', ONELOGIN_MESSAGES.notFound)
    return reply(200, {
      id: app.id,
      connector_id: app.connectorId ?? 123456, // GUESS: the GitHub connector's id is UNCONFIRMED
      name: app.name,
      description: '',
      notes: '',
      visible: true,
      auth_method: 2,
      allow_assumed_signin: false,
      created_at: '2024-01-10T09:00:00Z',
      updated_at: '2025-06-01T09:00:00Z',
      role_ids: [1234],
      provisioning: { enabled: app.provisioning },
      parameters: {}
    })
  }

  // ----- The events [O5][O7] -----

  function listEvents(auth, url) {
    if (!READS_EVENTS.includes(auth.scope)) return v1Error(403, 'Forbidden', ONELOGIN_MESSAGES.forbidden)
    const q = url.searchParams
    const bad = message => v1Error(400, 'bad request', message)
    const types = q.has('event_type_id') ? q.get('event_type_id').split(',') : null
    if (types && types.some(t => !/^\d+$/.test(t))) return bad('event_type_id must be a comma-separated list of ids')
    const since = q.has('since') ? Date.parse(q.get('since')) : -Infinity
    const until = q.has('until') ? Date.parse(q.get('until')) : Infinity
    if (Number.isNaN(since) || Number.isNaN(until)) return bad('since/until must be ISO 8601')
    const limit = q.has('limit') ? Number(q.get('limit')) : 50
    if (!Number.isInteger(limit) || limit < 1 || limit > 50) return bad('limit must be 1 to 50') // GUESS: [O5] says at most 50
    const sort = q.get('sort') ?? '+id'
    if (sort !== '+id' && sort !== '-id') return bad('sort must be +id or -id')
    // The cursor belongs to the query it was given for: the same query, with `after_cursor`.
    const signature = [...q.entries()]
      .filter(([k]) => k !== 'after_cursor')
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join('&')
    let offset = 0
    if (q.has('after_cursor')) {
      const cursor = state.cursors.get(q.get('after_cursor'))
      if (!cursor || cursor.signature !== signature) return bad('after_cursor is invalid') // GUESS text
      offset = cursor.offset
    }
    const kept = (state.world.events ?? [])
      .filter(e => (types ? types.includes(String(e.event_type_id)) : true))
      .filter(e => Date.parse(e.created_at) >= since && Date.parse(e.created_at) <= until)
      .sort((a, b) => (sort === '-id' ? b.id - a.id : a.id - b.id))
    const page = kept.slice(offset, offset + limit)
    const pagination = {}
    if (offset > 0) pagination.before_cursor = cursorFor(signature, Math.max(0, offset - limit))
    if (offset + limit < kept.length) {
      const after = state.world.repeatCursor
        ? (state.lastCursor ?? cursorFor(signature, offset + limit))
        : cursorFor(signature, offset + limit)
      state.lastCursor = after
      pagination.after_cursor = after
      // Observed [O13]: next_link names api.us.onelogin.com even for subdomain hosts; the action must not follow it.
      pagination.next_link = `https://api.us.onelogin.com/api/1/events?after_cursor=${after}`
    }
    return reply(200, { status: { error: false, code: 200, type: 'success', message: 'Success' }, pagination, data: page })
  }

  function cursorFor(signature, offset) {
    const cursor = createHash('sha256')
      .update(`${signature}/${offset}/${randomBytes(4).toString('hex')}`)
      .digest('base64url')
      .slice(0, 24)
    state.cursors.set(cursor, { signature, offset })
    return cursor
  }

  function send(res, entry, r) {
    if (res.destroyed) return
    const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body)
    entry.status = r.status
    const b = r.body
    entry.error = b && typeof b === 'object' ? (b.status?.error ? b.status.type : (b.name ?? null)) : null
    const headers = { 'content-type': JSON_TYPE, 'content-length': String(Buffer.byteLength(text)), ...rateHeaders(), ...r.headers }
    if (r.noReset) delete headers['x-ratelimit-reset']
    res.writeHead(r.status, headers)
    res.end(text)
  }

  origin = await listenLoopback(server)

  return {
    url: origin,
    requests: state.requests,
    violations: state.violations,
    get world() {
      return state.world
    },
    setWorld(next) {
      state.world = next
    },
    get issuedTokens() {
      return [...state.issued.keys()]
    },
    close: () => closeFake(state, [server])
  }
}

/** A request's body (at most 64 KiB kept); empty after a socket error. */
const readBody = req => readLimited(req, 65536).catch(() => '')

/** `GET /api/1/events/types` items ({name, description, id}) [O7], for the ids the action reads (observed [O9]). */
export const EVENT_TYPES = Object.freeze([
  [25, 'PROVISIONING_EXCEPTION'],
  [51, 'USER_CREATED_IN_APP'],
  [52, 'USER_UPDATED_IN_APP'],
  [53, 'USER_SUSPENDED_IN_APP'],
  [54, 'USER_REACTIVATED_IN_APP'],
  [55, 'USER_DELETED_IN_APP'],
  [61, 'USER_FAILED_SUSPENDING_IN_APP'],
  [62, 'USER_FAILED_REACTIVATING_IN_APP'],
  [63, 'USER_FAILED_DELETING_IN_APP'],
  [64, 'USER_FAILED_CREATING_IN_APP'],
  [65, 'USER_FAILED_UPDATING_IN_APP'],
  [85, 'APP_COULD_NOT_AUTHENTICATE'],
  [250, 'PROVISIONING_APP_CONFIG_ERROR']
])
const eventTypesBody = () => ({
  status: { error: false, code: 200, type: 'success', message: 'Success' },
  data: EVENT_TYPES.map(([id, name]) => ({ id, name, description: name.toLowerCase().replace(/_/g, ' ') }))
})

// ---------------------------------------------------------------------------------------------
// Worlds
// ---------------------------------------------------------------------------------------------

const derived = (label, length) => createHash('sha256').update(`onelogin-fake/${label}`).digest('hex').slice(0, length)
export const ACCOUNT_ID = 555555
export const ONELOGIN_APP_ID = 928532
/** An API credential: derived at load time (no secret-shaped literal in the source). */
export const ONELOGIN_CLIENT_ID = derived('client-id', 64)
export const ONELOGIN_CLIENT_SECRET = derived('client-secret', 64)
/** GUESS wording: GitHub's 401 as OneLogin's connector may report it (the real text is UNCONFIRMED [O1]). */
export const CREDENTIALS_ERROR = '401 Unauthorized: Bad credentials'
export const PER_USER_ERROR = '422 Unprocessable Entity: the user name mona is already taken on GitHub'

const HOUR = 3_600_000

/** A healthy account: pushes succeeding every six hours; events of another app and other types that must not count. */
export function healthyOneLoginWorld({ now = Date.now() } = {}) {
  const events = []
  for (let h = 2; h < 24 * 10; h += 6) events.push(loginEvent({ at: now - h * HOUR, type: 52, user: `user${h}` }))
  // Another app's credentials failure; an event type the action does not read (26, generic).
  events.push(loginEvent({ at: now - 3 * HOUR, type: 85, appId: 111111, appName: 'Slack' }))
  events.push(loginEvent({ at: now - 1 * HOUR, type: 26, error: CREDENTIALS_ERROR }))
  return {
    credentials: { [ONELOGIN_CLIENT_ID]: { secret: ONELOGIN_CLIENT_SECRET, scope: 'read_all' } },
    apps: { [ONELOGIN_APP_ID]: { id: ONELOGIN_APP_ID, name: 'GitHub Enterprise Cloud', provisioning: true } },
    events,
    faults: {}
  }
}

/** The last success two days ago; APP_COULD_NOT_AUTHENTICATE and failed pushes with GitHub's 401 since yesterday. */
export function credentialsRejectedWorld(options = {}) {
  const now = options.now ?? Date.now()
  const world = healthyOneLoginWorld({ now })
  world.events = world.events.filter(e => Date.parse(e.created_at) < now - 48 * HOUR)
  world.events.push(loginEvent({ at: now - 48 * HOUR, type: 51, user: 'last' }))
  for (let h = 24; h >= 1; h -= 4) {
    world.events.push(loginEvent({ at: now - h * HOUR, type: 85 }))
    world.events.push(loginEvent({ at: now - h * HOUR + 60_000, type: 64, user: `new${h}`, error: CREDENTIALS_ERROR }))
  }
  return world
}

/** Per-user errors between successful pushes; a user whose NAME speaks of credentials must not count as one. */
export function provisioningErrorsWorld(options = {}) {
  const now = options.now ?? Date.now()
  const world = healthyOneLoginWorld({ now })
  world.events.push(loginEvent({ at: now - 5 * HOUR, type: 65, user: 'Bad credentials 401 Unauthorized token', error: 'Conflict' }))
  world.events.push(loginEvent({ at: now - 1 * HOUR, type: 64, user: 'bob', error: PER_USER_ERROR }))
  return world
}

export function provisioningOffWorld(options = {}) {
  const world = healthyOneLoginWorld(options)
  world.apps[ONELOGIN_APP_ID].provisioning = false
  return world
}

export function noAttemptWorld(options = {}) {
  const world = healthyOneLoginWorld(options)
  world.events = world.events.filter(e => e.app_id !== ONELOGIN_APP_ID)
  return world
}

/** More than five pages of 50: credentials failures every ten minutes, the last success before them all. */
export function manyEventsWorld({ count = 300, ...options } = {}) {
  const now = options.now ?? Date.now()
  const world = healthyOneLoginWorld({ now })
  world.events = [loginEvent({ at: now - (count + 10) * 600_000, type: 52, user: 'long-ago' })]
  for (let i = 1; i <= count; i++) world.events.push(loginEvent({ at: now - i * 600_000, type: 85 }))
  return world
}

/** A read-only credential with the Read users scope: the events answer, the app is 403 [O10]. */
export function readUsersWorld(options = {}) {
  const world = healthyOneLoginWorld(options)
  world.credentials[ONELOGIN_CLIENT_ID].scope = 'read_users'
  return world
}

/** The credential's creator was deleted: the token endpoint answers 500 [O3]. */
export function creatorDeletedWorld(options = {}) {
  const world = healthyOneLoginWorld(options)
  world.credentials[ONELOGIN_CLIENT_ID].creatorDeleted = true
  return world
}

/** Hostile strings in every field the server writes: control characters, bidi, a fake workflow command, long text. */
export function hostileWorld(options = {}) {
  const now = options.now ?? Date.now()
  const world = credentialsRejectedWorld({ now })
  world.apps[ONELOGIN_APP_ID].name = 'GitHub\u202e\n::error::pwned\r\u0000' + 'x'.repeat(500)
  world.events.push(
    loginEvent({ at: now - 60_000, type: 64, user: '::warning::user', error: `401 \u001b[31m::error title=x::bad\n${'y'.repeat(5000)}` })
  )
  return world
}

export const ONELOGIN_WORLDS = Object.freeze({
  healthy: healthyOneLoginWorld,
  'credentials-rejected': credentialsRejectedWorld,
  'provisioning-errors': provisioningErrorsWorld,
  'provisioning-off': provisioningOffWorld,
  'no-attempt': noAttemptWorld,
  'many-events': manyEventsWorld,
  'read-users': readUsersWorld,
  'creator-deleted': creatorDeletedWorld,
  hostile: hostileWorld
})
