/**
 * The provider interface's promise, checked: a provider is one folder, one registry line, its inputs in
 * action.yml, its fake and its tests. Nothing else in src/ names a provider; the registry, action.yml, the
 * masking, the CLI and the docs agree on every provider's inputs.
 */
import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { SECRET_INPUTS } from '../src/action/run.js'
import { parseCliArgs, USAGE, VALUE_FLAGS } from '../src/cli/args.js'
import { LOOKBACK_INPUT } from '../src/idp/common-inputs.js'
import { IDP_DEFAULTS, parseIdpInputs } from '../src/idp/inputs.js'
import { IDP_SECRET_INPUTS, PROVIDER_IDS, PROVIDERS, providerById } from '../src/idp/providers.js'
import type { InputProblem } from '../src/input-fields.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const SRC = join(ROOT, 'src')
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>
}
const ACTION_INPUTS = Object.keys(action.inputs)

/** Entra's Graph URL kept its first name (`graph-url`); every other input carries its provider's prefix. */
const UNPREFIXED: Readonly<Record<string, string>> = { 'graph-url': 'entra' }

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return path.endsWith('.ts') ? [path] : []
  })
}

describe('the registry', () => {
  it('lists each provider once, by an id that is a lower-case word', () => {
    expect(new Set(PROVIDER_IDS).size).toBe(PROVIDER_IDS.length)
    for (const id of PROVIDER_IDS) expect(id).toMatch(/^[a-z][a-z0-9]*$/)
    expect(PROVIDER_IDS.slice(0, 2)).toEqual(['okta', 'entra'])
  })

  it.each(PROVIDERS.map(p => [p.id, p] as const))('%s: one folder with its definition and its check, a fake, docs', id => {
    expect(existsSync(join(SRC, 'idp', id, 'provider.ts'))).toBe(true)
    expect(existsSync(join(SRC, 'idp', id, 'index.ts'))).toBe(true)
    expect(existsSync(join(ROOT, 'simulator', `${id}-fake.mjs`))).toBe(true)
    // What its GitHub app holds (an OAuth grant or the checked token), for the advice: at least one side known.
    const held = providerById(id)?.githubCredential
    expect(held?.org ?? held?.enterprise).toMatch(/^(oauth-grant|checked-token)$/)
    const docs = [join(ROOT, 'docs', 'idp.md'), join(ROOT, 'docs', `idp-${id}.md`)].filter(existsSync)
    expect(docs.some(d => readFileSync(d, 'utf8').includes(`idp: ${id}`))).toBe(true)
  })

  it('no source file outside a provider folder and the registry names a provider', () => {
    const named: string[] = []
    const quoted = new RegExp(`['"\`](${PROVIDER_IDS.join('|')})['"\`]`)
    for (const file of sourceFiles(SRC)) {
      const rel = relative(SRC, file).split('\\').join('/')
      if (PROVIDER_IDS.some(id => rel.startsWith(`idp/${id}/`)) || rel === 'idp/providers.ts') continue
      const code = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '')
      for (const [i, line] of code.split('\n').entries()) if (quoted.test(line)) named.push(`${rel}:${i + 1}: ${line.trim()}`)
    }
    expect(named).toEqual([])
  })
})

describe('action.yml and the registry agree', () => {
  it.each(PROVIDERS.map(p => [p.id, p] as const))('%s: every input is declared, prefixed, with the same default', (id, p) => {
    for (const input of p.inputs) {
      expect(ACTION_INPUTS).toContain(input.name)
      if (UNPREFIXED[input.name] !== id) expect(input.name.startsWith(`${id}-`)).toBe(true)
      expect(action.inputs[input.name]?.default ?? '').toBe(input.default ?? '')
      expect(action.inputs[input.name]?.required ?? false).toBe(false)
    }
    expect(action.inputs.idp?.description).toContain(`\`${id}\``)
  })

  it('every prefixed input in action.yml belongs to its provider', () => {
    const owned = new Set(PROVIDERS.flatMap(p => p.inputs.map(i => i.name)))
    const prefixed = ACTION_INPUTS.filter(name => PROVIDER_IDS.some(id => name.startsWith(`${id}-`)) || name in UNPREFIXED)
    expect(prefixed.filter(n => !owned.has(n))).toEqual([])
    expect(IDP_DEFAULTS[LOOKBACK_INPUT]).toBe(action.inputs[LOOKBACK_INPUT]?.default)
  })

  it('every secret is masked from the start of the run, says so in action.yml, and has its own variable', () => {
    const secrets = PROVIDERS.flatMap(p => p.inputs.filter(i => i.secret))
    expect(secrets.length).toBeGreaterThan(0)
    for (const s of secrets) {
      expect(SECRET_INPUTS).toContain(s.name)
      expect(action.inputs[s.name]?.description).toMatch(/masked/i)
      expect(s.secret?.env).toMatch(/^[A-Z][A-Z0-9_]+$/)
    }
    expect(new Set(secrets.map(s => s.secret?.env)).size).toBe(secrets.length)
    expect([...IDP_SECRET_INPUTS].sort()).toEqual(secrets.map(s => s.name).sort())
  })
})

describe('the CLI takes every provider input', () => {
  it.each(PROVIDERS.map(p => [p.id, p] as const))('%s: its inputs are flags, its secrets are refused by name', (_id, p) => {
    for (const input of p.inputs) {
      if (input.secret) {
        const refused = parseCliArgs(['--org', 'acme', `--${input.name}`, 'x'])
        expect(refused.ok).toBe(false)
        if (!refused.ok) expect(refused.error).toContain(input.secret.env)
        expect(USAGE).toMatch(new RegExp(`^ +--${input.name}-file `, 'm'))
      } else {
        expect(VALUE_FLAGS).toContain(input.name)
        expect(USAGE).toMatch(new RegExp(`^ +--${input.name} `, 'm'))
      }
    }
    expect(USAGE).toContain(p.id)
  })
})

describe("each provider's inputs, validated once", () => {
  const reader =
    (values: Record<string, string>) =>
    (name: string): string =>
      values[name] ?? ''

  it.each(PROVIDERS.map(p => [p.id] as const))('%s alone: every problem names one of its inputs, nothing else is parsed', id => {
    const problems: InputProblem[] = []
    const config = parseIdpInputs(reader({ idp: id }), {}, problems, { count: 1 })
    expect(config).toBeNull()
    expect(problems.length).toBeGreaterThan(0)
    const own = new Set(providerById(id)?.inputs.map(i => i.name))
    for (const p of problems) {
      expect(p.id).toBe('input-invalid')
      expect(own.has(p.input)).toBe(true)
      expect(p.message).toContain(`"${p.input}"`)
    }
  })

  it.each(PROVIDERS.map(p => [p.id] as const))("%s: another provider's input is named as stray", id => {
    const other = PROVIDERS.find(p => p.id !== id)
    const foreign = other?.inputs.find(i => i.default === undefined)
    if (!other || !foreign) throw new Error('needs two providers')
    const problems: InputProblem[] = []
    parseIdpInputs(reader({ idp: id, [foreign.name]: 'x' }), {}, problems, { count: 1 })
    expect(problems.find(p => p.input === foreign.name)?.message).toContain(`belongs to idp: ${other.id}, not idp: ${id}`)
  })

  it('an unknown idp names every provider', () => {
    const problems: InputProblem[] = []
    parseIdpInputs(reader({ idp: 'ping' }), {}, problems, { count: 1 })
    expect(problems).toHaveLength(1)
    for (const id of PROVIDER_IDS) expect(problems[0]?.message).toContain(`"${id}"`)
  })
})
