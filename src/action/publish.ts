/**
 * publish: the action's output: one annotation per cause, the outputs of the
 * contract, a log line and the job summary, every text made safe at the
 * boundary (report/safe.ts); then the step's exit status.
 */
import type * as coreModule from '@actions/core'
import { SEVERITY_ORDER, type Cause } from '../causes.js'
import type { Verdict } from '../diagnose/index.js'
import { reportJson } from '../report/json.js'
import { runFails, type Policy } from '../report/policy.js'
import { ANNOTATION_MAX, isOwnValue, OUTPUT_MAX_BYTES, safeVerdict, scrubOf, type OutputOptions } from '../report/safe.js'
import { renderSummary } from '../report/summary.js'
import { logLine, neutraliseCommands, SERVER_TEXT_MAX, truncateBytes } from '../sanitize.js'

type Core = Pick<typeof coreModule, 'error' | 'warning' | 'notice' | 'setOutput' | 'summary' | 'info'>

/** Where the README's section per cause lives: the action's own repository when run as an action. */
export function docsBase(env: NodeJS.ProcessEnv): string | null {
  const repo = env.GITHUB_ACTION_REPOSITORY
  const server = env.GITHUB_SERVER_URL || 'https://github.com'
  // The docs of the version actually run (a tag, a branch or a SHA), each cause a section of docs/causes.md.
  const ref = env.GITHUB_ACTION_REF && /^[\w./-]{1,100}$/.test(env.GITHUB_ACTION_REF) ? env.GITHUB_ACTION_REF : 'main'
  return repo && /^[\w.-]+\/[\w.-]+$/.test(repo) ? `${server}/${repo}/blob/${ref}/docs/causes.md#` : null
}

/** One line per output list: comma-separated, no spaces. */
const list = (items: readonly string[]): string => items.join(',')

export function annotationText(c: Cause, docs: string | null = null): string {
  return `${c.message}\nFix: ${c.remediation}${docs ? `\nMore: ${docs}${c.id}` : ''}`
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
    // The id is ours (a cause id is never a secret's piece): only the title around it is scrubbed.
    const props = { title: `${onStdout(c.title, SERVER_TEXT_MAX * 2)} [${isOwnValue('id', c.id) ? c.id : scrub(c.id)}]` }
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
  /** An output of our own words (statuses, cause ids, a token kind): set as is when every item is ours. */
  const ownOutput = (name: string, key: string, value: string): void => {
    if (value.split(',').every(v => v === '' || isOwnValue(key, v))) core.setOutput(name, value)
    else output(name, value)
  }
  ownOutput('status', 'status', safe.status)
  ownOutput(
    'causes',
    'id',
    list(
      [...safe.causes]
        .sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity))
        .map(c => c.id)
        .filter((id, i, a) => a.indexOf(id) === i)
    )
  )
  output('login', safe.login ?? '')
  ownOutput('token-kind', 'tokenKind', safe.tokenKind)
  output('scopes', list(safe.scopes ?? []))
  output('missing-scopes', list(safe.missingScopes))
  // `never` only when GitHub showed the token has no expiry; empty when it is unknown (docs/reference.md, outputs).
  output('expires-at', safe.expiry === 'never' ? 'never' : (safe.expiresAt ?? ''))
  output('days-until-expiry', safe.daysUntilExpiry === null ? '' : String(safe.daysUntilExpiry))
  output('sso-authorization-url', safe.ssoAuthorizationUrl ?? '')
  ownOutput('idp-status', 'status', safe.idp?.status ?? '')
  output('idp-last-success', safe.idp?.lastSuccessAt ?? '')
  output('idp-last-failure', safe.idp?.lastFailureAt ?? '')
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
      await core.summary.addRaw(scrub(renderSummary(safe, { docs })), true).write()
    } catch (e) {
      core.warning(logLine(`The job summary could not be written: ${e instanceof Error ? e.message : String(e)}`, scrub))
    }
  }

  if (failing) (options.setExitCode ?? setProcessExitCode)(1)
  return failing
}
