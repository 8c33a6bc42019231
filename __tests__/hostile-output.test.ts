/**
 * The output boundary against a hostile GitHub (support/hostile-github.ts):
 * answers that echo the Authorization header, carry line breaks with workflow
 * commands, Markdown and HTML, or megabytes. The real action runs in-process
 * (run, with a recording core) and end to end (dist/index.js as the runner
 * runs it, and dist/cli/index.js). Whatever was answered: no token, no part
 * of it and nothing token-shaped in any output, annotation, log line or the
 * summary; no stdout line starts a workflow command but the action's own; the
 * summary shows the answers as data (no link, image or HTML); every output and
 * the summary stay under 1 MiB.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeCause, type Cause } from '../src/causes.js'
import { checkToken } from '../src/check.js'
import { renderText } from '../src/cli/render.js'
import type { Verdict } from '../src/diagnose/index.js'
import { parseInputs } from '../src/inputs.js'
import { run, type RunCore } from '../src/action/run.js'
import { publish } from '../src/action/publish.js'
import { reportJson } from '../src/report/json.js'
import { ANNOTATION_MAX } from '../src/report/safe.js'
import { summaryMarkdown } from '../src/report/summary.js'
import { secretPieces } from '../src/sanitize.js'
import { runAction as spawnAction, type ActionRun } from '../simulator/run-action.mjs'
import { HEALTHY_TOKEN } from '../simulator/worlds.mjs'
import { COMMANDS, echoes, everything, MARKUP, startHostileGitHub, type HostileGitHub, type Hostility } from './support/hostile-github.js'
import { slots, SPAWN_SLOTS } from './support/slots.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const CLI = resolve(ROOT, 'dist', 'cli', 'index.js')
const MiB = 1024 * 1024
const TOKEN = HEALTHY_TOKEN
const LAST8 = TOKEN.slice(-8)
const ORGS = 'acme,beta,gamma'

const servers: HostileGitHub[] = []
afterAll(async () => {
  await Promise.all(servers.map(s => s.close()))
})

async function hostile(h: Hostility): Promise<HostileGitHub> {
  const s = await startHostileGitHub(h)
  servers.push(s)
  return s
}

const HUGE = 3 * MiB
/** 3 MB ending in the echoed token: a boundary that cut before scrubbing would leave its front half. */
const huge = (auth: string): string => `${'A'.repeat(HUGE)} ${auth} ${'B'.repeat(64)}${auth.replace(/^token /i, '')}`

/** Answers are quoted in part (about 200 characters): each attack also comes first. */
const HOSTILITIES: Array<{ name: string; h: Hostility }> = [
  { name: 'the Authorization header echoed in every message and field', h: { text: echoes } },
  { name: 'workflow commands after line breaks', h: { text: a => `${COMMANDS} ${echoes(a)}` } },
  { name: 'Markdown and HTML', h: { text: a => `${MARKUP} ${echoes(a)}` } },
  { name: 'echoes, commands and markup in every message and field', h: { text: everything } },
  { name: 'the same in the login too', h: { text: everything, login: everything } },
  { name: 'a 3 MB login and 3 MB messages', h: { text: huge, login: huge, big: true } }
]

// ── What must hold of everything that left ───────────────────────────────

/** Token shapes (sanitize.ts redacts them): nothing of the kind may leave. */
const TOKEN_SHAPE = /(?<![A-Za-z0-9])(?:gh[pousr]_[A-Za-z0-9_]{16,}|github_pat_[A-Za-z0-9_]{16,})/

function expectNoSecret(where: string, text: string): void {
  expect({ where, leaks: text.includes(TOKEN) }).toEqual({ where, leaks: false })
  expect({ where, lastEight: text.includes(LAST8) }).toEqual({ where, lastEight: false })
  expect({ where, shape: TOKEN_SHAPE.exec(text)?.[0] ?? null }).toEqual({ where, shape: null })
}

/** Lines as the runner reads them (.NET ReadLine: CR, LF, CRLF), and the Unicode breaks besides. */
const linesOf = (text: string): string[] => text.split(/\r\n|[\r\n\u0085\u2028\u2029]/)
/** A line that would start a workflow command (the runner trims leading whitespace first). */
const COMMAND = /^[\s\u0085]*(::|##\[)/

function expectNoCommandLine(where: string, text: string): void {
  const bad = linesOf(text).filter(l => COMMAND.test(l))
  expect({ where, bad }).toEqual({ where, bad: [] })
}

/**
 * Markdown as data: outside our own code spans nothing can be a link, an
 * image, HTML, an autolink or an entity but the three escapes; every table row
 * keeps its number of columns; no heading but ours.
 */
function markdownProblems(md: string): string[] {
  const problems: string[] = []
  for (const line of md.split('\n')) {
    // Our own links (to pages of the web host of api-url, here github.com) are text; escaped characters are
    // literal; then our code spans (no backtick inside one) hold any URL.
    const bare = line
      .replace(/\[(`[^`]*`)\]\(https:\/\/github\.com\/[^\s()<>|]*\)/g, '$1')
      .replace(/\\[\s\S]/g, '')
      .replace(/`[^`]*`/g, '')
    if (/[<>[\]`$]/.test(bare)) problems.push(`active character: ${line.slice(0, 200)}`)
    if (/!\[|\]\(/.test(bare)) problems.push(`link or image: ${line.slice(0, 200)}`)
    if (/https?:|www\.|@|mailto:/i.test(bare)) problems.push(`autolink: ${line.slice(0, 200)}`)
    if (/&(?!(?:lt|gt|amp);)/.test(bare)) problems.push(`entity: ${line.slice(0, 200)}`)
    if (line.startsWith('|')) {
      const pipes = (bare.match(/\|/g) ?? []).length
      if (pipes !== 3 && pipes !== 6) problems.push(`table row with ${pipes} pipes: ${line.slice(0, 200)}`)
    }
    if (
      /^#/.test(line) &&
      !/^#{2,3} (Provisioning token check|Causes|Organizations|Not checked|Identity provider: (Okta|Microsoft Entra ID))$/.test(line)
    )
      problems.push(`heading: ${line}`)
  }
  return problems
}

// ── In-process: run() with a recording core ─────────────────────────────

interface Captured {
  outputs: Record<string, string>
  annotations: Array<{ level: string; text: string; title: string }>
  logs: string[]
  masks: string[]
  summary: string
  exitCode: number | null
}

function recordingCore(inputs: Record<string, string>, c: Captured): RunCore {
  const summary = {
    addRaw: (text: string) => {
      c.summary += text
      return summary
    },
    write: async () => summary
  }
  const annotate = (level: string) => (m: string | Error, props?: { title?: string }) =>
    void c.annotations.push({ level, text: String(m), title: props?.title ?? '' })
  return {
    getInput: (name: string) => inputs[name] ?? '',
    setSecret: (s: string) => void c.masks.push(s),
    debug: (m: string) => void c.logs.push(m),
    info: (m: string) => void c.logs.push(m),
    error: annotate('error'),
    warning: annotate('warning'),
    notice: annotate('notice'),
    setOutput: (name: string, value: unknown) => void (c.outputs[name] = String(value)),
    summary: summary as unknown as RunCore['summary']
  } as RunCore
}

async function runInProcess(apiUrl: string, extra: Record<string, string> = {}): Promise<Captured> {
  const c: Captured = { outputs: {}, annotations: [], logs: [], masks: [], summary: '', exitCode: null }
  const inputs = { token: TOKEN, org: ORGS, 'api-url': apiUrl, 'timeout-seconds': '20', ...extra }
  const saved = process.env.GITHUB_STEP_SUMMARY
  process.env.GITHUB_STEP_SUMMARY = '/dev/null' // publish writes a summary only when the runner gives a file
  try {
    await run({
      core: recordingCore(inputs, c),
      env: { RUNNER_DEBUG: '1' }, // step debug on: the debug lines are written, and checked
      now: Date.now,
      startedAt: Date.now(),
      retryBaseMs: 1,
      setExitCode: code => void (c.exitCode = code)
    })
  } finally {
    if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY
    else process.env.GITHUB_STEP_SUMMARY = saved
  }
  return c
}

/** The unguarded verdict: what reaches the boundary (to show that the hostile texts do get that far). */
async function rawVerdict(apiUrl: string): Promise<Verdict> {
  const parsed = parseInputs(name => ({ token: TOKEN, org: ORGS, 'api-url': apiUrl, 'timeout-seconds': '20' })[name] ?? '', {})
  if (!parsed.inputs) throw new Error('inputs did not parse')
  return checkToken(parsed.inputs, { now: Date.now, startedAt: Date.now(), tokenWhitespace: false, retryBaseMs: 1 })
}

function expectSafe(c: Captured): void {
  for (const [name, value] of Object.entries(c.outputs)) {
    expectNoSecret(`output ${name}`, value)
    expectNoCommandLine(`output ${name}`, value)
    expect({ name, bytes: Buffer.byteLength(value) < MiB }).toEqual({ name, bytes: true })
    if (name !== 'report') expect({ name, oneLine: !/[\r\n\u0085\u2028\u2029]/.test(value) }).toEqual({ name, oneLine: true })
  }
  expect(JSON.parse(c.outputs.report ?? '').status).toBe(c.outputs.status)
  for (const a of c.annotations) {
    expectNoSecret('annotation', `${a.title}\n${a.text}`)
    expectNoCommandLine('annotation', `${a.title}\n${a.text}`)
    expect(a.text.length).toBeLessThanOrEqual(ANNOTATION_MAX)
  }
  for (const l of c.logs) {
    expectNoSecret('log', l)
    expectNoCommandLine('log', l)
  }
  expectNoSecret('summary', c.summary)
  expect(Buffer.byteLength(c.summary)).toBeLessThan(MiB)
  expect(markdownProblems(c.summary)).toEqual([])
}

describe('in-process, against a hostile GitHub', () => {
  it.each(HOSTILITIES)(
    '$name',
    async ({ h }) => {
      const server = await hostile(h)
      // The hostile texts do reach the verdict (diagnose keeps server text bounded data, and refuses a login that
      // is not a GitHub login before anything quotes it): the boundary is what keeps them safe.
      const raw = JSON.stringify(await rawVerdict(server.apiUrl))
      if (h.login) expect(raw).toMatch(/login that is not a GitHub login|larger than the 1 MiB/)
      else expect(raw.includes(TOKEN) || raw.includes(LAST8) || /::stop-commands::|\]\(https:\/\/evil|onerror|aaaa/.test(raw)).toBe(true)
      const started = performance.now()
      const c = await runInProcess(server.apiUrl)
      expect(performance.now() - started).toBeLessThan(20_000)
      expect(c.masks[0]).toBe(TOKEN)
      expect(['failing', 'inconclusive']).toContain(c.outputs.status)
      expect(c.exitCode).toBe(1)
      expect(c.annotations.length).toBeGreaterThan(0)
      expectSafe(c)
    },
    60_000
  )

  it('keeps the answers visible as text: the commands shown on one line, the markup escaped', async () => {
    const commands = await runInProcess((await hostile({ text: a => `${COMMANDS} ${echoes(a)}` })).apiUrl)
    const scim = commands.annotations.find(a => a.title.endsWith('[scim-forbidden]'))
    expect(scim?.text).toContain('refused ("done ::stop-commands::pwned ::add-mask::acme ::set-output name=status::healthy')
    const c = await runInProcess((await hostile({ text: a => `${MARKUP} ${echoes(a)}` })).apiUrl)
    expect(c.summary).toContain('`[x](https://evil.example/a`)')
    expect(c.summary).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(c.summary).toContain('`<https://evil.example/auto>…`')
    // The healthy org's row stays intact, and ours: the tables keep their columns (checked in expectSafe).
    expect(c.summary).toMatch(/\| acme \| owner \|/)
  })

  it("a failing run sets the exit code, and adds no annotation of its own beside the causes'", async () => {
    const server = await hostile({ text: everything })
    const c = await runInProcess(server.apiUrl)
    expect(c.exitCode).toBe(1)
    expect(c.annotations.every(a => /\[[a-z-]+\]$/.test(a.title))).toBe(true)
    expect(JSON.parse(c.outputs.report ?? '').causes).toHaveLength(c.annotations.length)
  })
})

// ── The boundary alone: a verdict as bad as it gets ─────────────────────

function monsterVerdict(): Verdict {
  const ctx = { webUrl: 'https://github.com' }
  const long = `${'lorem ipsum dolor '.repeat(3_000)} ${TOKEN} ::stop-commands::x <img src=x> ${'sit amet '.repeat(5_000)}`
  const orgs = Array.from({ length: 100 }, (_, i) => `org-${i}`)
  const causes: Cause[] = orgs.flatMap(org =>
    (['scim-forbidden', 'github-unavailable', 'saml-identity-missing', 'unexpected-response'] as const).map(id => ({
      ...makeCause({ id, org, message: `${org}: ${long}` }, ctx),
      url: `https://evil.example/${TOKEN}/${'u'.repeat(10_000)}`
    }))
  )
  return {
    status: 'failing',
    login: `${'L'.repeat(HUGE)}${TOKEN}`,
    tokenKind: 'classic-pat',
    scopes: Array.from({ length: 1000 }, () => `scope-${'s'.repeat(300)}`),
    missingScopes: [],
    expiresAt: long,
    expiry: 'date',
    daysUntilExpiry: 3,
    ssoAuthorizationUrl: `https://evil.example/sso?r=${TOKEN}${'q'.repeat(HUGE)}`,
    platform: 'dotcom',
    causes,
    orgs: orgs.map(org => ({
      org,
      role: long,
      state: 'active',
      samlIdentity: long,
      ssoAuthorization: { authorizedAt: long, expiresAt: long, accessedAt: long },
      ssoAuthorizationNote: long,
      scim: long,
      notChecked: [long, long]
    })),
    enterprise: { slug: long, scim: long },
    notes: orgs.map(o => `${o}: ${long}`),
    idp: {
      provider: 'okta',
      app: long,
      appLabel: long,
      status: 'failing',
      lastSuccessAt: long,
      lastFailureAt: long,
      lastFailureReason: `${TOKEN} ${long}`,
      quarantine: null,
      details: { evidenceSince: long }
    }
  }
}

describe('publish, with a hundred orgs of long answers and a 3 MB login', () => {
  it('stays under 1 MiB everywhere, keeps the report valid JSON, marks the cuts, and is quick', async () => {
    const c: Captured = { outputs: {}, annotations: [], logs: [], masks: [], summary: '', exitCode: null }
    const saved = process.env.GITHUB_STEP_SUMMARY
    process.env.GITHUB_STEP_SUMMARY = '/dev/null'
    const started = performance.now()
    try {
      await publish(
        recordingCore({}, c),
        monsterVerdict(),
        { failOn: 'error', inconclusive: 'fail' },
        { secrets: [TOKEN], setExitCode: code => void (c.exitCode = code) }
      )
    } finally {
      if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY
      else process.env.GITHUB_STEP_SUMMARY = saved
    }
    expect(performance.now() - started).toBeLessThan(20_000)
    expectSafe(c)
    expect(c.exitCode).toBe(1)
    expect(c.annotations).toHaveLength(400)
    const report = JSON.parse(c.outputs.report ?? '') as { truncated?: boolean; causes: unknown[] }
    expect(report.truncated).toBe(true)
    expect(report.causes.length).toBeGreaterThan(0)
    expect(c.outputs.login?.length).toBeLessThanOrEqual(200)
    expect(c.summary).toMatch(/more causes not shown/)
  }, 30_000)

  it('summaryMarkdown and reportJson bound and scrub on their own too', () => {
    const v = monsterVerdict()
    const md = summaryMarkdown(v, { secrets: [TOKEN] })
    const json = reportJson(v, { secrets: [TOKEN] })
    expect(Buffer.byteLength(md)).toBeLessThan(MiB)
    expect(Buffer.byteLength(json)).toBeLessThan(MiB)
    expectNoSecret('summary', md)
    expectNoSecret('report', json)
    expect(markdownProblems(md)).toEqual([])
    expect(() => JSON.parse(json)).not.toThrow()
  })
})

// ── The CLI's renderers ──────────────────────────────────────────────────

describe('the CLI output of a hostile verdict', () => {
  it('renderText and reportJson: no secret, no workflow command, no escape sequence', async () => {
    const server = await hostile({ text: everything, login: everything })
    const v = await rawVerdict(server.apiUrl)
    for (const color of [true, false]) {
      const text = renderText(v, { color, secrets: [TOKEN] })
      expectNoSecret('text', text)
      expectNoCommandLine('text', text)
      // Our own colors only: no escape sequence but SGR colors.
      // eslint-disable-next-line no-control-regex
      expect(text.replace(/\x1b\[[0-9;]*m/g, '')).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/)
    }
    const json = reportJson(v, { secrets: [TOKEN] })
    expectNoSecret('json', json)
    expect(() => JSON.parse(json)).not.toThrow()
  })
})

// ── End to end: the committed bundles, as the runner runs them ───────────

const DEBUG_ENV = { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' }

/** The bundles' cases run concurrently, a few processes at a time (support/slots.ts). */
const slot = slots(SPAWN_SLOTS)

/** The action's own workflow commands: masks, annotations, debug lines; each one a single line at column 0. */
const OWN_COMMAND = /^::(add-mask|error|warning|notice|debug)( [^:]*)?::/

function expectSafeRun(run: ActionRun): void {
  // The runner reads both streams for commands.
  for (const [where, text] of [
    ['stdout', run.stdout],
    ['stderr', run.stderr]
  ] as const) {
    const bad = linesOf(text).filter(l => COMMAND.test(l) && !OWN_COMMAND.test(l))
    expect({ where, bad: bad.map(l => l.slice(0, 200)) }).toEqual({ where, bad: [] })
    expect({ where, breaks: /[\u0085\u2028\u2029]/.test(text) }).toEqual({ where, breaks: false })
  }
  // Only our own masks: the token (and nothing a server chose).
  // The masks are the token's pieces (sanitize.ts secretPieces: the token, its last eight, its encoded forms).
  const masks = secretPieces(TOKEN).map(p => `::add-mask::${p}`)
  for (const l of linesOf(run.stdout).filter(l => l.startsWith('::add-mask::'))) expect(masks).toContain(l)
  const stdout = linesOf(run.stdout)
    .filter(l => !l.startsWith('::add-mask::'))
    .join('\n')
  for (const [where, text] of [
    ['stdout', stdout],
    ['stderr', run.stderr],
    ['outputs', run.outputsText],
    ['summary', run.summary]
  ] as const) {
    expectNoSecret(where, text)
  }
  for (const [name, value] of Object.entries(run.outputs))
    expect({ name, small: Buffer.byteLength(value) < MiB }).toEqual({ name, small: true })
  expect(Buffer.byteLength(run.summary)).toBeLessThan(MiB)
  expect(markdownProblems(run.summary)).toEqual([])
  expect(run.report?.status).toBe(run.outputs.status)
  // The hostile lines did not stop the commands: the outputs and annotations arrived.
  expect(run.annotations.length).toBeGreaterThan(0)
  expect(run.annotations.every(a => a.title === null || /\[[a-z-]+\]$/.test(a.title))).toBe(true)
}

describe('dist/index.js against a hostile GitHub', () => {
  it.concurrent.each(HOSTILITIES)(
    '$name',
    async ({ h }) => {
      const server = await hostile(h)
      const run = await slot(() =>
        spawnAction({ token: TOKEN, org: ORGS, 'api-url': server.apiUrl, 'timeout-seconds': '20' }, { env: DEBUG_ENV })
      )
      // A login GitHub could not have sent stops the run after GET /user: nothing is sent on with it.
      if (h.login) {
        expect(server.requests).toHaveLength(1)
        expect(run.outputs.causes).toBe('unexpected-response')
      } else {
        expect(server.requests.length).toBeGreaterThan(1)
      }
      expect(run.code).toBe(1)
      expect(run.durationMs).toBeLessThan(20_000)
      expectSafeRun(run)
      // No generic failure annotation (core.setFailed's) beside the causes'.
      expect(run.annotations.filter(a => a.title === null)).toEqual([])
    },
    60_000
  )
})

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return slot(
    () =>
      new Promise(resolvePromise => {
        const child = spawn(process.execPath, [CLI, ...args], {
          env: { PATH: process.env.PATH ?? '', ...env },
          stdio: ['ignore', 'pipe', 'pipe']
        })
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', d => (stdout += d))
        child.stderr.on('data', d => (stderr += d))
        child.on('close', code => resolvePromise({ code, stdout, stderr }))
      })
  )
}

describe('dist/cli/index.js against a hostile GitHub', () => {
  it.concurrent.each([false, true])(
    '--json %s',
    async json => {
      const server = await hostile({ text: everything, login: everything })
      const r = await runCli(['--org', ORGS, '--api-url', server.apiUrl, '--timeout-seconds', '20', ...(json ? ['--json'] : [])], {
        GITHUB_TOKEN: TOKEN,
        FORCE_COLOR: '1'
      })
      expect(r.code).toBe(1)
      for (const [where, text] of [
        ['stdout', r.stdout],
        ['stderr', r.stderr]
      ] as const) {
        expectNoSecret(where, text)
        expectNoCommandLine(where, text)
      }
      if (json) expect(() => JSON.parse(r.stdout)).not.toThrow()
      else expect(r.stdout).toContain('GET /user answered with a login that is not a GitHub login')
    },
    60_000
  )
})
