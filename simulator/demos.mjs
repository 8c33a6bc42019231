/**
 * The demo's scenarios, shared by `npm run demo` (scripts/demo.mjs) and the
 * snapshot tests of what a person reads (__tests__/snapshots.test.ts): each
 * is a world for the GitHub simulator and the action's inputs.
 */
import { scenarioWorld } from './worlds.mjs'

export const DEMOS = [
  { scenario: 'healthy', title: 'A healthy service-account token', inputs: {} },
  { scenario: 'token-invalid', title: 'A revoked token (401 Bad credentials: one request, never retried)', inputs: {} },
  { scenario: 'token-expiring', title: 'A token that expires soon', inputs: {} },
  { scenario: 'scope-missing', title: 'A token without admin:org', inputs: {} },
  { scenario: 'member-token', title: "Another account's token (expected-login: acme-scim)", inputs: { 'expected-login': 'acme-scim' }, summary: true },
  { scenario: 'sso-not-authorized', title: 'A token not authorized for SAML SSO', inputs: {} },
  { scenario: 'multi-org', title: 'Three organizations, one of them failing', inputs: { org: 'acme,beta,gamma' } }
]

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
