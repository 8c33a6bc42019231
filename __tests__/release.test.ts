/**
 * Releases, offline: scripts/release-check.mjs (tag, version, CHANGELOG section, dist/ is the build of
 * the tagged sources, what `npm pack` ships), the release workflow's shape (release, major tag,
 * publish with id-token: write), the repository's workflows pinning third-party actions by commit
 * SHA, and package.json being publishable with honest engines.
 */
import { describe, expect, it } from '@jest/globals'
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import {
  PACK_REQUIRED,
  changelogSection,
  distProblems,
  majorProblems,
  manifestProblems,
  packFiles,
  packProblems,
  packedPackage,
  packedRunProblems,
  parseTag,
  readDocs,
  releaseProblems
} from '../scripts/release-check.mjs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const SCRIPT = join(ROOT, 'scripts', 'release-check.mjs')

const CHANGELOG = `# Changelog

## [Unreleased]

## [1.2.0] - 2027-01-15

### Added

- A thing.

## [1.1.0] - 2026-12-01

### Fixed

- Another thing.

[Unreleased]: https://example.com/compare/v1.2.0...HEAD
[1.2.0]: https://example.com/releases/tag/v1.2.0
`

const run = (args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) =>
  spawnSync(process.execPath, [SCRIPT, ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...options.env }
  })

function tempRepo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ptc-release-'))
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  return dir
}

describe('scripts/release-check.mjs', () => {
  it('takes full version tags only, and names the major tag', () => {
    expect(parseTag('v1.2.3')).toEqual({ version: '1.2.3', major: 'v1' })
    expect(parseTag('v0.1.0')).toEqual({ version: '0.1.0', major: 'v0' })
    expect(parseTag('v12.0.10')).toEqual({ version: '12.0.10', major: 'v12' })
    for (const bad of ['v1', 'v1.2', '1.2.3', 'v1.2.3-rc.1', 'v01.2.3', 'v1.2.3 ', 'refs/tags/v1.2.3', '']) expect(parseTag(bad)).toBeNull()
  })

  it("reads one version's CHANGELOG section, up to the next version or the link references", () => {
    expect(changelogSection(CHANGELOG, '1.2.0')).toEqual({ heading: '## [1.2.0] - 2027-01-15', body: '### Added\n\n- A thing.' })
    expect(changelogSection(CHANGELOG, '1.1.0')?.body).toBe('### Fixed\n\n- Another thing.')
    expect(changelogSection(CHANGELOG, '1.0.0')).toBeNull()
    expect(changelogSection(CHANGELOG, '1.2.0'.replace('.', 'x'))).toBeNull() // dots are not wildcards
  })

  it('accepts a consistent release, and says what to fix otherwise', () => {
    const pkg = { name: 'provisioning-token-check', version: '1.2.0' }
    expect(releaseProblems({ tag: 'v1.2.0', pkg, changelog: CHANGELOG })).toEqual([])
    expect(releaseProblems({ tag: 'v1.3.0', pkg, changelog: CHANGELOG })).toEqual([
      expect.stringContaining('package.json has version 1.2.0, the tag says 1.3.0'),
      expect.stringContaining('no "## [1.3.0] - YYYY-MM-DD" section')
    ])
    expect(releaseProblems({ tag: 'v1.2', pkg, changelog: CHANGELOG })).toEqual([expect.stringContaining('not vMAJOR.MINOR.PATCH')])
    expect(releaseProblems({ tag: 'v1.2.0', pkg: { ...pkg, private: true }, changelog: CHANGELOG })).toEqual([
      expect.stringContaining('"private"')
    ])
    const empty = CHANGELOG.replace('### Added\n\n- A thing.\n', '')
    expect(releaseProblems({ tag: 'v1.2.0', pkg, changelog: empty })).toEqual([expect.stringContaining('lists no change')])
    const undated = CHANGELOG.replace('## [1.2.0] - 2027-01-15', '## [1.2.0]')
    expect(releaseProblems({ tag: 'v1.2.0', pkg, changelog: undated })).toEqual([
      expect.stringContaining('should read "## [1.2.0] - YYYY-MM-DD"')
    ])
  })

  it('passes on this repository for its current version', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
    const r = run([`v${version}`])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })

  it('refuses a release whose major tag is not the one the README, docs and examples show', () => {
    const pkg = { name: 'x', version: '0.1.0', repository: { url: 'git+https://github.com/acme/check.git' } }
    const docs = {
      'README.md': 'uses: acme/check@v1\n# or pin: acme/check@0123456789abcdef0123456789abcdef01234567 # v1.2.3',
      'examples/a.yml': 'uses: acme/check@v1'
    }
    const v0 = CHANGELOG.replace('## [1.2.0] - 2027-01-15', '## [0.1.0] - 2027-01-15')
    expect(releaseProblems({ tag: 'v0.1.0', pkg, changelog: v0, docs })).toEqual([
      expect.stringContaining('README.md shows acme/check@v1, but this release moves the major tag v0'),
      expect.stringContaining('examples/a.yml shows acme/check@v1')
    ])
    expect(releaseProblems({ tag: 'v1.2.0', pkg: { ...pkg, version: '1.2.0' }, changelog: CHANGELOG, docs })).toEqual([])
    expect(majorProblems({ major: 'v2', slug: 'acme/check', docs: { 'docs/x.md': 'acme/check@v1 and acme/check@v2' } })).toEqual([
      expect.stringContaining('docs/x.md shows acme/check@v1')
    ])
    expect(majorProblems({ major: 'v1', slug: 'acme/check', docs: { 'a.md': 'other/check@v3, acme/check-two@v3' } })).toEqual([])
    expect(majorProblems({ major: 'v1', slug: null, docs })).toEqual([])
  })

  it("this repository: the first release is v1.0.0 or later, and its major tag is every workflow's @vN", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
    const parsed = parseTag(`v${pkg.version}`)
    expect(parsed?.major).toBe('v1')
    const docs = readDocs(ROOT)
    expect(Object.keys(docs)).toEqual(expect.arrayContaining(['README.md', 'docs/cli.md', 'examples/scheduled-check.yml']))
    expect(docs['README.md']).toContain(`@${parsed?.major}`)
    expect(majorProblems({ major: parsed?.major as string, slug: 'provisioning-token-check/provisioning-token-check', docs })).toEqual([])
    const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8')
    expect(changelogSection(changelog, pkg.version)?.body).toMatch(/^### /m)
    expect(changelog).not.toMatch(/^## \[0\./m) // 0.x was never tagged: no section claims it was released
  })

  it('as a command: writes the notes and GITHUB_OUTPUT, exits 1 with one line per problem, 2 without a tag', () => {
    const dir = tempRepo({ 'package.json': JSON.stringify({ name: 'x', version: '1.2.0' }), 'CHANGELOG.md': CHANGELOG, out: '' })
    try {
      const ok = run(['v1.2.0', '--root', dir, '--notes', join(dir, 'notes.md')], { env: { GITHUB_OUTPUT: join(dir, 'out') } })
      expect(ok.status).toBe(0)
      expect(ok.stdout).toContain('✓ v1.2.0 can be released')
      expect(readFileSync(join(dir, 'notes.md'), 'utf8')).toBe('### Added\n\n- A thing.\n')
      expect(readFileSync(join(dir, 'out'), 'utf8')).toBe('version=1.2.0\nmajor=v1\n')
      const bad = run(['v2.0.0', '--root', dir])
      expect(bad.status).toBe(1)
      expect(bad.stderr.trim().split('\n')).toHaveLength(2)
      expect(run(['--root', dir]).status).toBe(2)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('--dist: fails when dist/ is not what is committed (a changed, a new or a deleted file)', () => {
    const dir = tempRepo({
      'package.json': JSON.stringify({ name: 'x', version: '1.2.0' }),
      'CHANGELOG.md': CHANGELOG,
      'dist/index.js': 'built\n'
    })
    const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, encoding: 'utf8' })
    try {
      git('init', '-q')
      git('add', '.')
      git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'x')
      expect(run(['v1.2.0', '--root', dir, '--dist', '--no-build']).status).toBe(0)
      writeFileSync(join(dir, 'dist', 'index.js'), 'rebuilt differently\n')
      writeFileSync(join(dir, 'dist', 'extra.js'), 'new\n')
      const r = run(['v1.2.0', '--root', dir, '--dist', '--no-build'])
      expect(r.status).toBe(1)
      expect(r.stderr).toMatch(/dist\/ is not the build of the tagged sources \(2 files differ: dist\/index\.js, dist\/extra\.js\)/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    expect(distProblems('')).toEqual([])
    expect(distProblems(' D dist/cli/index.js\n')).toEqual([expect.stringContaining('1 file differ: dist/cli/index.js')])
  })

  it('--pack: npm pack ships the CLI, its licenses, README, LICENSE and package.json, and nothing else', () => {
    const { files, size } = packFiles(ROOT)
    expect(packProblems(files)).toEqual([])
    for (const f of PACK_REQUIRED) expect(files).toContain(f)
    expect(files.filter(f => /^(src|__tests__|simulator|scripts|examples|docs|\.github)\//.test(f))).toEqual([])
    expect(size).toBeLessThan(1024 * 1024)
    expect(packProblems([...files, 'src/main.ts', 'dist/index.js'])).toEqual([
      expect.stringContaining('should not ship src/main.ts'),
      expect.stringContaining('should not ship dist/index.js')
    ])
    expect(packProblems(files.filter(f => f !== 'LICENSE'))).toEqual([expect.stringContaining('lacks LICENSE')])
  })
})

// ── package.json ────────────────────────────────────────────────────────────

describe('package.json', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown> & {
    engines: { node: string }
    publishConfig: Record<string, unknown>
    repository: { url: string }
  }

  it("is publishable under the project's own npm scope, its command unchanged: not private, a files list, the bin, provenance, a repository", () => {
    expect(pkg.private).toBeUndefined()
    expect(pkg.name).toBe('@provisioning-token-check/cli')
    expect(pkg.files).toEqual(expect.arrayContaining(['dist/cli/']))
    expect(pkg.bin).toEqual({ 'provisioning-token-check': 'dist/cli/index.js' })
    expect(pkg.publishConfig).toMatchObject({ provenance: true, access: 'public' })
    expect(pkg.repository.url).toMatch(/^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/)
  })

  type LockPackage = {
    dev?: boolean
    link?: boolean
    devOptional?: boolean
    engines?: { node?: string }
    dependencies?: Record<string, string>
    optionalDependencies?: Record<string, string>
  }
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    name: string
    version: string
    packages: Record<string, LockPackage & { name?: string; version?: string }>
  }

  /** The npm packages src/ imports (bundled into dist/ by ncc): bare specifiers, not node: builtins, not type-only. */
  const bundledRoots = (): string[] => {
    const files: string[] = []
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true }))
        if (e.isDirectory()) walk(join(dir, e.name))
        else if (e.name.endsWith('.ts')) files.push(join(dir, e.name))
    }
    walk(join(ROOT, 'src'))
    const names = new Set<string>()
    for (const file of files) {
      const text = readFileSync(file, 'utf8')
      for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
        if (m[2]) continue
        const spec = (m[3] ?? m[4]) as string
        if (spec.startsWith('.') || spec.startsWith('node:')) continue
        names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string))
      }
    }
    return [...names].sort()
  }

  /** Where npm installs `dep` for the package at lock path `from` (nested node_modules first, then upwards). */
  const resolveIn = (from: string, dep: string): string | undefined => {
    let base = from
    for (;;) {
      const candidate = `${base ? `${base}/` : ''}node_modules/${dep}`
      if (lock.packages[candidate]) return candidate
      if (!base) return undefined
      const i = base.lastIndexOf('/node_modules/')
      base = i < 0 ? '' : base.slice(0, i)
    }
  }

  it('depends on nothing at run time: the action and the CLI are bundled, every package is a devDependency', () => {
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies', 'bundledDependencies'])
      expect(`${field}: ${JSON.stringify(pkg[field] ?? null)}`).toBe(`${field}: null`)
    expect(manifestProblems(pkg)).toEqual([])
    expect(manifestProblems({ ...pkg, dependencies: { undici: '^6' } })).toEqual([expect.stringContaining('dependencies (undici)')])
    expect(manifestProblems({ ...pkg, bin: { x: 'bin/x.js' } })).toEqual([expect.stringContaining('no bin')])
    // The lockfile agrees (npm ci installs nothing as a runtime dependency), and names the package as package.json does.
    expect([lock.name, lock.version]).toEqual([pkg.name, pkg.version])
    expect(lock.packages['']?.dependencies).toBeUndefined()
    const runtime = Object.entries(lock.packages).filter(([path, p]) => path !== '' && !p.dev && !p.devOptional && !p.link)
    expect(runtime.map(([path]) => path)).toEqual([])
    // What src/ imports is what the bundles hold: each a devDependency.
    const roots = bundledRoots()
    expect(roots).toEqual(expect.arrayContaining(['@actions/core', '@octokit/rest']))
    const dev = pkg.devDependencies as Record<string, string>
    for (const name of roots) expect(`${name}: ${dev[name] !== undefined}`).toBe(`${name}: true`)
  })

  it('engines: the lowest Node it claims is what the bundled packages need (their engines, through the lockfile)', () => {
    const lowest = /^>=\s*(\d+)$/.exec(pkg.engines.node)?.[1]
    expect(lowest).toBeDefined()
    const requires = (range: string): number => Math.min(...range.split('||').map(alt => Number(/(\d+)/.exec(alt.trim())?.[1] ?? 0)))
    const seen = new Set<string>()
    const queue = bundledRoots().map(name => resolveIn('', name) as string)
    expect(queue.every(Boolean)).toBe(true)
    while (queue.length > 0) {
      const path = queue.pop() as string
      if (seen.has(path)) continue
      seen.add(path)
      const p = lock.packages[path] as LockPackage
      for (const dep of Object.keys({ ...p.dependencies, ...p.optionalDependencies })) {
        const found = resolveIn(path, dep)
        if (found) queue.push(found)
      }
    }
    const withEngines = [...seen].filter(path => lock.packages[path]?.engines?.node)
    expect(withEngines.length).toBeGreaterThan(0)
    const needed = Math.max(...withEngines.map(path => requires(lock.packages[path]?.engines?.node as string)))
    expect(Number(lowest)).toBeGreaterThanOrEqual(needed)
    // ...and no higher than needed: the claim is what the bundled code really needs.
    expect(Number(lowest)).toBe(needed)
  })

  it('the docs show only the scoped package: no `npx provisioning-token-check`, which anyone could publish', () => {
    const files = ['README.md', 'CONTRIBUTING.md', 'SECURITY.md', ...Object.keys(readDocs(ROOT)).filter(f => f.startsWith('docs/'))]
    const unscoped = /\b(?:npx|npm (?:i|install|exec)(?: -g| --global)?|pnpm dlx|yarn dlx|bunx)\s+(?!@)provisioning-token-check\b/
    for (const file of files) {
      const text = readFileSync(join(ROOT, file), 'utf8')
      expect(`${file}: ${unscoped.exec(text)?.[0] ?? 'none'}`).toBe(`${file}: none`)
    }
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`npx ${pkg.name as string} `)
    expect(readFileSync(join(ROOT, 'docs', 'cli.md'), 'utf8')).toContain(`npx ${pkg.name as string} `)
    expect(unscoped.test('npx provisioning-token-check --org acme')).toBe(true)
    expect(unscoped.test('npm install -g provisioning-token-check')).toBe(true)
    expect(unscoped.test('npx @provisioning-token-check/cli --org acme')).toBe(false)
  })
})

describe('the packed package and the bundles, without node_modules', () => {
  it('npm pack: the package.json it ships has no dependency, and its CLI runs from the unpacked tarball', () => {
    const { manifest, run } = packedPackage(ROOT)
    expect(manifest.name).toBe('@provisioning-token-check/cli')
    expect(manifest.bin).toEqual({ 'provisioning-token-check': 'dist/cli/index.js' })
    expect(manifestProblems(manifest)).toEqual([])
    expect(packedRunProblems(run)).toEqual([])
    expect(
      packedRunProblems({ status: 1, stdout: '', stderr: "Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'undici'\n    at x" })
    ).toEqual([expect.stringContaining("exited 1: Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'undici'")])
  })

  it('dist/index.js and dist/cli/index.js do a whole run from a copy with no node_modules above it', async () => {
    const { startFake } = await import('../simulator/github-fake.mjs')
    const { scenarioWorld } = await import('../simulator/worlds.mjs')
    const { DEMOS, startDemo } = await import('../simulator/demos.mjs')
    const { runAction } = await import('../simulator/run-action.mjs')
    const dir = mkdtempSync(join(tmpdir(), 'ptc-bundle-'))
    try {
      cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true })
      for (let d = dir; d !== dirname(d); d = dirname(d)) expect(`${d}: ${existsSync(join(d, 'node_modules'))}`).toBe(`${d}: false`)
      // The action: GitHub alone, then with each IdP (Okta's key, Entra's OIDC): every lazily loaded part.
      const demos = ['healthy', 'okta-credentials-rejected', 'entra-credentials-quarantine'].map(name =>
        DEMOS.find(d => (d.name ?? d.scenario) === name)
      )
      // The three at once: each run mostly waits on its loopback servers.
      const runs = await Promise.all(
        demos.map(async demo => {
          const started = await startDemo(demo as (typeof DEMOS)[number])
          try {
            return await runAction(
              { ...started.inputs, 'timeout-seconds': '20' },
              { env: started.env, entry: join(dir, 'dist', 'index.js') }
            )
          } finally {
            await started.close()
          }
        })
      )
      for (const [k, demo] of demos.entries()) {
        const r = runs[k] as Awaited<ReturnType<typeof runAction>>
        expect(r.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/)
        expect(`${demo?.name ?? demo?.scenario}: ${r.outputs.status}`).toBe(
          `${demo?.name ?? demo?.scenario}: ${demo?.idp ? 'failing' : 'healthy'}`
        )
      }
      // The CLI (spawned, not spawnSync: the simulator answers from this process).
      const { world, token } = scenarioWorld('healthy')
      const fake = await startFake(world)
      try {
        const child = spawn(process.execPath, [join(dir, 'dist', 'cli', 'index.js'), '--org', 'acme', '--api-url', fake.apiUrl, '--json'], {
          cwd: dir,
          env: { PATH: process.env.PATH ?? '', GITHUB_TOKEN: token },
          stdio: ['ignore', 'pipe', 'pipe']
        })
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', d => (stdout += d))
        child.stderr.on('data', d => (stderr += d))
        const code = await new Promise(res => child.on('close', res))
        expect(stderr).toBe('')
        expect(code).toBe(0)
        expect((JSON.parse(stdout) as { status: string }).status).toBe('healthy')
      } finally {
        await fake.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})

// ── Workflows ───────────────────────────────────────────────────────────────

type Job = {
  permissions?: Record<string, string> | string
  needs?: string | string[]
  environment?: unknown
  steps: Array<{ uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }>
}
const workflowDir = join(ROOT, '.github', 'workflows')
const workflowFiles = readdirSync(workflowDir).filter(f => /\.ya?ml$/.test(f))
const workflow = (file: string) =>
  parse(readFileSync(join(workflowDir, file), 'utf8')) as { on: Record<string, unknown>; permissions?: unknown; jobs: Record<string, Job> }

describe('.github/workflows/release.yml', () => {
  const w = workflow('release.yml')
  const runs = (job: string) => w.jobs[job]?.steps.map(s => s.run ?? '').join('\n') ?? ''

  it('runs on vX.Y.Z tags only, with no permissions but what each job needs', () => {
    expect(w.on).toEqual({ push: { tags: ['v[0-9]+.[0-9]+.[0-9]+'] } })
    expect(w.permissions).toEqual({})
    expect(Object.keys(w.jobs)).toEqual(['verify', 'release', 'publish'])
    expect(w.jobs.verify?.permissions).toEqual({ contents: 'read' })
    expect(w.jobs.release?.permissions).toEqual({ contents: 'write' })
    expect(w.jobs.publish?.permissions).toEqual({ contents: 'read', 'id-token': 'write' })
  })

  it('verify: the tag, CHANGELOG, dist/ rebuilt and compared, the package contents, the tests', () => {
    expect(runs('verify')).toMatch(/node scripts\/release-check\.mjs "\$TAG" --dist --pack/)
    expect(runs('verify')).toContain('npm test')
  })

  it("release: the GitHub release with the version's CHANGELOG section, then the major tag moved", () => {
    expect(w.jobs.release?.needs).toBe('verify')
    expect(runs('release')).toMatch(/release-check\.mjs "\$TAG" --notes "\$RUNNER_TEMP\/notes\.md"/)
    expect(runs('release')).toMatch(/gh release create "\$TAG" --verify-tag .*--notes-file "\$RUNNER_TEMP\/notes\.md"/)
    expect(runs('release')).toMatch(/git tag --force --annotate "\$MAJOR" .*"\$TAG\^\{commit\}"/)
    expect(runs('release')).toContain('git push --force origin "refs/tags/$MAJOR"')
    // The major tag moved is the one release-check names for the tag (v1 for 1.x: what the README shows).
    const verify = w.jobs.verify as Job & { outputs?: Record<string, string> }
    expect(verify.outputs?.major).toMatch(/^\$\{\{\s*steps\.check\.outputs\.major\s*\}\}$/)
    const major = w.jobs.release?.steps.find(s => s.run?.includes('"$MAJOR"'))
    expect(major?.env?.MAJOR).toMatch(/^\$\{\{\s*needs\.verify\.outputs\.major\s*\}\}$/)
  })

  it('publish: npm publish from an environment, after the release, with OIDC for provenance', () => {
    expect(w.jobs.publish?.needs).toEqual(['verify', 'release'])
    expect(w.jobs.publish?.environment).toBe('npm')
    expect(runs('publish')).toMatch(/^\s*npm publish\b/m)
    expect(w.jobs.publish?.steps.find(s => s.uses?.startsWith('actions/setup-node@'))?.with?.['registry-url']).toBe(
      'https://registry.npmjs.org'
    )
  })

  it('only the publish job may ask for an OIDC token', () => {
    for (const file of workflowFiles) {
      const { jobs } = workflow(file)
      for (const [name, job] of Object.entries(jobs)) {
        const idToken = typeof job.permissions === 'object' ? job.permissions['id-token'] : undefined
        if (!(file === 'release.yml' && name === 'publish')) expect(`${file} ${name} ${idToken ?? ''}`).toBe(`${file} ${name} `)
      }
    }
  })
})

describe('the repository workflows pin third-party actions by full commit SHA', () => {
  it.each(workflowFiles)('%s', file => {
    const text = readFileSync(join(workflowDir, file), 'utf8')
    const uses = [...text.matchAll(/^\s*(?:-\s*)?uses:\s*(\S+)(.*)$/gm)].map(m => ({ ref: m[1] as string, rest: (m[2] ?? '').trim() }))
    expect(uses.length).toBeGreaterThan(0)
    for (const { ref, rest } of uses) {
      if (ref.startsWith('./')) continue
      expect(`${ref} ${rest}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/)
    }
  })

  it('Dependabot keeps the pins (and their comments) current', () => {
    const config = parse(readFileSync(join(ROOT, '.github', 'dependabot.yml'), 'utf8')) as {
      updates: Array<{ 'package-ecosystem': string }>
    }
    expect(config.updates.map(u => u['package-ecosystem'])).toEqual(expect.arrayContaining(['github-actions', 'npm']))
  })
})
