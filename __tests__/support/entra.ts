/**
 * Wiring for the Entra tests: a context that records what the provider registers as secrets and logs,
 * and the inputs that point checkEntra at a running entra-fake (client secret, or GitHub OIDC through the
 * fake runner endpoint: what ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN would hold in Actions).
 */
import {
  AUDIENCE,
  CLIENT_ID,
  CLIENT_SECRET,
  OIDC_REQUEST_TOKEN,
  SERVICE_PRINCIPAL_ID,
  TENANT_ID,
  type FakeEntra
} from '../../simulator/entra-fake.mjs'
import type { IdpContext } from '../../src/idp/types.js'
import type { EntraAuth, EntraInputs } from '../../src/idp/entra/types.js'

export interface RecordingContext extends IdpContext {
  secrets: string[]
  debugLines: string[]
}

/** A context with a budget of `budgetMs` from now. */
export function recordingContext(budgetMs = 4000): RecordingContext {
  const secrets: string[] = []
  const debugLines: string[] = []
  return {
    deadline: Date.now() + budgetMs,
    now: () => Date.now(),
    budget: { spent: 0 },
    addSecret: s => void secrets.push(s),
    debug: m => void debugLines.push(m),
    secrets,
    debugLines
  }
}

export function secretAuth(secret = CLIENT_SECRET): EntraAuth {
  return { kind: 'secret', secret }
}

/** OIDC as the action reads it from the runner: ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN, and entra-audience. */
export function oidcAuth(
  fake: FakeEntra,
  overrides: Partial<{ requestUrl: string; requestToken: string; audience: string }> = {}
): EntraAuth {
  return { kind: 'oidc', requestUrl: fake.oidcRequestUrl, requestToken: OIDC_REQUEST_TOKEN, audience: AUDIENCE, ...overrides }
}

export function entraInputs(fake: FakeEntra, auth: EntraAuth, overrides: Partial<EntraInputs> = {}): EntraInputs {
  return {
    tenantId: TENANT_ID,
    clientId: CLIENT_ID,
    servicePrincipalId: SERVICE_PRINCIPAL_ID,
    loginUrl: fake.loginUrl,
    graphUrl: fake.graphUrl,
    auth,
    ...overrides
  }
}
