/**
 * jumpcloud-fake: a loopback fake of the three JumpCloud hosts the action asks, on one port (point
 * jumpcloud-console-url, jumpcloud-insights-url and jumpcloud-oauth-url at `url`), answering from a
 * plain-object *world model* (jumpcloud-fake.d.mts for its shape; the world builders at the end):
 * - `POST /oauth2/token` (the service-account token endpoint; Basic auth, client_credentials, scope=api) [J7];
 * - `GET /api/applications/{id}` (v1) [J4], with `config.idpPrivateKey` in the body (the action must drop it);
 * - `POST /insights/directory/v1/events` (Directory Insights) [J3]: `service`, `start_time`, `end_time`,
 *   `sort`, `limit`, `fields`, `search_term` (`and`/`or` lists, list values, lower-case matching, nested
 *   compound terms) and `search_after`, answered with `X-Result-Count`, `X-Limit`, `X-Sort`, `X-Search_after`
 *   (a JSON array, sent on every page) and `X-Request-Id`; an unknown service is a 400 naming the valid ones.
 * Bracketed keys cite docs/idp-jumpcloud.md ("Sources"); bodies validate against the
 * vendored subset of JumpCloud's OpenAPI (__tests__/fixtures/jumpcloud-openapi-subset.json,
 * __tests__/jumpcloud-fake-schema.test.ts). Where JumpCloud's behaviour is not documented: GUESS.
 *
 * Any write, and any POST but the token request and the event query, is refused and logged as a violation.
 * No secret is kept in the request log. Plain JavaScript ESM, node: built-ins only.
 */
import { createServer } from 'node:http'
import { createHash, randomBytes } from 'node:crypto'
import { URL, URLSearchParams } from 'node:url'
import { closeFake, listenLoopback, readBody, sleep } from './loopback.mjs'

export const JC_MESSAGES = Object.freeze({
  // GUESS: JumpCloud's exact texts; the body shape {code, message, status} is the v1 `Error` schema [J4].
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden: the administrator does not have permission to perform this action',
  ipBlocked: 'Forbidden: Your IP has been blocked due to suspected abuse', // observed article title [J9]
  notFound: 'Not Found',
  rateLimited: 'Too Many Requests',
  internal: 'Internal Server Error',
  badService: 'invalid service, valid services are:',
  startTimeRequired: 'start_time is required',
  invalidClient: 'Client authentication failed'
})

/** The services of the event query [J3] (an unknown one is answered with this list). */
export const DI_SERVICES = Object.freeze([
  'all',
  'directory',
  'sso',
  'radius',
  'systems',
  'ldap',
  'mdm',
  'password_manager',
  'object_storage',
  'saas_app_management',
  'software',
  'notifications',
  'reports',
  'alerts',
  'access_management',
  'asset_management'
])

const JSON_TYPE = 'application/json; charset=utf-8'
const ROUTES = [
  { key: 'POST /oauth2/token', method: 'POST', pattern: /^\/oauth2\/token$/ },
  { key: 'GET /api/applications/{id}', method: 'GET', pattern: /^\/api\/applications\/([^/]+)$/ },
  { key: 'POST /insights/directory/v1/events', method: 'POST', pattern: /^\/insights\/directory\/v1\/events$/ }
]
const READ_ONLY_VIOLATION = 'the action must be read-only: only GET, the token POST and the Directory Insights event query'
const STATUS_TEXT = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable'
}

const hex = n =>
  randomBytes(Math.ceil(n / 2))
    .toString('hex')
    .slice(0, n)
/** A deterministic 24-hex JumpCloud object id. */
export const jcId = seed => createHash('sha256').update(`jc/${seed}`).digest('hex').slice(0, 24)
const reply = (status, body, headers = {}) => ({ status, body, headers })
/** The v1 `Error` object [J4]. */
const jcError = (status, message, headers = {}) => reply(status, { code: status, message, status: STATUS_TEXT[status] ?? 'Error' }, headers)
const oauthError = (status, error, description) => reply(status, { error, error_description: description })

// ----- Directory Insights search [J3] -----

/** The value at a dot path (`application.id`), lower-cased as JumpCloud stores it. */
function fieldValue(event, path) {
  let v = event
  for (const k of path.split('.')) v = v !== null && typeof v === 'object' ? v[k] : undefined
  return v === undefined || v === null ? null : String(v).toLowerCase()
}

/** One term object: each field (or a nested `and`/`or`) must match. */
export function matchTerm(event, term) {
  return Object.entries(term).every(([field, want]) => {
    if (field === 'and' && Array.isArray(want)) return want.every(t => matchTerm(event, t))
    if (field === 'or' && Array.isArray(want)) return want.some(t => matchTerm(event, t))
    const have = fieldValue(event, field)
    const wants = (Array.isArray(want) ? want : [want]).map(w => String(w).toLowerCase())
    return have !== null && wants.includes(have)
  })
}

export function matchSearch(event, searchTerm) {
  if (!searchTerm || typeof searchTerm !== 'object') return true
  // The guide's form: lists of term objects [J3]; the SDK's (the schema's TermConjunction): one map of fields.
  const list = v => (Array.isArray(v) ? v : v && typeof v === 'object' ? Object.entries(v).map(([k, w]) => ({ [k]: w })) : null)
  const [and, or, not] = [list(searchTerm.and), list(searchTerm.or), list(searchTerm.not)]
  if (and && !and.every(t => matchTerm(event, t))) return false
  if (or && or.length > 0 && !or.some(t => matchTerm(event, t))) return false
  if (not && not.some(t => matchTerm(event, t))) return false
  return true
}

const sortKey = e => [Date.parse(e.timestamp), String(e.id)]
function compareKeys(a, b) {
  if (a[0] !== b[0]) return a[0] - b[0]
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0
}

/**
 * Start the fake on 127.0.0.1 (random port).
 * @param {import('./jumpcloud-fake.d.mts').JumpCloudWorld} world
 * @param {{ latencyMs?: number }} [options]
 * @returns {Promise<import('./jumpcloud-fake.d.mts').FakeJumpCloud>}
 */
export async function startJumpCloudFake(world, { latencyMs = 0 } = {}) {
  const state = {
    world,
    requests: [],
    violations: [],
    issued: new Map(),
    sockets: new Set(),
    timers: new Set(),
    faultUses: new WeakMap(),
    closed: false
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(err => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': JSON_TYPE })
        res.end(JSON.stringify({ code: 500, message: `jumpcloud-fake internal error: ${err.message}`, status: 'Internal Server Error' }))
      }
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

  function authKind(req) {
    if (typeof req.headers['x-api-key'] === 'string') return 'api-key'
    const scheme = /^(\w+)\s/.exec(req.headers.authorization ?? '')?.[1]?.toLowerCase()
    return scheme === 'bearer' ? 'bearer' : scheme === 'basic' ? 'basic' : null
  }

  async function handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const route = ROUTES.find(r => r.pattern.test(url.pathname))
    const match = route?.pattern.exec(url.pathname)
    const entry = {
      method: req.method,
      path: url.pathname,
      routeKey: route?.key ?? null,
      auth: authKind(req),
      orgId: typeof req.headers['x-org-id'] === 'string' ? req.headers['x-org-id'] : null,
      contentType: req.headers['content-type'] ?? null,
      json: null,
      startedAt: performance.now(),
      endedAt: null,
      status: null,
      fault: null
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
    const allowedPost = req.method === 'POST' && route && route.method === 'POST'
    if (req.method !== 'GET' && !allowedPost) {
      state.violations.push(`${req.method} ${url.pathname}: refused; ${READ_ONLY_VIOLATION}`)
      return send(res, entry, jcError(405, 'Method Not Allowed'))
    }
    if (route && route.method !== req.method) return send(res, entry, jcError(405, 'Method Not Allowed'))
    if (route?.key === 'POST /insights/directory/v1/events') {
      try {
        entry.json = JSON.parse(body)
      } catch {
        entry.json = null
      }
    }
    const fault = takeFault(route?.key ?? null)
    if (fault) {
      entry.fault = fault.kind
      const r = faultReply(fault, req)
      if (r === 'hang') return
      if (r === 'huge') return sendHuge(res, entry)
      if (r) return send(res, entry, r)
    }
    if (!route) return send(res, entry, jcError(404, JC_MESSAGES.notFound))
    if (route.key === 'POST /oauth2/token') return send(res, entry, tokenEndpoint(req, body))
    const denied = authenticate(req)
    if (denied) return send(res, entry, denied)
    if (route.key === 'GET /api/applications/{id}') return send(res, entry, getApp(decodeURIComponent(match[1])))
    return send(res, entry, queryEvents(entry.json, fault))
  }

  function faultReply(fault, req) {
    switch (fault.kind) {
      case 'hang':
        return 'hang'
      case 'huge':
        return 'huge'
      case 'status':
        if (fault.body !== undefined) return reply(fault.status, fault.body, fault.headers ?? {})
        return jcError(
          fault.status,
          fault.status >= 500 ? JC_MESSAGES.internal : (STATUS_TEXT[fault.status] ?? 'Error'),
          fault.headers ?? {}
        )
      case 'ip-blocked':
        return jcError(403, JC_MESSAGES.ipBlocked)
      case 'rate-limit':
        // JumpCloud documents no Retry-After [J9]: only when the fault asks for one.
        return jcError(
          429,
          JC_MESSAGES.rateLimited,
          fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {}
        )
      case 'redirect':
        return reply(fault.status ?? 302, '', { location: fault.location })
      case 'echo': {
        // A hostile server that quotes the request's credentials back (key, Basic value, bearer token).
        const echoed = [req.headers['x-api-key'], req.headers.authorization].filter(Boolean).join(' ')
        return jcError(400, `invalid request from ${echoed}`)
      }
      case 'asc':
      case 'cursor-loop':
      case 'no-cursor':
        return null // handled by queryEvents (it needs the page)
      default:
        throw new Error(`jumpcloud-fake: unknown fault kind ${JSON.stringify(fault.kind)}`)
    }
  }

  // ----- The token endpoint (GUESS: shapes as a standard OAuth 2.0 server's; only observed [J7]) -----

  function tokenEndpoint(req, body) {
    const form = Object.fromEntries(new URLSearchParams(body))
    if (form.grant_type !== 'client_credentials')
      return oauthError(400, 'unsupported_grant_type', 'The authorization grant type is not supported.')
    const basic = /^basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1]
    const [id, ...rest] = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':') : []
    const account = id ? state.world.serviceAccounts?.[id] : undefined
    if (!account || account.secret !== rest.join(':') || account.expired)
      return oauthError(401, 'invalid_client', JC_MESSAGES.invalidClient)
    if (form.scope !== 'api') return oauthError(400, 'invalid_scope', 'The requested scope is invalid, unknown, or malformed.')
    const token = `jca_${randomBytes(30).toString('base64url')}`
    state.issued.set(token, { clientId: id })
    return reply(200, { access_token: token, token_type: 'bearer', expires_in: 3599, scope: 'api' })
  }

  /** The credential of an API request: an API key [J3], or a bearer token this fake issued; null when accepted. */
  function authenticate(req) {
    const w = state.world
    const key = req.headers['x-api-key']
    const bearer = /^bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1]
    let who = null
    if (typeof key === 'string') who = w.apiKeys?.[key] ?? null
    else if (bearer && state.issued.has(bearer)) who = w.serviceAccounts?.[state.issued.get(bearer).clientId] ?? null
    if (who === null || who.expired) return jcError(401, JC_MESSAGES.unauthorized)
    const org = req.headers['x-org-id']
    // A multi-tenant admin must name one of its organizations (GUESS: the status of a wrong one).
    if (who.orgIds && (typeof org !== 'string' || !who.orgIds.includes(org))) return jcError(401, JC_MESSAGES.unauthorized)
    if (who.role === null) return jcError(403, JC_MESSAGES.forbidden)
    return null
  }

  function getApp(id) {
    const app = state.world.apps?.[id]
    return app ? reply(200, app) : jcError(404, JC_MESSAGES.notFound)
  }

  function queryEvents(q, fault) {
    if (q === null || typeof q !== 'object' || Array.isArray(q)) return jcError(400, 'invalid JSON body')
    if (!Array.isArray(q.service) || q.service.length === 0 || q.service.some(s => !DI_SERVICES.includes(s)))
      return jcError(400, `${JC_MESSAGES.badService} ${DI_SERVICES.join(', ')}`)
    const start = typeof q.start_time === 'string' ? Date.parse(q.start_time) : NaN
    if (!Number.isFinite(start)) return jcError(400, JC_MESSAGES.startTimeRequired)
    const end = typeof q.end_time === 'string' ? Date.parse(q.end_time) : Infinity
    // Nonsensical limits give the default [J3].
    const limit = Number.isInteger(q.limit) && q.limit > 0 && q.limit <= 10_000 ? q.limit : 1000
    const desc = q.sort === 'DESC' && fault?.kind !== 'asc'
    const services = q.service.includes('all') ? null : q.service
    let rows = (state.world.events ?? []).filter(e => {
      const at = Date.parse(e.timestamp)
      return at >= start && at <= end && (services === null || services.includes(e.service)) && matchSearch(e, q.search_term)
    })
    rows.sort((a, b) => (desc ? -1 : 1) * compareKeys(sortKey(a), sortKey(b)))
    if (Array.isArray(q.search_after) && q.search_after.length === 2 && fault?.kind !== 'cursor-loop') {
      const after = [Number(q.search_after[0]), String(q.search_after[1])]
      rows = rows.filter(e => (desc ? -1 : 1) * compareKeys(sortKey(e), after) > 0)
    }
    const page = rows.slice(0, limit)
    const last = page.at(-1)
    const cursor = last ? sortKey(last) : Array.isArray(q.search_after) ? q.search_after : []
    const fields = Array.isArray(q.fields) && q.fields.length > 0 ? q.fields : null
    const out = fields ? page.map(e => Object.fromEntries(Object.entries(e).filter(([k]) => fields.includes(k)))) : page
    const headers = {
      'x-result-count': String(page.length),
      'x-limit': String(limit),
      'x-sort': desc ? 'DESC' : 'ASC',
      'x-request-id': `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`,
      ...(fault?.kind === 'no-cursor' ? {} : { 'x-search_after': JSON.stringify(cursor) })
    }
    return reply(200, out, headers)
  }

  function send(res, entry, r) {
    if (res.destroyed) return
    const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body)
    entry.status = r.status
    res.writeHead(r.status, { 'content-type': JSON_TYPE, 'content-length': String(Buffer.byteLength(text)), ...r.headers })
    res.end(text)
  }

  /** A 200 whose body runs past 1 MiB, with no content-length (the client must stop reading). */
  function sendHuge(res, entry) {
    entry.status = 200
    res.writeHead(200, { 'content-type': JSON_TYPE, 'x-result-count': '1', 'x-limit': '1000' })
    const chunk = `${JSON.stringify({ id: 'x', event_type: 'user_create_provision', pad: 'x'.repeat(64 * 1024) })},`
    res.write('[')
    let sent = 0
    const more = () => {
      while (sent < 40 && !res.destroyed) {
        sent++
        if (!res.write(chunk)) return void res.once('drain', more)
      }
      if (!res.destroyed) res.end('{}]')
    }
    more()
  }

  const url = await listenLoopback(server)
  return {
    url,
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

// ---------------------------------------------------------------------------------------------
// The world builders
// ---------------------------------------------------------------------------------------------

export const JC_APP_ID = jcId('github-app')
export const JC_OTHER_APP_ID = jcId('other-app')
export const JC_ORG_ID = jcId('organization')
/** An admin API key: 40 hex digits (GUESS: the shape of JumpCloud's keys). */
export const JC_API_KEY = createHash('sha256').update('jumpcloud-fake/api-key').digest('hex').slice(0, 40)
export const JC_CLIENT_ID = 'c0ffee00-1d2e-4f3a-8b9c-0d1e2f3a4b5c'
export const JC_CLIENT_SECRET = `jcs_${createHash('sha256').update('jumpcloud-fake/client-secret').digest('base64url').slice(0, 40)}`
/** The app's SAML signing key, as GET /api/applications/{id} may return it [J4]: it must never leave the action. */
export const JC_IDP_PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----\n${createHash('sha512').update('jumpcloud-fake/idp-key').digest('base64')}\n${createHash('sha512').update('jumpcloud-fake/idp-key/2').digest('base64')}\n-----END PRIVATE KEY-----`
/** A per-user error's words (illustrative; GitHub's SCIM 409 text). */
export const PER_USER_ERROR = 'User already exists: the login bob is taken in the enterprise'
export const CREDENTIALS_ERROR = 'Unauthorized: Bad credentials'

const HOUR = 3_600_000

/** The GitHub app as GET /api/applications/{id} returns it (fields of the v1 `application` schema [J4]). */
export function githubApp(overrides = {}) {
  return {
    _id: JC_APP_ID,
    name: 'github-enterprise-cloud-organization',
    displayName: 'GitHub Enterprise Cloud - Organization',
    displayLabel: 'GitHub (acme)',
    active: true,
    beta: false,
    organization: JC_ORG_ID,
    ssoUrl: 'https://sso.jumpcloud.com/saml2/github-acme',
    created: '2026-01-05T10:00:00.000Z',
    config: {
      idpEntityId: { type: 'text', label: 'IdP Entity ID', value: 'JumpCloud', visible: true },
      idpPrivateKey: { type: 'file', label: 'IdP Private Key', value: JC_IDP_PRIVATE_KEY, visible: true },
      spEntityId: { type: 'text', label: 'SP Entity ID', value: 'https://github.com/orgs/acme', visible: true }
    },
    ...overrides
  }
}

let seq = 0
/** A Directory Insights directory event (fields of the "Directory" attribute table [J3]). */
export function diEvent({
  at,
  type = 'user_update_provision',
  success = true,
  code = success ? '200' : '500',
  message,
  error = null,
  appId = JC_APP_ID,
  user = 'mona'
}) {
  seq++
  return {
    id: createHash('sha256').update(`event/${seq}/${at}/${type}`).digest('hex').slice(0, 24),
    event_type: type,
    service: 'directory',
    timestamp: new Date(at).toISOString(),
    organization: JC_ORG_ID,
    '@version': '1',
    success,
    application: { id: appId, name: 'github-enterprise-cloud-organization' },
    idm_client_id: jcId(`idm/${appId}`),
    resource: { type: 'user', id: jcId(`user/${user}`), username: user },
    initiated_by: { type: 'system', id: JC_ORG_ID },
    error_message: error,
    message_chain: {
      response_code: code,
      response_message: message ?? (success ? 'OK' : 'Error'),
      message_details: success ? 'OK' : (error ?? '')
    }
  }
}
export const pushSuccess = (at, user) => diEvent({ at, success: true, user })
export const pushFailure = (at, error, code = '409', user) => diEvent({ at, success: false, code, error, user })
export const credentialFailure = at => diEvent({ at, success: false, code: '401', message: 'Unauthorized', error: CREDENTIALS_ERROR })

function base(now, events, app = githubApp()) {
  return {
    apps: { [JC_APP_ID]: app },
    events: [...events, diEvent({ at: now - 3 * HOUR, appId: JC_OTHER_APP_ID, success: false, code: '401', error: CREDENTIALS_ERROR })],
    apiKeys: { [JC_API_KEY]: { role: 'read-only' } },
    serviceAccounts: { [JC_CLIENT_ID]: { secret: JC_CLIENT_SECRET, role: 'view-applications-insights' } },
    faults: {}
  }
}

export const healthyWorld = ({ now = Date.now() } = {}) => base(now, [pushSuccess(now - 2 * HOUR), pushSuccess(now - 26 * HOUR, 'hubot')])
export const credentialsRejectedWorld = ({ now = Date.now() } = {}) =>
  base(now, [credentialFailure(now - 1 * HOUR), credentialFailure(now - 24 * HOUR), pushSuccess(now - 48 * HOUR)])
export const provisioningErrorsWorld = ({ now = Date.now() } = {}) =>
  base(now, [pushFailure(now - 1 * HOUR, PER_USER_ERROR), pushSuccess(now - 2 * HOUR), pushFailure(now - 5 * HOUR, PER_USER_ERROR, '400')])
export const appInactiveWorld = ({ now = Date.now() } = {}) => base(now, [pushSuccess(now - 30 * HOUR)], githubApp({ active: false }))
export const deactivatedWorld = ({ now = Date.now() } = {}) =>
  base(now, [
    diEvent({ at: now - 4 * HOUR, type: 'integration_deactivate', message: 'Integration deactivated' }),
    pushSuccess(now - 30 * HOUR)
  ])
export const noAttemptWorld = ({ now = Date.now() } = {}) => base(now, [])
/** `count` credential failures an hour apart... from 10 min ago: more than five pages of 1000 when count > 5000. */
export function manyEventsWorld({ now = Date.now(), count = 5200 } = {}) {
  const events = []
  for (let i = 0; i < count; i++) events.push(credentialFailure(now - 10 * 60_000 - i * 20_000))
  return base(now, events)
}

/** Hostile strings where JumpCloud puts server text: workflow commands, line breaks, bidi, a huge message. */
export const HOSTILE_TEXT = `::error title=pwned::owned\n::add-mask::x %0A\u202eevil\u0007 <script>|x|</script> ${'A'.repeat(20_000)}`
export function hostileWorld({ now = Date.now() } = {}) {
  const world = base(now, [diEvent({ at: now - HOUR, success: false, code: '401', message: HOSTILE_TEXT, error: HOSTILE_TEXT })])
  world.apps[JC_APP_ID] = githubApp({ displayLabel: `GitHub\n::warning::x\u202e${'B'.repeat(5000)}` })
  return world
}

export const JC_WORLDS = Object.freeze({
  healthy: healthyWorld,
  'credentials-rejected': credentialsRejectedWorld,
  'provisioning-errors': provisioningErrorsWorld,
  'app-inactive': appInactiveWorld,
  deactivated: deactivatedWorld,
  'no-attempt': noAttemptWorld,
  hostile: hostileWorld
})
