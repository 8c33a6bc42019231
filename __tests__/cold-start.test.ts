/**
 * Issue 18, cold start: the action must not evaluate the network stack (undici, http, https, net, tls)
 * nor child_process before it needs them. @actions/core imports @actions/http-client (hence undici) for
 * `getIDToken` and @actions/exec for `core.platform`, neither of which we call; the build replaces them
 * with throwing stubs (tsconfig.json `paths`, followed by ncc; scripts/build/core-stubs.mjs). Nor must it
 * compile it: the build splits each bundle (scripts/build/bundle.mjs) into a small entry file and lazy chunks
 * (the network stack, each IdP's check) that `import()` loads only when a request is to be made.
 *
 * Not a timed test (speed is measured by `npm run bench`): it checks that the mapping is in place, that our
 * own code does not import what the mapping replaces, what the entry files hold against their chunks, and
 * which of Node's modules and of the bundle's files the committed dist/index.js (and dist/cli/index.js) load
 * on the input-error path, against the normal path as control (where they must load).
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startFake } from '../simulator/github-fake.mjs'
import { runAction } from '../simulator/run-action.mjs'
import { scenarioWorld } from '../simulator/worlds.mjs'
import { chunkFiles } from './support/bundle.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const STUB = './scripts/build/core-stubs.mjs'
/**
 * Node modules that only the network stack (undici, @actions/http-client) and @actions/exec load: the build
 * before the stubs loaded all five on the input-error path. (Not `net`: a piped stdout is a net.Socket.)
 */
const NETWORK = ['NativeModule http', 'NativeModule https', 'NativeModule tls', 'NativeModule http2', 'NativeModule child_process']
/**
 * Code that only a request needs, by names the minifier keeps (class and function names): undici's error codes,
 * Octokit, our fetch (src/github/fetch.ts), the IdP checks' guard and each provider's judge.
 */
const LAZY = [
  'UND_ERR_',
  'Octokit',
  'budgetedFetch',
  'guardedCheck',
  'judgeOkta',
  'judgeEntra',
  'judgeOneLogin',
  'judgePingOne',
  'judgeJumpCloud'
]

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

describe.each(['dist', 'dist/cli'])('%s: the entry file holds no code that only a request needs', dir => {
  it('none in index.js; each in a chunk beside it, none of them left unminified', () => {
    const read = (f: string): string => readFileSync(join(ROOT, dir, f), 'utf8')
    const chunks = chunkFiles(join(ROOT, dir))
    expect(LAZY.filter(m => read('index.js').includes(m))).toEqual([])
    expect(LAZY.filter(m => !chunks.some(f => read(f).includes(m)))).toEqual([])
    // Minified as the entry is: no line break between statements (fewer than one per KB: only template literals'
    // own; unminified, one per ~50 bytes), webpack's own comments gone.
    const unminified = (f: string): boolean => read(f).split('\n').length > read(f).length / 1000 || read(f).includes('/***/')
    expect(chunks.filter(unminified)).toEqual([])
  })
})

describe('dist/index.js and dist/cli/index.js load no network module and no chunk on the input-error path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ptc-cold-'))
  const hook = join(dir, 'hook.mjs')
  // Node's own modules (process.moduleLoadList, at exit), and every file the ES module loader loads (a load hook).
  writeFileSync(
    hook,
    [
      "import { writeFileSync } from 'node:fs'",
      "import { register } from 'node:module'",
      "register('./files.mjs', import.meta.url)",
      "process.on('exit', () => writeFileSync(process.env.PTC_LOAD_LIST, process.moduleLoadList.join('\\n')))",
      ''
    ].join('\n')
  )
  writeFileSync(
    join(dir, 'files.mjs'),
    [
      "import { appendFileSync } from 'node:fs'",
      'export async function load(url, context, next) {',
      "  if (url.startsWith('file:')) appendFileSync(process.env.PTC_FILE_LIST, url + '\\n')",
      '  return next(url, context)',
      '}',
      ''
    ].join('\n')
  )
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  interface Loaded {
    code: number | null
    modules: string[]
    /** The files of dist/ loaded, relative to the repository. */
    files: string[]
  }

  function lists(name: string): { env: Record<string, string>; read: (code: number | null) => Loaded } {
    const list = join(dir, `${name}.txt`)
    const fileList = join(dir, `${name}.files.txt`)
    return {
      env: { NODE_OPTIONS: `--import=${hook}`, PTC_LOAD_LIST: list, PTC_FILE_LIST: fileList },
      read: code => ({
        code,
        modules: readFileSync(list, 'utf8').split('\n'),
        files: (existsSync(fileList) ? readFileSync(fileList, 'utf8').split('\n') : [])
          .filter(url => url !== '')
          .map(url => relative(ROOT, fileURLToPath(url)))
          .filter(f => f.startsWith('dist/'))
      })
    }
  }

  async function action(name: string, inputs: Record<string, string>): Promise<Loaded> {
    const { env, read } = lists(name)
    return read((await runAction(inputs, { env, timeoutMs: 25_000 })).code)
  }

  function cli(name: string, token: string, args: string[]): Promise<Loaded> {
    const { env, read } = lists(name)
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'index.js'), ...args], {
        env: { PATH: process.env.PATH ?? '', HOME: dir, GITHUB_TOKEN: token, NO_COLOR: '1', ...env },
        stdio: ['ignore', 'ignore', 'ignore']
      })
      child.on('error', fail)
      child.on('close', code => done(read(code)))
    })
  }

  /** The chunk files of `dir` that hold undici (its error codes). */
  const undiciChunks = (dist: string): string[] =>
    chunkFiles(join(ROOT, dist))
      .filter(f => readFileSync(join(ROOT, dist, f), 'utf8').includes('UND_ERR_'))
      .map(f => `${dist}/${f}`)

  it('input error: none of http, https, tls, http2, child_process, and the entry file alone; a healthy run (control): the first three, and the chunks', async () => {
    const { world, token } = scenarioWorld('healthy')
    const fake = await startFake(world)
    try {
      const [bad, good, cliBad, cliGood] = await Promise.all([
        action('input-error', { token, org: 'acme', 'warn-days': 'soon' }),
        action('healthy', { token, org: 'acme', 'api-url': fake.apiUrl, 'timeout-seconds': '20' }),
        cli('cli-input-error', token, ['--org', 'acme', '--warn-days', 'soon']),
        cli('cli-healthy', token, ['--org', 'acme', '--api-url', fake.apiUrl, '--json'])
      ])
      expect(bad.code).toBe(1)
      expect(bad.modules.filter(m => NETWORK.includes(m))).toEqual([])
      expect(bad.files).toEqual(['dist/index.js'])
      expect(good.code).toBe(0)
      expect(NETWORK.slice(0, 3).filter(m => !good.modules.includes(m))).toEqual([])
      expect(good.files[0]).toBe('dist/index.js')
      expect(undiciChunks('dist').length).toBeGreaterThan(0)
      expect(undiciChunks('dist').filter(f => !good.files.includes(f))).toEqual([])

      expect(cliBad.code).toBe(2)
      expect(cliBad.modules.filter(m => NETWORK.includes(m))).toEqual([])
      expect(cliBad.files).toEqual(['dist/cli/index.js'])
      expect(cliGood.code).toBe(0)
      expect(undiciChunks('dist/cli').filter(f => !cliGood.files.includes(f))).toEqual([])
    } finally {
      await fake.close()
    }
  })
})
