/**
 * The OneLogin verdict: one pure function from the probes' facts to the `IdpReport` (docs/idp.md). Every server string passes `serverText` here, before it goes into the report.
 *
 * Events that count (event-types.ts), for the app only (`app_id`, matched here: the API cannot filter on it):
 * 85 and 250 are a credentials failure; 25 and 61–65 are a credentials failure when OneLogin's own
 * `error_description` speaks of a 401, "unauthorized", credentials or a token, else a per-user error; 51–55
 * are a successful push. The verdict never reads a user-supplied name (`user_name`, `app_name`).
 */
import { serverText } from '../../sanitize.js'
import type { IdpFinding, IdpReport } from '../types.js'
import { blankReport } from '../report.js'
import { classifyEvent, EVENT_NAMES, type EventKind } from './event-types.js'
import type { OneLoginAnswer, OneLoginEvent, OneLoginFacts } from './facts.js'

export interface JudgeOptions {
  appId: string
  /** Epoch ms: when the look-back was measured from. */
  now: number
  lookbackHours: number
}

/** Events this far past `now` (clock skew) still count; later ones are not believed. */
export const FUTURE_GRACE_MS = 5 * 60_000

interface Counted {
  at: number
  kind: EventKind
  reason: string
}

type Response = Extract<OneLoginAnswer, { kind: 'response' }>

const iso = (ms: number): string => new Date(ms).toISOString()

/** OneLogin's words for an event: its `error_description`, else the event type's name. */
function eventReason(e: OneLoginEvent): string {
  const text = e.errorDescription?.trim()
  if (text) return serverText(text)
  return `${EVENT_NAMES[e.eventTypeId] ?? 'event type'} (event type ${e.eventTypeId})`
}

/** OneLogin's words for an error answer: the code's name and message. */
function words(answer: Response): string {
  const parts = [answer.errorName, answer.message].filter((p): p is string => typeof p === 'string' && p.trim() !== '')
  const w = parts.filter((p, i) => parts.findIndex(q => q.toLowerCase() === p.toLowerCase()) === i).join(': ')
  return w ? ` (${serverText(w, 160)})` : ''
}

function resetText(answer: Response): string {
  const raw = answer.rateLimitReset?.trim() ?? ''
  // Seconds left, not an epoch [O12].
  return /^\d{1,7}$/.test(raw) ? `it resets in ${Number(raw)} s` : 'the reset time was not given'
}

const failed = (input: string | null, reason: string): Extract<IdpFinding, { kind: 'check-failed' }> => ({
  kind: 'check-failed',
  input,
  reason: serverText(reason, 500)
})

function redirectHost(answer: Response): string {
  if (!answer.location) return 'nowhere (no Location)'
  try {
    return serverText(new URL(answer.location, 'https://invalid.invalid').host || answer.location, 120)
  } catch {
    return 'an unreadable Location'
  }
}

/** What every step shares: no answer, a redirect, a rate limit, OneLogin down, an unreadable answer. */
function commonFailure(answer: OneLoginAnswer, what: string): IdpFinding | null {
  if (answer.kind === 'fault') {
    if (answer.fault === 'refused') return failed('onelogin-url', `${what} was not sent: ${serverText(answer.detail)}`)
    if (answer.fault === 'timeout') return failed(null, `OneLogin is unavailable: ${what} got no answer within the time budget`)
    return failed(null, `OneLogin is unavailable: ${what} failed on the network (${serverText(answer.detail, 120)}); check onelogin-url`)
  }
  const s = answer.status
  if (s >= 300 && s < 400)
    return failed(
      'onelogin-url',
      `OneLogin answered ${what} with a redirect (${s}) to ${redirectHost(answer)}, not followed: onelogin-url must be the account's own URL (https://<subdomain>.onelogin.com)`
    )
  if (s === 429)
    return failed(
      null,
      `OneLogin rate-limited ${what}${words(answer)}; ${resetText(answer)} (the account's 5,000 calls an hour are shared by every API credential)`
    )
  if (s >= 500) return failed(null, `OneLogin is unavailable: ${what} answered HTTP ${s}${words(answer)}`)
  if (answer.bodyProblem !== null && s < 300) return failed(null, `OneLogin's answer to ${what} could not be read (${answer.bodyProblem})`)
  if (answer.unexpected !== null) return failed(null, `OneLogin's answer to ${what} was not what OneLogin sends: ${answer.unexpected}`)
  return null
}

/** The token endpoint refused: name the input to fix [O3]. */
export function tokenFailureFinding(answer: OneLoginAnswer): IdpFinding {
  const what = 'the token request'
  // Only a 500: a 502/503/504 is an outage, never blamed on the credential.
  if (answer.kind === 'response' && answer.status === 500)
    // [O3]: a credential whose creator was deleted stops working, and OneLogin then answers 500, not 401.
    return failed(
      'onelogin-client-id',
      `OneLogin's token endpoint answered HTTP 500${words(answer)}: the API credential's creator may have been deleted (OneLogin then answers 500, not 401; or OneLogin is failing): create a new credential (Developers > API Credentials, Read All) as a dedicated admin and update onelogin-client-id and onelogin-client-secret`
    )
  const common = commonFailure(answer, what)
  if (common) return common
  const a = answer as Response
  if (a.status === 404)
    return failed('onelogin-url', `OneLogin has no token endpoint at onelogin-url${words(a)}: it must be https://<subdomain>.onelogin.com`)
  if (a.status === 401 || a.status === 400 || a.status === 403)
    return failed(
      'onelogin-client-id',
      `OneLogin refused the API credential (HTTP ${a.status})${words(a)}: onelogin-client-id and onelogin-client-secret must be a pair of Developers > API Credentials`
    )
  return failed('onelogin-client-id', `OneLogin refused ${what} with HTTP ${a.status}${words(a)}`)
}

/** An API call (the app or the events) was refused: name the input to fix [O10][O5]. */
export function apiFailureFinding(answer: OneLoginAnswer, which: 'app' | 'events'): IdpFinding {
  const what = which === 'app' ? 'GET /api/2/apps/{onelogin-app-id}' : 'GET /api/1/events'
  const common = commonFailure(answer, what)
  if (common) return common
  const a = answer as Response
  if (a.status === 401) return failed('onelogin-client-id', `OneLogin refused the access token it issued to the API credential${words(a)}`)
  if (a.status === 403)
    return failed(
      'onelogin-client-id',
      which === 'app'
        ? `OneLogin refused ${what}${words(a)}: the API credential needs the Read All scope (Read users does not cover apps)`
        : `OneLogin refused ${what}${words(a)}: the API credential needs the Read All scope`
    )
  if (a.status === 404) {
    if (which === 'app')
      return failed(
        'onelogin-app-id',
        `OneLogin has no app with the id onelogin-app-id${words(a)}: take the number from the GitHub app's admin URL`
      )
    return failed('onelogin-url', `OneLogin has no events API at onelogin-url${words(a)}`)
  }
  return failed(null, `OneLogin refused ${what} with HTTP ${a.status}${words(a)}`)
}

/** The app's own state: its name, and whether it provisions at all. */
function judgeApp(facts: OneLoginFacts, add: (f: IdpFinding) => void): { label: string | null; enabled: boolean | null } {
  const app = facts.app?.app ?? null
  if (facts.app && app === null) add(apiFailureFinding(facts.app.answer, 'app'))
  if (app === null) return { label: null, enabled: null }
  if (app.provisioningEnabled === false)
    add({
      kind: 'provisioning-off',
      reason: 'provisioning is disabled on the app in OneLogin (provisioning.enabled is false): it pushes nothing to GitHub'
    })
  return { label: app.name === null ? null : serverText(app.name), enabled: app.provisioningEnabled }
}

/** The events that count, newest first, within the look-back; and the oldest event read at all. */
function countEvents(events: readonly OneLoginEvent[], options: JudgeOptions): { counted: Counted[]; oldestRead: number | null } {
  const earliest = options.now - options.lookbackHours * 3_600_000 - FUTURE_GRACE_MS
  const latest = options.now + FUTURE_GRACE_MS
  const counted: Counted[] = []
  let oldestRead: number | null = null
  for (const e of events) {
    const at = Date.parse(e.createdAt)
    if (!Number.isFinite(at)) continue
    if (oldestRead === null || at < oldestRead) oldestRead = at
    if (at < earliest || at > latest) continue
    const kind = classifyEvent(e, options.appId)
    if (kind) counted.push({ at, kind, reason: kind === 'success' ? '' : eventReason(e) })
  }
  counted.sort((a, b) => b.at - a.at)
  return { counted, oldestRead }
}

/** Credentials: the latest credentials failure with no successful push after it; since the first of its run. */
function credentialsFinding(counted: readonly Counted[], more: boolean): IdpFinding | null {
  const latest = counted.findIndex(c => c.kind === 'credentials')
  const cred = counted[latest]
  const lastSuccess = counted.find(c => c.kind === 'success')
  if (!cred || (lastSuccess && lastSuccess.at > cred.at)) return null
  let since = cred
  let broken = false
  for (const c of counted.slice(latest + 1)) {
    if (c.kind === 'success') {
      broken = true
      break
    }
    if (c.kind === 'credentials') since = c
  }
  return { kind: 'credentials-rejected', since: iso(since.at), sinceAtLeast: !broken && more, reason: cred.reason }
}

export function judgeOneLogin(facts: OneLoginFacts, options: JudgeOptions): IdpReport {
  const report = blankReport('onelogin', options.appId, facts.requests, [], {
    provisioningEnabled: null,
    evidenceSince: null,
    eventPages: 0
  })
  const add = (finding: IdpFinding): void => {
    if (!report.findings.some(f => JSON.stringify(f) === JSON.stringify(finding))) report.findings.push(finding)
  }
  if (facts.tokenFailure !== null) {
    add(tokenFailureFinding(facts.tokenFailure))
    return report
  }
  const app = judgeApp(facts, add)
  report.appLabel = app.label
  const events = facts.events
  if (!events) return report
  if (events.failure !== null) add(apiFailureFinding(events.failure, 'events'))
  const { counted, oldestRead } = countEvents(events.events, options)
  report.details = {
    provisioningEnabled: app.enabled,
    evidenceSince: events.more && oldestRead !== null ? iso(oldestRead) : null,
    eventPages: events.pages
  }
  report.noAttempt = events.failure === null && counted.length === 0
  const lastSuccess = counted.find(c => c.kind === 'success')
  const lastFailure = counted.find(c => c.kind !== 'success')
  if (lastSuccess) report.lastSuccessAt = iso(lastSuccess.at)
  if (lastFailure) {
    report.lastFailureAt = iso(lastFailure.at)
    report.lastFailureReason = lastFailure.reason
  }
  const credentials = credentialsFinding(counted, events.more)
  if (credentials) add(credentials)
  const others = counted.filter(c => c.kind === 'other')
  if (others.length > 0) add({ kind: 'provisioning-errors', count: others.length, latestReason: (others[0] as Counted).reason })
  return report
}
