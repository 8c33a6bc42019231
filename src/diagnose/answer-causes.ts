/**
 * Causes any request's answer may give, whichever step reads it: GitHub's or
 * the network's faults (inconclusive, never the token's), refusals that are
 * about the whole account, and a body that is not the JSON GitHub sends.
 * Each returns the cause it found (or null): the step decides what to keep.
 */
import type { CauseInput } from '../causes.js'
import { BODY_PROBLEM_TEXT, fmtDate, type Failure, type HttpAnswer } from './answers.js'

function where(org: string | null, enterprise: string | null): string {
  if (org) return `Organization ${org}: `
  if (enterprise) return `Enterprise ${enterprise}: `
  return ''
}

/** The inconclusive cause of a failure that is GitHub's or the network's fault; null for other failures. */
export function inconclusiveCause(f: Failure, what: string, org: string | null, enterprise: string | null = null): CauseInput | null {
  const prefix = where(org, enterprise)
  switch (f.type) {
    case 'rate-limited': {
      // docs/github-behaviour.md, "Rate limits": the client waits when it can; what reaches here could not be waited for.
      const reset = f.reset ? ` The limit resets at ${fmtDate(f.reset)}.` : ''
      return {
        id: 'rate-limited',
        org,
        enterprise,
        message: `${prefix}${what} hit GitHub's ${f.secondary ? 'secondary' : 'primary'} rate limit, and the reset lies beyond the time budget, so the check could not finish.${reset}`
      }
    }
    case 'unavailable':
      return {
        id: 'github-unavailable',
        org,
        enterprise,
        message: `${prefix}${what} failed: ${f.detail}. This is GitHub's or the network's fault, not the token's.`
      }
    case 'unexpected':
      return {
        id: 'unexpected-response',
        org,
        enterprise,
        message: `${prefix}${what} answered ${f.detail}, which is not an answer GitHub gives to this request.`
      }
    default:
      return null
  }
}

/** Account-wide answers met on any request (lockout, suspension): they are the account's, not an org's. */
export function accountWideCause(f: Failure): CauseInput | null {
  if (f.type === 'lockout') {
    return {
      id: 'login-attempts-exceeded',
      message:
        'GitHub answered "Maximum number of login attempts exceeded": it rejects every authentication for this account for a while, valid tokens included.'
    }
  }
  if (f.type === 'suspended') {
    return { id: 'account-suspended', message: 'GitHub answered "Your account was suspended" for the service account.' }
  }
  return null
}

/** A 2xx whose body is not the JSON GitHub sends (HTML, not JSON, the wrong shape, not read whole). */
export function badBodyCause(fact: HttpAnswer, what: string, org: string | null, enterprise: string | null = null): CauseInput {
  const kind =
    fact.bodyProblem !== undefined
      ? `a body that was ${BODY_PROBLEM_TEXT[fact.bodyProblem]}`
      : typeof fact.body === 'string'
        ? /^\s*</.test(fact.body)
          ? 'an HTML page'
          : 'a body that is not valid JSON'
        : 'JSON of the wrong shape'
  return {
    id: 'unexpected-response',
    org,
    enterprise,
    message: `${where(org, enterprise)}${what} answered HTTP ${fact.status} with ${kind}, not the JSON GitHub sends. A proxy or captive portal may be in between.`
  }
}

/** Keeps the causes found, in order. */
export function found(...causes: Array<CauseInput | null | undefined>): CauseInput[] {
  return causes.filter((c): c is CauseInput => c !== null && c !== undefined)
}
