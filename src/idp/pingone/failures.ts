/**
 * The input to fix when PingOne's token request or an API read failed (docs/idp-pingone.md [P4][P9][P8]):
 * P1Error codes first (`ACCESS_FAILED` with `INVALID_TOKEN`/`INSUFFICIENT_PERMISSIONS`, `NOT_FOUND`,
 * `REQUEST_LIMITED`), then the status. Every server string passes `serverText`.
 */
import { serverText } from '../../sanitize.js'
import type { IdpFinding } from '../types.js'
import type { PingOneInputs } from './config.js'
import type { PingAnswer } from './facts.js'

export type CheckFailed = Extract<IdpFinding, { kind: 'check-failed' }>
type Response = Extract<PingAnswer, { kind: 'response' }>

export const failed = (input: string | null, reason: string): CheckFailed => ({
  kind: 'check-failed',
  input,
  reason: serverText(reason, 500)
})

/** PingOne's words for an error answer: `code (detail codes): message`, or OAuth's `error: error_description`. */
function words(a: Response): string {
  const codes = [a.code, ...a.detailCodes].filter(Boolean)
  const p1 =
    codes.length > 0 ? `${codes[0]}${codes.length > 1 ? ` (${codes.slice(1).join(', ')})` : ''}${a.message ? `: ${a.message}` : ''}` : ''
  const oauth = [a.oauthError, a.oauthDescription].filter(Boolean).join(': ')
  const said = p1 || oauth
  return said ? ` (${serverText(said, 160)})` : ''
}

function retryAfterWords(a: Response): string {
  const seconds = /^\s*(\d{1,9})\s*$/.exec(a.retryAfter ?? '')
  if (seconds) return `; Retry-After: ${seconds[1]} s`
  return a.retryAfter ? `; Retry-After: ${serverText(a.retryAfter, 60)}` : '; no Retry-After was given'
}

function hostOf(location: string | null): string {
  if (!location) return 'nowhere (no Location)'
  try {
    return serverText(new URL(location, 'https://invalid.invalid').host || location, 120)
  } catch {
    return 'an unreadable Location'
  }
}

/** What every step shares: no answer, a redirect, a rate limit, an outage, an unreadable answer. Null: judge it. */
function commonFailure(answer: PingAnswer, what: string, urlInput: string): CheckFailed | null {
  if (answer.kind === 'fault') {
    if (answer.fault === 'refused') return failed(urlInput, `${what} was not sent: ${serverText(answer.detail)}`)
    if (answer.fault === 'timeout') return failed(null, `PingOne is unavailable: ${what} got no answer within the time budget`)
    return failed(null, `PingOne is unavailable: ${what} failed on the network (${serverText(answer.detail, 120)}); check ${urlInput}`)
  }
  const s = answer.status
  if (s >= 300 && s < 400)
    return failed(
      urlInput,
      `PingOne answered ${what} with a redirect (${s}) to ${hostOf(answer.location)}, not followed: ${urlInput} must name the environment's own region`
    )
  if (s === 429) return failed(null, `PingOne rate-limited ${what}${words(answer)}${retryAfterWords(answer)}; run the check again later`)
  if (s >= 500) return failed(null, `PingOne is unavailable: ${what} answered HTTP ${s}${words(answer)}`)
  if (s >= 200 && s < 300) {
    if (answer.bodyProblem !== null) return failed(null, `PingOne's answer to ${what} could not be read (${answer.bodyProblem})`)
    if (answer.unexpected !== null) return failed(null, `PingOne's answer to ${what} was not what PingOne sends: ${answer.unexpected}`)
  }
  if (s < 200) return failed(null, `PingOne sent an unexpected answer to ${what} (HTTP ${s})`)
  return null
}

/** The token endpoint refused (OAuth error texts UNCONFIRMED [P6]): name the input to fix. */
export function tokenFailureFinding(
  answer: PingAnswer,
  inputs: Pick<PingOneInputs, 'auth' | 'authUrlInput'>,
  keyIdGiven: boolean
): CheckFailed {
  const common = commonFailure(answer, 'the token request', inputs.authUrlInput)
  if (common) return common
  const a = answer as Response
  const said = words(a)
  const text = `${a.oauthError ?? ''} ${a.oauthDescription ?? ''} ${a.message ?? ''}`
  if (a.status === 404 || a.code === 'NOT_FOUND')
    return failed('pingone-environment-id', `PingOne has no environment pingone-environment-id at ${inputs.authUrlInput}${said}`)
  if (a.oauthError === 'unauthorized_client' || a.oauthError === 'unsupported_grant_type')
    return failed(
      'pingone-client-id',
      `PingOne refused the grant${said}: pingone-client-id must be a Worker app with the Client Credentials grant type`
    )
  if (inputs.auth.kind === 'private-key-jwt') {
    if (/\bkid\b|key id/i.test(text))
      return failed('pingone-key-id', `PingOne refused the client assertion${said}: pingone-key-id must name the worker app's key`)
    if (/expired|\biat\b|\bexp\b|future/i.test(text))
      return failed(null, `PingOne refused the client assertion${said}: check this machine's clock`)
    if (/signature|assertion|jwt|key/i.test(text))
      return failed(
        'pingone-private-key',
        `PingOne refused the client assertion${said}: pingone-private-key must be the private half of the worker app's key, and the app's Token Endpoint Authentication Method Private Key JWT` +
          (keyIdGiven ? '' : ' (give pingone-key-id when the app has several keys)')
      )
    return failed(
      'pingone-client-id',
      `PingOne refused the token request (pingone-client-id, pingone-private-key) with HTTP ${a.status}${said}`
    )
  }
  if (/client.?id|unknown client|not found/i.test(text))
    return failed('pingone-client-id', `PingOne does not know the client pingone-client-id in this environment${said}`)
  return failed(
    'pingone-client-secret',
    `PingOne refused the worker app's credentials with HTTP ${a.status}${said}: pingone-client-secret must be the app's current secret, and its Token Endpoint Authentication Method Client Secret Basic`
  )
}

const WHAT = {
  store: 'GET …/propagation/stores/{pingone-store-id}',
  rules: 'GET …/propagation/rules',
  plans: 'GET …/propagation/plans'
} as const

/** An API read was refused: name the input to fix. A 401 is never retried. */
export function apiFailureFinding(answer: PingAnswer, which: keyof typeof WHAT, inputs: Pick<PingOneInputs, 'apiUrlInput'>): CheckFailed {
  const what = WHAT[which]
  const common = commonFailure(answer, what, inputs.apiUrlInput)
  if (common) return common
  const a = answer as Response
  const said = words(a)
  if (a.status === 401)
    return failed(
      'pingone-client-id',
      `PingOne refused the access token it issued to the worker app${said}: the token is for another environment or region (check ${inputs.apiUrlInput}), or the app was disabled`
    )
  if (a.status === 403)
    return failed(
      'pingone-client-id',
      `PingOne refused ${what}${said}: give the worker app a role that reads propagation stores, rules and plans on this environment (Configuration Read-Only Admin, or a custom role; docs/idp-pingone.md)`
    )
  if (a.status === 404) {
    if (which === 'store')
      return failed(
        'pingone-store-id',
        `PingOne has no propagation store pingone-store-id in this environment${said}: take its id from the GitHub EMU connection`
      )
    return failed('pingone-environment-id', `PingOne has no environment pingone-environment-id at ${inputs.apiUrlInput}${said}`)
  }
  return failed(null, `PingOne refused ${what} with HTTP ${a.status}${said}`)
}
