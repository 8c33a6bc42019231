/** Types of entra-fake.mjs: loopback fakes of the Entra token endpoint, the runner's OIDC endpoint and Graph's jobs. */

export const TENANT_ID: string
export const CLIENT_ID: string
export const SERVICE_PRINCIPAL_ID: string
export const CLIENT_SECRET: string
export const OIDC_REQUEST_TOKEN: string
export const GITHUB_OIDC_ISSUER: string
export const AUDIENCE: string
export const FEDERATED_SUBJECT: string
export const SYNC_PERMISSION: string

/** A synchronizationJob as Graph writes it (see the fixture's documented examples). */
export type GraphJob = Record<string, unknown> & {
  id: string
  templateId: string
  schedule: { expiration: string | null; interval: string; state: string }
  status: Record<string, unknown> & { code: string; quarantine: Record<string, unknown> | null }
}

export interface FederatedCredential {
  issuer: string
  /** Exact match, no wildcards. */
  subject: string
  audiences: string[]
}

export interface EntraApp {
  clientId: string
  /** Client secrets; `expiresAt` in the past: AADSTS7000222. */
  secrets?: Array<{ value: string; expiresAt?: string }>
  federatedCredentials?: FederatedCredential[]
  /** Admin-consented application permissions (the token's `roles`); without a read permission Graph answers 403. */
  permissions?: string[]
  /** AADSTS70001. */
  disabled?: boolean
}

export type RouteKey = 'GET /idtoken' | 'POST /{tenant}/oauth2/v2.0/token' | 'GET /v1.0/servicePrincipals/{id}/synchronization/jobs'

/** `times`: apply to the first N matching requests only (default: every one). */
export type Fault = { times?: number } & (
  | { kind: 'hang' }
  | { kind: 'reset' }
  /** Default bodies: the service's own error shape (AADSTS, Graph error, runner message). */
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** 429 with `Retry-After` (seconds, default 41; null: none). */
  | { kind: 'rate-limit'; retryAfter?: number | null }
  | { kind: 'redirect'; location: string; status?: 301 | 302 | 303 | 307 | 308 }
  | { kind: 'html'; body?: string }
  /** 200 with JSON of another shape (default `{"value":"not a list"}`). */
  | { kind: 'wrong-shape'; body?: unknown }
  /** Status, headers and half the body; the rest never comes. */
  | { kind: 'stall-body' }
  /** An error that echoes the request's Authorization header and body back (default status: 401, Graph 403). */
  | { kind: 'echo'; status?: number }
)

export interface EntraWorld {
  tenantId: string
  app: EntraApp
  /** Service principals by object id, with their synchronization jobs. */
  servicePrincipals: Record<string, { jobs: GraphJob[] }>
  /** The runner's OIDC endpoint: the request token it accepts, and the claims of the tokens it issues. */
  oidc: { requestToken: string; subject?: string; issuer?: string; repositoryOwner?: string; lifetimeSeconds?: number }
  faults?: Partial<Record<RouteKey | '*', Fault>>
  /** Jobs per page of the jobs list (`@odata.nextLink` with a `$skiptoken`); unset: one page. */
  jobsPageSize?: number
}

export type EntraScenario =
  | 'healthy'
  | 'credentials-quarantine'
  | 'escrow-quarantine'
  | 'disabled-after-quarantine'
  | 'paused'
  | 'not-configured'
  | 'no-job'
  | 'entry-level-errors'
  | 'never-ran'
  | 'two-jobs'

export const ENTRA_SCENARIOS: readonly EntraScenario[]
export const ROUTE_KEYS: Readonly<{ oidc: RouteKey; token: RouteKey; jobs: RouteKey }>

/** A world for a scenario; job times are relative to `now` (default: the clock). */
export function entraWorld(scenario?: EntraScenario, options?: { now?: number }): EntraWorld

export const INVALID_CREDENTIALS_ERROR: Readonly<{ code: string; message: string; tenantActionable: boolean }>

export interface ExecutionSpec {
  state?: 'Succeeded' | 'Failed' | 'EntryLevelErrors'
  /** Epoch ms. */
  began: number
  seconds?: number
  error?: { code: string; message: string; tenantActionable?: boolean } | null
  counts?: Record<string, number>
}
export function execution(spec: ExecutionSpec): Record<string, unknown>
export function quarantine(spec: {
  reason: string
  began: number
  now: number
  error?: object | null
  seriesCount?: number
}): Record<string, unknown>
export function job(spec?: {
  now?: number
  id?: string
  templateId?: string
  code?: string
  scheduleState?: string
  lastExecution?: Record<string, unknown> | null
  lastSuccessfulExecution?: Record<string, unknown> | null
  quarantine?: Record<string, unknown> | null
  countSuccessiveCompleteFailures?: number
  steadyStateLastAchievedTime?: string
}): GraphJob

type JobBuilder = (options?: { now?: number }) => GraphJob
export const jobs: Readonly<{
  healthy: JobBuilder
  credentialsQuarantine: JobBuilder
  escrowQuarantine: JobBuilder
  disabledAfterQuarantine: JobBuilder
  paused: JobBuilder
  notConfigured: JobBuilder
  entryLevelErrors: JobBuilder
  neverRan: JobBuilder
}>

export interface EntraRequestLogEntry {
  role: 'login' | 'graph' | 'oidc'
  method: string
  path: string
  query: Record<string, string>
  routeKey: RouteKey | null
  /** sha256 of the Bearer value, first 12 hex; null without one. */
  authFingerprint: string | null
  /** The token request's form: names and non-secret values; the secret and the assertion as fingerprints. */
  form: {
    grantType: string | null
    clientId: string | null
    scope: string | null
    clientAssertionType: string | null
    clientSecretFingerprint: string | null
    clientAssertionFingerprint: string | null
  } | null
  startedAt: number
  endedAt: number | null
  status: number | null
  fault: Fault['kind'] | null
}

export interface FakeEntra {
  /** The login role's origin (same as loginUrl). */
  readonly url: string
  /** `entra-login-url`: http://127.0.0.1:PORT */
  readonly loginUrl: string
  /** `graph-url`: http://127.0.0.1:PORT */
  readonly graphUrl: string
  readonly oidcUrl: string
  /** What ACTIONS_ID_TOKEN_REQUEST_URL would hold (with `?api-version=2.0`). */
  readonly oidcRequestUrl: string
  readonly requests: EntraRequestLogEntry[]
  /** Read-only violations (any request but GET and the token POST). */
  readonly violations: string[]
  /** Test-only: the tokens the fake issued (fakes), to check that each was registered as a secret and leaked nowhere. */
  readonly issued: { oidcTokens: string[]; accessTokens: string[] }
  readonly world: EntraWorld
  setWorld(world: EntraWorld): void
  close(): Promise<void>
}

export function startEntraFake(world: EntraWorld, options?: { latencyMs?: number }): Promise<FakeEntra>

export function fingerprint(secret: string): string
