/**
 * What docs/causes.md says of each cause's severity is the catalogue's own rule (issue 18): the default
 * severity, and the one other severity the diagnosis may give (`otherwise`, with when). makeCause refuses a
 * severity the catalogue does not declare, so the docs cannot fall behind the code.
 */
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CATALOGUE, CAUSE_IDS, makeCause, type CauseDefinition, type CauseId, type Severity } from '../src/causes.js'
import { diagnose } from '../src/diagnose/index.js'
import { facts, inputs, NOW, user } from './support/facts.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const causesMd = readFileSync(join(root, 'docs', 'causes.md'), 'utf8')
const CTX = { webUrl: 'https://github.com' }

/** The line under a cause's heading: `**Title** (severity: …)`. */
function severityLine(id: CauseId): string {
  const m = new RegExp(`^### ${id}\\n\\n(\\*\\*.+\\*\\* \\(.+\\))$`, 'm').exec(causesMd)
  if (!m?.[1]) throw new Error(`no section for ${id}`)
  return m[1]
}

describe('docs/causes.md states each severity from the catalogue', () => {
  it.each(CAUSE_IDS)('%s', id => {
    const def: CauseDefinition = CATALOGUE[id]
    const line = severityLine(id)
    expect(line).toMatch(new RegExp(`\\(${def.severity}: `))
    if (def.otherwise) expect(line).toContain(`; ${def.otherwise.severity} ${def.otherwise.when}: `)
    else expect(line).not.toMatch(/; (error|warning|notice|inconclusive) /)
  })
  it('token-expiring: a warning, an error within fail-days (which fails the step)', () => {
    expect(severityLine('token-expiring')).toBe(
      '**Token expires soon** (warning: fails the step only with `fail-on: warning`; error within `fail-days`: fails the step)'
    )
  })
  it('idp-credentials-rejected: an error, or a notice where GitHub explains it', () => {
    expect(severityLine('idp-credentials-rejected')).toMatch(/\(error: fails the step; notice where a GitHub error explains it/)
  })
})

describe('makeCause takes only the severities the catalogue declares', () => {
  const declared = (id: CauseId): Severity[] => {
    const def: CauseDefinition = CATALOGUE[id]
    return [def.severity, ...(def.otherwise ? [def.otherwise.severity] : [])]
  }
  it.each(CAUSE_IDS.flatMap(id => (['error', 'inconclusive', 'warning', 'notice'] as const).map(s => [id, s] as const)))(
    '%s as %s',
    (id, severity) => {
      const make = () => makeCause({ id, severity, message: 'm' }, CTX)
      if (declared(id).includes(severity)) expect(make().severity).toBe(severity)
      else expect(make).toThrow(/catalogue/)
    }
  )
  it('the diagnosis gives token-expiring both of its declared severities', () => {
    const at = (date: string) =>
      diagnose(facts({ user: user({ 'github-authentication-token-expiration': date }) }), inputs(), NOW).causes.find(
        c => c.id === 'token-expiring'
      )?.severity
    expect(at('2026-12-01 12:00:00 UTC')).toBe('error')
    expect(at('2026-12-20 12:00:00 UTC')).toBe('warning')
  })
})
