/**
 * The enterprise (Enterprise Managed Users): the token must not expire, should
 * be the setup user's, and enterprise SCIM must answer it.
 */
import type { CauseInput } from '../causes.js'
import type { Fact } from '../github/client.js'
import { serverText } from '../sanitize.js'
import { accountWideCause, badBodyCause, inconclusiveCause } from './answer-causes.js'
import { classify, fmtDate, httpStatus, isScimList, ok } from './answers.js'

export interface EnterpriseContext {
  slug: string
  login: string
  /** GET /scim/v2/enterprises/{slug}/Users (null: not requested). */
  scim: Fact | null
  expiry: Date | null
  daysUntilExpiry: number | null
  now: Date
}

export interface EnterpriseFindings {
  causes: CauseInput[]
  /** What enterprise SCIM answered, for the summary. */
  scim: string
}

export function judgeEnterprise(e: EnterpriseContext): EnterpriseFindings {
  const causes: CauseInput[] = []
  if (e.expiry !== null) {
    causes.push({
      id: 'token-expires',
      enterprise: e.slug,
      message: `Enterprise ${e.slug}: the SCIM token expires on ${fmtDate(e.expiry)} (in ${e.daysUntilExpiry} days). EMU provisioning tokens must not expire: SCIM stops the moment it passes.`
    })
  }
  // The setup user is SHORTCODE_admin; any login not ending in _admin is another account (docs/causes.md).
  if (!/_admin$/.test(e.login)) {
    causes.push({
      id: 'not-setup-user',
      enterprise: e.slug,
      message: `Enterprise ${e.slug}: the token belongs to ${e.login}, not to the setup user (SHORTCODE_admin).`
    })
  }
  const scim = enterpriseScim(e)
  return { causes: [...causes, ...scim.causes], scim: scim.scim }
}

/** Enterprise SCIM, as the IdP calls it (docs/github-behaviour.md, "SCIM"). */
function enterpriseScim({ slug, scim, now }: EnterpriseContext): EnterpriseFindings {
  const what = `GET /scim/v2/enterprises/${slug}/Users`
  if (scim === null) return { causes: [], scim: 'not checked' }
  if (ok(scim)) {
    return isScimList(scim.body) ? { causes: [], scim: 'answers' } : { causes: [badBodyCause(scim, what, null, slug)], scim: 'not checked' }
  }
  const f = classify(scim, now)
  const known = accountWideCause(f) ?? inconclusiveCause(f, what, null, slug)
  if (known !== null) return { causes: [known], scim: 'not checked' }
  if (f.type === 'not-found') {
    return {
      causes: [
        {
          id: 'scim-not-available',
          enterprise: slug,
          message: `Enterprise ${slug}: ${what} answered 404: the slug is wrong, the enterprise is not an Enterprise Managed Users enterprise, or it lives on another host (EMU on GHE.com answers at https://api.SUBDOMAIN.ghe.com).`
        }
      ],
      scim: '404'
    }
  }
  if (f.type === 'forbidden' || f.type === 'unauthorized' || f.type === 'ip-allow-list' || f.type === 'pat-policy' || f.type === 'sso') {
    const text = 'text' in f ? f.text : f.type
    return {
      causes: [
        {
          id: 'scim-forbidden',
          enterprise: slug,
          message: `Enterprise ${slug}: ${what} was refused (${httpStatus(scim)}${text ? `: ${serverText(text, 160)}` : ''}). The token must be the setup user's (or an enterprise owner's) with scim:enterprise.`
        }
      ],
      scim: 'refused'
    }
  }
  return {
    causes: [{ id: 'unexpected-response', enterprise: slug, message: `Enterprise ${slug}: ${what} answered ${f.type}.` }],
    scim: 'not checked'
  }
}
