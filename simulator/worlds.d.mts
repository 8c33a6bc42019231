/** Types of worlds.mjs: the healthy baseline world and named scenarios for github-fake.mjs. */
import type { World, WorldEnterprise, WorldOrg, WorldToken, WorldUser } from './github-fake.mjs'

/** A world whose maps are all present (what healthyWorld() returns). */
export interface FullWorld extends World {
  users: Record<string, WorldUser>
  tokens: Record<string, WorldToken>
  orgs: Record<string, WorldOrg>
  enterprises: Record<string, WorldEnterprise>
  lockedOut: string[]
  faults: NonNullable<World['faults']>
}

export interface Scenario {
  description: string
  /** The token the action checks in this scenario. */
  token: string
  /** Mutates the (healthy) world it is given. */
  apply(world: FullWorld): void
}

export function makeToken(kind: 'ghp_' | 'gho_' | 'ghu_' | 'ghs_' | 'github_pat_' | 'legacy', seed: string): string

export const ORG: 'acme'
export const ORG_ID: 1001
export const SERVICE_ACCOUNT: 'acme-scim'
export const SERVICE_ACCOUNT_ID: 5001
export const MEMBER: 'mona'
export const ENTERPRISE: 'fabrikam'
export const EMU_SETUP_USER: 'fab_admin'
export const INSTALLATION_BOT: 'github-actions[bot]'

export const HEALTHY_TOKEN: string
export const EMU_TOKEN: string
export const OAUTH_TOKEN: string
export const FINE_GRAINED_TOKEN: string
export const MEMBER_TOKEN: string
export const INSTALLATION_TOKEN: string
export const UNKNOWN_TOKEN: string

/** ISO timestamp `days` from now (negative: in the past). */
export function daysFromNow(days: number): string

/** Overrides for healthyWorld(): any part of a world; `undefined` deletes a key. */
export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> | undefined } : T

export function healthyWorld(overrides?: DeepPartial<World>): FullWorld
export function addOrg<W extends World>(world: W, login: string, options: { id: number; authorize?: boolean } & Partial<WorldOrg>): W
export function renameUser<W extends World>(world: W, from: string, to: string): W

export type ScenarioName =
  | 'healthy'
  | 'token-invalid'
  | 'token-expired'
  | 'token-unknown'
  | 'token-expiring'
  | 'account-deleted'
  | 'login-attempts-exceeded'
  | 'account-suspended'
  | 'account-renamed'
  | 'scope-missing'
  | 'no-scopes'
  | 'org-not-found'
  | 'not-org-member'
  | 'membership-pending'
  | 'not-org-owner'
  | 'sso-not-authorized'
  | 'saml-identity-missing'
  | 'ip-allow-list-blocked'
  | 'oauth-app-restricted'
  | 'pat-policy-blocked'
  | 'fine-grained-blocked'
  | 'scim-not-available'
  | 'fine-grained-token'
  | 'oauth-token'
  | 'installation-token'
  | 'member-token'
  | 'emu-healthy'
  | 'emu-not-owner'
  | 'emu-scope-missing'
  | 'emu-admin-enterprise'
  | 'emu-scim-off'
  | 'ghes'
  | 'ghe.com'

export const SCENARIOS: Record<ScenarioName, Scenario>
export function scenarioWorld(name: ScenarioName): { world: FullWorld; token: string }

/** Deep merge into a copy of `base`: objects merge, other values replace, `undefined` deletes. */
export function deepMerge<T extends object>(base: T, overrides: object | undefined): T
