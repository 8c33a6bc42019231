/**
 * Releases, offline: scripts/release-check.mjs (tag, version, CHANGELOG section, dist/ is the build of
 * the tagged sources, what `npm pack` ships), the release workflow's shape (release, major tag,
 * publish with id-token: write), the repository's workflows pinning third-party actions by commit
 * SHA, and package.json being publishable with honest engines.
 */
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import {
  PACK_REQUIRED,
  changelogSection,
  distProblems,
  packFiles,
  packProblems,
  parseTag,
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

  it('is publishable: not private, a files list, the bin, provenance, a repository', () => {
    expect(pkg.private).toBeUndefined()
    expect(pkg.name).toBe('provisioning-token-check')
    expect(pkg.files).toEqual(expect.arrayContaining(['dist/cli/']))
    expect(pkg.bin).toEqual({ 'provisioning-token-check': 'dist/cli/index.js' })
    expect(pkg.publishConfig).toMatchObject({ provenance: true, access: 'public' })
    expect(pkg.repository.url).toMatch(/^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/)
  })

  it("engines: the lowest Node it claims satisfies every runtime dependency's engines", () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; devOptional?: boolean; optional?: boolean; engines?: { node?: string } }>
    }
    const lowest = /^>=\s*(\d+)$/.exec(pkg.engines.node)?.[1]
    expect(lowest).toBeDefined()
    const requires = (range: string): number => Math.min(...range.split('||').map(alt => Number(/(\d+)/.exec(alt.trim())?.[1] ?? 0)))
    const runtime = Object.entries(lock.packages).filter(([path, p]) => path !== '' && !p.dev && !p.devOptional && p.engines?.node)
    expect(runtime.length).toBeGreaterThan(0)
    const needed = Math.max(...runtime.map(([, p]) => requires(p.engines?.node as string)))
    expect(Number(lowest)).toBeGreaterThanOrEqual(needed)
    // ...and no higher than needed: the claim is what the dependencies really need.
    expect(Number(lowest)).toBe(needed)
  })
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
