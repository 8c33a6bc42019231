/**
 * The IdP side end to end: dist/index.js, run as the runner runs it, against
 * the loopback GitHub and the loopback Okta or Entra at once. The join in both
 * directions, every auth path the action takes, IdP faults, the outputs and
 * the summary, and that no secret (given or obtained) leaks anywhere.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import {
  AUDIENCE,
  CLIENT_ID,
  CLIENT_SECRET,
  entraWorld,
  OIDC_REQUEST_TOKEN,
  SERVICE_PRINCIPAL_ID,
  startEntraFake,
  TENANT_ID
} from '../simulator/entra-fake.mjs'
import { startFake } from '../simulator/github-fake.mjs'
import {
  credentialsRejectedWorld,
  healthyOktaWorld,
  OKTA_API_TOKEN,
  OKTA_APP_ID,
  OKTA_CLIENT_ID,
  OKTA_KEY_IDS,
  oktaKeys,
  startOktaFake
} from '../simulator/okta-fake.mjs'
import { runAction as spawnAction, type ActionRun } from '../simulator/run-action.mjs'
import { scenarioWorld, type ScenarioName } from '../simulator/worlds.mjs'
import { QUEUED_TIMEOUT_MS, slots, SPAWN_SLOTS } from './support/slots.js'

const closers: Array<{ close(): Promise<void> }> = []
afterAll(async () => {
  await Promise.all(closers.map(c => c.close()))
})

/** Every case runs concurrently, a few processes at a time (support/slots.ts). */
const slot = slots(SPAWN_SLOTS)
const runAction = (...args: Parameters<typeof spawnAction>) => slot(() => spawnAction(...args))

async function github(scenario: ScenarioName, latencyMs = 0) {
  const { world, token } = scenarioWorld(scenario)
  const fake = await startFake(world, { latencyMs })
  closers.push(fake)
  return { fake, token }
}

/** Every secret of the run, given or obtained, must appear nowhere but in ::add-mask:: lines. */
function expectNoLeak(run: ActionRun, secrets: readonly string[]): void {
  const stdout = run.stdout
    .split('\n')
    .filter(l => !l.startsWith('::add-mask::'))
    .join('\n')
  const everything = [stdout, run.stderr, run.outputsText, run.summary].join('\n')
  for (const secret of secrets) {
    for (const piece of secret
      .split('\n')
      .map(l => l.trim())
      .filter(l => l.length >= 16 && !/^-----/.test(l))) {
      expect({ leaked: everything.includes(piece) }).toEqual({ leaked: false })
    }
  }
}

const masked = (run: ActionRun, secret: string): boolean => run.stdout.split('\n').includes(`::add-mask::${secret}`)

describe('Okta', () => {
  it.concurrent(
    'the motivating case: GitHub healthy, Okta rejecting its credential since yesterday',
    async () => {
      // GET /user takes 50 ms, as a network would: "before it ended" then means at once, not within the 2-3 ms
      // a loopback answer takes.
      const gh = await github('healthy', 50)
      const okta = await startOktaFake(credentialsRejectedWorld())
      closers.push(okta)
      const key = oktaKeys().rsaPkcs8Pem
      const run = await runAction({
        token: gh.token,
        org: 'acme',
        'api-url': gh.fake.apiUrl,
        'timeout-seconds': '20',
        idp: 'okta',
        'okta-org-url': okta.url,
        'okta-app-id': OKTA_APP_ID,
        'okta-client-id': OKTA_CLIENT_ID,
        'okta-private-key': key,
        'okta-key-id': OKTA_KEY_IDS.rsa
      })
      expect(run.outputs.status).toBe('failing')
      expect(run.outputs.causes).toBe('idp-credentials-rejected')
      expect(run.outputs['idp-status']).toBe('failing')
      expect(run.outputs['idp-last-success']).toMatch(/^\d{4}-\d{2}-\d{2}T/)
      expect(run.outputs['idp-last-failure']).toMatch(/^\d{4}-\d{2}-\d{2}T/)
      expect(run.code).toBe(1)
      const a = run.annotations.find(x => x.title?.endsWith('[idp-credentials-rejected]'))
      expect(a?.level).toBe('error')
      expect(a?.message).toMatch(/Okta rejects its stored credential for GitHub: provisioning has been failing since \d{4}-/)
      expect(a?.message).toMatch(/GitHub's side of the service account is healthy/)
      expect(a?.message).toMatch(/Re-authenticate with GitHub/)
      expect(run.report?.idp).toMatchObject({ provider: 'okta', app: OKTA_APP_ID, status: 'failing' })
      expect(run.summary).toContain('### Identity provider: Okta')
      expect(run.summary).toContain('The credentials used to connect to the API were invalid')
      // Read only, on both sides.
      expect(gh.fake.violations).toEqual([])
      expect(okta.violations).toEqual([])
      // The IdP was asked at once, beside GitHub: its first request before GET /user had ended.
      const user = gh.fake.requests.find(r => r.path === '/user')
      expect(okta.requests[0]?.startedAt).toBeLessThan(user?.endedAt ?? 0)
      // Secrets given and obtained: masked, and nowhere else.
      expect(okta.issuedTokens.length).toBeGreaterThan(0)
      for (const t of okta.issuedTokens) expect(masked(run, t)).toBe(true)
      expectNoLeak(run, [gh.token, key, ...okta.issuedTokens])
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    "GitHub explains it (the service account is no longer an owner): the IdP's evidence is a notice",
    async () => {
      const gh = await github('not-org-owner')
      const okta = await startOktaFake(credentialsRejectedWorld())
      closers.push(okta)
      const run = await runAction({
        token: gh.token,
        org: 'acme',
        'api-url': gh.fake.apiUrl,
        idp: 'okta',
        'okta-org-url': okta.url,
        'okta-app-id': OKTA_APP_ID,
        'okta-api-token': OKTA_API_TOKEN
      })
      expect(run.outputs.causes).toBe('not-org-owner,idp-credentials-rejected')
      expect(run.annotations.find(x => x.title?.endsWith('[idp-credentials-rejected]'))?.level).toBe('notice')
      expect(run.outputs['idp-status']).toBe('failing')
      expectNoLeak(run, [gh.token, OKTA_API_TOKEN])
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'healthy on both sides: healthy, idp-status healthy, no IdP cause',
    async () => {
      const gh = await github('healthy')
      const okta = await startOktaFake(healthyOktaWorld())
      closers.push(okta)
      const run = await runAction({
        token: gh.token,
        org: 'acme',
        'api-url': gh.fake.apiUrl,
        idp: 'okta',
        'okta-org-url': okta.url,
        'okta-app-id': OKTA_APP_ID,
        'okta-api-token': OKTA_API_TOKEN
      })
      expect(run.outputs.status).toBe('healthy')
      expect(run.outputs.causes).toBe('')
      expect(run.outputs['idp-status']).toBe('healthy')
      expect(run.code).toBe(0)
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    "Okta down: idp-check-failed (inconclusive), GitHub's verdict unchanged",
    async () => {
      const gh = await github('not-org-owner')
      const world = healthyOktaWorld()
      world.faults = { '*': { kind: 'status', status: 503 } }
      const okta = await startOktaFake(world)
      closers.push(okta)
      const run = await runAction({
        token: gh.token,
        org: 'acme',
        'api-url': gh.fake.apiUrl,
        idp: 'okta',
        'okta-org-url': okta.url,
        'okta-app-id': OKTA_APP_ID,
        'okta-api-token': OKTA_API_TOKEN
      })
      expect(run.outputs.causes).toBe('not-org-owner,idp-check-failed')
      expect(run.outputs['idp-status']).toBe('unknown')
    },
    QUEUED_TIMEOUT_MS
  )
})

describe('Entra', () => {
  const entraInputs = (fake: Awaited<ReturnType<typeof startEntraFake>>): Record<string, string> => ({
    idp: 'entra',
    'entra-tenant-id': TENANT_ID,
    'entra-client-id': CLIENT_ID,
    'entra-service-principal-id': SERVICE_PRINCIPAL_ID,
    'entra-login-url': fake.loginUrl,
    'graph-url': fake.graphUrl
  })

  it.concurrent(
    'with GitHub OIDC federation: three requests in a row, the credentials quarantine, every token masked',
    async () => {
      const gh = await github('healthy')
      const entra = await startEntraFake(entraWorld('credentials-quarantine'))
      closers.push(entra)
      const run = await runAction(
        { token: gh.token, org: 'acme', 'api-url': gh.fake.apiUrl, ...entraInputs(entra), 'entra-audience': AUDIENCE },
        { env: { ACTIONS_ID_TOKEN_REQUEST_URL: entra.oidcRequestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: OIDC_REQUEST_TOKEN } }
      )
      expect(run.outputs.causes).toBe('idp-credentials-rejected')
      expect(run.outputs['idp-status']).toBe('failing')
      expect(run.annotations.find(x => x.title?.endsWith('[idp-credentials-rejected]'))?.message).toMatch(/Admin credentials > Authorize/)
      expect(entra.violations).toEqual([])
      const issued = [...entra.issued.oidcTokens, ...entra.issued.accessTokens]
      expect(entra.issued.oidcTokens).toHaveLength(1)
      expect(entra.issued.accessTokens).toHaveLength(1)
      for (const t of issued) expect(masked(run, t)).toBe(true)
      expectNoLeak(run, [gh.token, OIDC_REQUEST_TOKEN, ...issued])
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'with a client secret: a quarantine for too many failures is idp-quarantined',
    async () => {
      const gh = await github('healthy')
      const entra = await startEntraFake(entraWorld('escrow-quarantine'))
      closers.push(entra)
      const run = await runAction({
        token: gh.token,
        org: 'acme',
        'api-url': gh.fake.apiUrl,
        ...entraInputs(entra),
        'entra-client-secret': CLIENT_SECRET
      })
      expect(run.outputs.causes).toBe('idp-quarantined')
      expect(run.outputs['idp-status']).toBe('failing')
      expect(run.summary).toContain('### Identity provider: Microsoft Entra ID')
      expect(run.summary).toContain('| Synchronization job |')
      expect((run.report as unknown as { idp: { entra: { jobs: unknown[] } } }).idp.entra.jobs).toHaveLength(1)
      expectNoLeak(run, [gh.token, CLIENT_SECRET, ...entra.issued.accessTokens])
    },
    QUEUED_TIMEOUT_MS
  )

  it.concurrent(
    'no secret and no OIDC: input-invalid saying to add id-token: write, nothing sent',
    async () => {
      const gh = await github('healthy')
      const entra = await startEntraFake(entraWorld('healthy'))
      closers.push(entra)
      const run = await runAction({ token: gh.token, org: 'acme', 'api-url': gh.fake.apiUrl, ...entraInputs(entra) })
      expect(run.outputs.causes).toBe('input-invalid')
      expect(run.annotations[0]?.message).toMatch(/id-token: write/)
      expect(gh.fake.requests).toEqual([])
      expect(entra.requests).toEqual([])
    },
    QUEUED_TIMEOUT_MS
  )
})
