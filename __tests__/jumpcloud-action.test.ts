/**
 * JumpCloud through the whole action, in process, against the loopback GitHub and the loopback JumpCloud at
 * once: the join in both directions (a GitHub cause that explains the IdP's failure makes it a notice; a
 * healthy GitHub leaves it an error), missing inputs send nothing, and a secret sweep over every world, every
 * sign-in and an echoing JumpCloud: no secret given or obtained (the API key, the client secret, its Basic
 * value, the access token, the app's SAML key) in any output, annotation, log or debug line, the summary, or
 * the CLI's text; each obtained secret masked.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { inputReader, parseCliArgs } from '../src/cli/args.js'
import { renderText } from '../src/cli/render.js'
import { makeCause } from '../src/causes.js'
import { checkToken } from '../src/check.js'
import { withIdp } from '../src/diagnose/idp.js'
import type { Verdict } from '../src/diagnose/index.js'
import { judgeJumpCloud } from '../src/idp/jumpcloud/judge.js'
import { parseInputs } from '../src/inputs.js'
import { startFake } from '../simulator/github-fake.mjs'
import {
  JC_API_KEY,
  JC_APP_ID,
  JC_CLIENT_ID,
  JC_CLIENT_SECRET,
  JC_IDP_PRIVATE_KEY,
  JC_WORLDS,
  credentialsRejectedWorld,
  startJumpCloudFake,
  type FakeJumpCloud,
  type JumpCloudWorld
} from '../simulator/jumpcloud-fake.mjs'
import { scenarioWorld, type ScenarioName } from '../simulator/worlds.mjs'
import { runInProcess, type InProcessRun } from './support/in-process.js'

const closers: Array<{ close(): Promise<void> }> = []
afterAll(async () => {
  await Promise.all(closers.map(c => c.close()))
})

async function github(scenario: ScenarioName = 'healthy') {
  const { world, token } = scenarioWorld(scenario)
  const fake = await startFake(world)
  closers.push(fake)
  return { apiUrl: fake.apiUrl, token }
}
async function jumpcloud(world: JumpCloudWorld): Promise<FakeJumpCloud> {
  const fake = await startJumpCloudFake(world)
  closers.push(fake)
  return fake
}
const hosts = (url: string) => ({ 'jumpcloud-console-url': url, 'jumpcloud-insights-url': url, 'jumpcloud-oauth-url': url })
const AUTHS = {
  'api-key': { 'jumpcloud-api-key': JC_API_KEY },
  'service-account': { 'jumpcloud-client-id': JC_CLIENT_ID, 'jumpcloud-client-secret': JC_CLIENT_SECRET }
} as const
const BASIC = Buffer.from(`${JC_CLIENT_ID}:${JC_CLIENT_SECRET}`).toString('base64')

async function act(world: JumpCloudWorld, auth: keyof typeof AUTHS, scenario: ScenarioName = 'healthy') {
  const gh = await github(scenario)
  const jc = await jumpcloud(world)
  const inputs = {
    token: gh.token,
    org: 'acme',
    'api-url': gh.apiUrl,
    'timeout-seconds': '15',
    idp: 'jumpcloud',
    'jumpcloud-app-id': JC_APP_ID,
    ...hosts(jc.url),
    ...AUTHS[auth]
  }
  const run = await runInProcess(inputs)
  return { run, jc, gh, inputs }
}
const causes = (run: InProcessRun) => (JSON.parse(run.outputs.report ?? '{}') as { causes: Array<{ id: string; severity: string }> }).causes

describe('the join in both directions', () => {
  it('GitHub healthy, JumpCloud rejecting its credential: idp-credentials-rejected is an error, idp-status failing', async () => {
    const { run } = await act(credentialsRejectedWorld(), 'api-key')
    expect(causes(run)).toEqual([expect.objectContaining({ id: 'idp-credentials-rejected', severity: 'error' })])
    expect(run.outputs['idp-status']).toBe('failing')
    expect(run.annotations.find(a => a.level === 'error')?.text).toMatch(/SSO Applications > the GitHub app > Identity Management/)
    expect(run.summary).toContain('JumpCloud')
  })

  it("GitHub's own cause explains it: the IdP's failure is a notice", async () => {
    const { run } = await act(credentialsRejectedWorld(), 'api-key', 'not-org-owner')
    const ids = causes(run)
    expect(ids).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'idp-credentials-rejected', severity: 'notice' })]))
    expect(ids).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'not-org-owner' })]))
    expect(run.outputs['idp-status']).toBe('failing')
  })

  it('withIdp with a real JumpCloud report, for an EMU enterprise: token-invalid explains it', () => {
    const now = Date.now()
    const report = judgeJumpCloud(
      {
        auth: 'api-key',
        orgIdGiven: false,
        tokenFailure: null,
        app: null,
        events: {
          events: [
            {
              id: 'a',
              timestamp: new Date(now - 3_600_000).toISOString(),
              eventType: 'user_create_provision',
              success: false,
              errorMessage: 'Bad credentials',
              responseCode: '401',
              responseMessage: 'Unauthorized',
              applicationId: JC_APP_ID,
              idmClientId: null
            }
          ],
          pages: 1,
          more: false,
          failure: null,
          ascending: false
        },
        requests: 2
      },
      { appId: JC_APP_ID, now, lookbackHours: 720 }
    )
    const base: Verdict = { status: 'failing', causes: [], orgs: [], credential: null, idp: null } as unknown as Verdict
    const ctx = { webUrl: 'https://github.com' }
    const healthy = withIdp({ ...base, status: 'healthy' }, report, { org: null, enterprise: 'fabrikam', ctx })
    expect(healthy.causes.map(c => [c.id, c.severity])).toEqual([['idp-credentials-rejected', 'error']])
    expect(healthy.idp?.details).toEqual({ evidenceSince: null, eventsRead: 1 })
    // The EMU connector holds the checked token: GitHub's token-invalid explains JumpCloud's 401s.
    const revoked = makeCause({ id: 'token-invalid', message: 'revoked', enterprise: 'fabrikam' }, ctx)
    const explained = withIdp({ ...base, causes: [revoked] }, report, { org: null, enterprise: 'fabrikam', ctx })
    expect(explained.causes.map(c => [c.id, c.severity])).toEqual(
      expect.arrayContaining([
        ['token-invalid', 'error'],
        ['idp-credentials-rejected', 'notice']
      ])
    )
    expect(explained.idp?.status).toBe('failing')
  })

  it('hostile strings from JumpCloud: one bounded line of data in the annotation, no workflow command', async () => {
    const { run } = await act(JC_WORLDS.hostile(), 'api-key')
    expect(run.outputs['idp-status']).toBe('failing')
    const text = run.annotations.map(a => a.text).join('\n')
    expect(text).toContain('JumpCloud says')
    expect(text).not.toMatch(/\n::|\u202e/)
    expect(text).not.toContain(String.fromCharCode(7))
    expect(text.length).toBeLessThan(3000)
    expect(run.summary).not.toMatch(/\n::|\u202e|<script>/)
    expect(run.summary).not.toContain('B'.repeat(300))
  })

  it.each(['provisioning-errors', 'app-inactive', 'no-attempt'] as const)('%s: its cause and idp-status', async world => {
    const { run } = await act(JC_WORLDS[world](), 'service-account')
    const want = { 'provisioning-errors': 'healthy', 'app-inactive': 'off', 'no-attempt': 'unknown' }[world]
    expect(run.outputs['idp-status']).toBe(want)
  })

  it('missing inputs: input-invalid naming each, and nothing is sent to JumpCloud', async () => {
    const gh = await github()
    const jc = await jumpcloud(credentialsRejectedWorld())
    const run = await runInProcess({ token: gh.token, org: 'acme', 'api-url': gh.apiUrl, idp: 'jumpcloud', ...hosts(jc.url) })
    const text = run.annotations.map(a => a.text).join('\n')
    expect(text).toContain('jumpcloud-app-id')
    expect(text).toContain('jumpcloud-client-id')
    expect(jc.requests).toHaveLength(0)
  })
})

describe('secret sweep: every world, both sign-ins, and an echoing JumpCloud', () => {
  const worlds = Object.keys(JC_WORLDS) as Array<keyof typeof JC_WORLDS>
  const cases = [...worlds.map(w => ({ world: w as string, echo: false })), { world: 'credentials-rejected', echo: true }].flatMap(c =>
    (Object.keys(AUTHS) as Array<keyof typeof AUTHS>).map(auth => ({ ...c, auth }))
  )
  it.concurrent.each(cases)('$world (echo: $echo) with $auth', async ({ world, echo, auth }) => {
    const w = JC_WORLDS[world as keyof typeof JC_WORLDS]()
    if (echo) w.faults = { 'POST /insights/directory/v1/events': { kind: 'echo' }, 'GET /api/applications/{id}': { kind: 'echo' } }
    const { run, jc, gh, inputs } = await act(w, auth)
    expect(run.outputs['idp-status']).toMatch(/^(healthy|failing|off|unknown)$/)
    expect(jc.violations).toEqual([])
    for (const t of jc.issuedTokens) expect(run.masked).toContain(t)
    if (auth === 'service-account') expect(run.masked).toContain(BASIC)
    // The app's SAML key (it came back with the app): each line of its body masked, though never kept.
    if (!echo) for (const line of JC_IDP_PRIVATE_KEY.split('\n').filter(l => !l.startsWith('-----'))) expect(run.masked).toContain(line)
    // The CLI's text for the same run: its own path (flags, the secret from the environment), rendered.
    const flags = Object.entries(inputs).filter(([k]) => !['token', 'jumpcloud-api-key', 'jumpcloud-client-secret'].includes(k))
    const parsedArgs = parseCliArgs(flags.flatMap(([k, v]) => [`--${k}`, v]))
    if (!parsedArgs.ok) throw new Error(parsedArgs.error)
    const secret =
      auth === 'api-key'
        ? { 'jumpcloud-api-key': { value: JC_API_KEY, from: 'JUMPCLOUD_API_KEY' } }
        : { 'jumpcloud-client-secret': { value: JC_CLIENT_SECRET, from: 'JUMPCLOUD_CLIENT_SECRET' } }
    const parsed = parseInputs(inputReader(parsedArgs.args, gh.token, secret), {})
    const obtained: string[] = []
    const verdict = await checkToken(parsed.inputs!, {
      now: Date.now,
      startedAt: Date.now(),
      tokenWhitespace: false,
      onSecret: s => void obtained.push(s)
    })
    const cli = renderText(verdict, { color: false, secrets: [gh.token, ...Object.values(AUTHS[auth]), ...obtained] })
    expect(cli).toMatch(/Identity provider \(jumpcloud\)/)
    const text = `${JSON.stringify({ ...run, masked: [] })}\n${cli}\n${JSON.stringify(verdict)}`
    const secrets = [
      gh.token,
      JC_API_KEY,
      JC_CLIENT_SECRET,
      BASIC,
      ...jc.issuedTokens,
      ...JC_IDP_PRIVATE_KEY.split('\n').filter(l => !l.startsWith('-----'))
    ]
    for (const s of secrets) expect({ leaked: s.slice(0, 12), found: text.includes(s) }).toEqual({ leaked: s.slice(0, 12), found: false })
  })
})
