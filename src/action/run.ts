/**
 * The run: inputs → probes → diagnose → report, inside the time budget.
 */
import * as core from '@actions/core'
import { checkToken, policyForParsedProblems, verdictForInternalError, verdictForParsedProblems } from '../check.js'
import { IDP_SECRET_INPUTS } from '../idp/inputs.js'
import { parseInputs } from '../inputs.js'
import { isCredentialShaped, logLine, SecretList, secretPieces } from '../sanitize.js'
import { docsBase, publish } from './publish.js'

type Core = typeof core
export type RunCore = Pick<Core, 'getInput' | 'setSecret' | 'debug' | 'info' | 'error' | 'warning' | 'notice' | 'setOutput' | 'summary'>

export interface RunDeps {
  core: RunCore
  env: NodeJS.ProcessEnv
  now: () => number
  /** Epoch ms the time budget counts from: by default, when the process started. */
  startedAt?: number
  /** Retry back-off base in ms (tests shorten it). */
  retryBaseMs?: number
  /** How a failing run fails: by default `process.exitCode = 1` (tests capture it instead). */
  setExitCode?: (code: number) => void
}

/**
 * Inputs that hold secrets besides `token` (the IdP side): masked and scrubbed
 * like the token as soon as the run starts, whether or not they are used.
 */
export const SECRET_INPUTS: readonly string[] = IDP_SECRET_INPUTS

/**
 * Masks a secret before anything else can print it: the value first, then
 * each piece the scrubber also removes (trimmed, each line of a PEM key, each
 * part of a token pasted with a scheme word or a line break, the last eight).
 */
function maskSecret(c: RunCore, raw: string): void {
  if (raw === '') return
  c.setSecret(raw)
  for (const piece of secretPieces(raw)) if (piece !== raw) c.setSecret(piece)
}

export async function run(deps: RunDeps = { core, env: process.env, now: Date.now }): Promise<void> {
  const { core: c, env, now } = deps
  // The budget covers the whole step, so it counts from the process start, not from here.
  const started = Math.min(deps.startedAt ?? performance.timeOrigin, now())
  // The token is masked first, before anything else happens.
  const rawToken = c.getInput('token', { trimWhitespace: false })
  maskSecret(c, rawToken)
  // Every secret of the run: every output is scrubbed of each (publish), every log line too.
  const secrets = new SecretList()
  secrets.add(rawToken)
  for (const name of SECRET_INPUTS) {
    const value = c.getInput(name, { trimWhitespace: false })
    maskSecret(c, value)
    secrets.add(value)
  }
  // The runner's token for asking a GitHub OIDC token (Entra federation) is a secret of the run too.
  const oidcRequestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? ''
  maskSecret(c, oidcRequestToken)
  secrets.add(oidcRequestToken)
  // Each secret obtained during the run (IdP access tokens, the OIDC token) is masked the moment it arrives.
  // Only a value that could be a credential: masking an ordinary word an IdP sent would blank our own outputs.
  const onSecret = (secret: string): void => {
    if (!isCredentialShaped(secret)) return
    maskSecret(c, secret)
    secrets.add(secret)
  }
  const setExitCode = deps.setExitCode
  try {
    const parsed = parseInputs(name => c.getInput(name, { trimWhitespace: false }), env)
    const inputs = parsed.inputs
    if (!inputs) {
      await publish(c, verdictForParsedProblems(parsed), policyForParsedProblems(parsed), {
        docs: docsBase(env),
        secrets: secrets.values,
        setExitCode
      })
      return
    }
    const verdict = await checkToken(inputs, {
      now,
      startedAt: started,
      tokenWhitespace: parsed.tokenWhitespace,
      retryBaseMs: deps.retryBaseMs,
      // Debug lines (one per request) only with step debug on: the runner sets RUNNER_DEBUG=1 then (core.isDebug()),
      // and shows no ::debug:: line without it, so writing each would only cost a write per request.
      debug: env.RUNNER_DEBUG === '1' ? message => c.debug(logLine(message, secrets.scrub)) : undefined,
      onSecret
    })
    await publish(
      c,
      verdict,
      { failOn: inputs.failOn, inconclusive: inputs.inconclusive },
      { docs: docsBase(env), secrets: secrets.values, setExitCode }
    )
  } catch (e) {
    // A bug of ours: never a verdict on the token, never healthy.
    const message = logLine(e instanceof Error ? e.message : String(e), secrets.scrub, 500)
    await publish(c, verdictForInternalError(message), null, { secrets: secrets.values, setExitCode }).catch(() => {
      c.error(`provisioning-token-check stopped: ${message}`)
      ;(setExitCode ?? (code => void (process.exitCode = code)))(1)
    })
  }
}
