/**
 * pingone-fake: a loopback fake of PingOne's auth host (the worker app's token endpoint) and the three
 * management API reads the action makes, answering from a plain-object *world model* (pingone-fake.d.mts
 * for its shape; the world builders at the end of this file). One server plays both hosts: `authUrl` and
 * `apiUrl` are the same origin.
 *
 * Executable documentation of the PingOne behaviour the action relies on. Bracketed keys ([P2], [P4], ...)
 * cite the sources of the facts sheet (docs/idp-pingone.md, "Sources"). The store,
 * plan and error bodies validate against pingone-openapi-subset.json (__tests__/pingone-fake-schema.test.ts).
 * Where PingOne's behaviour is not documented, the choice is marked GUESS.
 *
 * Read only: any request but a GET and the token POST is refused (405) and recorded as a violation, the
 * test-connection POST (`/propagation/stores/connection/status`, which would send the token to GitHub [P4])
 * first of all. The token endpoint REALLY checks the client: its Basic secret, or its client assertion
 * (RS256/384/512 signature against the app's registered public JWK, iss/sub/aud/exp, jti replay) [P7].
 * Plain JavaScript ESM, node: built-ins only. No secret is kept in the request log.
 */
import { createServer } from 'node:http'
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, verify } from 'node:crypto'
import { URL, URLSearchParams } from 'node:url'
import { EMU_TOKEN, ENTERPRISE, makeToken } from './worlds.mjs'
import { closeFake, listenLoopback, readBody, sleep } from './loopback.mjs'

const JSON_TYPE = 'application/json'
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
const READ_ONLY_VIOLATION = 'the action must be read-only: only GET, and the POST of its OAuth token request'
const HASH = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' }
const HOUR = 3_600_000

/** A UUID derived from a seed (PingOne's ids are UUIDs). */
export function uuidFrom(seed) {
  const h = createHash('sha256').update(String(seed)).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
}

export const PINGONE_ENV_ID = uuidFrom('pingone/env')
export const PINGONE_STORE_ID = uuidFrom('pingone/store')
export const PINGONE_CLIENT_ID = uuidFrom('pingone/worker-app')
export const PINGONE_KEY_ID = 'worker-key-1'
/** The worker app's client secret: derived at load time (no secret-shaped literal in the source). */
export const PINGONE_CLIENT_SECRET = createHash('sha256').update('pingone-fake/secret').digest('base64url').slice(0, 43)
/** An older PAT the store may hold: not the one a run checks. */
export const PINGONE_OTHER_TOKEN = makeToken('ghp_', 'pingone-old')

// ---------------------------------------------------------------------------------------------
// PingOne's texts
// ---------------------------------------------------------------------------------------------

export const PINGONE_MESSAGES = Object.freeze({
  // GUESS: the token endpoint's OAuth texts (UNCONFIRMED [P6]).
  invalidClient: 'Request denied: Invalid client credentials',
  badAssertion: 'Request denied: client_assertion signature could not be verified',
  assertionExpired: 'Request denied: client_assertion is expired',
  unsupportedGrant: 'Request denied: Unsupported grant_type',
  // P1Error texts [P9] (the messages are GUESS; the codes are the spec's).
  invalidToken: 'The request could not be completed. The access token is invalid or expired.',
  insufficient: 'The request could not be completed. You do not have access to this resource.',
  notFound: 'The request could not be completed. The requested resource was not found.',
  limited: 'The request could not be completed. Too many requests.',
  unexpected: 'An unexpected error occurred.',
  method: 'The request could not be completed. The HTTP method is not allowed on this resource.'
})

/** GUESS (UNCONFIRMED): what `syncStatus.details` says when GitHub refuses the stored token. */
export const CREDENTIALS_DETAILS = 'Failed to provision user: GitHub returned 401 Unauthorized (Bad credentials)'
/** GUESS: a per-user failure's details. */
export const PER_USER_DETAILS = "Failed to create user 'bob_fabrikam': 409 Conflict, a user with this userName already exists"

const p1Error = (status, code, message, details = [], headers = {}) => ({
  status,
  body: { id: randomUUID(), code, message, ...(details.length > 0 ? { details } : {}) },
  headers
})
const oauthError = (status, error, description) => ({ status, body: { error, error_description: description }, headers: {} })

// ---------------------------------------------------------------------------------------------
// JWT checks (client assertions) [P7]
// ---------------------------------------------------------------------------------------------

function decodeJwt(token) {
  if (typeof token !== 'string') return null
  const parts = token.split('.')
  if (parts.length !== 3) return null
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'))
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'))
    if (!header || typeof header !== 'object' || !payload || typeof payload !== 'object') return null
    return { header, payload, input: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], 'base64url') }
  } catch {
    return null
  }
}

function verifyJwt(jwt, jwk) {
  const hash = HASH[jwt.header.alg]
  if (!hash) return false
  try {
    return verify(hash, Buffer.from(jwt.input), createPublicKey({ key: jwk, format: 'jwk' }), jwt.signature)
  } catch {
    return false
  }
}

let keyCache = null
/** The worker app's RSA key (generated once per process): PKCS#8 PEM and a private JWK; its public JWK is registered. */
export function pingoneKeys() {
  if (keyCache) return keyCache
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  keyCache = Object.freeze({
    rsaPem: rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }),
    rsaJwk: JSON.stringify({ ...rsa.privateKey.export({ format: 'jwk' }), kid: PINGONE_KEY_ID, alg: 'RS256' }),
    /** PingOne takes RSA only: an EC key the provider must refuse before sending. */
    ecPem: ec.privateKey.export({ format: 'pem', type: 'pkcs8' }),
    publicJwk: { ...rsa.publicKey.export({ format: 'jwk' }), kid: PINGONE_KEY_ID, alg: 'RS256', use: 'sig' }
  })
  return keyCache
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

const ROUTES = [
  { key: 'POST /as/token', method: 'POST', pattern: /^\/([^/]+)\/as\/token$/ },
  { key: 'GET store', method: 'GET', pattern: /^\/v1\/environments\/([^/]+)\/propagation\/stores\/([^/]+)$/ },
  { key: 'GET rules', method: 'GET', pattern: /^\/v1\/environments\/([^/]+)\/propagation\/rules$/ },
  { key: 'GET plans', method: 'GET', pattern: /^\/v1\/environments\/([^/]+)\/propagation\/plans$/ }
]

/**
 * Start the fake on 127.0.0.1 (random port).
 * @param {import('./pingone-fake.d.mts').PingOneWorld} world
 * @param {{ latencyMs?: number }} [options]
 * @returns {Promise<import('./pingone-fake.d.mts').FakePingOne>}
 */
export async function startPingOneFake(world, { latencyMs = 0 } = {}) {
  const state = {
    world,
    requests: [],
    violations: [],
    sockets: new Set(),
    timers: new Set(),
    faultUses: new WeakMap(),
    usedJtis: new Set(),
    issued: new Map(),
    closed: false
  }
  let origin = ''
  const server = createServer((req, res) => {
    handle(req, res).catch(err => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': JSON_TYPE })
        res.end(JSON.stringify({ id: randomUUID(), code: 'UNEXPECTED_ERROR', message: `pingone-fake: ${err.message}` }))
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

  async function handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const route = ROUTES.find(r => r.pattern.test(url.pathname))
    const match = route?.pattern.exec(url.pathname)
    const entry = {
      method: req.method,
      path: url.pathname,
      routeKey: route?.key ?? null,
      authScheme: /^(\w+)\s/.exec(req.headers.authorization ?? '')?.[1] ?? null,
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

    if (req.method !== 'GET' && !(req.method === 'POST' && route?.key === 'POST /as/token')) {
      const what = /\/propagation\/stores\/connection\/status$/.test(url.pathname)
        ? 'Test Connection (sends the token to GitHub)'
        : 'a write'
      state.violations.push(`${req.method} ${url.pathname}: ${what} refused; ${READ_ONLY_VIOLATION}`)
      return send(res, entry, p1Error(405, 'METHOD_NOT_ALLOWED', PINGONE_MESSAGES.method))
    }
    if (!route || route.method !== req.method) return send(res, entry, p1Error(404, 'NOT_FOUND', PINGONE_MESSAGES.notFound))
    const fault = takeFault(route.key)
    if (fault) {
      entry.fault = fault.kind
      const r = faultReply(fault)
      if (r === 'hang') return
      if (r === 'reset') return void (res.socket?.resetAndDestroy?.() ?? res.socket?.destroy())
      if (r) return send(res, entry, r)
    }
    if (route.key === 'POST /as/token') return send(res, entry, tokenEndpoint(req, body, decodeURIComponent(match[1])))
    const auth = authenticate(req)
    if (auth) return send(res, entry, auth)
    if (decodeURIComponent(match[1]) !== state.world.environmentId)
      return send(res, entry, p1Error(404, 'NOT_FOUND', PINGONE_MESSAGES.notFound))
    if (route.key === 'GET store') return send(res, entry, getStore(decodeURIComponent(match[2]), req))
    if (route.key === 'GET rules') return send(res, entry, list('rules', state.world.rules ?? []))
    return send(res, entry, list('plans', state.world.plans ?? []))
  }

  function faultReply(fault) {
    switch (fault.kind) {
      case 'hang':
        return 'hang'
      case 'reset':
        return 'reset'
      case 'status':
        if (fault.body !== undefined) return { status: fault.status, body: fault.body, headers: fault.headers ?? {} }
        if (fault.status >= 500) return p1Error(fault.status, 'UNEXPECTED_ERROR', PINGONE_MESSAGES.unexpected, [], fault.headers)
        if (fault.status === 401) return accessFailed(401, 'INVALID_TOKEN', PINGONE_MESSAGES.invalidToken)
        if (fault.status === 403) return accessFailed(403, 'INSUFFICIENT_PERMISSIONS', PINGONE_MESSAGES.insufficient)
        if (fault.status === 404) return p1Error(404, 'NOT_FOUND', PINGONE_MESSAGES.notFound)
        return p1Error(fault.status, 'INVALID_REQUEST', 'The request could not be completed.')
      case 'rate-limit': {
        // [P8][P9]: 429 REQUEST_LIMITED, Retry-After in seconds; innerError.retryAfter beside it.
        const seconds = fault.retryAfterSeconds
        const headers = seconds === null || seconds === undefined ? {} : { 'retry-after': String(seconds) }
        const inner = seconds === null || seconds === undefined ? {} : { innerError: { retryAfter: seconds * 1000 } }
        return p1Error(
          429,
          'REQUEST_LIMITED',
          PINGONE_MESSAGES.limited,
          [{ code: 'LIMIT_EXCEEDED', message: PINGONE_MESSAGES.limited, ...inner }],
          headers
        )
      }
      case 'redirect':
        return { status: fault.status ?? 302, body: '', headers: { location: fault.location } }
      case 'oversize':
        // A 2xx body over the action's 1 MiB per answer.
        return { status: 200, body: JSON.stringify({ id: PINGONE_STORE_ID, padding: 'x'.repeat(1_200_000) }), headers: {} }
      default:
        throw new Error(`pingone-fake: unknown fault kind ${JSON.stringify(fault.kind)}`)
    }
  }

  const accessFailed = (status, detail, message) => p1Error(status, 'ACCESS_FAILED', message, [{ code: detail, message }])

  // ----- The token endpoint [P6][P7] -----

  function tokenEndpoint(req, body, envId) {
    const w = state.world
    if (envId !== w.environmentId) return p1Error(404, 'NOT_FOUND', PINGONE_MESSAGES.notFound) // GUESS
    const form = Object.fromEntries(new URLSearchParams(body))
    if (form.grant_type !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', PINGONE_MESSAGES.unsupportedGrant)
    const echo = w.echo ? ` (${req.headers.authorization ?? ''} ${form.client_assertion ?? ''})` : ''
    const refuse = text => oauthError(401, 'invalid_client', `${text}${echo}`)
    let clientId
    const basic = /^basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8')
      const at = decoded.indexOf(':')
      // RFC 6749 §2.3.1: both parts form-encoded (as PingOne's Go SDK sends them [P5]).
      const formDecode = v => {
        try {
          return decodeURIComponent(v.replace(/\+/g, ' '))
        } catch {
          return null
        }
      }
      clientId = formDecode(decoded.slice(0, at))
      const client = clientId === null ? undefined : w.clients?.[clientId]
      if (at < 0 || !client?.secret || client.secret !== formDecode(decoded.slice(at + 1))) return refuse(PINGONE_MESSAGES.invalidClient)
    } else if (form.client_assertion_type === ASSERTION_TYPE && form.client_assertion) {
      const jwt = decodeJwt(form.client_assertion)
      const client = jwt && typeof jwt.payload.iss === 'string' ? w.clients?.[jwt.payload.iss] : undefined
      if (!jwt || !client?.jwk || jwt.payload.sub !== jwt.payload.iss) return refuse(PINGONE_MESSAGES.invalidClient)
      if ((jwt.header.kid !== undefined && jwt.header.kid !== client.jwk.kid) || !verifyJwt(jwt, client.jwk))
        return refuse(PINGONE_MESSAGES.badAssertion)
      if (jwt.payload.aud !== `${origin}/${envId}/as/token`) return refuse(PINGONE_MESSAGES.badAssertion)
      const now = Math.floor(Date.now() / 1000)
      if (typeof jwt.payload.exp !== 'number' || jwt.payload.exp <= now) return refuse(PINGONE_MESSAGES.assertionExpired)
      if (typeof jwt.payload.jti !== 'string' || state.usedJtis.has(jwt.payload.jti)) return refuse(PINGONE_MESSAGES.badAssertion)
      state.usedJtis.add(jwt.payload.jti)
      clientId = jwt.payload.iss
    } else return refuse(PINGONE_MESSAGES.invalidClient)
    const b64 = obj => Buffer.from(JSON.stringify(obj)).toString('base64url')
    const accessToken = `${b64({ kid: 'fake', alg: 'RS256' })}.${b64({ client_id: clientId, env: envId, jti: randomUUID() })}.${randomBytes(32).toString('base64url')}`
    state.issued.set(accessToken, { clientId })
    // [P6]: no scope in the answer; the app's roles apply.
    return {
      status: 200,
      body: { access_token: accessToken, token_type: 'Bearer', expires_in: 3600 },
      headers: { 'cache-control': 'no-store' }
    }
  }

  /** A P1Error 401 for a token it did not issue; 403 for an app without a role that reads propagation. */
  function authenticate(req) {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')
    const issued = m ? state.issued.get(m[1]) : undefined
    const echo = state.world.echo && m ? ` ${m[1]}` : ''
    if (!issued) return accessFailed(401, 'INVALID_TOKEN', `${PINGONE_MESSAGES.invalidToken}${echo}`)
    const client = state.world.clients?.[issued.clientId]
    if (!client?.role) return accessFailed(403, 'INSUFFICIENT_PERMISSIONS', `${PINGONE_MESSAGES.insufficient}${echo}`)
    return null
  }

  function getStore(storeId, req) {
    const store = state.world.stores?.[storeId]
    if (!store) return p1Error(404, 'NOT_FOUND', PINGONE_MESSAGES.notFound)
    const body = structuredClone(store)
    // UNCONFIRMED [P3][P16]: whether the GET returns OAUTH_ACCESS_TOKEN; `returnToken: false` leaves it out.
    if (state.world.returnToken === false) delete body.configuration.OAUTH_ACCESS_TOKEN
    if (state.world.echo && body.syncStatus) body.syncStatus.details = `${req.headers.authorization ?? ''} ${body.syncStatus.details ?? ''}`
    body._links = { self: { href: `${origin}/v1/environments/${state.world.environmentId}/propagation/stores/${storeId}` } }
    return { status: 200, body, headers: {} }
  }

  function list(key, items) {
    const self = { href: `${origin}/v1/environments/${state.world.environmentId}/propagation/${key}` }
    const links = state.world.nextPage?.[key] ? { self, next: { href: `${self.href}?cursor=2` } } : { self }
    return { status: 200, body: { _links: links, _embedded: { [key]: items }, count: items.length, size: items.length }, headers: {} }
  }

  function send(res, entry, r) {
    if (res.destroyed) return
    const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body)
    entry.status = r.status
    entry.error = r.body && typeof r.body === 'object' ? (r.body.code ?? r.body.error ?? null) : null
    res.writeHead(r.status, {
      'content-type': JSON_TYPE,
      'content-length': String(Buffer.byteLength(text)),
      // [P4]: a generated correlation id comes back when none was sent.
      'x-ping-external-transaction-id': randomUUID(),
      ...r.headers
    })
    res.end(text)
  }

  origin = await listenLoopback(server)

  return {
    url: origin,
    authUrl: origin,
    apiUrl: origin,
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
// Worlds
// ---------------------------------------------------------------------------------------------

const PLAN_ID = uuidFrom('pingone/plan')
const SOURCE_STORE_ID = uuidFrom('pingone/directory')

/**
 * The GitHubEMU store as the GET returns it (shape: the GitHubEMU create body [P2] and `syncStatus` [P4][P3]).
 * GUESS: the GET returns `status` ACTIVE for a connection that is on (the SDK's enum lists only INACTIVE).
 */
export function githubEmuStore({ now = Date.now(), heldToken = EMU_TOKEN, enterprise = ENTERPRISE, sync, ...overrides } = {}) {
  return {
    id: PINGONE_STORE_ID,
    environment: { id: PINGONE_ENV_ID },
    name: 'GitHub EMU',
    description: 'Provisioning to GitHub Enterprise Managed Users',
    type: 'GitHubEMU',
    status: 'ACTIVE',
    managed: true,
    image: { id: uuidFrom('pingone/image'), href: 'https://assets.pingone.com/ux/ui-library/5.0.2/images/logo-github.png' },
    configuration: {
      BASE_URL: `https://api.github.com/scim/v2/enterprises/${enterprise}`,
      OAUTH_ACCESS_TOKEN: heldToken,
      CREATE_USERS: true,
      UPDATE_USERS: true,
      DEPROVISION_USERS: true,
      REMOVE_ACTION: 'Disable',
      GROUP_MEMBERSHIP_HANDLING: 'Overwrite'
    },
    syncStatus: {
      syncState: 'SYNCING',
      details: '',
      lastSyncAt: new Date(now - 2 * HOUR).toISOString(),
      successCount: 120,
      failedCount: 0,
      failedDeprovisionCount: 0,
      userTotal: 120,
      ...sync
    },
    createdAt: '2026-01-28T16:56:12.260Z',
    updatedAt: '2026-01-28T16:56:12.260Z',
    ...overrides
  }
}

export const githubEmuRule = (overrides = {}) => ({
  id: uuidFrom('pingone/rule'),
  environment: { id: PINGONE_ENV_ID },
  name: 'Users to GitHub EMU',
  active: true,
  sourceStore: { id: SOURCE_STORE_ID },
  targetStore: { id: PINGONE_STORE_ID },
  plan: { id: PLAN_ID },
  populationExpression: 'user.population.id eq "all"',
  deprovision: true,
  ...overrides
})

export const propagationPlan = (overrides = {}) => ({
  id: PLAN_ID,
  environment: { id: PINGONE_ENV_ID },
  name: 'Default Plan',
  status: 'ACTIVE',
  ...overrides
})

/**
 * A healthy environment: the store ACTIVE and syncing, an active rule, the plan ACTIVE, the worker app with a
 * client secret and a key, and the Configuration Read-Only Admin role.
 * @param {{ now?: number, heldToken?: string, enterprise?: string }} [options]
 */
export function healthyPingOneWorld({ now = Date.now(), heldToken = EMU_TOKEN, enterprise = ENTERPRISE } = {}) {
  return {
    environmentId: PINGONE_ENV_ID,
    clients: {
      [PINGONE_CLIENT_ID]: { secret: PINGONE_CLIENT_SECRET, jwk: pingoneKeys().publicJwk, role: 'Configuration Read-Only Admin' }
    },
    stores: { [PINGONE_STORE_ID]: githubEmuStore({ now, heldToken, enterprise }) },
    rules: [
      githubEmuRule(),
      githubEmuRule({ id: uuidFrom('pingone/other-rule'), targetStore: { id: uuidFrom('pingone/slack') }, active: false })
    ],
    plans: [propagationPlan()],
    returnToken: true,
    echo: false,
    faults: {}
  }
}

const withSync = (options, sync) => {
  const world = healthyPingOneWorld(options)
  Object.assign(world.stores[PINGONE_STORE_ID].syncStatus, sync)
  return world
}

/** GitHub refuses the token PingOne holds: every push since the last revision failed. */
export const credentialsRejectedPingOneWorld = (options = {}) =>
  withSync(options, { syncState: 'FAILED', details: CREDENTIALS_DETAILS, successCount: 0, failedCount: 7, userTotal: 120 })

export const PINGONE_WORLDS = Object.freeze({
  healthy: healthyPingOneWorld,
  'credentials-rejected': credentialsRejectedPingOneWorld,
  /** The store holds an older PAT than the one the run checks. */
  'other-token': (o = {}) => credentialsRejectedPingOneWorld({ ...o, heldToken: o.heldToken ?? PINGONE_OTHER_TOKEN }),
  'provisioning-errors': o => withSync(o, { failedCount: 2, details: PER_USER_DETAILS }),
  'failed-other': o => withSync(o, { syncState: 'FAILED', failedCount: 3, details: PER_USER_DETAILS }),
  'store-inactive': o => {
    const w = healthyPingOneWorld(o)
    w.stores[PINGONE_STORE_ID].status = 'INACTIVE'
    return w
  },
  'rule-inactive': o => ({ ...healthyPingOneWorld(o), rules: [githubEmuRule({ active: false })] }),
  'plan-inactive': o => ({ ...healthyPingOneWorld(o), plans: [propagationPlan({ status: 'INACTIVE' })] }),
  'never-synced': o => {
    const w = healthyPingOneWorld(o)
    delete w.stores[PINGONE_STORE_ID].syncStatus
    return w
  },
  'unknown-state': o => withSync(o, { syncState: 'PAUSED' }),
  'token-withheld': o => ({ ...healthyPingOneWorld(o), returnToken: false }),
  'wrong-enterprise': o => healthyPingOneWorld({ ...o, enterprise: 'contoso' }),
  'not-emu': o => {
    const w = healthyPingOneWorld(o)
    w.stores[PINGONE_STORE_ID].type = 'scim'
    return w
  },
  /** Every string the action shows from the store is hostile; the store and errors echo what was sent. */
  hostile: o => {
    const w = credentialsRejectedPingOneWorld(o)
    const store = w.stores[PINGONE_STORE_ID]
    store.name = '::error::pwned\n<script>alert(1)</script>\u202e|table|'
    store.syncStatus.details = `401 token refused\r\n::set-output name=x::y \u0000\u001b[31m ${'A'.repeat(5000)} @everyone [x](https://evil.example)`
    w.echo = true
    return w
  },
  /** The store's details and every error text echo the credentials sent (the token request's among them). */
  echo: o => ({
    ...credentialsRejectedPingOneWorld(o),
    echo: true,
    clients: { [PINGONE_CLIENT_ID]: { secret: PINGONE_CLIENT_SECRET, jwk: pingoneKeys().publicJwk, role: null } }
  })
})
