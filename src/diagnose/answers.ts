/**
 * Reading GitHub's answers: what a status, its headers and its body say, as
 * data. Nothing here decides a cause; the steps do (see index.ts).
 */
import type { BodyProblem, Fact } from '../github/client.js'
import { isGitHubLogin } from '../inputs.js'
import { serverText } from '../sanitize.js'

/** What an answer that is not a 2xx (or a fault) means. */
export type Failure =
  | { type: 'bad-credentials' }
  | { type: 'lockout' }
  | { type: 'suspended' }
  | { type: 'sso'; url: string | null }
  | { type: 'ip-allow-list' }
  | { type: 'oauth-restricted' }
  | { type: 'pat-policy'; text: string }
  | { type: 'rate-limited'; reset: Date | null; secondary: boolean }
  | { type: 'unavailable'; detail: string }
  | { type: 'not-found' }
  | { type: 'forbidden'; text: string }
  | { type: 'unauthorized'; text: string }
  | { type: 'unexpected'; detail: string }

/** An answer with a status (not a fault). */
export type HttpAnswer = Extract<Fact, { kind: 'response' }>

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function ok(fact: Fact | null): fact is HttpAnswer {
  return fact !== null && fact.kind === 'response' && fact.status >= 200 && fact.status < 300
}

export function httpStatus(fact: Fact): string {
  return fact.kind === 'response' ? `HTTP ${fact.status}` : fact.fault
}

/** GitHub's error text (`message`, or a SCIM error's `detail`), as data: one line, bounded. */
export function messageOf(body: unknown): string {
  if (isObject(body)) {
    if (typeof body.message === 'string') return serverText(body.message)
    if (typeof body.detail === 'string') return serverText(body.detail)
  }
  if (typeof body === 'string') return serverText(body)
  return ''
}

/** The host a redirect pointed at, as data (`an unreadable location` when there is none). */
function locationHost(location: string | undefined): string {
  if (location === undefined || location.trim() === '') return 'no location'
  try {
    const u = new URL(location, 'relative:///')
    return u.protocol === 'relative:' ? 'the same host' : serverText(u.host, 100) || serverText(u.protocol, 20)
  } catch {
    return 'an unreadable location'
  }
}

/** `X-GitHub-SSO: required; url=…` or `partial-results; organizations=1,2` (docs/github-behaviour.md, "SSO"). */
export function parseSsoHeader(headers: Record<string, string>): { required: boolean; url: string | null; partialOrgIds: string[] } {
  const raw = headers['x-github-sso'] ?? ''
  const url = /\burl=([^;\s]+)/.exec(raw)?.[1] ?? null
  const partial = /partial-results;\s*organizations=([\d,\s]+)/.exec(raw)?.[1] ?? ''
  return {
    required: /^\s*required\b/.test(raw),
    url,
    partialOrgIds: partial
      .split(',')
      .map(s => s.trim())
      .filter(s => s !== '')
  }
}

/**
 * The SSO authorization URL, only when it is an https URL on the web host
 * that belongs to api-url (github.com, SUB.ghe.com, the GHES host): a URL
 * anywhere else is never shown to an admin about to sign in
 * (docs/github-behaviour.md, "SSO" and "Hosts").
 */
export function trustedSsoUrl(url: string | null, webUrl: string): { url: string | null; foreignHost: string | null } {
  if (url === null) return { url: null, foreignHost: null }
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return { url: null, foreignHost: 'an unreadable address' }
  }
  const web = new URL(webUrl)
  if (u.protocol !== 'https:' || u.host !== web.host || u.username !== '' || u.password !== '' || url.length > 1000) {
    return { url: null, foreignHost: serverText(u.host, 100) || 'an unusable address' }
  }
  return { url: u.href, foreignHost: null }
}

/** When a rate limit lifts: `retry-after` (seconds) first, else `x-ratelimit-reset` (epoch seconds) (docs/github-behaviour.md, "Rate limits"). */
function rateLimitReset(headers: Record<string, string>, now: Date): Date | null {
  const retryAfter = Number(headers['retry-after'])
  if (headers['retry-after'] !== undefined && Number.isFinite(retryAfter) && retryAfter >= 0) {
    return new Date(now.getTime() + retryAfter * 1000)
  }
  const reset = Number(headers['x-ratelimit-reset'])
  if (headers['x-ratelimit-reset'] !== undefined && Number.isFinite(reset) && reset > 0 && reset < 1e11) {
    return new Date(reset * 1000)
  }
  return null
}

export const BODY_PROBLEM_TEXT: Record<BodyProblem, string> = {
  'too-large': 'larger than the 1 MiB an answer may have, and was not read',
  'budget-spent': 'not read: the 16 MiB all answers of a run may have were spent',
  'cut-short': 'cut short',
  stalled: 'stalled and was not read'
}

/**
 * Classifies an answer that is not a 2xx (or a fault). Status and headers
 * decide first; words only tell apart the 403s that share a status, and are
 * matched loosely, since GitHub's wording differs across years and GHES
 * versions (docs/github-behaviour.md, "Status codes and texts" and
 * "Wording across years and versions").
 */
export function classify(fact: Fact, now: Date): Failure {
  if (fact.kind === 'fault') {
    return { type: 'unavailable', detail: fact.fault === 'timeout' ? 'no answer within the time budget' : serverText(fact.detail) }
  }
  const { status, headers, body } = fact
  const text = messageOf(body)
  const quoted = text ? `: ${serverText(text, 120)}` : ''
  if (status >= 300 && status < 400) {
    return { type: 'unexpected', detail: `HTTP ${status}, a redirect to ${locationHost(headers.location)}, which was not followed` }
  }
  if (status >= 500) return { type: 'unavailable', detail: `HTTP ${status}${quoted}` }
  // A body the client could not read whole: the status still stands where it alone decides (401, 404).
  if (fact.bodyProblem !== undefined && status !== 401 && status !== 404) {
    return { type: 'unexpected', detail: `HTTP ${status} with a body that was ${BODY_PROBLEM_TEXT[fact.bodyProblem]}` }
  }
  const sso = parseSsoHeader(headers)
  if ((status === 403 || status === 404) && sso.required) return { type: 'sso', url: sso.url }
  if (status === 401) {
    return /bad credentials/i.test(text) || text === '' ? { type: 'bad-credentials' } : { type: 'unauthorized', text }
  }
  if (status === 429 || status === 403) {
    const hasLimitHeaders = Object.keys(headers).some(k => k.startsWith('x-ratelimit-'))
    // Secondary: the words (today's "secondary rate limit", once "abuse detection"), or a Retry-After without X-RateLimit-*.
    const secondary = /secondary rate|abuse/i.test(text) || (status === 403 && headers['retry-after'] !== undefined && !hasLimitHeaders)
    const primary = headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(text)
    if (status === 429 || secondary || primary) {
      return { type: 'rate-limited', reset: rateLimitReset(headers, now), secondary }
    }
  }
  if (status === 403) {
    // "Maximum number of login attempts exceeded", once "Max number of login attempt exceeded".
    if (/login attempts? exceeded/i.test(text)) return { type: 'lockout' }
    if (/account (?:was|has been) suspended/i.test(text)) return { type: 'suspended' }
    if (/SAML enforcement/i.test(text)) return { type: 'sso', url: sso.url }
    if (/IP allow list/i.test(text)) return { type: 'ip-allow-list' }
    if (/OAuth App access restrictions/i.test(text)) return { type: 'oauth-restricted' }
    if (/forbids access via|lifetime is greater than/i.test(text)) return { type: 'pat-policy', text }
    return { type: 'forbidden', text }
  }
  if (status === 404) return { type: 'not-found' }
  return { type: 'unexpected', detail: `HTTP ${status}${quoted}` }
}

/** A SCIM ListResponse, as GitHub sends it (docs/github-behaviour.md, "SCIM"). */
export function isScimList(body: unknown): boolean {
  return (
    isObject(body) &&
    Array.isArray(body.schemas) &&
    body.schemas.includes('urn:ietf:params:scim:api:messages:2.0:ListResponse') &&
    typeof body.totalResults === 'number' &&
    (body.Resources === undefined || Array.isArray(body.Resources))
  )
}

export function isUser(body: unknown): body is { login: string; id: number } {
  return isObject(body) && isGitHubLogin(body.login) && typeof body.id === 'number'
}

/**
 * `github-authentication-token-expiration`, e.g. `2021-10-07 19:07:53 UTC` or
 * `... +0900` (docs/github-behaviour.md, "Headers").
 */
export function parseExpiryHeader(value: string): Date | null {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\s*(UTC|GMT|Z|[+-]\d{2}:?\d{2}))?$/.exec(value.trim())
  if (!m) return null
  const zone = m[3] === undefined || m[3] === 'UTC' || m[3] === 'GMT' || m[3] === 'Z' ? 'Z' : m[3].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')
  const d = new Date(`${m[1]}T${m[2]}${zone}`)
  return Number.isNaN(d.getTime()) ? null : d
}

/** An OAuth scope name such as `admin:org` or `repo:status`. */
export function isScopeName(s: string): boolean {
  return /^[a-z][a-z0-9_]{0,40}(?::[a-z][a-z0-9_]{0,40})?$/.test(s)
}

export function fmtDate(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z')
}

/** The web host that belongs to api-url (docs/github-behaviour.md, "Hosts"). */
export function webUrlFor(apiUrl: string): string {
  try {
    const u = new URL(apiUrl)
    if (u.hostname === 'api.github.com') return 'https://github.com'
    if (/^api\./.test(u.hostname) && u.hostname.endsWith('.ghe.com')) return `https://${u.hostname.replace(/^api\./, '')}`
    if (/\/api\/v3\/?$/.test(u.pathname)) return `${u.protocol}//${u.host}`
    return 'https://github.com'
  } catch {
    return 'https://github.com'
  }
}
