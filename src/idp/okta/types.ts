/** Okta's validated inputs (src/idp/okta/provider.ts parses them). */

export type OktaAuth =
  { kind: 'ssws'; token: string } | { kind: 'private-key-jwt'; clientId: string; privateKey: string; keyId: string | null }

export interface OktaInputs {
  /** https://acme.okta.com (no trailing slash). */
  orgUrl: string
  /** The GitHub app instance: 0oa + 17 letters or digits. */
  appId: string
  lookbackHours: number
  auth: OktaAuth
}
