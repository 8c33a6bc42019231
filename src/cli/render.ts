/**
 * The CLI's human output: one pure function from a verdict to text. The same
 * facts as the action's job summary (report.ts), laid out for a terminal.
 */
import type { Severity } from '../causes.js'
import type { Status, Verdict } from '../diagnose/index.js'
import { safeVerdict } from '../report/safe.js'
import { expiryText, idpRows, idpView, platformText, roleText, scopesText, ssoAuthorizationText, statusText } from '../report/summary.js'
import { neutraliseCommands, scrubberFor } from '../sanitize.js'
import { KIND_LABEL } from '../token.js'

export interface RenderOptions {
  /** ANSI colors (the caller decides: a TTY, NO_COLOR, FORCE_COLOR). */
  color: boolean
  /** Every secret of the run; each is scrubbed from the text, as are token shapes. */
  secrets?: readonly string[]
}

const ANSI = {
  reset: '\x1b[0m',
  bold: '\x1b[1m',
  dim: '\x1b[2m',
  red: '\x1b[31m',
  green: '\x1b[32m',
  yellow: '\x1b[33m',
  blue: '\x1b[34m',
  magenta: '\x1b[35m',
  cyan: '\x1b[36m'
} as const

type Style = Exclude<keyof typeof ANSI, 'reset'>

const STATUS_STYLE: Record<Status, { icon: string; color: Style }> = {
  healthy: { icon: '✓', color: 'green' },
  warning: { icon: '!', color: 'yellow' },
  failing: { icon: '✗', color: 'red' },
  inconclusive: { icon: '?', color: 'magenta' }
}

export const SEVERITY_ICON: Record<Severity, string> = {
  error: '✗',
  inconclusive: '?',
  warning: '!',
  notice: 'i'
}

const SEVERITY_COLOR: Record<Severity, Style> = {
  error: 'red',
  inconclusive: 'magenta',
  warning: 'yellow',
  notice: 'cyan'
}

/**
 * The verdict for a terminal (or a workflow log: the CLI may run in a step).
 * Every text is first made safe as in the action (report.ts, safeVerdict):
 * scrubbed of `options.secrets` and token shapes, one printable line (no
 * escape sequence from an answer can move the cursor, recolor or retitle the
 * terminal), bounded; and no line of the result starts a workflow command.
 */
export function renderText(unsafe: Verdict, options: RenderOptions): string {
  const scrub = scrubberFor(...(options.secrets ?? []))
  const verdict = safeVerdict(unsafe, scrub)
  const paint = (text: string, ...styles: Style[]): string =>
    options.color && styles.length > 0 ? `${styles.map(s => ANSI[s]).join('')}${text}${ANSI.reset}` : text
  const lines: string[] = []
  const row = (label: string, value: string): void => {
    lines.push(`  ${paint(label.padEnd(15), 'dim')}${value}`)
  }

  const st = STATUS_STYLE[verdict.status]
  lines.push(`${paint(`${st.icon} ${verdict.status.toUpperCase()}`, 'bold', st.color)}: ${statusText(verdict)}`)
  row('Token owner', verdict.login ?? '—')
  row('Token kind', KIND_LABEL[verdict.tokenKind])
  row('Scopes', scopesText(verdict))
  if (verdict.missingScopes.length > 0) row('Missing scopes', verdict.missingScopes.join(', '))
  row('Expires', expiryText(verdict))
  if (verdict.platform !== 'dotcom') row('Platform', platformText(verdict.platform))

  lines.push('')
  if (verdict.causes.length === 0) {
    lines.push(paint('No problems found.', 'green'))
  }
  for (const c of verdict.causes) {
    const color = SEVERITY_COLOR[c.severity]
    lines.push(`${paint(SEVERITY_ICON[c.severity], 'bold', color)} ${paint(`[${c.id}]`, color)} ${c.message}`)
    lines.push(`    ${paint('Fix:', 'bold')} ${c.remediation}`)
  }

  if (verdict.orgs.length > 0) {
    lines.push('', paint('Organizations', 'bold'))
    for (const o of verdict.orgs) {
      lines.push(
        `  ${o.org}: role ${roleText(o)}; SAML identity ${o.samlIdentity}; SSO authorization ${ssoAuthorizationText(o)}; SCIM ${o.scim}`
      )
    }
  }
  if (verdict.enterprise) {
    lines.push('', `${paint('Enterprise', 'bold')} ${verdict.enterprise.slug}: SCIM ${verdict.enterprise.scim}`)
  }
  if (verdict.idp) {
    lines.push('', paint(`Identity provider (${verdict.idp.provider})`, 'bold'))
    for (const [k, v] of idpRows(verdict.idp)) lines.push(`  ${paint(k.padEnd(15), 'dim')}${v}`)
    for (const line of idpView(verdict.idp).lines) lines.push(`  ${line}`)
  }
  if (verdict.notes.length > 0) {
    lines.push('', paint('Notes', 'bold'))
    for (const n of verdict.notes) lines.push(`  - ${n}`)
  }
  return neutraliseCommands(scrub(`${lines.join('\n')}\n`))
}
