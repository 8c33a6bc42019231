/**
 * report: turns a verdict into annotations (one per cause), the outputs of the
 * contract, the job summary, and the step's exit status.
 */
import type * as coreModule from '@actions/core'
import { SEVERITY_ORDER, type Cause } from './causes.js'
import type { OrgSummary, Verdict } from './diagnose.js'
import type { FailOn, InconclusivePolicy } from './inputs.js'
import { KIND_LABEL } from './token.js'

type Core = Pick<
  typeof coreModule,
  'error' | 'warning' | 'notice' | 'setOutput' | 'setFailed' | 'summary' | 'info'
>

/** Where the README's section per cause lives: the action's own repository when run as an action. */
export function docsBase(env: NodeJS.ProcessEnv): string | null {
  const repo = env.GITHUB_ACTION_REPOSITORY
  const server = env.GITHUB_SERVER_URL || 'https://github.com'
  return repo && /^[\w.-]+\/[\w.-]+$/.test(repo) ? `${server}/${repo}#` : null
}

export interface Policy {
  failOn: FailOn
  inconclusive: InconclusivePolicy
}

/** Whether the step fails (PRODUCT.md: fail-on / inconclusive). */
export function shouldFail(verdict: Pick<Verdict, 'causes'>, policy: Policy): boolean {
  if (policy.failOn === 'never') return false
  const has = (s: Cause['severity']): boolean => verdict.causes.some(c => c.severity === s)
  if (has('error')) return true
  if (policy.failOn === 'warning' && has('warning')) return true
  return has('inconclusive') && policy.inconclusive === 'fail'
}

/** Whether the run fails: by the policy, or always when there is none (inputs whose fail-on did not parse, internal errors). */
export function runFails(verdict: Pick<Verdict, 'causes'>, policy: Policy | null): boolean {
  return policy === null ? true : shouldFail(verdict, policy)
}

export function reportJson(verdict: Verdict): string {
  return JSON.stringify({
    status: verdict.status,
    login: verdict.login,
    tokenKind: verdict.tokenKind,
    scopes: verdict.scopes ?? [],
    expiresAt: verdict.expiresAt,
    daysUntilExpiry: verdict.daysUntilExpiry,
    ssoAuthorizationUrl: verdict.ssoAuthorizationUrl,
    causes: verdict.causes.map(c => ({
      id: c.id,
      severity: c.severity,
      org: c.org,
      enterprise: c.enterprise,
      title: c.title,
      message: c.message,
      remediation: c.remediation,
      ...(c.url ? { url: c.url } : {})
    })),
    orgs: verdict.orgs,
    enterprise: verdict.enterprise,
    notes: verdict.notes
  })
}

/** One line per output list: comma-separated, no spaces. */
const list = (items: readonly string[]): string => items.join(',')

export function annotationText(c: Cause, docs: string | null = null): string {
  return `${c.message}\nFix: ${c.remediation}${docs ? `\nMore: ${docs}${c.id}` : ''}`
}

const ICON: Record<Cause['severity'], string> = {
  error: '❌',
  inconclusive: '❔',
  warning: '⚠️',
  notice: 'ℹ️'
}

/** What each status means, in words (the job summary and the CLI). */
export const STATUS_TEXT: Record<Verdict['status'], string> = {
  healthy: 'provisioning with this token should work',
  warning: 'provisioning works, but needs attention',
  failing: 'provisioning with this token fails',
  inconclusive: 'GitHub or the network did not let the check finish; this says nothing against the token'
}

const STATUS_ICON: Record<Verdict['status'], string> = {
  healthy: '✅',
  warning: '⚠️',
  failing: '❌',
  inconclusive: '❔'
}

const STATUS_LINE = (status: Verdict['status']): string => `${STATUS_ICON[status]} ${status}: ${STATUS_TEXT[status]}`

function escapeCell(s: string): string {
  return s.replace(/[<>&]/g, ch => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[ch] ?? ch).replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

/** The token's expiry, in words: a date with the days left, never, or unknown (—). */
export function expiryText(verdict: Pick<Verdict, 'expiresAt' | 'daysUntilExpiry' | 'login'>): string {
  return verdict.expiresAt === null ? (verdict.login ? 'never (no expiry reported)' : '—') : `${verdict.expiresAt} (${verdict.daysUntilExpiry} days)`
}

/** The token's scopes: — when GitHub sent none (fine-grained and App tokens), `none` for a scope-less token. */
export function scopesText(verdict: Pick<Verdict, 'scopes'>): string {
  return verdict.scopes === null ? '—' : verdict.scopes.length === 0 ? 'none' : verdict.scopes.join(', ')
}

export function platformText(platform: Verdict['platform']): string {
  return platform === 'ghes' ? 'GitHub Enterprise Server' : platform === 'ghe.com' ? 'GHE.com' : 'GitHub.com'
}

/** An org's SSO authorization record, in words. */
export function ssoAuthorizationText(o: Pick<OrgSummary, 'ssoAuthorization'>): string {
  return o.ssoAuthorization
    ? `authorized ${o.ssoAuthorization.authorizedAt ?? '?'}${o.ssoAuthorization.expiresAt ? `, expires ${o.ssoAuthorization.expiresAt}` : ''}${o.ssoAuthorization.accessedAt ? `, last used ${o.ssoAuthorization.accessedAt}` : ''}`
    : 'no record seen'
}

/** The account's role in an org, with a pending invitation marked. */
export function roleText(o: Pick<OrgSummary, 'role' | 'state'>): string {
  return o.state === 'pending' ? `${o.role} (pending)` : o.role
}

export function summaryMarkdown(verdict: Verdict): string {
  const lines: string[] = []
  lines.push('## Provisioning token check', '')
  lines.push(`**Status:** ${STATUS_LINE(verdict.status)}`, '')
  lines.push('| | |', '|---|---|')
  lines.push(`| Token owner | ${verdict.login ? escapeCell(verdict.login) : '—'} |`)
  lines.push(`| Token kind | ${escapeCell(KIND_LABEL[verdict.tokenKind])} |`)
  lines.push(`| Scopes | ${escapeCell(scopesText(verdict))} |`)
  if (verdict.missingScopes.length > 0) lines.push(`| Missing scopes | ${escapeCell(verdict.missingScopes.join(', '))} |`)
  lines.push(`| Expires | ${expiryText(verdict)} |`)
  if (verdict.platform !== 'dotcom') lines.push(`| Platform | ${platformText(verdict.platform)} |`)
  lines.push('')
  if (verdict.causes.length > 0) {
    lines.push('### Causes', '', '| | Cause | Where | What happened | Fix |', '|---|---|---|---|---|')
    for (const c of verdict.causes) {
      lines.push(
        `| ${ICON[c.severity]} | **${escapeCell(c.title)}** \`${c.id}\` | ${escapeCell(c.org ?? c.enterprise ?? 'token')} | ${escapeCell(c.message)} | ${escapeCell(c.remediation)} |`
      )
    }
    lines.push('')
  }
  if (verdict.orgs.length > 0) {
    lines.push('### Organizations', '', '| Organization | Role | Linked SAML identity | SSO authorization | SCIM |', '|---|---|---|---|---|')
    for (const o of verdict.orgs) {
      lines.push(`| ${escapeCell(o.org)} | ${escapeCell(roleText(o))} | ${escapeCell(o.samlIdentity)} | ${escapeCell(ssoAuthorizationText(o))} | ${escapeCell(o.scim)} |`)
    }
    lines.push('')
  }
  if (verdict.enterprise) {
    lines.push(`**Enterprise ${escapeCell(verdict.enterprise.slug)}:** SCIM ${escapeCell(verdict.enterprise.scim)}`, '')
  }
  if (verdict.notes.length > 0) {
    lines.push('### Not checked', '')
    for (const n of verdict.notes) lines.push(`- ${escapeCell(n)}`)
    lines.push('')
  }
  return lines.join('\n')
}

export async function publish(core: Core, verdict: Verdict, policy: Policy | null, docs: string | null = null): Promise<void> {
  const failing = runFails(verdict, policy)
  const failsBecauseInconclusive =
    failing && !verdict.causes.some(c => c.severity === 'error' || (policy?.failOn === 'warning' && c.severity === 'warning'))

  for (const c of verdict.causes) {
    const props = { title: `${c.title} [${c.id}]` }
    const text = annotationText(c, docs)
    if (c.severity === 'error') core.error(text, props)
    else if (c.severity === 'inconclusive') (failsBecauseInconclusive ? core.error : core.warning)(text, props)
    else if (c.severity === 'warning') core.warning(text, props)
    else core.notice(text, props)
  }

  core.setOutput('status', verdict.status)
  core.setOutput(
    'causes',
    list(
      [...verdict.causes]
        .sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity))
        .map(c => c.id)
        .filter((id, i, a) => a.indexOf(id) === i)
    )
  )
  core.setOutput('login', verdict.login ?? '')
  core.setOutput('token-kind', verdict.tokenKind)
  core.setOutput('scopes', list(verdict.scopes ?? []))
  core.setOutput('missing-scopes', list(verdict.missingScopes))
  core.setOutput('expires-at', verdict.expiresAt ?? '')
  core.setOutput('days-until-expiry', verdict.daysUntilExpiry === null ? '' : String(verdict.daysUntilExpiry))
  core.setOutput('sso-authorization-url', verdict.ssoAuthorizationUrl ?? '')
  core.setOutput('report', reportJson(verdict))

  core.info(`provisioning-token-check: ${verdict.status}${verdict.login ? ` (token of ${verdict.login})` : ''}${verdict.causes.length ? `: ${verdict.causes.map(c => c.id).join(', ')}` : ''}`)

  if (process.env.GITHUB_STEP_SUMMARY) {
    try {
      await core.summary.addRaw(summaryMarkdown(verdict), true).write()
    } catch (e) {
      core.warning(`The job summary could not be written: ${(e as Error).message}`)
    }
  }

  if (failing) {
    const errors = verdict.causes.filter(c => c.severity === 'error').length
    core.setFailed(
      verdict.status === 'inconclusive' || errors === 0
        ? `Provisioning token check is ${verdict.status} (${verdict.causes.map(c => c.id).join(', ')}).`
        : `Provisioning token check failed with ${errors} error${errors === 1 ? '' : 's'}: ${verdict.causes.filter(c => c.severity === 'error').map(c => c.id).join(', ')}.`
    )
  }
}
