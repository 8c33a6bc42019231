/**
 * The account: GET /user (is the token alive, and whose is it?), the token's
 * kind and scopes, and whether it is the expected account's.
 */
import type { CauseInput } from '../causes.js'
import type { Fact } from '../github/client.js'
import type { Inputs } from '../inputs.js'
import { serverText } from '../sanitize.js'
import { excessiveScopes, expandScopes, missingScopes, parseScopeList } from '../scopes.js'
import { kindSupportsScim, KIND_LABEL, type TokenKind } from '../token.js'
import { accountWideCause, badBodyCause, inconclusiveCause } from './answer-causes.js'
import { classify, httpStatus, isObject, isScopeName, isUser, ok, type HttpAnswer } from './answers.js'

/** GET /user's answer: the account it names, or why nothing else can be judged. */
export type UserAnswer = { answered: true; login: string; answer: HttpAnswer } | { answered: false; causes: CauseInput[]; note: string }

/**
 * GET /user, the first request, sent alone: a dead token costs exactly one
 * 401 (docs/github-behaviour.md, "Status codes and texts"). When it did not
 * succeed, or its answer is not GitHub's, nothing else is judged.
 */
export function readUser(user: Fact, kind: TokenKind, now: Date): UserAnswer {
  if (!ok(user)) {
    return {
      answered: false,
      causes: [userRefusal(user, kind, now)],
      note: 'Nothing else was requested: the first request did not succeed.'
    }
  }
  if (!isUser(user.body)) {
    const cause: CauseInput =
      isObject(user.body) && typeof user.body.login === 'string' && typeof user.body.id === 'number'
        ? {
            id: 'unexpected-response',
            message:
              'GET /user answered with a login that is not a GitHub login (GitHub logins are letters, digits and hyphens); nothing was judged on it.'
          }
        : badBodyCause(user, 'GET /user', null)
    return { answered: false, causes: [cause], note: "Nothing else was judged: the first answer was not GitHub's." }
  }
  return { answered: true, login: user.body.login, answer: user }
}

function userRefusal(user: Fact, kind: TokenKind, now: Date): CauseInput {
  const f = classify(user, now)
  if (!kindSupportsScim(kind) && (f.type === 'forbidden' || f.type === 'unauthorized')) {
    return {
      id: 'token-kind-unsupported',
      message: `The token is a ${KIND_LABEL[kind]}; GET /user refused it ("${serverText(f.text, 120)}"). SCIM provisioning needs a personal access token (classic) of the service account (or the IdP's own OAuth token).`
    }
  }
  if (f.type === 'bad-credentials') {
    return {
      id: 'token-invalid',
      message:
        'GET /user answered 401 "Bad credentials": GitHub no longer accepts this token. It was revoked, it expired, it was regenerated, or its account was deleted. It was sent once and not retried.'
    }
  }
  const known = accountWideCause(f) ?? inconclusiveCause(f, 'GET /user', null)
  if (known !== null) return known
  const text = f.type === 'forbidden' || f.type === 'unauthorized' ? f.text : f.type
  return {
    id: 'unexpected-response',
    message: `GET /user answered ${httpStatus(user)} (${serverText(text, 160)}), which GitHub does not answer for a valid token.`
  }
}

/** What the later steps need to know of the token and its account. */
export interface Account {
  login: string
  token: string
  kind: TokenKind
  kindSupported: boolean
  /** false when GitHub sent no X-OAuth-Scopes header. */
  scopesKnown: boolean
  /** The granted scopes with those they imply (`admin:org` covers `read:org`). */
  grantedExpanded: Set<string>
  scopeMissing: boolean
}

export interface TokenFindings {
  causes: CauseInput[]
  account: Account
  scopes: string[] | null
  missingScopes: string[]
}

/** The token's kind and scopes, from GET /user's `X-OAuth-Scopes` (docs/github-behaviour.md, "Token kinds" and "Headers"). */
export function judgeToken(user: { login: string; answer: HttpAnswer }, inputs: Inputs): TokenFindings {
  const causes: CauseInput[] = []
  const kindSupported = kindSupportsScim(inputs.tokenKind)
  if (!kindSupported) {
    causes.push({
      id: 'token-kind-unsupported',
      message: `The token is a ${KIND_LABEL[inputs.tokenKind]}. SCIM provisioning needs a personal access token (classic) of the service account (or the IdP's own OAuth token).`
    })
  }
  const scopeHeader = user.answer.headers['x-oauth-scopes']
  const listed = scopeHeader === undefined ? null : parseScopeList(scopeHeader)
  // Scope names are data too: only what looks like a scope is kept, and at most 100 of them.
  const granted = listed === null ? null : listed.filter(isScopeName).slice(0, 100)
  if (listed !== null && granted !== null && granted.length !== listed.length) {
    causes.push({
      id: 'unexpected-response',
      message: 'GET /user sent an X-OAuth-Scopes header with values that are not OAuth scope names; only the scope names in it were used.'
    })
  }
  let missing: string[] = []
  if (granted === null) {
    if (kindSupported) {
      causes.push({
        id: 'unexpected-response',
        message: `GET /user sent no X-OAuth-Scopes header, which GitHub always sends for a ${KIND_LABEL[inputs.tokenKind]}; the scopes could not be checked.`
      })
    }
  } else {
    const required = requiredScopes(inputs)
    missing = missingScopes(granted, required)
    causes.push(...scopeCauses(granted, required, missing, inputs.enterprise !== null))
  }
  return {
    causes,
    scopes: granted,
    missingScopes: missing,
    account: {
      login: user.login,
      token: inputs.token,
      kind: inputs.tokenKind,
      kindSupported,
      scopesKnown: granted !== null,
      grantedExpanded: expandScopes(granted ?? []),
      scopeMissing: missing.length > 0
    }
  }
}

function requiredScopes(inputs: Inputs): string[] {
  return [
    ...(inputs.orgs.length > 0 ? ['admin:org'] : []),
    ...(inputs.enterprise !== null ? ['scim:enterprise'] : []),
    ...inputs.requiredScopes
  ].filter((s, i, a) => a.indexOf(s) === i)
}

function scopeCauses(granted: string[], required: string[], missing: string[], enterprise: boolean): CauseInput[] {
  const causes: CauseInput[] = []
  if (missing.length > 0) {
    causes.push({
      id: 'scope-missing',
      message: `The token lacks ${missing.join(', ')} (it has ${granted.length > 0 ? granted.join(', ') : 'no scopes'}).${missing.includes('admin:org') ? ' Organization SCIM needs admin:org.' : ''}${missing.includes('scim:enterprise') ? ' Enterprise SCIM needs scim:enterprise.' : ''}`
    })
  }
  const excess = excessiveScopes(granted, required)
  if (excess.length > 0) {
    const swap =
      excess.includes('admin:enterprise') && enterprise
        ? ' admin:enterprise still works for SCIM, but scim:enterprise alone is what GitHub recommends, and the swap is disruption-free.'
        : ''
    causes.push({
      id: 'scope-excessive',
      message: `The token also has ${excess.join(', ')}, which provisioning does not need; a leak would expose more than SCIM.${swap}`
    })
  }
  return causes
}

/**
 * Which account? A token of another account is `login-mismatch`; when the
 * expected login no longer exists (GET /users/{login} answers 404), the
 * service account was most likely renamed: `account-renamed`.
 */
export function whichAccount(login: string, expectedLogin: string | null, expectedUser: Fact | null, now: Date): CauseInput[] {
  if (expectedLogin === null || expectedLogin.toLowerCase() === login.toLowerCase()) return []
  const f = expectedUser === null || ok(expectedUser) ? null : classify(expectedUser, now)
  if (f?.type === 'not-found') {
    return [
      {
        id: 'account-renamed',
        message: `The account ${expectedLogin} no longer exists, and the token belongs to ${login}: the service account was most likely renamed (or ${expectedLogin} deleted). IdPs that store the login stop matching.`
      }
    ]
  }
  const fault = f === null ? null : inconclusiveCause(f, `GET /users/${expectedLogin}`, null)
  return [
    ...(fault === null ? [] : [fault]),
    { id: 'login-mismatch', message: `The token belongs to ${login}, not to the expected service account ${expectedLogin}.` }
  ]
}
