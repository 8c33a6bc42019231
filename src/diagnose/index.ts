/**
 * diagnose: one pure function from facts (+ inputs + the current time) to
 * causes. No I/O, no clock, no randomness: the same facts give the same verdict.
 */
import {
  makeCause,
  SEVERITY_ORDER,
  type Cause,
  type CauseId,
  type CauseInput,
  type RemediationContext,
  type Severity
} from '../causes.js'
import type { BodyProblem, Fact } from '../github/client.js'
import { isGitHubLogin, type Inputs } from '../inputs.js'
import type { Facts, OrgFacts, Platform } from '../github/probes.js'
import { serverText } from '../sanitize.js'
import { excessiveScopes, expandScopes, missingScopes, parseScopeList } from '../scopes.js'
import { kindSupportsScim, KIND_LABEL, type TokenKind } from '../token.js'

export type Status = 'healthy' | 'warning' | 'failing' | 'inconclusive'

export interface CredentialRecord {
  authorizedAt: string | null
  expiresAt: string | null
  accessedAt: string | null
}

export interface OrgSummary {
  org: string
  /** owner / member / billing_manager / not a member / unknown */
  role: string
  state: string
  samlIdentity: string
  ssoAuthorization: CredentialRecord | null
  /** Why `ssoAuthorization` is null: `no record` (listed, none for this token), or why it was not checked. */
  ssoAuthorizationNote: string | null
  scim: string
  /** What was not checked in this organization, each with its true reason (the summary's "Not checked"). */
  notChecked: string[]
}

export interface Verdict {
  status: Status
  login: string | null
  tokenKind: TokenKind
  /** null when GitHub sent no X-OAuth-Scopes header (fine-grained and App tokens). */
  scopes: string[] | null
  missingScopes: string[]
  expiresAt: string | null
  daysUntilExpiry: number | null
  ssoAuthorizationUrl: string | null
  platform: Platform
  causes: Cause[]
  orgs: OrgSummary[]
  enterprise: { slug: string; scim: string } | null
  notes: string[]
}

// ── Reading GitHub's answers ──────────────────────────────────────────────

type Failure =
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

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
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

function parseSsoHeader(headers: Record<string, string>): { required: boolean; url: string | null; partialOrgIds: string[] } {
  const raw = headers['x-github-sso'] ?? ''
  const url = /\burl=([^;\s]+)/.exec(raw)?.[1] ?? null
  const partial = /partial-results;\s*organizations=([\d,\s]+)/.exec(raw)?.[1] ?? ''
  return {
    required: /^\s*required\b/.test(raw),
    url,
    partialOrgIds: partial.split(',').map(s => s.trim()).filter(s => s !== '')
  }
}

/**
 * The SSO authorization URL, only when it is an https URL on the web host
 * that belongs to api-url (github.com, SUB.ghe.com, the GHES host): a URL
 * anywhere else is never shown to an admin about to sign in.
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

/**
 * Classifies an answer that is not a 2xx (or a fault). Status and headers
 * decide first; words only tell apart the 403s that share a status, and are
 * matched loosely, since GitHub's wording differs across years and GHES
 * versions (docs/github-behaviour.md, "Wording").
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

const BODY_PROBLEM_TEXT: Record<BodyProblem, string> = {
  'too-large': 'larger than the 1 MiB an answer may have, and was not read',
  'budget-spent': 'not read: the 16 MiB all answers of a run may have were spent',
  'cut-short': 'cut short',
  stalled: 'stalled and was not read'
}

function httpStatus(fact: Fact): string {
  return fact.kind === 'response' ? `HTTP ${fact.status}` : fact.fault
}

function ok(fact: Fact | null): fact is Extract<Fact, { kind: 'response' }> {
  return fact !== null && fact.kind === 'response' && fact.status >= 200 && fact.status < 300
}

function isScimList(body: unknown): boolean {
  return (
    isObject(body) &&
    Array.isArray(body.schemas) &&
    body.schemas.includes('urn:ietf:params:scim:api:messages:2.0:ListResponse') &&
    typeof body.totalResults === 'number' &&
    (body.Resources === undefined || Array.isArray(body.Resources))
  )
}

function isUser(body: unknown): body is { login: string; id: number } {
  return isObject(body) && isGitHubLogin(body.login) && typeof body.id === 'number'
}

/** `github-authentication-token-expiration`, e.g. `2021-10-07 19:07:53 UTC` or `... +0900` [S47]. */
export function parseExpiryHeader(value: string): Date | null {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\s*(UTC|GMT|Z|[+-]\d{2}:?\d{2}))?$/.exec(value.trim())
  if (!m) return null
  const zone = m[3] === undefined || m[3] === 'UTC' || m[3] === 'GMT' || m[3] === 'Z' ? 'Z' : m[3].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')
  const d = new Date(`${m[1]}T${m[2]}${zone}`)
  return Number.isNaN(d.getTime()) ? null : d
}

/** An OAuth scope name such as `admin:org` or `repo:status`. */
function isScopeName(s: string): boolean {
  return /^[a-z][a-z0-9_]{0,40}(?::[a-z][a-z0-9_]{0,40})?$/.test(s)
}

const DAY_MS = 24 * 60 * 60 * 1000

function fmtDate(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z')
}

// ── The verdict ───────────────────────────────────────────────────────────

export function statusOf(causes: readonly Cause[]): Status {
  if (causes.some(c => c.severity === 'error')) return 'failing'
  if (causes.some(c => c.severity === 'inconclusive')) return 'inconclusive'
  if (causes.some(c => c.severity === 'warning')) return 'warning'
  return 'healthy'
}

function sortCauses(causes: Cause[]): Cause[] {
  return causes
    .map((c, i) => ({ c, i }))
    .sort((a, b) => SEVERITY_ORDER.indexOf(a.c.severity) - SEVERITY_ORDER.indexOf(b.c.severity) || a.i - b.i)
    .map(x => x.c)
}

/** Org-level blockers: they explain every membership, owner and SCIM answer of their org. */
const ORG_BLOCKERS: ReadonlySet<CauseId> = new Set(['sso-not-authorized', 'ip-allow-list-blocked', 'oauth-app-restricted', 'pat-policy-blocked'])
const ORG_EXPLAINED: ReadonlySet<CauseId> = new Set([
  'org-not-found', 'not-org-member', 'membership-pending', 'not-org-owner', 'scim-not-available', 'scim-forbidden', 'saml-identity-missing'
])

/**
 * Root causes only (PRODUCT.md "Precise rules"): a cause another explains is
 * dropped. Applied once, at the end, so every rule is in one place.
 */
export function rootCausesOnly(causes: Cause[]): Cause[] {
  const has = (id: CauseId, org?: string | null): boolean =>
    causes.some(c => c.id === id && (org === undefined || c.org === org))
  if (has('token-invalid')) return causes.filter(c => c.id === 'token-invalid' || c.id === 'token-whitespace')
  // Another account's token: every cause about that account, its orgs and enterprise describes someone
  // else's token, and its advice ("make the account an owner", "edit the PAT") would harm.
  if (has('login-mismatch') && !has('account-renamed')) return causes.filter(keptBesideLoginMismatch)
  return causes.filter(c => {
    const blocked = [...ORG_BLOCKERS].some(b => c.org !== null && has(b, c.org))
    if (blocked && ORG_EXPLAINED.has(c.id)) return false
    switch (c.id) {
      case 'not-org-member':
        return !has('org-not-found', c.org)
      case 'not-org-owner':
      case 'membership-pending':
        return !has('not-org-member', c.org) && !has('org-not-found', c.org)
      case 'login-mismatch':
        return !has('account-renamed')
      case 'scope-missing':
        return !has('token-kind-unsupported')
      case 'scim-forbidden':
      case 'scim-not-available':
        return (
          !has('scope-missing') &&
          !has('token-kind-unsupported') &&
          !(c.org !== null && ['not-org-owner', 'not-org-member', 'membership-pending', 'org-not-found'].some(id => has(id as CauseId, c.org)))
        )
      default:
        return true
    }
  })
}

/** What still stands beside `login-mismatch`: the mismatch, the input's whitespace, and the run's own faults. */
function keptBesideLoginMismatch(c: Cause): boolean {
  if (c.id === 'login-mismatch' || c.id === 'token-whitespace') return true
  return c.severity === 'inconclusive' && c.org === null && c.enterprise === null
}

class CauseList {
  readonly items: Cause[] = []
  constructor(readonly ctx: RemediationContext) {}
  add(input: CauseInput): void {
    const org = input.org ?? null
    const enterprise = input.enterprise ?? null
    if (this.items.some(c => c.id === input.id && c.org === org && c.enterprise === enterprise)) return
    this.items.push(makeCause(input, this.ctx))
  }
}

function where(org: string | null, enterprise: string | null = null): string {
  if (org) return `Organization ${org}: `
  if (enterprise) return `Enterprise ${enterprise}: `
  return ''
}

/** Turns a failure that is GitHub's or the network's fault into its inconclusive cause. Returns false for other failures. */
function addInconclusive(list: CauseList, f: Failure, what: string, org: string | null, enterprise: string | null = null): boolean {
  const prefix = where(org, enterprise)
  if (f.type === 'rate-limited') {
    const reset = f.reset ? ` The limit resets at ${fmtDate(f.reset)}.` : ''
    list.add({
      id: 'rate-limited',
      org,
      enterprise,
      message: `${prefix}${what} hit GitHub's ${f.secondary ? 'secondary' : 'primary'} rate limit, and the reset lies beyond the time budget, so the check could not finish.${reset}`
    })
    return true
  }
  if (f.type === 'unavailable') {
    list.add({ id: 'github-unavailable', org, enterprise, message: `${prefix}${what} failed: ${f.detail}. This is GitHub's or the network's fault, not the token's.` })
    return true
  }
  if (f.type === 'unexpected') {
    list.add({ id: 'unexpected-response', org, enterprise, message: `${prefix}${what} answered ${f.detail}, which is not an answer GitHub gives to this request.` })
    return true
  }
  return false
}

function badBody(list: CauseList, fact: Extract<Fact, { kind: 'response' }>, what: string, org: string | null, enterprise: string | null = null): void {
  const kind = fact.bodyProblem !== undefined
    ? `a body that was ${BODY_PROBLEM_TEXT[fact.bodyProblem]}`
    : typeof fact.body === 'string' ? (/^\s*</.test(fact.body) ? 'an HTML page' : 'a body that is not valid JSON') : 'JSON of the wrong shape'
  list.add({
    id: 'unexpected-response',
    org,
    enterprise,
    message: `${where(org, enterprise)}${what} answered HTTP ${fact.status} with ${kind}, not the JSON GitHub sends. A proxy or captive portal may be in between.`
  })
}

interface AccountContext {
  login: string
  token: string
  kind: TokenKind
  scopesKnown: boolean
  grantedExpanded: Set<string>
  scopeMissing: boolean
  kindSupported: boolean
}

/** Account-wide answers met on org-scoped requests (lockout, suspension) are not the org's. */
function addAccountWide(list: CauseList, f: Failure): boolean {
  if (f.type === 'lockout') {
    list.add({ id: 'login-attempts-exceeded', message: 'GitHub answered "Maximum number of login attempts exceeded": it rejects every authentication for this account for a while, valid tokens included.' })
    return true
  }
  if (f.type === 'suspended') {
    list.add({ id: 'account-suspended', message: 'GitHub answered "Your account was suspended" for the service account.' })
    return true
  }
  return false
}

function addBlocker(list: CauseList, f: Failure, org: string, what: string, ssoUrls: string[]): boolean {
  switch (f.type) {
    case 'sso': {
      const { url, foreignHost } = trustedSsoUrl(f.url, list.ctx.webUrl)
      if (url) ssoUrls.push(url)
      const how = url
        ? ` Authorize it within the hour at ${url}`
        : foreignHost
          ? ` GitHub's answer carried an authorization URL on ${foreignHost}, which is not ${new URL(list.ctx.webUrl).host}: it was not used. Authorize the token with Configure SSO instead.`
          : ''
      list.add({
        id: 'sso-not-authorized',
        org,
        url: url ?? undefined,
        message: `Organization ${org}: ${what} was refused with "Resource protected by organization SAML enforcement": the token is not authorized for SAML SSO in this organization.${how}`
      })
      return true
    }
    case 'ip-allow-list':
      list.add({ id: 'ip-allow-list-blocked', org, message: `Organization ${org}: ${what} was refused because the organization's IP allow list does not include this runner's IP address.` })
      return true
    case 'oauth-restricted':
      list.add({ id: 'oauth-app-restricted', org, message: `Organization ${org}: ${what} was refused: the organization has OAuth App access restrictions and this OAuth app is not approved.` })
      return true
    case 'pat-policy':
      list.add({ id: 'pat-policy-blocked', org, message: `Organization ${org}: ${what} was refused by a token policy: "${serverText(f.text)}"` })
      return true
    default:
      return false
  }
}

interface GraphqlOrgAnswer {
  provider: 'none' | 'linked' | 'missing' | 'hidden' | 'error'
  nameId?: string
  errorType?: string
  errorMessage?: string
  /** GraphQL's flag for a SAML block reported inside a 200 (`extensions.saml_failure`). */
  samlFailure?: boolean
}

function readIdentity(identities: Fact | null, index: number): GraphqlOrgAnswer | null {
  if (!ok(identities) || !isObject(identities.body)) return null
  const body = identities.body
  const key = `o${index}`
  const errors = Array.isArray(body.errors) ? (body.errors as unknown[]) : []
  const err = errors.find(e => isObject(e) && Array.isArray(e.path) && e.path[0] === key)
  if (isObject(err)) {
    return { provider: 'error', errorType: serverText(err.type, 40), errorMessage: serverText(err.message), samlFailure: isObject(err.extensions) && err.extensions.saml_failure === true }
  }
  const data = isObject(body.data) ? body.data : null
  if (data === null || !(key in data)) return { provider: 'error', errorType: 'MISSING', errorMessage: 'no data for the organization' }
  const org = data[key]
  if (org === null) return { provider: 'error', errorType: 'NULL', errorMessage: 'organization is null' }
  if (!isObject(org) || !('samlIdentityProvider' in org)) return { provider: 'error', errorType: 'SHAPE', errorMessage: 'unexpected shape' }
  const idp = org.samlIdentityProvider
  if (idp === null) return { provider: 'none' }
  if (!isObject(idp) || !isObject(idp.externalIdentities) || !Array.isArray(idp.externalIdentities.nodes)) {
    return { provider: 'error', errorType: 'SHAPE', errorMessage: 'unexpected shape' }
  }
  const node = idp.externalIdentities.nodes[0]
  if (node === undefined) return { provider: 'missing' }
  const saml = isObject(node) && isObject(node.samlIdentity) ? node.samlIdentity : null
  const scim = isObject(node) && isObject(node.scimIdentity) ? node.scimIdentity : null
  const nameId = serverText((saml && typeof saml.nameId === 'string' && saml.nameId) || (scim && typeof scim.username === 'string' && scim.username) || 'linked', 100)
  return { provider: 'linked', nameId }
}

/** The org's numeric id (for `X-GitHub-SSO: partial-results`), from the membership or the org itself. */
function orgIdOf(o: OrgFacts): string | null {
  for (const fact of [o.membership, o.info]) {
    if (!ok(fact) || !isObject(fact.body)) continue
    const body = fact.body
    const id = isObject(body.organization) ? body.organization.id : body.id
    if (typeof id === 'number') return String(id)
  }
  return null
}

function diagnoseOrg(
  list: CauseList,
  o: OrgFacts,
  index: number,
  facts: Facts,
  acct: AccountContext,
  now: Date,
  ssoUrls: string[]
): OrgSummary {
  const org = o.org
  const summary: OrgSummary = {
    org,
    role: 'unknown',
    state: 'unknown',
    samlIdentity: 'not checked',
    ssoAuthorization: null,
    ssoAuthorizationNote: o.credentials === null ? 'not checked' : null,
    scim: 'not checked',
    notChecked: []
  }
  const probes: Array<[string, Fact | null]> = [
    [`GET /orgs/${org}`, o.info],
    [`GET /user/memberships/orgs/${org}`, o.membership],
    [`GET /orgs/${org}/credential-authorizations`, o.credentials],
    [`GET /scim/v2/organizations/${org}/Users`, o.scim]
  ]
  const failures = new Map<string, Failure>()
  for (const [what, fact] of probes) {
    if (fact !== null && !ok(fact)) failures.set(what, classify(fact, now))
  }

  // 1. Account-wide answers, and blockers that explain everything else in this org.
  let blocked = false
  for (const [what, f] of failures) {
    addAccountWide(list, f)
    if (addBlocker(list, f, org, what, ssoUrls)) blocked = true
  }
  const identity = readIdentity(facts.identities, index)
  if (identity?.provider === 'error' && (identity.samlFailure === true || /SAML enforcement/i.test(identity.errorMessage ?? ''))) {
    addBlocker(list, { type: 'sso', url: null }, org, 'the GraphQL identity query', ssoUrls)
    blocked = true
  } else if (identity?.provider === 'error' && /IP allow list/i.test(identity.errorMessage ?? '')) {
    addBlocker(list, { type: 'ip-allow-list' }, org, 'the GraphQL identity query', ssoUrls)
    blocked = true
  }
  const orgId = orgIdOf(o)
  if (ok(facts.identities) && orgId !== null && parseSsoHeader(facts.identities.headers).partialOrgIds.includes(orgId)) {
    addBlocker(list, { type: 'sso', url: null }, org, 'the GraphQL identity query', ssoUrls)
    blocked = true
  }

  // 2. Faults of GitHub or the network: inconclusive, never the token's.
  for (const [what, f] of failures) addInconclusive(list, f, what, org)
  if (blocked) {
    summary.scim = 'blocked'
    const by = list.items.find(c => c.org === org && ORG_BLOCKERS.has(c.id))?.id ?? 'a blocker'
    summary.notChecked.push(`membership, owner role, linked SAML identity and SCIM: the organization refused the token (${by})`)
    if (summary.ssoAuthorizationNote === null && !ok(o.credentials)) summary.ssoAuthorizationNote = 'not checked'
    return summary
  }

  // 3. Does the org exist, and is the account an active owner?
  const infoMissing = failures.get(`GET /orgs/${org}`)?.type === 'not-found'
  const membershipFailure = failures.get(`GET /user/memberships/orgs/${org}`)
  let owner = false
  if (ok(o.info) && !(isObject(o.info.body) && typeof o.info.body.login === 'string' && typeof o.info.body.id === 'number')) {
    badBody(list, o.info, `GET /orgs/${org}`, org)
  }
  if (membershipFailure?.type === 'not-found') {
    if (infoMissing) {
      list.add({ id: 'org-not-found', org, message: `Organization ${org} does not exist, or is not visible to ${acct.login} (GitHub answers 404 for both).` })
      summary.role = 'org not found'
    } else {
      list.add({
        id: 'not-org-member',
        org,
        message: `${acct.login} is not a member of ${org}: it was removed, never joined, or was dropped by SAML enforcement for want of a linked identity. The IdP provisions with this account's credential, so provisioning into ${org} fails.`
      })
      summary.role = 'not a member'
    }
  } else if (membershipFailure?.type === 'forbidden' || membershipFailure?.type === 'unauthorized') {
    if (acct.kindSupported && !acct.scopeMissing) {
      list.add({ id: 'unexpected-response', org, message: `Organization ${org}: GET /user/memberships/orgs/${org} was refused ("${serverText(membershipFailure.text, 160)}") although the token has the scopes it needs.` })
    }
  } else if (ok(o.membership)) {
    const m = o.membership.body
    const state = isObject(m) ? m.state : undefined
    const role = isObject(m) && typeof m.role === 'string' ? serverText(m.role, 40) : undefined
    if ((state !== 'active' && state !== 'pending') || typeof role !== 'string') {
      badBody(list, o.membership, `GET /user/memberships/orgs/${org}`, org)
    } else {
      summary.state = state
      summary.role = role === 'admin' ? 'owner' : role
      if (state === 'pending') {
        list.add({ id: 'membership-pending', org, message: `${acct.login} was invited to ${org} but has not accepted the invitation, so it has no access yet.` })
      }
      if (role !== 'admin') {
        list.add({ id: 'not-org-owner', org, message: `${acct.login} is ${role === 'member' ? 'a member' : `a ${role}`} of ${org}, not an owner. SCIM only accepts an owner's credential; a token never gives more than its account has.` })
      }
      owner = state === 'active' && role === 'admin'
    }
  } else if (membershipFailure !== undefined && !['rate-limited', 'unavailable', 'unexpected'].includes(membershipFailure.type)) {
    addInconclusive(list, { type: 'unexpected', detail: `${membershipFailure.type}` }, `GET /user/memberships/orgs/${org}`, org)
  }

  // 4. The token's SSO authorization record (informational; matched on the last eight characters, never shown).
  if (ok(o.credentials)) {
    if (!Array.isArray(o.credentials.body) || !o.credentials.body.every(isObject)) {
      badBody(list, o.credentials, `GET /orgs/${org}/credential-authorizations`, org)
    } else {
      const last8 = acct.token.slice(-8)
      const rec = (o.credentials.body as unknown[]).find(e => isObject(e) && e.token_last_eight === last8)
      summary.ssoAuthorizationNote = isObject(rec)
        ? null
        : acct.kind === 'oauth-app'
          ? 'not listed (GitHub lists no SSO authorization for OAuth tokens)'
          : 'no record for this token'
      if (isObject(rec)) {
        // Timestamps, shown as GitHub wrote them only when they are dates.
        const str = (v: unknown): string | null => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? serverText(v, 40) : null)
        summary.ssoAuthorization = {
          authorizedAt: str(rec.credential_authorized_at),
          expiresAt: str(rec.authorized_credential_expires_at),
          accessedAt: str(rec.credential_accessed_at)
        }
      }
    }
  }

  if (summary.ssoAuthorizationNote === null && summary.ssoAuthorization === null) summary.ssoAuthorizationNote = 'not checked (no answer)'

  // 5. The linked SAML identity: only where it can be checked (an owner's token with read:org).
  const samlUnchecked = samlNotCheckedReason({ owner, summary, acct, identity, identities: facts.identities })
  if (samlUnchecked !== null) summary.notChecked.push(`linked SAML identity: ${samlUnchecked}`)
  if (owner && acct.grantedExpanded.has('read:org') && identity !== null) {
    if (identity.provider === 'linked') summary.samlIdentity = `linked (${identity.nameId})`
    else if (identity.provider === 'none') summary.samlIdentity = 'no SAML SSO configured on the organization'
    else if (identity.provider === 'missing') {
      summary.samlIdentity = 'none linked'
      list.add({
        id: 'saml-identity-missing',
        org,
        message: `${acct.login} has no linked SAML identity in ${org}. Provisioning works today, but while SAML SSO is enforced GitHub removes members without a linked identity, and the IdP's credential dies with the membership.`
      })
    } else if (identity.errorType !== 'NOT_FOUND') {
      list.add({ id: 'unexpected-response', org, message: `Organization ${org}: the GraphQL identity query answered an error (${identity.errorType}: ${serverText(identity.errorMessage ?? '', 160)}).` })
    }
  }

  // 6. SCIM, as the IdP calls it.
  if (o.scim !== null) {
    const f = failures.get(`GET /scim/v2/organizations/${org}/Users`)
    if (ok(o.scim)) {
      if (isScimList(o.scim.body)) summary.scim = 'answers'
      else badBody(list, o.scim, `GET /scim/v2/organizations/${org}/Users`, org)
    } else if (f?.type === 'not-found') {
      summary.scim = '404'
      if (owner) {
        const noSaml = identity?.provider === 'none'
        list.add({
          id: 'scim-not-available',
          org,
          message: `Organization ${org}: GET /scim/v2/organizations/${org}/Users answered 404 for an owner's token${noSaml ? ', and the organization has no SAML SSO of its own' : ''}. Organization SCIM exists only with organization-level SAML SSO on GitHub Enterprise Cloud; it disappears when SAML is turned off or moved to the enterprise.`
        })
      }
    } else if (f?.type === 'forbidden' || f?.type === 'unauthorized') {
      summary.scim = 'refused'
      list.add({ id: 'scim-forbidden', org, message: `Organization ${org}: GET /scim/v2/organizations/${org}/Users was refused${f.text ? ` ("${serverText(f.text, 160)}")` : ''}.` })
    } else if (f !== undefined) {
      summary.scim = 'no answer'
    }
  }

  // 7. Never healthy on an answer nothing explains: a refusal with no cause of its own is unexpected.
  const explainedElsewhere = list.items.some(c => c.org === org || ACCOUNT_WIDE.has(c.id))
  if (failures.size > 0 && !explainedElsewhere) {
    const what = [...failures].map(([route, f]) => `${route} (${f.type})`).join(', ')
    list.add({ id: 'unexpected-response', org, message: `Organization ${org}: ${what} refused a request that nothing else explains.` })
  }
  return summary
}

/** Why the linked SAML identity of an org could not be checked, in true words; null when it was checked. */
function samlNotCheckedReason(a: {
  owner: boolean
  summary: OrgSummary
  acct: AccountContext
  identity: GraphqlOrgAnswer | null
  identities: Fact | null
}): string | null {
  const { owner, summary, acct, identity, identities } = a
  if (owner && acct.grantedExpanded.has('read:org') && identity !== null && !(identity.provider === 'error' && identity.errorType === 'NOT_FOUND')) return null
  if (!owner) {
    const what = summary.role === 'unknown' ? 'its role could not be read' : `it is ${summary.state === 'pending' ? 'a pending' : 'an active'} ${summary.role}, not an active owner`
    return `only an owner's token can see linked identities, and for ${acct.login} ${what}`
  }
  if (!acct.scopesKnown) return 'the token reports no OAuth scopes, and linked identities need read:org or admin:org'
  if (!acct.grantedExpanded.has('read:org')) return 'the token has neither read:org nor admin:org'
  if (identities === null) return 'the identity query was not sent'
  if (!ok(identities)) return 'the GraphQL identity query got no usable answer (see the causes above)'
  if (identity?.provider === 'error' && identity.errorType === 'NOT_FOUND') return 'GraphQL did not find the organization'
  return 'the GraphQL identity query answered without this organization'
}

/** Causes that explain a refusal of any request of any org. */
const ACCOUNT_WIDE: ReadonlySet<CauseId> = new Set(['login-attempts-exceeded', 'account-suspended', 'token-kind-unsupported', 'scope-missing'])

/** The verdict for a run that stopped at the inputs: no request was sent. */
export function verdictForInputProblems(causes: Cause[], tokenKind: TokenKind = 'unknown'): Verdict {
  const sorted = sortCauses(causes)
  return {
    status: statusOf(sorted),
    login: null,
    tokenKind,
    scopes: null,
    missingScopes: [],
    expiresAt: null,
    daysUntilExpiry: null,
    ssoAuthorizationUrl: null,
    platform: 'dotcom',
    causes: sorted,
    orgs: [],
    enterprise: null,
    notes: ['No request was sent to GitHub: the inputs must be corrected first.']
  }
}

export interface DiagnoseOptions {
  tokenWhitespace?: boolean
  webUrl?: string
}

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

export function diagnose(facts: Facts, inputs: Inputs, now: Date, options: DiagnoseOptions = {}): Verdict {
  const ctx: RemediationContext = { webUrl: options.webUrl ?? webUrlFor(inputs.apiUrl) }
  const list = new CauseList(ctx)
  const notes = [...facts.skipped]
  const verdict: Verdict = {
    status: 'healthy',
    login: null,
    tokenKind: inputs.tokenKind,
    scopes: null,
    missingScopes: [],
    expiresAt: null,
    daysUntilExpiry: null,
    ssoAuthorizationUrl: null,
    platform: facts.platform,
    causes: [],
    orgs: [],
    enterprise: inputs.enterprise ? { slug: inputs.enterprise, scim: 'not checked' } : null,
    notes
  }
  const finish = (): Verdict => {
    verdict.causes = sortCauses(rootCausesOnly(list.items))
    verdict.status = statusOf(verdict.causes)
    if (verdict.causes.some(c => c.id === 'login-mismatch')) {
      // Nothing about another account is shown as if it were the service account's.
      const withheld = [...new Set(list.items.filter(c => !keptBesideLoginMismatch(c)).map(c => c.id))]
      verdict.orgs = []
      verdict.enterprise = null
      verdict.notes = [
        `The token belongs to ${verdict.login ?? 'another account'}, not to ${inputs.expectedLogin ?? 'the expected account'}: nothing about that account, its organizations or its enterprise was judged${withheld.length > 0 ? ` (${withheld.join(', ')} withheld)` : ''}, since advice about another account's token could harm. Check the service account's own token.`
      ]
    }
    return verdict
  }
  if (options.tokenWhitespace) {
    list.add({ id: 'token-whitespace', message: 'The token input had leading or trailing whitespace (a space or line break); it was trimmed before use.' })
  }

  // ── GET /user: is the token alive, and whose is it? ──
  const user = facts.user
  if (!ok(user)) {
    const f = classify(user, now)
    const kindFirst = !kindSupportsScim(inputs.tokenKind) && (f.type === 'forbidden' || f.type === 'unauthorized')
    if (kindFirst) {
      list.add({ id: 'token-kind-unsupported', message: `The token is a ${KIND_LABEL[inputs.tokenKind]}; GET /user refused it ("${serverText(f.text, 120)}"). SCIM provisioning needs a personal access token (classic) of the service account (or the IdP's own OAuth token).` })
    } else if (f.type === 'bad-credentials') {
      list.add({ id: 'token-invalid', message: 'GET /user answered 401 "Bad credentials": GitHub no longer accepts this token. It was revoked, it expired, it was regenerated, or its account was deleted. It was sent once and not retried.' })
    } else if (!addAccountWide(list, f) && !addInconclusive(list, f, 'GET /user', null)) {
      const text = f.type === 'forbidden' || f.type === 'unauthorized' ? f.text : f.type
      list.add({ id: 'unexpected-response', message: `GET /user answered ${httpStatus(user)} (${serverText(text, 160)}), which GitHub does not answer for a valid token.` })
    }
    notes.push('Nothing else was requested: the first request did not succeed.')
    return finish()
  }
  if (!isUser(user.body)) {
    if (isObject(user.body) && typeof user.body.login === 'string' && typeof user.body.id === 'number') {
      list.add({ id: 'unexpected-response', message: 'GET /user answered with a login that is not a GitHub login (GitHub logins are letters, digits and hyphens); nothing was judged on it.' })
    } else {
      badBody(list, user, 'GET /user', null)
    }
    notes.push('Nothing else was judged: the first answer was not GitHub\'s.')
    return finish()
  }
  const login = user.body.login
  verdict.login = login

  // ── Token kind and scopes ──
  const kindSupported = kindSupportsScim(inputs.tokenKind)
  if (!kindSupported) {
    list.add({ id: 'token-kind-unsupported', message: `The token is a ${KIND_LABEL[inputs.tokenKind]}. SCIM provisioning needs a personal access token (classic) of the service account (or the IdP's own OAuth token).` })
  }
  const scopeHeader = user.headers['x-oauth-scopes']
  const listed = scopeHeader === undefined ? null : parseScopeList(scopeHeader)
  // Scope names are data too: only what looks like a scope is kept, and at most 100 of them.
  const granted = listed === null ? null : listed.filter(isScopeName).slice(0, 100)
  if (listed !== null && granted !== null && granted.length !== listed.length) {
    list.add({ id: 'unexpected-response', message: 'GET /user sent an X-OAuth-Scopes header with values that are not OAuth scope names; only the scope names in it were used.' })
  }
  verdict.scopes = granted
  const required = [
    ...(inputs.orgs.length > 0 ? ['admin:org'] : []),
    ...(inputs.enterprise !== null ? ['scim:enterprise'] : []),
    ...inputs.requiredScopes
  ].filter((s, i, a) => a.indexOf(s) === i)
  let scopeMissing = false
  if (granted === null) {
    if (kindSupported) {
      list.add({ id: 'unexpected-response', message: `GET /user sent no X-OAuth-Scopes header, which GitHub always sends for a ${KIND_LABEL[inputs.tokenKind]}; the scopes could not be checked.` })
    }
  } else {
    const missing = missingScopes(granted, required)
    verdict.missingScopes = missing
    if (missing.length > 0) {
      scopeMissing = true
      list.add({
        id: 'scope-missing',
        message: `The token lacks ${missing.join(', ')} (it has ${granted.length > 0 ? granted.join(', ') : 'no scopes'}).${missing.includes('admin:org') ? ' Organization SCIM needs admin:org.' : ''}${missing.includes('scim:enterprise') ? ' Enterprise SCIM needs scim:enterprise.' : ''}`
      })
    }
    const excess = excessiveScopes(granted, required)
    if (excess.length > 0) {
      const swap = excess.includes('admin:enterprise') && inputs.enterprise !== null ? ' admin:enterprise still works for SCIM, but scim:enterprise alone is what GitHub recommends, and the swap is disruption-free.' : ''
      list.add({ id: 'scope-excessive', message: `The token also has ${excess.join(', ')}, which provisioning does not need; a leak would expose more than SCIM.${swap}` })
    }
  }
  const grantedExpanded = expandScopes(granted ?? [])
  const acct: AccountContext = {
    login,
    token: inputs.token,
    kind: inputs.tokenKind,
    scopesKnown: granted !== null,
    grantedExpanded,
    scopeMissing,
    kindSupported
  }

  // ── Which account? ──
  if (inputs.expectedLogin !== null && inputs.expectedLogin.toLowerCase() !== login.toLowerCase()) {
    const exp = facts.expectedUser
    const f = exp === null ? null : ok(exp) ? null : classify(exp, now)
    if (f?.type === 'not-found') {
      list.add({ id: 'account-renamed', message: `The account ${inputs.expectedLogin} no longer exists, and the token belongs to ${login}: the service account was most likely renamed (or ${inputs.expectedLogin} deleted). IdPs that store the login stop matching.` })
    } else {
      if (f !== null) addInconclusive(list, f, `GET /users/${inputs.expectedLogin}`, null)
      list.add({ id: 'login-mismatch', message: `The token belongs to ${login}, not to the expected service account ${inputs.expectedLogin}.` })
    }
  }

  // ── Expiry ──
  const expHeader = user.headers['github-authentication-token-expiration']
  let expiry: Date | null = null
  if (expHeader !== undefined && expHeader.trim() !== '') {
    expiry = parseExpiryHeader(expHeader)
    if (expiry === null) {
      list.add({ id: 'unexpected-response', message: 'GET /user sent a github-authentication-token-expiration header that is not a date; the expiry could not be checked.' })
    }
  }

  // ── Organizations ──
  const ssoUrls: string[] = []
  if (facts.identities !== null && !ok(facts.identities)) {
    const f = classify(facts.identities, now)
    if (!addAccountWide(list, f) && !addInconclusive(list, f, 'The GraphQL identity query', null)) {
      list.add({ id: 'unexpected-response', message: `The GraphQL identity query answered ${f.type}.` })
    }
  } else if (ok(facts.identities) && (!isObject(facts.identities.body) || !('data' in facts.identities.body || 'errors' in facts.identities.body))) {
    badBody(list, facts.identities, 'The GraphQL identity query', null)
  }
  facts.orgs.forEach((o, i) => {
    verdict.orgs.push(diagnoseOrg(list, o, i, facts, acct, now, ssoUrls))
  })
  verdict.ssoAuthorizationUrl = ssoUrls[0] ?? null

  // Expiry from the SSO authorization record when the header is absent.
  if (expiry === null && expHeader === undefined) {
    for (const o of verdict.orgs) {
      const e = o.ssoAuthorization?.expiresAt
      const d = e ? new Date(e) : null
      if (d && !Number.isNaN(d.getTime())) {
        expiry = d
        break
      }
    }
  }
  if (expiry !== null) {
    verdict.expiresAt = fmtDate(expiry)
    const days = Math.floor((expiry.getTime() - now.getTime()) / DAY_MS)
    verdict.daysUntilExpiry = days
    if (days <= inputs.warnDays) {
      const severity: Severity = days <= inputs.failDays ? 'error' : 'warning'
      list.add({
        id: 'token-expiring',
        severity,
        message: `The token expires on ${fmtDate(expiry)}, in ${days} day${days === 1 ? '' : 's'} (${severity === 'error' ? `fail-days is ${inputs.failDays}` : `warn-days is ${inputs.warnDays}`}).`
      })
    }
  }

  // ── Enterprise (EMU) ──
  if (inputs.enterprise !== null) {
    const ent = inputs.enterprise
    if (expiry !== null) {
      list.add({ id: 'token-expires', enterprise: ent, message: `Enterprise ${ent}: the SCIM token expires on ${fmtDate(expiry)} (in ${verdict.daysUntilExpiry} days). EMU provisioning tokens must not expire: SCIM stops the moment it passes.` })
    }
    if (!/_admin$/.test(login)) {
      list.add({ id: 'not-setup-user', enterprise: ent, message: `Enterprise ${ent}: the token belongs to ${login}, not to the setup user (SHORTCODE_admin).` })
    }
    const scim = facts.enterpriseScim
    if (scim !== null && verdict.enterprise) {
      if (ok(scim)) {
        if (isScimList(scim.body)) verdict.enterprise.scim = 'answers'
        else badBody(list, scim, `GET /scim/v2/enterprises/${ent}/Users`, null, ent)
      } else {
        const f = classify(scim, now)
        if (!addAccountWide(list, f) && !addInconclusive(list, f, `GET /scim/v2/enterprises/${ent}/Users`, null, ent)) {
          if (f.type === 'not-found') {
            verdict.enterprise.scim = '404'
            list.add({ id: 'scim-not-available', enterprise: ent, message: `Enterprise ${ent}: GET /scim/v2/enterprises/${ent}/Users answered 404: the slug is wrong, the enterprise is not an Enterprise Managed Users enterprise, or it lives on another host (EMU on GHE.com answers at https://api.SUBDOMAIN.ghe.com).` })
          } else if (f.type === 'forbidden' || f.type === 'unauthorized' || f.type === 'ip-allow-list' || f.type === 'pat-policy' || f.type === 'sso') {
            verdict.enterprise.scim = 'refused'
            const text = 'text' in f ? f.text : f.type
            list.add({ id: 'scim-forbidden', enterprise: ent, message: `Enterprise ${ent}: GET /scim/v2/enterprises/${ent}/Users was refused (${httpStatus(scim)}${text ? `: ${serverText(text, 160)}` : ''}). The token must be the setup user's (or an enterprise owner's) with scim:enterprise.` })
          } else {
            list.add({ id: 'unexpected-response', enterprise: ent, message: `Enterprise ${ent}: GET /scim/v2/enterprises/${ent}/Users answered ${f.type}.` })
          }
        }
      }
    }
  }

  for (const o of verdict.orgs) {
    for (const what of o.notChecked) notes.push(`Organization ${o.org}: ${what}.`)
  }
  return finish()
}
