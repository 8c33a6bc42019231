/** Types of okta-fake.mjs: the world model, faults, the request log, the world builders. */

/** A System Log event in Okta's LogEvent shape (nulls left out). */
export interface OktaLogEvent {
  uuid: string
  published: string
  eventType: string
  displayMessage?: string
  outcome: { result: string; reason?: string }
  target: Array<{ id: string; type: string; alternateId?: string; displayName?: string }>
  [key: string]: unknown
}

export type OktaRouteKey = 'POST /oauth2/v1/token' | 'GET /api/v1/apps/{appId}' | 'GET /api/v1/logs'

/** `times`: apply to the first N matching requests only (default: every one). */
interface FaultBase {
  times?: number
}
export type OktaFault = FaultBase &
  (
    | { kind: 'hang' }
    | { kind: 'reset' }
    /** An error status; without `body`, Okta's error object for it (5xx: E0000009). */
    | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
    /** 429 E0000047 with X-Rate-Limit-Reset now + resetInSeconds (concurrency: limit/remaining 0). */
    | { kind: 'rate-limit'; resetInSeconds?: number; concurrency?: boolean }
    | { kind: 'redirect'; location: string; status?: number }
    /** Logs only: the `next` link points at another origin (default https://elsewhere.example) or path (default the logs'). */
    | { kind: 'next-elsewhere'; origin?: string | 'same'; path?: string }
  )

export interface OktaWorldApp {
  id: string
  name: string
  label: string
  status: 'ACTIVE' | 'INACTIVE' | 'DELETED'
  signOnMode: string
  features: string[]
  created: string
  lastUpdated: string
}

export interface OktaWorldClient {
  /** The registered public JWKs (each with its kid). */
  jwks: Array<Record<string, unknown>>
  scopes?: string[]
  /** null: no admin role (every API call 403). Default READ_ONLY_ADMIN. */
  role?: string | null
  /** Require DPoP: `nonce` (default true) asks for a nonce at the token endpoint, `apiNonce` at the API. */
  dpop?: false | { nonce?: boolean; apiNonce?: boolean }
  /** The app uses a client secret: any assertion is refused with Okta's text. */
  authMethod?: 'private_key_jwt' | 'client_secret_basic'
}

export interface OktaWorld {
  apps?: Record<string, OktaWorldApp>
  /** System Log events, in Okta's LogEvent shape. */
  events?: Array<OktaLogEvent>
  apiTokens?: Record<string, { role?: string | null }>
  clients?: Record<string, OktaWorldClient>
  faults?: Partial<Record<OktaRouteKey | '*', OktaFault>>
  /** The System Log ends with one more `next`, to an empty page whose `next` is its `self` (as Okta's streams do). */
  endWithEmptyPage?: boolean
}

export interface OktaRequestLogEntry {
  method: string
  path: string
  query: Record<string, string>
  routeKey: OktaRouteKey | null
  /** The Authorization scheme (SSWS, Bearer, DPoP), never the credential. */
  authScheme: string | null
  dpopProof: boolean
  /** The DPoP proof's jti, when one was sent. */
  dpopJti: string | null
  startedAt: number
  endedAt: number | null
  status: number | null
  fault: OktaFault['kind'] | null
  /** The errorCode or OAuth error of the answer. */
  error: string | null
}

export interface FakeOkta {
  /** http://127.0.0.1:PORT: the org URL. */
  readonly url: string
  readonly requests: OktaRequestLogEntry[]
  /** Read-only violations: any non-GET request but the token POST. */
  readonly violations: string[]
  readonly world: OktaWorld
  setWorld(next: OktaWorld): void
  /** Access tokens issued so far (for secret-leak tests). */
  readonly issuedTokens: string[]
  close(): Promise<void>
}

export function startOktaFake(world: OktaWorld, options?: { latencyMs?: number }): Promise<FakeOkta>

export const OKTA_MESSAGES: Readonly<Record<string, string> & { notFound: (what: string) => string }>
export const CREDENTIALS_INVALID: string
export const PER_USER_ERROR: string
export const OKTA_APP_ID: string
export const OKTA_CLIENT_ID: string
export const OKTA_KEY_IDS: Readonly<{ rsa: string; ec: string }>
export const OKTA_API_TOKEN: string

export interface OktaKeys {
  rsaPkcs8Pem: string
  rsaPkcs1Pem: string
  rsaJwk: string
  ecPkcs8Pem: string
  ecSec1Pem: string
  ecJwk: string
  publicJwks: Array<Record<string, unknown>>
}
export function oktaKeys(): OktaKeys
export function oktaId(prefix: string, seed: string): string
export function fingerprint(secret: string): string
export function parseFilter(text: string): (event: unknown) => boolean

export function logEvent(e: {
  at: number
  eventType: string
  result: string
  reason?: string | null
  displayMessage: string
  appId?: string
  user?: string
  seed?: string
}): OktaLogEvent
export function pushSuccess(at: number, user?: string): OktaLogEvent
export function pushFailure(at: number, reason: string, user?: string, eventType?: string): OktaLogEvent
export function authFailure(at: number): OktaLogEvent
export function githubApp(overrides?: Partial<OktaWorldApp>): OktaWorldApp

export interface OktaWorldOptions {
  now?: number
  dpop?: false | { nonce?: boolean; apiNonce?: boolean }
}
export function healthyOktaWorld(options?: OktaWorldOptions): OktaWorld
export function credentialsRejectedWorld(options?: OktaWorldOptions): OktaWorld
export function perUserErrorsWorld(options?: OktaWorldOptions): OktaWorld
export function appInactiveWorld(options?: OktaWorldOptions): OktaWorld
export function pushOffWorld(options?: OktaWorldOptions): OktaWorld
export function noEventsWorld(options?: OktaWorldOptions): OktaWorld
export function manyEventsWorld(options?: OktaWorldOptions & { count?: number }): OktaWorld
export function busySignInsWorld(options?: OktaWorldOptions & { count?: number }): OktaWorld
export const OKTA_WORLDS: Readonly<
  Record<
    'healthy' | 'credentials-rejected' | 'per-user-errors' | 'app-inactive' | 'push-off' | 'no-events' | 'many-events',
    (options?: OktaWorldOptions) => OktaWorld
  >
>
