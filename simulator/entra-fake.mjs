/**
 * entra-fake: loopback fakes of the three services the Entra side of the action talks to, answering the
 * way they do from a plain-object *world model* (see entra-fake.d.mts for its shape; builders below):
 *
 *   - login:  the Entra token endpoint `POST /{tenant}/oauth2/v2.0/token` (client credentials, with a client
 *             secret, or a federated client assertion that is REALLY verified: RS256 signature against the
 *             fake GitHub OIDC issuer's key, `iss`, `sub`, `aud` against the app's federated credentials, `exp`);
 *   - oidc:   the runner's OIDC token endpoint (what ACTIONS_ID_TOKEN_REQUEST_URL points at): checks the
 *             Bearer request token and issues an RS256 JWT for the audience asked;
 *   - graph:  Microsoft Graph `GET /v1.0/servicePrincipals/{id}/synchronization/jobs`, from the world.
 *
 * Each role listens on its own 127.0.0.1 port (the action allows requests by host:port, so the roles are three
 * hosts to it, as in Actions). Bracketed keys ([E1], [E8], ...) name the Microsoft documentation the facts come from (docs/idp.md; fixtures: __tests__/fixtures/SOURCES-entra.md);
 * job bodies follow the documented examples copied in __tests__/fixtures/graph-synchronization-examples.json
 * (and validate against their shapes: __tests__/entra-fake.test.ts). Where the services' behaviour is not
 * documented, the choice is marked GUESS.
 *
 * Read only: any request but a GET (or the token POST) is recorded in `violations`.
 * Plain JavaScript ESM, node: built-ins only. The log keeps sha256 fingerprints of credentials, never them.
 */
import { createServer } from 'node:http'
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign, verify } from 'node:crypto'
import { URL, URLSearchParams } from 'node:url'
import { closeFake, listenLoopback, readBody as readLimited, sleep } from './loopback.mjs'

// ---------------------------------------------------------------------------------------------
// The world's defaults
// ---------------------------------------------------------------------------------------------

export const TENANT_ID = '72f988bf-0000-4000-8000-00000000c0de'
export const CLIENT_ID = '0b5e6a1c-2d3f-4a5b-8c6d-7e8f9a0b1c2d'
export const SERVICE_PRINCIPAL_ID = '5c1f7d2e-3a4b-4c5d-9e6f-a7b8c9d0e1f2'
/** Shaped like an Entra secret Value (40 characters with `~`); a fake. */
export const CLIENT_SECRET = 'fK8Q~entra-fake.client-secret_value-7Zp2xWq'
/** What ACTIONS_ID_TOKEN_REQUEST_TOKEN holds for the fake runner; a fake. */
export const OIDC_REQUEST_TOKEN = 'fake-actions-id-token-request-token-3c9b1e7d5a'
export const GITHUB_OIDC_ISSUER = 'https://token.actions.githubusercontent.com' // [E4]
export const AUDIENCE = 'api://AzureADTokenExchange' // [E4][E7]
export const FEDERATED_SUBJECT = 'repo:acme/provisioning:environment:provisioning-token-check' // [E4][E5]
export const SYNC_PERMISSION = 'Synchronization.Read.All' // [E8]

const NEVER = '0001-01-01T00:00:00Z' // "never" [E11]
const JSON_TYPE = 'application/json; charset=utf-8'

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

const sha256 = text => createHash('sha256').update(text).digest('hex')
/** The only trace of a credential the request log keeps. */
export const fingerprint = secret => sha256(secret).slice(0, 12)
const b64url = value => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')
const iso = ms => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
const HOUR = 3600 * 1000
const DAY = 24 * HOUR

let issuerKeys
/** The fake GitHub OIDC issuer's RSA key (one per process: key generation is the slow part). */
function issuerKey() {
  issuerKeys ??= { ...generateKeyPairSync('rsa', { modulusLength: 2048 }), kid: randomBytes(8).toString('hex') }
  return issuerKeys
}

function signJwt(header, payload, privateKey) {
  const data = `${b64url(header)}.${b64url(payload)}`
  return `${data}.${sign('RSA-SHA256', Buffer.from(data), privateKey).toString('base64url')}`
}

/** @returns {{ header: any, payload: any, signed: string, signature: Buffer } | null} */
function parseJwt(jwt) {
  const parts = typeof jwt === 'string' ? jwt.split('.') : []
  if (parts.length !== 3) return null
  try {
    return {
      header: JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')),
      payload: JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')),
      signed: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2], 'base64url')
    }
  } catch {
    return null
  }
}

/** A request's body (at most 64 KiB kept); empty after a socket error. */
const readBody = (req, limit = 64 * 1024) => readLimited(req, limit).catch(() => '')

// ---------------------------------------------------------------------------------------------
// Jobs: the shapes of Microsoft's examples [E8][E11] (fixture: graph-synchronization-examples.json)
// ---------------------------------------------------------------------------------------------

const ZERO_COUNTS = {
  countEntitled: 0,
  countEntitledForProvisioning: 0,
  countEscrowed: 0,
  countEscrowedRaw: 0,
  countExported: 0,
  countExports: 0,
  countImported: 0,
  countImportedDeltas: 0,
  countImportedReferenceDeltas: 0
}

/** A synchronizationTaskExecution [E8]. */
export function execution({ state = 'Succeeded', began, seconds = 20, error = null, counts = {} }) {
  return {
    activityIdentifier: randomUUID(),
    ...ZERO_COUNTS,
    ...counts,
    state,
    error,
    timeBegan: iso(began),
    timeEnded: iso(began + seconds * 1000)
  }
}

/** The error Entra records when GitHub refuses the app's credential. The code is documented [E11]; the message is a GUESS. */
export const INVALID_CREDENTIALS_ERROR = Object.freeze({
  code: 'SystemForCrossDomainIdentityManagementInvalidCredentials',
  message:
    'The credentials used to connect to the API were invalid. You appear to have entered invalid credentials. Please confirm you are using the correct information for an administrative account. We received this unexpected response from your application: Response Status Code: Unauthorized (401)',
  tenantActionable: true
})

/**
 * A synchronizationJob of the Entra "GitHub" gallery app (templateId GitHubOutDelta: observed [E14]).
 * @param {{ now?: number, id?: string, templateId?: string, code?: string, scheduleState?: string,
 *   lastExecution?: object|null, lastSuccessfulExecution?: object|null, quarantine?: object|null,
 *   countSuccessiveCompleteFailures?: number, steadyStateLastAchievedTime?: string }} spec
 */
export function job(spec = {}) {
  const now = spec.now ?? Date.now()
  const templateId = spec.templateId ?? 'GitHubOutDelta'
  const last = spec.lastExecution === undefined ? execution({ began: now - HOUR }) : spec.lastExecution
  const success = spec.lastSuccessfulExecution === undefined ? last : spec.lastSuccessfulExecution
  const successShort = success && {
    activityIdentifier: success.activityIdentifier,
    state: 'Succeeded',
    timeBegan: success.timeBegan,
    timeEnded: success.timeEnded
  }
  return {
    id: spec.id ?? `${templateId}.${sha256(`${templateId}${now}`).slice(0, 32)}.${randomUUID()}`,
    templateId,
    schedule: { expiration: null, interval: 'PT40M', state: spec.scheduleState ?? 'Active' },
    status: {
      code: spec.code ?? 'Active',
      countSuccessiveCompleteFailures: spec.countSuccessiveCompleteFailures ?? 0,
      escrowsPruned: false,
      quarantine: spec.quarantine ?? null,
      troubleshootingUrl: null,
      lastExecution: last,
      lastSuccessfulExecution: successShort,
      lastSuccessfulExecutionWithExports: successShort,
      progress: [],
      steadyStateFirstAchievedTime: success ? iso(now - 60 * DAY) : NEVER,
      steadyStateLastAchievedTime: spec.steadyStateLastAchievedTime ?? (success ? success.timeEnded : NEVER),
      synchronizedEntryCountByType: success ? [{ key: 'user to urn:ietf:params:scim:schemas:core:2.0:User', value: 12 }] : []
    },
    synchronizationJobSettings: [{ name: 'AzureIngestionAttributeOptimization', value: 'False' }]
  }
}

/** A synchronizationQuarantine [E8]; `began` is seriesBegan (ms). */
export function quarantine({ reason, began, now, error = null, seriesCount }) {
  const current = Math.max(began, now - 6 * HOUR)
  return {
    currentBegan: iso(current),
    nextAttempt: iso(current + DAY), // once a day in quarantine [E9]
    reason,
    seriesBegan: iso(began),
    seriesCount: seriesCount ?? Math.max(1, Math.round((now - began) / DAY)),
    error
  }
}

export const jobs = Object.freeze({
  healthy: ({ now = Date.now() } = {}) => job({ now }),
  /** The motivating case: Entra's stored GitHub credential refused, quarantined three days ago [E9][E11]. */
  credentialsQuarantine: ({ now = Date.now() } = {}) =>
    job({
      now,
      code: 'Quarantine',
      countSuccessiveCompleteFailures: 4,
      lastExecution: execution({ state: 'Failed', began: now - 6 * HOUR, seconds: 1, error: INVALID_CREDENTIALS_ERROR }),
      lastSuccessfulExecution: execution({ began: now - 4 * DAY }),
      quarantine: quarantine({ reason: 'EncounteredQuarantineException', began: now - 3 * DAY, now, error: INVALID_CREDENTIALS_ERROR })
    }),
  /** Too many failed entries: quarantine for the escrow threshold, no credential error [E9]. */
  escrowQuarantine: ({ now = Date.now() } = {}) =>
    job({
      now,
      code: 'Quarantine',
      lastExecution: execution({
        state: 'EntryLevelErrors',
        began: now - 5 * HOUR,
        seconds: 600,
        counts: { countEscrowed: 6200, countEscrowedRaw: 6200, countExported: 9000, countExports: 15200 }
      }),
      lastSuccessfulExecution: execution({ began: now - 2 * DAY }),
      quarantine: quarantine({ reason: 'EncounteredEscrowProportionThreshold', began: now - DAY, now })
    }),
  /** Quarantined for more than four weeks: Entra disabled the job [E9]. How it shows is a GUESS (schedule Disabled, code Quarantine). */
  disabledAfterQuarantine: ({ now = Date.now() } = {}) =>
    job({
      now,
      code: 'Quarantine',
      scheduleState: 'Disabled',
      lastExecution: execution({
        state: 'EntryLevelErrors',
        began: now - 2 * DAY,
        seconds: 600,
        counts: { countEscrowed: 5400, countEscrowedRaw: 5400 }
      }),
      lastSuccessfulExecution: execution({ began: now - 31 * DAY }),
      quarantine: { ...quarantine({ reason: 'EncounteredEscrowProportionThreshold', began: now - 30 * DAY, now }), nextAttempt: NEVER }
    }),
  /** Paused by an admin: as in Microsoft's list example (code Paused, schedule Disabled) [E8]. */
  paused: ({ now = Date.now() } = {}) => {
    const j = job({ now, code: 'Paused', scheduleState: 'Disabled', lastExecution: execution({ began: now - 10 * DAY }) })
    j.schedule.interval = 'P10675199DT2H48M5.4775807S'
    return j
  },
  /** Never authorized or run [E8]. */
  notConfigured: ({ now = Date.now() } = {}) => job({ now, code: 'NotConfigured', lastExecution: null, lastSuccessfulExecution: null }),
  /** The last run had per-user errors (entries escrowed) and no job-level error [E8]. */
  entryLevelErrors: ({ now = Date.now() } = {}) =>
    job({
      now,
      lastExecution: execution({
        state: 'EntryLevelErrors',
        began: now - HOUR,
        seconds: 40,
        counts: { countEscrowed: 3, countEscrowedRaw: 3, countExported: 5, countExports: 8, countEntitled: 12, countImported: 12 }
      }),
      lastSuccessfulExecution: execution({ began: now - 2 * HOUR })
    }),
  /** Configured and started, the first cycle not run yet [E8][E11]. */
  neverRan: ({ now = Date.now() } = {}) => job({ now, code: 'NotRun', lastExecution: null, lastSuccessfulExecution: null })
})

/** The worlds' names: one per job state, plus no job and two jobs (one healthy, one failing). */
export const ENTRA_SCENARIOS = Object.freeze([
  'healthy',
  'credentials-quarantine',
  'escrow-quarantine',
  'disabled-after-quarantine',
  'paused',
  'not-configured',
  'no-job',
  'entry-level-errors',
  'never-ran',
  'two-jobs'
])

const SCENARIO_JOBS = {
  healthy: o => [jobs.healthy(o)],
  'credentials-quarantine': o => [jobs.credentialsQuarantine(o)],
  'escrow-quarantine': o => [jobs.escrowQuarantine(o)],
  'disabled-after-quarantine': o => [jobs.disabledAfterQuarantine(o)],
  paused: o => [jobs.paused(o)],
  'not-configured': o => [jobs.notConfigured(o)],
  'no-job': () => [],
  'entry-level-errors': o => [jobs.entryLevelErrors(o)],
  'never-ran': o => [jobs.neverRan(o)],
  'two-jobs': o => [jobs.healthy(o), jobs.credentialsQuarantine(o)]
}

/**
 * A world: the tenant, the app registration (its secret, its federated credential, its consented permission),
 * the GitHub enterprise application's jobs, and the runner's OIDC endpoint.
 * @param {string} [scenario]
 * @param {{ now?: number }} [options]
 */
export function entraWorld(scenario = 'healthy', { now = Date.now() } = {}) {
  const build = SCENARIO_JOBS[scenario]
  if (!build) throw new Error(`entra-fake: unknown scenario ${JSON.stringify(scenario)}`)
  return {
    tenantId: TENANT_ID,
    app: {
      clientId: CLIENT_ID,
      secrets: [{ value: CLIENT_SECRET, expiresAt: iso(now + 180 * DAY) }],
      federatedCredentials: [{ issuer: GITHUB_OIDC_ISSUER, subject: FEDERATED_SUBJECT, audiences: [AUDIENCE] }],
      permissions: [SYNC_PERMISSION]
    },
    servicePrincipals: { [SERVICE_PRINCIPAL_ID]: { jobs: build({ now }) } },
    oidc: { requestToken: OIDC_REQUEST_TOKEN, subject: FEDERATED_SUBJECT, issuer: GITHUB_OIDC_ISSUER, repositoryOwner: 'acme' },
    faults: {}
  }
}

// ---------------------------------------------------------------------------------------------
// Error bodies
// ---------------------------------------------------------------------------------------------

/** AADSTS texts [E3]; the wordings are Entra's as commonly quoted (GUESS where the facts sheet gives none). */
const AADSTS = {
  90002: t => `Tenant '${t}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
  700016: (id, t) =>
    `Application with identifier '${id}' was not found in the directory '${t}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  70011: scope => `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`,
  7000215: id =>
    `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${id}'.`,
  7000222: id => `The provided client secret keys for app '${id}' are expired. Visit the Azure portal to create new keys for your app.`,
  7000218: () => "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  700027: () => 'Client assertion failed signature validation.', // GUESS (the number is [E3]'s)
  700024: () => 'Client assertion is not within its valid time range.', // GUESS
  700211: iss =>
    `No matching federated identity record found for presented assertion issuer '${iss}'. Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.`, // GUESS
  700212: aud =>
    `No matching federated identity record found for presented assertion audience '${aud}'. Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.`, // GUESS
  700213: sub =>
    `No matching federated identity record found for presented assertion subject '${sub}'. Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.`, // observed [E14]
  70001: id => `Application with identifier '${id}' is disabled.`,
  90000: () => 'Trouble in the token service; please retry.' // GUESS: 5xx bodies are not documented
}

/** A token endpoint error `{error, error_description: "AADSTSn: …", error_codes, timestamp, trace_id, correlation_id}` [E1]. */
function aadError(status, error, code, text) {
  const trace = randomUUID()
  const correlation = randomUUID()
  const timestamp = new Date().toISOString().slice(0, 19).replace('T', ' ') + 'Z'
  return {
    status,
    headers: {},
    body: {
      error,
      error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${trace}\r\nCorrelation ID: ${correlation}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: trace,
      correlation_id: correlation,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`
    }
  }
}

/** A Graph error `{error: {code, message, innerError: {request-id, date}}}` [E12]. */
function graphError(status, code, message, headers = {}) {
  const requestId = randomUUID()
  return {
    status,
    headers: { 'request-id': requestId, 'client-request-id': requestId, ...headers },
    body: {
      error: {
        code,
        message,
        innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': requestId, 'client-request-id': requestId }
      }
    }
  }
}

/** The runner's OIDC endpoint's errors: GUESS (undocumented; Azure DevOps-style `{message}`). */
const oidcError = (status, message) => ({ status, headers: {}, body: { message, typeKey: 'UnauthorizedRequestException', errorCode: 0 } })

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

export const ROUTE_KEYS = Object.freeze({
  oidc: 'GET /idtoken',
  token: 'POST /{tenant}/oauth2/v2.0/token',
  jobs: 'GET /v1.0/servicePrincipals/{id}/synchronization/jobs'
})

const bearer = header => /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? null

/** The runner's OIDC endpoint [E6]: `GET …/idtoken?api-version=2.0&audience=…` with the request token. */
function oidcAnswer(state, ctx) {
  const world = state.world
  const presented = bearer(ctx.headers.authorization)
  if (presented === null || presented !== world.oidc?.requestToken)
    return oidcError(401, 'TF400813: The user is not authorized to access this resource.')
  const now = Math.floor(Date.now() / 1000)
  const owner = world.oidc.repositoryOwner ?? 'acme'
  // Without an audience, GitHub's default is the owner's URL [E5].
  const aud = ctx.query.audience ?? `https://github.com/${owner}`
  const { privateKey, kid } = issuerKey()
  const payload = {
    jti: randomUUID(),
    sub: world.oidc.subject ?? FEDERATED_SUBJECT,
    aud,
    ref: 'refs/heads/main',
    repository: `${owner}/provisioning`,
    repository_owner: owner,
    environment: 'provisioning-token-check',
    run_id: '1234567890',
    iss: world.oidc.issuer ?? GITHUB_OIDC_ISSUER,
    nbf: now - 5,
    iat: now,
    exp: now + (world.oidc.lifetimeSeconds ?? 300)
  }
  const token = signJwt({ typ: 'JWT', alg: 'RS256', x5t: kid, kid }, payload, privateKey)
  state.issued.oidcTokens.push(token)
  return { status: 200, headers: {}, body: { count: token.length, value: token } }
}

/** Verifies a federated client assertion as Entra does [E4]: signature, time, then issuer, subject, audience. */
function verifyAssertion(state, app, assertion) {
  const jwt = parseJwt(assertion)
  const { publicKey } = issuerKey()
  if (!jwt || jwt.header?.alg !== 'RS256' || !verify('RSA-SHA256', Buffer.from(jwt.signed), publicKey, jwt.signature)) {
    return aadError(401, 'invalid_client', 700027, AADSTS[700027]())
  }
  const { iss, sub, aud, exp, nbf } = jwt.payload ?? {}
  const now = Date.now() / 1000
  if (typeof exp !== 'number' || exp < now || (typeof nbf === 'number' && nbf > now + 300))
    return aadError(401, 'invalid_client', 700024, AADSTS[700024]())
  const credentials = app.federatedCredentials ?? []
  const byIssuer = credentials.filter(c => c.issuer === iss)
  // The federated-record errors are answered as 400 invalid_request here: GUESS (the facts sheet gives the codes only).
  if (byIssuer.length === 0) return aadError(400, 'invalid_request', 700211, AADSTS[700211](iss))
  const bySubject = byIssuer.filter(c => c.subject === sub) // an exact match, no wildcards [E4]
  if (bySubject.length === 0) return aadError(400, 'invalid_request', 700213, AADSTS[700213](sub))
  if (!bySubject.some(c => (c.audiences ?? []).includes(aud))) return aadError(400, 'invalid_request', 700212, AADSTS[700212](aud))
  return null
}

/** The Entra token endpoint [E1][E3]. */
function tokenAnswer(state, ctx) {
  const world = state.world
  const form = Object.fromEntries(new URLSearchParams(ctx.body))
  if (ctx.params.tenant !== world.tenantId) return aadError(400, 'invalid_request', 90002, AADSTS[90002](ctx.params.tenant))
  if (form.grant_type !== 'client_credentials')
    return aadError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.')
  const app = world.app
  if (!app || form.client_id !== app.clientId)
    return aadError(400, 'unauthorized_client', 700016, AADSTS[700016](form.client_id, world.tenantId))
  if (app.disabled) return aadError(400, 'unauthorized_client', 70001, AADSTS[70001](app.clientId))
  const scope = `${state.origins.graph}/.default`
  if (form.scope !== scope) return aadError(400, 'invalid_scope', 70011, AADSTS[70011](form.scope))
  if (form.client_assertion !== undefined || form.client_assertion_type !== undefined) {
    if (form.client_assertion_type !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
      return aadError(400, 'invalid_request', 7000218, AADSTS[7000218]())
    }
    const refused = verifyAssertion(state, app, form.client_assertion)
    if (refused) return refused
  } else if (form.client_secret !== undefined) {
    const secret = (app.secrets ?? []).find(s => s.value === form.client_secret)
    if (!secret) return aadError(401, 'invalid_client', 7000215, AADSTS[7000215](app.clientId))
    if (secret.expiresAt && Date.parse(secret.expiresAt) <= Date.now())
      return aadError(401, 'invalid_client', 7000222, AADSTS[7000222](app.clientId))
  } else {
    return aadError(400, 'invalid_client', 7000218, AADSTS[7000218]())
  }
  // App-only tokens carry the consented application permissions in `roles`, or no `roles` at all [E1].
  const now = Math.floor(Date.now() / 1000)
  const roles = app.permissions ?? []
  const payload = {
    aud: state.origins.graph,
    iss: `https://sts.windows.net/${world.tenantId}/`,
    iat: now,
    nbf: now,
    exp: now + 3599,
    appid: app.clientId,
    tid: world.tenantId,
    ...(roles.length > 0 ? { roles } : {})
  }
  const accessToken = signJwt({ typ: 'JWT', alg: 'RS256', kid: 'entra-fake' }, payload, issuerKey().privateKey)
  state.accessTokens.set(accessToken, { roles, exp: payload.exp })
  state.issued.accessTokens.push(accessToken)
  return { status: 200, headers: {}, body: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken } }
}

const READ_PERMISSIONS = ['Synchronization.Read.All', 'Synchronization.ReadWrite.All', 'Application.ReadWrite.OwnedBy'] // [E8]

/** Graph: list a service principal's synchronization jobs [E8]. */
function jobsAnswer(state, ctx) {
  const world = state.world
  const token = bearer(ctx.headers.authorization)
  const grant = token === null ? undefined : state.accessTokens.get(token)
  if (!grant)
    return graphError(
      401,
      'InvalidAuthenticationToken',
      token === null ? 'Access token is empty.' : 'Access token validation failure. Invalid audience.'
    )
  if (grant.exp < Date.now() / 1000)
    return graphError(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.')
  // Without admin consent the token still arrives, and Graph answers 403 [E1]. The code is UNCONFIRMED for these endpoints.
  if (!grant.roles.some(r => READ_PERMISSIONS.includes(r)))
    return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.')
  const sp = world.servicePrincipals?.[ctx.params.id]
  // A wrong id gives 404; its body is UNCONFIRMED (the directory's usual wording here).
  if (!sp)
    return graphError(
      404,
      'Request_ResourceNotFound',
      `Resource '${ctx.params.id}' does not exist or one of its queried reference-property objects are not present.`
    )
  // Graph pages a collection with `@odata.nextLink` (server-driven paging; learn.microsoft.com/graph/paging):
  // the page size here is the world's (`jobsPageSize`), one page by default. GUESS: that the jobs list pages at
  // all (its page documents no `$top`), and the link's shape (a `$skiptoken`); the client treats it as opaque.
  const all = sp.jobs ?? []
  const size = world.jobsPageSize ?? 0
  const skip = Number(ctx.query?.$skiptoken ?? 0) || 0
  const value = size > 0 ? all.slice(skip, skip + size) : all
  const path = `/v1.0/servicePrincipals/${encodeURIComponent(ctx.params.id)}/synchronization/jobs`
  const next = size > 0 && skip + size < all.length ? { '@odata.nextLink': `${state.origins.graph}${path}?$skiptoken=${skip + size}` } : {}
  return {
    status: 200,
    headers: { 'request-id': randomUUID(), 'odata-version': '4.0' },
    body: {
      '@odata.context': `${state.origins.graph}/v1.0/$metadata#servicePrincipals('${ctx.params.id}')/synchronization/jobs`,
      value,
      ...next
    }
  }
}

/** @returns {{ key: string, params: Record<string,string>, answer: Function } | null} */
function resolveRoute(role, method, path) {
  if (role === 'oidc' && /\/idtoken$/.test(path)) return { key: ROUTE_KEYS.oidc, method: 'GET', params: {}, answer: oidcAnswer }
  const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path)
  if (role === 'login' && token)
    return { key: ROUTE_KEYS.token, method: 'POST', params: { tenant: decodeURIComponent(token[1]) }, answer: tokenAnswer }
  const jobsPath = /^\/v1\.0\/servicePrincipals\/([^/]+)\/synchronization\/jobs$/.exec(path)
  if (role === 'graph' && jobsPath)
    return { key: ROUTE_KEYS.jobs, method: 'GET', params: { id: decodeURIComponent(jobsPath[1]) }, answer: jobsAnswer }
  return null
}

function notFoundFor(role) {
  if (role === 'graph') return graphError(400, 'BadRequest', 'Resource not found for the segment.')
  if (role === 'login') return aadError(404, 'invalid_request', 900561, 'The endpoint only accepts POST requests.') // GUESS
  return oidcError(404, 'Not Found')
}

// ---------------------------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------------------------

function takeFault(state, routeKey) {
  const faults = state.world.faults ?? {}
  const fault = (routeKey && faults[routeKey]) ?? faults['*']
  if (!fault) return null
  const used = state.faultUses.get(fault) ?? 0
  if (fault.times !== undefined && used >= fault.times) return null
  state.faultUses.set(fault, used + 1)
  return fault
}

/** Default bodies of a status fault, in each service's own error shape. */
function statusFault(role, fault) {
  const headers = fault.headers ?? {}
  if (fault.body !== undefined) return { status: fault.status, headers, body: fault.body }
  if (role === 'graph') {
    const code = fault.status >= 500 ? (fault.status === 503 ? 'serviceNotAvailable' : 'generalException') : 'BadRequest'
    return graphError(
      fault.status,
      code,
      fault.status >= 500 ? 'The service is temporarily unavailable.' : 'The request was refused.',
      headers
    )
  }
  if (role === 'login') {
    const r = aadError(fault.status, fault.status >= 500 ? 'temporarily_unavailable' : 'invalid_request', 90000, AADSTS[90000]())
    return { ...r, headers }
  }
  return { ...oidcError(fault.status, 'The service is unavailable.'), headers }
}

/** 429 with Retry-After (seconds) [E12]; `retryAfter: null` sends none. */
function rateLimitFault(role, fault) {
  const retry = fault.retryAfter === null ? {} : { 'retry-after': String(fault.retryAfter ?? 41) }
  if (role === 'graph') return graphError(429, 'activityLimitReached', 'The request has been throttled', retry)
  if (role === 'login') return { ...aadError(429, 'temporarily_unavailable', 90000, 'Too many requests.'), headers: retry }
  return { ...oidcError(429, 'Too many requests.'), headers: retry }
}

/** Echoes the request's credentials back in an error (a hostile or broken server): nothing of it may leave the action. */
function echoFault(role, fault, ctx) {
  // The credentials first (as sent: form-encoded), so that they fall inside what a client quotes of a message.
  const form = new URLSearchParams(ctx.body)
  const sent = ['client_secret', 'client_assertion']
    .filter(k => form.has(k))
    .map(k => new URLSearchParams({ [k]: form.get(k) ?? '' }).toString())
  const echoed = `${sent.length > 0 ? `${sent.join('&')}; ` : ''}Authorization: ${ctx.headers.authorization ?? '(none)'}; body: ${ctx.body}`
  const status = fault.status ?? (role === 'graph' ? 403 : role === 'login' ? 401 : 401)
  if (role === 'graph') return graphError(status, 'Authorization_RequestDenied', `Denied for ${echoed}`)
  if (role === 'login') return aadError(status, 'invalid_client', 7000215, `Invalid client secret provided: ${echoed}`)
  return oidcError(status, `Unauthorized: ${echoed}`)
}

// ---------------------------------------------------------------------------------------------
// The servers
// ---------------------------------------------------------------------------------------------

const READ_ONLY_VIOLATION = 'the action must be read-only: only GET, and POST of the OAuth token request'

/**
 * Starts the three roles on 127.0.0.1 (random ports), sharing one world and one log.
 * @param {import('./entra-fake.d.mts').EntraWorld} world
 * @param {{ latencyMs?: number }} [options]
 * @returns {Promise<import('./entra-fake.d.mts').FakeEntra>}
 */
export async function startEntraFake(world, { latencyMs = 0 } = {}) {
  const state = {
    world,
    requests: [],
    violations: [],
    sockets: new Set(),
    timers: new Set(),
    faultUses: new WeakMap(),
    accessTokens: new Map(),
    issued: { oidcTokens: [], accessTokens: [] },
    origins: { login: '', graph: '', oidc: '' },
    closed: false
  }
  issuerKey()

  const servers = {}
  for (const role of ['login', 'graph', 'oidc']) {
    const server = createServer((req, res) => {
      handle(role, req, res).catch(err => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'content-type': JSON_TYPE })
          res.end(JSON.stringify({ error: 'entra-fake internal error', message: err.message }))
        }
      })
    })
    server.on('connection', socket => {
      state.sockets.add(socket)
      socket.on('close', () => state.sockets.delete(socket))
    })
    state.origins[role] = await listenLoopback(server)
    servers[role] = server
  }

  async function handle(role, req, res) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const route = resolveRoute(role, req.method, url.pathname)
    const body = await readBody(req)
    const form = req.method === 'POST' ? new URLSearchParams(body) : null
    const presented = bearer(req.headers.authorization)
    const entry = {
      role,
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      routeKey: route?.key ?? null,
      authFingerprint: presented === null ? null : fingerprint(presented),
      form: form
        ? {
            grantType: form.get('grant_type'),
            clientId: form.get('client_id'),
            scope: form.get('scope'),
            clientAssertionType: form.get('client_assertion_type'),
            clientSecretFingerprint: form.has('client_secret') ? fingerprint(form.get('client_secret') ?? '') : null,
            clientAssertionFingerprint: form.has('client_assertion') ? fingerprint(form.get('client_assertion') ?? '') : null
          }
        : null,
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
    if (latencyMs > 0) await sleep(latencyMs, state.timers)
    if (state.closed) return

    const ctx = { headers: req.headers, query: entry.query, body, params: route?.params ?? {} }
    const isTokenPost = req.method === 'POST' && route?.key === ROUTE_KEYS.token
    if (req.method !== 'GET' && !isTokenPost) {
      state.violations.push(`${req.method} ${role} ${url.pathname}: write request refused; ${READ_ONLY_VIOLATION}`)
      return send(
        res,
        entry,
        role === 'graph' ? graphError(405, 'Request_BadRequest', 'Method Not Allowed') : oidcError(405, 'Method Not Allowed')
      )
    }
    if (!route) return send(res, entry, notFoundFor(role))
    if (req.method !== route.method) return send(res, entry, notFoundFor(role))

    const fault = takeFault(state, route.key)
    if (fault) {
      entry.fault = fault.kind
      switch (fault.kind) {
        case 'hang':
          return
        case 'reset':
          if (typeof res.socket?.resetAndDestroy === 'function') res.socket.resetAndDestroy()
          else res.socket?.destroy()
          return
        case 'status':
          return send(res, entry, statusFault(role, fault))
        case 'rate-limit':
          return send(res, entry, rateLimitFault(role, fault))
        case 'redirect':
          return send(res, entry, { status: fault.status ?? 302, headers: { location: fault.location }, body: '' })
        case 'html':
          return send(res, entry, {
            status: 200,
            headers: {},
            body: fault.body ?? '<html><body>Sign in to the proxy</body></html>',
            contentType: 'text/html; charset=utf-8'
          })
        case 'wrong-shape':
          return send(res, entry, { status: 200, headers: {}, body: fault.body ?? { value: 'not a list' } })
        case 'stall-body':
          return send(res, entry, route.answer(state, ctx), { stall: true })
        case 'echo':
          return send(res, entry, echoFault(role, fault, ctx))
        default:
          throw new Error(`entra-fake: unknown fault kind ${JSON.stringify(fault.kind)}`)
      }
    }
    return send(res, entry, route.answer(state, ctx))
  }

  return {
    url: state.origins.login,
    loginUrl: state.origins.login,
    graphUrl: state.origins.graph,
    oidcUrl: state.origins.oidc,
    /** Shaped like the runner's ACTIONS_ID_TOKEN_REQUEST_URL: a query already there, so `&audience=` is appended. */
    oidcRequestUrl: `${state.origins.oidc}/_apis/distributedtask/hubs/Actions/plans/4f5e6d7c/jobs/8b9a0c1d/idtoken?api-version=2.0`,
    requests: state.requests,
    violations: state.violations,
    issued: state.issued,
    get world() {
      return state.world
    },
    setWorld(next) {
      state.world = next
    },
    close: () => closeFake(state, Object.values(servers))
  }
}

function send(res, entry, r, { stall = false } = {}) {
  if (res.destroyed) return
  const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body)
  const headers = {
    'content-type': r.contentType ?? JSON_TYPE,
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store, no-cache',
    ...r.headers
  }
  entry.status = r.status
  res.writeHead(r.status, headers)
  if (!stall) {
    res.end(text)
    return
  }
  res.write(Buffer.from(text).subarray(0, Math.floor(Buffer.byteLength(text) / 2)))
}
