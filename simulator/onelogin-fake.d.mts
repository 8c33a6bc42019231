/** Types of onelogin-fake.mjs: the world model, faults, the request log, the world builders. */

/** An event in OneLogin's Event shape (nulls left out) [O6][O7]. */
export interface OneLoginEventBody {
  id: number
  created_at: string
  event_type_id: number
  account_id?: number
  app_id?: number
  app_name?: string
  user_id?: number
  user_name?: string
  actor_system?: string
  error_description?: string
  [key: string]: unknown
}

export type OneLoginRouteKey = 'POST /auth/oauth2/v2/token' | 'GET /api/2/apps/{id}' | 'GET /api/1/events' | 'GET /api/1/events/types'

/** `times`: apply to the first N matching requests only (default: every one). */
interface FaultBase {
  times?: number
}
export type OneLoginFault = FaultBase &
  (
    | { kind: 'hang' }
    | { kind: 'reset' }
    /** An error status; without `body`, OneLogin's /1 error body for it. */
    | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
    /** 429 with X-RateLimit-Reset (seconds left) when `resetInSeconds` is given, without it otherwise. */
    | { kind: 'rate-limit'; resetInSeconds?: number }
    | { kind: 'redirect'; location: string; status?: number }
    /** 400 whose message sends the request's Authorization header (Basic decoded) and body back. */
    | { kind: 'echo' }
    /** 200 with a body over 1 MiB. */
    | { kind: 'huge' }
  )

export interface OneLoginWorldCredential {
  secret: string
  /** The credential's scope [O4]: read_all (default), manage_all, read_users, manage_users, authentication_only. */
  scope?: string
  /** Its creator was deleted: the token endpoint answers 500 [O3]. */
  creatorDeleted?: boolean
}

export interface OneLoginWorldApp {
  id: number
  name: string
  /** `provisioning.enabled`. */
  provisioning: boolean
  connectorId?: number
}

export interface OneLoginWorld {
  credentials?: Record<string, OneLoginWorldCredential>
  apps?: Record<string, OneLoginWorldApp>
  events?: OneLoginEventBody[]
  faults?: Partial<Record<OneLoginRouteKey | '*', OneLoginFault>>
  /** Every page hands back the same after_cursor (a broken server). */
  repeatCursor?: boolean
}

export interface OneLoginRequestLogEntry {
  method: string
  path: string
  query: Record<string, string>
  routeKey: OneLoginRouteKey | null
  /** The Authorization scheme (Basic, Bearer), never the credential. */
  authScheme: string | null
  startedAt: number
  endedAt: number | null
  status: number | null
  fault: OneLoginFault['kind'] | null
  /** The error type (/1) or name (/2) of the answer. */
  error: string | null
}

export interface FakeOneLogin {
  /** http://127.0.0.1:PORT: the account URL (onelogin-url). */
  readonly url: string
  readonly requests: OneLoginRequestLogEntry[]
  /** Read-only violations: any request but a GET and the token POST. */
  readonly violations: string[]
  readonly world: OneLoginWorld
  setWorld(next: OneLoginWorld): void
  /** Access tokens issued so far (for secret-leak tests). */
  readonly issuedTokens: string[]
  close(): Promise<void>
}

export function startOneLoginFake(world: OneLoginWorld, options?: { latencyMs?: number }): Promise<FakeOneLogin>

export const ONELOGIN_MESSAGES: Readonly<Record<string, string>>
export const EVENT_TYPES: ReadonlyArray<readonly [number, string]>
export const ACCOUNT_ID: number
export const ONELOGIN_APP_ID: number
export const ONELOGIN_CLIENT_ID: string
export const ONELOGIN_CLIENT_SECRET: string
export const CREDENTIALS_ERROR: string
export const PER_USER_ERROR: string

export function loginEvent(e: {
  id?: number
  at: number
  type: number
  appId?: number | null
  appName?: string
  user?: string
  error?: string | null
}): OneLoginEventBody

export interface OneLoginWorldOptions {
  now?: number
}
export function healthyOneLoginWorld(options?: OneLoginWorldOptions): OneLoginWorld
export function credentialsRejectedWorld(options?: OneLoginWorldOptions): OneLoginWorld
export function provisioningErrorsWorld(options?: OneLoginWorldOptions): OneLoginWorld
export function provisioningOffWorld(options?: OneLoginWorldOptions): OneLoginWorld
export function noAttemptWorld(options?: OneLoginWorldOptions): OneLoginWorld
export function manyEventsWorld(options?: OneLoginWorldOptions & { count?: number }): OneLoginWorld
export function readUsersWorld(options?: OneLoginWorldOptions): OneLoginWorld
export function creatorDeletedWorld(options?: OneLoginWorldOptions): OneLoginWorld
export function hostileWorld(options?: OneLoginWorldOptions): OneLoginWorld
export type OneLoginWorldName =
  | 'healthy'
  | 'credentials-rejected'
  | 'provisioning-errors'
  | 'provisioning-off'
  | 'no-attempt'
  | 'many-events'
  | 'read-users'
  | 'creator-deleted'
  | 'hostile'
export const ONELOGIN_WORLDS: Readonly<Record<OneLoginWorldName, (options?: OneLoginWorldOptions) => OneLoginWorld>>
