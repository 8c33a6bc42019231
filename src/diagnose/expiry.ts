/**
 * When the token expires: GET /user's `github-authentication-token-expiration`
 * header, else (header absent) the expiry in an org's SSO authorization
 * record; `token-expiring` within `warn-days` (an error within `fail-days`).
 */
import type { CauseInput, Severity } from '../causes.js'
import { fmtDate, parseExpiryHeader } from './answers.js'
import type { ExpiryKind, OrgSummary } from './verdict.js'

const DAY_MS = 24 * 60 * 60 * 1000

export interface ExpiryHeader {
  expiry: Date | null
  /** No header at all (not an empty one): only then may the SSO record say when the token expires. */
  absent: boolean
  causes: CauseInput[]
}

/** The expiry header of GET /user (docs/github-behaviour.md, "Headers"): none means the token never expires. */
export function readExpiryHeader(headers: Record<string, string>): ExpiryHeader {
  const value = headers['github-authentication-token-expiration']
  if (value === undefined || value.trim() === '') return { expiry: null, absent: value === undefined, causes: [] }
  const expiry = parseExpiryHeader(value)
  return {
    expiry,
    absent: false,
    causes:
      expiry !== null
        ? []
        : [
            {
              id: 'unexpected-response',
              message: 'GET /user sent a github-authentication-token-expiration header that is not a date; the expiry could not be checked.'
            }
          ]
  }
}

export interface Expiry {
  expiry: Date | null
  /** A date; `never` only when GET /user answered without the header (and no SSO record has a date); else unknown. */
  kind: ExpiryKind
  expiresAt: string | null
  daysUntilExpiry: number | null
  causes: CauseInput[]
}

export interface ExpiryContext {
  header: ExpiryHeader
  /** The orgs judged, for their SSO authorization records. */
  orgs: readonly OrgSummary[]
  warnDays: number
  failDays: number
  now: Date
}

export function judgeExpiry({ header, orgs, warnDays, failDays, now }: ExpiryContext): Expiry {
  const expiry = header.expiry ?? (header.absent ? expiryFromSsoRecords(orgs) : null)
  // An expiry header that is empty or not a date says nothing: unknown, not never.
  if (expiry === null)
    return { expiry: null, kind: header.absent ? 'never' : 'unknown', expiresAt: null, daysUntilExpiry: null, causes: [] }
  const days = Math.floor((expiry.getTime() - now.getTime()) / DAY_MS)
  const causes: CauseInput[] = []
  if (days <= warnDays) {
    const severity: Severity = days <= failDays ? 'error' : 'warning'
    causes.push({
      id: 'token-expiring',
      severity,
      message: `The token expires on ${fmtDate(expiry)}, in ${days} day${days === 1 ? '' : 's'} (${severity === 'error' ? `fail-days is ${failDays}` : `warn-days is ${warnDays}`}).`
    })
  }
  return { expiry, kind: 'date', expiresAt: fmtDate(expiry), daysUntilExpiry: days, causes }
}

/** The first org whose SSO authorization record carries a date of expiry (docs/github-behaviour.md, "SSO"). */
function expiryFromSsoRecords(orgs: readonly OrgSummary[]): Date | null {
  for (const o of orgs) {
    const e = o.ssoAuthorization?.expiresAt
    const d = e ? new Date(e) : null
    if (d && !Number.isNaN(d.getTime())) return d
  }
  return null
}
