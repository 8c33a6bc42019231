/**
 * diagnose: one pure function from facts (+ inputs + the current time) to
 * causes. No I/O, no clock, no randomness: the same facts give the same verdict.
 *
 * The steps run in the order below, each a pure function of the facts that
 * returns the causes it found (and what the summary shows). The causes are
 * gathered in the order found; `composeVerdict` (verdict.ts) keeps each cause
 * once (the first found stands) and only the root causes (root-causes.ts).
 * A new step (e.g. the IdP's) returns its causes and is appended below.
 */
import { credentialHolder, type CauseInput, type RemediationContext } from '../causes.js'
import type { Facts } from '../github/probes.js'
import type { Inputs } from '../inputs.js'
import { judgeToken, readUser, whichAccount } from './account.js'
import { webUrlFor } from './answers.js'
import { judgeEnterprise } from './enterprise.js'
import { judgeExpiry, readExpiryHeader } from './expiry.js'
import { judgeIdentityQuery } from './identities.js'
import type { IdpReport } from '../idp/types.js'
import { withIdp } from './idp.js'
import { diagnoseOrgs } from './org.js'
import { composeVerdict, unjudged, type Verdict, type VerdictFacts } from './verdict.js'

export { classify, messageOf, parseExpiryHeader, trustedSsoUrl, webUrlFor } from './answers.js'
export { rootCausesOnly } from './root-causes.js'
export { statusOf, verdictForInputProblems } from './verdict.js'
export type { CredentialRecord, OrgSummary, Status, Verdict } from './verdict.js'
export type { IdpVerdict } from './idp.js'

export interface DiagnoseOptions {
  tokenWhitespace?: boolean
  webUrl?: string
  /** The IdP's own answer (`idp` input), joined to GitHub's verdict as its last step. */
  idp?: IdpReport | null
}

const TOKEN_WHITESPACE: CauseInput = {
  id: 'token-whitespace',
  message: 'The token input had leading or trailing whitespace (a space or line break); it was trimmed before use.'
}

/** The fixes' context: the web host, and what the IdP's app holds (the token's fixes depend on it). */
function contextOf(inputs: Inputs, options: DiagnoseOptions): RemediationContext {
  return { webUrl: options.webUrl ?? webUrlFor(inputs.apiUrl), holder: credentialHolder(inputs) }
}

export function diagnose(facts: Facts, inputs: Inputs, now: Date, options: DiagnoseOptions = {}): Verdict {
  const ctx = contextOf(inputs, options)
  const github: Verdict = { ...diagnoseGitHub(facts, inputs, now, options), idpCredential: ctx.holder, webUrl: ctx.webUrl }
  // 9. The IdP's findings, beside GitHub's: never excluded by them; a GitHub error that explains them makes them evidence.
  if (!options.idp) return github
  return withIdp(github, options.idp, { org: inputs.orgs[0] ?? null, enterprise: inputs.orgs.length > 0 ? null : inputs.enterprise, ctx })
}

function diagnoseGitHub(facts: Facts, inputs: Inputs, now: Date, options: DiagnoseOptions): Verdict {
  const ctx = contextOf(inputs, options)
  const blank = unjudged(facts, inputs)
  const causes: CauseInput[] = options.tokenWhitespace ? [TOKEN_WHITESPACE] : []

  // 1. GET /user, alone: is the token alive, and whose is it? If not, nothing else is judged.
  const user = readUser(facts.user, inputs.tokenKind, now)
  if (!user.answered) {
    return composeVerdict({ ...blank, notes: [...blank.notes, user.note] }, [...causes, ...user.causes], ctx, inputs.expectedLogin)
  }
  // 2. The token's kind and scopes.
  const token = judgeToken(user, inputs)
  causes.push(...token.causes)
  // 3. Which account: the expected one, another, or a renamed one?
  causes.push(...whichAccount(user.login, inputs.expectedLogin, facts.expectedUser, now))
  // 4. The expiry GET /user announced.
  const expiryHeader = readExpiryHeader(user.answer.headers)
  causes.push(...expiryHeader.causes)
  // 5. The batched GraphQL identity query, as a whole.
  causes.push(...judgeIdentityQuery(facts.identities, now))
  // 6. Each organization, in input order.
  const orgs = diagnoseOrgs(facts.orgs, { account: token.account, identities: facts.identities, webUrl: ctx.webUrl, now, before: causes })
  causes.push(...orgs.causes)
  // 7. Expiry: the header's, else an SSO authorization record's.
  const expiry = judgeExpiry({ header: expiryHeader, orgs: orgs.summaries, warnDays: inputs.warnDays, failDays: inputs.failDays, now })
  causes.push(...expiry.causes)
  // 8. The enterprise (EMU).
  const enterprise =
    inputs.enterprise === null
      ? null
      : judgeEnterprise({
          slug: inputs.enterprise,
          login: user.login,
          scim: facts.enterpriseScim,
          expiry: expiry.expiry,
          daysUntilExpiry: expiry.daysUntilExpiry,
          now
        })
  causes.push(...(enterprise?.causes ?? []))

  const judged: VerdictFacts = {
    ...blank,
    login: user.login,
    scopes: token.scopes,
    missingScopes: token.missingScopes,
    expiresAt: expiry.expiresAt,
    expiry: expiry.kind,
    daysUntilExpiry: expiry.daysUntilExpiry,
    ssoAuthorizationUrl: orgs.ssoUrls[0] ?? null,
    orgs: orgs.summaries,
    enterprise: blank.enterprise && { ...blank.enterprise, scim: enterprise?.scim ?? 'not checked' },
    notes: [...blank.notes, ...orgs.summaries.flatMap(o => o.notChecked.map(what => `Organization ${o.org}: ${what}.`))]
  }
  return composeVerdict(judged, causes, ctx, inputs.expectedLogin)
}
