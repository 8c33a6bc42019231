/**
 * The parsers every input uses (the action's and the IdP side's): each
 * problem names its input and the accepted form, and never echoes a secret
 * or anything token-shaped.
 */
import { redactTokenShapes, serverText } from './sanitize.js'

export interface InputProblem {
  id: 'input-invalid' | 'token-malformed'
  input: string
  message: string
}

/** An input's value, quoted for a message: bounded, one line, and never anything token-shaped. */
export function describe(value: string): string {
  // A long word of token characters may be a secret pasted into the wrong input: its length is said, not it.
  if (/^[A-Za-z0-9._~+/=-]{16,}$/.test(value.trim())) return `(a ${value.trim().length}-character value, not shown)`
  const shown = serverText(redactTokenShapes(value), 40)
  return JSON.stringify(shown)
}

export function parseWholeNumber(name: string, raw: string, problems: InputProblem[], { min }: { min: number }): number | null {
  const value = raw.trim()
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    problems.push({
      id: 'input-invalid',
      input: name,
      message: `Input "${name}" must be a whole number${min > 0 ? ` of at least ${min}` : ' (0 or more)'}; got ${describe(value)}.`
    })
    return null
  }
  return Number(value)
}

export function parseEnum<T extends string>(name: string, raw: string, allowed: readonly T[], problems: InputProblem[]): T | null {
  const value = raw.trim().toLowerCase()
  if ((allowed as readonly string[]).includes(value)) return value as T
  problems.push({
    id: 'input-invalid',
    input: name,
    message: `Input "${name}" must be one of ${allowed.map(a => `"${a}"`).join(', ')}; got ${describe(raw.trim())}.`
  })
  return null
}

export function parseBoolean(name: string, raw: string, problems: InputProblem[]): boolean | null {
  const value = raw.trim()
  if (/^(true|True|TRUE)$/.test(value)) return true
  if (/^(false|False|FALSE)$/.test(value)) return false
  problems.push({
    id: 'input-invalid',
    input: name,
    message: `Input "${name}" must be "true" or "false" (YAML 1.2 core schema); got ${describe(value)}.`
  })
  return null
}

/** Loopback hosts, where plain http is allowed (simulators, tests): 127.0.0.0/8, localhost, ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '')
  // 127.0.0.0/8 also written as an IPv4-mapped IPv6 address ([::ffff:127.0.0.1] is normalised to [::ffff:7f00:1]).
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(h)
}

/**
 * A URL input (api-url, the IdP URLs): https, or http for a loopback host
 * only (a token never crosses a network in clear); no credentials, query or
 * fragment, not even a bare `?` or `#`. Keeps its path, without a trailing slash.
 * Its problem never echoes the value's userinfo (a token pasted there).
 */
export function parseServiceUrl(name: string, raw: string, example: string, problems: InputProblem[]): string | null {
  const value = raw.trim()
  let url: URL | null = null
  try {
    url = new URL(value)
  } catch {
    url = null
  }
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(value)
  let why = ''
  if (url === null || url.hostname === '') why = 'it is not a URL'
  else if (userinfo || url.username !== '' || url.password !== '')
    why = 'it holds credentials (user:password@); pass secrets only through their own inputs'
  else if (value.includes('?') || value.includes('#')) why = 'it has a query or fragment'
  else if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
    why = 'plain http is accepted for loopback hosts only (127.0.0.1, localhost, ::1): a token never crosses a network in clear'
  else if (url.protocol !== 'https:' && url.protocol !== 'http:') why = 'it must be https://'
  if (why !== '' || url === null) {
    const shown = userinfo ? '(not shown: it holds credentials)' : describe(value)
    problems.push({
      id: 'input-invalid',
      input: name,
      message: `Input "${name}" must be an https URL such as ${example}; ${why}; got ${shown}.`
    })
    return null
  }
  return url.toString().replace(/\/+$/, '')
}
