/**
 * The CLI's human output: one pure function from a verdict to text. The same
 * facts as the action's job summary (report.ts), laid out for a terminal.
 */
import type { Severity } from './causes.js'
import type { Status, Verdict } from './diagnose.js'
import { expiryText, platformText, roleText, scopesText, ssoAuthorizationText, STATUS_TEXT } from './report.js'
import { KIND_LABEL } from './token.js'

export interface RenderOptions {
  /** ANSI colors (the caller decides: a TTY, NO_COLOR, FORCE_COLOR). */
  color: boolean
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
 * Text from GitHub's answers (error messages quoted in causes) reaches the
 * terminal: control characters are dropped so that no answer can move the
 * cursor, recolor or retitle it. Line breaks become spaces.
 */
export function plain(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\r\n\t]+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
}

export function renderText(verdict: Verdict, options: RenderOptions): string {
  const paint = (text: string, ...styles: Style[]): string =>
    options.color && styles.length > 0 ? `${styles.map(s => ANSI[s]).join('')}${text}${ANSI.reset}` : text
  const lines: string[] = []
  const row = (label: string, value: string): void => {
    lines.push(`  ${paint(label.padEnd(15), 'dim')}${plain(value)}`)
  }

  const st = STATUS_STYLE[verdict.status]
  lines.push(`${paint(`${st.icon} ${verdict.status.toUpperCase()}`, 'bold', st.color)}: ${STATUS_TEXT[verdict.status]}`)
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
    lines.push(`${paint(SEVERITY_ICON[c.severity], 'bold', color)} ${paint(`[${c.id}]`, color)} ${plain(c.message)}`)
    lines.push(`    ${paint('Fix:', 'bold')} ${plain(c.remediation)}`)
  }

  if (verdict.orgs.length > 0) {
    lines.push('', paint('Organizations', 'bold'))
    for (const o of verdict.orgs) {
      lines.push(
        `  ${plain(o.org)}: role ${plain(roleText(o))}; SAML identity ${plain(o.samlIdentity)}; SSO authorization ${plain(ssoAuthorizationText(o))}; SCIM ${plain(o.scim)}`
      )
    }
  }
  if (verdict.enterprise) {
    lines.push('', `${paint('Enterprise', 'bold')} ${plain(verdict.enterprise.slug)}: SCIM ${plain(verdict.enterprise.scim)}`)
  }
  if (verdict.notes.length > 0) {
    lines.push('', paint('Notes', 'bold'))
    for (const n of verdict.notes) lines.push(`  - ${plain(n)}`)
  }
  return `${lines.join('\n')}\n`
}
