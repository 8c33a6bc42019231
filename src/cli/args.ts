/**
 * The CLI's pure parts: argv → flags, flags → the action's input reader,
 * the color decision, and the hidden prompt's line editing. No I/O here.
 */
import { PROVIDER_IDS } from '../idp/providers.js'
import {
  chosenProvider,
  IDP_VALUE_FLAGS,
  idpSecretEnvs,
  idpUsage,
  isSecretInput,
  SECRET_FILE_FLAGS,
  SECRET_SOURCES,
  secretFlagOf,
  wrap
} from './idp-flags.js'
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
  --idp-credential WHAT    what the IdP's GitHub app holds: oauth-grant | checked-token | auto (default auto)

${idpUsage()}

Output:
  --json                   print only the report as JSON (the action's "report" output)
  -h, --help               print this help
  --version                print the version
  --                       ends the options (nothing may follow: the CLI takes no arguments)

Exit status: 0 when the check passes, 1 when it fails (exactly when the action's
step would fail, per --fail-on and --inconclusive), 2 on a usage error (nothing
was sent).

${wrap(`Environment: GITHUB_TOKEN or GH_TOKEN (the token), ${idpSecretEnvs()} (the IdP's secrets, read for the --idp named only), GITHUB_API_URL, HTTPS_PROXY, NO_PROXY, NO_COLOR, FORCE_COLOR.`, 80).join('\n')}
`

/** Flags that take a value: each is the action input of the same name. */
export const VALUE_FLAGS: readonly string[] = [
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
  'timeout-seconds',
  'idp-credential',
  ...IDP_VALUE_FLAGS
]

export type ValueFlag = string

/** Flags that may repeat; their values are joined as the action's list inputs are. */
const LIST_FLAGS: ReadonlySet<ValueFlag> = new Set(['org', 'required-scopes'])

/** The IdP's secrets: action inputs the CLI never takes as a flag. */
export type SecretInput = string
export type SecretFileFlag = string
export { SECRET_FILE_FLAGS, SECRET_SOURCES }

/** The IdP secrets of a run, and where each came from (for messages: never the value). */
export type IdpSecrets = Partial<Record<SecretInput, { value: string; from: string }>>

export interface CliArgs {
  values: Partial<Record<ValueFlag, string[]>>
  /** Paths given with --okta-api-token-file, --okta-private-key-file, --entra-client-secret-file. */
  files: Partial<Record<SecretFileFlag, string>>
  json: boolean
  help: boolean
  version: boolean
}

export type ParsedArgs = { ok: true; args: CliArgs } | { ok: false; error: string }

export const TOKEN_ARGUMENT_ERROR =
  'the token is never taken from the command line: it would stay in your shell history and show in the process list (ps) to other users of this machine. Set GITHUB_TOKEN or GH_TOKEN, pipe it on stdin, or run without them to be prompted (input hidden).'

/** Why an IdP secret is refused as a flag, and what to use instead. */
export function secretArgumentError(input: SecretInput): string {
  const { fileFlag, env } = SECRET_SOURCES[input] ?? { fileFlag: `${input}-file`, env: input.toUpperCase().replace(/-/g, '_') }
  return `--${input}: IdP secrets are never taken from the command line: a command line stays in your shell history and shows in the process list (ps) to other users of this machine, and unlike a GitHub token this secret has no recognisable shape to find and scrub. Set ${env} in the environment or pass --${fileFlag} FILE. Nothing was sent.`
}

function isSecretFileFlag(name: string): boolean {
  return SECRET_FILE_FLAGS.includes(name)
}

function isValueFlag(name: string): boolean {
  return VALUE_FLAGS.includes(name)
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
  const args: CliArgs = { values: {}, files: {}, json: false, help: false, version: false }
  const refused = `${TOKEN_ARGUMENT_ERROR.replace(/^the token/, 'The token')}`
  // Tokens first, before anything else is looked at (help included).
  for (const [i, arg] of argv.entries()) {
    if (/^--?(github-|gh-)?token(=|$)/i.test(arg)) return { ok: false, error: `--token: ${TOKEN_ARGUMENT_ERROR}` }
    const secret = secretFlagOf(arg)
    if (secret !== null) return { ok: false, error: secretArgumentError(secret) }
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
    if (!isValueFlag(name) && !isSecretFileFlag(name)) return { ok: false, error: `unknown option --${name}` }
    let value = m[2]
    if (value === undefined) {
      const next = options[i + 1]
      if (next === undefined || next.startsWith('--')) return { ok: false, error: `--${name} needs a value` }
      value = next
      i++
    }
    if (value.trim() === '') return { ok: false, error: `--${name} needs a value` }
    if (isSecretFileFlag(name)) {
      if (args.files[name] !== undefined) return { ok: false, error: `--${name} is given more than once` }
      args.files[name] = value
      continue
    }
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

/** The CLI's environment as parseInputs sees it: never the runner's OIDC endpoint (outside Actions there is none). */
export function cliEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env }
  delete copy.ACTIONS_ID_TOKEN_REQUEST_URL
  delete copy.ACTIONS_ID_TOKEN_REQUEST_TOKEN
  return copy
}

export type SecretPlan = { input: SecretInput; file: string; flag: SecretFileFlag } | { input: SecretInput; env: string; value: string }

/**
 * Where each IdP secret is read from: its file flag when given (a file wins
 * over the environment), else its environment variable when --idp names its
 * provider and the variable is set. Without --idp, the environment is not
 * read: variables exported for other tools change nothing.
 */
export function secretPlan(args: CliArgs, env: NodeJS.ProcessEnv): SecretPlan[] {
  const provider = chosenProvider((args.values.idp ?? []).join(''))?.id
  const plan: SecretPlan[] = []
  for (const [input, source] of Object.entries(SECRET_SOURCES)) {
    const file = args.files[source.fileFlag]
    const value = env[source.env]
    if (file !== undefined) plan.push({ input, file, flag: source.fileFlag })
    else if (provider === source.provider && value !== undefined && value.trim() !== '') plan.push({ input, env: source.env, value })
  }
  return plan
}

/** An IdP secret input in the CLI's words: where it came from, or where it may come from. */
function secretLabel(input: SecretInput, secrets: IdpSecrets): string {
  const given = secrets[input]
  if (given) return given.from
  const source = SECRET_SOURCES[input]
  return source ? `--${source.fileFlag} (or ${source.env})` : `--${input}`
}

export { ENTRA_SECRET_MISSING } from '../idp/entra/provider.js'
export { OKTA_SIGN_IN_MISSING } from '../idp/okta/provider.js'

/**
 * The flags' values, checked as the action checks its inputs, before any
 * secret is read (the GitHub token, the IdP's files): each problem in the
 * CLI's words (`--fail-on: must be …`). A bad value is a usage error (exit 2),
 * not a verdict. Which IdP secrets are given (secretPlan) counts, their
 * values do not: no message holds one, only where it comes from.
 */
export function flagProblems(args: CliArgs, env: NodeJS.ProcessEnv): string[] {
  const secrets: IdpSecrets = {}
  for (const p of secretPlan(args, env)) secrets[p.input] = { value: 'given', from: 'env' in p ? p.env : `--${p.flag}` }
  const parsed = parseInputs(inputReader(args, '', secrets), cliEnv(env))
  const name = (input: string): string => (isSecretInput(input) ? secretLabel(input, secrets) : `--${input}`)
  const provider = chosenProvider((args.values.idp ?? []).join(''))
  const ctx = {
    label: name,
    given: (input: string): boolean => (isSecretInput(input) ? secrets[input] !== undefined : args.values[input] !== undefined)
  }
  const providers = PROVIDER_IDS.join('|')
  return parsed.problems
    .filter(p => p.input !== 'token')
    .map(p => {
      // The provider's own words first (where each of its secrets comes from).
      const own = provider?.cliProblem?.(p, ctx)
      if (own) return own
      const message = p.message
        .replace(new RegExp(`^Input "${p.input}" `), '')
        .replace(new RegExp(`\`?idp: (${providers})\`?`, 'g'), '--idp $1')
        .replace(/"([a-z-]+)"/g, (m, n: string) => (isValueFlag(n) || isSecretInput(n) ? name(n) : m))
      return `${name(p.input)}: ${message}`
    })
}

/** The action's inputs, read from the CLI's flags and the IdP secrets: what `parseInputs` validates for both. */
export function inputReader(args: CliArgs, token: string, secrets: IdpSecrets = {}): ReadInput {
  return (name: string): string => {
    if (name === 'token') return token
    if (isSecretInput(name)) return secrets[name]?.value ?? ''
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
