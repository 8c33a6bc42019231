/**
 * The JumpCloud verdict: one pure function from the probes' facts to the `IdpReport`. Every server string
 * passes `serverText` here, before it goes into the report.
 *
 * Events that count (matched again here, whatever the query did), for the app only (`application.id` or
 * `idm_client_id` equal to jumpcloud-app-id; which of them JumpCloud fills is UNCONFIRMED) [J3]:
 * - a provisioning event (`*_provision`, `user_deprovision`) with `success: true`: a successful push;
 * - the same with `success: false` and `message_chain.response_code` 401 or 403 (GitHub refused the
 *   credential): a credentials failure. GUESS: that JumpCloud puts GitHub's status there is UNCONFIRMED;
 * - the same with `success: false` otherwise: a per-user error.
 * The decision reads only the vendor's own fields (`success`, `event_type`, `message_chain.response_code`):
 * `error_message` is quoted as JumpCloud's words, never matched, and no user-supplied name (a username) is read.
 * `integration_deactivate` newer than any `integration_activate` and any successful push: provisioning off
 * (GUESS: that the GitHub connectors emit it). An app with `active: false`: off (GUESS: `active` is the SSO
 * app's state; that it covers Identity Management is UNCONFIRMED).
 */
import { serverText } from '../../sanitize.js'
import { blankReport } from '../report.js'
import type { IdpFinding, IdpReport } from '../types.js'
import type { JcEvent, JcFacts } from './facts.js'
import { apiFailureFinding, failed, tokenFailureFinding } from './failures.js'
import { INTEGRATION_EVENTS, PROVISION_EVENTS } from './probe.js'

export interface JudgeOptions {
  appId: string
  /** Epoch ms: when the look-back was measured from. */
  now: number
  lookbackHours: number
}

/** Events this far past `now` (clock skew) still count; later ones are not believed. */
const FUTURE_GRACE_MS = 5 * 60_000
const CREDENTIAL_CODES = new Set(['401', '403'])

type Kind = 'success' | 'credentials' | 'other' | 'activated' | 'deactivated'
interface Counted {
  at: number
  kind: Kind
  reason: string
}

const iso = (ms: number): string => new Date(ms).toISOString()

/** JumpCloud's words for a failed event: error_message, else the response code and message. */
function eventReason(e: JcEvent): string {
  const chain = [e.responseCode ? `HTTP ${e.responseCode}` : null, e.responseMessage].filter(Boolean).join(' ')
  const parts = [e.errorMessage, chain].filter((p): p is string => typeof p === 'string' && p.trim() !== '')
  return serverText(parts.length > 0 ? `${e.eventType}: ${parts.join('; ')}` : `${e.eventType} failed`)
}

export function classifyEvent(e: JcEvent, appId: string): Kind | null {
  if (e.applicationId?.toLowerCase() !== appId && e.idmClientId?.toLowerCase() !== appId) return null
  if ((INTEGRATION_EVENTS as readonly string[]).includes(e.eventType)) {
    if (e.success === false) return null
    return e.eventType === 'integration_activate' ? 'activated' : 'deactivated'
  }
  if (!(PROVISION_EVENTS as readonly string[]).includes(e.eventType) || e.success === null) return null
  if (e.success) return 'success'
  return e.responseCode !== null && CREDENTIAL_CODES.has(e.responseCode.trim()) ? 'credentials' : 'other'
}

/** The events that count, newest first, within the look-back; and the oldest event read at all. */
function countEvents(events: readonly JcEvent[], options: JudgeOptions): { counted: Counted[]; oldestRead: number | null } {
  const earliest = options.now - options.lookbackHours * 3_600_000 - FUTURE_GRACE_MS
  const latest = options.now + FUTURE_GRACE_MS
  const counted: Counted[] = []
  let oldestRead: number | null = null
  for (const e of events) {
    const at = Date.parse(e.timestamp)
    if (!Number.isFinite(at)) continue
    if (oldestRead === null || at < oldestRead) oldestRead = at
    if (at < earliest || at > latest) continue
    const kind = classifyEvent(e, options.appId)
    if (kind) counted.push({ at, kind, reason: kind === 'credentials' || kind === 'other' ? eventReason(e) : '' })
  }
  counted.sort((a, b) => b.at - a.at)
  return { counted, oldestRead }
}

/** Credentials: the latest credentials failure with no successful push after it; since the first of its run. */
function credentialsFinding(counted: readonly Counted[], more: boolean): IdpFinding | null {
  const pushes = counted.filter(c => c.kind === 'success' || c.kind === 'credentials' || c.kind === 'other')
  const latest = pushes.findIndex(c => c.kind === 'credentials')
  const cred = pushes[latest]
  if (!cred || pushes.slice(0, latest).some(c => c.kind === 'success')) return null
  let since = cred
  let broken = false
  for (const c of pushes.slice(latest + 1)) {
    if (c.kind === 'success') {
      broken = true
      break
    }
    if (c.kind === 'credentials') since = c
  }
  return { kind: 'credentials-rejected', since: iso(since.at), sinceAtLeast: !broken && more, reason: cred.reason }
}

function judgeApp(facts: JcFacts, add: (f: IdpFinding) => void): string | null {
  if (!facts.app) return null
  const app = facts.app.app
  if (app === null) {
    add(apiFailureFinding(facts.app.answer, 'app', facts))
    return null
  }
  if (app.active === false)
    add({ kind: 'provisioning-off', reason: 'the app is inactive in JumpCloud (active: false): it provisions nothing to GitHub' })
  const label = app.displayLabel ?? app.name
  return label === null ? null : serverText(label)
}

/** The events' part of the report: last success and failure, the credentials run, per-user errors, off. */
function judgeEvents(facts: JcFacts, report: IdpReport, add: (f: IdpFinding) => void, options: JudgeOptions): void {
  const events = facts.events
  if (!events) return
  if (events.failure !== null) add(apiFailureFinding(events.failure, 'events', facts))
  const { counted, oldestRead } = countEvents(events.events, options)
  report.details = { evidenceSince: events.more && oldestRead !== null ? iso(oldestRead) : null, eventsRead: events.events.length }
  if (events.ascending && events.more) {
    // Oldest first and not all read: the newest events, which decide, are the ones missing.
    add(
      failed(
        null,
        'JumpCloud answered the event query oldest first (X-Sort: ASC) with more pages than were read: the latest state is unknown'
      )
    )
    return
  }
  const pushes = counted.filter(c => c.kind === 'success' || c.kind === 'credentials' || c.kind === 'other')
  report.noAttempt = events.failure === null && pushes.length === 0
  const lastSuccess = pushes.find(c => c.kind === 'success')
  const lastFailure = pushes.find(c => c.kind !== 'success')
  if (lastSuccess) report.lastSuccessAt = iso(lastSuccess.at)
  if (lastFailure) {
    report.lastFailureAt = iso(lastFailure.at)
    report.lastFailureReason = lastFailure.reason
  }
  const credentials = credentialsFinding(counted, events.more)
  if (credentials) add(credentials)
  const others = pushes.filter(c => c.kind === 'other')
  if (others.length > 0) add({ kind: 'provisioning-errors', count: others.length, latestReason: (others[0] as Counted).reason })
  const switched = counted.find(c => c.kind === 'activated' || c.kind === 'deactivated')
  if (switched?.kind === 'deactivated' && !(lastSuccess && lastSuccess.at > switched.at))
    add({ kind: 'provisioning-off', reason: `the app's Identity Management integration was deactivated at ${iso(switched.at)}` })
}

export function judgeJumpCloud(facts: JcFacts, options: JudgeOptions): IdpReport {
  const report: IdpReport = blankReport('jumpcloud', options.appId, facts.requests, [], { evidenceSince: null, eventsRead: 0 })
  const add = (finding: IdpFinding): void => {
    if (!report.findings.some(f => JSON.stringify(f) === JSON.stringify(finding))) report.findings.push(finding)
  }
  if (facts.tokenFailure !== null) {
    add(tokenFailureFinding(facts.tokenFailure))
    return report
  }
  report.appLabel = judgeApp(facts, add)
  judgeEvents(facts, report, add, options)
  return report
}
