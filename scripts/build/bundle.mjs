#!/usr/bin/env node
// npm run build: the action (src/action/index.ts → dist/) and the CLI (src/cli/index.ts → dist/cli/), each built
// by ncc into a small entry file (index.js) and lazy chunks beside it (NNN.index.js, webpack's deterministic ids):
// the network stack (Octokit, undici, src/github/client.ts) and each IdP's check are loaded by `import()` only
// when a request is to be made, so a run that stops at its inputs compiles the entry file alone (issue 18,
// BENCHMARKS.md "Cold start"; __tests__/cold-start.test.ts pins it). ncc leaves two things to this script:
//
// - ncc minifies the entry file only: each chunk is minified here with terser and ncc's own options
//   (no compression; names mangled, class and function names kept).
// - ncc's licence plugin keeps one list per chunk, so `--license licenses.txt` would be overwritten by each chunk
//   in turn. It is asked for one file per chunk (`[name].licenses.txt`); they are merged into dist/licenses.txt,
//   rendered as the plugin renders one (sorted by name), and the per-chunk files removed. The build fails if a
//   package bundled into any file of the action or the CLI (read from ncc's stats) has no entry there.
//
// Deterministic: chunk ids are webpack's `deterministic` ids (hashes of the modules' paths from the repository),
// terser is deterministic, the licences are sorted. Every chunk file of an earlier build (NNN.index.js) is removed
// first: ncc does not remove them, and a chunk whose modules changed gets another id.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { minify } from 'terser'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const NCC = createRequire(import.meta.url).resolve('@vercel/ncc/dist/ncc/cli.js')
const LICENSES = 'licenses.txt'
const CHUNK_LICENSES = /^.+\.licenses\.txt$/
const TARGETS = [
  { entry: 'src/action/index.ts', out: 'dist', licenses: true },
  { entry: 'src/cli/index.ts', out: 'dist/cli', licenses: false }
]
/** ncc's options for the entry file (`--minify`), so that the chunks read as the entry does. */
const TERSER = { module: true, compress: false, mangle: { keep_classnames: true, keep_fnames: true } }

/** Runs ncc on one entry; returns its webpack stats (modules and chunks). */
function ncc(target, statsFile) {
  const args = [NCC, 'build', target.entry, '-o', target.out, '--minify', '--stats-out', statsFile, '--quiet']
  if (target.licenses) args.push('--license', '[name].licenses.txt')
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] })
  if (r.status !== 0) throw new Error(`ncc build ${target.entry} failed (exit ${r.status})`)
  return JSON.parse(readFileSync(statsFile, 'utf8'))
}

/** The names (their package.json's) of the packages whose modules the build holds, as the licence plugin finds them. */
function bundledPackages(stats) {
  const dirs = new Set()
  const walk = modules => {
    for (const m of modules ?? []) {
      // The package's folder: the one after the last node_modules/ of the module's path (scoped: two levels).
      const found = /^(?:\.\/)?(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(m.name ?? '')
      if (found) dirs.add(found[1])
      walk(m.modules)
    }
  }
  walk(stats.modules)
  return new Set([...dirs].map(dir => JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')).name))
}

/** The lazy chunks' files: every file of a chunk that is not the entry's. */
function chunkFiles(stats) {
  return stats.chunks.filter(c => !c.initial).flatMap(c => c.files)
}

async function minifyChunks(out, files) {
  for (const file of files) {
    const path = join(ROOT, out, file)
    const result = await minify(readFileSync(path, 'utf8'), TERSER)
    if (typeof result.code !== 'string') throw new Error(`terser gave nothing for ${file}`)
    writeFileSync(path, result.code)
  }
}

/**
 * Splits one licence file into its entries, found by the bundled packages' names. The plugin renders each entry as
 * `name\nlicence id\ntext\n\n` and trims the whole file's end: each entry but the last keeps its text whole.
 */
function entriesOf(text, names, file) {
  const starts = []
  for (const name of names) {
    for (let at = text.indexOf(`${name}\n`); at >= 0; at = text.indexOf(`${name}\n`, at + 1)) {
      if (at === 0 || text.startsWith('\n\n', at - 2)) starts.push({ name, at })
    }
  }
  starts.sort((a, b) => a.at - b.at)
  if (text.trim() !== '' && starts[0]?.at !== 0) throw new Error(`${file}: does not begin with a bundled package's entry`)
  return starts.map((s, i) => {
    const next = starts[i + 1]
    return { name: s.name, text: next ? text.slice(s.at, next.at - 2) : text.slice(s.at).trimEnd() }
  })
}

/** Merges the per-chunk licence files of `out` into one, checked against every package the builds bundle. */
function mergeLicenses(out, packages) {
  const dir = join(ROOT, out)
  const files = readdirSync(dir)
    .filter(f => CHUNK_LICENSES.test(f))
    .sort()
  const entries = new Map()
  for (const file of files) {
    for (const e of entriesOf(readFileSync(join(dir, file), 'utf8'), packages, file)) {
      const seen = entries.get(e.name)
      // The same package in two chunks: the same entry, but where it was a file's last, its end was trimmed.
      if (seen !== undefined && seen.trimEnd() !== e.text.trimEnd()) throw new Error(`${e.name}: two different licence entries`)
      if (seen === undefined || e.text.length > seen.length) entries.set(e.name, e.text)
    }
    rmSync(join(dir, file))
  }
  const missing = [...packages].filter(name => !entries.has(name)).sort()
  if (missing.length > 0) throw new Error(`${out}/${LICENSES} lacks bundled packages: ${missing.join(', ')}`)
  // Rendered as the plugin renders one file: sorted by name (with `<`), each entry followed by a blank line, the end trimmed.
  const names = [...entries.keys()].sort((a, b) => (a < b ? -1 : 1))
  writeFileSync(
    join(dir, LICENSES),
    `${names
      .map(n => `${entries.get(n)}\n\n`)
      .join('')
      .trim()}\n`
  )
  return names.length
}

/** An earlier build's chunk files, whose ids this build may not reuse. */
function removeOldChunks(out) {
  const dir = join(ROOT, out)
  for (const f of existsSync(dir) ? readdirSync(dir) : []) if (/^\d+\.index\.js$/.test(f)) rmSync(join(dir, f))
}

const tmp = mkdtempSync(join(tmpdir(), 'ptc-build-'))
try {
  for (const target of TARGETS) removeOldChunks(target.out)
  const all = new Set()
  const built = []
  for (const [i, target] of TARGETS.entries()) {
    const stats = ncc(target, join(tmp, `stats-${i}.json`))
    const chunks = chunkFiles(stats)
    await minifyChunks(target.out, chunks)
    for (const name of bundledPackages(stats)) all.add(name)
    built.push({ target, chunks })
  }
  // The action's dist/licenses.txt is the one both packages ship (package.json "files"): it covers the CLI's too.
  const licensed = mergeLicenses(TARGETS.find(t => t.licenses).out, all)
  for (const { target, chunks } of built) {
    const size = f => readFileSync(join(ROOT, target.out, f)).length
    const kib = n => `${Math.round(n / 1024)} KiB`
    console.log(
      `${target.out}/index.js ${kib(size('index.js'))}, ${chunks.length} chunks: ${chunks.map(f => `${f} ${kib(size(f))}`).join(', ')}`
    )
  }
  console.log(`dist/${LICENSES}: ${licensed} packages`)
} finally {
  rmSync(tmp, { recursive: true, force: true })
}
