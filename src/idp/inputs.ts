/**
 * The IdP side's inputs (docs/idp.md), validated once: every problem names its input, and nothing is sent
 * while there is one. What is common lives here (`idp`, stray inputs, one target); each provider's own inputs
 * are its `parse` (src/idp/<id>/provider.ts).
 */
import { describe, type InputProblem } from '../input-fields.js'
import { LOOKBACK_DEFAULT, LOOKBACK_INPUT, problem } from './common-inputs.js'
import type { ReadInput } from './provider.js'
import { IDP_SECRET_INPUTS, PROVIDERS, PROVIDER_IDS, providerById } from './providers.js'

export type { ReadInput } from './provider.js'
export { IDP_SECRET_INPUTS }

/** The chosen provider and its validated configuration (its own shape: the provider's `parse` result). */
export interface IdpConfig {
  provider: string
  config: unknown
}

/** action.yml's defaults of the IdP inputs: a value equal to its default counts as not given. */
export const IDP_DEFAULTS: Readonly<Record<string, string>> = Object.fromEntries([
  ...PROVIDERS.flatMap(p => p.inputs.filter(i => i.default !== undefined).map(i => [i.name, i.default ?? ''])),
  [LOOKBACK_INPUT, LOOKBACK_DEFAULT]
])

export interface IdpTarget {
  /** How many orgs and enterprises the run checks: with `idp`, exactly one (one IdP app provisions one of them). */
  count: number
}

function given(read: ReadInput, name: string): string {
  const value = read(name).trim()
  return value === IDP_DEFAULTS[name] ? '' : value
}

/** Inputs of another provider (or of any provider without `idp`) are mistakes: each is named. */
function strayInputs(read: ReadInput, names: readonly string[], problems: InputProblem[], why: (name: string) => string): void {
  for (const name of names) if (given(read, name) !== '') problem(problems, name, why(name))
}

const owner = (name: string): string => PROVIDERS.find(p => p.inputs.some(i => i.name === name))?.id ?? 'an IdP'
/** `a`, `b` or `c`. */
export function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1) ?? ''}`
}
const choices = (): string => orList(PROVIDER_IDS.map(id => `\`idp: ${id}\``))

/** The IdP side's configuration, or null without `idp` (or with a problem, which `problems` then names). */
export function parseIdpInputs(read: ReadInput, env: NodeJS.ProcessEnv, problems: InputProblem[], target: IdpTarget): IdpConfig | null {
  const idp = read('idp').trim().toLowerCase()
  if (idp === '') {
    strayInputs(
      read,
      [...PROVIDERS.flatMap(p => p.inputs.map(i => i.name)), LOOKBACK_INPUT],
      problems,
      () => `is an IdP input: set ${choices()} to use it, or remove it.`
    )
    return null
  }
  const provider = providerById(idp)
  if (provider === undefined) {
    problem(
      problems,
      'idp',
      `must be ${orList(PROVIDER_IDS.map(id => `"${id}"`))} (or empty: GitHub's side only); got ${describe(read('idp').trim())}.`
    )
    return null
  }
  if (target.count !== 1) {
    problem(
      problems,
      'idp',
      `checks one IdP app, and one app provisions one organization or one enterprise: with idp, give exactly one org or one enterprise (${target.count} are given). Use a job matrix for several.`
    )
  }
  const own = new Set(provider.inputs.map(i => i.name))
  strayInputs(
    read,
    PROVIDERS.flatMap(p => p.inputs.map(i => i.name)).filter(n => !own.has(n)),
    problems,
    name => `belongs to idp: ${owner(name)}, not idp: ${provider.id}.`
  )
  const config = provider.parse(read, env, problems)
  return config !== null && target.count === 1 ? { provider: provider.id, config } : null
}
