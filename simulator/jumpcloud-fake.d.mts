/** Types of jumpcloud-fake.mjs: the world model, faults, the request log, the world builders. */

/** A Directory Insights directory event (the fields the fake fills). */
export interface DiEvent {
  id: string
  event_type: string
  service: string
  timestamp: string
  success: boolean
  application?: { id: string; name: string }
  idm_client_id?: string
  error_message?: string | null
  message_chain?: { response_code: string | number; response_message: string; message_details: string }
  [key: string]: unknown
}

export type JumpCloudRouteKey = 'POST /oauth2/token' | 'GET /api/applications/{id}' | 'POST /insights/directory/v1/events'

/** `times`: apply to the first N matching requests only (default: every one). */
interface FaultBase {
  times?: number
}
export type JumpCloudFault = FaultBase &
  (
    | { kind: 'hang' }
    /** A 200 body over 1 MiB, without content-length. */
    | { kind: 'huge' }
    /** An error status; without `body`, JumpCloud's `{code, message, status}`. */
    | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
    /** 403 "Your IP has been blocked due to suspected abuse". */
    | { kind: 'ip-blocked' }
    /** 429; a Retry-After only when `retryAfterSeconds` is given (JumpCloud documents none). */
    | { kind: 'rate-limit'; retryAfterSeconds?: number }
    | { kind: 'redirect'; location: string; status?: number }
    /** 400 quoting the request's credential headers back. */
    | { kind: 'echo' }
    /** Events only: X-Sort ASC whatever was asked. */
    | { kind: 'asc' }
    /** Events only: `search_after` ignored (the same page and cursor again). */
    | { kind: 'cursor-loop' }
    /** Events only: no X-Search_after header. */
    | { kind: 'no-cursor' }
  )

export interface JumpCloudCaller {
  /** null: no admin role (403). */
  role: string | null
  expired?: boolean
  /** A multi-tenant admin: the x-org-id it must send, one of these. */
  orgIds?: string[]
}

export interface JumpCloudWorld {
  apps?: Record<string, Record<string, unknown>>
  events?: DiEvent[]
  apiKeys?: Record<string, JumpCloudCaller>
  serviceAccounts?: Record<string, JumpCloudCaller & { secret: string }>
  faults?: Partial<Record<JumpCloudRouteKey | '*', JumpCloudFault>>
}

export interface JumpCloudRequestLogEntry {
  method: string
  path: string
  routeKey: JumpCloudRouteKey | null
  /** How the request authenticated (never the credential). */
  auth: 'api-key' | 'bearer' | 'basic' | null
  orgId: string | null
  contentType: string | null
  /** The event query's body (no secret in it). */
  json: Record<string, unknown> | null
  startedAt: number
  endedAt: number | null
  status: number | null
  fault: JumpCloudFault['kind'] | null
}

export interface FakeJumpCloud {
  /** http://127.0.0.1:PORT: the console, insights and oauth URL at once. */
  readonly url: string
  readonly requests: JumpCloudRequestLogEntry[]
  readonly violations: string[]
  readonly world: JumpCloudWorld
  setWorld(next: JumpCloudWorld): void
  readonly issuedTokens: string[]
  close(): Promise<void>
}

export function startJumpCloudFake(world: JumpCloudWorld, options?: { latencyMs?: number }): Promise<FakeJumpCloud>
export function matchSearch(event: unknown, searchTerm: unknown): boolean
export function matchTerm(event: unknown, term: unknown): boolean
export function jcId(seed: string): string

export const JC_MESSAGES: Readonly<Record<string, string>>
export const DI_SERVICES: readonly string[]
export const JC_APP_ID: string
export const JC_OTHER_APP_ID: string
export const JC_ORG_ID: string
export const JC_API_KEY: string
export const JC_CLIENT_ID: string
export const JC_CLIENT_SECRET: string
export const JC_IDP_PRIVATE_KEY: string
export const PER_USER_ERROR: string
export const CREDENTIALS_ERROR: string

export function githubApp(overrides?: Record<string, unknown>): Record<string, unknown>
export function diEvent(e: {
  at: number
  type?: string
  success?: boolean
  code?: string | number
  message?: string
  error?: string | null
  appId?: string
  user?: string
}): DiEvent
export function pushSuccess(at: number, user?: string): DiEvent
export function pushFailure(at: number, error: string, code?: string, user?: string): DiEvent
export function credentialFailure(at: number): DiEvent

export interface JumpCloudWorldOptions {
  now?: number
}
export function healthyWorld(options?: JumpCloudWorldOptions): JumpCloudWorld
export function credentialsRejectedWorld(options?: JumpCloudWorldOptions): JumpCloudWorld
export function provisioningErrorsWorld(options?: JumpCloudWorldOptions): JumpCloudWorld
export function appInactiveWorld(options?: JumpCloudWorldOptions): JumpCloudWorld
export function deactivatedWorld(options?: JumpCloudWorldOptions): JumpCloudWorld
export function noAttemptWorld(options?: JumpCloudWorldOptions): JumpCloudWorld
export const HOSTILE_TEXT: string
export function hostileWorld(options?: JumpCloudWorldOptions): JumpCloudWorld
export function manyEventsWorld(options?: JumpCloudWorldOptions & { count?: number }): JumpCloudWorld
export const JC_WORLDS: Readonly<
  Record<
    'healthy' | 'credentials-rejected' | 'provisioning-errors' | 'app-inactive' | 'deactivated' | 'no-attempt' | 'hostile',
    (options?: JumpCloudWorldOptions) => JumpCloudWorld
  >
>
