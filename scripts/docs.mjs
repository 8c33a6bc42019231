#!/usr/bin/env node
// npm run docs: writes the generated parts of the documentation from their single sources.
//
// - docs/reference.md, between <!-- inputs:start/end --> and <!-- outputs:start/end -->: the inputs and
//   outputs tables, from action.yml. Edit a description there, then run this.
// - docs/causes.md, between <!-- causes:start/end -->: one section per cause (title, severity, fix,
//   anchor = the cause id), from the catalogue src/causes.ts.
// - The repository's name, from package.json's "repository" (the one place it is written): README.md,
//   docs/, examples/, CONTRIBUTING.md, SECURITY.md, CHANGELOG.md and .github/ name it as it was last
//   filled in (README.md's <!-- repository: OWNER/NAME --> marker); change "repository" in package.json,
//   run this, and every `uses: OWNER/NAME@v1`, link and `npx github:OWNER/NAME` follows.
// - docs/cli.md, between <!-- cli-sample: SCENARIO ARGS... --> and <!-- cli-sample:end -->: what the
//   built CLI (dist/cli/index.js, as committed or as `npm run build` left it) prints for ARGS against
//   the loopback GitHub simulator's SCENARIO (simulator/worlds.mjs), with the simulator's address
//   shown as api.github.com. Never frozen text: each run (and --check) runs the CLI again, so a
//   change of wording shows up as a stale sample.
//
//   node scripts/docs.mjs           rewrite the files
//   node scripts/docs.mjs --check   exit 1 when a file is stale (CI, .ci/run)
//   --root DIR                      another checkout (tests)
import { spawn } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import ts from 'typescript'
import { parse } from 'yaml'

const here = dirname(fileURLToPath(import.meta.url))

/** One table cell: no line breaks, no unescaped pipes. */
const cell = text =>
  String(text)
    .trim()
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
const code = text => {
  const s = String(text)
  if (s === '') return "`''`"
  return s.includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``
}

const NOTE = '<!-- generated from action.yml by `npm run docs`: edit action.yml, not this table -->'
const CAUSES_NOTE = '<!-- generated from src/causes.ts by `npm run docs`: edit the catalogue, not this list -->'

export function renderInputs(action) {
  const rows = Object.entries(action.inputs ?? {}).map(([name, input]) => {
    const dflt = input.required === true ? 'required' : code(input.default ?? '')
    return `| \`${name}\` | ${cell(dflt)} | ${cell(input.description ?? '')} |`
  })
  return [NOTE, '| input | default | meaning |', '|---|---|---|', ...rows].join('\n')
}

export function renderOutputs(action) {
  const rows = Object.entries(action.outputs ?? {}).map(([name, output]) => `| \`${name}\` | ${cell(output.description ?? '')} |`)
  return [NOTE, '| output | meaning |', '|---|---|', ...rows].join('\n')
}

/** What a severity does to the step (docs/reference.md, "Status"; src/report/policy.ts). */
const SEVERITY_EFFECT = {
  error: 'fails the step',
  inconclusive: 'never blamed on the token; fails the step unless `inconclusive: pass`',
  warning: 'fails the step only with `fail-on: warning`',
  notice: 'never fails the step'
}

/**
 * What a cause's severity is, from the catalogue's own rule: its `severity`, and the `otherwise` severity
 * the diagnosis gives it, and when (`token-expiring`: a warning, an error within `fail-days`).
 * @param {{ severity: string, otherwise?: { severity: string, when: string } | null }} c
 */
export function severityText(c) {
  const first = `${c.severity}: ${SEVERITY_EFFECT[c.severity] ?? ''}`.replace(/: $/, '')
  if (!c.otherwise) return first
  const o = c.otherwise
  return `${first}; ${o.severity} ${o.when}: ${SEVERITY_EFFECT[o.severity] ?? ''}`.replace(/: $/, '')
}

/**
 * One section per cause, grouped as the catalogue groups them (its `// ── Group ──` comments), each
 * headed by its id alone, so that its anchor is `#<cause-id>`.
 * @param {{ id: string, severity: string, otherwise?: { severity: string, when: string } | null, title: string, fix: string, group: string | null }[]} causes
 */
export function renderCauses(causes) {
  const out = [CAUSES_NOTE]
  let group
  for (const c of causes) {
    if (c.group && c.group !== group) {
      group = c.group
      out.push('', `## ${group}`)
    }
    out.push('', `### ${c.id}`, '', `**${c.title}** (${severityText(c)})`, '', `**Fix:** ${c.fix}`)
  }
  return out.join('\n')
}

/**
 * The catalogue of src/causes.ts as plain data: transpiled (with the modules it imports from src/)
 * into node_modules/.cache, imported, and rendered for github.com. The groups come from its comments.
 */
export async function loadCauses(root) {
  const srcDir = join(root, 'src')
  const entry = join(srcDir, 'causes.ts')
  const outDir = join(root, 'node_modules', '.cache', 'ptc-docs', `${process.pid}-${Date.now()}`)
  const visit = (file, seen) => {
    if (seen.has(file)) return
    seen.add(file)
    const text = readFileSync(file, 'utf8')
    const js = ts.transpileModule(text, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: file
    }).outputText
    const target = join(outDir, relative(srcDir, file)).replace(/\.ts$/, '.js')
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, js)
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.\.?\/[^'"]+)\.js['"]/g)) visit(resolve(dirname(file), `${m[1]}.ts`), seen)
  }
  let mod
  try {
    visit(entry, new Set())
    mod = await import(pathToFileURL(join(outDir, 'causes.js')).href)
  } finally {
    rmSync(outDir, { recursive: true, force: true })
  }
  const source = readFileSync(entry, 'utf8')
  const groupOf = new Map()
  let group = null
  for (const line of source.split('\n')) {
    const g = /^\s*\/\/\s*──\s*(.+?)\s*─+\s*$/.exec(line)
    if (g) group = g[1]
    const id = /^\s*'([a-z][a-z0-9-]*)':\s*\{/.exec(line)
    if (id && !groupOf.has(id[1])) groupOf.set(id[1], group)
  }
  const ctx = { webUrl: 'https://github.com' }
  return Object.entries(mod.CATALOGUE).map(([id, def]) => ({
    id,
    severity: def.severity,
    otherwise: def.otherwise ?? null,
    title: def.title,
    fix: def.remediation(ctx),
    group: groupOf.get(id) ?? null
  }))
}

/** text with each marked block replaced; throws when a marker pair is missing or broken. */
export function replaceBlocks(text, blocks, file = 'the file') {
  let out = text
  for (const [name, body] of Object.entries(blocks)) {
    const start = `<!-- ${name}:start -->`
    const end = `<!-- ${name}:end -->`
    const i = out.indexOf(start)
    const j = out.indexOf(end)
    if (i < 0 || j < 0 || j < i || out.indexOf(start, i + 1) >= 0 || out.indexOf(end, j + 1) >= 0) {
      throw new Error(`${file} needs exactly one "${start}" followed by one "${end}"`)
    }
    out = `${out.slice(0, i + start.length)}\n${body}\n${out.slice(j)}`
  }
  return out
}

/** Kept for callers of the first version: the inputs and outputs blocks of one text. */
export const render = (text, action) => replaceBlocks(text, { inputs: renderInputs(action), outputs: renderOutputs(action) })

const SAMPLE = /<!-- cli-sample: ([\w-]+)((?: [^\s>]+)*) -->\n[\s\S]*?<!-- cli-sample:end -->/g

const sampleMarker = ({ scenario, args }) => `<!-- cli-sample: ${[scenario, ...args].join(' ')} -->`

/** The samples a text asks for: { scenario, args } per `<!-- cli-sample: SCENARIO ARGS -->` marker. */
export function cliSamples(text) {
  return [...text.matchAll(SAMPLE)].map(m => ({ scenario: m[1], args: m[2].trim().split(' ').filter(Boolean) }))
}

/** The block of one sample: a caption and the CLI's output as a text fence, between its markers. */
export function renderCliSample({ scenario, args, description, output, code }) {
  const caption = `<!-- generated by \`npm run docs\` from a run of dist/cli/index.js against the simulator: edit the marker above, not this text -->`
  const text = output.replace(/\s+$/, '')
  return [
    sampleMarker({ scenario, args }),
    caption,
    '',
    `For example, when ${description} (exit status ${code}):`,
    '',
    '```text',
    text,
    '```',
    '<!-- cli-sample:end -->'
  ].join('\n')
}

/**
 * Runs the built CLI of `root` for one sample: the simulator (root's simulator/) answers as
 * `scenario`, the token comes from GITHUB_TOKEN, colours are off. The simulator's address is shown
 * as GitHub's, so the text does not change from run to run.
 */
export async function runCliSample(root, { scenario, args }) {
  const cli = join(root, 'dist', 'cli', 'index.js')
  if (!existsSync(cli)) throw new Error(`docs/cli.md's samples need the built CLI, ${relative(root, cli)}: run \`npm run build\``)
  const { startFake } = await import(pathToFileURL(join(root, 'simulator', 'github-fake.mjs')).href)
  const { SCENARIOS, scenarioWorld } = await import(pathToFileURL(join(root, 'simulator', 'worlds.mjs')).href)
  if (!(scenario in SCENARIOS))
    throw new Error(`docs/cli.md: no simulator scenario ${JSON.stringify(scenario)} (node scripts/simulator.mjs --list)`)
  const { world, token } = scenarioWorld(scenario)
  const fake = await startFake(world)
  try {
    const child = spawn(process.execPath, [cli, ...args, '--api-url', fake.apiUrl], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', GITHUB_TOKEN: token, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', d => (stdout += d))
    child.stderr.on('data', d => (stderr += d))
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    const code = await new Promise(res => child.on('close', c => res(c)))
    clearTimeout(killer)
    if (code !== 0 && code !== 1) throw new Error(`docs/cli.md sample ${scenario}: the CLI exited ${code}: ${stderr.trim().slice(0, 500)}`)
    const web = new URL(fake.apiUrl).origin
    const output = `${stdout}${stderr}`.split(fake.apiUrl).join('https://api.github.com').split(web).join('https://github.com')
    return { output, code, description: SCENARIOS[scenario].description }
  } finally {
    await fake.close()
  }
}

/** text with each cli-sample block rewritten from a real run of the CLI. */
export async function fillCliSamples(root, text) {
  let out = text
  for (const sample of cliSamples(text)) {
    const block = renderCliSample({ ...sample, ...(await runCliSample(root, sample)) })
    const i = out.indexOf(sampleMarker(sample))
    const j = out.indexOf('<!-- cli-sample:end -->', i)
    out = `${out.slice(0, i)}${block}${out.slice(j + '<!-- cli-sample:end -->'.length)}`
  }
  return out
}

/** OWNER/NAME from package.json's repository (a string or { url }). */
export function repositorySlug(pkg) {
  const url = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url
  const m = /(?:github\.com[/:]|^github:|^)([\w.-]+\/[\w.-]+?)(?:\.git)?\/?$/.exec(String(url ?? ''))
  if (!m)
    throw new Error(
      `package.json: "repository" must name the GitHub repository (git+https://github.com/OWNER/NAME.git), not ${JSON.stringify(url)}`
    )
  return m[1]
}

const SLUG_MARKER = /<!-- repository: ([\w.-]+\/[\w.-]+) .*?-->/

/** The files that name the repository. */
function slugFiles(root) {
  const list = (dir, re) =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir))
          .filter(f => re.test(f))
          .map(f => join(dir, f))
      : []
  return [
    'README.md',
    'CONTRIBUTING.md',
    'SECURITY.md',
    'CHANGELOG.md',
    ...list('docs', /\.md$/),
    ...list('examples', /\.ya?ml$/),
    ...list('.github/workflows', /\.ya?ml$/)
  ].filter(f => existsSync(join(root, f)))
}

/** Every file this script writes, as { path: wanted text }, from the files as they are. */
export async function generate(root) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const action = parse(readFileSync(join(root, 'action.yml'), 'utf8'))
  const slug = repositorySlug(pkg)
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const marker = SLUG_MARKER.exec(readme)
  if (!marker)
    throw new Error('README.md needs its "<!-- repository: OWNER/NAME ... -->" marker (the name the docs were last filled in with)')
  const previous = marker[1]

  const wanted = {}
  for (const file of slugFiles(root)) {
    const text = readFileSync(join(root, file), 'utf8')
    wanted[file] = previous === slug ? text : text.split(previous).join(slug)
  }
  const fill = (file, blocks) => {
    const text = wanted[file] ?? readFileSync(join(root, file), 'utf8')
    wanted[file] = replaceBlocks(text, blocks, file)
  }
  fill('docs/reference.md', { inputs: renderInputs(action), outputs: renderOutputs(action) })
  fill('docs/causes.md', { causes: renderCauses(await loadCauses(root)) })
  const cliDoc = wanted['docs/cli.md'] ?? readFileSync(join(root, 'docs', 'cli.md'), 'utf8')
  if (cliSamples(cliDoc).length === 0) throw new Error('docs/cli.md needs at least one "<!-- cli-sample: SCENARIO ARGS -->" block')
  wanted['docs/cli.md'] = await fillCliSamples(root, cliDoc)
  return { wanted, slug, previous }
}

async function main(argv) {
  const option = name => {
    const k = argv.indexOf(name)
    return k >= 0 ? argv[k + 1] : undefined
  }
  const check = argv.includes('--check')
  const root = resolve(option('--root') ?? join(here, '..'))
  let result
  try {
    result = await generate(root)
  } catch (e) {
    console.error(e.message)
    return 1
  }
  const stale = Object.entries(result.wanted).filter(([file, text]) => readFileSync(join(root, file), 'utf8') !== text)
  if (stale.length === 0) {
    if (!check) console.log(`docs are up to date with action.yml, src/causes.ts, package.json (${result.slug}) and the built CLI`)
    return 0
  }
  if (check) {
    console.error(
      `stale: ${stale.map(([f]) => f).join(', ')} (generated from action.yml, src/causes.ts, package.json's repository ${result.slug} and the built CLI's output).\n` +
        'Run `npm run docs` and commit the result.'
    )
    return 1
  }
  for (const [file, text] of stale) {
    writeFileSync(join(root, file), text)
    console.log(`${file}: written`)
  }
  return 0
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) process.exitCode = await main(process.argv.slice(2))
