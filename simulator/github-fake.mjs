/**
 * github-fake: a loopback fake of the GitHub REST + GraphQL API that answers the way GitHub does,
 * from a plain-object *world model* (see github-fake.d.mts for its shape, worlds.mjs for builders).
 *
 * It doubles as executable documentation of the GitHub behaviour the action relies on, and answers
 * according to docs/github-behaviour.md, which gives each fact its public source. Comments cite that
 * page's sections as `docs/github-behaviour.md, "<section>"`.
 * Response bodies validate against GitHub's OpenAPI description (__tests__/fake-schema.test.ts).
 * Where GitHub's behaviour is not documented, the choice is marked GUESS (the page's "What is not
 * confirmed" lists them).
 *
 * Plain JavaScript ESM, no build step, node: built-ins only (used by jest tests and by scripts/*.mjs).
 * The raw token is never stored or printed: the log keeps a sha256 fingerprint.
 */
import { createServer, STATUS_CODES } from 'node:http'
import { createHash, randomBytes, randomInt } from 'node:crypto'
import { URL } from 'node:url'
import { closeFake, listenLoopback, readBody, sleep } from './loopback.mjs'

// ---------------------------------------------------------------------------------------------
// GitHub's texts
// ---------------------------------------------------------------------------------------------

/** Exact texts GitHub sends; the action's diagnosis matches on several of them. */
export const MESSAGES = Object.freeze({
  requiresAuthentication: 'Requires authentication', // docs/github-behaviour.md, "Status codes and texts"
  // GraphQL's own wording for a request without a token. GUESS (widely observed, unsourced: docs/github-behaviour.md, "What is not confirmed").
  graphqlRequiresAuthentication: 'This endpoint requires you to be authenticated.',
  badCredentials: 'Bad credentials', // docs/github-behaviour.md, "Status codes and texts"
  loginAttemptsExceeded: 'Maximum number of login attempts exceeded. Please try again later.', // docs/github-behaviour.md, "Status codes and texts"
  suspended: 'Sorry. Your account was suspended.', // docs/github-behaviour.md, "Status codes and texts"
  notFound: 'Not Found', // docs/github-behaviour.md, "Status codes and texts"
  samlEnforced:
    'Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.', // docs/github-behaviour.md, "Status codes and texts"
  /** @param {string} org */
  ipAllowList: org =>
    `Although you appear to have the correct authorization credentials, the \`${org}\` organization has an IP allow list enabled, and your IP address is not permitted to access this resource.`, // docs/github-behaviour.md, "Status codes and texts"
  /** @param {string} org */
  oauthAppRestricted: org =>
    `Although you appear to have the correct authorization credentials, the \`${org}\` organization has enabled OAuth App access restrictions, meaning that data access to third-parties is limited. For more information on these policies, including how to enable this app, visit https://docs.github.com/articles/restricting-access-to-your-organization-s-data/`, // docs/github-behaviour.md, "Status codes and texts"
  /** @param {string} org */
  classicPatBlocked: org =>
    `\`${org}\` forbids access via a personal access token (classic). Please use a GitHub App, OAuth App, or a personal access token with fine-grained permissions.`, // docs/github-behaviour.md, "Status codes and texts"
  /** @param {string} org */
  fineGrainedBlocked: org =>
    `\`${org}\` forbids access via a personal access token with fine-grained permissions. Please use a GitHub App, or an OAuth App.`, // docs/github-behaviour.md, "Status codes and texts"
  // The texts for a fine-grained or App token that lacks a permission (docs/github-behaviour.md, "Status codes and texts").
  notAccessibleByPat: 'Resource not accessible by personal access token',
  notAccessibleByIntegration: 'Resource not accessible by integration',
  // GUESS: GitHub documents no fixed text for a classic token that lacks a scope, only "404 or 403" (docs/github-behaviour.md, "Status codes and texts").
  /** @param {string[]} scopes */
  scopeMissing: scopes => `This endpoint requires one of the following OAuth scopes: ${scopes.join(', ')}.`,
  // GUESS: exact org SCIM text for a non-owner is UNCONFIRMED (docs/github-behaviour.md, "What is not confirmed").
  scimNotOwner: 'You must be an organization owner to use the SCIM API for this organization.',
  // Enterprise SCIM 403 is described as "Permission denied" (docs/github-behaviour.md, "Status codes and texts"); the body wording is a GUESS.
  scimPermissionDenied: 'Permission denied',
  /** @param {number|string} who @param {string} requestId @param {string} timestamp */
  primaryRateLimit: (who, requestId, timestamp) =>
    `API rate limit exceeded for user ID ${who}. If you reach out to GitHub Support for help, please include the request ID ${requestId} and timestamp ${timestamp}.`, // docs/github-behaviour.md, "Rate limits"
  /** @param {string} ip */
  primaryRateLimitAnonymous: ip =>
    `API rate limit exceeded for ${ip}. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)`, // docs/github-behaviour.md, "Rate limits"
  /** @param {string} requestId */
  secondaryRateLimit: requestId =>
    `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`, // docs/github-behaviour.md, "Rate limits"
  /** @param {string} org */
  // GUESS: GraphQL's text for an unknown org (widely seen, unsourced: docs/github-behaviour.md, "What is not confirmed").
  graphqlOrgNotFound: org => `Could not resolve to an Organization with the login of '${org}'.`,
  // Older wordings recorded on the wire (docs/github-behaviour.md, "Wording across years and versions"): the singular lockout,
  // the docs' SSO example, and the secondary limit's earlier name.
  legacyLoginAttemptsExceeded: 'Max number of login attempt exceeded',
  legacySamlEnforced:
    'Resource protected by organization SAML enforcement. You must grant your personal token access to this organization.',
  abuseDetection: 'You have triggered an abuse detection mechanism. Please wait a few minutes before you try again.',
  serverError: 'Server Error',
  serviceUnavailable: 'Service Unavailable',
  gatewayTimeout:
    "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists."
})

/** Documentation links GitHub puts in `documentation_url` (paths below https://docs.github.com). */
const DOCS = {
  rest: '/rest',
  graphql: '/graphql',
  graphqlAuth: '/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql',
  getUser: '/rest/users/users#get-a-user',
  getAuthenticatedUser: '/rest/users/users#get-the-authenticated-user',
  getOrg: '/rest/orgs/orgs#get-an-organization',
  membership: '/rest/orgs/members#get-an-organization-membership-for-the-authenticated-user',
  credentialAuthorizations: '/enterprise-cloud@latest/rest/orgs/orgs#list-saml-sso-authorizations-for-an-organization',
  orgScim: '/enterprise-cloud@latest/rest/scim/scim#list-scim-provisioned-identities',
  enterpriseScim: '/enterprise-cloud@latest/rest/enterprise-admin/scim#list-provisioned-scim-identities-for-an-enterprise',
  saml: '/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/',
  primaryRateLimit: '/rest/overview/rate-limits-for-the-rest-api',
  secondaryRateLimit: '/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits'
}

const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error'
const SCIM_LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse'
const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User'

const JSON_TYPE = 'application/json; charset=utf-8'
const SCIM_TYPE = 'application/scim+json; charset=utf-8'
const HTML_TYPE = 'text/html; charset=utf-8'

const RATE_LIMIT = { authenticated: 5000, anonymous: 60 } // docs/github-behaviour.md, "Rate limits"

// ---------------------------------------------------------------------------------------------
// Platform: where the API lives and how it announces itself (docs/github-behaviour.md, "Hosts")
// ---------------------------------------------------------------------------------------------

/** @param {any} world */
const platformOf = world => world.platform ?? 'dotcom'
/** The wire forms of older GitHub answers (`world.wire.era === 'legacy'`). */
const legacy = world => world.wire?.era === 'legacy'
/** REST prefix: GHES serves REST under /api/v3; github.com and GHE.com at the root. */
const restPrefix = world => (platformOf(world) === 'ghes' ? '/api/v3' : '')
/** GraphQL endpoint: GHES /api/graphql; github.com and GHE.com /graphql. */
const graphqlPath = world => (platformOf(world) === 'ghes' ? '/api/graphql' : '/graphql')
const ghesVersion = world => world.ghesVersion ?? '3.17.0'

/** `x-github-enterprise-version`: absent on github.com, `ghe.com` on GHE.com, the version on GHES (docs/github-behaviour.md, "Headers"). */
function enterpriseVersionHeader(world) {
  const platform = platformOf(world)
  if (platform === 'ghe.com') return 'ghe.com'
  if (platform === 'ghes') return ghesVersion(world)
  return undefined
}

/** Host of the web UI (SSO URLs, html_url): github.com, SUB.ghe.com, or the GHES host. */
function webHost(world) {
  if (world.webHost) return world.webHost
  const platform = platformOf(world)
  if (platform === 'ghe.com') return 'example.ghe.com'
  if (platform === 'ghes') return 'ghes.example.com'
  return 'github.com'
}

function docsUrl(world, key) {
  const path = DOCS[key]
  if (platformOf(world) !== 'ghes') return `https://docs.github.com${path}`
  const [major, minor] = ghesVersion(world).split('.')
  return `https://docs.github.com/enterprise-server@${major}.${minor}${path.replace(/^\/(enterprise-cloud|free-pro-team)@latest/, '')}`
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

const sha256 = text => createHash('sha256').update(text).digest('hex')
/** The only trace of a token the fake keeps. */
export const fingerprint = token => sha256(token).slice(0, 12)

const hex = n =>
  randomBytes(Math.ceil(n / 2))
    .toString('hex')
    .slice(0, n)
    .toUpperCase()
/** Shaped like GitHub's, e.g. `402E:A4EB:45DFF6B:56B2F1FD:6570` (docs/github-behaviour.md, "Headers"). */
const newRequestId = () => `${hex(4)}:${hex(4)}:${hex(7)}:${hex(8)}:${hex(4)}`

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const randomAlnum = n => Array.from({ length: n }, () => ALNUM[randomInt(ALNUM.length)]).join('')

/** A stable UUID-shaped id derived from a seed (SCIM ids, GraphQL guids). */
function stableUuid(seed) {
  const h = sha256(seed)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
}
const stableInt = (seed, max = 2 ** 31 - 1) => (parseInt(sha256(seed).slice(0, 8), 16) % max) + 1

/** `2021-10-07 19:07:53 UTC`: the format of `github-authentication-token-expiration` (docs/github-behaviour.md, "Headers"). */
const utcStamp = date => `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`
/** ISO 8601 without milliseconds, the way GitHub's REST API writes timestamps. */
const isoSeconds = date => `${date.toISOString().slice(0, 19)}Z`

const sameLogin = (a, b) => String(a).toLowerCase() === String(b).toLowerCase()
/** GitHub logins and org names are case-insensitive; the world keeps the canonical spelling. */
function lookup(map, name) {
  if (!map || name === undefined || name === null) return undefined
  const key = Object.keys(map).find(k => sameLogin(k, name))
  return key === undefined ? undefined : { key, value: map[key] }
}

// ---------------------------------------------------------------------------------------------
// Tokens and scopes (docs/github-behaviour.md, "Token kinds", "Headers")
// ---------------------------------------------------------------------------------------------

/** Token kind from its prefix; 40 hex chars is a legacy (pre-2021) token (docs/github-behaviour.md, "Token kinds"). */
export function tokenKind(token) {
  if (token.startsWith('ghp_') || /^[0-9a-f]{40}$/.test(token)) return 'classic'
  if (token.startsWith('github_pat_')) return 'fine-grained'
  if (token.startsWith('gho_')) return 'oauth-app'
  if (token.startsWith('ghu_')) return 'app-user'
  if (token.startsWith('ghs_')) return 'app-installation'
  return 'unknown'
}

/**
 * Does a scope list satisfy `needed`? Scopes are stored normalized and imply lesser ones:
 * `admin:X` covers `write:X` and `read:X`; `write:X` covers `read:X` (docs/github-behaviour.md, "Headers").
 */
function grants(scopes, needed) {
  if (scopes.includes(needed)) return true
  const [level, resource] = needed.split(':')
  if (!resource) return false
  if (level === 'read') return scopes.includes(`write:${resource}`) || scopes.includes(`admin:${resource}`)
  if (level === 'write') return scopes.includes(`admin:${resource}`)
  return false
}

/**
 * Scope gate for classic and OAuth tokens. Tokens without scopes (`scopes: null`: fine-grained, App)
 * are judged by permissions in GitHub, which the fake does not model: they pass here (GUESS).
 */
function hasAnyScope(token, needed) {
  if (token.scopes === null || token.scopes === undefined) return true
  return needed.some(scope => grants(token.scopes, scope))
}

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

/**
 * A response before it is written: status, headers, body (object → JSON, string → as is).
 * @typedef {{ status: number, headers: Record<string, string>, body: unknown, contentType: string }} Reply
 */

/** @returns {Reply} */
const reply = (status, body, { headers = {}, contentType = JSON_TYPE } = {}) => ({ status, headers, body, contentType })

/**
 * GitHub's standard error object `{message, documentation_url, status}`. The SCIM operations type
 * `status` as an integer ("Scim Error"), so on SCIM routes the string `status` is left out and
 * the body fits both shapes.
 */
function errorReply(ctx, status, message, docs = 'rest', headers = {}) {
  // Older answers carry no `status`, and their documentation_url points at developer.github.com/v3
  // (docs/github-behaviour.md, "Wording across years and versions").
  if (legacy(ctx.world)) return reply(status, { message, documentation_url: 'https://developer.github.com/v3' }, { headers })
  const body = { message, documentation_url: docsUrl(ctx.world, docs) }
  if (!ctx.route?.scim) body.status = String(status)
  return reply(status, body, { headers })
}

const notFound = (ctx, docs = ctx.route?.docs ?? 'rest') => errorReply(ctx, 404, MESSAGES.notFound, docs)

/**
 * A SCIM error (`schemas`, `status`, `detail`) with `message`/`documentation_url` too, which the
 * "Scim Error" schema allows and without which Octokit reports "Unknown error" (docs/github-behaviour.md, "Status codes and texts").
 * `status` is an integer as GitHub's OpenAPI types it (RFC 7644 says string; GUESS which GitHub sends).
 */
function scimErrorReply(ctx, status, detail, headers = {}) {
  return reply(
    status,
    {
      schemas: [SCIM_ERROR_SCHEMA],
      status,
      detail,
      message: detail,
      documentation_url: docsUrl(ctx.world, ctx.route?.docs ?? 'rest')
    },
    { headers }
  )
}

// ---------------------------------------------------------------------------------------------
// Authentication: before anything else on every route (docs/github-behaviour.md, "Status codes and texts")
// ---------------------------------------------------------------------------------------------

function bearerToken(header) {
  if (header === undefined) return null
  const match = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header)
  return match ? match[1] : ''
}

/** @returns {{ ok: true, token: any, login: string, user: any } | { ok: false, reply: Reply }} */
function authenticate(ctx) {
  const { world, rawToken } = ctx
  const graphql = ctx.route?.key === 'POST /graphql'
  if (rawToken === null) {
    const reject = graphql
      ? errorReply(ctx, 401, MESSAGES.graphqlRequiresAuthentication, 'graphqlAuth')
      : errorReply(ctx, 401, MESSAGES.requiresAuthentication)
    return { ok: false, reply: reject }
  }
  // One text for unknown, revoked, expired or deleted-owner tokens: GitHub does not tell them apart (docs/github-behaviour.md, "Status codes and texts").
  const badCredentials = { ok: false, reply: errorReply(ctx, 401, MESSAGES.badCredentials, graphql ? 'graphql' : 'rest') }
  const token = world.tokens?.[rawToken]
  if (!token || token.revoked) return badCredentials
  if (token.expiresAt && Date.parse(token.expiresAt) <= Date.now()) return badCredentials // expired = revoked (docs/github-behaviour.md, "Status codes and texts")
  const owner = lookup(world.users, token.login)
  if (!owner) return badCredentials
  const forbidden = message => ({ ok: false, reply: reply(403, { message, documentation_url: docsUrl(world, 'rest') }) })
  if ((world.lockedOut ?? []).some(l => sameLogin(l, owner.key))) {
    return forbidden(legacy(world) ? MESSAGES.legacyLoginAttemptsExceeded : MESSAGES.loginAttemptsExceeded)
  }
  if (owner.value.suspended) return forbidden(MESSAGES.suspended)
  return { ok: true, token, login: owner.key, user: owner.value }
}

/**
 * `github-authentication-token-expiration` in the two recorded formats (docs/github-behaviour.md, "Headers"): `2025-06-14 15:09:46 UTC`
 * (classic tokens) or with a numeric offset, `2023-06-14 08:09:46 -0700` (`world.wire.expiry === 'offset'`).
 */
function expiryStamp(world, date) {
  if (world.wire?.expiry !== 'offset') return utcStamp(date)
  const local = new Date(date.getTime() - 7 * 3600 * 1000)
  return `${local.toISOString().slice(0, 19).replace('T', ' ')} -0700`
}

/** Headers every authenticated answer carries: scopes and expiry (docs/github-behaviour.md, "Headers"). */
function authHeaders(ctx, token) {
  const headers = {}
  // Classic and OAuth tokens report their scopes; fine-grained and App tokens do not (docs/github-behaviour.md, "Token kinds").
  if (Array.isArray(token.scopes)) headers['x-oauth-scopes'] = token.scopes.join(', ')
  // GitHub App user tokens: the header present and empty, with the App's client id (docs/github-behaviour.md, "Headers").
  else if (ctx.kind === 'app-user') {
    headers['x-oauth-scopes'] = ''
    headers['x-oauth-client-id'] = 'Iv1.5a2b3c4d5e6f7a8b'
  }
  if (token.expiresAt) headers['github-authentication-token-expiration'] = expiryStamp(ctx.world, new Date(token.expiresAt))
  return headers
}

// ---------------------------------------------------------------------------------------------
// Organization gate: shared by every org-scoped route, in this order
// ---------------------------------------------------------------------------------------------

const memberOf = (org, login) => lookup(org.members, login)?.value
const isActiveOwner = (org, login) => {
  const m = memberOf(org, login)
  return m?.role === 'admin' && m.state === 'active'
}

/**
 * Is a classic PAT held back by org SAML enforcement? It must be authorized per org ("Configure SSO");
 * OAuth and App tokens are authorized automatically, fine-grained ones at creation (docs/github-behaviour.md, "SSO").
 */
function ssoBlocked(ctx, org) {
  if (!org.value.saml || ctx.kind !== 'classic') return false
  if ((ctx.auth.token.ssoAuthorized ?? []).some(o => sameLogin(o, org.key))) return false
  return memberOf(org.value, ctx.auth.login)?.state === 'active'
}

/** 403 + `x-github-sso: required; url=…` (the URL authorizes the token, valid one hour: docs/github-behaviour.md, "SSO"). */
function ssoReply(ctx, org) {
  const url = `https://${webHost(ctx.world)}/orgs/${org.key}/sso?authorization_request=${randomAlnum(20)}`
  const message = legacy(ctx.world) ? MESSAGES.legacySamlEnforced : MESSAGES.samlEnforced
  return errorReply(ctx, 403, message, 'saml', { 'x-github-sso': `required; url=${url}` })
}

/**
 * Policy and network blocks of an org, or null. Shared with GraphQL, which reports them as errors.
 * @returns {string | null} the 403 message
 */
function orgBlock(ctx, org) {
  const o = org.value
  if (o.ipAllowList) return MESSAGES.ipAllowList(org.key) // docs/github-behaviour.md, "Status codes and texts"
  if (o.oauthAppRestricted && ctx.kind === 'oauth-app') return MESSAGES.oauthAppRestricted(org.key) // docs/github-behaviour.md, "Status codes and texts"
  if (o.classicPatBlocked && ctx.kind === 'classic') return MESSAGES.classicPatBlocked(org.key) // docs/github-behaviour.md, "Status codes and texts"
  if (o.fineGrainedBlocked && ctx.kind === 'fine-grained') return MESSAGES.fineGrainedBlocked(org.key) // docs/github-behaviour.md, "Status codes and texts"
  return null
}

/**
 * Org missing → 404; IP allow list, OAuth App restrictions, PAT policies → 403; SAML → 403 + X-GitHub-SSO.
 * @returns {{ org: { key: string, value: any } } | { reply: Reply }}
 */
function orgGate(ctx, name, { checkSso = true } = {}) {
  const org = lookup(ctx.world.orgs, name)
  if (!org) return { reply: notFound(ctx) } // 404, not 403, so as not to confirm it exists (docs/github-behaviour.md, "Status codes and texts")
  const blocked = orgBlock(ctx, org)
  if (blocked) return { reply: errorReply(ctx, 403, blocked) }
  if (checkSso && ssoBlocked(ctx, org)) return { reply: ssoReply(ctx, org) }
  return { org }
}

// ---------------------------------------------------------------------------------------------
// Resource bodies (fields required by GitHub's OpenAPI schemas, realistic values)
// ---------------------------------------------------------------------------------------------

const nodeId = (type, id) => Buffer.from(`04:${type}${id}`).toString('base64')

/** "Public User" (no properties beyond the schema's: it forbids additional ones). */
function publicUser(ctx, login, user, type = 'User') {
  const api = `${ctx.apiBase}/users/${encodeURIComponent(login)}`
  const created = user.createdAt ?? '2021-04-01T09:00:00Z'
  return {
    login,
    id: user.id,
    node_id: nodeId(type, user.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: `https://${webHost(ctx.world)}/${encodeURIComponent(login)}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type,
    user_view_type: 'public',
    site_admin: false,
    name: user.name ?? null,
    company: null,
    blog: '',
    location: null,
    email: null,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: created,
    updated_at: user.updatedAt ?? created
  }
}

/** "Private User": what `GET /user` shows the account itself. */
function privateUser(ctx, login, user) {
  return {
    ...publicUser(ctx, login, user),
    user_view_type: 'private',
    notification_email: null,
    private_gists: 0,
    total_private_repos: 0,
    owned_private_repos: 0,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true,
    plan: { name: 'free', space: 976562499, collaborators: 0, private_repos: 10000 }
  }
}

/** "Simple User" (membership `user`). */
function simpleUser(ctx, login, user) {
  const { name, email, ...rest } = publicUser(ctx, login, user)
  const keep = [
    'login',
    'id',
    'node_id',
    'avatar_url',
    'gravatar_id',
    'url',
    'html_url',
    'followers_url',
    'following_url',
    'gists_url',
    'starred_url',
    'subscriptions_url',
    'organizations_url',
    'repos_url',
    'events_url',
    'received_events_url',
    'type',
    'site_admin',
    'user_view_type'
  ]
  return { name, email, ...Object.fromEntries(keep.map(k => [k, rest[k]])) }
}

/** "Organization Simple". */
function orgSimple(ctx, org) {
  const { key: login, value: o } = org
  const api = `${ctx.apiBase}/orgs/${encodeURIComponent(login)}`
  return {
    login,
    id: o.id,
    node_id: nodeId('Organization', o.id),
    url: api,
    repos_url: `${api}/repos`,
    events_url: `${api}/events`,
    hooks_url: `${api}/hooks`,
    issues_url: `${api}/issues`,
    members_url: `${api}/members{/member}`,
    public_members_url: `${api}/public_members{/member}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${o.id}?v=4`,
    description: o.description ?? null
  }
}

/** `GET /orgs/{org}`: what anyone sees; owners with `admin:org` see the full record (GitHub's OpenAPI description). */
function orgBody(ctx, org, full) {
  const { key: login, value: o } = org
  const created = o.createdAt ?? '2019-06-01T12:00:00Z'
  const body = {
    ...orgSimple(ctx, org),
    name: o.name ?? login,
    company: o.company ?? '', // the orgs/get schema types company and location as non-null strings
    blog: `https://${login.toLowerCase()}.example`,
    location: o.location ?? '',
    email: `it@${login.toLowerCase()}.example`,
    twitter_username: null,
    is_verified: false,
    has_organization_projects: true,
    has_repository_projects: true,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    html_url: `https://${webHost(ctx.world)}/${encodeURIComponent(login)}`,
    type: 'Organization',
    created_at: created,
    updated_at: created,
    archived_at: null
  }
  if (!full) return body
  const seats = Object.keys(o.members ?? {}).length
  return {
    ...body,
    total_private_repos: 0,
    owned_private_repos: 0,
    private_gists: 0,
    disk_usage: 0,
    collaborators: 0,
    billing_email: `billing@${login.toLowerCase()}.example`,
    plan: { name: 'enterprise', space: 976562499, private_repos: 999999, filled_seats: seats, seats: Math.max(seats, 50) },
    default_repository_permission: 'read',
    members_can_create_repositories: false,
    two_factor_requirement_enabled: true,
    members_allowed_repository_creation_type: 'none',
    members_can_create_public_repositories: false,
    members_can_create_private_repositories: false,
    members_can_create_internal_repositories: false,
    members_can_create_pages: false,
    members_can_fork_private_repositories: false,
    web_commit_signoff_required: false
  }
}

/** A SCIM user built from a linked SAML identity (org or enterprise). */
function scimUser(ctx, base, scopeSeed, login, identity, extra = {}) {
  const id = stableUuid(`${scopeSeed}/${login}`)
  const email = identity.nameId.includes('@') ? identity.nameId : `${login}@example.com`
  const local = email.split('@')[0]
  return {
    schemas: [SCIM_USER_SCHEMA],
    id,
    externalId: identity.externalId ?? sha256(identity.nameId).slice(0, 10),
    userName: identity.username ?? identity.nameId,
    displayName: local,
    name: { givenName: local, familyName: 'User' },
    emails: [{ value: email, primary: true, type: 'work' }],
    active: true,
    meta: {
      resourceType: 'User',
      created: '2023-02-01T10:00:00.000Z',
      lastModified: '2023-02-01T10:00:00.000Z',
      location: `${base}/Users/${id}`
    },
    ...extra
  }
}

/** SCIM filter `attr eq "value"` on id, userName, externalId, emails (docs/github-behaviour.md, "SCIM"). */
function scimFilter(filter) {
  const match = /^\s*(\w+)\s+eq\s+["'](.*)["']\s*$/i.exec(filter ?? '')
  if (!match) return () => true
  const [, attr, value] = match
  return user => {
    if (attr === 'emails') return user.emails.some(e => sameLogin(e.value, value))
    return user[attr] !== undefined && String(user[attr]) === value
  }
}

const intParam = (value, fallback) => {
  const n = Number.parseInt(value ?? '', 10)
  return Number.isNaN(n) ? fallback : n
}

/** ListResponse with `startIndex` (1-based) and `count` paging (docs/github-behaviour.md, "SCIM"). */
function scimList(ctx, users) {
  const matching = users.filter(scimFilter(ctx.query.filter))
  const startIndex = Math.max(1, intParam(ctx.query.startIndex, 1))
  const count = Math.max(0, intParam(ctx.query.count, 30)) // default 30 (docs/github-behaviour.md, "SCIM")
  const page = matching.slice(startIndex - 1, startIndex - 1 + count)
  return reply(
    200,
    { schemas: [SCIM_LIST_SCHEMA], totalResults: matching.length, itemsPerPage: page.length, startIndex, Resources: page },
    { contentType: SCIM_TYPE }
  )
}

// ---------------------------------------------------------------------------------------------
// REST routes (paths relative to the REST prefix)
// ---------------------------------------------------------------------------------------------

const ORG_SCOPES = ['admin:org', 'read:org', 'write:org']

/**
 * Route table. `scim` marks the SCIM operations (their error schema differs); `accepted` is the
 * `x-accepted-oauth-scopes` the endpoint reports (docs/github-behaviour.md, "Headers"; values for GitHub's endpoints: GUESS).
 */
const ROUTES = [
  {
    key: 'GET /user',
    pattern: /^\/user$/,
    docs: 'getAuthenticatedUser',
    accepted: '',
    handle: ctx => {
      // Installation tokens are not a user: GET /user answers 403 (observed, GUESS on the exact text).
      if (ctx.kind === 'app-installation') return errorReply(ctx, 403, MESSAGES.notAccessibleByIntegration, 'getAuthenticatedUser')
      return reply(200, privateUser(ctx, ctx.auth.login, ctx.auth.user))
    }
  },
  {
    key: 'GET /users/{username}',
    pattern: /^\/users\/([^/]+)$/,
    docs: 'getUser',
    accepted: '',
    handle: (ctx, [username]) => {
      const user = lookup(ctx.world.users, username)
      if (user) return reply(200, publicUser(ctx, user.key, user.value))
      const org = lookup(ctx.world.orgs, username) // orgs are accounts too
      if (org) return reply(200, publicUser(ctx, org.key, org.value, 'Organization'))
      return notFound(ctx) // a renamed account's old login is free: 404 (docs/github-behaviour.md, "Status codes and texts")
    }
  },
  {
    key: 'GET /orgs/{org}',
    pattern: /^\/orgs\/([^/]+)$/,
    docs: 'getOrg',
    accepted: 'admin:org, read:org, repo, user, write:org',
    handle: (ctx, [name]) => {
      const gate = orgGate(ctx, name)
      if ('reply' in gate) return gate.reply
      const full = isActiveOwner(gate.org.value, ctx.auth.login) && hasAnyScope(ctx.auth.token, ['admin:org'])
      return reply(200, orgBody(ctx, gate.org, full))
    }
  },
  {
    key: 'GET /user/memberships/orgs/{org}',
    pattern: /^\/user\/memberships\/orgs\/([^/]+)$/,
    docs: 'membership',
    accepted: ORG_SCOPES.join(', '),
    handle: (ctx, [name]) => {
      const gate = orgGate(ctx, name)
      if ('reply' in gate) return gate.reply
      // Scope needed is UNCONFIRMED (probably read:org: docs/github-behaviour.md, "What is not confirmed"); 403 + X-Accepted-OAuth-Scopes is a GUESS.
      if (!hasAnyScope(ctx.auth.token, ORG_SCOPES)) return errorReply(ctx, 403, MESSAGES.scopeMissing(ORG_SCOPES))
      const membership = memberOf(gate.org.value, ctx.auth.login)
      if (!membership) return notFound(ctx) // 404 if not affiliated (docs/github-behaviour.md, "Status codes and texts")
      const api = `${ctx.apiBase}/orgs/${encodeURIComponent(gate.org.key)}`
      return reply(200, {
        url: `${api}/memberships/${encodeURIComponent(ctx.auth.login)}`,
        state: membership.state,
        role: membership.role, // `admin` = owner (docs/github-behaviour.md, "Status codes and texts")
        direct_membership: true,
        organization_url: api,
        organization: orgSimple(ctx, gate.org),
        user: simpleUser(ctx, ctx.auth.login, ctx.auth.user),
        permissions: { can_create_repository: membership.role === 'admin' }
      })
    }
  },
  {
    key: 'GET /orgs/{org}/credential-authorizations',
    pattern: /^\/orgs\/([^/]+)\/credential-authorizations$/,
    docs: 'credentialAuthorizations',
    accepted: ORG_SCOPES.join(', '),
    handle: (ctx, [name]) => {
      const gate = orgGate(ctx, name)
      if ('reply' in gate) return gate.reply
      // Owners only; classic/OAuth tokens need read:org (docs/github-behaviour.md, "SSO"). Others get 404 (GUESS: 404 rather than 403).
      if (!isActiveOwner(gate.org.value, ctx.auth.login) || !hasAnyScope(ctx.auth.token, ORG_SCOPES)) return notFound(ctx)
      return reply(200, credentialAuthorizations(ctx, gate.org))
    }
  },
  {
    key: 'GET /scim/v2/organizations/{org}/Users',
    pattern: /^\/scim\/v2\/organizations\/([^/]+)\/Users$/,
    docs: 'orgScim',
    scim: true,
    accepted: 'admin:org',
    handle: (ctx, [name]) => {
      if (platformOf(ctx.world) === 'ghes') return notFound(ctx, 'rest') // org SCIM is cloud-only (docs/github-behaviour.md, "SCIM")
      const gate = orgGate(ctx, name, { checkSso: false })
      if ('reply' in gate) return gate.reply
      const { org } = gate
      // Org SCIM needs org-level SAML; moving SAML to the enterprise removes it. No separate switch
      // is documented (UNCONFIRMED): `scim` defaults to "SAML is on". 404 when absent (docs/github-behaviour.md, "SCIM").
      if (!(org.value.scim ?? Boolean(org.value.saml))) return notFound(ctx)
      // "You must authenticate as an owner … (classic) … admin:org … and authorize it" (docs/github-behaviour.md, "SCIM"), in this order (GUESS).
      if (!isActiveOwner(org.value, ctx.auth.login)) return scimErrorReply(ctx, 403, MESSAGES.scimNotOwner)
      const kindBlock = scimTokenKindBlock(ctx)
      if (kindBlock) return scimErrorReply(ctx, 403, kindBlock)
      if (!hasAnyScope(ctx.auth.token, ['admin:org'])) return scimErrorReply(ctx, 403, MESSAGES.scopeMissing(['admin:org']))
      if (ssoBlocked(ctx, org)) return ssoReply(ctx, org)
      const base = `${ctx.apiBase}/scim/v2/organizations/${encodeURIComponent(org.key)}`
      const identities = Object.entries(org.value.saml?.identities ?? {})
      const users = identities.map(([login, identity]) =>
        scimUser(ctx, base, `org/${org.key}`, login, identity, { organization_id: org.value.id })
      )
      return scimList(ctx, users)
    }
  },
  {
    key: 'GET /scim/v2/enterprises/{enterprise}/Users',
    pattern: /^\/scim\/v2\/enterprises\/([^/]+)\/Users$/,
    docs: 'enterpriseScim',
    scim: true,
    accepted: 'admin:enterprise, scim:enterprise',
    handle: (ctx, [slug]) => {
      if (platformOf(ctx.world) === 'ghes') return notFound(ctx, 'rest') // GHES has /scim/v2/Users instead (docs/github-behaviour.md, "SCIM")
      const enterprise = lookup(ctx.world.enterprises, slug)
      if (!enterprise) return notFound(ctx)
      const e = enterprise.value
      if (!(e.owners ?? []).some(o => sameLogin(o, ctx.auth.login))) return scimErrorReply(ctx, 403, MESSAGES.scimPermissionDenied) // docs/github-behaviour.md, "Status codes and texts"
      const kindBlock = scimTokenKindBlock(ctx)
      if (kindBlock) return scimErrorReply(ctx, 403, kindBlock)
      // `scim:enterprise`; older tokens use `admin:enterprise` (docs/github-behaviour.md, "SCIM").
      if (!hasAnyScope(ctx.auth.token, ['scim:enterprise', 'admin:enterprise'])) {
        return scimErrorReply(ctx, 403, MESSAGES.scopeMissing(['scim:enterprise', 'admin:enterprise']))
      }
      if (e.scim === false) return notFound(ctx)
      const base = `${ctx.apiBase}/scim/v2/enterprises/${encodeURIComponent(enterprise.key)}`
      const users = Object.entries(e.identities ?? {}).map(([login, identity]) =>
        scimUser(ctx, base, `enterprise/${enterprise.key}`, login, identity, { roles: [{ value: 'user', primary: false }] })
      )
      return scimList(ctx, users)
    }
  }
]

/**
 * SCIM takes a classic PAT or an OAuth token. Fine-grained: "not supported" on GHES, classic required on
 * GHEC; App tokens UNCONFIRMED (docs/github-behaviour.md, "Token kinds"). The fake refuses both with GitHub's texts for a token that lacks a
 * permission (docs/github-behaviour.md, "Status codes and texts") (GUESS).
 */
function scimTokenKindBlock(ctx) {
  if (ctx.kind === 'fine-grained') return MESSAGES.notAccessibleByPat
  if (ctx.kind === 'app-user' || ctx.kind === 'app-installation') return MESSAGES.notAccessibleByIntegration
  return null
}

/**
 * Credential authorizations of the org (docs/github-behaviour.md, "SSO"): classic PATs SSO-authorized for it, filtered by `login`.
 * OAuth/App authorizations are automatic and not listed. Revoked tokens lose theirs; an expired
 * (not revoked) token stays listed, so its `authorized_credential_expires_at` can be read (GUESS).
 */
function credentialAuthorizations(ctx, org) {
  if (!org.value.saml) return []
  const login = ctx.query.login
  return Object.entries(ctx.world.tokens ?? {})
    .filter(([raw, t]) => tokenKind(raw) === 'classic' && !t.revoked)
    .filter(([, t]) => (t.ssoAuthorized ?? []).some(o => sameLogin(o, org.key)))
    .filter(([, t]) => lookup(ctx.world.users, t.login) && (!login || sameLogin(t.login, login)))
    .map(([raw, t]) => {
      const owner = lookup(ctx.world.users, t.login)
      const lastUsed = ctx.state.lastUsed.get(fingerprint(raw))
      const credentialId = t.credentialId ?? stableInt(`credential/${fingerprint(raw)}`)
      return {
        login: owner.key,
        credential_id: stableInt(`authorization/${org.key}/${credentialId}`),
        credential_type: 'personal access token',
        token_last_eight: raw.slice(-8),
        credential_authorized_at: t.ssoAuthorizedAt ?? '2024-01-15T10:00:00Z',
        credential_accessed_at: lastUsed ? isoSeconds(lastUsed) : null,
        authorized_credential_id: credentialId,
        authorized_credential_note: t.note ?? null,
        authorized_credential_expires_at: t.expiresAt ? isoSeconds(new Date(t.expiresAt)) : null,
        scopes: t.scopes ?? []
      }
    })
}

// ---------------------------------------------------------------------------------------------
// GraphQL (docs/github-behaviour.md, "GraphQL identities", "SSO")
// ---------------------------------------------------------------------------------------------

/** `alias: organization(login: $var)` in the query, with the alias' line and column. */
function orgSelections(query) {
  const found = []
  const re = /(\w+)\s*:\s*organization\s*\(\s*login\s*:\s*\$(\w+)\s*\)/g
  for (let m = re.exec(query); m; m = re.exec(query)) {
    const before = query.slice(0, m.index)
    const line = before.split('\n').length
    const column = m.index - before.lastIndexOf('\n')
    found.push({ alias: m[1], variable: m[2], locations: [{ line, column }] })
  }
  return found
}

/** The `login:` argument of `externalIdentities(…)`: a variable (`$login`) or a literal. */
function identityLoginOf(query, variables) {
  const args = /externalIdentities\s*\(([^)]*)\)/.exec(query)?.[1] ?? ''
  const byVar = /login\s*:\s*\$(\w+)/.exec(args)
  if (byVar) return variables[byVar[1]]
  return /login\s*:\s*"([^"]*)"/.exec(args)?.[1]
}

/**
 * One `organization(login:)` field. Hidden `samlIdentityProvider` is null for non-owners or tokens
 * without read:org/admin:org; null also when the org has no SAML (null-vs-no-SAML is UNCONFIRMED)
 * (docs/github-behaviour.md, "GraphQL identities").
 */
function resolveOrganization(ctx, selection, variables, identityLogin) {
  const name = variables[selection.variable]
  const error = (type, message, extensions) => ({
    type,
    path: [selection.alias],
    ...(extensions ? { extensions } : {}),
    locations: selection.locations,
    message
  })
  const org = lookup(ctx.world.orgs, name)
  if (!org) return { value: null, error: error('NOT_FOUND', MESSAGES.graphqlOrgNotFound(name)) }
  const blocked = orgBlock(ctx, org)
  // GUESS: IP allow list and policy blocks as FORBIDDEN errors with the REST texts (docs/github-behaviour.md, "What is not confirmed").
  if (blocked) return { value: null, error: error('FORBIDDEN', blocked) }
  // Multi-org answers: data withheld per org, `partial-results; organizations=<ids>` (documented for REST; GUESS for GraphQL).
  // A SAML block inside a 200: FORBIDDEN with the `saml_failure` flag (docs/github-behaviour.md, "SSO").
  if (ssoBlocked(ctx, org))
    return { value: null, error: error('FORBIDDEN', MESSAGES.samlEnforced, { saml_failure: true }), ssoOrgId: org.value.id }
  const saml = org.value.saml
  const visible = isActiveOwner(org.value, ctx.auth.login) && hasAnyScope(ctx.auth.token, ['read:org', 'admin:org'])
  if (!saml || !visible) return { value: { samlIdentityProvider: null } }
  const linked =
    identityLogin === undefined
      ? Object.entries(saml.identities ?? {})[0]
      : Object.entries(saml.identities ?? {}).find(([login]) => sameLogin(login, identityLogin))
  const nodes = linked
    ? [
        {
          guid: stableUuid(`guid/${org.key}/${linked[0]}`),
          samlIdentity: { nameId: linked[1].nameId, username: linked[1].username ?? null },
          scimIdentity: (org.value.scim ?? true) ? { username: linked[1].username ?? linked[1].nameId } : null,
          user: { login: lookup(ctx.world.users, linked[0])?.key ?? linked[0] }
        }
      ]
    : []
  return {
    value: {
      samlIdentityProvider: {
        ssoUrl: saml.ssoUrl ?? `https://idp.example.com/saml/${org.key.toLowerCase()}/sso`,
        externalIdentities: { nodes }
      }
    }
  }
}

/** `POST /graphql`: HTTP 200 with `data` and per-field `errors` (auth failures and faults aside). */
function handleGraphql(ctx) {
  let request
  try {
    request = JSON.parse(ctx.body || 'null')
  } catch {
    return errorReply(ctx, 400, 'Problems parsing JSON', 'graphql')
  }
  const query = request?.query
  if (typeof query !== 'string') {
    return reply(200, { errors: [{ message: 'A query attribute must be specified and must be a string.' }] })
  }
  const variables = request.variables ?? {}
  const data = {}
  const errors = []
  const ssoOrgIds = []

  if (/\bviewer\s*\{/.test(query)) data.viewer = { login: ctx.auth.login }
  const selections = orgSelections(query)
  const identityLogin = identityLoginOf(query, variables)
  for (const selection of selections) {
    const { value, error, ssoOrgId } = resolveOrganization(ctx, selection, variables, identityLogin)
    data[selection.alias] = value
    if (error) errors.push(error)
    if (ssoOrgId !== undefined) ssoOrgIds.push(ssoOrgId)
  }
  if (Object.keys(data).length === 0) {
    return reply(200, {
      errors: [{ message: 'github-fake: unsupported query (it knows `alias: organization(login: $var) {…}` and `viewer { login }`)' }]
    })
  }
  const headers = ssoOrgIds.length ? { 'x-github-sso': `partial-results; organizations=${ssoOrgIds.join(',')}` } : {}
  return reply(200, errors.length ? { data, errors } : { data }, { headers })
}

const GRAPHQL_ROUTE = { key: 'POST /graphql', docs: 'graphql', accepted: undefined, handle: handleGraphql }

// ---------------------------------------------------------------------------------------------
// Faults: what the network or GitHub does on a bad day
// ---------------------------------------------------------------------------------------------

/** The fault for this request: its route's, else `'*'`; each counts its own `times`. */
function takeFault(state, world, routeKey) {
  for (const key of [routeKey, '*']) {
    const fault = key && world.faults?.[key]
    if (!fault) continue
    const used = state.faultUses.get(fault) ?? 0
    if (fault.times !== undefined && used >= fault.times) continue
    state.faultUses.set(fault, used + 1)
    return fault
  }
  return undefined
}

const UNICORN_PAGE =
  '<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8"><title>Unicorn! &middot; GitHub</title></head>\n' +
  '<body><h1>Unicorn!</h1><p>No server is currently available to service your request.</p>\n' +
  '<p>Sorry about that. Please try refreshing and contact us if the problem persists.</p></body>\n</html>\n'

const PROXY_PAGE =
  '<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8"><title>Sign in &middot; Corporate Proxy</title></head>\n' +
  '<body><form method="post" action="/login"><input name="user"><input name="password" type="password"></form></body>\n</html>\n'

/** Default bodies of `status` faults: GitHub's 5xx answers. */
function statusFaultReply(ctx, fault) {
  const headers = { ...(fault.headers ?? {}) }
  const status = fault.status
  if (fault.body !== undefined) {
    const text = typeof fault.body === 'string'
    const contentType = headers['content-type'] ?? (text && fault.body.trimStart().startsWith('<') ? HTML_TYPE : JSON_TYPE)
    delete headers['content-type']
    return reply(status, fault.body, { headers, contentType })
  }
  if (status === 502) return reply(502, UNICORN_PAGE, { headers, contentType: HTML_TYPE })
  const message =
    status === 500
      ? MESSAGES.serverError
      : status === 503
        ? MESSAGES.serviceUnavailable
        : status === 504
          ? MESSAGES.gatewayTimeout
          : (STATUS_CODES[status] ?? 'Error')
  return errorReply(ctx, status, message, 'rest', headers)
}

/** Primary limit: 403/429, `x-ratelimit-remaining: 0`, reset epoch (docs/github-behaviour.md, "Rate limits"). */
function primaryRateLimitReply(ctx, fault) {
  const resource = ctx.route?.key === 'POST /graphql' ? 'graphql' : 'core'
  const owner = ctx.tokenRecord && lookup(ctx.world.users, ctx.tokenRecord.login)
  const limit = owner ? RATE_LIMIT.authenticated : RATE_LIMIT.anonymous
  const reset = Math.floor(Date.now() / 1000) + (fault.resetInSeconds ?? 3600)
  const headers = {
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': '0',
    'x-ratelimit-used': String(limit),
    'x-ratelimit-reset': String(reset),
    'x-ratelimit-resource': resource
  }
  // Recorded once: a primary-limit 403 with `X-RateLimit-Remaining: 0` and no reset header
  // (docs/github-behaviour.md, "Wording across years and versions").
  if (fault.noReset) delete headers['x-ratelimit-reset']
  const message = owner
    ? MESSAGES.primaryRateLimit(owner.value.id, ctx.requestId, utcStamp(new Date()))
    : MESSAGES.primaryRateLimitAnonymous(ctx.remoteAddress)
  return errorReply(ctx, fault.status ?? 403, message, 'primaryRateLimit', headers)
}

/** Secondary limit: 403/429 with `retry-after` and no `x-ratelimit-*` (docs/github-behaviour.md, "Rate limits"). */
function secondaryRateLimitReply(ctx, fault) {
  const headers = { 'retry-after': String(fault.retryAfter ?? 60) }
  const message = legacy(ctx.world) ? MESSAGES.abuseDetection : MESSAGES.secondaryRateLimit(ctx.requestId)
  return errorReply(ctx, fault.status ?? 403, message, 'secondaryRateLimit', headers)
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

const READ_ONLY_VIOLATION = 'the action must be read-only: only GET, and POST of GraphQL queries'

/** Resolve method + path to a route: `{ route, params, path }` (path relative to the REST prefix). */
function resolveRoute(world, rawPath) {
  if (rawPath === graphqlPath(world)) return { route: GRAPHQL_ROUTE, params: [], path: '/graphql' }
  const prefix = restPrefix(world)
  if (prefix && !rawPath.startsWith(`${prefix}/`)) return { route: undefined, params: [], path: rawPath }
  const path = rawPath.slice(prefix.length) || '/'
  for (const route of ROUTES) {
    const match = route.pattern.exec(path)
    if (!match) continue
    try {
      return { route, params: match.slice(1).map(decodeURIComponent), path }
    } catch {
      break // malformed percent-encoding: GitHub would not find it either
    }
  }
  return { route: undefined, params: [], path }
}

/** Rate-limit headers of an answered request (docs/github-behaviour.md, "Rate limits"): one budget per token and resource. */
function rateLimitHeaders(state, ctx) {
  const resource = ctx.route?.key === 'POST /graphql' ? 'graphql' : 'core'
  const who = ctx.auth?.ok ? ctx.fingerprint : 'anonymous'
  const limit = ctx.auth?.ok ? RATE_LIMIT.authenticated : RATE_LIMIT.anonymous
  const key = `${who}/${resource}`
  const used = Math.min(limit, (state.rateUsed.get(key) ?? 0) + 1)
  state.rateUsed.set(key, used)
  return {
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(limit - used),
    'x-ratelimit-used': String(used),
    'x-ratelimit-reset': String(state.rateReset),
    'x-ratelimit-resource': resource
  }
}

/** The answer GitHub would give, faults aside: auth first, then the route. */
function answer(state, ctx) {
  const auth = authenticate(ctx)
  ctx.auth = auth
  if (!auth.ok) return withHeaders(auth.reply, rateLimitHeaders(state, ctx))
  state.lastUsed.set(ctx.fingerprint, new Date())
  ctx.kind = tokenKind(ctx.rawToken)
  const headers = { ...authHeaders(ctx, auth.token), ...rateLimitHeaders(state, ctx) }
  if (ctx.route?.accepted !== undefined) headers['x-accepted-oauth-scopes'] = ctx.route.accepted
  if (!ctx.route) return withHeaders(notFound(ctx, 'rest'), headers)
  return withHeaders(ctx.route.handle(ctx, ctx.params), headers)
}

/** Adds the general headers to a route's reply; the route's own headers win. */
const withHeaders = (r, headers) => ({ ...r, headers: { ...headers, ...r.headers } })

/**
 * Start the fake on 127.0.0.1 (random port).
 * @param {import('./github-fake.d.mts').World} world
 * @param {{ latencyMs?: number }} [options]
 * @returns {Promise<import('./github-fake.d.mts').FakeGitHub>}
 */
export async function startFake(world, { latencyMs = 0 } = {}) {
  const state = {
    world,
    requests: [],
    violations: [],
    sockets: new Set(),
    timers: new Set(),
    faultUses: new WeakMap(),
    rateUsed: new Map(),
    rateReset: Math.floor(Date.now() / 1000) + 3600,
    lastUsed: new Map(),
    closed: false
  }
  let origin = ''

  const server = createServer((req, res) => {
    handle(req, res).catch(err => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': JSON_TYPE })
        res.end(JSON.stringify({ message: `github-fake internal error: ${err.message}` }))
      }
    })
  })
  server.on('connection', socket => {
    state.sockets.add(socket)
    socket.on('close', () => state.sockets.delete(socket))
  })

  async function handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const world = state.world
    const rawToken = bearerToken(req.headers.authorization)
    const fp = rawToken === null ? null : fingerprint(rawToken)
    const { route, params, path } = resolveRoute(world, url.pathname)
    const query = Object.fromEntries(url.searchParams)
    // A token in the query string (long deprecated) is not kept either.
    if ('access_token' in query) query.access_token = '[redacted]'
    const entry = {
      method: req.method,
      path,
      rawPath: url.pathname,
      query,
      accept: req.headers.accept ?? null,
      authFingerprint: fp,
      startedAt: performance.now(),
      endedAt: null,
      status: null,
      routeKey: route?.key ?? null,
      fault: null
    }
    state.requests.push(entry)
    const finish = () => {
      if (entry.endedAt === null) entry.endedAt = performance.now()
    }
    res.on('finish', finish)
    res.on('close', finish)

    const body = await readBody(req)
    if (latencyMs > 0) await sleep(latencyMs, state.timers)
    if (state.closed) return

    const ctx = {
      world,
      state,
      route,
      params,
      path,
      query,
      body,
      rawToken,
      fingerprint: fp,
      tokenRecord: rawToken ? world.tokens?.[rawToken] : undefined,
      requestId: newRequestId(),
      remoteAddress: req.socket.remoteAddress ?? '127.0.0.1',
      apiBase: `${origin}${restPrefix(world)}`,
      auth: undefined,
      kind: 'unknown'
    }
    if (route === GRAPHQL_ROUTE) {
      try {
        entry.graphqlVariables = JSON.parse(body || 'null')?.variables ?? null
      } catch {
        entry.graphqlVariables = null
      }
    }

    // Read-only, always: a SCIM PATCH deprovisions users (docs/github-behaviour.md, "SCIM"). Anything else is a violation.
    const allowed = req.method === 'GET' || (req.method === 'POST' && route === GRAPHQL_ROUTE)
    const mutation = route === GRAPHQL_ROUTE && req.method === 'POST' && /^\s*mutation\b/.test(safeQuery(body))
    if (!allowed || mutation) {
      const what = mutation ? 'GraphQL mutation refused' : 'write request refused'
      state.violations.push(`${req.method} ${url.pathname}: ${what}; ${READ_ONLY_VIOLATION}`)
      return send(res, entry, ctx, errorReply(ctx, 405, 'Method Not Allowed'))
    }

    const fault = takeFault(state, world, route?.key ?? null)
    if (fault) {
      entry.fault = fault.kind
      return deliverFault(res, entry, ctx, fault)
    }
    return send(res, entry, ctx, answer(state, ctx))
  }

  function deliverFault(res, entry, ctx, fault) {
    switch (fault.kind) {
      case 'hang': // accept the request, never answer
        return
      case 'reset': // drop the connection at once (RST where the platform allows)
        if (typeof res.socket?.resetAndDestroy === 'function') res.socket.resetAndDestroy()
        else res.socket?.destroy()
        return
      case 'status':
        return send(res, entry, ctx, statusFaultReply(ctx, fault))
      case 'primary-rate-limit':
        return send(res, entry, ctx, primaryRateLimitReply(ctx, fault))
      case 'secondary-rate-limit':
        return send(res, entry, ctx, secondaryRateLimitReply(ctx, fault))
      case 'html': // a captive portal or proxy login page with 200
        return send(res, entry, ctx, reply(200, fault.body ?? PROXY_PAGE, { contentType: HTML_TYPE }))
      case 'wrong-shape': {
        const normal = answer(state, ctx)
        const wrong = fault.body ?? (Array.isArray(normal.body) ? { foo: 1 } : [])
        return send(res, entry, ctx, { ...normal, status: 200, body: wrong, contentType: JSON_TYPE })
      }
      case 'truncated': {
        const normal = answer(state, ctx)
        const text = serialize(normal.body)
        return send(res, entry, ctx, { ...normal, status: 200, body: text.slice(0, Math.floor(text.length / 2)) })
      }
      case 'stall-body': // status, headers and half the body; the rest never comes
        return send(res, entry, ctx, answer(state, ctx), { cut: 'stall' })
      case 'close-mid-body': // status, headers and half the body, then the connection drops
        return send(res, entry, ctx, answer(state, ctx), { cut: 'close' })
      default:
        throw new Error(`github-fake: unknown fault kind ${JSON.stringify(fault.kind)}`)
    }
  }

  origin = await listenLoopback(server)

  return {
    url: origin,
    get apiUrl() {
      return `${origin}${restPrefix(state.world)}`
    },
    get graphqlUrl() {
      return `${origin}${graphqlPath(state.world)}`
    },
    requests: state.requests,
    violations: state.violations,
    get world() {
      return state.world
    },
    setWorld(next) {
      state.world = next
    },
    close: () => closeFake(state, [server])
  }
}

function safeQuery(body) {
  try {
    const q = JSON.parse(body || 'null')?.query
    return typeof q === 'string' ? q : ''
  } catch {
    return ''
  }
}

const EXPOSED_HEADERS =
  'ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset'

/**
 * Header names as GitHub wrote them over HTTP/1.1 (docs/github-behaviour.md, "Headers"): `X-OAuth-Scopes`, `X-RateLimit-*`,
 * `X-GitHub-*` in mixed case; `github-authentication-token-expiration` and `x-oauth-client-id` in lower case.
 */
const MIXED_CASE = {
  'content-type': 'Content-Type',
  'content-length': 'Content-Length',
  'retry-after': 'Retry-After',
  'x-oauth-scopes': 'X-OAuth-Scopes',
  'x-accepted-oauth-scopes': 'X-Accepted-OAuth-Scopes',
  'x-github-request-id': 'X-GitHub-Request-Id',
  'x-github-sso': 'X-GitHub-SSO',
  'x-github-enterprise-version': 'X-GitHub-Enterprise-Version',
  'access-control-expose-headers': 'Access-Control-Expose-Headers'
}
function mixedCase(headers) {
  const out = {}
  for (const [k, v] of Object.entries(headers)) {
    const name = MIXED_CASE[k] ?? (k.startsWith('x-ratelimit-') ? `X-RateLimit-${k.slice(12).replace(/^./, c => c.toUpperCase())}` : k)
    out[name] = v
  }
  return out
}

const serialize = body => (typeof body === 'string' ? body : JSON.stringify(body))

/**
 * Write a reply with the headers every GitHub answer has: request id, enterprise version (docs/github-behaviour.md, "Headers").
 * `cut` sends only half the body, then stalls or drops the connection.
 */
function send(res, entry, ctx, r, { cut } = {}) {
  if (res.destroyed) return
  const text = serialize(r.body)
  const headers = {
    'content-type': r.contentType,
    'content-length': String(Buffer.byteLength(text)),
    'x-github-request-id': ctx.requestId,
    ...r.headers
  }
  const version = enterpriseVersionHeader(ctx.world)
  if (version) headers['x-github-enterprise-version'] = version
  // Every answer names X-GitHub-SSO among the headers a browser may read: that is not an SSO signal
  // (docs/github-behaviour.md, "Headers").
  headers['access-control-expose-headers'] = EXPOSED_HEADERS
  entry.status = r.status
  res.writeHead(r.status, ctx.world.wire?.headerCase === 'mixed' ? mixedCase(headers) : headers)
  if (!cut) {
    res.end(text)
    return
  }
  const half = Buffer.from(text).subarray(0, Math.floor(Buffer.byteLength(text) / 2))
  if (cut === 'stall') {
    res.write(half)
    return
  }
  res.write(half, () => res.socket?.destroy())
}
