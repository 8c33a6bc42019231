/**
 * PingOne's configuration as the check uses it (docs/idp-pingone.md), and its regional hosts.
 * Regions [P5] (docs/idp-pingone.md): the same suffix for `auth.pingone.<tld>` and `api.pingone.<tld>`.
 */

export const PINGONE_REGIONS = ['com', 'eu', 'asia', 'com.au', 'ca', 'sg'] as const
export type PingOneRegion = (typeof PINGONE_REGIONS)[number]
export const PINGONE_DEFAULT_REGION: PingOneRegion = 'com'

export type PingOneAuth =
  /** CLIENT_SECRET_BASIC, the worker app's default token endpoint authentication method [P7]. */
  | { kind: 'secret'; secret: string }
  /** PRIVATE_KEY_JWT (RS256/384/512) [P7]. */
  | { kind: 'private-key-jwt'; privateKey: string; keyId: string | null }

export interface PingOneInputs {
  /** The environment's id (a UUID, lower-case). */
  environmentId: string
  /** The GitHubEMU propagation store's id (a UUID, lower-case). */
  storeId: string
  /** The worker app's client id (a UUID). */
  clientId: string
  /** `https://auth.pingone.com` (no trailing slash): the token URL is `{authUrl}/{environmentId}/as/token`. */
  authUrl: string
  /** `https://api.pingone.com` (no trailing slash): the API is `{apiUrl}/v1/environments/{environmentId}/…`. */
  apiUrl: string
  /** The input to name when `authUrl`/`apiUrl` is wrong: the URL input given, else `pingone-region`. */
  authUrlInput: string
  apiUrlInput: string
  auth: PingOneAuth
}

export const authUrlOf = (region: PingOneRegion): string => `https://auth.pingone.${region}`
export const apiUrlOf = (region: PingOneRegion): string => `https://api.pingone.${region}`

export const tokenUrlOf = (inputs: Pick<PingOneInputs, 'authUrl' | 'environmentId'>): string =>
  `${inputs.authUrl}/${encodeURIComponent(inputs.environmentId)}/as/token`

export const environmentUrlOf = (inputs: Pick<PingOneInputs, 'apiUrl' | 'environmentId'>): string =>
  `${inputs.apiUrl}/v1/environments/${encodeURIComponent(inputs.environmentId)}`
