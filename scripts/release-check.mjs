#!/usr/bin/env node
// npm run release:check -- vX.Y.Z: what the release workflow (.github/workflows/release.yml) checks
// before it creates a release, moves the major tag and publishes to npm. Run it yourself before
// pushing a tag (see CONTRIBUTING.md).
//
//   node scripts/release-check.mjs v1.2.3                  tag, package.json version, CHANGELOG section
//   node scripts/release-check.mjs v1.2.3 --notes FILE     ... and write that CHANGELOG section to FILE
//   node scripts/release-check.mjs v1.2.3 --dist           ... and rebuild dist/: it must be what is committed
//   node scripts/release-check.mjs v1.2.3 --pack           ... and `npm pack`: only what users need, no runtime
//                                                          dependency, and the packed CLI runs without node_modules
//   --root DIR            another checkout (tests)
//   --dist --no-build     compare dist/ with the commit without building first (tests)
//
// Exit 0 when every check passes, 1 with one line per problem otherwise. With GITHUB_OUTPUT set, it
// also writes version=X.Y.Z and major=vX there.
import { spawnSync } from 'node:child_process'
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

/** `v1.2.3` → { version: '1.2.3', major: 'v1' }; anything else (v1, v1.2, 1.2.3, v1.2.3-rc.1) → null. */
export function parseTag(tag) {
  const m = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.exec(String(tag ?? ''))
  return m ? { version: `${m[1]}.${m[2]}.${m[3]}`, major: `v${m[1]}` } : null
}

/**
 * The body of `## [X.Y.Z] - YYYY-MM-DD` in a Keep a Changelog file, up to the next `## ` heading or
 * the link references at the end; null when there is no such heading.
 */
export function changelogSection(changelog, version) {
  const lines = changelog.split(/\r?\n/)
  const escaped = version.replace(/\./g, '\\.')
  const start = lines.findIndex(l => new RegExp(`^## \\[${escaped}\\](?:\\s|$)`).test(l))
  if (start < 0) return null
  const body = []
  for (const line of lines.slice(start + 1)) {
    if (/^## /.test(line) || /^\[[^\]]+\]: \S+/.test(line)) break
    body.push(line)
  }
  return { heading: lines[start], body: body.join('\n').trim() }
}

/** OWNER/NAME from package.json's repository (a string or { url }); null when it names no GitHub repository. */
export function repositorySlug(pkg) {
  const url = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url
  const m = /(?:github\.com[/:]|^github:|^)([\w.-]+\/[\w.-]+?)(?:\.git)?\/?$/.exec(String(url ?? ''))
  return m ? m[1] : null
}

/**
 * Problems with the major tag a release moves (`major`, e.g. v1) against the references users are
 * shown (`OWNER/NAME@vN` in the README, docs and examples: `docs` maps a file to its text): every
 * one must be that tag, or the release creates something other than what the docs tell users to run.
 */
export function majorProblems({ major, slug, docs = {} }) {
  if (!slug) return []
  const escaped = slug.replace(/[.]/g, '\\.')
  const problems = []
  for (const [file, text] of Object.entries(docs)) {
    const shown = [...new Set([...text.matchAll(new RegExp(`${escaped}@(v\\d+)(?![\\w.])`, 'g'))].map(m => m[1]))]
    const other = shown.filter(v => v !== major)
    if (other.length > 0)
      problems.push(
        `${file} shows ${other.map(v => `${slug}@${v}`).join(', ')}, but this release moves the major tag ${major}: release a version whose major is ${other[0].slice(1)}, or change what ${file} shows`
      )
  }
  return problems
}

/** Problems with releasing `tag` from these files' contents; [] when it can be released. */
export function releaseProblems({ tag, pkg, changelog, docs = {} }) {
  const parsed = parseTag(tag)
  if (!parsed) return [`tag "${tag}" is not vMAJOR.MINOR.PATCH (e.g. v1.2.3): the release workflow runs on full versions only`]
  const problems = []
  const { version } = parsed
  if (pkg.version !== version)
    problems.push(`package.json has version ${pkg.version}, the tag says ${version}: set "version" to ${version} and commit before tagging`)
  if (pkg.private) problems.push('package.json is "private": npm would refuse to publish it')
  const section = changelogSection(changelog, version)
  if (!section) problems.push(`CHANGELOG.md has no "## [${version}] - YYYY-MM-DD" section: move the Unreleased entries under it`)
  else {
    if (!/^## \[[^\]]+\] - \d{4}-\d{2}-\d{2}\s*$/.test(section.heading))
      problems.push(`CHANGELOG.md: "${section.heading}" should read "## [${version}] - YYYY-MM-DD"`)
    if (!/^\s*[-*] \S/m.test(section.body)) problems.push(`CHANGELOG.md: the ${version} section lists no change`)
  }
  problems.push(...majorProblems({ major: parsed.major, slug: repositorySlug(pkg), docs }))
  return problems
}

/** The files users read that show `uses: OWNER/NAME@vN`: README.md, docs/*.md, examples/*.yml (those present). */
export function readDocs(root) {
  const list = (dir, re) =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir))
          .filter(f => re.test(f))
          .map(f => `${dir}/${f}`)
      : []
  const files = ['README.md', ...list('docs', /\.md$/), ...list('examples', /\.ya?ml$/)].filter(f => existsSync(join(root, f)))
  return Object.fromEntries(files.map(f => [f, readFileSync(join(root, f), 'utf8')]))
}

/** Problems with `git status --porcelain -- dist` output after a rebuild: any line is a difference. */
export function distProblems(porcelain) {
  const lines = porcelain.split('\n').filter(Boolean)
  if (lines.length === 0) return []
  return [
    `dist/ is not the build of the tagged sources (${lines.length} file${lines.length > 1 ? 's' : ''} differ: ${lines.map(l => l.slice(3)).join(', ')}): run \`npm run build\`, commit dist/, and tag that commit`
  ]
}

/** What the npm package must hold, and nothing else (sources, tests, simulator, workflows stay out). */
export const PACK_REQUIRED = ['package.json', 'README.md', 'LICENSE', 'dist/cli/index.js', 'dist/licenses.txt']
const PACK_ALLOWED = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^CHANGELOG\.md$/, /^dist\/cli\/[^/]+$/, /^dist\/licenses\.txt$/]

/** Problems with the file list of `npm pack --dry-run --json`. */
export function packProblems(files) {
  const problems = []
  for (const f of PACK_REQUIRED) if (!files.includes(f)) problems.push(`the package lacks ${f}`)
  for (const f of files)
    if (!PACK_ALLOWED.some(re => re.test(f))) problems.push(`the package should not ship ${f} (see "files" in package.json)`)
  return problems
}

const DEPENDENCY_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies', 'bundledDependencies']

/**
 * Problems with the package.json that `npm pack` ships: the CLI is one bundled file (ncc), so it
 * depends on nothing at run time; any dependency would be installed by every `npx` for nothing.
 */
export function manifestProblems(manifest) {
  const problems = []
  for (const field of DEPENDENCY_FIELDS) {
    const value = manifest[field]
    const names = Array.isArray(value) ? value : Object.keys(value ?? {})
    if (names.length > 0)
      problems.push(
        `the package declares ${field} (${names.join(', ')}), which npx would install for nothing: dist/cli/index.js is bundled; move them to devDependencies`
      )
  }
  if (!manifest.bin || typeof manifest.bin !== 'object' || !Object.values(manifest.bin).includes('dist/cli/index.js'))
    problems.push('the package has no bin pointing at dist/cli/index.js')
  return problems
}

/**
 * Packs the package for real into a temporary directory, unpacks it there (no node_modules anywhere
 * near), and reports its package.json and whether its CLI runs: `--version` must exit 0.
 */
export function packedPackage(root) {
  const dir = mkdtempSync(join(tmpdir(), 'ptc-pack-'))
  try {
    const r = spawnSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
      cwd: root,
      encoding: 'utf8',
      shell: process.platform === 'win32'
    })
    if (r.status !== 0) throw new Error(`npm pack failed: ${r.stderr.trim()}`)
    const [info] = JSON.parse(r.stdout)
    const untar = spawnSync('tar', ['-xzf', join(dir, info.filename), '-C', dir], { encoding: 'utf8' })
    if (untar.status !== 0) throw new Error(`tar -xzf ${info.filename} failed: ${untar.stderr.trim()}`)
    const manifest = JSON.parse(readFileSync(join(dir, 'package', 'package.json'), 'utf8'))
    const cli = spawnSync(process.execPath, [join(dir, 'package', 'dist', 'cli', 'index.js'), '--version'], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', NODE_PATH: '' },
      timeout: 30_000
    })
    return { manifest, run: { status: cli.status, stdout: cli.stdout, stderr: cli.stderr } }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Problems with the packed CLI's `--version` run (see packedPackage). */
export function packedRunProblems(run) {
  if (run.status === 0 && /^provisioning-token-check \d+\.\d+\.\d+/.test(run.stdout)) return []
  const why =
    String(run.stderr || run.stdout || '')
      .trim()
      .split('\n')[0] ?? ''
  return [`the packed CLI does not run without node_modules (\`--version\` exited ${run.status}: ${why.slice(0, 300)})`]
}

/** The files `npm pack` would put in the tarball, and its size. */
export function packFiles(root) {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    encoding: 'utf8',
    shell: process.platform === 'win32'
  })
  if (r.status !== 0) throw new Error(`npm pack --dry-run failed: ${r.stderr.trim()}`)
  const [info] = JSON.parse(r.stdout)
  return { files: info.files.map(f => f.path).sort(), size: info.size, unpackedSize: info.unpackedSize }
}

function git(root, args) {
  const r = spawnSync('git', args, { cwd: root, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr.trim()}`)
  return r.stdout
}

export function main(argv) {
  const option = name => {
    const k = argv.indexOf(name)
    return k >= 0 ? argv[k + 1] : undefined
  }
  const tag = argv.find((a, k) => !a.startsWith('--') && !['--notes', '--root'].includes(argv[k - 1])) ?? process.env.GITHUB_REF_NAME
  const root = resolve(option('--root') ?? join(here, '..'))
  if (!tag) {
    console.error('usage: node scripts/release-check.mjs vX.Y.Z [--notes FILE] [--dist [--no-build]] [--pack]')
    return 2
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const changelog = readFileSync(join(root, 'CHANGELOG.md'), 'utf8')
  const problems = releaseProblems({ tag, pkg, changelog, docs: readDocs(root) })

  if (argv.includes('--dist')) {
    if (!argv.includes('--no-build')) {
      const build = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8', shell: process.platform === 'win32' })
      if (build.status !== 0) problems.push(`npm run build failed:\n${build.stdout}${build.stderr}`)
    }
    problems.push(...distProblems(git(root, ['status', '--porcelain', '--untracked-files=all', '--', 'dist'])))
  }
  if (argv.includes('--pack')) {
    const { files, size } = packFiles(root)
    const found = packProblems(files)
    const packed = packedPackage(root)
    found.push(...manifestProblems(packed.manifest), ...packedRunProblems(packed.run))
    problems.push(...found)
    if (found.length === 0) console.log(`npm package: ${files.length} files, ${Math.round(size / 1024)} kB packed: ${files.join(', ')}`)
  }

  if (problems.length > 0) {
    for (const p of problems) console.error(`✗ ${p}`)
    return 1
  }
  const { version, major } = parseTag(tag)
  const notes = option('--notes')
  if (notes) writeFileSync(notes, `${changelogSection(changelog, version).body}\n`)
  if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, `version=${version}\nmajor=${major}\n`)
  console.log(
    `✓ ${tag} can be released: package.json ${version}, CHANGELOG section${argv.includes('--dist') ? ', dist/ is the build of these sources' : ''}${notes ? `; notes in ${notes}` : ''}; major tag ${major}`
  )
  return 0
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) process.exitCode = main(process.argv.slice(2))
