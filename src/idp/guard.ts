/**
 * The frame every provider's check runs in: it collects the check's secrets (the inputs' and each one
 * obtained, as `ctx.addSecret` hands them on), scrubs the whole report of them in every form a server may
 * echo (as sent, percent- and form-encoded, JSON-escaped; split or wrapped: `scrubberFor`), keeps the
 * report's own words (`scrubReport`), and turns a bug of ours into a `check-failed` finding that quotes
 * nothing of the input. A provider's `check` is `guardedCheck(...)` around its sign-in, probes and judge.
 */
import { scrubberFor, serverText } from '../sanitize.js'
import { blankReport, scrubReport } from './report.js'
import type { IdpContext, IdpDetails, IdpReport } from './types.js'

/** Each secret as a server may echo it: as sent, percent- and form-encoded, JSON-escaped. */
export function withEncodings(secrets: readonly string[]): string[] {
  return secrets
    .filter(s => s !== '')
    .flatMap(s => [s, encodeURIComponent(s), new URLSearchParams({ s }).toString().slice(2), JSON.stringify(s).slice(1, -1)])
}

export interface GuardedCheck {
  /** The provider's id and its name in a sentence. */
  provider: string
  short: string
  /** The app checked, for the report the check could not make. */
  app: string
  /** The provider's details of an empty report (Entra: `{ jobs: [] }`). */
  details?: IdpDetails
  /** The check's secrets from its inputs. */
  secrets: readonly string[]
}

export async function guardedCheck(what: GuardedCheck, ctx: IdpContext, run: (ctx: IdpContext) => Promise<IdpReport>): Promise<IdpReport> {
  const secrets: string[] = [...what.secrets]
  const inner: IdpContext = {
    ...ctx,
    addSecret: secret => {
      secrets.push(secret)
      ctx.addSecret(secret)
    }
  }
  try {
    return scrubReport(await run(inner), scrubberFor(...withEncodings(secrets)))
  } catch (e) {
    // Our own fault, not the IdP's: still no throw, and only the error's name, scrubbed, is said.
    const name = serverText(scrubberFor(...withEncodings(secrets))(e instanceof Error ? e.name : 'error'), 40)
    return blankReport(
      what.provider,
      serverText(what.app, 64),
      0,
      [{ kind: 'check-failed', input: null, reason: `the ${what.short} check stopped on an internal error (${name}); please report it` }],
      what.details ?? {}
    )
  }
}
