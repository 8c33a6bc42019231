/** An IdpContext and inputs for the PingOne tests: short budget, secrets and debug lines recorded. */
import type { PingOneAuth, PingOneInputs } from '../../src/idp/pingone/config.js'
import type { IdpContext } from '../../src/idp/types.js'
import {
  PINGONE_CLIENT_ID,
  PINGONE_CLIENT_SECRET,
  PINGONE_ENV_ID,
  PINGONE_KEY_ID,
  PINGONE_STORE_ID,
  pingoneKeys
} from '../../simulator/pingone-fake.mjs'
import { EMU_TOKEN, ENTERPRISE } from '../../simulator/worlds.mjs'

export interface TestContext extends IdpContext {
  secrets: string[]
  lines: string[]
}

/** The run checks `checked` for `enterprise` (EMU): sameAsChecked compares with it. */
export function pingoneContext(budgetMs = 5000, checked: string = EMU_TOKEN, enterprise: string | null = ENTERPRISE): TestContext {
  const secrets: string[] = []
  const lines: string[] = []
  return {
    deadline: Date.now() + budgetMs,
    now: () => Date.now(),
    budget: { spent: 0 },
    addSecret: s => secrets.push(s),
    debug: m => lines.push(m),
    target: { org: enterprise ? null : 'acme', enterprise },
    sameAsChecked: candidate => candidate === checked,
    secrets,
    lines
  }
}

export const SECRET_AUTH: PingOneAuth = { kind: 'secret', secret: PINGONE_CLIENT_SECRET }
export const KEY_AUTH: PingOneAuth = { kind: 'private-key-jwt', privateKey: pingoneKeys().rsaPem, keyId: PINGONE_KEY_ID }
export const JWK_AUTH: PingOneAuth = { kind: 'private-key-jwt', privateKey: pingoneKeys().rsaJwk, keyId: null }

export function pingoneInputs(url: string, auth: PingOneAuth = SECRET_AUTH, overrides: Partial<PingOneInputs> = {}): PingOneInputs {
  return {
    environmentId: PINGONE_ENV_ID,
    storeId: PINGONE_STORE_ID,
    clientId: PINGONE_CLIENT_ID,
    authUrl: url,
    apiUrl: url,
    authUrlInput: 'pingone-auth-url',
    apiUrlInput: 'pingone-api-url',
    auth,
    ...overrides
  }
}
