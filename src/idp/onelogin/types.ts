/** OneLogin's validated inputs (`onelogin-*`, docs/idp-onelogin.md). */
export interface OneLoginInputs {
  /** https://acme.onelogin.com (no path, no trailing slash): every request goes to this host. */
  url: string
  /** The API credential's client id (not a secret). */
  clientId: string
  /** The API credential's client secret (masked and scrubbed from the start of the run). */
  clientSecret: string
  /** The GitHub app's numeric id in OneLogin. */
  appId: string
  lookbackHours: number
}
