/**
 * report: turns a verdict into annotations (one per cause), the outputs of the
 * contract, the job summary, and the step's exit status.
 *
 * This is the output boundary (PRODUCT.md, "Hostile and unusual answers"):
 * whatever the verdict holds, and whether or not diagnose made it safe, every
 * text is scrubbed of the run's secrets and token shapes, made one printable
 * line, bounded, kept from starting a workflow command, and escaped as data
 * in the job summary, before it leaves.
 */
import type * as coreModule from '@actions/core'
import { SEVERITY_ORDER, type Cause } from './causes.js'
import type { OrgSummary, Verdict } from './diagnose.js'
import type { FailOn, InconclusivePolicy } from './inputs.js'
import {
  logLine,
  markdownText,
  MESSAGE_MAX,
  neutraliseCommands,
  outText,
  scrubberFor,
  SERVER_TEXT_MAX,
  truncateBytes,
  URL_MAX,
  type Scrub
} from './sanitize.js'
import { KIND_LABEL } from './token.js'

type Core = Pick<typeof coreModule, 'error' | 'warning' | 'notice' | 'setOutput' | 'summary' | 'info'>

/** Each output but `report` (PRODUCT.md: each under 1 MiB; a real one is a few hundred bytes). */
export const OUTPUT_MAX_BYTES = 64 * 1024
/** The `report` output: valid JSON, shortened (`truncated: true`) to stay under this. */
export const REPORT_MAX_BYTES = 768 * 1024
/** The job summary (GitHub refuses one over 1 MiB). */
export const SUMMARY_MAX_BYTES = 768 * 1024
/** One annotation's text. */
export const ANNOTATION_MAX = 4000

/** What every output function needs to know: the run's secrets (the GitHub token, IdP secrets, tokens obtained). */
export interface OutputOptions {
  /** Every secret of the run; each is scrubbed from every text, as are token shapes. */
  secrets?: readonly string[]
}

// ── The boundary: a verdict whose every text is safe to show ─────────────

/** Longest text per field: messages, remediations and notes are ours (quoting answers); URLs; everything else. */
function maxFor(key: string): number {
  if (key === 'message' || key === 'remediation' || key === 'notes' || key === 'lastFailureReason') return MESSAGE_MAX
  if (/url$/i.test(key)) return URL_MAX
  return SERVER_TEXT_MAX
}

function cleanDeep(value: unknown, key: string, scrub: Scrub, depth: number): unknown {
  if (typeof value === 'string') return outText(value, scrub, maxFor(key))
  if (value === null || typeof value !== 'object' || depth > 8) return typeof value === 'object' ? null : value
  if (Array.isArray(value)) return value.map(v => cleanDeep(v, key, scrub, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = cleanDeep(v, k, scrub, depth + 1)
  return out
}

/**
 * The verdict with every string (those of fields added later included)
 * scrubbed of the run's secrets and token shapes, made one printable line and
 * bounded: the one input of every renderer below and of the CLI's.
 */
export function safeVerdict(verdict: Verdict, scrub: Scrub): Verdict {
  return cleanDeep(verdict, '', scrub, 0) as Verdict
}

const scrubOf = (options: OutputOptions): Scrub => scrubberFor(...(options.secrets ?? []))

/** Where the README's section per cause lives: the action's own repository when run as an action. */
export function docsBase(env: NodeJS.ProcessEnv): string | null {
  const repo = env.GITHUB_ACTION_REPOSITORY
  const server = env.GITHUB_SERVER_URL || 'https://github.com'
  // The docs of the version actually run (a tag, a branch or a SHA), each cause a section of docs/causes.md.
  const ref = env.GITHUB_ACTION_REF && /^[\w./-]{1,100}$/.test(env.GITHUB_ACTION_REF) ? env.GITHUB_ACTION_REF : 'main'
  return repo && /^[\w.-]+\/[\w.-]+$/.test(repo) ? `${server}/${repo}/blob/${ref}/docs/causes.md#` : null
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

function reportObject(v: Verdict, causes: readonly Cause[], withTables: boolean): Record<string, unknown> {
  return {
    status: v.status,
    login: v.login,
    tokenKind: v.tokenKind,
    scopes: v.scopes ?? [],
    expiresAt: v.expiresAt,
    daysUntilExpiry: v.daysUntilExpiry,
    ssoAuthorizationUrl: v.ssoAuthorizationUrl,
    causes: causes.map(c => ({
      id: c.id,
      severity: c.severity,
      org: c.org,
      enterprise: c.enterprise,
      title: c.title,
      message: c.message,
      remediation: c.remediation,
      ...(c.url ? { url: c.url } : {})
    })),
    ...(withTables ? { orgs: v.orgs, enterprise: v.enterprise, notes: v.notes } : { enterprise: v.enterprise })
  }
}

/** The report of a verdict already made safe, in at most `maxBytes`, and always valid JSON. */
function boundedReport(v: Verdict, maxBytes: number): string {
  const fits = (json: string): boolean => Buffer.byteLength(json, 'utf8') <= maxBytes
  const full = JSON.stringify(reportObject(v, v.causes, true))
  if (fits(full)) return full
  // Too large (a hundred orgs with long answers): shorten the texts, then drop the tables, then causes.
  const shorten = (x: Verdict, n: number): Verdict => cleanDeepMax(x, n) as Verdict
  for (const [n, withTables] of [[500, true], [500, false], [120, false]] as const) {
    const short = shorten(v, n)
    const json = JSON.stringify({ ...reportObject(short, short.causes, withTables), truncated: true, ...(withTables ? {} : { orgsOmitted: v.orgs.length, notesOmitted: v.notes.length }) })
    if (fits(json)) return json
  }
  const short = shorten(v, 120)
  let kept = short.causes.length
  let json = ''
  do {
    kept = Math.floor(kept / 2)
    json = JSON.stringify({ ...reportObject(short, short.causes.slice(0, kept), false), truncated: true, orgsOmitted: v.orgs.length, notesOmitted: v.notes.length, causesOmitted: v.causes.length - kept })
  } while (!fits(json) && kept > 0)
  return fits(json) ? json : JSON.stringify({ status: v.status, truncated: true, causesOmitted: v.causes.length })
}

/** Every string of `value` cut to at most `n` characters (already safe text: nothing else changes). */
function cleanDeepMax(value: unknown, n: number): unknown {
  if (typeof value === 'string') return value.length > n ? outText(value, t => t, n) : value
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(v => cleanDeepMax(v, n))
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cleanDeepMax(v, n)]))
}

/**
 * The `report` output (and the CLI's `--json`): the whole result as JSON,
 * every text scrubbed of `options.secrets` and token shapes, one line each,
 * bounded; at most REPORT_MAX_BYTES, still valid JSON when shortened
 * (`truncated: true`).
 */
export function reportJson(verdict: Verdict, options: OutputOptions = {}): string {
  const scrub = scrubOf(options)
  const json = boundedReport(safeVerdict(verdict, scrub), REPORT_MAX_BYTES)
  // A last pass over the whole; a replacement never touches JSON syntax, but the JSON must stay valid.
  const again = scrub(json)
  if (again === json) return json
  try {
    JSON.parse(again)
    return again
  } catch {
    return json
  }
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

/** A table cell or list item holding text: data, never markup (sanitize.ts, markdownText). */
function escapeCell(s: string): string {
  return markdownText(s)
}

/** The token's expiry, in words: a date with the days left, never, or unknown (—). */
export function expiryText(verdict: Pick<Verdict, 'expiresAt' | 'daysUntilExpiry' | 'login'>): string {
  // "never" only when GitHub answered without an expiry; without an answer (a 401, an outage) it is unknown.
  return verdict.expiresAt === null ? (verdict.login ? 'never (no expiry reported)' : 'unknown (GitHub did not say)') : `${verdict.expiresAt} (${verdict.daysUntilExpiry} days)`
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
    out.push('', `_… ${items.length - shown} more ${what} not shown: the job summary is limited in size; the \`causes\` and \`report\` outputs hold them._`)
  }
}

/** The job summary of a verdict already made safe (safeVerdict). */
function renderSummary(verdict: Verdict): string {
  const out = new Lines(SUMMARY_MAX_BYTES - SUMMARY_RESERVE_BYTES)
  out.push('## Provisioning token check', '')
  out.push(`**Status:** ${STATUS_LINE(verdict.status)}`, '')
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
    const id = (c: Cause): string => (/^[a-z0-9-]+$/.test(c.id) ? `\`${c.id}\`` : escapeCell(c.id))
    rows(
      out,
      verdict.causes,
      c => `| ${ICON[c.severity] ?? ''} | **${escapeCell(c.title)}** ${id(c)} | ${escapeCell(c.org ?? c.enterprise ?? 'token')} | ${escapeCell(c.message)} | ${escapeCell(c.remediation)} |`,
      'causes'
    )
    out.push('')
  }
  if (verdict.orgs.length > 0) {
    out.push('### Organizations', '', '| Organization | Role | Linked SAML identity | SSO authorization | SCIM |', '|---|---|---|---|---|')
    rows(
      out,
      verdict.orgs,
      o => `| ${escapeCell(o.org)} | ${escapeCell(roleText(o))} | ${escapeCell(o.samlIdentity)} | ${escapeCell(ssoAuthorizationText(o))} | ${escapeCell(o.scim)} |`,
      'organizations'
    )
    out.push('')
  }
  if (verdict.enterprise) {
    out.push(`**Enterprise ${escapeCell(verdict.enterprise.slug)}:** SCIM ${escapeCell(verdict.enterprise.scim)}`, '')
  }
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
 * HTML or table break from it; URLs are inline code); at most SUMMARY_MAX_BYTES.
 */
export function summaryMarkdown(verdict: Verdict, options: OutputOptions = {}): string {
  return renderSummary(safeVerdict(verdict, scrubOf(options)))
}

export interface PublishOptions extends OutputOptions {
  /** Base URL of the README's section per cause (docsBase), or null. */
  docs?: string | null
  /** How a failing run fails: by default `process.exitCode = 1` (core.setFailed would add an annotation of its own). */
  setExitCode?: (code: number) => void
}

const setProcessExitCode = (code: number): void => {
  process.exitCode = code
}

/**
 * Annotations, outputs, the log line and the job summary of a verdict, every
 * text made safe (scrubbed of `options.secrets` and token shapes, one line,
 * bounded, no workflow command, Markdown-escaped in the summary); then the
 * step's exit status. Returns whether the run fails.
 */
export async function publish(core: Core, verdict: Verdict, policy: Policy | null, options: PublishOptions = {}): Promise<boolean> {
  const scrub = scrubOf(options)
  const docs = options.docs ?? null
  const failing = runFails(verdict, policy)
  const failsBecauseInconclusive =
    failing && !verdict.causes.some(c => c.severity === 'error' || (policy?.failOn === 'warning' && c.severity === 'warning'))
  const safe = safeVerdict(verdict, scrub)
  /** A text for stdout (an annotation): scrubbed as a whole too, bounded, and no line of it a workflow command. */
  const onStdout = (text: string, max: number): string => neutraliseCommands(truncateBytes(scrub(text), max, '…'))

  for (const c of safe.causes) {
    const props = { title: onStdout(`${c.title} [${c.id}]`, SERVER_TEXT_MAX * 2) }
    const text = onStdout(annotationText(c, docs), ANNOTATION_MAX)
    if (c.severity === 'error') core.error(text, props)
    else if (c.severity === 'inconclusive') (failsBecauseInconclusive ? core.error : core.warning)(text, props)
    else if (c.severity === 'warning') core.warning(text, props)
    else core.notice(text, props)
  }

  /** An output value: single-line values stay one line; none starts a workflow command (a later `echo` of it); bounded. */
  const output = (name: string, value: string, max = OUTPUT_MAX_BYTES): void => {
    core.setOutput(name, neutraliseCommands(truncateBytes(scrub(value), max, '…')))
  }
  output('status', safe.status)
  output(
    'causes',
    list(
      [...safe.causes]
        .sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity))
        .map(c => c.id)
        .filter((id, i, a) => a.indexOf(id) === i)
    )
  )
  output('login', safe.login ?? '')
  output('token-kind', safe.tokenKind)
  output('scopes', list(safe.scopes ?? []))
  output('missing-scopes', list(safe.missingScopes))
  output('expires-at', safe.expiresAt ?? '')
  output('days-until-expiry', safe.daysUntilExpiry === null ? '' : String(safe.daysUntilExpiry))
  output('sso-authorization-url', safe.ssoAuthorizationUrl ?? '')
  // reportJson scrubs and bounds on its own (and keeps the JSON valid); the JSON is one line starting with `{`.
  core.setOutput('report', reportJson(verdict, options))

  core.info(
    logLine(
      `provisioning-token-check: ${safe.status}${safe.login ? ` (token of ${safe.login})` : ''}${safe.causes.length ? `: ${safe.causes.map(c => c.id).join(', ')}` : ''}${failing ? '; the step fails.' : ''}`,
      scrub
    )
  )

  if (process.env.GITHUB_STEP_SUMMARY) {
    try {
      await core.summary.addRaw(scrub(renderSummary(safe)), true).write()
    } catch (e) {
      core.warning(logLine(`The job summary could not be written: ${e instanceof Error ? e.message : String(e)}`, scrub))
    }
  }

  if (failing) (options.setExitCode ?? setProcessExitCode)(1)
  return failing
}
