/**
 * The demo's scenarios, shared by `npm run demo` (scripts/demo.mjs), the
 * snapshot tests of what a person reads (__tests__/snapshots.test.ts) and the
 * README's picture (scripts/screenshot.mjs): each is a world for the GitHub
 * simulator and the action's inputs, and, for the IdP side, a world for the
 * Okta, Entra, OneLogin or PingOne simulator with how the action signs in to it.
 */
import {
  AUDIENCE,
  CLIENT_ID,
  CLIENT_SECRET,
  entraWorld,
  OIDC_REQUEST_TOKEN,
  SERVICE_PRINCIPAL_ID,
  startEntraFake,
  TENANT_ID
} from './entra-fake.mjs'
import { startFake } from './github-fake.mjs'
import { OKTA_API_TOKEN, OKTA_APP_ID, OKTA_CLIENT_ID, OKTA_KEY_IDS, OKTA_WORLDS, oktaKeys, startOktaFake } from './okta-fake.mjs'
import { ONELOGIN_APP_ID, ONELOGIN_CLIENT_ID, ONELOGIN_CLIENT_SECRET, ONELOGIN_WORLDS, startOneLoginFake } from './onelogin-fake.mjs'
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
} from './pingone-fake.mjs'
import {
  JC_API_KEY,
  JC_APP_ID,
  JC_CLIENT_ID,
  JC_CLIENT_SECRET,
  JC_IDP_PRIVATE_KEY,
  JC_WORLDS,
  startJumpCloudFake
} from './jumpcloud-fake.mjs'
import { scenarioWorld } from './worlds.mjs'

export const DEMOS = [
  { scenario: 'healthy', title: 'A healthy service-account token', inputs: {} },
  { scenario: 'token-invalid', title: 'A revoked token (401 Bad credentials: one request, never retried)', inputs: {} },
  { scenario: 'token-expiring', title: 'A token that expires soon', inputs: {} },
  { scenario: 'scope-missing', title: 'A token without admin:org', inputs: {} },
  { scenario: 'member-token', title: "Another account's token (expected-login: acme-scim)", inputs: { 'expected-login': 'acme-scim' } },
  { scenario: 'sso-not-authorized', title: 'A token not authorized for SAML SSO', inputs: {} },
  { scenario: 'multi-org', title: 'Three organizations, one of them failing', inputs: { org: 'acme,beta,gamma' } },
  {
    name: 'okta-credentials-rejected',
    scenario: 'healthy',
    title: 'GitHub healthy, Okta rejecting its stored credential since yesterday (idp: okta, an API service app key)',
    inputs: { 'expected-login': 'acme-scim' },
    idp: { provider: 'okta', world: 'credentials-rejected', auth: 'private-key' },
    summary: true
  },
  {
    name: 'entra-credentials-quarantine',
    scenario: 'healthy',
    title: 'GitHub healthy, Entra quarantined for its refused credential (idp: entra, GitHub OIDC, no secret)',
    inputs: { 'expected-login': 'acme-scim' },
    idp: { provider: 'entra', world: 'credentials-quarantine', auth: 'oidc' }
  },
  {
    name: 'entra-escrow-quarantine',
    scenario: 'healthy',
    title: 'GitHub healthy, Entra quarantined for too many failed entries (idp: entra, a client secret)',
    inputs: { 'expected-login': 'acme-scim' },
    idp: { provider: 'entra', world: 'escrow-quarantine', auth: 'client-secret' }
  },
  {
    name: 'onelogin-credentials-rejected',
    scenario: 'healthy',
    title: 'GitHub healthy, OneLogin rejected by GitHub since yesterday (idp: onelogin, a Read All API credential)',
    inputs: { 'expected-login': 'acme-scim' },
    idp: { provider: 'onelogin', world: 'credentials-rejected', auth: 'client-secret' }
  },
  {
    name: 'pingone-credentials-rejected',
    scenario: 'emu-healthy',
    title: "GitHub healthy, PingOne's GitHub EMU connection refused: it holds an older token (idp: pingone, a worker app secret)",
    inputs: { org: '', enterprise: 'fabrikam' },
    idp: { provider: 'pingone', world: 'other-token', auth: 'client-secret' }
  },
  {
    name: 'jumpcloud-credentials-rejected',
    scenario: 'healthy',
    title: 'GitHub healthy, JumpCloud rejecting its stored credential since yesterday (idp: jumpcloud, a service account)',
    inputs: { 'expected-login': 'acme-scim' },
    idp: { provider: 'jumpcloud', world: 'credentials-rejected', auth: 'service-account' }
  }
]

/** A demo's unique name: its own, else its GitHub scenario's. */
export const demoName = demo => demo.name ?? demo.scenario

/** The world and token of a demo scenario: a named scenario of worlds.mjs, or one built here. */
export function demoWorld(name) {
  if (name !== 'multi-org') return scenarioWorld(name)
  const { world, token } = scenarioWorld('healthy')
  const acme = world.orgs.acme
  world.orgs.beta = structuredClone({ ...acme, id: 1002 })
  world.orgs.gamma = structuredClone({ ...acme, id: 1003 })
  world.orgs.gamma.members['acme-scim'] = { role: 'member', state: 'active' }
  world.tokens[token].ssoAuthorized = ['acme', 'beta', 'gamma']
  return { world, token }
}

/** Starts the IdP simulator of a demo; its inputs, env and secrets for the action. */
async function startIdp(idp) {
  if (idp.provider === 'okta') {
    const build = OKTA_WORLDS[idp.world]
    if (!build) throw new Error(`demos: unknown Okta world ${JSON.stringify(idp.world)}`)
    const fake = await startOktaFake(build())
    const key = oktaKeys().rsaPkcs8Pem
    const auth =
      idp.auth === 'api-token'
        ? { 'okta-api-token': OKTA_API_TOKEN }
        : { 'okta-client-id': OKTA_CLIENT_ID, 'okta-private-key': key, 'okta-key-id': OKTA_KEY_IDS.rsa }
    return {
      fake,
      inputs: { idp: 'okta', 'okta-org-url': fake.url, 'okta-app-id': OKTA_APP_ID, ...auth },
      env: {},
      given: idp.auth === 'api-token' ? [OKTA_API_TOKEN] : [key],
      obtained: () => [...fake.issuedTokens]
    }
  }
  if (idp.provider === 'entra') {
    const fake = await startEntraFake(entraWorld(idp.world))
    const inputs = {
      idp: 'entra',
      'entra-tenant-id': TENANT_ID,
      'entra-client-id': CLIENT_ID,
      'entra-service-principal-id': SERVICE_PRINCIPAL_ID,
      'entra-login-url': fake.loginUrl,
      'graph-url': fake.graphUrl
    }
    const oidc = idp.auth === 'oidc'
    return {
      fake,
      inputs: oidc ? { ...inputs, 'entra-audience': AUDIENCE } : { ...inputs, 'entra-client-secret': CLIENT_SECRET },
      // What the runner sets for a job with `permissions: id-token: write`.
      env: oidc ? { ACTIONS_ID_TOKEN_REQUEST_URL: fake.oidcRequestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: OIDC_REQUEST_TOKEN } : {},
      given: oidc ? [OIDC_REQUEST_TOKEN] : [CLIENT_SECRET],
      obtained: () => [...fake.issued.oidcTokens, ...fake.issued.accessTokens]
    }
  }
  if (idp.provider === 'onelogin') {
    const build = ONELOGIN_WORLDS[idp.world]
    if (!build) throw new Error(`demos: unknown OneLogin world ${JSON.stringify(idp.world)}`)
    const fake = await startOneLoginFake(build())
    return {
      fake,
      inputs: {
        idp: 'onelogin',
        'onelogin-url': fake.url,
        'onelogin-client-id': ONELOGIN_CLIENT_ID,
        'onelogin-client-secret': ONELOGIN_CLIENT_SECRET,
        'onelogin-app-id': String(ONELOGIN_APP_ID)
      },
      env: {},
      given: [ONELOGIN_CLIENT_SECRET],
      obtained: () => [...fake.issuedTokens]
    }
  }
  if (idp.provider === 'pingone') {
    const build = PINGONE_WORLDS[idp.world]
    if (!build) throw new Error(`demos: unknown PingOne world ${JSON.stringify(idp.world)}`)
    const fake = await startPingOneFake(build())
    const key = pingoneKeys().rsaPem
    const auth =
      idp.auth === 'private-key'
        ? { 'pingone-private-key': key, 'pingone-key-id': PINGONE_KEY_ID }
        : { 'pingone-client-secret': PINGONE_CLIENT_SECRET }
    return {
      fake,
      inputs: {
        idp: 'pingone',
        'pingone-environment-id': PINGONE_ENV_ID,
        'pingone-store-id': PINGONE_STORE_ID,
        'pingone-client-id': PINGONE_CLIENT_ID,
        'pingone-auth-url': fake.authUrl,
        'pingone-api-url': fake.apiUrl,
        ...auth
      },
      env: {},
      // The PAT the store returns is a secret of the run too.
      given: [idp.auth === 'private-key' ? key : PINGONE_CLIENT_SECRET, PINGONE_OTHER_TOKEN],
      obtained: () => [...fake.issuedTokens]
    }
  }
  if (idp.provider === 'jumpcloud') return startJumpCloud(idp)
  throw new Error(`demos: unknown IdP ${JSON.stringify(idp.provider)}`)
}

/** JumpCloud's simulator serves its three hosts on one port. */
async function startJumpCloud(idp) {
  const build = JC_WORLDS[idp.world]
  if (!build) throw new Error(`demos: unknown JumpCloud world ${JSON.stringify(idp.world)}`)
  const fake = await startJumpCloudFake(build())
  const apiKey = idp.auth === 'api-key'
  const basic = Buffer.from(`${JC_CLIENT_ID}:${JC_CLIENT_SECRET}`).toString('base64')
  return {
    fake,
    inputs: {
      idp: 'jumpcloud',
      'jumpcloud-app-id': JC_APP_ID,
      'jumpcloud-console-url': fake.url,
      'jumpcloud-insights-url': fake.url,
      'jumpcloud-oauth-url': fake.url,
      ...(apiKey
        ? { 'jumpcloud-api-key': JC_API_KEY }
        : { 'jumpcloud-client-id': JC_CLIENT_ID, 'jumpcloud-client-secret': JC_CLIENT_SECRET })
    },
    env: {},
    given: apiKey ? [JC_API_KEY] : [JC_CLIENT_SECRET],
    obtained: () => [...fake.issuedTokens, ...(apiKey ? [] : [basic]), JC_IDP_PRIVATE_KEY]
  }
}

/**
 * Starts the simulators of a demo (GitHub's, and the IdP's when it has one) and returns what the action is
 * run with: its inputs (without `timeout-seconds`), its environment, and every secret of the run (`secrets()`:
 * the ones given and, once the run is over, the ones the IdP simulator issued). `close()` stops them all.
 */
export async function startDemo(demo) {
  const { world, token } = demoWorld(demo.scenario)
  const github = await startFake(world)
  let idp = null
  try {
    idp = demo.idp ? await startIdp(demo.idp) : null
  } catch (e) {
    await github.close()
    throw e
  }
  return {
    github,
    idp: idp?.fake ?? null,
    token,
    inputs: { token, 'api-url': github.apiUrl, org: 'acme', ...demo.inputs, ...idp?.inputs },
    env: { ...idp?.env },
    secrets: () => [token, ...(idp?.given ?? []), ...(idp?.obtained() ?? [])],
    async close() {
      await Promise.all([github.close(), idp?.fake.close()])
    }
  }
}

/**
 * The pieces of a secret whose appearance means it leaked: the whole value, and each line of a multi-line one
 * (a PEM key) long enough to be its own (not the `-----BEGIN` lines).
 */
export function secretPieces(secret) {
  const lines = secret
    .split('\n')
    .map(l => l.trim())
    .filter(l => l.length >= 16 && !l.startsWith('-----'))
  return [...new Set([secret.trim(), ...lines])].filter(p => p !== '')
}
