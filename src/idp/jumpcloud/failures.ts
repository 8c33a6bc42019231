/**
 * JumpCloud's refusals and faults as `check-failed` findings, each naming the input to fix [J3][J4][J9].
 * An outage, a rate limit or a network fault is never blamed on the credential. A 403 is not always a
 * missing permission: JumpCloud also answers 403 "Your IP has been blocked due to suspected abuse"
 * (observed [J9]), which no input fixes.
 */
import { serverText } from '../../sanitize.js'
import type { IdpFinding } from '../types.js'
import type { JcAnswer, JcFacts } from './facts.js'

type Response = Extract<JcAnswer, { kind: 'response' }>

export const failed = (input: string | null, reason: string): Extract<IdpFinding, { kind: 'check-failed' }> => ({
  kind: 'check-failed',
  input,
  reason: serverText(reason, 500)
})

/** JumpCloud's words for an error answer: `message`, or `error: error_description`. */
function words(answer: Response): string {
  const oauth = [answer.oauthError, answer.oauthDescription].filter(Boolean).join(': ')
  const text = answer.message ?? (oauth || null)
  return text ? ` (${serverText(text, 160)})` : ''
}

function retryText(answer: Response): string {
  const raw = (answer.retryAfter ?? '').trim()
  // JumpCloud documents no Retry-After [J9]; when one comes, it is quoted.
  return /^\d{1,7}$/.test(raw) ? `it asks to retry after ${raw} s` : 'it gave no time to retry after'
}

function redirectHost(location: string | null): string {
  if (!location) return 'nowhere (no Location)'
  try {
    return serverText(new URL(location, 'https://invalid.invalid').host || location, 120)
  } catch {
    return 'an unreadable Location'
  }
}

/** What every request shares: no answer, a redirect, a rate limit, JumpCloud down, an unreadable answer. */
function commonFailure(answer: JcAnswer, what: string, urlInput: string): IdpFinding | null {
  if (answer.kind === 'fault') {
    if (answer.fault === 'refused') return failed(urlInput, `${what} was not sent: ${serverText(answer.detail)}`)
    if (answer.fault === 'timeout') return failed(null, `JumpCloud is unavailable: ${what} got no answer within the time budget`)
    return failed(null, `JumpCloud is unavailable: ${what} failed on the network (${serverText(answer.detail, 120)}); check ${urlInput}`)
  }
  const s = answer.status
  if (s >= 300 && s < 400)
    return failed(
      urlInput,
      `JumpCloud answered ${what} with a redirect (${s}) to ${redirectHost(answer.location)}, not followed: ${urlInput} must be JumpCloud's own host for your region`
    )
  if (s === 429) return failed(null, `JumpCloud rate-limited ${what}${words(answer)}; ${retryText(answer)}`)
  if (s >= 500) return failed(null, `JumpCloud is unavailable: ${what} answered HTTP ${s}${words(answer)}`)
  if (answer.bodyProblem !== null && s < 300) return failed(null, `JumpCloud's answer to ${what} could not be read (${answer.bodyProblem})`)
  if (answer.unexpected !== null) return failed(null, `JumpCloud's answer to ${what} was not what JumpCloud sends: ${answer.unexpected}`)
  return null
}

/** The token endpoint refused the service account. */
export function tokenFailureFinding(answer: JcAnswer): IdpFinding {
  const what = 'the token request (jumpcloud-client-id, jumpcloud-client-secret)'
  const common = commonFailure(answer, 'the token request', 'jumpcloud-oauth-url')
  if (common) return common
  const a = answer as Response
  if (a.oauthError === 'invalid_scope')
    return failed(
      'jumpcloud-client-id',
      `JumpCloud refused the scope "api"${words(a)}: jumpcloud-client-id must be a JumpCloud service account`
    )
  if (a.status === 404) return failed('jumpcloud-oauth-url', `JumpCloud has no token endpoint at jumpcloud-oauth-url${words(a)}`)
  if (a.status === 401 || a.oauthError === 'invalid_client' || a.oauthError === 'unauthorized_client')
    return failed(
      'jumpcloud-client-secret',
      `JumpCloud refused ${what} with HTTP ${a.status}${words(a)}: the client secret is wrong or expired (a secret has a lifetime), or jumpcloud-client-id is not a service account's`
    )
  return failed('jumpcloud-client-id', `JumpCloud refused ${what} with HTTP ${a.status}${words(a)}`)
}

/** The credential input of this sign-in: the API key, or the service account. */
const credentialInput = (facts: Pick<JcFacts, 'auth'>): string => (facts.auth === 'api-key' ? 'jumpcloud-api-key' : 'jumpcloud-client-id')

function refused401(facts: Pick<JcFacts, 'auth' | 'orgIdGiven'>, w: string): IdpFinding {
  // GUESS: how JumpCloud answers a multi-tenant admin without (or with a wrong) x-org-id.
  const org = facts.orgIdGiven
    ? '; with jumpcloud-org-id, the admin must administer that organization'
    : " (a multi-tenant admin's credential also needs jumpcloud-org-id)"
  if (facts.auth === 'api-key')
    return failed(
      'jumpcloud-api-key',
      `JumpCloud refused the API key${w}: it is wrong, was regenerated or expired, or its admin's API access is off${org}`
    )
  return failed('jumpcloud-client-id', `JumpCloud refused the access token it issued to the service account${w}${org}`)
}

/** An API call (the app, or the event query) was refused. */
export function apiFailureFinding(answer: JcAnswer, which: 'app' | 'events', facts: Pick<JcFacts, 'auth' | 'orgIdGiven'>): IdpFinding {
  const what = which === 'app' ? 'GET /api/applications/{jumpcloud-app-id}' : 'the Directory Insights event query'
  const urlInput = which === 'app' ? 'jumpcloud-console-url' : 'jumpcloud-insights-url'
  const common = commonFailure(answer, what, urlInput)
  if (common) return common
  const a = answer as Response
  const w = words(a)
  if (a.status === 401) return refused401(facts, w)
  if (a.status === 403) {
    if (/blocked|suspected abuse/i.test(`${a.message ?? ''} ${a.oauthDescription ?? ''}`))
      return failed(null, `JumpCloud refused ${what}${w}: it blocks this runner's IP address, which no input fixes`)
    const need = which === 'app' ? 'View on Applications' : 'View on Directory Insights'
    const who = facts.auth === 'api-key' ? "the API key's admin" : 'the service account'
    return failed(credentialInput(facts), `JumpCloud refused ${what}${w}: ${who} needs a role with ${need} (or the Read Only role)`)
  }
  if (a.status === 404) {
    if (which === 'app')
      return failed(
        'jumpcloud-app-id',
        `JumpCloud has no application with the id jumpcloud-app-id${w}: take the id from the GitHub app's URL in the Admin Portal`
      )
    return failed('jumpcloud-insights-url', `JumpCloud has no Directory Insights at jumpcloud-insights-url${w}`)
  }
  if (a.status === 400 && which === 'app') return failed('jumpcloud-app-id', `JumpCloud refused ${what} with HTTP 400${w}`)
  return failed(null, `JumpCloud refused ${what} with HTTP ${a.status}${w}`)
}
