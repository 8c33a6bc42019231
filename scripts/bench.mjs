#!/usr/bin/env node
// npm run bench [-- --latency MS] [--runs N] [--cold-runs N] [--timeline] [--json]
//
// Measures the built action (dist/index.js as it is on disk, run exactly as the runner does) against the
// loopback GitHub fake with an injected latency per request. Round trips are read from the fake's
// own request log (performance.now() ms), so the action's timers are not trusted. A measurement,
// not a test: it exits 0 whatever the figures are. Builds nothing.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { startFake } from '../simulator/github-fake.mjs'
import { ACTION_ENTRY, runAction } from '../simulator/run-action.mjs'
import { addOrg, EMU_SETUP_USER, EMU_TOKEN, ENTERPRISE, ORG, scenarioWorld, SERVICE_ACCOUNT } from '../simulator/worlds.mjs'

const { values: opts } = parseArgs({
  options: {
    latency: { type: 'string', default: '100' },
    runs: { type: 'string', default: '5' },
    'cold-runs': { type: 'string', default: '21' },
    timeline: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false }
  }
})
const LATENCY = Number(opts.latency)
const RUNS = Number(opts.runs)
const COLD_RUNS = Number(opts['cold-runs'])
for (const [name, v] of [['latency', LATENCY], ['runs', RUNS], ['cold-runs', COLD_RUNS]]) {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`)
}
const log = opts.json ? () => {} : (...a) => console.log(...a)

const median = xs => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d

// ---------------------------------------------------------------------------------------------
// Scenarios: healthy worlds, so every probe is answered and nothing short-circuits.
// ---------------------------------------------------------------------------------------------

function oneOrg() {
  const { world, token } = scenarioWorld('healthy')
  return { world, token, orgs: [ORG], inputs: { org: ORG, 'expected-login': SERVICE_ACCOUNT } }
}

function twentyOrgs() {
  const { world, token } = scenarioWorld('healthy')
  const orgs = [ORG]
  for (let i = 2; i <= 20; i++) {
    const login = `org${String(i).padStart(2, '0')}`
    addOrg(world, login, { id: 2000 + i })
    orgs.push(login)
  }
  return { world, token, orgs, inputs: { org: orgs.join(','), 'expected-login': SERVICE_ACCOUNT } }
}

// The EMU setup user's token also checks org acme: make fab_admin an owner of acme with a linked
// identity, its token SSO-authorized there and holding admin:org besides scim:enterprise.
function enterpriseAndOrg() {
  const { world, token } = scenarioWorld('emu-healthy')
  world.orgs[ORG].members[EMU_SETUP_USER] = { role: 'admin', state: 'active' }
  world.orgs[ORG].saml.identities[EMU_SETUP_USER] = { nameId: 'admin@fabrikam.example' }
  Object.assign(world.tokens[EMU_TOKEN], { scopes: ['scim:enterprise', 'admin:org'], ssoAuthorized: [ORG] })
  return { world, token, orgs: [ORG], inputs: { enterprise: ENTERPRISE, org: ORG, 'expected-login': EMU_SETUP_USER } }
}

const SCENARIOS = [
  { id: '1-org', label: '1 org', build: oneOrg, target: 2.5 },
  { id: '20-orgs', label: '20 orgs', build: twentyOrgs, target: 3.5 },
  { id: 'enterprise+org', label: 'enterprise + org', build: enterpriseAndOrg, target: 2.5 }
]

// ---------------------------------------------------------------------------------------------
// The fake's request log
// ---------------------------------------------------------------------------------------------

/** Most requests open at once (a request is open from startedAt to endedAt). */
function maxInFlight(requests) {
  const events = requests.flatMap(r => [[r.startedAt, 1], [r.endedAt, -1]])
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]) // an end before a start at the same instant
  let open = 0
  let max = 0
  for (const [, d] of events) max = Math.max(max, (open += d))
  return max
}

/** Wave of each request: 1 + the deepest wave that had fully ended before it started. */
function waves(requests) {
  const sorted = [...requests].sort((a, b) => a.startedAt - b.startedAt)
  const wave = new Map()
  for (const r of sorted) {
    let w = 1
    for (const q of sorted) if (q !== r && q.endedAt <= r.startedAt) w = Math.max(w, wave.get(q) + 1)
    wave.set(r, w)
  }
  return wave
}

function analyse(requests, orgs) {
  const first = Math.min(...requests.map(r => r.startedAt))
  const last = Math.max(...requests.map(r => r.endedAt))
  const wave = waves(requests)
  const sizes = []
  for (const w of wave.values()) sizes[w - 1] = (sizes[w - 1] ?? 0) + 1
  const isEnterprise = r => r.path.startsWith('/scim/v2/enterprises/')
  const sequentialMs = requests.reduce((s, r) => s + (r.endedAt - r.startedAt), 0)
  const criticalMs = last - first
  // Client time between GET /user's answer and the fan-out, and how spread the fan-out's starts are.
  const user = requests.find(r => r.path === '/user')
  const fanout = requests.filter(r => wave.get(r) === 2).map(r => r.startedAt)
  return {
    gapRt: user && fanout.length ? (Math.min(...fanout) - user.endedAt) / LATENCY : 0,
    spreadRt: fanout.length ? (Math.max(...fanout) - Math.min(...fanout)) / LATENCY : 0,
    criticalMs,
    criticalRt: criticalMs / LATENCY,
    sequentialMs,
    sequentialRt: sequentialMs / LATENCY,
    speedup: sequentialMs / criticalMs,
    requests: requests.length,
    // Shared requests (GET /user, GraphQL, GET /users/{login}) are spread over the orgs; the
    // enterprise SCIM request belongs to no org.
    perOrg: requests.filter(r => !isEnterprise(r)).length / orgs.length,
    rest: requests.filter(r => r.path !== '/graphql' && r.path !== '/rate_limit').length,
    graphql: requests.filter(r => r.path === '/graphql').length,
    userCalls: requests.filter(r => r.method === 'GET' && r.path === '/user').length,
    inFlight: maxInFlight(requests),
    waves: sizes.map(n => n ?? 0),
    timeline: [...requests]
      .sort((a, b) => a.startedAt - b.startedAt)
      .map(r => ({
        request: `${r.method} ${r.path}`,
        status: r.status,
        wave: wave.get(r),
        startRt: round((r.startedAt - first) / LATENCY),
        endRt: round((r.endedAt - first) / LATENCY)
      }))
  }
}

async function runScenario(scenario) {
  const samples = []
  for (let i = 0; i < RUNS; i++) {
    const { world, token, orgs, inputs } = scenario.build()
    const fake = await startFake(world, { latencyMs: LATENCY })
    let run
    try {
      run = await runAction({ token, 'api-url': fake.apiUrl, 'timeout-seconds': '60', ...inputs })
    } finally {
      await fake.close()
    }
    if (run.outputs.status !== 'healthy' || fake.violations.length > 0) {
      throw new Error(`${scenario.label}: expected a healthy run, got status=${run.outputs.status} causes=${run.outputs.causes} code=${run.code}\n${run.stderr}`)
    }
    samples.push({ ...analyse(fake.requests, orgs), wallMs: run.durationMs })
  }
  const med = key => median(samples.map(s => s[key]))
  const distance = s => Math.abs(s.criticalMs - med('criticalMs'))
  const mid = samples.reduce((best, s) => (distance(s) < distance(best) ? s : best)) // nearest the median
  const pick = (keys, f) => Object.fromEntries(keys.map(k => [k, f(k)]))
  return {
    id: scenario.id,
    label: scenario.label,
    target: scenario.target,
    ...pick(['criticalRt', 'criticalMs', 'sequentialRt', 'speedup', 'gapRt', 'spreadRt', 'wallMs'], med),
    criticalRtRuns: samples.map(s => round(s.criticalRt)),
    ...pick(['requests', 'perOrg', 'rest', 'graphql', 'userCalls', 'inFlight'], k => Math.max(...samples.map(s => s[k]))),
    waves: mid.waves,
    timeline: mid.timeline
  }
}

// ---------------------------------------------------------------------------------------------
// Processes: cold start and peak memory
// ---------------------------------------------------------------------------------------------

/** The runner's environment for `inputs` (as run-action.mjs builds it), in a fresh temp dir. */
function runnerEnv(inputs) {
  const dir = mkdtempSync(join(tmpdir(), 'ptc-bench-'))
  writeFileSync(join(dir, 'output'), '')
  writeFileSync(join(dir, 'summary'), '')
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STEP_SUMMARY: join(dir, 'summary'), GITHUB_ACTIONS: 'true', RUNNER_TEMP: dir }
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v
  return { env, dir }
}

function spawnTimed(command, args, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', d => (stdout += d))
    child.stderr.on('data', d => (stderr += d))
    child.on('error', reject)
    child.on('close', code => resolve({ code, stdout, stderr, ms: performance.now() - started }))
  })
}

async function coldStart() {
  const { token } = scenarioWorld('healthy')
  const { env, dir } = runnerEnv({ token, org: ORG, 'warn-days': 'soon' })
  const action = []
  const bare = []
  try {
    const probe = await spawnTimed(process.execPath, [ACTION_ENTRY], env)
    if (probe.code !== 1 || !probe.stdout.includes('input-invalid')) throw new Error(`cold start: expected input-invalid and exit 1, got ${probe.code}`)
    await spawnTimed(process.execPath, ['-e', '0'], env) // warm-up, discarded
    for (let i = 0; i < COLD_RUNS; i++) {
      action.push((await spawnTimed(process.execPath, [ACTION_ENTRY], env)).ms)
      bare.push((await spawnTimed(process.execPath, ['-e', '0'], env)).ms)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return { actionMs: median(action), nodeMs: median(bare), ratio: median(action) / median(bare), runs: COLD_RUNS }
}

/** Max RSS (KiB) of one process: GNU time -v if present, else an exit hook preloaded with --import. */
async function maxRss(args, env) {
  if (existsSync('/usr/bin/time')) {
    const r = await spawnTimed('/usr/bin/time', ['-v', process.execPath, ...args], env)
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)
    if (m) return { kib: Number(m[1]), how: '/usr/bin/time -v' }
  }
  const file = join(env.RUNNER_TEMP, 'maxrss')
  const hook = `import{writeFileSync}from'node:fs';process.on('exit',()=>writeFileSync(${JSON.stringify(file)},String(process.resourceUsage().maxRSS)))`
  await spawnTimed(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(hook)}`, ...args], env)
  return { kib: Number(readFileSync(file, 'utf8')), how: 'process.resourceUsage().maxRSS at exit' }
}

async function peakMemory() {
  const kibs = []
  let how = ''
  for (let i = 0; i < Math.min(RUNS, 3); i++) {
    const { world, token, inputs } = twentyOrgs()
    const fake = await startFake(world, { latencyMs: LATENCY })
    const { env, dir } = runnerEnv({ token, 'api-url': fake.apiUrl, ...inputs })
    try {
      const r = await maxRss([ACTION_ENTRY], env)
      if (!readFileSync(env.GITHUB_OUTPUT, 'utf8').includes('healthy')) throw new Error('memory run: not healthy')
      kibs.push(r.kib)
      how = r.how
    } finally {
      await fake.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
  const { env, dir } = runnerEnv({})
  const bare = await maxRss(['-e', '0'], env)
  rmSync(dir, { recursive: true, force: true })
  return { kib: median(kibs), nodeKib: bare.kib, how }
}

// ---------------------------------------------------------------------------------------------
// Run and report
// ---------------------------------------------------------------------------------------------

const bundleBytes = statSync(ACTION_ENTRY).size
log(`provisioning-token-check benchmark: dist/index.js against the loopback fake, ${LATENCY} ms per request, median of ${RUNS} runs`)
const scenarios = []
for (const s of SCENARIOS) scenarios.push(await runScenario(s))
const cold = await coldStart()
const memory = await peakMemory()

const [one, twenty] = scenarios
const pass = ok => (ok ? 'PASS' : 'FAIL')
const targets = [
  { name: '1 org: critical path <= 2.5 round trips', measured: `${round(one.criticalRt)} RT`, ok: one.criticalRt <= 2.5 },
  { name: '20 orgs: critical path <= 3.5 round trips', measured: `${round(twenty.criticalRt)} RT`, ok: twenty.criticalRt <= 3.5 },
  { name: '<= 6 requests per org; GET /user once per run', measured: `${scenarios.map(s => round(s.perOrg, 1)).join(' / ')} per org; GET /user ${scenarios.map(s => s.userCalls).join('/')}x`, ok: scenarios.every(s => s.perOrg <= 6 && s.userCalls === 1) },
  { name: 'cold start <= 2.5x node -e 0', measured: `${round(cold.ratio)}x (${round(cold.actionMs, 0)} / ${round(cold.nodeMs, 0)} ms)`, ok: cold.ratio <= 2.5 },
  { name: 'dist/index.js < 1 MiB', measured: `${bundleBytes} B = ${round(bundleBytes / 1024, 0)} KiB`, ok: bundleBytes < 1024 * 1024 },
  { name: 'max requests in flight <= 100 (secondary rate limits)', measured: `${Math.max(...scenarios.map(s => s.inFlight))}`, ok: scenarios.every(s => s.inFlight <= 100) }
]
const failed = targets.filter(t => !t.ok)
const summary = `${targets.length - failed.length}/${targets.length} targets pass${failed.length ? `; FAIL: ${failed.map(t => t.name).join('; ')}` : ''}`

if (opts.json) {
  const slim = opts.timeline ? scenarios : scenarios.map(({ timeline: _t, ...s }) => s)
  console.log(JSON.stringify({ latencyMs: LATENCY, runs: RUNS, node: process.version, bundleBytes, scenarios: slim, coldStart: cold, peakMemory: memory, targets, summary },
    (_k, v) => (typeof v === 'number' ? round(v, 3) : v), 2))
} else {
  const row = cells => cells.map((c, i) => String(c)[i ? 'padStart' : 'padEnd'](i ? 11 : 17)).join(' ')
  log('\nCritical path = last response sent - first request received, in round trips (RT) of the injected latency.')
  log('Sequential = sum of every request\'s own time in the same log: the critical path at concurrency 1 (computed, not run).\n')
  log(row(['scenario', 'critical RT', 'crit ms', 'target', 'sequential', 'seq/par', 'requests', 'per org', 'RL points', 'GET /user', 'in flight', 'wall ms']))
  for (const s of scenarios) {
    log(row([s.label, round(s.criticalRt), round(s.criticalMs, 0), `<= ${s.target} ${pass(s.criticalRt <= s.target)}`, `${round(s.sequentialRt, 1)} RT`, `${round(s.speedup, 1)}x`,
      s.requests, round(s.perOrg, 1), `${s.rest}+${s.graphql}=${s.rest + s.graphql}`, `${s.userCalls}x`, s.inFlight, round(s.wallMs, 0)]))
  }
  log('\nRL points: REST requests + GraphQL queries (1 each; GET /rate_limit would be free). per org: requests but enterprise SCIM, / orgs.')
  log('enterprise + org has no target of its own: the 1-org target (two waves) is shown for it.')
  log('Waves (requests that could start only after an earlier one ended), run nearest the median:')
  for (const s of scenarios) log(`  ${s.label.padEnd(17)} ${s.waves.length} waves: ${s.waves.join(' + ')}   (critical RT per run: ${s.criticalRtRuns.join(', ')})`)
  log('Client time after GET /user answered until the fan-out began, and spread of the wave-2 starts (medians):')
  for (const s of scenarios) log(`  ${s.label.padEnd(17)} gap ${round(s.gapRt)} RT, spread ${round(s.spreadRt)} RT`)
  if (opts.timeline) {
    for (const s of scenarios) {
      log(`\nTimeline, ${s.label} (RT from the first request received):`)
      for (const t of s.timeline) log(`  w${t.wave} ${String(t.startRt).padStart(5)} -> ${String(t.endRt).padEnd(5)} ${t.status} ${t.request}`)
    }
  }
  log(`\nCold start (input-error path, no network), median of ${cold.runs} interleaved runs each: action ${round(cold.actionMs, 0)} ms, node -e 0 ${round(cold.nodeMs, 0)} ms`)
  log(`Peak memory, 20-org run (${memory.how}): ${round(memory.kib / 1024, 1)} MiB max RSS (node -e 0: ${round(memory.nodeKib / 1024, 1)} MiB)`)
  log(`Bundle: dist/index.js ${bundleBytes} bytes (${round(bundleBytes / 1024, 0)} KiB)\n`)
  for (const t of targets) log(`${t.ok ? 'PASS' : 'FAIL'}  ${t.name.padEnd(54)} ${t.measured}`)
  log(`\nsummary: ${summary}`)
}
