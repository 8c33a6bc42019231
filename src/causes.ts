/**
 * The cause catalogue: every verdict the action can reach, with its stable id,
 * default severity, title and remediation. Ids are part of the public contract
 * (the `causes` output, annotation titles, README anchors): never rename one.
 *
 * Read top to bottom: input and token, account, org, enterprise, could-not-judge.
 */

import type { IdpSteps } from './idp/provider.js'
import { PROVIDERS, providerById } from './idp/providers.js'

export type Severity = 'error' | 'inconclusive' | 'warning' | 'notice'

export interface RemediationContext {
  /** Web host base, e.g. https://github.com or https://acme.ghe.com */
  webUrl: string
  /** The IdP asked (`idp` input): its own steps; without it, every IdP's. */
  idp?: string
}

/** An IdP cause's fix: the asked IdP's own steps (from its provider module), or every IdP's (the docs). */
const perIdp = (ctx: RemediationContext, step: keyof IdpSteps): string => {
  const asked = ctx.idp === undefined ? undefined : providerById(ctx.idp)
  return asked ? asked.steps[step] : PROVIDERS.map(p => `${p.short}: ${p.steps[step]}`).join(' ')
}

export interface CauseDefinition {
  severity: Severity
  title: string
  remediation: (ctx: RemediationContext) => string
  /** Title and fix when the cause is about an EMU enterprise rather than an organization. */
  enterprise?: { title: string; remediation: (ctx: RemediationContext) => string }
}

const tokensPage = (ctx: RemediationContext): string => `${ctx.webUrl}/settings/tokens`

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
    remediation: () =>
      'The token was trimmed and checked. Re-save the secret without leading or trailing spaces or newlines, and check the copy pasted into the IdP for the same paste error.'
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
      `The token was revoked, expired, regenerated, or its account was deleted; GitHub does not say which. Sign in as the service account, create a new classic PAT at ${tokensPage(ctx)} (scope admin:org, or scim:enterprise for EMU), authorize it for SSO (Configure SSO), and update both this secret and the IdP (Okta: Provisioning > Integration > Edit > Re-authenticate; Entra: Provisioning > Admin Credentials > Authorize/Secret Token, then Test Connection). Do not retry with the same token: repeated bad credentials lock the account out.`
  },
  'login-attempts-exceeded': {
    severity: 'error',
    title: 'Account locked out after too many bad logins',
    remediation: () =>
      'GitHub temporarily rejects every authentication for this account, valid tokens included. Stop every client using an old token of this account (an IdP with a stale credential retries on each sync), wait, then run the check again.'
  },
  'token-expiring': {
    severity: 'warning',
    title: 'Token expires soon',
    remediation: ctx =>
      `Create a replacement token for the service account at ${tokensPage(ctx)}, authorize it for SSO, update the IdP and this secret, then revoke the old one. Provisioning stops the moment the token expires.`
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
      `SCIM provisioning takes a classic personal access token (or the IdP's OAuth token). Fine-grained PATs, GitHub App installation tokens (including GITHUB_TOKEN) and App user tokens do not work. Create a classic PAT of the service account at ${tokensPage(ctx)}.`
  },
  'scope-missing': {
    severity: 'error',
    title: 'Token lacks required scopes',
    remediation: ctx =>
      `Edit the classic PAT at ${tokensPage(ctx)} and add the missing scopes (admin:org for organization SCIM, scim:enterprise for EMU). Editing a token can drop its SSO authorization: check Configure SSO afterwards.`
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
    remediation: () =>
      'Create the token while signed in as the dedicated service account (expected-login), store it in this secret and in the IdP. A personal admin token breaks provisioning when that person leaves.'
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
    remediation: () =>
      'The SCIM API refused this token for a reason no other check explains. Confirm the account is an owner, the token has admin:org and is SSO-authorized, then re-authenticate the IdP.',
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
    title: "The IdP's credential for GitHub is rejected",
    remediation: ctx => perIdp(ctx, 'credentialsRejected')
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
