/**
 * The IdP side's flags, from the provider registry: every provider input is a flag of the same name, but its
 * secrets, which come only from the environment or from `--<input>-file`.
 */
import { LOOKBACK_INPUT } from '../idp/common-inputs.js'
import { IDP_SECRET_INPUTS, PROVIDERS, PROVIDER_IDS, providerById } from '../idp/providers.js'
import type { IdpProviderDef } from '../idp/provider.js'

/** The IdP inputs that are flags (not secrets), the shared look-back last. */
export const IDP_VALUE_FLAGS: readonly string[] = [
  'idp',
  ...PROVIDERS.flatMap(p => p.inputs.filter(i => !i.secret).map(i => i.name)),
  LOOKBACK_INPUT
]

/** Where each IdP secret comes from: its file flag (which wins), else its environment variable. */
export const SECRET_SOURCES: Readonly<Record<string, { fileFlag: string; env: string; provider: string }>> = Object.fromEntries(
  PROVIDERS.flatMap(p =>
    p.inputs.flatMap(i => (i.secret ? [[i.name, { fileFlag: `${i.name}-file`, env: i.secret.env, provider: p.id }] as const] : []))
  )
)

export const SECRET_FILE_FLAGS: readonly string[] = IDP_SECRET_INPUTS.map(i => `${i}-file`)

export function isSecretInput(name: string): boolean {
  return IDP_SECRET_INPUTS.includes(name)
}

/** `--okta-api-token`, `-okta-private-key=…`: a secret given as a flag (refused by name). */
export function secretFlagOf(arg: string): string | null {
  const m = /^--?([a-z][a-z0-9-]*)(=|$)/i.exec(arg)
  const name = (m?.[1] ?? '').toLowerCase()
  return isSecretInput(name) ? name : null
}

/** The provider --idp names, or undefined (also for a bad value, which the input check reports). */
export function chosenProvider(idp: string): IdpProviderDef | undefined {
  return providerById(idp.trim().toLowerCase())
}

const COLUMN = 27

function flagLine(flag: string, help: string): string {
  const head = `  ${flag}`
  const lines = help.split('\n')
  const first = head.length < COLUMN - 1 ? `${head.padEnd(COLUMN)}${lines[0] ?? ''}` : `${head}\n${' '.repeat(COLUMN)}${lines[0] ?? ''}`
  return [first, ...lines.slice(1).map(l => `${' '.repeat(COLUMN)}${l}`)].join('\n')
}

/** The help's IdP section. */
export function idpUsage(): string {
  const lines = [
    "IdP side (optional: the action's inputs of the same name; see docs/idp.md):",
    flagLine(
      '--idp PROVIDER',
      `${PROVIDER_IDS.join(' | ')}: also ask the IdP how its provisioning to GitHub goes\n(needs exactly one --org or one --enterprise)`
    )
  ]
  for (const p of PROVIDERS) {
    for (const i of p.inputs) {
      if (i.secret) lines.push(flagLine(`--${i.name}-file ${i.cli.value}`, `${i.cli.help}; else ${i.secret.env}`))
      else lines.push(flagLine(`--${i.name} ${i.cli.value}`, i.cli.help))
    }
  }
  const events = PROVIDERS.filter(p => p.usesLookback).map(p => p.short)
  lines.push(flagLine(`--${LOOKBACK_INPUT} N`, `how far back ${events.join(', ')} events are read, 1-2160 (default 720)`))
  const refused = IDP_SECRET_INPUTS.map(i => `--${i}`)
  const said = `IdP secrets come only from the environment or from a file (at most 64 KiB; a file wins over the environment): ${refused.slice(0, -1).join(', ')} and ${refused.at(-1) ?? ''} are refused, as --token is.`
  lines.push('', ...wrap(said, 78))
  return lines.join('\n')
}

/** Words into lines of at most `width` characters. */
export function wrap(text: string, width: number): string[] {
  const out: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  if (line !== '') out.push(line)
  return out
}

/** The environment variables of the IdP secrets, for the help's last paragraph. */
export function idpSecretEnvs(): string {
  return Object.values(SECRET_SOURCES)
    .map(s => s.env)
    .join(', ')
}
