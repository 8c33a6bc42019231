/**
 * The run: inputs → probes → diagnose → report, inside the time budget.
 */
import * as core from '@actions/core'
import { checkToken, policyForParsedProblems, verdictForInternalError, verdictForParsedProblems } from './check.js'
import { parseInputs } from './inputs.js'
import { scrubberFor } from './sanitize.js'
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
  const scrub = scrubberFor(rawToken)
  try {
    const parsed = parseInputs(name => c.getInput(name, { trimWhitespace: false }), env)
    const inputs = parsed.inputs
    if (!inputs) {
      await publish(c, verdictForParsedProblems(parsed), policyForParsedProblems(parsed), docsBase(env))
      return
    }
    const verdict = await checkToken(inputs, {
      now,
      startedAt: started,
      tokenWhitespace: parsed.tokenWhitespace,
      retryBaseMs: deps.retryBaseMs,
      debug: message => c.debug(scrub(message))
    })
    await publish(c, verdict, { failOn: inputs.failOn, inconclusive: inputs.inconclusive }, docsBase(env))
  } catch (e) {
    // A bug of ours: never a verdict on the token, never healthy.
    const message = scrub(e instanceof Error ? e.message : String(e))
    await publish(c, verdictForInternalError(message), null).catch(() => c.setFailed(`provisioning-token-check stopped: ${message}`))
  }
}
