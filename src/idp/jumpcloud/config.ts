/**
 * JumpCloud's configuration, as `parseJumpCloud` (provider.ts) validates it from the `jumpcloud-*` inputs
 * (docs/idp-jumpcloud.md). Kept in this folder: nothing outside it knows the shape.
 */

/** How the action signs in to JumpCloud: an admin's API key, or a service account's client credentials. */
export type JumpCloudAuth = { kind: 'api-key'; apiKey: string } | { kind: 'service-account'; clientId: string; clientSecret: string }

export interface JumpCloudInputs {
  /** The GitHub app's `_id` in JumpCloud: 24 hex digits, lower-cased. */
  appId: string
  /** `x-org-id` for a multi-tenant admin, or null. */
  orgId: string | null
  /** https://console.jumpcloud.com: `/api/applications/{id}` (v1). No trailing slash. */
  consoleUrl: string
  /** https://api.jumpcloud.com: `/insights/directory/v1/events`. No trailing slash. */
  insightsUrl: string
  /** https://admin-oauth.id.jumpcloud.com: `/oauth2/token` (service accounts). No trailing slash. */
  oauthUrl: string
  lookbackHours: number
  auth: JumpCloudAuth
}

export const JUMPCLOUD_DEFAULTS = {
  'jumpcloud-console-url': 'https://console.jumpcloud.com',
  'jumpcloud-insights-url': 'https://api.jumpcloud.com',
  'jumpcloud-oauth-url': 'https://admin-oauth.id.jumpcloud.com'
} as const

/** The Directory Insights event query: its one documented path [J3]. */
export const EVENTS_PATH = '/insights/directory/v1/events'
/** The service-account token endpoint (GUESS: observed in third-party clients only [J7]). */
export const TOKEN_PATH = '/oauth2/token'
