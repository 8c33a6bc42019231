/**
 * The run: inputs → probes → diagnose → report, inside the time budget.
 */
import * as core from '@actions/core'
import { makeCause, type Cause } from './causes.js'
import { createClient } from './client.js'
import { diagnose, statusOf, verdictForInputProblems, webUrlFor } from './diagnose.js'
import { parseInputs } from './inputs.js'
import { gatherFacts } from './probes.js'
import { docsBase, publish } from './report.js'

type Core = typeof core
export type RunCore = Pick<Core, 'getInput' | 'setSecret' | 'debug' | 'info' | 'error' | 'warning' | 'notice' | 'setOutput' | 'setFailed' | 'summary'>

export interface RunDeps {
  core: RunCore
  env: NodeJS.ProcessEnv
  now: () => number
  /** Epoch ms the time budget counts from: by default, when the process started. */
  startedAt?: number
  /** Retry back-off base in ms (tests shorten it). */
  retryBaseMs?: number
}

/** Time kept back from the budget for diagnosing and writing the report. */
const REPORT_RESERVE_MS = 300

/** Masks the token, and each piece of it, before anything else can print it. */
function maskToken(c: RunCore, raw: string): void {
  if (raw === '') return
  c.setSecret(raw)
  const trimmed = raw.trim()
  if (trimmed !== '' && trimmed !== raw) c.setSecret(trimmed)
  // A token pasted with a line break or an authorization scheme: mask each part, but not the scheme word.
  for (const piece of trimmed.split(/\s+/)) {
    if (piece.length >= 6 && piece !== trimmed && !/^(bearer|token)$/i.test(piece)) c.setSecret(piece)
  }
}

export async function run(deps: RunDeps = { core, env: process.env, now: Date.now }): Promise<void> {
  const { core: c, env, now } = deps
  // The budget covers the whole step, so it counts from the process start, not from here.
  const started = Math.min(deps.startedAt ?? performance.timeOrigin, now())
  const rawToken = c.getInput('token', { trimWhitespace: false })
  maskToken(c, rawToken)
  const scrub = (s: string): string => {
    let out = s
    for (const t of [rawToken, rawToken.trim()]) if (t.length >= 6) out = out.split(t).join('***')
    return out
  }
  try {
    const parsed = parseInputs(name => c.getInput(name, { trimWhitespace: false }), env)
    const ctx = { webUrl: 'https://github.com' }
    const whitespace: Cause[] = parsed.tokenWhitespace
      ? [makeCause({ id: 'token-whitespace', message: 'The token input had leading or trailing whitespace (a space or line break); it was trimmed before use.' }, ctx)]
      : []
    const inputs = parsed.inputs
    if (!inputs) {
      const causes = [...parsed.problems.map(p => makeCause({ id: p.id, message: p.message }, ctx)), ...whitespace]
      const verdict = verdictForInputProblems(causes)
      await publish(c, verdict, parsed.failOn === null ? null : { failOn: parsed.failOn, inconclusive: 'fail' }, docsBase(env))
      return
    }
    const deadline = started + inputs.timeoutSeconds * 1000 - REPORT_RESERVE_MS
    const client = createClient({
      token: inputs.token,
      apiUrl: inputs.apiUrl,
      deadline,
      now,
      retryBaseMs: deps.retryBaseMs,
      debug: message => c.debug(scrub(message))
    })
    const facts = await gatherFacts(client, inputs)
    const verdict = diagnose(facts, inputs, new Date(now()), {
      tokenWhitespace: parsed.tokenWhitespace,
      webUrl: webUrlFor(inputs.apiUrl)
    })
    c.debug(`${client.requestCount} requests in ${now() - started} ms`)
    await publish(c, verdict, { failOn: inputs.failOn, inconclusive: inputs.inconclusive }, docsBase(env))
  } catch (e) {
    // A bug of ours: never a verdict on the token, never healthy.
    const message = scrub(e instanceof Error ? e.message : String(e))
    const cause = makeCause({ id: 'unexpected-response', message: `The check stopped on an internal error: ${message}` }, { webUrl: 'https://github.com' })
    const verdict = verdictForInputProblems([cause])
    verdict.status = statusOf([cause])
    verdict.notes = ['The check did not finish; please report this at the action\'s repository.']
    await publish(c, verdict, null).catch(() => c.setFailed(`provisioning-token-check stopped: ${message}`))
  }
}
