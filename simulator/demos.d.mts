import type { FakeEntra } from './entra-fake.mjs'
import type { FakeGitHub, World } from './github-fake.mjs'
import type { FakeOkta } from './okta-fake.mjs'
import type { FakeOneLogin, OneLoginWorldName } from './onelogin-fake.mjs'
import type { FakePingOne } from './pingone-fake.mjs'
import type { FakeJumpCloud } from './jumpcloud-fake.mjs'

/** The IdP side of a demo: which simulator world, and how the action signs in to it. */
export type DemoIdp =
  | {
      provider: 'okta'
      /** A world of okta-fake's OKTA_WORLDS. */
      world: 'healthy' | 'credentials-rejected' | 'per-user-errors' | 'app-inactive' | 'push-off' | 'no-events' | 'many-events'
      /** private-key: an API service app (client id + its RSA key); api-token: an SSWS token. */
      auth: 'private-key' | 'api-token'
    }
  | {
      provider: 'entra'
      /** A scenario of entra-fake's entraWorld. */
      world: import('./entra-fake.mjs').EntraScenario
      /** oidc: GitHub OIDC federation (ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN set); client-secret: a secret. */
      auth: 'oidc' | 'client-secret'
    }
  | {
      provider: 'onelogin'
      /** A world of onelogin-fake's ONELOGIN_WORLDS. */
      world: OneLoginWorldName
      /** An API credential's client id and secret. */
      auth: 'client-secret'
    }
  | {
      provider: 'pingone'
      /** A world of pingone-fake's PINGONE_WORLDS. */
      world: import('./pingone-fake.mjs').PingOneWorldName
      /** client-secret: the worker app's secret; private-key: its RSA key (Private Key JWT). */
      auth: 'client-secret' | 'private-key'
    }
  | {
      provider: 'jumpcloud'
      /** A world of jumpcloud-fake's JC_WORLDS. */
      world: keyof typeof import('./jumpcloud-fake.mjs').JC_WORLDS
      /** service-account: client id + secret; api-key: an admin's API key. */
      auth: 'service-account' | 'api-key'
    }

export interface Demo {
  /** Unique name, when several demos share a GitHub scenario (see demoName). */
  name?: string
  /** The GitHub simulator's scenario (demoWorld). */
  scenario: string
  title: string
  inputs: Record<string, string>
  /** Ask the IdP too: start its simulator and add its inputs and environment. */
  idp?: DemoIdp
  /** Print the job summary too. */
  summary?: boolean
}

export interface StartedDemo {
  github: FakeGitHub
  idp: FakeOkta | FakeEntra | FakeOneLogin | FakePingOne | FakeJumpCloud | null
  /** The GitHub token checked. */
  token: string
  /** The action's inputs: token, api-url, org, the demo's own, the IdP's (no timeout-seconds). */
  inputs: Record<string, string>
  /** The runner's environment the demo needs (the OIDC request URL and token for Entra federation). */
  env: Record<string, string>
  /** Every secret of the run: given, and (after the run) obtained from the IdP simulator. */
  secrets(): string[]
  close(): Promise<void>
}

export const DEMOS: Demo[]
export function demoName(demo: Demo): string
export function demoWorld(name: string): { world: World; token: string }
export function startDemo(demo: Demo): Promise<StartedDemo>
export function secretPieces(secret: string): string[]
