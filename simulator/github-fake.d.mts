/** Types of github-fake.mjs: a loopback fake of the GitHub REST + GraphQL API driven by a world model. */

export type Platform = 'dotcom' | 'ghe.com' | 'ghes'

export interface WorldUser {
  id: number
  suspended?: boolean
  name?: string | null
  /** ISO; default 2021-04-01T09:00:00Z. */
  createdAt?: string
  updatedAt?: string
}

export interface WorldToken {
  /** Owner login (a key of `users`; a missing owner makes the token answer 401). */
  login: string
  /** Classic/OAuth scopes (`x-oauth-scopes`); null for fine-grained, `ghu_`, `ghs_` (header absent). */
  scopes: string[] | null
  /** ISO; in the past = 401 Bad credentials; sets `github-authentication-token-expiration`. */
  expiresAt?: string
  revoked?: boolean
  /** Org logins this (classic) token is SAML SSO-authorized for. */
  ssoAuthorized?: string[]
  /** ISO; `credential_authorized_at` in credential-authorizations (default 2024-01-15T10:00:00Z). */
  ssoAuthorizedAt?: string
  /** `authorized_credential_id` in credential-authorizations (default: derived from the token). */
  credentialId?: number
  note?: string
}

export interface OrgMember {
  role: 'admin' | 'member'
  state: 'active' | 'pending'
}

export interface SamlIdentity {
  nameId: string
  username?: string
  externalId?: string
}

export interface WorldOrg {
  id: number
  name?: string
  description?: string | null
  company?: string
  location?: string
  createdAt?: string
  members: Record<string, OrgMember>
  /** Org-level SAML enforced, with the linked identities by login; null/absent = no org SAML. */
  saml?: null | { ssoUrl?: string; identities: Record<string, SamlIdentity> }
  /** Org SCIM available; default: `saml != null`. */
  scim?: boolean
  ipAllowList?: boolean
  oauthAppRestricted?: boolean
  classicPatBlocked?: boolean
  fineGrainedBlocked?: boolean
}

export interface WorldEnterprise {
  owners: string[]
  /** Enterprise SCIM available; default true. */
  scim?: boolean
  /** Provisioned (SCIM) users by login, listed by the enterprise SCIM endpoint. */
  identities?: Record<string, SamlIdentity>
}

export type RouteKey =
  | 'GET /user'
  | 'GET /users/{username}'
  | 'GET /orgs/{org}'
  | 'GET /user/memberships/orgs/{org}'
  | 'GET /orgs/{org}/credential-authorizations'
  | 'GET /scim/v2/organizations/{org}/Users'
  | 'GET /scim/v2/enterprises/{enterprise}/Users'
  | 'POST /graphql'

/** `times`: apply to the first N matching requests only (default: every one). */
interface FaultBase {
  times?: number
}

export type Fault = FaultBase &
  (
    | { kind: 'hang' }
    | { kind: 'stall-body' }
    | { kind: 'close-mid-body' }
    | { kind: 'reset' }
    /** Default bodies: GitHub's 5xx texts; 502 is GitHub's HTML "Unicorn!" page. A string body is sent as is. */
    | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
    | { kind: 'html'; body?: string }
    | { kind: 'truncated' }
    /** Default body: `[]`, or `{"foo":1}` where GitHub sends an array. */
    | { kind: 'wrong-shape'; body?: unknown }
    /** `noReset`: no `x-ratelimit-reset` header (recorded once, section 8). */
    | { kind: 'primary-rate-limit'; status?: 403 | 429; resetInSeconds?: number; noReset?: boolean }
    | { kind: 'secondary-rate-limit'; status?: 403 | 429; retryAfter?: number }
  )

export type FaultKind = Fault['kind']

export interface World {
  platform?: Platform
  /** Default '3.17.0'. */
  ghesVersion?: string
  /** Web host for SSO URLs and html_url: default github.com, example.ghe.com, ghes.example.com. */
  webHost?: string
  users?: Record<string, WorldUser>
  tokens?: Record<string, WorldToken>
  orgs?: Record<string, WorldOrg>
  enterprises?: Record<string, WorldEnterprise>
  /** Logins locked out after too many bad logins (403 for every token of theirs). */
  lockedOut?: string[]
  faults?: Partial<Record<RouteKey | '*', Fault>>
  /** How the answers are written on the wire (docs/github-behaviour.md); default: today's github.com over HTTP/2. */
  wire?: WireForm
}

export interface WireForm {
  /** `legacy`: error bodies without `status`, developer.github.com/v3 links; the singular lockout text, the docs' "personal token" SSO text, the "abuse detection" secondary limit. */
  era?: 'current' | 'legacy'
  /** `mixed`: header names as GitHub wrote them over HTTP/1.1 (X-OAuth-Scopes, X-RateLimit-Remaining, X-GitHub-SSO). */
  headerCase?: 'lower' | 'mixed'
  /** `offset`: the expiry header with a numeric offset (`2023-06-14 08:09:46 -0700`) instead of `UTC`. */
  expiry?: 'utc' | 'offset'
}

export interface RequestLogEntry {
  method: string
  /** Path without query and without the REST prefix; '/graphql' for GraphQL on every platform. */
  path: string
  /** The path as requested (with any prefix). */
  rawPath: string
  query: Record<string, string>
  accept: string | null
  /** sha256 of the token, first 12 hex; null without an Authorization header. */
  authFingerprint: string | null
  /** performance.now() ms. */
  startedAt: number
  /** performance.now() ms when the answer ended or the connection closed; null while open. */
  endedAt: number | null
  /** Status sent; null when none was (hang, reset, still waiting). */
  status: number | null
  /** The route matched, or null (unknown path, write method). */
  routeKey: RouteKey | null
  /** The fault applied, if any. */
  fault: FaultKind | null
  /** GraphQL requests: the variables sent. */
  graphqlVariables?: Record<string, unknown> | null
}

export interface FakeGitHub {
  /** 'http://127.0.0.1:PORT' */
  readonly url: string
  /** url + REST prefix ('/api/v3' on GHES). */
  readonly apiUrl: string
  /** url + '/graphql' ('/api/graphql' on GHES). */
  readonly graphqlUrl: string
  /** Every request, rejected ones included. */
  readonly requests: RequestLogEntry[]
  /** Read-only violations (non-GET requests, GraphQL mutations). */
  readonly violations: string[]
  /** The live world: mutate it between requests. */
  readonly world: World
  setWorld(world: World): void
  /** Stops listening and destroys every open socket, hung ones included. */
  close(): Promise<void>
}

export function startFake(world: World, options?: { latencyMs?: number }): Promise<FakeGitHub>

/** sha256 of a token, first 12 hex chars: the only trace of a token the fake keeps. */
export function fingerprint(token: string): string

export type TokenKind = 'classic' | 'fine-grained' | 'oauth-app' | 'app-user' | 'app-installation' | 'unknown'
export function tokenKind(token: string): TokenKind

export const MESSAGES: Readonly<{
  requiresAuthentication: string
  graphqlRequiresAuthentication: string
  badCredentials: string
  loginAttemptsExceeded: string
  suspended: string
  notFound: string
  samlEnforced: string
  ipAllowList: (org: string) => string
  oauthAppRestricted: (org: string) => string
  classicPatBlocked: (org: string) => string
  fineGrainedBlocked: (org: string) => string
  notAccessibleByPat: string
  notAccessibleByIntegration: string
  scopeMissing: (scopes: string[]) => string
  scimNotOwner: string
  scimPermissionDenied: string
  primaryRateLimit: (who: number | string, requestId: string, timestamp: string) => string
  primaryRateLimitAnonymous: (ip: string) => string
  secondaryRateLimit: (requestId: string) => string
  graphqlOrgNotFound: (org: string) => string
  legacyLoginAttemptsExceeded: string
  legacySamlEnforced: string
  abuseDetection: string
  serverError: string
  serviceUnavailable: string
  gatewayTimeout: string
}>
