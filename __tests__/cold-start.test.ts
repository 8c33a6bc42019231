/**
 * Issue 18, cold start: the action must not evaluate the network stack (undici, http, https, net, tls)
 * nor child_process before it needs them. @actions/core imports @actions/http-client (hence undici) for
 * `getIDToken` and @actions/exec for `core.platform`, neither of which we call; the build replaces them
 * with throwing stubs (tsconfig.json `paths`, followed by ncc; scripts/build/core-stubs.mjs).
 *
 * Not a timed test (speed is measured by `npm run bench`): it checks that the mapping is in place, that our
 * own code does not import what the mapping replaces, and which of Node's modules the committed
 * dist/index.js loads on the input-error path, against the normal path as control (where they must load).
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startFake } from '../simulator/github-fake.mjs'
import { runAction } from '../simulator/run-action.mjs'
import { scenarioWorld } from '../simulator/worlds.mjs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const STUB = './scripts/build/core-stubs.mjs'
/**
 * Node modules that only the network stack (undici, @actions/http-client) and @actions/exec load: the build
 * before the stubs loaded all five on the input-error path. (Not `net`: a piped stdout is a net.Socket.)
 */
const NETWORK = ['NativeModule http', 'NativeModule https', 'NativeModule tls', 'NativeModule http2', 'NativeModule child_process']

/** tsconfig.json allows comments (JSONC): strip whole-line ones before parsing. */
function tsconfigPaths(): Record<string, string[]> {
  const text = readFileSync(join(ROOT, 'tsconfig.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')
  return (JSON.parse(text) as { compilerOptions: { paths?: Record<string, string[]> } }).compilerOptions.paths ?? {}
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : []
  })
}

describe('the build keeps @actions/core from loading what it imports for APIs we never call', () => {
  it('maps @actions/http-client, its auth module and @actions/exec to the throwing stubs (bottleneck/light.js to our limiter, json-with-bigint to plain JSON)', async () => {
    expect(tsconfigPaths()).toEqual({
      '@actions/http-client': [STUB],
      '@actions/http-client/lib/auth': [STUB],
      '@actions/exec': [STUB],
      'bottleneck/light.js': ['./src/github/limiter.ts'],
      'json-with-bigint': ['./src/github/json.ts']
    })
    const stubs = (await import(join(ROOT, STUB))) as Record<string, new () => unknown>
    expect(() => new stubs.HttpClient!()).toThrow(/not bundled/)
    expect(() => new stubs.BearerCredentialHandler!()).toThrow(/not bundled/)
  })

  it('our own code imports @actions/http-client by its file, which the mapping leaves alone (proxy support)', () => {
    const offenders: string[] = []
    let byFile = 0
    for (const file of sourceFiles(join(ROOT, 'src'))) {
      const text = readFileSync(file, 'utf8')
      if (/from\s+'@actions\/(http-client|exec)(\/lib\/auth)?'/.test(text)) offenders.push(file)
      if (text.includes("from '@actions/http-client/lib/index.js'")) byFile++
    }
    expect(offenders).toEqual([])
    expect(byFile).toBeGreaterThan(0)
  })
})

describe('dist/index.js loads no network module on the input-error path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ptc-cold-'))
  const hook = join(dir, 'hook.mjs')
  writeFileSync(
    hook,
    "import { writeFileSync } from 'node:fs'\nprocess.on('exit', () => writeFileSync(process.env.PTC_LOAD_LIST, process.moduleLoadList.join('\\n')))\n"
  )
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  async function loaded(name: string, inputs: Record<string, string>): Promise<{ code: number | null; modules: string[] }> {
    const list = join(dir, `${name}.txt`)
    const run = await runAction(inputs, { env: { NODE_OPTIONS: `--import=${hook}`, PTC_LOAD_LIST: list }, timeoutMs: 25_000 })
    return { code: run.code, modules: readFileSync(list, 'utf8').split('\n') }
  }

  it('input error: none of http, https, tls, http2, child_process; a healthy run (control): the first three', async () => {
    const { world, token } = scenarioWorld('healthy')
    const fake = await startFake(world)
    try {
      const [bad, good] = await Promise.all([
        loaded('input-error', { token, org: 'acme', 'warn-days': 'soon' }),
        loaded('healthy', { token, org: 'acme', 'api-url': fake.apiUrl, 'timeout-seconds': '20' })
      ])
      expect(bad.code).toBe(1)
      expect(bad.modules.filter(m => NETWORK.includes(m))).toEqual([])
      expect(good.code).toBe(0)
      expect(NETWORK.slice(0, 3).filter(m => !good.modules.includes(m))).toEqual([])
    } finally {
      await fake.close()
    }
  })
})
