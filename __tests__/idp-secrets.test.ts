/**
 * Secret sweep across every IdP scenario: the action, in-process with its real
 * clients, against the loopback GitHub and every Okta world and Entra scenario,
 * with each way of signing in. No secret given or obtained (the GitHub token,
 * the SSWS token, each line of the private key, the client secret, the OIDC
 * request token, every token the IdP issued) appears in any output,
 * annotation, log or debug line, or the job summary; each obtained token was
 * masked the moment it arrived.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import {
  CLIENT_ID,
  CLIENT_SECRET,
  ENTRA_SCENARIOS,
  entraWorld,
  OIDC_REQUEST_TOKEN,
  SERVICE_PRINCIPAL_ID,
  startEntraFake,
  TENANT_ID
} from '../simulator/entra-fake.mjs'
import { startFake } from '../simulator/github-fake.mjs'
import { OKTA_API_TOKEN, OKTA_APP_ID, OKTA_CLIENT_ID, OKTA_KEY_IDS, OKTA_WORLDS, oktaKeys, startOktaFake } from '../simulator/okta-fake.mjs'
import { scenarioWorld } from '../simulator/worlds.mjs'
import { runInProcess, type InProcessRun } from './support/in-process.js'

const closers: Array<{ close(): Promise<void> }> = []
afterAll(async () => {
  await Promise.all(closers.map(c => c.close()))
})

/** What a person or a log could see: everything the run wrote but the masks themselves. */
const visible = (run: InProcessRun): string => JSON.stringify({ ...run, masked: [] })

function expectClean(run: InProcessRun, secrets: readonly string[]): void {
  const text = visible(run)
  for (const secret of secrets) {
    for (const piece of secret
      .split('\n')
      .map(l => l.trim())
      .filter(l => l.length >= 16 && !l.startsWith('-----'))) {
      expect({ leaked: text.includes(piece) }).toEqual({ leaked: false })
    }
  }
}

async function github() {
  const { world, token } = scenarioWorld('healthy')
  const fake = await startFake(world)
  closers.push(fake)
  return { apiUrl: fake.apiUrl, token }
}

const OKTA_AUTHS = {
  ssws: { 'okta-api-token': OKTA_API_TOKEN },
  'rsa-pem': { 'okta-client-id': OKTA_CLIENT_ID, 'okta-private-key': oktaKeys().rsaPkcs8Pem, 'okta-key-id': OKTA_KEY_IDS.rsa },
  'ec-jwk': { 'okta-client-id': OKTA_CLIENT_ID, 'okta-private-key': oktaKeys().ecJwk }
} as const

describe('Okta: every world, every way of signing in', () => {
  const cases = Object.keys(OKTA_WORLDS).flatMap(world => Object.keys(OKTA_AUTHS).map(auth => ({ world, auth })))
  it.concurrent.each(cases)('$world with $auth', async ({ world, auth }) => {
    const gh = await github()
    const build = OKTA_WORLDS[world as keyof typeof OKTA_WORLDS] as (o?: object) => object
    const okta = await startOktaFake(build({}) as never)
    closers.push(okta)
    const given = OKTA_AUTHS[auth as keyof typeof OKTA_AUTHS]
    const run = await runInProcess({
      token: gh.token,
      org: 'acme',
      'api-url': gh.apiUrl,
      'timeout-seconds': '15',
      idp: 'okta',
      'okta-org-url': okta.url,
      'okta-app-id': OKTA_APP_ID,
      ...given
    })
    expect(run.outputs['idp-status']).toMatch(/^(healthy|failing|off|unknown)$/)
    for (const t of okta.issuedTokens) expect(run.masked).toContain(t)
    expectClean(run, [gh.token, ...Object.values(given), ...okta.issuedTokens])
  })
})

describe('Entra: every scenario, with a secret and with OIDC', () => {
  const cases = ENTRA_SCENARIOS.flatMap(scenario => [
    { scenario, oidc: false },
    { scenario, oidc: true }
  ])
  it.concurrent.each(cases)('$scenario (OIDC: $oidc)', async ({ scenario, oidc }) => {
    const gh = await github()
    const entra = await startEntraFake(entraWorld(scenario))
    closers.push(entra)
    const inputs: Record<string, string> = {
      token: gh.token,
      org: 'acme',
      'api-url': gh.apiUrl,
      'timeout-seconds': '15',
      idp: 'entra',
      'entra-tenant-id': TENANT_ID,
      'entra-client-id': CLIENT_ID,
      'entra-service-principal-id': SERVICE_PRINCIPAL_ID,
      'entra-login-url': entra.loginUrl,
      'graph-url': entra.graphUrl,
      ...(oidc ? {} : { 'entra-client-secret': CLIENT_SECRET })
    }
    const env = oidc ? { ACTIONS_ID_TOKEN_REQUEST_URL: entra.oidcRequestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: OIDC_REQUEST_TOKEN } : {}
    const run = await runInProcess(inputs, env)
    expect(run.outputs['idp-status']).toMatch(/^(healthy|failing|off|unknown)$/)
    const issued = [...entra.issued.oidcTokens, ...entra.issued.accessTokens]
    expect(issued.length).toBeGreaterThan(0)
    for (const t of issued) expect(run.masked).toContain(t)
    expectClean(run, [gh.token, CLIENT_SECRET, OIDC_REQUEST_TOKEN, ...issued])
    expect(entra.violations).toEqual([])
  })
})
