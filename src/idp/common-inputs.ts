/**
 * What every provider's inputs share: the problem's wording, required inputs, GUIDs, the look-back and the
 * runner's OIDC endpoint. A provider's `parse` uses these, so that every input problem reads alike.
 */
import { describe, parseWholeNumber, type InputProblem } from '../input-fields.js'
import type { ReadInput } from './provider.js'

export const LOOKBACK_INPUT = 'idp-lookback-hours'
export const LOOKBACK_DEFAULT = '720'
export const MAX_LOOKBACK_HOURS = 2160

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function problem(problems: InputProblem[], input: string, message: string): void {
  problems.push({ id: 'input-invalid', input, message: `Input "${input}" ${message}` })
}

/** The input's value, or null (and a problem naming it) when it is empty. */
export function required(read: ReadInput, name: string, problems: InputProblem[], provider: string): string | null {
  const value = read(name).trim()
  if (value === '') {
    problem(problems, name, `is required with idp: ${provider}.`)
    return null
  }
  return value
}

/**
 * A secret input (a client secret, an API key) must be one line without control characters: a line break
 * pasted inside would break the header it goes in (or smuggle another), and the run would blame the IdP or the
 * network. `word`: a value sent as a header as it is (an API key) must also be one word (no space). The problem
 * never quotes the value (it is a secret). True when the value may be used.
 */
export function wellFormedSecret(value: string, name: string, problems: InputProblem[], what: string, word = false): boolean {
  // eslint-disable-next-line no-control-regex
  const bad = word ? !/^[\x21-\x7e]+$/.test(value) : /[\u0000-\u001f\u007f\u2028\u2029]/.test(value)
  if (!bad) return true
  problem(
    problems,
    name,
    `must be ${what} alone, ${word ? 'one word without a line break, space or control character' : 'one line without a line break or control character'}; nothing was sent.`
  )
  return false
}

/** A required GUID, lower-cased. */
export function guid(read: ReadInput, name: string, problems: InputProblem[], provider: string, what: string): string | null {
  const value = required(read, name, problems, provider)
  if (value === null) return null
  if (!GUID.test(value)) {
    problem(problems, name, `must be ${what}, a GUID such as 00000000-0000-0000-0000-000000000000; got ${describe(value)}.`)
    return null
  }
  return value.toLowerCase()
}

/** `idp-lookback-hours`: 1 to 2160 (90 days, what the IdPs with event logs keep). */
export function parseLookback(read: ReadInput, problems: InputProblem[], keeps: string): number | null {
  const hours = parseWholeNumber(LOOKBACK_INPUT, read(LOOKBACK_INPUT) || LOOKBACK_DEFAULT, problems, { min: 1 })
  if (hours !== null && hours > MAX_LOOKBACK_HOURS) {
    problem(problems, LOOKBACK_INPUT, `must be 1 to ${MAX_LOOKBACK_HOURS} hours (${keeps}); got ${hours}.`)
    return null
  }
  return hours
}

/** The runner's OIDC endpoint (`permissions: id-token: write`), when the job may ask for a token. */
export function oidcFromEnv(env: NodeJS.ProcessEnv): { requestUrl: string; requestToken: string } | null {
  const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL ?? ''
  const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN ?? ''
  return requestUrl !== '' && requestToken !== '' ? { requestUrl, requestToken } : null
}
