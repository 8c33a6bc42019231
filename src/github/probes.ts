/**
 * Probes: the read-only requests that gather raw facts. `GET /user` goes first
 * and alone (a dead token costs exactly one 401); everything else starts at
 * once after it, and nothing is requested twice.
 */
import type { Fact, ProbeClient } from './client.js'
import { isGitHubLogin, type Inputs } from '../inputs.js'
import { expandScopes, parseScopeList } from '../scopes.js'

export type Platform = 'dotcom' | 'ghe.com' | 'ghes'

export interface OrgFacts {
  org: string
  /** GET /orgs/{org}, asked only when the membership answers 404: tells "no such org" from "not a member". */
  info: Fact | null
  /** GET /user/memberships/orgs/{org}: state and role. */
  membership: Fact
  /** GET /orgs/{org}/credential-authorizations?login=: the token's SSO record (null: not requested). */
  credentials: Fact | null
  /** GET /scim/v2/organizations/{org}/Users?startIndex=1&count=1 (null: not requested). */
  scim: Fact | null
}

export interface Facts {
  user: Fact
  /** GET /users/{expected-login}, when it differs from the token's login. */
  expectedUser: Fact | null
  orgs: OrgFacts[]
  /** One batched GraphQL query for the linked SAML identity in every org (null: not requested). */
  identities: Fact | null
  /** GET /scim/v2/enterprises/{enterprise}/Users?startIndex=1&count=1 (null: not requested). */
  enterpriseScim: Fact | null
  platform: Platform
  /** Checks not made, with the reason, for the summary. */
  skipped: string[]
}

export const SCIM_ACCEPT = 'application/scim+json'

export function platformOf(headers: Record<string, string>): Platform {
  const v = headers['x-github-enterprise-version']
  if (v === undefined || v === '') return 'dotcom'
  return v.toLowerCase() === 'ghe.com' ? 'ghe.com' : 'ghes'
}

export function identityQuery(orgCount: number): string {
  const vars = ['$login: String!']
  const fields: string[] = []
  for (let i = 0; i < orgCount; i++) {
    vars.push(`$o${i}: String!`)
    fields.push(
      `o${i}: organization(login: $o${i}) { samlIdentityProvider { ssoUrl externalIdentities(first: 1, login: $login) { nodes { guid samlIdentity { nameId username } scimIdentity { username } user { login } } } } }`
    )
  }
  return `query(${vars.join(', ')}) { ${fields.join(' ')} }`
}

function userLogin(user: Fact): string | null {
  if (user.kind !== 'response' || user.status !== 200) return null
  const body = user.body as { login?: unknown } | null
  // A login GitHub could not have sent is never sent on to other requests (diagnose reports it).
  return body && typeof body === 'object' && isGitHubLogin(body.login) ? body.login : null
}

/** What the fan-out after GET /user needs to know. */
interface FanOut {
  client: ProbeClient
  inputs: Inputs
  login: string
  canReadOrg: boolean
  ghes: boolean
  /** Collects a request and where its answer goes; everything is awaited at once. */
  track: <T>(p: Promise<T>, set: (v: T) => void) => void
}

/** One org's requests, all at once: membership (then the org itself, after a 404 only), SSO record, SCIM. */
function probeOrg(org: string, f: FanOut): OrgFacts {
  const { client, inputs, login, canReadOrg, ghes, track } = f
  const entry = { org, info: null, credentials: null, scim: null } as unknown as OrgFacts
  track(
    client.get('/user/memberships/orgs/{org}', { org }).then(async m => {
      entry.membership = m
      // Not a member, or no such org? Only then is the org itself asked (one more round trip, on failure only).
      if (m.kind === 'response' && m.status === 404 && m.headers['x-github-sso'] === undefined) {
        entry.info = await client.get('/orgs/{org}', { org })
      }
    }),
    () => undefined
  )
  if (canReadOrg && !ghes) {
    track(client.get('/orgs/{org}/credential-authorizations', { org, login, per_page: 100 }), c => (entry.credentials = c))
  }
  if (inputs.scimProbe && !ghes) {
    track(client.get('/scim/v2/organizations/{org}/Users', { org, startIndex: 1, count: 1 }, SCIM_ACCEPT), c => (entry.scim = c))
  }
  return entry
}

/** The checks not made, with their true reason (the summary's "Not checked"). */
function skippedChecks(inputs: Inputs, canReadOrg: boolean, ghes: boolean): string[] {
  const skipped: string[] = []
  if (inputs.orgs.length > 0) {
    if (!canReadOrg) skipped.push('Linked SAML identity and SSO authorization record: the token has no read:org (or admin:org) scope.')
    if (ghes) skipped.push('Organization SCIM and SSO authorization records: they do not exist on GitHub Enterprise Server.')
    else if (!inputs.scimProbe) skipped.push('Organization SCIM request: scim-probe is false.')
  }
  if (inputs.enterprise !== null) {
    if (ghes) skipped.push('Enterprise SCIM: GitHub Enterprise Server has instance SCIM (/scim/v2/Users), not enterprise SCIM.')
    else if (!inputs.scimProbe) skipped.push('Enterprise SCIM request: scim-probe is false.')
  }
  return skipped
}

export async function gatherFacts(client: ProbeClient, inputs: Inputs): Promise<Facts> {
  const userRequest = client.get('/user')
  // GET /user's round trip leaves the process idle: compile the fan-out's code path meanwhile.
  const warmed = client.warmUp()
  const user = await userRequest
  await warmed
  const facts: Facts = {
    user,
    expectedUser: null,
    orgs: [],
    identities: null,
    enterpriseScim: null,
    platform: user.kind === 'response' ? platformOf(user.headers) : 'dotcom',
    skipped: []
  }
  const login = userLogin(user)
  if (login === null) return facts // 401, 403, outage or garbage: nothing else is asked.

  const scopeHeader = user.kind === 'response' ? user.headers['x-oauth-scopes'] : undefined
  const granted = scopeHeader === undefined ? null : expandScopes(parseScopeList(scopeHeader))
  const canReadOrg = granted === null || granted.has('read:org')
  const ghes = facts.platform === 'ghes'
  const pending: Promise<unknown>[] = []
  const track = <T>(p: Promise<T>, set: (v: T) => void): void => void pending.push(p.then(set))
  const fan: FanOut = { client, inputs, login, canReadOrg, ghes, track }

  if (inputs.expectedLogin !== null && inputs.expectedLogin.toLowerCase() !== login.toLowerCase()) {
    track(client.get('/users/{username}', { username: inputs.expectedLogin }), f => (facts.expectedUser = f))
  }
  // The GraphQL query goes first: it serves every org and nothing waits on it.
  if (inputs.orgs.length > 0 && canReadOrg && !ghes) {
    const variables: Record<string, string> = { login }
    inputs.orgs.forEach((org, i) => (variables[`o${i}`] = org))
    track(client.graphql(identityQuery(inputs.orgs.length), variables), f => (facts.identities = f))
  }
  facts.orgs = inputs.orgs.map(org => probeOrg(org, fan))
  facts.skipped = skippedChecks(inputs, canReadOrg, ghes)
  if (inputs.enterprise !== null && !ghes && inputs.scimProbe) {
    track(
      client.get('/scim/v2/enterprises/{enterprise}/Users', { enterprise: inputs.enterprise, startIndex: 1, count: 1 }, SCIM_ACCEPT),
      f => (facts.enterpriseScim = f)
    )
  }
  await Promise.all(pending)
  return facts
}
