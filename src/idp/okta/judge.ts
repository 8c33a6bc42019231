/**
 * The Okta verdict: one pure function from the probes' facts to the `IdpReport` (docs/idp.md). Every server string passes `serverText` here, before it goes into the report.
 *
 * Events that count (matched again here, whatever the server's filter did), for the app only (`target[].id`):
 * - `application.integration.authentication_failure` [I8], outcome FAILURE (or none): a credentials failure;
 * - `application.provision.*` [I7] with outcome FAILURE: a credentials failure when the vendor's own text
 *   says so (`vendorSaysCredentials`: a reason code, the vendor's sentence where it stands) [I16], else a
 *   per-user error;
 * - `application.provision.*` with outcome SUCCESS: a successful push.
 * Other outcomes (SKIPPED, CHALLENGE, …) and other event types do not count.
 */
import { serverText } from '../../sanitize.js'
import type { IdpFinding, IdpReport } from '../types.js'
import type { OktaAnswer, OktaEvent, OktaFacts } from './facts.js'
import { blankReport } from '../report.js'

export interface JudgeOptions {
  appId: string
  /** Epoch ms: when the look-back was measured from. */
  now: number
  lookbackHours: number
}

export const AUTHENTICATION_FAILURE = 'application.integration.authentication_failure'
export const PROVISION_PREFIX = 'application.provision.'
/**
 * The push features of the `features` array of `GET /api/v1/apps/{id}` ("Enabled app features", enum of
 * the Application schema in okta-openapi-subset.json [I9]; GitHub's Okta guide lists these for the org app
 * [I17]): Create Users, Update User Attributes, Deactivate Users. None of them enabled: provisioning is off.
 */
export const PUSH_FEATURES = ['PUSH_NEW_USERS', 'PUSH_PROFILE_UPDATES', 'PUSH_USER_DEACTIVATION'] as const

/**
 * A push failure is about credentials only by what the vendor controls, never by a word anywhere in it (a user's
 * name, e-mail or login appears in `displayMessage` and may be quoted in the reason: a user named
 * "bad-credentials" is no credential failure):
 * - `outcome.reason` as a code (one upper-case word, e.g. INVALID_CREDENTIALS [I9]) naming credentials;
 * - the vendor's own sentence where it stands: the whole reason, or the start of one of its `: `-separated
 *   parts (Okta's [I16] "The credentials used to connect to the API were invalid"; GitHub's 401 "Bad
 *   credentials"; "Unauthorized"; an HTTP 401 status);
 * - `displayMessage` only as Okta's template ends it: "… failed: The credentials used to connect to the API
 *   were invalid[; please check your configuration]" at its very end (the user's name comes before).
 */
const CREDENTIAL_CODE = /^[A-Z][A-Z0-9_]{2,63}$/
const CREDENTIAL_CODE_WORDS = /CREDENTIAL|UNAUTHORI[SZ]ED|AUTHENTICATION_FAIL/
const VENDOR_PART =
  /^(?:The credentials used to connect to the API were invalid\b|Bad credentials\.?$|Unauthori[sz]ed\b|(?:HTTP\s*)?401\b|Request failed with status(?: code)? 401\b)/i
const DISPLAY_END = /\bfailed: The credentials used to connect to the API were invalid(?:;? please check your configuration)?\.?$/i

/** Does a push failure's vendor text say its credential was refused? (See above: never a word inside a name.) */
export function vendorSaysCredentials(reason: string | null, displayMessage: string | null): boolean {
  const r = (reason ?? '').trim()
  if (CREDENTIAL_CODE.test(r) && CREDENTIAL_CODE_WORDS.test(r)) return true
  if (r.split(/:\s+/).some(part => VENDOR_PART.test(part.trim()))) return true
  return DISPLAY_END.test((displayMessage ?? '').trim())
}

/** Events this far past `now` (clock skew) still count; later ones are not believed. */
const FUTURE_GRACE_MS = 5 * 60_000

type Kind = 'success' | 'credentials' | 'other'
interface Counted {
  at: number
  kind: Kind
  reason: string
}

/** The event's own words: displayMessage and outcome.reason, one bounded line. */
function eventReason(e: OktaEvent): string {
  const parts = [e.displayMessage, e.reason].filter((p): p is string => typeof p === 'string' && p.trim() !== '')
  const unique = parts.filter((p, i) => parts.indexOf(p) === i)
  return serverText(unique.length > 0 ? unique.join(': ') : e.eventType)
}

export function classifyEvent(e: OktaEvent, appId: string): Kind | null {
  if (!e.targetIds.includes(appId)) return null
  if (e.eventType === AUTHENTICATION_FAILURE) return e.result === 'FAILURE' || e.result === null ? 'credentials' : null
  if (!e.eventType.startsWith(PROVISION_PREFIX)) return null
  if (e.result === 'SUCCESS') return 'success'
  if (e.result !== 'FAILURE') return null
  return vendorSaysCredentials(e.reason, e.displayMessage) ? 'credentials' : 'other'
}

const iso = (ms: number): string => new Date(ms).toISOString()

function resetText(answer: Extract<OktaAnswer, { kind: 'response' }>): string {
  const reset = Number(answer.rateLimitReset)
  if (answer.rateLimitReset === null || !Number.isFinite(reset) || reset <= 0 || reset > 1e11) return 'the reset time was not given'
  return `it resets at ${iso(reset * 1000)}`
}

/** Okta's words for an error answer: errorCode + errorSummary, or error + error_description. */
function oktaWords(answer: Extract<OktaAnswer, { kind: 'response' }>): string {
  const okta = [answer.errorCode, answer.errorSummary].filter(Boolean).join(' ')
  const oauth = [answer.oauthError, answer.oauthDescription].filter(Boolean).join(': ')
  const words = okta || oauth
  return words ? ` (${serverText(words, 160)})` : ''
}

const failed = (input: string | null, reason: string): Extract<IdpFinding, { kind: 'check-failed' }> => ({
  kind: 'check-failed',
  input,
  reason: serverText(reason, 500)
})

/** What every step shares: no answer, a redirect, a rate limit, Okta down, an unreadable answer. */
function commonFailure(answer: OktaAnswer, what: string): IdpFinding | null {
  if (answer.kind === 'fault') {
    if (answer.fault === 'refused') return failed('okta-org-url', `${what} was not sent: ${serverText(answer.detail)}`)
    if (answer.fault === 'timeout') return failed(null, `Okta is unavailable: ${what} got no answer within the time budget`)
    return failed(null, `Okta is unavailable: ${what} failed on the network (${serverText(answer.detail, 120)}); check okta-org-url`)
  }
  const s = answer.status
  if (s >= 300 && s < 400) {
    let host = 'nowhere (no Location)'
    if (answer.location) {
      try {
        host = serverText(new URL(answer.location, 'https://invalid.invalid').host || answer.location, 120)
      } catch {
        host = 'an unreadable Location'
      }
    }
    return failed(
      'okta-org-url',
      `Okta answered ${what} with a redirect (${s}) to ${host}, not followed: okta-org-url must be the org's own Okta URL`
    )
  }
  if (s === 429) return failed(null, `Okta rate-limited ${what}${oktaWords(answer)}; ${resetText(answer)}`)
  if (s >= 500) return failed(null, `Okta is unavailable: ${what} answered HTTP ${s}${oktaWords(answer)}`)
  if (answer.bodyProblem !== null && s < 300) return failed(null, `Okta's answer to ${what} could not be read (${answer.bodyProblem})`)
  if (answer.unexpected !== null) return failed(null, `Okta's answer to ${what} was not what Okta sends: ${answer.unexpected}`)
  return null
}

/** The token endpoint refused: name the input to fix [I3]. */
export function tokenFailureFinding(answer: OktaAnswer, keyIdGiven: boolean): IdpFinding {
  const what = 'the token request (okta-client-id, okta-private-key)'
  const common = commonFailure(answer, 'the token request')
  if (common) return common
  const a = answer as Extract<OktaAnswer, { kind: 'response' }>
  const words = oktaWords(a)
  const text = `${a.oauthError ?? ''} ${a.oauthDescription ?? ''}`
  if (a.oauthError === 'invalid_scope')
    return failed(
      'okta-client-id',
      `Okta refused the scopes${words}: grant okta.apps.read and okta.logs.read to the service app (Okta API Scopes tab)`
    )
  if (a.oauthError === 'invalid_dpop_proof' || a.oauthError === 'use_dpop_nonce')
    return failed(null, `Okta refused the DPoP proof of the token request${words}`)
  if (/client_id|client id|client_secret|token_endpoint_auth_method|private_key_jwt/i.test(text))
    return failed(
      'okta-client-id',
      `Okta refused the client${words}: okta-client-id must be an API Services app with Public key / Private key client authentication`
    )
  if (/expired|\biat\b|\bexp\b|future|already been used/i.test(text))
    return failed(null, `Okta refused the client assertion${words}: check this machine's clock`)
  if (/kid|key id/i.test(text))
    return failed('okta-key-id', `Okta refused the client assertion${words}: okta-key-id must name one of the service app's keys`)
  if (/signature|key/i.test(text))
    return failed(
      'okta-private-key',
      `Okta refused the client assertion${words}: okta-private-key must be the private half of a key registered on the service app` +
        (keyIdGiven ? ', and okta-key-id must name that key' : ' (give okta-key-id when the app has several keys)')
    )
  if (a.status === 401 || a.oauthError === 'invalid_client' || a.oauthError === 'unauthorized_client')
    return failed('okta-client-id', `Okta refused ${what} with HTTP ${a.status}${words}`)
  return failed('okta-client-id', `Okta refused ${what} with HTTP ${a.status}${words}`)
}

/** An API call (app or System Log) was refused: name the input to fix [I4][I9]. */
export function apiFailureFinding(answer: OktaAnswer, which: 'app' | 'logs', auth: OktaFacts['auth']): IdpFinding {
  const what = which === 'app' ? 'GET /api/v1/apps/{okta-app-id}' : 'GET /api/v1/logs'
  const common = commonFailure(answer, what)
  if (common) return common
  const a = answer as Extract<OktaAnswer, { kind: 'response' }>
  const words = oktaWords(a)
  const scope = which === 'app' ? 'okta.apps.read' : 'okta.logs.read'
  if (a.status === 401) {
    if (auth === 'ssws')
      return failed(
        'okta-api-token',
        `Okta refused the API token${words}: it is wrong, expired (30 days unused) or its admin was deactivated`
      )
    return failed('okta-client-id', `Okta refused the access token it issued to the service app${words}`)
  }
  if (a.status === 403) {
    if (/insufficient_scope/i.test(a.wwwAuthenticate ?? '') || a.oauthError === 'insufficient_scope')
      return failed(
        'okta-client-id',
        `Okta says the access token lacks the scope ${scope}${words}: grant it to the service app (Okta API Scopes tab)`
      )
    if (auth === 'ssws')
      return failed('okta-api-token', `Okta refused ${what}${words}: the API token's admin needs the Read-only Administrator role`)
    return failed(
      'okta-client-id',
      `Okta refused ${what}${words}: assign the Read-only Administrator role to the service app (Admin roles tab)`
    )
  }
  if (a.status === 404) {
    if (which === 'app')
      return failed('okta-app-id', `Okta has no app with the id okta-app-id${words}: take the id (0oa…) from the GitHub app's admin URL`)
    return failed('okta-org-url', `Okta has no System Log at okta-org-url${words}`)
  }
  if (a.oauthError === 'invalid_dpop_proof' || a.oauthError === 'use_dpop_nonce' || /dpop/i.test(a.wwwAuthenticate ?? ''))
    return failed(null, `Okta refused the DPoP proof of ${what} (HTTP ${a.status})${words}`)
  return failed(null, `Okta refused ${what} with HTTP ${a.status}${words}`)
}

/** The app's own state: its label, and whether it pushes to GitHub at all. */
function judgeApp(facts: OktaFacts, add: (f: IdpFinding) => void): string | null {
  if (!facts.app) return null
  const app = facts.app.app
  if (app === null) {
    add(apiFailureFinding(facts.app.answer, 'app', facts.auth))
    return null
  }
  if (app.status !== null && app.status !== 'ACTIVE') {
    add({ kind: 'provisioning-off', reason: serverText(`the app is ${app.status} in Okta: it pushes nothing to GitHub`) })
  } else if (app.features !== null && !PUSH_FEATURES.some(f => app.features?.includes(f))) {
    add({
      kind: 'provisioning-off',
      reason: serverText(
        "the app's push features are off (none of PUSH_NEW_USERS, PUSH_PROFILE_UPDATES, PUSH_USER_DEACTIVATION): Provisioning > To App",
        300
      )
    })
  }
  return app.label === null ? null : serverText(app.label)
}

/** The events that count, newest first, within the look-back; and the oldest event read at all. */
function countEvents(
  events: NonNullable<OktaFacts['logs']>['events'],
  options: JudgeOptions
): { counted: Counted[]; oldestRead: number | null } {
  const earliest = options.now - options.lookbackHours * 3_600_000 - FUTURE_GRACE_MS
  const latest = options.now + FUTURE_GRACE_MS
  const counted: Counted[] = []
  let oldestRead: number | null = null
  for (const e of events) {
    const at = Date.parse(e.published)
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
  const lastSuccess = counted.find(c => c.kind === 'success')
  const latestCred = counted.findIndex(c => c.kind === 'credentials')
  const cred = counted[latestCred]
  if (!cred || (lastSuccess && lastSuccess.at > cred.at)) return null
  // The run goes back until a success; its first failure is `since`.
  let since = cred
  let broken = false
  for (let i = latestCred + 1; i < counted.length; i++) {
    const c = counted[i] as Counted
    if (c.kind === 'success') {
      broken = true
      break
    }
    if (c.kind === 'credentials') since = c
  }
  return { kind: 'credentials-rejected', since: iso(since.at), sinceAtLeast: !broken && more, reason: cred.reason }
}

export function judgeOkta(facts: OktaFacts, options: JudgeOptions): IdpReport {
  const report: IdpReport = blankReport('okta', options.appId, facts.requests, [], { evidenceSince: null })
  const add = (finding: IdpFinding): void => {
    const same = report.findings.some(f => f.kind === finding.kind && JSON.stringify(f) === JSON.stringify(finding))
    if (!same) report.findings.push(finding)
  }
  if (facts.keyProblem !== null) {
    add(failed('okta-private-key', `the private key cannot be used: ${facts.keyProblem}`))
    return report
  }
  if (facts.tokenFailure !== null) {
    add(tokenFailureFinding(facts.tokenFailure, facts.keyIdGiven))
    return report
  }
  report.appLabel = judgeApp(facts, add)

  // The System Log.
  const logs = facts.logs
  if (!logs) return report
  if (logs.failure !== null) add(apiFailureFinding(logs.failure, 'logs', facts.auth))
  if (logs.nextElsewhere !== null)
    add(failed(null, `Okta's System Log pointed its next page elsewhere (${serverText(logs.nextElsewhere, 120)}), not followed`))
  const { counted, oldestRead } = countEvents(logs.events, options)
  report.details = { evidenceSince: logs.more && oldestRead !== null ? iso(oldestRead) : null }
  report.noAttempt = logs.failure === null && counted.length === 0
  const lastSuccess = counted.find(c => c.kind === 'success')
  const lastFailure = counted.find(c => c.kind !== 'success')
  if (lastSuccess) report.lastSuccessAt = iso(lastSuccess.at)
  if (lastFailure) {
    report.lastFailureAt = iso(lastFailure.at)
    report.lastFailureReason = lastFailure.reason
  }
  const credentials = credentialsFinding(counted, logs.more)
  if (credentials) add(credentials)
  // Per-user errors: the failures that are not about credentials, in the look-back.
  const others = counted.filter(c => c.kind === 'other')
  if (others.length > 0) add({ kind: 'provisioning-errors', count: others.length, latestReason: (others[0] as Counted).reason })
  return report
}
