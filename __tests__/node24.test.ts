/**
 * The action declares `runs.using: node24`, and the CLI supports Node 22 and later, while the
 * development machines run Node 20. `npm ci` installs a Node 24 binary from the npm registry
 * (devDependency `ptc-node24` = scripts/node24, whose optional dependencies are the per-platform
 * `node-<os>-<cpu>` packages; nothing is downloaded here), and links it as node_modules/.bin/node,
 * which npm puts first on the PATH of `npm test`: jest then runs on Node 24, and so does every
 * end-to-end case, since they all spawn `process.execPath` (dist/index.js through
 * simulator/run-action.mjs, dist/cli/index.js). The first describe checks that this holds under
 * `npm test` (issue 18); the second runs a representative part of the end-to-end suite on that
 * binary explicitly when jest itself runs on another Node (e.g. `node node_modules/.bin/jest`).
 *
 * On a platform with no such package (e.g. macOS on arm64) the suite is skipped with a message; on
 * linux-x64 and linux-arm64 a missing binary is a failure (run `npm ci`), never a silent skip.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startFake, type FakeGitHub } from '../simulator/github-fake.mjs'
import { leaksOf, runAction } from '../simulator/run-action.mjs'
import { scenarioWorld, type ScenarioName } from '../simulator/worlds.mjs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const PLATFORM_PACKAGE = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`
/** Platforms scripts/node24/package.json installs a binary for: there, a missing one is an error. */
const PROVIDED = Object.keys(
  (JSON.parse(readFileSync(join(ROOT, 'scripts', 'node24', 'package.json'), 'utf8')) as { optionalDependencies: Record<string, string> })
    .optionalDependencies
)

/** The Node 24 binary npm ci installed for this platform, or null. */
function node24(): string | null {
  try {
    const require = createRequire(join(ROOT, 'scripts', 'node24', 'package.json'))
    const manifest = require.resolve(`${PLATFORM_PACKAGE}/package.json`)
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { bin?: string | Record<string, string> }
    const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.node
    const path = bin ? join(dirname(manifest), bin) : null
    return path && existsSync(path) ? path : null
  } catch {
    return null
  }
}

const NODE24 = node24()
const provided = PROVIDED.includes(PLATFORM_PACKAGE)
const versionOf = (node: string): string => spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()
/** Jest itself runs on that binary: every end-to-end case already does. */
const runningOn24 = NODE24 !== null && process.version === versionOf(NODE24)

describe('the Node 24 binary', () => {
  it(`is installed by npm ci on ${PLATFORM_PACKAGE}${provided ? '' : ' (no package for this platform: the Node 24 tests are skipped)'}`, () => {
    if (!provided) {
      console.warn(
        `__tests__/node24.test.ts: no Node 24 package for ${PLATFORM_PACKAGE} (scripts/node24/package.json provides ${PROVIDED.join(', ')}): ` +
          'the end-to-end tests on Node 24 are SKIPPED on this machine. CI runs them on Node 24.'
      )
      return
    }
    expect(NODE24).not.toBeNull() // missing: run `npm ci` (it installs ptc-node24 and its binary)
    const version = spawnSync(NODE24 as string, ['--version'], { encoding: 'utf8' })
    expect(version.status).toBe(0)
    expect(version.stdout.trim()).toMatch(/^v24\.\d+\.\d+$/)
  })

  it('runs `npm test` itself, so every end-to-end case (node dist/index.js, the CLI) runs on Node 24', () => {
    // Run by hand on another Node (`node node_modules/.bin/jest`), the describe below covers the essentials.
    if (!provided || process.env.npm_lifecycle_event !== 'test') return
    expect(process.version).toMatch(/^v24\./)
    expect(process.version).toBe(versionOf(NODE24 as string))
  })
})

// Under `npm test` jest already runs on this binary, and e2e.test.ts, cli.test.ts and the others run these
// cases and more on it: spawning them again would only repeat them.
const describeOn24 = NODE24 && !runningOn24 ? describe : describe.skip

describeOn24('end to end on Node 24', () => {
  const servers: FakeGitHub[] = []
  afterAll(async () => {
    await Promise.all(servers.map(s => s.close()))
  })

  async function fakeFor(scenario: ScenarioName) {
    const { world, token } = scenarioWorld(scenario)
    const fake = await startFake(world)
    servers.push(fake)
    return { fake, token }
  }

  it('action.yml runs on node24: the runtime these tests use', () => {
    expect(readFileSync(join(ROOT, 'action.yml'), 'utf8')).toMatch(/^\s+using:\s*['"]?node24['"]?\s*$/m)
  })

  it.each([
    { scenario: 'healthy' as const, inputs: {}, status: 'healthy', causes: '', code: 0, requests: 5 },
    { scenario: 'token-invalid' as const, inputs: {}, status: 'failing', causes: 'token-invalid', code: 1, requests: 1 },
    { scenario: 'sso-not-authorized' as const, inputs: {}, status: 'failing', causes: 'sso-not-authorized', code: 1, requests: undefined },
    {
      scenario: 'member-token' as const,
      inputs: { 'expected-login': 'acme-scim' },
      status: 'failing',
      causes: 'login-mismatch',
      code: 1,
      requests: undefined
    }
  ])('the action, $scenario: status $status, exit $code, the summary, no leak', async c => {
    const { fake, token } = await fakeFor(c.scenario)
    const run = await runAction(
      { token, org: 'acme', 'api-url': fake.apiUrl, 'timeout-seconds': '20', ...c.inputs },
      { node: NODE24 as string, timeoutMs: 25_000 }
    )
    expect(run.stderr).toBe('')
    expect(run.outputs.status).toBe(c.status)
    expect(run.outputs.causes).toBe(c.causes)
    expect(run.code).toBe(c.code)
    expect(run.summary).toContain('Provisioning token check')
    for (const id of c.causes ? c.causes.split(',') : []) {
      expect(run.annotations.some(a => a.title?.endsWith(`[${id}]`))).toBe(true)
      expect(run.summary).toContain(`\`${id}\``)
    }
    if (c.requests !== undefined) expect(fake.requests).toHaveLength(c.requests)
    expect(fake.violations).toEqual([])
    expect(leaksOf(run, token)).toEqual([])
  })

  it('the CLI: exit 1 with the cause and its fix, then --json', async () => {
    const { fake, token } = await fakeFor('not-org-owner')
    const cli = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>(res => {
        const child = spawn(NODE24 as string, [join(ROOT, 'dist', 'cli', 'index.js'), ...args], {
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', GITHUB_TOKEN: token },
          stdio: ['ignore', 'pipe', 'pipe']
        })
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', d => (stdout += d))
        child.stderr.on('data', d => (stderr += d))
        const killer = setTimeout(() => child.kill('SIGKILL'), 25_000)
        child.on('close', code => {
          clearTimeout(killer)
          res({ code, stdout, stderr })
        })
      })
    const text = await cli(['--org', 'acme', '--api-url', fake.apiUrl])
    expect(text.code).toBe(1)
    expect(text.stdout).toMatch(/^✗ \[not-org-owner\] /m)
    expect(text.stdout).toContain('Fix: Make the service account an owner')
    const json = await cli(['--org', 'acme', '--api-url', fake.apiUrl, '--json'])
    expect(json.code).toBe(1)
    expect((JSON.parse(json.stdout) as { causes: Array<{ id: string }> }).causes.map(c => c.id)).toEqual(['not-org-owner'])
    for (const run of [text, json]) expect(run.stdout + run.stderr).not.toContain(token)
  })
})
