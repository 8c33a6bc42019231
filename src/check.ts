/**
 * The check itself, shared by the action (main.ts) and the CLI (cli.ts):
 * validated inputs → client → facts → verdict, inside the time budget; and
 * the verdicts for runs that never reach GitHub (input problems, our own bugs).
 */
import { makeCause, type Cause } from './causes.js'
import { diagnose, statusOf, verdictForInputProblems, webUrlFor, type Verdict } from './diagnose/index.js'
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
}

/** Runs every probe for valid inputs and diagnoses the answers. Never throws for GitHub's or the network's faults. */
export async function checkToken(inputs: Inputs, options: CheckOptions): Promise<Verdict> {
  const { now, startedAt } = options
  const debug = options.debug ?? (() => undefined)
  const deadline = startedAt + inputs.timeoutSeconds * 1000 - REPORT_RESERVE_MS
  // The network stack (Octokit, its plugins, undici) is evaluated only here, when a request is to be made: a
  // run that stops at its inputs never evaluates it. "eager": ncc keeps it in the one bundle file (no chunk
  // files beside dist/index.js, one licenses.txt for all of it) but runs its modules only on this call.
  const { createClient } = await import(/* webpackMode: "eager" */ './github/client.js')
  const client = createClient({
    token: inputs.token,
    apiUrl: inputs.apiUrl,
    deadline,
    now,
    retryBaseMs: options.retryBaseMs,
    debug
  })
  const facts = await gatherFacts(client, inputs)
  const verdict = diagnose(facts, inputs, new Date(now()), {
    tokenWhitespace: options.tokenWhitespace,
    webUrl: webUrlFor(inputs.apiUrl)
  })
  debug(`${client.requestCount} requests in ${now() - startedAt} ms`)
  return verdict
}

/** The verdict when the inputs did not parse: no request is sent. */
export function verdictForParsedProblems(parsed: ParsedInputs): Verdict {
  const ctx = { webUrl: 'https://github.com' }
  const whitespace: Cause[] = parsed.tokenWhitespace
    ? [makeCause({ id: 'token-whitespace', message: 'The token input had leading or trailing whitespace (a space or line break); it was trimmed before use.' }, ctx)]
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
  const cause = makeCause({ id: 'internal-error', message: `The check stopped on an internal error: ${serverText(message, 300)}` }, { webUrl: 'https://github.com' })
  const verdict = verdictForInputProblems([cause])
  verdict.status = statusOf([cause])
  verdict.notes = ['The check did not finish; please report this at the action\'s repository.']
  return verdict
}
