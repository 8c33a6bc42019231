/**
 * The CLI's pure parts: argv → flags, flags → the action's input reader,
 * the color decision, and the hidden prompt's line editing. No I/O here.
 */
import { parseInputs, type ReadInput } from '../inputs.js'
import { classifyToken } from '../token.js'

export const USAGE = `Usage: provisioning-token-check --org ORG [--org ORG2 | --org ORG1,ORG2] [--enterprise SLUG] [options]

Checks the token an identity provider provisions users with over SCIM, the way
the IdP uses it, and names each cause of failure with its fix. The same checks
as the GitHub Action, from your machine. Read-only: GET requests and one
GraphQL query, sent only to --api-url.

The token is read from GITHUB_TOKEN or GH_TOKEN. Without them you are prompted
for it (input hidden); when stdin is not a terminal, its first line is read.
It is never taken as an argument: a command line stays in your shell history
and shows in the process list (ps) for other users of the machine.

Options (the action's inputs of the same name):
  --org ORG                organization login(s); repeat it or separate with commas
  --enterprise SLUG        EMU enterprise slug: checks enterprise SCIM
  --expected-login LOGIN   the service account's login; another account's token fails
  --required-scopes LIST   extra scopes (admin:org / scim:enterprise always apply)
  --warn-days N            warn when the token expires within N days (default 30)
  --fail-days N            fail when it expires within N days (default 7)
  --fail-on LEVEL          error | warning | never (default error)
  --inconclusive POLICY    fail | pass, when GitHub or the network stopped the check (default fail)
  --scim-probe BOOL        true | false: make the read-only SCIM request (default true)
  --api-url URL            REST API base (default $GITHUB_API_URL, else https://api.github.com)
  --timeout-seconds N      time budget of the whole check (default 60)
  --json                   print only the report as JSON (the action's "report" output)
  -h, --help               print this help
  --version                print the version
  --                       ends the options (nothing may follow: the CLI takes no arguments)

Exit status: 0 when the check passes, 1 when it fails (exactly when the action's
step would fail, per --fail-on and --inconclusive), 2 on a usage error (nothing
was sent).

Environment: GITHUB_TOKEN or GH_TOKEN (the token), GITHUB_API_URL, HTTPS_PROXY,
NO_PROXY, NO_COLOR, FORCE_COLOR.
`

/** Flags that take a value: each is the action input of the same name. */
export const VALUE_FLAGS = [
  'org',
  'enterprise',
  'expected-login',
  'required-scopes',
  'warn-days',
  'fail-days',
  'fail-on',
  'inconclusive',
  'scim-probe',
  'api-url',
  'timeout-seconds'
] as const

export type ValueFlag = (typeof VALUE_FLAGS)[number]

/** Flags that may repeat; their values are joined as the action's list inputs are. */
const LIST_FLAGS: ReadonlySet<ValueFlag> = new Set(['org', 'required-scopes'])

export interface CliArgs {
  values: Partial<Record<ValueFlag, string[]>>
  json: boolean
  help: boolean
  version: boolean
}

export type ParsedArgs = { ok: true; args: CliArgs } | { ok: false; error: string }

export const TOKEN_ARGUMENT_ERROR =
  'the token is never taken from the command line: it would stay in your shell history and show in the process list (ps) to other users of this machine. Set GITHUB_TOKEN or GH_TOKEN, pipe it on stdin, or run without them to be prompted (input hidden).'

function isValueFlag(name: string): name is ValueFlag {
  return (VALUE_FLAGS as readonly string[]).includes(name)
}

/** A value that is a GitHub token: refused, and never echoed. */
function looksLikeToken(value: string): boolean {
  return classifyToken(value).ok
}

/**
 * Parses the CLI's arguments. Error messages name flags only, never an
 * argument's value: a value may be a token pasted in the wrong place.
 */
export function parseCliArgs(argv: readonly string[]): ParsedArgs {
  const args: CliArgs = { values: {}, json: false, help: false, version: false }
  const refused = `${TOKEN_ARGUMENT_ERROR.replace(/^the token/, 'The token')}`
  // Tokens first, before anything else is looked at (help included).
  for (const [i, arg] of argv.entries()) {
    if (/^--?(github-|gh-)?token(=|$)/i.test(arg)) return { ok: false, error: `--token: ${TOKEN_ARGUMENT_ERROR}` }
    if (looksLikeToken(arg) || looksLikeToken(arg.replace(/^--?[^=]*=/, ''))) {
      return { ok: false, error: `argument ${i + 1} looks like a GitHub token; it was not used and nothing was sent. ${refused}` }
    }
  }
  const end = argv.indexOf('--')
  const options = end < 0 ? argv : argv.slice(0, end)
  if (options.includes('-h') || options.includes('--help')) return { ok: true, args: { ...args, help: true } }
  if (options.includes('--version')) return { ok: true, args: { ...args, version: true } }
  if (end >= 0 && end < argv.length - 1) {
    return { ok: false, error: `unexpected argument ${end + 2} after -- (the CLI takes no arguments; the argument is not shown)` }
  }
  for (let i = 0; i < options.length; i++) {
    const arg = options[i] ?? ''
    if (arg === '--json') {
      args.json = true
      continue
    }
    const m = /^--([a-z][a-z-]*)(?:=([\s\S]*))?$/.exec(arg)
    if (!m) {
      return {
        ok: false,
        error: arg.startsWith('-')
          ? `unknown option ${JSON.stringify(arg.replace(/=[\s\S]*$/, '').slice(0, 40))}`
          : `unexpected argument ${i + 1} (options are written --name value; the argument is not shown)`
      }
    }
    const name = m[1] ?? ''
    if (name === 'json') return { ok: false, error: '--json takes no value' }
    if (!isValueFlag(name)) return { ok: false, error: `unknown option --${name}` }
    let value = m[2]
    if (value === undefined) {
      const next = options[i + 1]
      if (next === undefined || next.startsWith('--')) return { ok: false, error: `--${name} needs a value` }
      value = next
      i++
    }
    if (value.trim() === '') return { ok: false, error: `--${name} needs a value` }
    const list = args.values[name] ?? []
    if (list.length > 0 && !LIST_FLAGS.has(name)) return { ok: false, error: `--${name} is given more than once` }
    list.push(value)
    args.values[name] = list
  }
  if (args.values.org === undefined && args.values.enterprise === undefined) {
    return { ok: false, error: 'name what to check: --org ORG (organization SCIM) and/or --enterprise SLUG (EMU enterprise SCIM)' }
  }
  return { ok: true, args }
}

/**
 * The flags' values, checked as the action checks its inputs, before any
 * token is read: each problem in the CLI's words (`--fail-on: must be …`).
 * A bad value is a usage error (exit 2), not a verdict.
 */
export function flagProblems(args: CliArgs, env: NodeJS.ProcessEnv): string[] {
  const parsed = parseInputs(inputReader(args, ''), env)
  return parsed.problems
    .filter(p => p.input !== 'token')
    .map(p => `--${p.input}: ${p.message.replace(new RegExp(`^Input "${p.input}" `), '').replace(/"([a-z-]+)"/g, (m, n: string) => (isValueFlag(n) ? `--${n}` : m))}`)
}

/** The action's inputs, read from the CLI's flags: what `parseInputs` validates for both. */
export function inputReader(args: CliArgs, token: string): ReadInput {
  return (name: string): string => {
    if (name === 'token') return token
    if (!isValueFlag(name)) return ''
    const values = args.values[name] ?? []
    return values.join(name === 'org' ? ',' : ' ')
  }
}

/** Colors when stdout is a terminal and NO_COLOR is unset or empty; FORCE_COLOR (but 0/false) forces them, and wins. */
export function colorEnabled(env: NodeJS.ProcessEnv, stdoutIsTTY: boolean): boolean {
  const force = env.FORCE_COLOR
  if (force !== undefined) return !/^(0|false)$/i.test(force.trim())
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  return stdoutIsTTY
}

export interface HiddenLine {
  buffer: string
  /** Enter (or Ctrl-D) ended the line. */
  done: boolean
  /** Ctrl-C. */
  cancelled: boolean
}

/**
 * Applies a chunk of raw-mode terminal input to the hidden line: Enter ends it,
 * Backspace removes the last character, Ctrl-U clears it, Ctrl-C cancels;
 * escape sequences (arrow keys) and other control characters are ignored.
 */
export function editHiddenLine(buffer: string, chunk: string): HiddenLine {
  let chars = Array.from(buffer)
  const input = Array.from(chunk)
  for (let i = 0; i < input.length; i++) {
    const ch = input[i] ?? ''
    if (ch === '\x03') return { buffer: '', done: false, cancelled: true }
    if (ch === '\r' || ch === '\n' || ch === '\x04') return { buffer: chars.join(''), done: true, cancelled: false }
    if (ch === '\x7f' || ch === '\b') {
      chars = chars.slice(0, -1)
    } else if (ch === '\x15') {
      chars = []
    } else if (ch === '\x1b') {
      // CSI (ESC [ parameters final-byte) or SS3 (ESC O x): skip the whole sequence.
      const next = input[i + 1]
      if (next === '[') {
        i += 2
        while (i < input.length && !/^[@-~]$/.test(input[i] ?? '')) i++
      } else if (next === 'O') {
        i += 2
      } else if (next !== undefined) {
        i += 1
      }
    } else if (ch >= ' ') {
      chars.push(ch)
    }
  }
  return { buffer: chars.join(''), done: false, cancelled: false }
}
