/**
 * The job summary (GitHub-flavoured Markdown) and the texts it shares with
 * the CLI. Every server string is escaped as data: never a link, image or HTML.
 */
import type { IdpDetailView } from '../idp/provider.js'
import { providerById } from '../idp/providers.js'
import type { Cause } from '../causes.js'
import { trustedSsoUrl, type IdpVerdict, type OrgSummary, type Verdict } from '../diagnose/index.js'
import { markdownText, truncateBytes } from '../sanitize.js'
import { KIND_LABEL } from '../token.js'
import { safeVerdict, scrubOf, SUMMARY_MAX_BYTES, type OutputOptions } from './safe.js'

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

/** A cause of the IdP side (`idp-…`), rather than of GitHub's. */
const isIdpCause = (c: Pick<Cause, 'id'>): boolean => c.id.startsWith('idp-')

/**
 * What the status means for this verdict, naming the side that fails (the job summary and the CLI): GitHub's
 * (the checked token, its account, its organizations or enterprise), the IdP's own provisioning, or both.
 */
export function statusText(verdict: Pick<Verdict, 'status' | 'causes' | 'idp' | 'idpCredential'>): string {
  const idpName = verdict.idp ? (providerById(verdict.idp.provider)?.short ?? verdict.idp.provider) : 'the IdP'
  const errors = verdict.causes.filter(c => c.severity === 'error')
  if (verdict.status === 'failing') {
    const github = errors.filter(c => !isIdpCause(c))
    const idp = errors.length > github.length
    // input-invalid and token-malformed stop the run before any request.
    if (github.length > 0 && github.every(c => c.id === 'input-invalid' || c.id === 'token-malformed'))
      return 'the inputs must be corrected: nothing was checked'
    if (github.length === 0 && idp) return `${idpName}'s provisioning to GitHub fails; GitHub's side of the service account shows no error`
    const side =
      verdict.idpCredential === 'checked-token'
        ? 'provisioning with this token fails'
        : "GitHub's side fails: the checked token or the service account's access"
    return idp ? `${side}, and ${idpName}'s provisioning to GitHub fails too` : side
  }
  if (verdict.status === 'inconclusive') {
    const unjudged = verdict.causes.filter(c => c.severity === 'inconclusive')
    if (unjudged.every(isIdpCause))
      return `${idpName} could not be asked; GitHub's side shows no error, and this says nothing against the token`
  }
  return STATUS_TEXT[verdict.status]
}

/** A table cell or list item holding text: data, never markup (sanitize.ts, markdownText). */
function escapeCell(s: string): string {
  return markdownText(s)
}

// ── Links: only those we build, or verified to be on the GitHub web host of api-url ──

/** A link's target: an https URL with no credentials, its characters that Markdown or a table reads percent-encoded. */
export function linkTarget(url: string): string | null {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return null
  }
  if (u.protocol !== 'https:' || u.username !== '' || u.password !== '' || url.length > 1000) return null
  // What ends a destination or a table cell, or opens a code span: percent-encoded (the URL means the same).
  return u.href.replace(/[()<>|\\`\s"']/g, ch => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
}

/** A Markdown link whose text is shown as data (escaped as a cell is: a URL in it stays code, never a second link). */
function link(text: string, url: string): string | null {
  const href = linkTarget(url)
  return href === null ? null : `[${escapeCell(text)}](${href})`
}

/**
 * A text of ours (a fix) with each URL on the GitHub web host of api-url (built from it: the tokens page, an
 * org's SSO or invitation page) as a link; everything else escaped as data.
 */
function withWebLinks(text: string, webUrl: string | undefined): string {
  const host = webUrl ? linkTarget(webUrl) : null
  if (!webUrl || host === null) return escapeCell(text)
  const origin = new URL(webUrl).origin
  let out = ''
  let plain = ''
  for (const w of text.split(/(\s+)/)) {
    const [, lead = '', core = w, tail = ''] = /^([("']*)(.*?)([.,:;!?)"']*)$/.exec(w) ?? []
    const linked = core.startsWith(`${origin}/`) && trustedSsoUrl(core, webUrl).url !== null ? link(core, core) : null
    if (linked === null) {
      plain += w
      continue
    }
    out += `${escapeCell(plain + lead)}${linked}`
    plain = tail
  }
  return out + escapeCell(plain)
}

/** A cause's message, its SSO authorization URL a link when it is on the GitHub web host of api-url (valid about an hour). */
function messageCell(c: Cause, webUrl: string | undefined): string {
  const url = c.url && webUrl && trustedSsoUrl(c.url, webUrl).url === c.url ? c.url : null
  const linked = url === null ? null : link(url, url)
  if (url === null || linked === null) return escapeCell(c.message)
  const at = c.message.indexOf(url)
  if (at < 0) return `${escapeCell(c.message)} ${linked}`
  return `${escapeCell(c.message.slice(0, at))}${linked}${escapeCell(c.message.slice(at + url.length))}`
}

/** The cause id, linked to its section of docs/causes.md at the version run (`docs`: docsBase, ending in `#`). */
function causeIdCell(c: Cause, docs: string | null | undefined): string {
  if (!/^[a-z0-9-]+$/.test(c.id)) return escapeCell(c.id)
  const href = docs ? linkTarget(`${docs}${c.id}`) : null
  return href === null || !href.endsWith(`#${c.id}`) ? `\`${c.id}\`` : `[\`${c.id}\`](${href})`
}

export interface SummaryOptions {
  /** Base of the docs' section per cause (publish.ts, docsBase: `…/docs/causes.md#`), or null: no links to them. */
  docs?: string | null
}

/** The token's expiry, in words: a date with the days left, never, or unknown. */
export function expiryText(verdict: Pick<Verdict, 'expiresAt' | 'daysUntilExpiry' | 'expiry'>): string {
  // "never" only when GitHub answered without an expiry; without an answer (a 401, an outage) it is unknown.
  if (verdict.expiry === 'date' && verdict.expiresAt !== null) return `${verdict.expiresAt} (${verdict.daysUntilExpiry} days)`
  return verdict.expiry === 'never' ? 'never (no expiry reported)' : 'unknown (GitHub did not say)'
}

/** The token's scopes: — when GitHub sent none (fine-grained and App tokens), `none` for a scope-less token. */
export function scopesText(verdict: Pick<Verdict, 'scopes'>): string {
  return verdict.scopes === null ? '—' : verdict.scopes.length === 0 ? 'none' : verdict.scopes.join(', ')
}

export function platformText(platform: Verdict['platform']): string {
  return platform === 'ghes' ? 'GitHub Enterprise Server' : platform === 'ghe.com' ? 'GHE.com' : 'GitHub.com'
}

/** An org's SSO authorization record, in words. */
export function ssoAuthorizationText(o: Pick<OrgSummary, 'ssoAuthorization' | 'ssoAuthorizationNote'>): string {
  return o.ssoAuthorization
    ? `authorized ${o.ssoAuthorization.authorizedAt ?? '?'}${o.ssoAuthorization.expiresAt ? `, expires ${o.ssoAuthorization.expiresAt}` : ''}${o.ssoAuthorization.accessedAt ? `, last used ${o.ssoAuthorization.accessedAt}` : ''}`
    : (o.ssoAuthorizationNote ?? 'no record for this token')
}

/** The account's role in an org, with a pending invitation marked. */
export function roleText(o: Pick<OrgSummary, 'role' | 'state'>): string {
  return o.state === 'pending' ? `${o.role} (pending)` : o.role
}

/** Lines of Markdown within a byte budget: rows that no longer fit are counted, not written. */
class Lines {
  readonly lines: string[] = []
  private bytes = 0
  constructor(private readonly budget: number) {}

  /** Structure (headings, table heads, markers): always written. */
  push(...ls: string[]): void {
    for (const l of ls) {
      this.lines.push(l)
      this.bytes += Buffer.byteLength(l, 'utf8') + 1
    }
  }

  /** A row of data: written only while it fits. */
  row(l: string): boolean {
    const n = Buffer.byteLength(l, 'utf8') + 1
    if (this.bytes + n > this.budget) return false
    this.lines.push(l)
    this.bytes += n
    return true
  }
}

/** Room kept for headings and the "not shown" markers after the budget for rows runs out. */
const SUMMARY_RESERVE_BYTES = 8 * 1024

function rows<T>(out: Lines, items: readonly T[], render: (item: T) => string, what: string): void {
  let shown = 0
  for (const item of items) {
    if (!out.row(render(item))) break
    shown++
  }
  if (shown < items.length) {
    out.push(
      '',
      `_… ${items.length - shown} more ${what} not shown: the job summary is limited in size; the \`causes\` and \`report\` outputs hold them._`
    )
  }
}

/** The provider's view of its own details (Okta's evidence, Entra's jobs): none for an unknown provider. */
export function idpView(idp: IdpVerdict): IdpDetailView {
  return providerById(idp.provider)?.view(idp.details) ?? { rows: [], table: null, lines: [] }
}

/** What the IdP says of its provisioning to GitHub, in words (the summary and the CLI). */
export function idpRows(idp: IdpVerdict): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['App', idp.appLabel ? `${idp.appLabel} (${idp.app})` : idp.app],
    ['Status', `${idp.status}: ${IDP_STATUS_TEXT[idp.status]}`],
    ['Last success', idp.lastSuccessAt ?? 'none seen'],
    ['Last failure', idp.lastFailureAt ? `${idp.lastFailureAt}${idp.lastFailureReason ? `: ${idp.lastFailureReason}` : ''}` : 'none seen']
  ]
  if (idp.quarantine) {
    const q = idp.quarantine
    rows.push([
      'Quarantine',
      `${q.reason}${q.since ? ` since ${q.since}` : ''}${q.nextAttemptAt ? `, next attempt ${q.nextAttemptAt}` : ''}${q.errorCode ? ` (${q.errorCode}${q.errorMessage ? `: ${q.errorMessage}` : ''})` : ''}`
    ])
  }
  rows.push(...idpView(idp).rows)
  return rows
}

export const IDP_STATUS_TEXT: Record<IdpVerdict['status'], string> = {
  healthy: 'provisioning to GitHub works',
  failing: 'provisioning to GitHub fails',
  off: 'provisioning to GitHub is off',
  unknown: 'the IdP could not tell (not asked, or no attempt seen)'
}

function idpSection(out: Lines, idp: IdpVerdict): void {
  out.push(`### Identity provider: ${escapeCell(providerById(idp.provider)?.name ?? idp.provider)}`, '', '| | |', '|---|---|')
  for (const [k, v] of idpRows(idp)) out.row(`| ${k} | ${escapeCell(v)} |`)
  out.push('')
  const table = idpView(idp).table
  if (table) {
    out.push(`| ${table.columns.map(escapeCell).join(' | ')} |`, `|${table.columns.map(() => '---').join('|')}|`)
    rows(out, table.rows, r => `| ${r.map(escapeCell).join(' | ')} |`, table.what)
    out.push('')
  }
}

/** The job summary of a verdict already made safe (safeVerdict). */
export function renderSummary(verdict: Verdict, options: SummaryOptions = {}): string {
  const out = new Lines(SUMMARY_MAX_BYTES - SUMMARY_RESERVE_BYTES)
  out.push('## Provisioning token check', '')
  out.push(`**Status:** ${STATUS_ICON[verdict.status]} ${verdict.status}: ${escapeCell(statusText(verdict))}`, '')
  out.push('| | |', '|---|---|')
  out.push(`| Token owner | ${verdict.login ? escapeCell(verdict.login) : '—'} |`)
  out.push(`| Token kind | ${escapeCell(KIND_LABEL[verdict.tokenKind] ?? String(verdict.tokenKind))} |`)
  out.push(`| Scopes | ${escapeCell(scopesText(verdict))} |`)
  if (verdict.missingScopes.length > 0) out.push(`| Missing scopes | ${escapeCell(verdict.missingScopes.join(', '))} |`)
  out.push(`| Expires | ${escapeCell(expiryText(verdict))} |`)
  if (verdict.platform !== 'dotcom') out.push(`| Platform | ${escapeCell(platformText(verdict.platform))} |`)
  out.push('')
  if (verdict.causes.length > 0) {
    out.push('### Causes', '', '| | Cause | Where | What happened | Fix |', '|---|---|---|---|---|')
    rows(
      out,
      verdict.causes,
      c =>
        `| ${ICON[c.severity] ?? ''} | **${escapeCell(c.title)}** ${causeIdCell(c, options.docs)} | ${escapeCell(c.org ?? c.enterprise ?? 'token')} | ${messageCell(c, verdict.webUrl)} | ${withWebLinks(c.remediation, verdict.webUrl)} |`,
      'causes'
    )
    out.push('')
  }
  if (verdict.orgs.length > 0) {
    out.push('### Organizations', '', '| Organization | Role | Linked SAML identity | SSO authorization | SCIM |', '|---|---|---|---|---|')
    rows(
      out,
      verdict.orgs,
      o =>
        `| ${escapeCell(o.org)} | ${escapeCell(roleText(o))} | ${escapeCell(o.samlIdentity)} | ${escapeCell(ssoAuthorizationText(o))} | ${escapeCell(o.scim)} |`,
      'organizations'
    )
    out.push('')
  }
  if (verdict.enterprise) {
    out.push(`**Enterprise ${escapeCell(verdict.enterprise.slug)}:** SCIM ${escapeCell(verdict.enterprise.scim)}`, '')
  }
  if (verdict.idp) idpSection(out, verdict.idp)
  if (verdict.notes.length > 0) {
    out.push('### Not checked', '')
    rows(out, verdict.notes, n => `- ${escapeCell(n)}`, 'notes')
    out.push('')
  }
  return truncateBytes(out.lines.join('\n'), SUMMARY_MAX_BYTES, '\n\n_… truncated: the job summary is limited in size._\n')
}

/**
 * The job summary (GFM): every text from the verdict is scrubbed of
 * `options.secrets` and token shapes and escaped as data (no link, image,
 * HTML or table break from it; a server's URLs are inline code); the only
 * links are those we build (the docs' section per cause, pages of the GitHub
 * web host of api-url) and the SSO authorization URL once verified to be on
 * that host; at most SUMMARY_MAX_BYTES.
 */
export function summaryMarkdown(verdict: Verdict, options: OutputOptions & SummaryOptions = {}): string {
  return renderSummary(safeVerdict(verdict, scrubOf(options)), { docs: options.docs ?? null })
}
