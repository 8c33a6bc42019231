/**
 * PingOne end to end, in process with the real clients against the loopback GitHub (EMU enterprise
 * `fabrikam`) and the loopback PingOne: the join in both directions (a GitHub cause that explains PingOne's
 * credential failure → a notice; GitHub healthy → the error; PingOne holding another token → said so),
 * `idp-*` outputs, nothing sent when an input is missing, and a secret sweep over every world and both ways
 * of signing in: no secret given or obtained (the client secret, each line of the key, the Basic credential,
 * every access token, the PAT the store returns) in any output, annotation, log or debug line, the job
 * summary or the CLI's text; each obtained token masked.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { checkToken } from '../src/check.js'
import { renderText } from '../src/cli/render.js'
import { parseInputs } from '../src/inputs.js'
import { startFake } from '../simulator/github-fake.mjs'
import {
  PINGONE_CLIENT_ID,
  PINGONE_CLIENT_SECRET,
  PINGONE_ENV_ID,
  PINGONE_KEY_ID,
  PINGONE_OTHER_TOKEN,
  PINGONE_STORE_ID,
  PINGONE_WORLDS,
  pingoneKeys,
  startPingOneFake
} from '../simulator/pingone-fake.mjs'
import { EMU_TOKEN, ENTERPRISE, scenarioWorld } from '../simulator/worlds.mjs'
import type { FullWorld, ScenarioName } from '../simulator/worlds.mjs'
import { runInProcess, type InProcessRun } from './support/in-process.js'

const closers: Array<{ close(): Promise<void> }> = []
afterAll(async () => {
  await Promise.all(closers.map(c => c.close()))
})

async function github(scenario: ScenarioName = 'emu-healthy', mutate?: (w: FullWorld) => void) {
  const { world, token } = scenarioWorld(scenario)
  mutate?.(world)
  const fake = await startFake(world)
  closers.push(fake)
  return { apiUrl: fake.apiUrl, token }
}

const AUTHS = {
  secret: { 'pingone-client-secret': PINGONE_CLIENT_SECRET },
  'rsa-pem': { 'pingone-private-key': pingoneKeys().rsaPem, 'pingone-key-id': PINGONE_KEY_ID },
  'rsa-jwk': { 'pingone-private-key': pingoneKeys().rsaJwk }
} as const

async function pingone(world: keyof typeof PINGONE_WORLDS, auth: keyof typeof AUTHS = 'secret') {
  const fake = await startPingOneFake(PINGONE_WORLDS[world]())
  closers.push(fake)
  const inputs: Record<string, string> = {
    idp: 'pingone',
    'pingone-environment-id': PINGONE_ENV_ID,
    'pingone-store-id': PINGONE_STORE_ID,
    'pingone-client-id': PINGONE_CLIENT_ID,
    'pingone-auth-url': fake.authUrl,
    'pingone-api-url': fake.apiUrl,
    ...AUTHS[auth]
  }
  return { fake, inputs }
}

const base = (gh: { apiUrl: string; token: string }) => ({
  token: gh.token,
  enterprise: ENTERPRISE,
  'api-url': gh.apiUrl,
  'timeout-seconds': '15'
})
const annotation = (run: InProcessRun, title: string) =>
  run.annotations.find(a => (a.title ?? '').includes(title) || a.text.includes(title))

describe('the join, in both directions', () => {
  it('GitHub healthy, PingOne refused by GitHub: the error, failing', async () => {
    const gh = await github()
    const p1 = await pingone('credentials-rejected')
    const run = await runInProcess({ ...base(gh), ...p1.inputs })
    expect(run.outputs.causes).toBe('idp-credentials-rejected')
    expect(run.outputs['idp-status']).toBe('failing')
    expect(run.annotations.filter(a => a.level === 'error')).toHaveLength(1)
    expect(annotation(run, 'idp-credentials-rejected')?.text).toMatch(/GitHub's side of the service account is healthy/)
    expect(annotation(run, 'idp-credentials-rejected')?.text).toMatch(/PingOne holds the very token this run checked/)
    expect(run.outputs['idp-last-failure']).not.toBe('')
    expect(run.code).toBe(1)
  })

  it("GitHub's scope-missing explains it (the checked PAT is PingOne's own): a notice", async () => {
    const gh = await github('emu-scope-missing')
    const p1 = await pingone('credentials-rejected')
    const run = await runInProcess({ ...base(gh), ...p1.inputs })
    expect((run.outputs.causes ?? '').split(',')).toEqual(expect.arrayContaining(['scope-missing', 'idp-credentials-rejected']))
    const notice = run.annotations.find(a => a.level === 'notice' && a.text.includes('which scope-missing explains'))
    expect(notice).toBeDefined()
    expect(run.outputs['idp-status']).toBe('failing')
  })

  it("GitHub's token-invalid explains it: a notice", async () => {
    const gh = await github('emu-healthy', w => void delete w.tokens![EMU_TOKEN])
    const p1 = await pingone('credentials-rejected')
    const run = await runInProcess({ ...base(gh), ...p1.inputs })
    expect((run.outputs.causes ?? '').split(',')).toEqual(expect.arrayContaining(['token-invalid', 'idp-credentials-rejected']))
    expect(run.annotations.find(a => a.level === 'notice' && a.text.includes('which token-invalid explains'))).toBeDefined()
  })

  it('PingOne holds another token than the one checked: said in the error and in the summary', async () => {
    const gh = await github()
    const p1 = await pingone('other-token')
    const run = await runInProcess({ ...base(gh), ...p1.inputs })
    expect(annotation(run, 'idp-credentials-rejected')?.text).toMatch(/PingOne holds another token than the one this run checked/)
    expect(run.summary).toMatch(/another token than the one this run checks/)
  })

  it.each<[keyof typeof PINGONE_WORLDS, string, string]>([
    ['healthy', '', 'healthy'],
    ['provisioning-errors', 'idp-provisioning-errors', 'healthy'],
    ['store-inactive', 'idp-provisioning-off', 'off'],
    ['never-synced', '', 'unknown'],
    ['unknown-state', 'idp-check-failed', 'unknown'],
    ['wrong-enterprise', 'idp-check-failed', 'unknown']
  ])('%s: causes %j, idp-status %s', async (world, causes, status) => {
    const gh = await github()
    const p1 = await pingone(world)
    const run = await runInProcess({ ...base(gh), ...p1.inputs })
    expect(run.outputs.causes).toBe(causes)
    expect(run.outputs['idp-status']).toBe(status)
    const report = JSON.parse(run.outputs.report ?? '{}') as { idp?: { provider?: string; pingone?: Record<string, unknown> } }
    expect(report.idp?.provider).toBe('pingone')
  })
})

describe('inputs', () => {
  it('a missing pingone-* input: input-invalid naming it, and nothing is sent to PingOne', async () => {
    const gh = await github()
    const p1 = await pingone('healthy')
    const inputs = { ...base(gh), ...p1.inputs, 'pingone-store-id': '' }
    const run = await runInProcess(inputs)
    expect(run.outputs.causes).toBe('input-invalid')
    expect(run.annotations.map(a => a.text).join('\n')).toContain('"pingone-store-id"')
    expect(p1.fake.requests).toEqual([])
  })
})

/** What a person or a log could see: everything the run wrote but the masks themselves. */
const visible = (run: InProcessRun): string => JSON.stringify({ ...run, masked: [] })
function leaks(text: string, secrets: readonly string[]): string[] {
  const pieces = secrets.flatMap(s =>
    s
      .split('\n')
      .map(l => l.trim())
      .filter(l => l.length >= 16 && !l.startsWith('-----'))
  )
  return pieces.filter(p => text.includes(p)).map(p => `${p.slice(0, 4)}…(${p.length})`)
}

describe('secret sweep: every world, every way of signing in', () => {
  const cases = Object.keys(PINGONE_WORLDS).flatMap(world => Object.keys(AUTHS).map(auth => ({ world, auth })))
  it.each(cases)('$world with $auth', async ({ world, auth }) => {
    const gh = await github()
    const p1 = await pingone(world as keyof typeof PINGONE_WORLDS, auth as keyof typeof AUTHS)
    const inputs = { ...base(gh), ...p1.inputs }
    const run = await runInProcess(inputs)
    expect(run.outputs['idp-status']).toMatch(/^(healthy|failing|off|unknown)$/)
    for (const t of p1.fake.issuedTokens) expect(run.masked).toContain(t)
    const basic = Buffer.from(`${PINGONE_CLIENT_ID}:${PINGONE_CLIENT_SECRET}`).toString('base64')
    const secrets = [gh.token, PINGONE_OTHER_TOKEN, basic, ...Object.values(AUTHS[auth as keyof typeof AUTHS]), ...p1.fake.issuedTokens]
    expect(leaks(visible(run), secrets)).toEqual([])
    // The CLI's text and the debug lines of the same check.
    const parsed = parseInputs(name => inputs[name as keyof typeof inputs] ?? '', {})
    const debug: string[] = []
    const verdict = await checkToken(parsed.inputs!, {
      now: Date.now,
      startedAt: Date.now(),
      tokenWhitespace: false,
      retryBaseMs: 10,
      debug: m => debug.push(m)
    })
    expect(leaks(renderText(verdict, { color: false }) + JSON.stringify(verdict) + debug.join('\n'), secrets)).toEqual([])
    expect(p1.fake.violations).toEqual([])
  })
})
