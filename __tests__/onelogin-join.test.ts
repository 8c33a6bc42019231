/**
 * OneLogin through the whole action, in process, against the loopback GitHub and the loopback OneLogin:
 * the join in both directions (`withIdp`: a GitHub cause that explains the refused credential makes it a
 * notice; a healthy GitHub leaves it an error), idp-status and the outputs of every finding, nothing sent
 * with an input missing, and a secret sweep across every OneLogin world and the echoing faults: no secret
 * (the client secret, the Basic credential, the issued access token, the GitHub token) in any output,
 * annotation, log or debug line, the job summary, or the CLI's text.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { checkToken } from '../src/check.js'
import { renderText } from '../src/cli/render.js'
import { withIdp } from '../src/diagnose/idp.js'
import { checkOneLogin } from '../src/idp/onelogin/index.js'
import { parseInputs } from '../src/inputs.js'
import { startFake } from '../simulator/github-fake.mjs'
import {
  ONELOGIN_APP_ID,
  ONELOGIN_CLIENT_ID,
  ONELOGIN_CLIENT_SECRET,
  ONELOGIN_WORLDS,
  credentialsRejectedWorld,
  startOneLoginFake,
  type OneLoginWorld
} from '../simulator/onelogin-fake.mjs'
import { scenarioWorld, type ScenarioName } from '../simulator/worlds.mjs'
import { runInProcess, type InProcessRun } from './support/in-process.js'

const closers: Array<{ close(): Promise<void> }> = []
afterAll(async () => {
  await Promise.all(closers.map(c => c.close()))
})

const BASIC = Buffer.from(`${ONELOGIN_CLIENT_ID}:${ONELOGIN_CLIENT_SECRET}`).toString('base64')

async function github(scenario: ScenarioName = 'healthy') {
  const { world, token } = scenarioWorld(scenario)
  const fake = await startFake(world)
  closers.push(fake)
  return { apiUrl: fake.apiUrl, token }
}
async function onelogin(world: OneLoginWorld) {
  const fake = await startOneLoginFake(world)
  closers.push(fake)
  return fake
}
const inputsFor = (gh: { apiUrl: string; token: string }, url: string, over: Record<string, string> = {}) => ({
  token: gh.token,
  org: 'acme',
  'api-url': gh.apiUrl,
  'timeout-seconds': '15',
  idp: 'onelogin',
  'onelogin-url': url,
  'onelogin-client-id': ONELOGIN_CLIENT_ID,
  'onelogin-client-secret': ONELOGIN_CLIENT_SECRET,
  'onelogin-app-id': String(ONELOGIN_APP_ID),
  ...over
})

/** GitHub's side alone, through the real client: the verdict the join starts from. */
async function githubVerdict(scenario: ScenarioName) {
  const gh = await github(scenario)
  const parsed = parseInputs(name => ({ token: gh.token, org: 'acme', 'api-url': gh.apiUrl, 'timeout-seconds': '15' })[name] ?? '', {})
  if (!parsed.inputs) throw new Error(JSON.stringify(parsed.problems))
  return checkToken(parsed.inputs, { now: Date.now, startedAt: Date.now(), tokenWhitespace: false, retryBaseMs: 10 })
}
async function rejectedReport() {
  const fake = await onelogin(credentialsRejectedWorld())
  const ctx = { deadline: Date.now() + 5000, now: Date.now, budget: { spent: 0 }, addSecret: () => undefined, debug: () => undefined }
  const appId = String(ONELOGIN_APP_ID)
  return checkOneLogin(
    { url: fake.url, clientId: ONELOGIN_CLIENT_ID, clientSecret: ONELOGIN_CLIENT_SECRET, appId, lookbackHours: 720 },
    ctx
  )
}

describe('the join, both ways (withIdp)', () => {
  it("GitHub healthy, OneLogin rejecting its credential: the error, with OneLogin's re-authentication steps", async () => {
    const verdict = withIdp(await githubVerdict('healthy'), await rejectedReport(), {
      org: 'acme',
      enterprise: null,
      ctx: { webUrl: 'https://github.com' }
    })
    const cause = verdict.causes.find(c => c.id === 'idp-credentials-rejected')
    expect(cause).toMatchObject({ severity: 'error' })
    expect(cause?.message).toMatch(/OneLogin rejects its stored credential for GitHub: provisioning has been failing since \d{4}-/)
    expect(cause?.message).toMatch(/GitHub's side of the service account is healthy/)
    expect(cause?.remediation).toMatch(/Configuration > Authenticate/)
    expect(verdict.status).toBe('failing')
    expect(verdict.idp?.status).toBe('failing')
  })

  it('GitHub\'s not-org-owner explains it: a notice, "the IdP confirms"', async () => {
    const verdict = withIdp(await githubVerdict('not-org-owner'), await rejectedReport(), {
      org: 'acme',
      enterprise: null,
      ctx: { webUrl: 'https://github.com' }
    })
    expect(verdict.causes.find(c => c.id === 'idp-credentials-rejected')).toMatchObject({
      severity: 'notice',
      message: expect.stringMatching(
        /^The IdP confirms: OneLogin's provisioning to GitHub is failing since .*, which not-org-owner explains/
      )
    })
    expect(verdict.idp?.status).toBe('failing')
  })
})

describe('the action, in process', () => {
  it.each<[string, string, string, RegExp | null]>([
    ['healthy', 'healthy', 'healthy', null],
    ['credentials-rejected', 'failing', 'failing', /idp-credentials-rejected/],
    ['provisioning-errors', 'warning', 'healthy', /idp-provisioning-errors/],
    ['provisioning-off', 'warning', 'off', /idp-provisioning-off/],
    ['no-attempt', 'healthy', 'unknown', null],
    ['creator-deleted', 'inconclusive', 'unknown', /idp-check-failed/]
  ])('world %s: status %s, idp-status %s', async (world, status, idpStatus, cause) => {
    const gh = await github()
    const fake = await onelogin(ONELOGIN_WORLDS[world as keyof typeof ONELOGIN_WORLDS]())
    const run = await runInProcess(inputsFor(gh, fake.url, { 'expected-login': 'acme-scim' }))
    expect(run.outputs.status).toBe(status)
    expect(run.outputs['idp-status']).toBe(idpStatus)
    if (cause) expect(run.outputs.causes).toMatch(cause)
    else expect(run.outputs.causes).not.toMatch(/idp-/)
    expect(fake.violations).toEqual([])
  })

  it('credentials rejected: the last success and failure outputs; the summary names OneLogin', async () => {
    const gh = await github()
    const fake = await onelogin(credentialsRejectedWorld())
    const run = await runInProcess(inputsFor(gh, fake.url))
    expect(run.outputs['idp-last-success']).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(run.outputs['idp-last-failure']).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(run.summary).toContain('OneLogin')
    expect(run.annotations.find(a => a.level === 'error')?.text).toMatch(/OneLogin rejects its stored credential/)
  })

  it.each(['onelogin-client-secret', 'onelogin-app-id', 'onelogin-url'])(
    '%s missing: input-invalid naming it, nothing sent',
    async name => {
      const gh = await github()
      const fake = await onelogin(credentialsRejectedWorld())
      const run = await runInProcess(inputsFor(gh, fake.url, { [name]: '' }))
      expect(run.outputs.causes).toBe('input-invalid')
      expect(run.annotations.map(a => a.text).join('\n')).toContain(`"${name}"`)
      expect(fake.requests).toHaveLength(0)
    }
  )
})

describe('secret sweep: every world, and servers that echo', () => {
  const visible = (run: InProcessRun): string => JSON.stringify({ ...run, masked: [] })
  function expectClean(text: string, secrets: readonly string[]): void {
    for (const s of secrets) expect({ secret: s.slice(0, 4), leaked: text.includes(s) }).toEqual({ secret: s.slice(0, 4), leaked: false })
  }
  const cases: Array<[string, (w: OneLoginWorld) => void]> = [
    ...Object.keys(ONELOGIN_WORLDS).map((w): [string, (w: OneLoginWorld) => void] => [w, () => undefined]),
    ['token endpoint echoes', w => void (w.faults = { 'POST /auth/oauth2/v2/token': { kind: 'echo' } })],
    ['events echo the token', w => void (w.faults = { 'GET /api/1/events': { kind: 'echo' } })],
    ['app echoes the token', w => void (w.faults = { 'GET /api/2/apps/{id}': { kind: 'echo' } })]
  ]
  // One after another: checkToken imports its network stack lazily, which jest refuses between concurrent cases.
  it.each(cases)('%s', async (name, tweak) => {
    const gh = await github()
    const build = ONELOGIN_WORLDS[name as keyof typeof ONELOGIN_WORLDS] ?? ONELOGIN_WORLDS['credentials-rejected']
    const world = build()
    tweak(world)
    const fake = await onelogin(world)
    const inputs = inputsFor(gh, fake.url)
    const run = await runInProcess(inputs)
    expect(run.outputs['idp-status']).toMatch(/^(healthy|failing|off|unknown)$/)
    for (const t of fake.issuedTokens) expect(run.masked).toContain(t)
    expect(run.masked).toContain(ONELOGIN_CLIENT_SECRET)
    const secrets = [gh.token, ONELOGIN_CLIENT_SECRET, BASIC, ...fake.issuedTokens]
    expectClean(visible(run), secrets)
    // The CLI's text of the same check (its renderer, with the run's secrets).
    const parsed = parseInputs(n => (inputs as Record<string, string>)[n] ?? '', {})
    const obtained: string[] = []
    const verdict = await checkToken(parsed.inputs!, {
      now: Date.now,
      startedAt: Date.now(),
      tokenWhitespace: false,
      retryBaseMs: 10,
      onSecret: s => obtained.push(s)
    })
    expectClean(renderText(verdict, { color: false, secrets: [gh.token, ONELOGIN_CLIENT_SECRET, ...obtained] }), secrets)
    expectClean(JSON.stringify(verdict.idp), secrets)
  })
})
