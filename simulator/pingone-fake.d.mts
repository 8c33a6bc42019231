/** Types of pingone-fake.mjs: the world model, faults, the request log, the world builders. */

export type PingOneRouteKey = 'POST /as/token' | 'GET store' | 'GET rules' | 'GET plans'

/** `times`: apply to the first N matching requests only (default: every one). */
interface FaultBase {
  times?: number
}
export type PingOneFault = FaultBase &
  (
    | { kind: 'hang' }
    | { kind: 'reset' }
    /** An error status; without `body`, PingOne's P1Error for it (401 INVALID_TOKEN, 403 INSUFFICIENT_PERMISSIONS, 404, 5xx). */
    | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
    /** 429 REQUEST_LIMITED, with `Retry-After: retryAfterSeconds` (null or absent: no header). */
    | { kind: 'rate-limit'; retryAfterSeconds?: number | null }
    | { kind: 'redirect'; location: string; status?: number }
    /** A 200 whose body is over 1 MiB. */
    | { kind: 'oversize' }
  )

export interface PingOneWorldClient {
  /** Client Secret Basic. */
  secret?: string
  /** Private Key JWT: the registered public JWK (with its kid). */
  jwk?: Record<string, unknown>
  /** null: no role (every API read 403). */
  role?: string | null
}

export interface PingOneWorld {
  environmentId: string
  clients?: Record<string, PingOneWorldClient>
  /** Propagation stores by id, as the GET returns them (with OAUTH_ACCESS_TOKEN in `configuration`). */
  stores?: Record<string, Record<string, unknown>>
  rules?: Array<Record<string, unknown>>
  plans?: Array<Record<string, unknown>>
  /** false: the store GET leaves OAUTH_ACCESS_TOKEN out (UNCONFIRMED which PingOne does). */
  returnToken?: boolean
  /** Error texts and the store's sync details echo the credentials sent. */
  echo?: boolean
  /** Lists that say they have a next page. */
  nextPage?: { rules?: boolean; plans?: boolean }
  faults?: Partial<Record<PingOneRouteKey | '*', PingOneFault>>
}

export interface PingOneRequestLogEntry {
  method: string
  path: string
  routeKey: PingOneRouteKey | null
  /** The Authorization scheme (Basic, Bearer), never the credential. */
  authScheme: string | null
  startedAt: number
  endedAt: number | null
  status: number | null
  fault: PingOneFault['kind'] | null
  /** The P1Error code or OAuth error of the answer. */
  error: string | null
}

export interface FakePingOne {
  url: string
  authUrl: string
  apiUrl: string
  requests: PingOneRequestLogEntry[]
  /** Writes refused (every one a bug of the action). */
  violations: string[]
  readonly world: PingOneWorld
  setWorld(next: PingOneWorld): void
  readonly issuedTokens: string[]
  close(): Promise<void>
}

export function startPingOneFake(world: PingOneWorld, options?: { latencyMs?: number }): Promise<FakePingOne>
export function uuidFrom(seed: string): string
export function pingoneKeys(): { rsaPem: string; rsaJwk: string; ecPem: string; publicJwk: Record<string, unknown> }

export const PINGONE_ENV_ID: string
export const PINGONE_STORE_ID: string
export const PINGONE_CLIENT_ID: string
export const PINGONE_KEY_ID: string
export const PINGONE_CLIENT_SECRET: string
export const PINGONE_OTHER_TOKEN: string
export const PINGONE_MESSAGES: Readonly<Record<string, string>>
export const CREDENTIALS_DETAILS: string
export const PER_USER_DETAILS: string

export interface WorldOptions {
  now?: number
  heldToken?: string
  enterprise?: string
}
export function githubEmuStore(options?: WorldOptions & { sync?: Record<string, unknown>; [key: string]: unknown }): Record<string, unknown>
export function githubEmuRule(overrides?: Record<string, unknown>): Record<string, unknown>
export function propagationPlan(overrides?: Record<string, unknown>): Record<string, unknown>
export function healthyPingOneWorld(options?: WorldOptions): PingOneWorld
export function credentialsRejectedPingOneWorld(options?: WorldOptions): PingOneWorld

export type PingOneWorldName =
  | 'healthy'
  | 'credentials-rejected'
  | 'other-token'
  | 'provisioning-errors'
  | 'failed-other'
  | 'store-inactive'
  | 'rule-inactive'
  | 'plan-inactive'
  | 'never-synced'
  | 'unknown-state'
  | 'token-withheld'
  | 'wrong-enterprise'
  | 'not-emu'
  | 'hostile'
  | 'echo'
export const PINGONE_WORLDS: Readonly<Record<PingOneWorldName, (options?: WorldOptions) => PingOneWorld>>
