/**
 * The cause catalogue: every verdict the action can reach, with its stable id,
 * default severity, title and remediation. Ids are part of the public contract
 * (the `causes` output, annotation titles, README anchors): never rename one.
 *
 * Read top to bottom: input and token, account, org, enterprise, could-not-judge.
 */

import type { GitHubCredential, IdpSteps } from './idp/provider.js'
import { PROVIDERS, providerById } from './idp/providers.js'
import type { IdpCredentialInput } from './inputs.js'

export type Severity = 'error' | 'inconclusive' | 'warning' | 'notice'

/** What the IdP's GitHub app holds, as far as the run knows: the checked token, an OAuth grant, or unknown. */
export type CredentialHolder = GitHubCredential | 'unknown'

export interface RemediationContext {
  /** Web host base, e.g. https://github.com or https://acme.ghe.com */
  webUrl: string
  /** The IdP asked (`idp` input): its own steps; without it, every IdP's. */
  idp?: string
  /** What the IdP's app holds (credentialHolder): the token's fixes say whether the IdP needs a change. Unset: unknown. */
  holder?: CredentialHolder
}

/**
 * What the IdP's GitHub app holds: `idp-credential` when set; else, with `enterprise`, the checked token (an
 * EMU app holds the setup user's PAT); else what the `idp` provider's organization app is known to hold.
 */
export function credentialHolder(inputs: {
  idpCredential?: IdpCredentialInput
  enterprise: string | null
  idp: { provider: string } | null
}): CredentialHolder {
  if (inputs.idpCredential !== undefined && inputs.idpCredential !== 'auto') return inputs.idpCredential
  if (inputs.enterprise !== null) return 'checked-token'
  return (inputs.idp ? providerById(inputs.idp.provider)?.githubCredential?.org : undefined) ?? 'unknown'
}

/** The fix in the words true for what the IdP holds (unknown: both cases are said). */
const byHolder = (ctx: RemediationContext, texts: Record<CredentialHolder, string>): string => texts[ctx.holder ?? 'unknown']

/** An IdP cause's fix: the asked IdP's own steps (from its provider module), or every IdP's (the docs). */
const perIdp = (ctx: RemediationContext, step: keyof IdpSteps): string => {
  const asked = ctx.idp === undefined ? undefined : providerById(ctx.idp)
  return asked ? asked.steps[step] : PROVIDERS.map(p => `${p.short}: ${p.steps[step]}`).join(' ')
}

export interface CauseDefinition {
  severity: Severity
  /**
   * The other severity the diagnosis gives this cause, and when (docs/causes.md says it): makeCause refuses
   * any severity that is neither `severity` nor this one.
   */
  otherwise?: { severity: Severity; when: string }
  title: string
  remediation: (ctx: RemediationContext) => string
  /** Title and fix when the cause is about an EMU enterprise rather than an organization. */
  enterprise?: { title: string; remediation: (ctx: RemediationContext) => string }
}

const tokensPage = (ctx: RemediationContext): string => `${ctx.webUrl}/settings/tokens`

/** Where a PAT-based app takes the token (docs/idp.md, idp-credentials-rejected). */
const PASTE_TOKEN =
  "in Okta the app's Provisioning > Integration > API Token, in Entra its Provisioning > Admin credentials > Secret Token, then Test Connection"

export const CATALOGUE = {
  // ── Input and token ────────────────────────────────────────────────────
  'input-invalid': {
    severity: 'error',
    title: 'Invalid input',
    remediation: () => 'Correct the named input in the workflow file; no request was sent to GitHub.'
  },
  'token-whitespace': {
    severity: 'warning',
    title: 'Token has surrounding whitespace',
    remediation: ctx =>
      `The token was trimmed and checked. Re-save the secret without leading or trailing spaces or newlines${byHolder(ctx, {
        'checked-token': ', and check the copy pasted into the IdP for the same paste error.',
        'oauth-grant': '. The IdP holds its own OAuth grant, not a copy of this token: nothing changes there.',
        unknown: '. If the IdP holds this token (a PAT-based app, EMU), check the copy pasted there for the same paste error.'
      })}`
  },
  'token-malformed': {
    severity: 'error',
    title: 'Token is malformed',
    remediation: () =>
      'Store the raw token only (no quotes, no "token " or "Bearer " prefix, no spaces or line breaks). A classic PAT looks like ghp_ followed by 36 letters and digits.'
  },
  'token-invalid': {
    severity: 'error',
    title: 'Token rejected (401 Bad credentials)',
    remediation: ctx =>
      `The token was revoked, expired, regenerated, or its account was deleted; GitHub does not say which. Sign in as the service account, create a new classic PAT at ${tokensPage(ctx)} (scope admin:org, or scim:enterprise for EMU), authorize it for SSO (Configure SSO), and ${byHolder(
        ctx,
        {
          'checked-token': `update both this secret and the IdP, which provisions with this very token (${PASTE_TOKEN}).`,
          'oauth-grant':
            'update this secret. Nothing changes in the IdP: its GitHub app holds its own OAuth grant, not this token, and this says nothing about that grant.',
          unknown: `update this secret, and the IdP too if it holds this token (a PAT-based app, EMU; ${PASTE_TOKEN}); an OAuth-based app (Okta's or Entra's organization app) holds its own grant and needs no change. The idp-credential input says which.`
        }
      )} Do not retry with the same token: repeated bad credentials lock the account out.`
  },
  'login-attempts-exceeded': {
    severity: 'error',
    title: 'Account locked out after too many bad logins',
    remediation: () =>
      'GitHub temporarily rejects every authentication for this account, valid tokens included. Stop every client using an old token of this account (an IdP with a stale credential retries on each sync), wait, then run the check again.'
  },
  'token-expiring': {
    severity: 'warning',
    otherwise: { severity: 'error', when: 'within `fail-days`' },
    title: 'Token expires soon',
    remediation: ctx =>
      byHolder(ctx, {
        'checked-token': `Create a replacement token for the service account at ${tokensPage(ctx)}, authorize it for SSO, update the IdP (${PASTE_TOKEN}) and this secret, then revoke the old one. Provisioning stops the moment the token expires: the IdP provisions with this very token.`,
        'oauth-grant': `Create a replacement token for the service account at ${tokensPage(ctx)}, authorize it for SSO, update this secret, then revoke the old one. Nothing changes in the IdP: this token only stands in for its OAuth grant, which does not expire with it, so provisioning goes on; this check stops working when the token expires.`,
        unknown: `Create a replacement token for the service account at ${tokensPage(ctx)}, authorize it for SSO, update this secret (and the IdP, if it holds this token), then revoke the old one. An IdP that holds this token (a PAT-based app, EMU) stops provisioning the moment it expires; an OAuth-based app (Okta's or Entra's organization app) holds its own grant, which this expiry does not touch. The idp-credential input says which.`
      })
  },
  'token-expires': {
    severity: 'warning',
    title: 'EMU SCIM token has an expiry date',
    remediation: ctx =>
      `GitHub requires the setup user's SCIM token to have no expiration: SCIM stops when it passes. Sign in as the setup user, create a classic PAT with scope scim:enterprise and "No expiration" at ${tokensPage(ctx)}, and update the IdP.`
  },
  'token-kind-unsupported': {
    severity: 'error',
    title: 'Token kind cannot be used for SCIM',
    remediation: ctx =>
      `SCIM provisioning takes a classic personal access token (or the IdP's OAuth token). Fine-grained PATs, GitHub App installation tokens (including GITHUB_TOKEN) and App user tokens do not work. Create a classic PAT of the service account at ${tokensPage(ctx)}${byHolder(
        ctx,
        {
          'checked-token': `, and put it in this secret and in the IdP (${PASTE_TOKEN}).`,
          'oauth-grant': ' and put it in this secret; the IdP keeps its own OAuth grant.',
          unknown: ', put it in this secret, and in the IdP too if it holds this token.'
        }
      )}`
  },
  'scope-missing': {
    severity: 'error',
    title: 'Token lacks required scopes',
    remediation: ctx =>
      `Edit the classic PAT at ${tokensPage(ctx)} and add the missing scopes (admin:org for organization SCIM, scim:enterprise for EMU). Editing keeps the token's value, so nothing needs pasting anew, in this secret or in the IdP. Editing a token can drop its SSO authorization: check Configure SSO afterwards.`
  },
  'scope-excessive': {
    severity: 'notice',
    title: 'Token has more scopes than provisioning needs',
    remediation: ctx =>
      `Reduce the token to the scopes SCIM needs (admin:org for an organization, scim:enterprise for EMU) at ${tokensPage(ctx)}. GitHub documents the swap from admin:enterprise to scim:enterprise as disruption-free.`
  },

  // ── Account ────────────────────────────────────────────────────────────
  'login-mismatch': {
    severity: 'error',
    title: 'Token belongs to another account',
    remediation: ctx =>
      `Create the token while signed in as the dedicated service account (expected-login) and store it in this secret${byHolder(ctx, {
        'checked-token': ' and in the IdP. A personal admin token breaks provisioning when that person leaves.',
        'oauth-grant':
          ". The IdP's app holds its own OAuth grant, which this does not change. A personal admin token breaks this check when that person leaves.",
        unknown: ', and in the IdP too if it holds this token. A personal admin token breaks provisioning when that person leaves.'
      })}`
  },
  'account-renamed': {
    severity: 'error',
    title: 'Service account was renamed',
    remediation: () =>
      'The expected login no longer exists and the token belongs to an account with another name. Rename the account back, or update expected-login and re-authenticate the IdP with the new name.'
  },
  'account-suspended': {
    severity: 'error',
    title: 'Service account is suspended',
    remediation: () =>
      'An enterprise or site admin must unsuspend the account (or GitHub Support, for a GitHub-side suspension); then re-authenticate the IdP.'
  },

  // ── Organization ───────────────────────────────────────────────────────
  'org-not-found': {
    severity: 'error',
    title: 'Organization not found',
    remediation: () => 'Check the org input for typos. A private organization the account cannot see also answers 404.'
  },
  'not-org-member': {
    severity: 'error',
    title: 'Service account is not a member of the organization',
    remediation: () =>
      'Re-invite the service account as an owner. If SAML SSO is enforced, link its SAML identity first: enforcement removes members without a linked identity.'
  },
  'membership-pending': {
    severity: 'error',
    title: 'Organization invitation not accepted',
    remediation: ctx => `Sign in as the service account and accept the invitation at ${ctx.webUrl}/orgs/ORG/invitation (or from its email).`
  },
  'not-org-owner': {
    severity: 'error',
    title: 'Service account is not an organization owner',
    remediation: () =>
      "Make the service account an owner: Organization > People > the account > Change role > Owner. SCIM only accepts an owner's credential."
  },
  'sso-not-authorized': {
    severity: 'error',
    title: 'Token not authorized for SAML SSO',
    remediation: ctx =>
      `Open the authorization URL (valid about an hour) while signed in as the service account, or authorize it for good at ${tokensPage(ctx)}: Settings > Developer settings > Personal access tokens > Tokens (classic) > Configure SSO > Authorize. Regenerating or editing a classic PAT drops its SSO authorization.`
  },
  'saml-identity-missing': {
    severity: 'warning',
    title: 'Service account has no linked SAML identity',
    remediation: ctx =>
      `Sign in as the service account through the IdP at ${ctx.webUrl}/orgs/ORG/sso to link its identity. While SAML is enforced, accounts without a linked identity are removed from the organization.`
  },
  'ip-allow-list-blocked': {
    severity: 'error',
    title: 'Blocked by the organization IP allow list',
    remediation: () =>
      "GitHub-hosted runners cannot pass an IP allow list: run this check on a self-hosted runner whose egress IP is allowed. The IdP's provisioning egress IPs must be on the allow list too, or provisioning fails the same way."
  },
  'oauth-app-restricted': {
    severity: 'error',
    title: 'Blocked by OAuth app access restrictions',
    remediation: () =>
      "Approve the IdP's OAuth app for the organization: Organization settings > Third-party access > OAuth application policy, or lift the restrictions."
  },
  'pat-policy-blocked': {
    severity: 'error',
    title: 'Blocked by a personal access token policy',
    remediation: () =>
      "The organization or enterprise forbids this kind of token (or its lifetime). Allow classic PATs for the organization (Settings > Personal access tokens), or shorten the token's lifetime to the allowed maximum."
  },
  'scim-not-available': {
    severity: 'error',
    title: 'Organization SCIM is not available',
    remediation: () =>
      'Organization SCIM exists only while SAML SSO is configured on the organization itself. Moving SAML to the enterprise removes it; enable organization-level SAML again, or provision through the enterprise.',
    enterprise: {
      title: 'Enterprise SCIM is not available',
      remediation: () =>
        'Check the enterprise input: it is the slug in https://github.com/enterprises/SLUG. Enterprise SCIM exists only for Enterprise Managed Users enterprises; an EMU enterprise with data residency answers at https://api.SUBDOMAIN.ghe.com, so set api-url to it.'
    }
  },
  'scim-forbidden': {
    severity: 'error',
    title: 'SCIM request refused',
    remediation: ctx =>
      `The SCIM API refused this token for a reason no other check explains. Confirm the account is an owner, the token has admin:org and is SSO-authorized${byHolder(
        ctx,
        {
          'checked-token': ', then test the connection in the IdP, which provisions with this very token.',
          'oauth-grant':
            ", then run the check again. The IdP's OAuth grant is another credential: the idp input asks the IdP how its own calls fare.",
          unknown: ', then run the check again (and, if the IdP holds this token, test the connection there).'
        }
      )}`,
    enterprise: {
      title: 'Enterprise SCIM request refused',
      remediation: ctx =>
        `Enterprise SCIM takes a classic PAT of the setup user (SHORTCODE_admin) with scope scim:enterprise and no expiration. Sign in as the setup user, create it at ${tokensPage(ctx)}, and paste it into the IdP's EMU app (Okta: Provisioning > API Token; Entra: Provisioning > Secret Token), then test the connection there.`
    }
  },

  // ── Enterprise ─────────────────────────────────────────────────────────
  'not-setup-user': {
    severity: 'warning',
    title: "EMU SCIM token is not the setup user's",
    remediation: () =>
      'GitHub documents EMU provisioning with a token of the setup user (SHORTCODE_admin). Create the scim:enterprise token while signed in as the setup user.'
  },

  // ── IdP side (the `idp` input) ──
  // Each provider's own steps (perIdp) are in its src/idp/<id>/provider.ts.
  'idp-credentials-rejected': {
    severity: 'error',
    otherwise: { severity: 'notice', when: 'where a GitHub error explains it, as its evidence' },
    title: "The IdP's credential for GitHub is rejected",
    remediation: ctx =>
      `${byHolder(ctx, {
        'checked-token':
          "The app holds a copy of the checked token: paste this secret's value into the app again and test the connection. ",
        'oauth-grant': 'The app holds an OAuth grant of the service account, not the checked token: re-authenticate the app. ',
        unknown: ''
      })}${perIdp(ctx, 'credentialsRejected')}`
  },
  'idp-quarantined': {
    severity: 'error',
    title: 'Entra provisioning is in quarantine',
    remediation: () =>
      "Open the app's Provisioning page in Entra: the quarantine banner and the provisioning logs name the cause. Fix it (the failing entries; for TooManyDeletes, approve or reject the deletes), then restart provisioning. In quarantine Entra tries once a day, and disables the job four weeks after the quarantine began."
  },
  'idp-provisioning-errors': {
    severity: 'warning',
    title: 'The IdP reports provisioning errors for some users',
    remediation: ctx => perIdp(ctx, 'provisioningErrors')
  },
  'idp-provisioning-off': {
    severity: 'warning',
    title: 'IdP provisioning to GitHub is off',
    remediation: ctx => perIdp(ctx, 'provisioningOff')
  },
  'idp-check-failed': {
    severity: 'inconclusive',
    title: 'The IdP could not be asked',
    remediation: () =>
      "This says nothing about provisioning itself. Fix the input the message names (the IdP credential, its permissions, the app's id, a URL), or run the check again if the IdP was unavailable or rate limited."
  },

  // ── Could not judge ───────────────────────────────────────────────────
  'rate-limited': {
    severity: 'inconclusive',
    title: 'GitHub rate limit reached',
    remediation: () => 'Run the check again after the reset time. Other automation using the same account shares this limit.'
  },
  'github-unavailable': {
    severity: 'inconclusive',
    title: 'GitHub could not be reached',
    remediation: () =>
      "This says nothing about the token. Check https://www.githubstatus.com and the runner's network or proxy, then run the check again."
  },
  'unexpected-response': {
    severity: 'inconclusive',
    title: 'Unexpected response from GitHub',
    remediation: () =>
      "GitHub (or a proxy in between) answered with something that is not the API's normal reply. Check api-url and any proxy, then run the check again."
  },
  'internal-error': {
    severity: 'inconclusive',
    title: 'Internal error in the check',
    remediation: () =>
      "This is a bug of provisioning-token-check, not a verdict on the token. Please report it at the action's repository with the run's log (the token is never printed in it), then run the check again."
  }
} as const satisfies Record<string, CauseDefinition>

export type CauseId = keyof typeof CATALOGUE

export const CAUSE_IDS = Object.keys(CATALOGUE) as CauseId[]

/** Order of severities in the `causes` output: most severe first. */
export const SEVERITY_ORDER: readonly Severity[] = ['error', 'inconclusive', 'warning', 'notice']

export interface Cause {
  id: CauseId
  severity: Severity
  org: string | null
  enterprise: string | null
  title: string
  message: string
  remediation: string
  /** SSO authorization URL for `sso-not-authorized`. */
  url?: string
}

export interface CauseInput {
  id: CauseId
  message: string
  org?: string | null
  enterprise?: string | null
  severity?: Severity
  url?: string
}

export function makeCause(input: CauseInput, ctx: RemediationContext): Cause {
  const def: CauseDefinition = CATALOGUE[input.id]
  if (input.severity !== undefined && input.severity !== def.severity && input.severity !== def.otherwise?.severity) {
    // A severity the catalogue does not declare would make docs/causes.md wrong: a bug of ours.
    throw new Error(`${input.id} has no ${input.severity} severity in the catalogue`)
  }
  // An enterprise cause (and no org) speaks of the enterprise: its own title and fix where the catalogue has them.
  const variant = input.enterprise && !input.org && def.enterprise ? def.enterprise : def
  const cause: Cause = {
    id: input.id,
    severity: input.severity ?? def.severity,
    org: input.org ?? null,
    enterprise: input.enterprise ?? null,
    title: variant.title,
    message: input.message,
    remediation: variant.remediation(ctx).replaceAll('ORG', input.org ?? 'ORG')
  }
  if (input.url !== undefined) cause.url = input.url
  return cause
}
