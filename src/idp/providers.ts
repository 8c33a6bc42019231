/**
 * The registry: every IdP the `idp` input can name, in the order docs and messages list them. Adding a
 * provider is its folder (`src/idp/<id>/`, with `provider.ts`), one line here, its inputs in action.yml,
 * its loopback fake (`simulator/<id>-fake.mjs`) and its tests (CONTRIBUTING.md, "Adding an IdP").
 */
import { entra } from './entra/provider.js'
import { pingone } from './pingone/provider.js'
import { jumpcloud } from './jumpcloud/provider.js'
import { okta } from './okta/provider.js'
import { onelogin } from './onelogin/provider.js'
import type { IdpInputSpec, IdpProviderDef } from './provider.js'

export const PROVIDERS: readonly IdpProviderDef[] = [okta, entra, onelogin, pingone, jumpcloud]

export const PROVIDER_IDS: readonly string[] = PROVIDERS.map(p => p.id)

export function providerById(id: string): IdpProviderDef | undefined {
  return PROVIDERS.find(p => p.id === id)
}

/** Every provider's inputs (the shared `idp-lookback-hours` aside). */
export const PROVIDER_INPUTS: readonly IdpInputSpec[] = PROVIDERS.flatMap(p => p.inputs)

/** Inputs that hold secrets: masked and scrubbed like the token from the start of the run. */
export const IDP_SECRET_INPUTS: readonly string[] = PROVIDER_INPUTS.filter(i => i.secret).map(i => i.name)
