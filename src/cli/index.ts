#!/usr/bin/env node
/**
 * The CLI for admins: `provisioning-token-check --org acme [--enterprise slug] [--idp okta …] [--json]`.
 * The same inputs (parseInputs), check (checkToken), report JSON and exit
 * status as the action; only the I/O is its own. The token comes from
 * GITHUB_TOKEN / GH_TOKEN, a hidden prompt, or stdin's first line: never argv.
 * The IdP's secrets come from their environment variables or files: never argv.
 */
import { checkToken, policyForParsedProblems, verdictForInternalError, verdictForParsedProblems } from '../check.js'
import {
  cliEnv,
  colorEnabled,
  editHiddenLine,
  flagProblems,
  inputReader,
  parseCliArgs,
  SECRET_SOURCES,
  USAGE,
  type IdpSecrets
} from './args.js'
import packageJson from '../../package.json' with { type: 'json' }
import { renderText } from './render.js'
import type { Verdict } from '../diagnose/index.js'
import type { IdpConfig } from '../idp/inputs.js'
import { providerById } from '../idp/providers.js'
import { parseInputs } from '../inputs.js'
import { isCredentialShaped, SecretList } from '../sanitize.js'
import { readIdpSecrets } from './secrets.js'
import { reportJson } from '../report/json.js'
import { runFails, type Policy } from '../report/policy.js'

const NAME = 'provisioning-token-check'
const VERSION: string = packageJson.version
/** Longest first line read from stdin: far above any token. */
const MAX_LINE = 64 * 1024

/** Writes and waits until the text is handed to the OS (pipes are asynchronous on macOS; process.exit follows). */
function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise(resolve => {
    if (text === '') resolve()
    else stream.write(text, () => resolve())
  })
}

type TokenSource = 'GITHUB_TOKEN' | 'GH_TOKEN' | 'the prompt' | 'stdin'

function tokenFromEnv(env: NodeJS.ProcessEnv): { token: string; from: TokenSource } | null {
  if (env.GITHUB_TOKEN) return { token: env.GITHUB_TOKEN, from: 'GITHUB_TOKEN' }
  if (env.GH_TOKEN) return { token: env.GH_TOKEN, from: 'GH_TOKEN' }
  return null
}

/** Prompts on the terminal with nothing echoed (raw mode); null on Ctrl-C. */
function promptHidden(stdin: NodeJS.ReadStream, stderr: NodeJS.WriteStream): Promise<string | null> {
  return new Promise(resolve => {
    let buffer = ''
    const restore = (): void => {
      if (stdin.isTTY) stdin.setRawMode(false)
    }
    process.once('exit', restore)
    const onData = (chunk: string): void => {
      const line = editHiddenLine(buffer, chunk)
      buffer = line.buffer
      if (!line.done && !line.cancelled) return
      stdin.off('data', onData)
      restore()
      process.off('exit', restore)
      stdin.pause()
      stderr.write('\n')
      resolve(line.cancelled ? null : line.buffer)
    }
    stderr.write('Token of the service account (input hidden): ')
    stdin.setEncoding('utf8')
    stdin.setRawMode(true)
    stdin.on('data', onData)
    stdin.resume()
  })
}

/** The first line of a piped stdin, without its line break. */
function readFirstLine(stdin: NodeJS.ReadStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = ''
    const finish = (): void => {
      stdin.off('data', onData)
      stdin.off('end', finish)
      stdin.off('error', reject)
      stdin.pause()
      const end = data.indexOf('\n')
      resolve((end < 0 ? data : data.slice(0, end)).replace(/\r$/, ''))
    }
    const onData = (chunk: string): void => {
      data += chunk
      if (data.includes('\n') || data.length > MAX_LINE) finish()
    }
    stdin.setEncoding('utf8')
    stdin.on('data', onData)
    stdin.once('end', finish)
    stdin.once('error', reject)
  })
}

/** What an action input is here, for the hint under an input-invalid verdict. */
function inputText(input: string, tokenFrom: TokenSource, idpSecrets: IdpSecrets): string {
  if (input === 'token') return `the token from ${tokenFrom}`
  const source = SECRET_SOURCES[input]
  if (source) return idpSecrets[input]?.from ?? `--${source.fileFlag} or ${source.env}`
  return `--${input}`
}

/** " and Okta at https://acme.okta.com": where else the check asks, for the terminal's progress line. */
function idpText(idp: IdpConfig | null): string {
  if (idp === null) return ''
  const provider = providerById(idp.provider)
  return provider ? ` and ${provider.where(idp.config)}` : ''
}

type Args = Extract<ReturnType<typeof parseCliArgs>, { ok: true }>['args']

/** The token: from GITHUB_TOKEN / GH_TOKEN, else a hidden prompt on a terminal, else stdin's first line; or an exit code. */
async function obtainToken(): Promise<{ token: string; from: TokenSource } | number> {
  const { stdin, stderr, env } = process
  let source = tokenFromEnv(env)
  if (source === null) {
    if (stdin.isTTY) {
      const typed = await promptHidden(stdin, stderr)
      if (typed === null) return 130
      source = { token: typed, from: 'the prompt' }
    } else {
      source = { token: await readFirstLine(stdin), from: 'stdin' }
    }
  }
  if (source.token.trim() === '') {
    await write(
      stderr,
      `${NAME}: no token: ${source.from} was empty. Set GITHUB_TOKEN or GH_TOKEN, pipe the token on stdin, or run in a terminal to be prompted.\n`
    )
    return 2
  }
  return source
}

interface Judged {
  verdict: Verdict
  policy: Policy | null
  badInputs: string[]
}

/** The check, as the action makes it; never throws (a bug of ours is internal-error). */
async function judge(
  args: Args,
  source: { token: string; from: TokenSource },
  idpSecrets: IdpSecrets,
  secrets: SecretList
): Promise<Judged> {
  // The budget counts from here: time spent typing the token is not GitHub's.
  const startedAt = Date.now()
  try {
    // Outside Actions there is no OIDC: the runner's variables, if set, are not taken (cliEnv).
    const parsed = parseInputs(inputReader(args, source.token, idpSecrets), cliEnv(process.env))
    const inputs = parsed.inputs
    if (!inputs) {
      const badInputs = parsed.problems.map(p => p.input).filter((n, i, a) => a.indexOf(n) === i)
      return { verdict: verdictForParsedProblems(parsed), policy: policyForParsedProblems(parsed), badInputs }
    }
    if (!args.json && process.stderr.isTTY)
      await write(process.stderr, `Checking the token from ${source.from} against ${inputs.apiUrl}${idpText(inputs.idp)} …\n`)
    // Each token obtained during the run (the IdP's access tokens) is scrubbed from both outputs like the given secrets.
    const onSecret = (s: string): void => void (isCredentialShaped(s) && secrets.add(s))
    const verdict = await checkToken(inputs, { now: Date.now, startedAt, tokenWhitespace: parsed.tokenWhitespace, onSecret })
    return { verdict, policy: { failOn: inputs.failOn, inconclusive: inputs.inconclusive }, badInputs: [] }
  } catch (e) {
    // A bug of ours: never a verdict on the token, never healthy.
    return { verdict: verdictForInternalError(secrets.scrub(e instanceof Error ? e.message : String(e))), policy: null, badInputs: [] }
  }
}

async function usageError(lines: readonly string[]): Promise<number> {
  await write(process.stderr, `${lines.map(p => `${NAME}: ${p}`).join('\n')}\nRun ${NAME} --help for usage.\n`)
  return 2
}

async function main(): Promise<number> {
  const { stdout, stderr, env } = process
  // A reader that went away (`| head`) is not a crash: write() still resolves, and the exit status stands.
  stdout.on('error', () => undefined)
  stderr.on('error', () => undefined)
  const parsedArgs = parseCliArgs(process.argv.slice(2))
  if (!parsedArgs.ok) return usageError([parsedArgs.error])
  const args = parsedArgs.args
  if (args.help) return write(stdout, USAGE).then(() => 0)
  if (args.version) return write(stdout, `${NAME} ${VERSION}\n`).then(() => 0)
  // A bad flag value is a usage error: said before any secret is read, and nothing is sent.
  const problems = flagProblems(args, env)
  if (problems.length > 0) return usageError(problems)
  // The IdP's secrets (their files, else the environment): a file that cannot be read is a usage error too.
  const idpSecrets = readIdpSecrets(args, env)
  if (!idpSecrets.ok) return usageError(idpSecrets.errors)
  const secrets = new SecretList()
  for (const s of Object.values(idpSecrets.secrets)) if (s) secrets.add(s.value)
  const source = await obtainToken()
  if (typeof source === 'number') return source
  secrets.add(source.token)

  const { verdict, policy, badInputs } = await judge(args, source, idpSecrets.secrets, secrets)
  if (args.json) {
    await write(stdout, `${reportJson(verdict, { secrets: secrets.values })}\n`)
  } else {
    await write(stdout, renderText(verdict, { color: colorEnabled(env, stdout.isTTY === true), secrets: secrets.values }))
    if (badInputs.length > 0) {
      // The messages name the action's inputs; say what each is here.
      const names = badInputs.map(n => `input "${n}" is ${inputText(n, source.from, idpSecrets.secrets)}`)
      await write(stderr, `(Here ${names.join(', ')}.)\n`)
    }
  }
  return runFails(verdict, policy) ? 1 : 0
}

// Exit at once when done: no keep-alive socket or timer may hold the command.
process.exit(
  await main().catch(async (e: unknown) => {
    await write(process.stderr, `${NAME}: ${e instanceof Error ? e.name : 'error'}: the check could not run.\n`)
    return 1
  })
)
