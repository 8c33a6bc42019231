/**
 * Every input of the contract, parsed and validated once into a typed object.
 * A problem names the input and the accepted form; no request is sent when
 * there is one.
 */
import { parseIdpInputs, type IdpConfig } from './idp/inputs.js'
import type { GitHubCredential } from './idp/provider.js'
import { describe, parseBoolean, parseEnum, parseServiceUrl, parseWholeNumber, type InputProblem } from './input-fields.js'

export { isLoopbackHost, parseServiceUrl, type InputProblem } from './input-fields.js'
import { KNOWN_SCOPES, parseScopeList } from './scopes.js'
import { classifyToken, type TokenKind } from './token.js'

export type FailOn = 'error' | 'warning' | 'never'
export type InconclusivePolicy = 'fail' | 'pass'
/** The `idp-credential` input: what the IdP's GitHub app holds, or `auto` (known from `enterprise` and the provider). */
export type IdpCredentialInput = 'auto' | GitHubCredential

export interface Inputs {
  token: string
  tokenKind: TokenKind
  orgs: string[]
  enterprise: string | null
  expectedLogin: string | null
  requiredScopes: string[]
  warnDays: number
  failDays: number
  failOn: FailOn
  inconclusive: InconclusivePolicy
  scimProbe: boolean
  apiUrl: string
  timeoutSeconds: number
  /** The IdP side (`idp: okta` / `idp: entra`), or null: GitHub's side only. */
  idp: IdpConfig | null
  /** What the IdP's GitHub app holds (`idp-credential`): the advice of the token's causes depends on it. */
  idpCredential: IdpCredentialInput
}

export interface ParsedInputs {
  /** Present when there is no problem. */
  inputs?: Inputs
  problems: InputProblem[]
  /** The token had leading/trailing whitespace and was trimmed. */
  tokenWhitespace: boolean
  /** The policy inputs, when they themselves parsed (so a bad run can still honour fail-on). */
  failOn: FailOn | null
}

export type ReadInput = (name: string) => string

/** Org logins: letters, digits and single inner hyphens, at most 39 characters. */
const ORG_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/
/** User logins; EMU users carry an `_shortcode` suffix. */
const USER_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}(?:_[A-Za-z0-9]{1,24})?$/
/**
 * A login GitHub could have sent for GET /user: letters, digits, hyphens and
 * underscores (EMU `_shortcode`, legacy logins), an optional `[bot]`, bounded.
 * Anything else (line breaks, markup, megabytes) is not GitHub's answer.
 */
const ANSWERED_LOGIN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}(?:\[bot\])?$/
export function isGitHubLogin(value: unknown): value is string {
  return typeof value === 'string' && ANSWERED_LOGIN.test(value)
}
const ENTERPRISE_SLUG = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,59}$/
const MAX_ORGS = 100

function parseApiUrl(raw: string, problems: InputProblem[]): string | null {
  return parseServiceUrl('api-url', raw, 'https://api.github.com, https://api.SUBDOMAIN.ghe.com or https://HOST/api/v3', problems)
}

/** Longest `org` input read: 100 logins of 39 characters with separators fit many times over. */
const MAX_ORG_INPUT = 64 * 1024

function parseOrgs(raw: string, problems: InputProblem[]): string[] {
  if (raw.length > MAX_ORG_INPUT) {
    problems.push({
      id: 'input-invalid',
      input: 'org',
      message: `Input "org" is ${raw.length} characters long; it lists at most ${MAX_ORGS} organization logins. Split them across jobs (a matrix).`
    })
    return []
  }
  // Linear: a Set of lower-cased logins, not a scan per entry.
  const seen = new Set<string>()
  const orgs: string[] = []
  const bad: string[] = []
  for (const part of raw.split(/[,\n\r]+/)) {
    const org = part.trim()
    if (org === '') continue
    if (!ORG_LOGIN.test(org)) {
      bad.push(org)
    } else if (!seen.has(org.toLowerCase())) {
      seen.add(org.toLowerCase())
      orgs.push(org)
    }
  }
  if (bad.length > 0) {
    const shown = bad.slice(0, 5).map(describe).join(', ')
    problems.push({
      id: 'input-invalid',
      input: 'org',
      message: `Input "org" must list organization logins (letters, digits and single hyphens, at most 39 characters), separated by commas or new lines; ${bad.length === 1 ? 'this one is' : `${bad.length} are`} not: ${shown}${bad.length > 5 ? ', …' : ''}.`
    })
  } else if (orgs.length > MAX_ORGS) {
    problems.push({
      id: 'input-invalid',
      input: 'org',
      message: `Input "org" lists ${orgs.length} organizations; at most ${MAX_ORGS} are checked in one run. Split them across jobs (a matrix).`
    })
  }
  return orgs
}

function tokenProblem(rawToken: string, reason: string): InputProblem {
  const empty = rawToken.trim() === ''
  return {
    id: empty ? 'input-invalid' : 'token-malformed',
    input: 'token',
    message: empty
      ? 'Input "token" is required and was empty: pass the service account\'s token from a secret, e.g. token: ${{ secrets.SCIM_TOKEN }} (a secret that does not exist, or is not available to this workflow, arrives empty).'
      : `Input "token" is not a usable GitHub token: ${reason}.`
  }
}

/** What is checked: the orgs (by default the repository's owner) and the enterprise. */
function parseTargets(
  read: ReadInput,
  env: NodeJS.ProcessEnv,
  problems: InputProblem[]
): { orgs: string[]; enterprise: string | null; count: number } {
  const enterpriseRaw = read('enterprise').trim()
  let enterprise: string | null = null
  if (enterpriseRaw !== '') {
    if (ENTERPRISE_SLUG.test(enterpriseRaw)) enterprise = enterpriseRaw
    else
      problems.push({
        id: 'input-invalid',
        input: 'enterprise',
        message: `Input "enterprise" must be an enterprise slug (letters, digits and single hyphens, as in https://github.com/enterprises/SLUG); got ${describe(enterpriseRaw)}.`
      })
  }
  const orgProblems = problems.length
  let orgs = parseOrgs(read('org'), problems)
  if (orgs.length === 0 && enterpriseRaw === '' && problems.length === orgProblems) {
    const owner = (env.GITHUB_REPOSITORY_OWNER ?? '').trim()
    if (owner !== '' && ORG_LOGIN.test(owner)) orgs = [owner]
    else
      problems.push({
        id: 'input-invalid',
        input: 'org',
        message: 'Input "org" is empty, no "enterprise" is given and GITHUB_REPOSITORY_OWNER is not set: name the organization(s) to check.'
      })
  }
  return { orgs, enterprise, count: orgs.length + (enterpriseRaw !== '' ? 1 : 0) }
}

function parseExpectedLogin(read: ReadInput, problems: InputProblem[]): string | null {
  const expectedRaw = read('expected-login').trim()
  if (expectedRaw === '') return null
  if (USER_LOGIN.test(expectedRaw)) return expectedRaw
  problems.push({
    id: 'input-invalid',
    input: 'expected-login',
    message: `Input "expected-login" must be a GitHub login (letters, digits, single hyphens, an optional _shortcode suffix for EMU); got ${describe(expectedRaw)}.`
  })
  return null
}

function parseRequiredScopes(read: ReadInput, problems: InputProblem[]): string[] {
  const requiredScopes = parseScopeList(read('required-scopes'))
  const unknownScopes = requiredScopes.filter(s => !KNOWN_SCOPES.has(s))
  if (unknownScopes.length > 0) {
    problems.push({
      id: 'input-invalid',
      input: 'required-scopes',
      message: `Input "required-scopes" must list classic OAuth scopes (such as admin:org, read:org, scim:enterprise), separated by commas or spaces; unknown: ${unknownScopes.slice(0, 5).map(describe).join(', ')}.`
    })
  }
  return requiredScopes
}

/** The expiry thresholds, fail-on, inconclusive, scim-probe, api-url and timeout-seconds (null: invalid). */
function parsePolicy(read: ReadInput, env: NodeJS.ProcessEnv, problems: InputProblem[]) {
  const warnDays = parseWholeNumber('warn-days', read('warn-days') || '30', problems, { min: 0 })
  const failDays = parseWholeNumber('fail-days', read('fail-days') || '7', problems, { min: 0 })
  if (warnDays !== null && failDays !== null && failDays > warnDays) {
    problems.push({
      id: 'input-invalid',
      input: 'fail-days',
      message: `Input "fail-days" (${failDays}) must not exceed "warn-days" (${warnDays}): the error threshold lies inside the warning window.`
    })
  }
  return {
    warnDays,
    failDays,
    failOn: parseEnum<FailOn>('fail-on', read('fail-on') || 'error', ['error', 'warning', 'never'], problems),
    inconclusive: parseEnum<InconclusivePolicy>('inconclusive', read('inconclusive') || 'fail', ['fail', 'pass'], problems),
    scimProbe: parseBoolean('scim-probe', read('scim-probe') || 'true', problems),
    apiUrl: parseApiUrl(read('api-url') || env.GITHUB_API_URL || 'https://api.github.com', problems),
    timeoutSeconds: parseWholeNumber('timeout-seconds', read('timeout-seconds') || '60', problems, { min: 1 })
  }
}

/**
 * `idp-credential`: `auto` (the default), `oauth-grant` or `checked-token`. An EMU enterprise's IdP app always
 * holds the setup user's PAT (GitHub's EMU SCIM takes no OAuth grant): `oauth-grant` with `enterprise` is a mistake.
 */
function parseIdpCredential(read: ReadInput, enterprise: boolean, problems: InputProblem[]): IdpCredentialInput | null {
  const value = parseEnum<IdpCredentialInput>(
    'idp-credential',
    read('idp-credential') || 'auto',
    ['auto', 'oauth-grant', 'checked-token'],
    problems
  )
  if (value === 'oauth-grant' && enterprise) {
    problems.push({
      id: 'input-invalid',
      input: 'idp-credential',
      message:
        'Input "idp-credential" is oauth-grant, but "enterprise" is given: an EMU enterprise\'s IdP app holds the setup user\'s token itself (checked-token). Leave idp-credential at auto, or check the organization in a job of its own.'
    })
    return null
  }
  return value
}

export function parseInputs(read: ReadInput, env: NodeJS.ProcessEnv): ParsedInputs {
  const problems: InputProblem[] = []
  const rawToken = read('token')
  const shape = classifyToken(rawToken)
  if (!shape.ok) problems.push(tokenProblem(rawToken, shape.reason))
  const targets = parseTargets(read, env, problems)
  const expectedLogin = parseExpectedLogin(read, problems)
  const requiredScopes = parseRequiredScopes(read, problems)
  const policy = parsePolicy(read, env, problems)
  const idp = parseIdpInputs(read, env, problems, { count: targets.count })
  const idpCredential = parseIdpCredential(read, read('enterprise').trim() !== '', problems)
  const tokenWhitespace = shape.hadWhitespace && rawToken.trim() !== ''
  const { warnDays, failDays, failOn, inconclusive, scimProbe, apiUrl, timeoutSeconds } = policy
  if (
    problems.length > 0 ||
    !shape.ok ||
    warnDays === null ||
    failDays === null ||
    failOn === null ||
    inconclusive === null ||
    scimProbe === null ||
    apiUrl === null ||
    timeoutSeconds === null ||
    idpCredential === null
  ) {
    return { problems, tokenWhitespace, failOn }
  }
  return {
    problems,
    tokenWhitespace,
    failOn,
    inputs: {
      token: shape.trimmed,
      tokenKind: shape.kind,
      orgs: targets.orgs,
      enterprise: targets.enterprise,
      expectedLogin,
      requiredScopes,
      warnDays,
      failDays,
      failOn,
      inconclusive,
      scimProbe,
      apiUrl,
      timeoutSeconds,
      idp,
      idpCredential
    }
  }
}
