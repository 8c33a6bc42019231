/**
 * One IdP provider: everything the rest of the action knows about it. A provider is one folder
 * (`src/idp/<id>/`) whose `provider.ts` exports one `IdpProviderDef`, listed in `src/idp/providers.ts`.
 * Nothing outside that folder switches on a provider's name: the inputs, the CLI flags, the fixes in the
 * catalogue, the summary's IdP section and the check itself all come from here.
 *
 * A provider's `check` asks its IdP (read only: GETs, its own token request, and where the vendor offers no
 * GET a documented read-only event query), judges the answers with a pure function, and returns an
 * `IdpReport`. It never throws for the IdP's or the network's faults: those are a `check-failed` finding.
 * `provider.ts` stays light (no HTTP stack): `check` loads the provider's `index.ts` when it is called.
 */
import type { InputProblem } from '../input-fields.js'
import type { IdpContext, IdpDetails, IdpReport } from './types.js'

export type ReadInput = (name: string) => string

/** One input of a provider, as action.yml declares it (`<provider>-<what>`). */
export interface IdpInputSpec {
  name: string
  /**
   * A secret: masked and scrubbed from the start of the run. The CLI never takes it as a flag: it reads it
   * from `env` or from `--<name>-file`.
   */
  secret?: { env: string }
  /** action.yml's default; a value equal to it counts as not given. */
  default?: string
  /** The CLI's help line: the flag's value placeholder (e.g. `URL`, `GUID`) and what it is. */
  cli: { value: string; help: string }
}

/** The provider's own words in the catalogue's fixes (the cause says what; this says where to click). */
export interface IdpSteps {
  /** idp-credentials-rejected: how to give the IdP a working credential again. */
  credentialsRejected: string
  /** idp-provisioning-errors: where the per-user failures are listed and fixed. */
  provisioningErrors: string
  /** idp-provisioning-off: how to turn provisioning on. */
  provisioningOff: string
}

/** What the summary and the CLI show of a provider's `details` (already safe text). */
export interface IdpDetailView {
  /** Extra `[label, value]` rows of the IdP table. */
  rows: Array<[string, string]>
  /** One table of items (Entra's jobs, PingOne's store), or null; `what` names them (`jobs`). */
  table: { columns: string[]; rows: string[][]; what: string } | null
  /** The same items as the CLI's lines (`job 1a2b: Active; last run …`). */
  lines: string[]
}

/** How the CLI says an input problem of this provider (secrets named by where they come from). */
export interface CliProblemContext {
  /** `--okta-api-token-file (or OKTA_API_TOKEN)`, or where the secret came from; `--name` for a flag. */
  label(input: string): string
  /** True when the CLI was given this secret input (file or environment) or flag. */
  given(input: string): boolean
}

/**
 * What an IdP's GitHub app holds to provision: an OAuth grant of the service account (`oauth-grant`: the
 * checked classic PAT only stands in for it, so its expiry or rotation changes nothing in the IdP), or the
 * checked token itself (`checked-token`: a PAT pasted into the app, as every EMU app takes).
 */
export type GitHubCredential = 'oauth-grant' | 'checked-token'

export interface IdpProviderDef<C = unknown> {
  /** The `idp` input's value, and the inputs' prefix: `okta`, `entra`, `onelogin`, … */
  id: string
  /** As a heading: `Okta`, `Microsoft Entra ID`. */
  name: string
  /** In a sentence: `Okta`, `Entra`. */
  short: string
  /** Every input of this provider but the shared `idp-lookback-hours`, in action.yml's order. */
  inputs: readonly IdpInputSpec[]
  /** Reads `idp-lookback-hours` (events over a look-back); else that input is ignored. */
  usesLookback: boolean
  /** Validates this provider's inputs once; every problem names its input. Null when there is one. */
  parse(read: ReadInput, env: NodeJS.ProcessEnv, problems: InputProblem[]): C | null
  /** The app checked, as `report.idp.app` shows it (for a report the check could not make). */
  app(config: C): string
  /** `Okta at https://acme.okta.com`: where the CLI's progress line says it asks. */
  where(config: C): string
  /** Asks the IdP; never throws for the IdP's or the network's faults. */
  check(config: C, ctx: IdpContext): Promise<IdpReport>
  steps: IdpSteps
  /**
   * What this provider's GitHub app holds, for an organization and for an EMU enterprise, where it is known:
   * the `idp-credential` input's `auto` reads it. A side left unset is unknown, and the advice covers both.
   */
  githubCredential?: { org?: GitHubCredential; enterprise?: GitHubCredential }
  /** The summary's and the CLI's view of `details`. */
  view(details: IdpDetails): IdpDetailView
  /** The CLI's own words for one of this provider's input problems, or null for the generic rewording. */
  cliProblem?(problem: InputProblem, ctx: CliProblemContext): string | null
}

/** Declares a provider (types its config once; the registry holds them as `IdpProviderDef<unknown>`). */
export function defineProvider<C>(def: IdpProviderDef<C>): IdpProviderDef<unknown> {
  return def as unknown as IdpProviderDef<unknown>
}
