/** An IdpContext for the Okta tests: short budget, secrets and debug lines recorded. */
import type { IdpContext } from '../../src/idp/types.js'
import type { OktaAuth, OktaInputs } from '../../src/idp/okta/types.js'
import { OKTA_APP_ID } from '../../simulator/okta-fake.mjs'

export interface TestContext extends IdpContext {
  secrets: string[]
  lines: string[]
}

export function testContext(budgetMs = 5000): TestContext {
  const secrets: string[] = []
  const lines: string[] = []
  return {
    deadline: Date.now() + budgetMs,
    now: () => Date.now(),
    budget: { spent: 0 },
    addSecret: s => secrets.push(s),
    debug: m => lines.push(m),
    secrets,
    lines
  }
}

export function oktaInputs(orgUrl: string, auth: OktaAuth, overrides: Partial<OktaInputs> = {}): OktaInputs {
  return { orgUrl, appId: OKTA_APP_ID, lookbackHours: 720, auth, ...overrides }
}
