/**
 * The check itself, shared by the action (main.ts) and the CLI (cli.ts):
 * validated inputs → client → facts → verdict, inside the time budget; and
 * the verdicts for runs that never reach GitHub (input problems, our own bugs).
 */
import { timingSafeEqual } from 'node:crypto'
import { makeCause, type Cause } from './causes.js'
import { diagnose, statusOf, verdictForInputProblems, type Verdict } from './diagnose/index.js'
import { IDP_BODY_BYTES, MAX_TOTAL_BODY_BYTES, type ByteBudget } from './http/body.js'
import type { IdpConfig } from './idp/inputs.js'
import { providerById } from './idp/providers.js'
import { blankReport } from './idp/report.js'
import type { IdpContext, IdpReport } from './idp/types.js'
import type { Inputs, ParsedInputs } from './inputs.js'
import { gatherFacts } from './github/probes.js'
import { serverText } from './sanitize.js'
import type { Policy } from './report/policy.js'

/** Time kept back from the budget for diagnosing and writing the report. */
export const REPORT_RESERVE_MS = 300

export interface CheckOptions {
  now: () => number
  /** Epoch ms the time budget (`timeout-seconds`) counts from. */
  startedAt: number
  /** The raw token had leading/trailing whitespace (reported as `token-whitespace`). */
  tokenWhitespace: boolean
  /** Retry back-off base in ms (tests shorten it). */
  retryBaseMs?: number
  /** Debug sink; its messages never contain the token, but callers may scrub them anyway. */
  debug?: (message: string) => void
  /**
   * Called with each secret obtained during the run (IdP access tokens, the GitHub OIDC token) the moment it
   * arrives: the action masks it (core.setSecret), and every output is scrubbed of it.
   */
  onSecret?: (secret: string) => void
}

/** Runs every probe for valid inputs and diagnoses the answers. Never throws for GitHub's or the network's faults. */
export async function checkToken(inputs: Inputs, options: CheckOptions): Promise<Verdict> {
  const { now, startedAt } = options
  const debug = options.debug ?? (() => undefined)
  const deadline = startedAt + inputs.timeoutSeconds * 1000 - REPORT_RESERVE_MS
  // The network stack (Octokit, its plugins, undici) is loaded only here, when a request is to be made: the
  // build puts it in lazy chunks beside the entry file (scripts/build/bundle.mjs), so a run that stops at its
  // inputs neither compiles nor evaluates it (issue 18; __tests__/cold-start.test.ts). Each IdP's check is a
  // lazy chunk too (src/idp/<id>/provider.ts).
  // All bodies of the run stay within MAX_TOTAL_BODY_BYTES: the IdP has its own share, so that nothing an IdP
  // sends can leave GitHub's answers unread (an IdP fault never changes GitHub's causes).
  const budget: ByteBudget = inputs.idp ? { spent: 0, limit: MAX_TOTAL_BODY_BYTES - IDP_BODY_BYTES } : { spent: 0 }
  const idpBudget: ByteBudget = { spent: 0, limit: IDP_BODY_BYTES }
  // The IdP is asked at once, beside GitHub (it does not depend on GET /user), inside the same time budget.
  const idp = inputs.idp
    ? askIdp(inputs.idp, {
        deadline,
        now,
        budget: idpBudget,
        addSecret: options.onSecret ?? (() => undefined),
        debug,
        target: { org: inputs.orgs[0] ?? null, enterprise: inputs.enterprise },
        sameAsChecked: candidate => sameSecret(candidate, inputs.token)
      })
    : Promise.resolve(null)
  const { createClient } = await import('./github/client.js')
  const client = createClient({
    token: inputs.token,
    apiUrl: inputs.apiUrl,
    deadline,
    now,
    retryBaseMs: options.retryBaseMs,
    debug,
    budget
  })
  const [facts, idpReport] = await Promise.all([gatherFacts(client, inputs), idp])
  const verdict = diagnose(facts, inputs, new Date(now()), {
    tokenWhitespace: options.tokenWhitespace,
    idp: idpReport
  })
  debug(
    `${client.requestCount} requests to GitHub${idpReport ? `, ${idpReport.requests} to the IdP` : ''} in ${Math.round(now() - startedAt)} ms`
  )
  return verdict
}

/** Constant-time equality of two secrets (their lengths aside). */
function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8')
  const y = Buffer.from(b, 'utf8')
  return x.length === y.length && timingSafeEqual(x, y)
}

/** The IdP's answer; never throws (a bug of ours becomes check-failed, so GitHub's verdict still stands). */
async function askIdp(config: IdpConfig, ctx: IdpContext): Promise<IdpReport> {
  const provider = providerById(config.provider)
  if (provider === undefined) throw new Error(`unknown IdP provider ${config.provider}`)
  // Each provider's check runs in guardedCheck (src/idp/guard.ts), which scrubs its report of every secret it
  // saw; the inputs' secrets and every token obtained (ctx.addSecret) are scrubbed from every output at the
  // boundary (report/safe.ts) as well.
  try {
    return await provider.check(config.config, ctx)
  } catch (e) {
    const app = serverText(provider.app(config.config), 64)
    const reason = `an internal error of the check (please report it): ${serverText(e instanceof Error ? e.message : String(e), 120)}`
    return blankReport(config.provider, app, 0, [{ kind: 'check-failed', input: null, reason }])
  }
}

/** The verdict when the inputs did not parse: no request is sent. */
export function verdictForParsedProblems(parsed: ParsedInputs): Verdict {
  const ctx = { webUrl: 'https://github.com' }
  const whitespace: Cause[] = parsed.tokenWhitespace
    ? [
        makeCause(
          {
            id: 'token-whitespace',
            message: 'The token input had leading or trailing whitespace (a space or line break); it was trimmed before use.'
          },
          ctx
        )
      ]
    : []
  const causes = [...parsed.problems.map(p => makeCause({ id: p.id, message: p.message }, ctx)), ...whitespace]
  return verdictForInputProblems(causes)
}

/** The policy a run with input problems is judged by: `fail-on` when it parsed, else none (the run fails). */
export function policyForParsedProblems(parsed: ParsedInputs): Policy | null {
  return parsed.failOn === null ? null : { failOn: parsed.failOn, inconclusive: 'fail' }
}

/** A bug of ours: never a verdict on the token, never healthy. `message` must already be scrubbed. */
export function verdictForInternalError(message: string): Verdict {
  const cause = makeCause(
    { id: 'internal-error', message: `The check stopped on an internal error: ${serverText(message, 300)}` },
    { webUrl: 'https://github.com' }
  )
  const verdict = verdictForInputProblems([cause])
  verdict.status = statusOf([cause])
  verdict.notes = ["The check did not finish; please report this at the action's repository."]
  return verdict
}
