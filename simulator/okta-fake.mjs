/**
 * okta-fake: a loopback fake of the Okta org authorization server's token endpoint and the two Okta
 * Management API operations the action reads, answering from a plain-object *world model*
 * (okta-fake.d.mts for its shape; the world builders at the end of this file).
 *
 * Executable documentation of the Okta behaviour the action relies on. Bracketed keys ([I1], [I3], ...)
 * cite the sources of the IdP facts sheet (idp-api-facts.md, section 1, "Sources"). Bodies of
 * the management API validate against okta-openapi-subset.json (__tests__/okta-fake-schema.test.ts).
 * Where Okta's behaviour is not documented, the choice is marked GUESS.
 *
 * Plain JavaScript ESM, no build step, node: built-ins only. The token endpoint REALLY verifies the client
 * assertion (signature against the client's registered public JWKs, iss/sub/aud/exp, jti replay) and DPoP
 * proofs (signature, typ, htm, htu, iat, jti, nonce, ath). No secret is kept in the request log.
 */
import { createServer } from 'node:http'
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, verify } from 'node:crypto'
import { URL, URLSearchParams } from 'node:url'
import { closeFake, listenLoopback, readBody, sleep } from './loopback.mjs'

// ---------------------------------------------------------------------------------------------
// Okta's texts
// ---------------------------------------------------------------------------------------------

export const OKTA_MESSAGES = Object.freeze({
  // OAuth errors of the org authorization server [I3]
  clientSecretRefused:
    'Client Credentials requests to the Org Authorization Server must use the private_key_jwt token_endpoint_auth_method.', // [I3]
  invalidClientId: "Invalid value for 'client_id' parameter.", // [I3]
  badSignature: 'The client_assertion signature is invalid.', // [I3]
  assertionExpired: 'The client_assertion token is expired.', // [I3]
  assertionReplayed: 'The client_assertion token has already been used.', // [I3]
  // GUESS: Okta's exact texts for a wrong aud, a too-long exp, a missing assertion.
  badAudience: 'The audience claim for client_assertion must be the endpoint invoked for the request.',
  expTooFar: 'The client_assertion token has an expiration too far into the future.',
  assertionMissing: 'The client_assertion parameter is required.',
  // GUESS: Okta's invalid_scope text.
  invalidScope: 'One or more scopes are not configured for the authorization server resource.',
  dpopMissing: 'The DPoP proof JWT header is missing.', // [I3]
  dpopNonce: 'Authorization server requires nonce in DPoP proof.', // [I2]
  dpopHtu: "'htu' claim in the DPoP proof JWT is invalid.", // [I3]
  dpopAth: "'ath' claim in the DPoP proof does not match the presented access_token.", // [I3]
  dpopOld: 'The DPoP proof JWT is issued more than five minutes in the past.', // [I3]
  dpopReplayed: 'The DPoP proof JWT has already been used.', // [I3]
  // GUESS: the texts for a bad proof signature, htm, or a missing jwk.
  dpopInvalid: 'The DPoP proof JWT is invalid.',
  dpopScheme: 'The resource request must use the DPoP authentication scheme when using a DPoP bound token.', // [I3]
  // GUESS: resource-server nonce text (Okta says a nonce is "not currently required" at the resource [I2]).
  dpopResourceNonce: 'Resource server requires nonce in DPoP proof.',
  insufficientScope: 'The access token provided does not contain the required scopes.', // [I3]
  // Management API errors [I4]
  invalidToken: 'Invalid token provided', // E0000011
  accessDenied: 'You do not have permission to perform the requested action', // E0000006
  /** @param {string} what */
  notFound: what => `Not found: ${what}`, // E0000007
  rateLimited: 'API call exceeded rate limit due to too many requests.', // E0000047
  internal: 'Internal Server Error', // E0000009 GUESS wording
  sinceTooOld: 'Invalid parameter: The since parameter is over 180 days prior to the current day.', // E0000053 [I6]
  // GUESS: the wording of E0000053 for a bad filter or limit.
  badFilter: 'Invalid search criteria.'
})

/** The credentials text admins see when the stored GitHub credential is refused [I16]. */
export const CREDENTIALS_INVALID = 'The credentials used to connect to the API were invalid; please check your configuration'

const JSON_TYPE = 'application/json'
const TOKEN_PATH = '/oauth2/v1/token'
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
const RATE_LIMIT = { token: 600, apps: 500, logs: 120 } // per minute; [I10] (the removed table)

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const hex = n =>
  randomBytes(Math.ceil(n / 2))
    .toString('hex')
    .slice(0, n)
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
/** Okta-style ids: a 3-letter prefix + 17 alnum (`0oa…` apps, `00u…` users). Deterministic from a seed. */
export function oktaId(prefix, seed) {
  let out = prefix
  for (let round = 0; out.length < 20; round++) {
    for (const byte of createHash('sha256').update(`${seed}/${round}`).digest()) {
      if (byte < 248) out += ALNUM[byte % 62]
      if (out.length === 20) break
    }
  }
  return out
}
const requestId = () => `${hex(8)}${hex(8)}`.replace(/^./, 'Y')
const b64urlJson = obj => Buffer.from(JSON.stringify(obj)).toString('base64url')
const sha256b64url = text => createHash('sha256').update(text).digest('base64url')
export const fingerprint = secret => createHash('sha256').update(secret).digest('hex').slice(0, 12)

const HASH = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512', ES256: 'sha256', ES384: 'sha384', ES512: 'sha512' }

/** Splits and decodes a compact JWS; null when it is not one. */
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

/** Verifies a decoded JWS against a public JWK. */
function verifyJwt(jwt, jwk) {
  const hash = HASH[jwt.header.alg]
  if (!hash) return false
  try {
    const key = createPublicKey({ key: jwk, format: 'jwk' })
    const ec = jwt.header.alg.startsWith('ES')
    if (ec !== (key.asymmetricKeyType === 'ec')) return false
    return verify(hash, Buffer.from(jwt.input), ec ? { key, dsaEncoding: 'ieee-p1363' } : key, jwt.signature)
  } catch {
    return false
  }
}

/** RFC 7638 thumbprint of an EC or RSA public JWK. */
function thumbprint(jwk) {
  const members = jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { e: jwk.e, kty: jwk.kty, n: jwk.n }
  return sha256b64url(JSON.stringify(members))
}

const reply = (status, body, headers = {}) => ({ status, body, headers })
const oktaError = (status, errorCode, errorSummary, headers = {}, causes = []) =>
  reply(
    status,
    { errorCode, errorSummary, errorLink: errorCode, errorId: `oae${hex(22)}`, errorCauses: causes.map(c => ({ errorSummary: c })) },
    headers
  )
const oauthError = (status, error, description, headers = {}) => reply(status, { error, error_description: description }, headers)

function parseForm(body) {
  try {
    return Object.fromEntries(new URLSearchParams(body))
  } catch {
    return {}
  }
}

// ---------------------------------------------------------------------------------------------
// System Log: the filter grammar the action uses (a subset of Okta's SCIM-style filter [I6])
// ---------------------------------------------------------------------------------------------

/** Parses `a.b op "v"` terms joined by and/or, with parentheses and `not`; throws on anything else. */
export function parseFilter(text) {
  const tokens = []
  const re = /\s*(\(|\)|"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_.]*)/y
  let pos = 0
  while (pos < text.length) {
    re.lastIndex = pos
    const m = re.exec(text)
    if (!m) {
      if (/^\s*$/.test(text.slice(pos))) break
      throw new Error('bad filter')
    }
    tokens.push(m[1])
    pos = re.lastIndex
  }
  let i = 0
  const peek = () => tokens[i]
  const take = () => tokens[i++]
  function primary() {
    const t = take()
    if (t === '(') {
      const e = or()
      if (take() !== ')') throw new Error('bad filter')
      return e
    }
    if (t && t.toLowerCase() === 'not') {
      const e = primary()
      return ev => !e(ev)
    }
    if (!t || t.startsWith('"')) throw new Error('bad filter')
    const attr = t
    const op = (take() ?? '').toLowerCase()
    if (op === 'pr') return ev => values(ev, attr).length > 0
    const lit = take()
    if (!lit || !lit.startsWith('"')) throw new Error('bad filter')
    const value = JSON.parse(lit)
    const cmp = {
      eq: v => v === value,
      ne: v => v !== value,
      sw: v => typeof v === 'string' && v.startsWith(value),
      co: v => typeof v === 'string' && v.includes(value),
      ew: v => typeof v === 'string' && v.endsWith(value)
    }[op]
    if (!cmp) throw new Error('bad filter')
    if (attr === 'published') throw new Error('bad filter') // [I6]: filter cannot use published
    return ev => values(ev, attr).some(cmp)
  }
  function and() {
    let e = primary()
    while (peek()?.toLowerCase() === 'and') {
      take()
      const l = e
      const r = primary()
      e = ev => l(ev) && r(ev)
    }
    return e
  }
  function or() {
    let e = and()
    while (peek()?.toLowerCase() === 'or') {
      take()
      const l = e
      const r = and()
      e = ev => l(ev) || r(ev)
    }
    return e
  }
  const expr = or()
  if (i !== tokens.length) throw new Error('bad filter')
  return expr
}

/** Values of a dotted attribute; arrays (target[]) fan out. */
function values(ev, attr) {
  let current = [ev]
  for (const key of attr.split('.')) {
    const next = []
    for (const c of current) {
      const v = c?.[key]
      if (Array.isArray(v)) next.push(...v)
      else if (v !== undefined && v !== null) next.push(v)
    }
    current = next
  }
  return current
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

const ROUTES = [
  { key: 'POST /oauth2/v1/token', method: 'POST', pattern: /^\/oauth2\/v1\/token$/ },
  { key: 'GET /api/v1/apps/{appId}', method: 'GET', pattern: /^\/api\/v1\/apps\/([^/]+)$/ },
  { key: 'GET /api/v1/logs', method: 'GET', pattern: /^\/api\/v1\/logs$/ }
]

const READ_ONLY_VIOLATION = 'the action must be read-only: only GET, and the POST of its OAuth token request'

/**
 * Start the fake on 127.0.0.1 (random port).
 * @param {import('./okta-fake.d.mts').OktaWorld} world
 * @param {{ latencyMs?: number }} [options]
 * @returns {Promise<import('./okta-fake.d.mts').FakeOkta>}
 */
export async function startOktaFake(world, { latencyMs = 0 } = {}) {
  const state = {
    world,
    requests: [],
    violations: [],
    sockets: new Set(),
    timers: new Set(),
    faultUses: new WeakMap(),
    usedAssertionJtis: new Set(),
    usedProofJtis: new Set(),
    /** access token -> { clientId, scopes, jkt } */
    issued: new Map(),
    cursors: new Map(),
    nonce: `n-${hex(16)}`,
    apiNonce: `r-${hex(16)}`,
    rateUsed: new Map(),
    rateReset: Math.floor(Date.now() / 1000) + 60,
    closed: false
  }
  let origin = ''

  const server = createServer((req, res) => {
    handle(req, res).catch(err => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': JSON_TYPE })
        res.end(JSON.stringify({ errorCode: 'E0000009', errorSummary: `okta-fake internal error: ${err.message}`, errorCauses: [] }))
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

  function rateHeaders(bucket) {
    const limit = RATE_LIMIT[bucket] ?? 600
    const used = Math.min(limit, (state.rateUsed.get(bucket) ?? 0) + 1)
    state.rateUsed.set(bucket, used)
    return {
      'x-rate-limit-limit': String(limit),
      'x-rate-limit-remaining': String(limit - used),
      'x-rate-limit-reset': String(state.rateReset)
    }
  }

  async function handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const route = ROUTES.find(r => r.pattern.test(url.pathname))
    const match = route?.pattern.exec(url.pathname)
    const proofJti = proof => {
      try {
        const jti = typeof proof === 'string' ? JSON.parse(Buffer.from(proof.split('.')[1] ?? '', 'base64url').toString('utf8')).jti : null
        return typeof jti === 'string' ? jti.slice(0, 100) : null
      } catch {
        return null
      }
    }
    const authorization = req.headers.authorization ?? ''
    const scheme = /^(\w+)\s/.exec(authorization)?.[1] ?? null
    const entry = {
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      routeKey: route?.key ?? null,
      authScheme: scheme,
      dpopProof: typeof req.headers.dpop === 'string',
      // The proof's jti (no secret: a proof is single-use): shows that each attempt carried a new one.
      dpopJti: proofJti(req.headers.dpop),
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

    const isTokenPost = req.method === 'POST' && url.pathname === TOKEN_PATH
    if (req.method !== 'GET' && !isTokenPost) {
      state.violations.push(`${req.method} ${url.pathname}: write request refused; ${READ_ONLY_VIOLATION}`)
      return send(res, entry, oktaError(405, 'E0000022', 'The endpoint does not support the provided HTTP method'))
    }
    if (route && route.method !== req.method)
      return send(res, entry, oktaError(405, 'E0000022', 'The endpoint does not support the provided HTTP method'))

    const fault = takeFault(route?.key ?? null)
    if (fault) {
      entry.fault = fault.kind
      const r = faultReply(fault, url)
      if (r === 'hang') return
      if (r === 'reset') {
        if (typeof res.socket?.resetAndDestroy === 'function') res.socket.resetAndDestroy()
        else res.socket?.destroy()
        return
      }
      if (r) return send(res, entry, r)
    }
    if (!route) return send(res, entry, oktaError(404, 'E0000022', 'The endpoint does not support the provided HTTP method'))
    if (route.key === 'POST /oauth2/v1/token') return send(res, entry, withRate(tokenEndpoint(req, body), 'token'))
    const auth = authenticateApi(req, url)
    if (!auth.ok) return send(res, entry, withRate(auth.reply, route.key.includes('logs') ? 'logs' : 'apps'))
    if (route.key === 'GET /api/v1/apps/{appId}') return send(res, entry, withRate(getApp(auth, decodeURIComponent(match[1])), 'apps'))
    return send(res, entry, withRate(listLogs(auth, url), 'logs'))
  }

  const withRate = (r, bucket) => ({ ...r, headers: { ...rateHeaders(bucket), ...r.headers } })

  function faultReply(fault, url) {
    switch (fault.kind) {
      case 'hang':
        return 'hang'
      case 'reset':
        return 'reset'
      case 'status':
        if (fault.body !== undefined) return reply(fault.status, fault.body, fault.headers ?? {})
        if (fault.status >= 500) return oktaError(fault.status, 'E0000009', OKTA_MESSAGES.internal, fault.headers ?? {})
        if (fault.status === 401) return oktaError(401, 'E0000011', OKTA_MESSAGES.invalidToken, fault.headers ?? {})
        if (fault.status === 403) return oktaError(403, 'E0000006', OKTA_MESSAGES.accessDenied, fault.headers ?? {})
        if (fault.status === 404) return oktaError(404, 'E0000007', OKTA_MESSAGES.notFound(url.pathname), fault.headers ?? {})
        return oktaError(fault.status, 'E0000001', 'Api validation failed: fault', fault.headers ?? {})
      case 'rate-limit': {
        const reset = Math.floor(Date.now() / 1000) + (fault.resetInSeconds ?? 60)
        // [I10]: at the concurrency limit, limit and remaining read 0
        return oktaError(429, 'E0000047', OKTA_MESSAGES.rateLimited, {
          'x-rate-limit-limit': fault.concurrency ? '0' : '120',
          'x-rate-limit-remaining': '0',
          'x-rate-limit-reset': String(reset)
        })
      }
      case 'redirect':
        return reply(fault.status ?? 302, '', { location: fault.location })
      case 'next-elsewhere':
        return null // handled by listLogs (it needs the page)
      default:
        throw new Error(`okta-fake: unknown fault kind ${JSON.stringify(fault.kind)}`)
    }
  }

  // ----- The token endpoint [I1][I2][I3] -----

  function tokenEndpoint(req, body) {
    const w = state.world
    const form = parseForm(body)
    if (form.grant_type !== 'client_credentials')
      return oauthError(
        400,
        'unsupported_grant_type',
        'The authorization grant type is not supported by the authorization server. Configured grant types: [client_credentials].'
      )
    // A client secret (in the form or as Basic) is refused: private_key_jwt only [I3]
    if (form.client_secret || /^basic\s/i.test(req.headers.authorization ?? ''))
      return oauthError(401, 'invalid_client', OKTA_MESSAGES.clientSecretRefused)
    if (form.client_assertion_type !== ASSERTION_TYPE || !form.client_assertion)
      return oauthError(400, 'invalid_request', OKTA_MESSAGES.assertionMissing)
    const jwt = decodeJwt(form.client_assertion)
    if (!jwt) return oauthError(401, 'invalid_client', OKTA_MESSAGES.badSignature)
    const { header, payload } = jwt
    const client = typeof payload.iss === 'string' ? w.clients?.[payload.iss] : undefined
    if (!client || payload.sub !== payload.iss || (form.client_id && form.client_id !== payload.iss))
      return oauthError(401, 'invalid_client', OKTA_MESSAGES.invalidClientId)
    if (client.authMethod === 'client_secret_basic') return oauthError(401, 'invalid_client', OKTA_MESSAGES.clientSecretRefused)
    const keys = client.jwks ?? []
    // GUESS: without `kid`, a single registered key is used (UNCONFIRMED [I3]); several need the kid.
    const jwk = header.kid !== undefined ? keys.find(k => k.kid === header.kid) : keys.length === 1 ? keys[0] : undefined
    if (!jwk || !HASH[header.alg] || !verifyJwt(jwt, jwk)) return oauthError(401, 'invalid_client', OKTA_MESSAGES.badSignature)
    if (payload.aud !== `${origin}${TOKEN_PATH}`) return oauthError(401, 'invalid_client', OKTA_MESSAGES.badAudience)
    const now = Math.floor(Date.now() / 1000)
    if (typeof payload.exp !== 'number' || payload.exp <= now) return oauthError(401, 'invalid_client', OKTA_MESSAGES.assertionExpired)
    if (payload.exp > now + 3600 + 60) return oauthError(401, 'invalid_client', OKTA_MESSAGES.expTooFar)
    // The jti is spent once the assertion is accepted, even when DPoP then fails: retries need a new one [I3].
    if (typeof payload.jti === 'string') {
      if (state.usedAssertionJtis.has(payload.jti)) return oauthError(401, 'invalid_client', OKTA_MESSAGES.assertionReplayed)
      state.usedAssertionJtis.add(payload.jti)
    }
    const requested = String(form.scope ?? '')
      .split(/\s+/)
      .filter(Boolean)
    const granted = client.scopes ?? ['okta.apps.read', 'okta.logs.read']
    if (requested.length === 0 || requested.some(s => !granted.includes(s)))
      return oauthError(400, 'invalid_scope', OKTA_MESSAGES.invalidScope)

    let jkt = null
    if (client.dpop) {
      const proof = req.headers.dpop
      if (typeof proof !== 'string') return oauthError(400, 'invalid_dpop_proof', OKTA_MESSAGES.dpopMissing)
      const checked = checkProof(proof, 'POST', `${origin}${TOKEN_PATH}`, null)
      if (!checked.ok) return oauthError(400, 'invalid_dpop_proof', checked.message)
      if (client.dpop.nonce !== false && checked.payload.nonce !== state.nonce)
        return oauthError(400, 'use_dpop_nonce', OKTA_MESSAGES.dpopNonce, { 'dpop-nonce': state.nonce })
      jkt = checked.jkt
    }
    const accessToken = `eyJ${b64urlJson({ kid: 'fake', alg: 'RS256' }).slice(3)}.${b64urlJson({ ver: 1, jti: `AT.${hex(20)}`, iss: origin, aud: origin, cid: payload.iss, scp: requested })}.${randomBytes(32).toString('base64url')}`
    state.issued.set(accessToken, { clientId: payload.iss, scopes: requested, jkt })
    return reply(
      200,
      { token_type: jkt ? 'DPoP' : 'Bearer', expires_in: 3600, access_token: accessToken, scope: requested.join(' ') },
      { 'cache-control': 'no-store', pragma: 'no-cache' }
    )
  }

  /** Checks a DPoP proof (RFC 9449 4.3; Okta's texts [I3]). */
  function checkProof(proof, method, url, accessToken) {
    const jwt = decodeJwt(proof)
    if (!jwt || jwt.header.typ !== 'dpop+jwt' || !jwt.header.jwk || typeof jwt.header.jwk !== 'object' || jwt.header.jwk.d !== undefined)
      return { ok: false, message: OKTA_MESSAGES.dpopInvalid }
    if (!verifyJwt(jwt, jwt.header.jwk)) return { ok: false, message: OKTA_MESSAGES.dpopInvalid }
    const p = jwt.payload
    if (p.htm !== method) return { ok: false, message: OKTA_MESSAGES.dpopInvalid }
    const u = new URL(url)
    if (p.htu !== `${u.origin}${u.pathname}`) return { ok: false, message: OKTA_MESSAGES.dpopHtu }
    const now = Math.floor(Date.now() / 1000)
    if (typeof p.iat !== 'number' || p.iat < now - 300) return { ok: false, message: OKTA_MESSAGES.dpopOld }
    if (p.iat > now + 60) return { ok: false, message: OKTA_MESSAGES.dpopInvalid }
    if (typeof p.jti !== 'string' || state.usedProofJtis.has(p.jti)) return { ok: false, message: OKTA_MESSAGES.dpopReplayed }
    state.usedProofJtis.add(p.jti)
    if (accessToken !== null && p.ath !== sha256b64url(accessToken)) return { ok: false, message: OKTA_MESSAGES.dpopAth }
    return { ok: true, payload: p, jkt: thumbprint(jwt.header.jwk) }
  }

  // ----- The management API: who is asking [I5][I2] -----

  function wwwAuthenticate(scheme, error, description, extra = '') {
    return `${scheme} authorization_uri="${origin}/oauth2/v1/authorize", realm="IdpTokenRealm", ${extra}error="${error}", error_description="${description}"`
  }

  function authenticateApi(req, url) {
    const w = state.world
    const header = req.headers.authorization ?? ''
    const m = /^(SSWS|Bearer|DPoP)\s+(\S+)$/i.exec(header)
    const invalid = () => ({
      ok: false,
      reply: oktaError(401, 'E0000011', OKTA_MESSAGES.invalidToken, {
        'www-authenticate': wwwAuthenticate('Bearer', 'invalid_token', 'The token has expired.')
      })
    })
    if (!m) return { ok: false, reply: oktaError(401, 'E0000005', 'Invalid session') }
    const scheme = m[1].toLowerCase()
    const token = m[2]
    if (scheme === 'ssws') {
      const rec = w.apiTokens?.[token]
      if (!rec) return { ok: false, reply: oktaError(401, 'E0000011', OKTA_MESSAGES.invalidToken) }
      return { ok: true, kind: 'ssws', role: rec.role === undefined ? 'READ_ONLY_ADMIN' : rec.role, scopes: null }
    }
    const issued = state.issued.get(token)
    if (!issued) return invalid()
    const client = w.clients?.[issued.clientId]
    if (issued.jkt) {
      if (scheme !== 'dpop') return { ok: false, reply: oauthError(400, 'invalid_request', OKTA_MESSAGES.dpopScheme) }
      const proof = req.headers.dpop
      const fail = message => ({
        ok: false,
        reply: oauthError(400, 'invalid_dpop_proof', message, {
          'www-authenticate': `DPoP algs="RS256 RS384 RS512 ES256 ES384 ES512", error="invalid_dpop_proof", error_description="${message}", resource="${url.pathname}"`
        })
      })
      if (typeof proof !== 'string') return fail(OKTA_MESSAGES.dpopMissing)
      const checked = checkProof(proof, 'GET', `${origin}${url.pathname}`, token)
      if (!checked.ok) return fail(checked.message)
      if (checked.jkt !== issued.jkt) return fail(OKTA_MESSAGES.dpopInvalid)
      // Optional resource nonce (GUESS: Okta does not currently require one [I2]).
      if (client?.dpop?.apiNonce && checked.payload.nonce !== state.apiNonce)
        return {
          ok: false,
          reply: oauthError(401, 'use_dpop_nonce', OKTA_MESSAGES.dpopResourceNonce, {
            'www-authenticate': `DPoP algs="ES256", error="use_dpop_nonce", error_description="${OKTA_MESSAGES.dpopResourceNonce}"`,
            'dpop-nonce': state.apiNonce
          })
        }
    } else if (scheme !== 'bearer') return invalid()
    return { ok: true, kind: 'oauth', role: client?.role === undefined ? 'READ_ONLY_ADMIN' : client.role, scopes: issued.scopes }
  }

  /** Scope, then role [I1]: the scope limits the action, the role the resources. */
  function authorize(auth, scope) {
    if (auth.scopes && !auth.scopes.includes(scope))
      return oktaError(403, 'E0000006', OKTA_MESSAGES.accessDenied, {
        'www-authenticate': wwwAuthenticate('Bearer', 'insufficient_scope', OKTA_MESSAGES.insufficientScope, `scope="${scope}", `)
      })
    if (!auth.role) return oktaError(403, 'E0000006', OKTA_MESSAGES.accessDenied)
    return null
  }

  function getApp(auth, appId) {
    const denied = authorize(auth, 'okta.apps.read')
    if (denied) return denied
    const app = state.world.apps?.[appId]
    if (!app || app.status === 'DELETED')
      return oktaError(404, 'E0000007', OKTA_MESSAGES.notFound(`Resource not found: ${appId} (AppInstance)`))
    return reply(200, appBody(app))
  }

  function appBody(app) {
    return {
      id: app.id,
      orn: `orn:okta:idp:00o${app.id.slice(3)}:apps:${app.name}:${app.id}`,
      name: app.name,
      label: app.label,
      status: app.status,
      lastUpdated: app.lastUpdated,
      created: app.created,
      accessibility: { selfService: false, errorRedirectUrl: null, loginRedirectUrl: null },
      visibility: { autoSubmitToolbar: false, hide: { iOS: false, web: false }, appLinks: { login: true } },
      features: [...app.features],
      signOnMode: app.signOnMode,
      credentials: { userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' }, signing: { kid: 'fake' } },
      settings: { app: {}, notifications: { vpn: { network: { connection: 'DISABLED' } } } },
      _links: {
        self: { href: `${origin}/api/v1/apps/${app.id}` },
        users: { href: `${origin}/api/v1/apps/${app.id}/users` },
        deactivate: { href: `${origin}/api/v1/apps/${app.id}/lifecycle/deactivate` }
      }
    }
  }

  // ----- The System Log [I6] -----

  function listLogs(auth, url) {
    const denied = authorize(auth, 'okta.logs.read')
    if (denied) return denied
    const q = url.searchParams
    const bad = (summary, cause) => oktaError(400, 'E0000053', summary, {}, cause ? [cause] : [])
    let cursor = null
    if (q.has('after')) {
      cursor = state.cursors.get(q.get('after'))
      if (!cursor) return bad(OKTA_MESSAGES.badFilter, 'after: unknown cursor')
      if (q.has('since')) return bad(OKTA_MESSAGES.badFilter, 'after and since cannot be used together') // GUESS [I6]
    }
    const now = Date.now()
    const untilText = q.get('until')
    const until = untilText === null ? now : Date.parse(untilText)
    const sinceText = cursor ? cursor.since : q.get('since')
    const since = sinceText === null ? until - 7 * 86_400_000 : Date.parse(sinceText)
    if (!Number.isFinite(since) || !Number.isFinite(until)) return bad(OKTA_MESSAGES.badFilter, 'since/until: not ISO 8601')
    if (since < now - 180 * 86_400_000) return bad(OKTA_MESSAGES.sinceTooOld)
    const limitText = q.get('limit')
    const limit = limitText === null ? 100 : Number(limitText)
    if (!Number.isInteger(limit) || limit < 0 || limit > 1000) return bad(OKTA_MESSAGES.badFilter, 'limit: between 0 and 1000')
    const order = q.get('sortOrder') ?? 'ASCENDING'
    if (order !== 'ASCENDING' && order !== 'DESCENDING') return bad(OKTA_MESSAGES.badFilter, 'sortOrder')
    let filter = () => true
    if (q.has('filter')) {
      try {
        filter = parseFilter(q.get('filter'))
      } catch {
        return bad(OKTA_MESSAGES.badFilter, `filter: ${q.get('filter')}`)
      }
    }
    const kept = (state.world.events ?? [])
      .filter(e => {
        const t = Date.parse(e.published)
        return t >= since && t <= until && filter(e)
      })
      .sort((a, b) =>
        order === 'DESCENDING' ? Date.parse(b.published) - Date.parse(a.published) : Date.parse(a.published) - Date.parse(b.published)
      )
    const offset = cursor?.offset ?? 0
    const page = kept.slice(offset, offset + limit)
    const links = [`<${url.href.replace(/^http:\/\/127\.0\.0\.1(:\d+)?/, origin)}>; rel="self"`]
    const elsewhere = state.world.faults?.['GET /api/v1/logs']?.kind === 'next-elsewhere'
    // `endWithEmptyPage`: the stream ends as Okta's recorded answers do: after the last events, one more `next`,
    // to an empty page whose `next` is its own `self` [I6] (a polling query always has a next link).
    const streamEnd = state.world.endWithEmptyPage === true
    if (streamEnd && page.length === 0) links.push(`${links[0].replace(/; rel="self"$/, '')}; rel="next"`)
    else if (offset + limit < kept.length || streamEnd) {
      const token = hex(24)
      state.cursors.set(token, { since: sinceText ?? new Date(since).toISOString(), offset: offset + limit })
      const next = new URLSearchParams()
      if (untilText !== null) next.set('until', untilText)
      if (q.has('filter')) next.set('filter', q.get('filter'))
      next.set('sortOrder', order)
      next.set('limit', String(limit))
      next.set('after', token)
      const asked = elsewhere ? state.world.faults['GET /api/v1/logs'].origin : undefined
      const base = !elsewhere || asked === 'same' ? origin : (asked ?? 'https://elsewhere.example')
      const path = elsewhere ? (state.world.faults['GET /api/v1/logs'].path ?? '/api/v1/logs') : '/api/v1/logs'
      links.push(`<${base}${path}?${next.toString().replace(/\+/g, '%20')}>; rel="next"`)
    }
    return reply(200, page, { link: links })
  }

  function send(res, entry, r) {
    if (res.destroyed) return
    const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body)
    const headers = {
      'content-type': JSON_TYPE,
      'content-length': String(Buffer.byteLength(text)),
      'x-okta-request-id': requestId(),
      ...r.headers
    }
    entry.status = r.status
    entry.error = r.body && typeof r.body === 'object' && !Array.isArray(r.body) ? (r.body.errorCode ?? r.body.error ?? null) : null
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

// ---------------------------------------------------------------------------------------------
// Worlds
// ---------------------------------------------------------------------------------------------

export const OKTA_APP_ID = oktaId('0oa', 'github-app')
export const OKTA_CLIENT_ID = oktaId('0oa', 'service-app')
export const OKTA_KEY_IDS = Object.freeze({ rsa: 'rsa-key-1', ec: 'ec-key-1' })
/** The SSWS token of a read-only admin: derived at load time (no token-shaped literal in the source). */
export const OKTA_API_TOKEN = `00${createHash('sha256').update('okta-fake/ssws').digest('base64url').slice(0, 40)}`

let keyCache = null
/**
 * The service app's keys (generated once per process): an RSA key as PKCS#8 and PKCS#1 PEM and as a
 * private JWK, an EC P-256 key as PKCS#8 and SEC1 PEM and as a JWK. Their public JWKs are registered.
 */
export function oktaKeys() {
  if (keyCache) return keyCache
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const pub = (k, kid, alg) => ({ ...k.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' })
  keyCache = Object.freeze({
    rsaPkcs8Pem: rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }),
    rsaPkcs1Pem: rsa.privateKey.export({ format: 'pem', type: 'pkcs1' }),
    rsaJwk: JSON.stringify({ ...rsa.privateKey.export({ format: 'jwk' }), kid: OKTA_KEY_IDS.rsa, alg: 'RS256' }),
    ecPkcs8Pem: ec.privateKey.export({ format: 'pem', type: 'pkcs8' }),
    ecSec1Pem: ec.privateKey.export({ format: 'pem', type: 'sec1' }),
    ecJwk: JSON.stringify({ ...ec.privateKey.export({ format: 'jwk' }), kid: OKTA_KEY_IDS.ec }),
    publicJwks: [pub(rsa, OKTA_KEY_IDS.rsa, 'RS256'), pub(ec, OKTA_KEY_IDS.ec, 'ES256')]
  })
  return keyCache
}

const HOUR = 3_600_000

/**
 * Okta writes `null` for absent members (its own ListLogs example), which its schema does not allow; the
 * fake leaves them out so its bodies validate. The provider reads either.
 */
function dropNulls(value) {
  if (Array.isArray(value)) return value.map(dropNulls)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, dropNulls(v)])
  )
}

/** A System Log event as Okta writes it [I9] (shape from the subset's ListLogs example, nulls left out). */
export function logEvent({
  at,
  eventType,
  result,
  reason = null,
  displayMessage,
  appId = OKTA_APP_ID,
  user = 'mona@acme.example',
  seed = `${at}/${eventType}/${user}`
}) {
  const published = new Date(at).toISOString()
  return dropNulls({
    uuid: randomUUIDFrom(seed),
    published,
    eventType,
    version: '0',
    severity: result === 'FAILURE' ? 'ERROR' : 'INFO',
    legacyEventType: eventType.startsWith('application.provision') ? 'app.user_management.push_new_user' : 'app.api.error',
    displayMessage,
    actor: {
      id: oktaId('0oa', 'okta-system'),
      type: 'PublicClientApp',
      alternateId: 'Okta System',
      displayName: 'Okta System',
      detailEntry: null
    },
    client: { userAgent: null, zone: null, device: null, id: null, ipAddress: null, geographicalContext: null },
    outcome: { result, reason },
    target: [
      { id: oktaId('00u', user), type: 'User', alternateId: user, displayName: user.split('@')[0], detailEntry: null },
      {
        id: appId,
        type: 'AppInstance',
        alternateId: 'GitHub Enterprise Cloud - Organization',
        displayName: 'GitHub Enterprise Cloud - Organization',
        detailEntry: null
      }
    ],
    transaction: { type: 'JOB', id: `job${hex(17)}`, detail: {} },
    debugContext: { debugData: {} },
    request: { ipChain: [] }
  })
}

function randomUUIDFrom(seed) {
  const h = createHash('sha256').update(String(seed)).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
}

export const pushSuccess = (at, user = 'mona@acme.example') =>
  logEvent({
    at,
    eventType: 'application.provision.user.push_profile',
    result: 'SUCCESS',
    displayMessage: 'Push user profile update to external application',
    user
  })
export const pushFailure = (at, reason, user = 'mona@acme.example', eventType = 'application.provision.user.push') =>
  logEvent({
    at,
    eventType,
    result: 'FAILURE',
    reason,
    displayMessage: `Automatic provisioning of user ${user} to app GitHub Enterprise Cloud - Organization failed`,
    user
  })
export const authFailure = at =>
  logEvent({
    at,
    eventType: 'application.integration.authentication_failure',
    result: 'FAILURE',
    reason: CREDENTIALS_INVALID,
    displayMessage: 'Authentication failure with application integration',
    user: 'integration'
  })

/** The GitHub app instance (status, features) [I9][I17]. */
export function githubApp(overrides = {}) {
  return {
    id: OKTA_APP_ID,
    name: 'githubcloud', // GUESS: the OIN key is UNCONFIRMED [I17]
    label: 'GitHub Enterprise Cloud - Organization',
    status: 'ACTIVE',
    signOnMode: 'SAML_2_0',
    features: ['PUSH_NEW_USERS', 'PUSH_PROFILE_UPDATES', 'PUSH_USER_DEACTIVATION', 'REACTIVATE_USERS', 'IMPORT_NEW_USERS'],
    created: '2024-01-10T09:00:00.000Z',
    lastUpdated: '2025-06-01T09:00:00.000Z',
    ...overrides
  }
}

/**
 * A healthy org: the GitHub app ACTIVE with its push features, pushes succeeding every few hours, an SSWS
 * token and a service app (both keys registered, Read-only Administrator, both scopes, no DPoP).
 * @param {{ now?: number, dpop?: false | { nonce?: boolean, apiNonce?: boolean } }} [options]
 */
export function healthyOktaWorld({ now = Date.now(), dpop = false } = {}) {
  const keys = oktaKeys()
  const events = []
  for (let h = 2; h < 24 * 10; h += 6) events.push(pushSuccess(now - h * HOUR, `user${h}@acme.example`))
  // Events of other apps and types must not count: a sign-in to the app, and another app's failure.
  events.push(
    logEvent({ at: now - 3 * HOUR, eventType: 'user.authentication.sso', result: 'SUCCESS', displayMessage: 'User single sign on to app' })
  )
  events.push(pushFailure(now - 4 * HOUR, CREDENTIALS_INVALID, 'other@acme.example'))
  events[events.length - 1].target[1].id = oktaId('0oa', 'another-app')
  return {
    apps: { [OKTA_APP_ID]: githubApp() },
    events,
    apiTokens: { [OKTA_API_TOKEN]: { role: 'READ_ONLY_ADMIN' } },
    clients: { [OKTA_CLIENT_ID]: { jwks: keys.publicJwks, scopes: ['okta.apps.read', 'okta.logs.read'], role: 'READ_ONLY_ADMIN', dpop } },
    faults: {}
  }
}

/** The case that motivates the product: the last success two days ago, refused credentials since yesterday. */
export function credentialsRejectedWorld(options = {}) {
  const now = options.now ?? Date.now()
  const world = healthyOktaWorld({ ...options, now })
  world.events = world.events.filter(e => Date.parse(e.published) < now - 48 * HOUR)
  world.events.push(pushSuccess(now - 48 * HOUR, 'last@acme.example'))
  for (let h = 24; h >= 1; h -= 4) {
    world.events.push(authFailure(now - h * HOUR))
    world.events.push(pushFailure(now - h * HOUR + 60_000, CREDENTIALS_INVALID, `new${h}@acme.example`))
  }
  return world
}

/** Per-user errors (not about credentials) between successful pushes. GUESS: the per-user texts. */
export const PER_USER_ERROR = 'Error while creating user bob@acme.example: The user is already a member of another enterprise.'
export function perUserErrorsWorld(options = {}) {
  const now = options.now ?? Date.now()
  const world = healthyOktaWorld({ ...options, now })
  world.events.push(pushFailure(now - 5 * HOUR, 'Error while creating user carol@acme.example: Conflict', 'carol@acme.example'))
  world.events.push(pushFailure(now - 1 * HOUR, PER_USER_ERROR, 'bob@acme.example'))
  return world
}

export function appInactiveWorld(options = {}) {
  const world = healthyOktaWorld(options)
  world.apps[OKTA_APP_ID].status = 'INACTIVE'
  return world
}

export function pushOffWorld(options = {}) {
  const world = healthyOktaWorld(options)
  world.apps[OKTA_APP_ID].features = ['IMPORT_NEW_USERS']
  return world
}

export function noEventsWorld(options = {}) {
  const world = healthyOktaWorld(options)
  world.events = []
  return world
}

/**
 * More than five pages of 200: credentials failures every ten minutes for `count` events, the last success
 * before them all (beyond what five pages reach).
 */
export function manyEventsWorld({ count = 1100, ...options } = {}) {
  const now = options.now ?? Date.now()
  const world = healthyOktaWorld({ ...options, now })
  world.events = [pushSuccess(now - (count + 10) * 600_000, 'long-ago@acme.example')]
  for (let i = 1; i <= count; i++) world.events.push(pushFailure(now - i * 600_000, CREDENTIALS_INVALID, `u${i}@acme.example`))
  return world
}

/**
 * A busy app: the credentials failures of credentialsRejectedWorld, and more than five pages of sign-ins to
 * the app (user.authentication.sso, the app in `target`) newer than all of them. GUESS: the volume.
 */
export function busySignInsWorld({ count = 1200, ...options } = {}) {
  const now = options.now ?? Date.now()
  const world = credentialsRejectedWorld({ ...options, now })
  for (let i = 0; i < count; i++)
    world.events.push(
      logEvent({
        at: now - 30_000 - i * 1000,
        eventType: 'user.authentication.sso',
        result: 'SUCCESS',
        displayMessage: 'User single sign on to app',
        user: `signin${i}@acme.example`
      })
    )
  return world
}

export const OKTA_WORLDS = Object.freeze({
  healthy: healthyOktaWorld,
  'credentials-rejected': credentialsRejectedWorld,
  'per-user-errors': perUserErrorsWorld,
  'app-inactive': appInactiveWorld,
  'push-off': pushOffWorld,
  'no-events': noEventsWorld,
  'many-events': manyEventsWorld
})
