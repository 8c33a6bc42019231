// Runs the committed action (node dist/index.js) exactly as the runner does:
// inputs as INPUT_<NAME> env (hyphens kept, upper-cased), GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY files, then reads annotations and outputs back.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ACTION_ENTRY = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'index.js')

/** Parses the runner's `name<<DELIM\nvalue\nDELIM` file-command format. */
export function parseOutputFile(text) {
  const out = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i])
    if (m) {
      const [, name, delim] = m
      const value = []
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i])
      out[name] = value.join('\n')
    } else if (/^[^=]+=/.test(lines[i])) {
      const idx = lines[i].indexOf('=')
      out[lines[i].slice(0, idx)] = lines[i].slice(idx + 1)
    }
  }
  return out
}

const unescapeData = s => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
const unescapeProp = s => unescapeData(s).replace(/%3A/g, ':').replace(/%2C/g, ',')

/** Workflow commands (`::error title=...::message`) printed on stdout. */
export function parseAnnotations(stdout) {
  const out = []
  for (const line of stdout.split('\n')) {
    const m = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line)
    if (!m) continue
    const props = {}
    for (const kv of (m[2] ?? '').split(',')) {
      const idx = kv.indexOf('=')
      if (idx > 0) props[kv.slice(0, idx)] = unescapeProp(kv.slice(idx + 1))
    }
    out.push({ level: m[1], title: props.title ?? null, message: unescapeData(m[3]) })
  }
  return out
}

/**
 * Where a secret shows up in what the run left behind: stdout (but for the
 * runner's own `::add-mask::` commands, which the runner consumes), stderr, the
 * outputs file and the job summary. An empty list means it did not leak.
 */
export function leaksOf(run, secret) {
  if (!secret) return []
  const stdout = run.stdout
    .split('\n')
    .filter(l => !l.startsWith('::add-mask::'))
    .join('\n')
  const places = { stdout, stderr: run.stderr, outputs: run.outputsText, summary: run.summary }
  return Object.entries(places)
    .filter(([, text]) => text.includes(secret))
    .map(([name]) => name)
}

/**
 * @param {Record<string,string>} inputs  e.g. { token, org, 'api-url' }
 * @param {{ env?: Record<string,string>, timeoutMs?: number, entry?: string, node?: string }} [options]  node: the Node binary (default: this one)
 */
export async function runAction(inputs, options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ptc-run-'))
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_ACTIONS: 'true',
    RUNNER_TEMP: dir,
    ...options.env
  }
  for (const [name, value] of Object.entries(inputs)) {
    if (value !== undefined) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  const started = performance.now()
  const child = spawn(options.node ?? process.execPath, [options.entry ?? ACTION_ENTRY], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', d => (stdout += d))
  child.stderr.on('data', d => (stderr += d))
  const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000)
  const code = await new Promise(res => child.on('close', c => res(c)))
  clearTimeout(killer)
  const durationMs = performance.now() - started
  const outputsText = readFileSync(outputFile, 'utf8')
  const summary = readFileSync(summaryFile, 'utf8')
  rmSync(dir, { recursive: true, force: true })
  const outputs = parseOutputFile(outputsText)
  return {
    code,
    stdout,
    stderr,
    outputsText,
    outputs,
    summary,
    annotations: parseAnnotations(stdout),
    report: outputs.report ? JSON.parse(outputs.report) : null,
    durationMs
  }
}
