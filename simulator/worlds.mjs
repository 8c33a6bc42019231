/**
 * Worlds for github-fake.mjs: a healthy baseline and named scenarios that break it the ways the
 * product brief lists (docs/causes.md). Worlds are plain, structuredClone-friendly
 * objects: build one, mutate it, hand it to startFake() (or fake.setWorld()).
 *
 * Token strings are derived from fixed seeds at load time, so no token-shaped literal sits in the
 * source (secret scanners) and every run uses the same values.
 */
import { createHash } from 'node:crypto'

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** `n` deterministic base62 characters from a seed. */
function base62(seed, n) {
  let out = ''
  for (let round = 0; out.length < n; round++) {
    for (const byte of createHash('sha256').update(`${seed}/${round}`).digest()) {
      if (byte < 248) out += BASE62[byte % 62] // 248 = 4 * 62: no modulo bias
      if (out.length === n) break
    }
  }
  return out
}

/**
 * A deterministic token of the given kind, shaped as GitHub's (docs/github-behaviour.md, "Token kinds"):
 * `ghp_`/`gho_`/`ghu_`/`ghs_` + 36 alnum; `github_pat_` + 22 + `_` + 59; `legacy`: 40 hex.
 * @param {'ghp_'|'gho_'|'ghu_'|'ghs_'|'github_pat_'|'legacy'} kind
 * @param {string} seed
 */
export function makeToken(kind, seed) {
  if (kind === 'github_pat_') return `github_pat_${base62(`${seed}/a`, 22)}_${base62(`${seed}/b`, 59)}`
  if (kind === 'legacy') return createHash('sha1').update(seed).digest('hex')
  return `${kind}${base62(seed, 36)}`
}

export const ORG = 'acme'
export const ORG_ID = 1001
export const SERVICE_ACCOUNT = 'acme-scim'
export const SERVICE_ACCOUNT_ID = 5001
export const MEMBER = 'mona'
export const ENTERPRISE = 'fabrikam'
export const EMU_SETUP_USER = 'fab_admin'
export const INSTALLATION_BOT = 'github-actions[bot]'

/** The service account's classic PAT: `admin:org`, no expiry, SSO-authorized for acme. */
export const HEALTHY_TOKEN = makeToken('ghp_', 'healthy')
/** The EMU setup user's classic PAT: `scim:enterprise`, no expiry (docs/github-behaviour.md, "SCIM"). */
export const EMU_TOKEN = makeToken('ghp_', 'emu')
/** The OAuth token an Okta/Entra org app holds for the service account (docs/github-behaviour.md, "Token kinds"). */
export const OAUTH_TOKEN = makeToken('gho_', 'oauth')
/** A fine-grained PAT of the service account (no `x-oauth-scopes`; expires). */
export const FINE_GRAINED_TOKEN = makeToken('github_pat_', 'fine-grained')
/** A plain member's classic PAT (`read:org`), SSO-authorized for acme. */
export const MEMBER_TOKEN = makeToken('ghp_', 'member')
/** An installation token, like Actions' GITHUB_TOKEN (docs/github-behaviour.md, "Token kinds"). */
export const INSTALLATION_TOKEN = makeToken('ghs_', 'installation')
/** A well-formed classic PAT GitHub does not know. */
export const UNKNOWN_TOKEN = makeToken('ghp_', 'unknown')

const DAY_MS = 24 * 60 * 60 * 1000
/** ISO timestamp `days` from now (negative: in the past). */
export const daysFromNow = days => new Date(Date.now() + days * DAY_MS).toISOString()

/**
 * The healthy world: org `acme` (org-level SAML enforced, SCIM on) whose owner `acme-scim` has a linked
 * SAML identity and a working token; EMU enterprise `fabrikam` with setup user `fab_admin` and its token.
 * `overrides` are deep-merged: plain objects merge, anything else replaces, `undefined` deletes a key.
 * @param {import("./worlds.d.mts").DeepPartial<import("./github-fake.d.mts").World>} [overrides]
 * @returns {import('./worlds.d.mts').FullWorld}
 */
export function healthyWorld(overrides = {}) {
  const world = {
    platform: 'dotcom',
    users: {
      [SERVICE_ACCOUNT]: { id: SERVICE_ACCOUNT_ID, name: 'ACME SCIM service account' },
      [MEMBER]: { id: 5002, name: 'Mona Lisa' },
      [EMU_SETUP_USER]: { id: 6001, name: 'Fabrikam setup user' },
      mona_fab: { id: 6002, name: 'Mona (Fabrikam)' },
      [INSTALLATION_BOT]: { id: 41898282, name: null }
    },
    tokens: {
      [HEALTHY_TOKEN]: {
        login: SERVICE_ACCOUNT,
        scopes: ['admin:org'],
        ssoAuthorized: [ORG],
        credentialId: 90001,
        note: 'Okta SCIM provisioning'
      },
      [EMU_TOKEN]: { login: EMU_SETUP_USER, scopes: ['scim:enterprise'], credentialId: 90002, note: 'EMU SCIM' },
      [OAUTH_TOKEN]: { login: SERVICE_ACCOUNT, scopes: ['admin:org'] },
      [FINE_GRAINED_TOKEN]: { login: SERVICE_ACCOUNT, scopes: null, expiresAt: daysFromNow(90) },
      [MEMBER_TOKEN]: { login: MEMBER, scopes: ['read:org'], ssoAuthorized: [ORG], credentialId: 90003 },
      [INSTALLATION_TOKEN]: { login: INSTALLATION_BOT, scopes: null, expiresAt: daysFromNow(1 / 24) }
    },
    orgs: {
      [ORG]: {
        id: ORG_ID,
        name: 'ACME Corp',
        members: {
          [SERVICE_ACCOUNT]: { role: 'admin', state: 'active' },
          [MEMBER]: { role: 'member', state: 'active' }
        },
        saml: {
          ssoUrl: 'https://acme.okta.example/app/github/exk1acme/sso/saml',
          identities: {
            [SERVICE_ACCOUNT]: { nameId: 'scim@acme.example' },
            [MEMBER]: { nameId: 'mona@acme.example' }
          }
        },
        scim: true
      }
    },
    enterprises: {
      [ENTERPRISE]: {
        owners: [EMU_SETUP_USER],
        scim: true,
        identities: { mona_fab: { nameId: 'mona@fabrikam.example', username: 'mona_fab' } }
      }
    },
    lockedOut: [],
    faults: {}
  }
  return deepMerge(world, overrides)
}

/**
 * Add another org like acme: the service account owns it, has a linked identity, and its token is
 * SSO-authorized for it (unless `authorize: false`). For multi-org runs.
 * @param {import('./github-fake.d.mts').World} world
 * @param {string} login
 * @param {{ id: number, authorize?: boolean } & Partial<import('./github-fake.d.mts').WorldOrg>} options
 */
export function addOrg(world, login, { id, authorize = true, ...org }) {
  world.orgs ??= {}
  world.orgs[login] = deepMerge(
    {
      id,
      name: login,
      members: { [SERVICE_ACCOUNT]: { role: 'admin', state: 'active' } },
      saml: { identities: { [SERVICE_ACCOUNT]: { nameId: `scim@${login}.example` } } },
      scim: true
    },
    org
  )
  const token = world.tokens?.[HEALTHY_TOKEN]
  if (token && authorize) token.ssoAuthorized = [...(token.ssoAuthorized ?? []), login]
  return world
}

/**
 * Rename an account everywhere the world refers to it (tokens, memberships, identities, owners).
 * GitHub keeps the user id; the old login becomes free (404) (docs/github-behaviour.md, "What is not confirmed").
 */
export function renameUser(world, from, to) {
  const user = world.users?.[from]
  if (!user) throw new Error(`renameUser: no user ${from}`)
  delete world.users[from]
  world.users[to] = user
  for (const token of Object.values(world.tokens ?? {})) if (token.login === from) token.login = to
  for (const org of Object.values(world.orgs ?? {})) {
    renameKey(org.members, from, to)
    if (org.saml) renameKey(org.saml.identities, from, to)
  }
  for (const enterprise of Object.values(world.enterprises ?? {})) {
    enterprise.owners = (enterprise.owners ?? []).map(o => (o === from ? to : o))
    renameKey(enterprise.identities, from, to)
  }
  return world
}

function renameKey(map, from, to) {
  if (map && from in map) {
    map[to] = map[from]
    delete map[from]
  }
}

const acme = w => w.orgs[ORG]
const healthyToken = w => w.tokens[HEALTHY_TOKEN]

/**
 * Named scenarios: the healthy world broken one way, and the token to check. Names follow the
 * product's cause ids where one applies. `apply` mutates the world it is given.
 * @type {Record<string, import('./worlds.d.mts').Scenario>}
 */
export const SCENARIOS = {
  healthy: { description: 'everything works', token: HEALTHY_TOKEN, apply: () => {} },
  'token-invalid': {
    description: 'the token was revoked (or regenerated)',
    token: HEALTHY_TOKEN,
    apply: w => void (healthyToken(w).revoked = true)
  },
  'token-expired': {
    description: 'the token expired yesterday (expired tokens are revoked (docs/github-behaviour.md, "Token kinds"))',
    token: HEALTHY_TOKEN,
    apply: w => void (healthyToken(w).expiresAt = daysFromNow(-1))
  },
  'token-unknown': { description: 'a well-formed token GitHub does not know', token: UNKNOWN_TOKEN, apply: () => {} },
  'token-expiring': {
    description: 'the token expires in 5 days',
    token: HEALTHY_TOKEN,
    apply: w => void (healthyToken(w).expiresAt = daysFromNow(5.5))
  },
  'account-deleted': {
    description: 'the service account was deleted: its tokens answer 401',
    token: HEALTHY_TOKEN,
    apply: w => void delete w.users[SERVICE_ACCOUNT]
  },
  'login-attempts-exceeded': {
    description: 'the account is locked out after too many bad logins',
    token: HEALTHY_TOKEN,
    apply: w => void (w.lockedOut = [SERVICE_ACCOUNT])
  },
  'account-suspended': {
    description: 'the service account is suspended',
    token: HEALTHY_TOKEN,
    apply: w => void (w.users[SERVICE_ACCOUNT].suspended = true)
  },
  'account-renamed': {
    description: 'acme-scim was renamed to acme-provisioning',
    token: HEALTHY_TOKEN,
    apply: w => void renameUser(w, SERVICE_ACCOUNT, 'acme-provisioning')
  },
  'scope-missing': {
    description: 'the token has read:org but not admin:org',
    token: HEALTHY_TOKEN,
    apply: w => void (healthyToken(w).scopes = ['read:org'])
  },
  'no-scopes': { description: 'a classic token without any scope', token: HEALTHY_TOKEN, apply: w => void (healthyToken(w).scopes = []) },
  'org-not-found': { description: 'the org does not exist', token: HEALTHY_TOKEN, apply: w => void delete w.orgs[ORG] },
  'not-org-member': {
    description: 'the service account was removed from the org',
    token: HEALTHY_TOKEN,
    apply: w => void delete acme(w).members[SERVICE_ACCOUNT]
  },
  'membership-pending': {
    description: 'the service account has only been invited',
    token: HEALTHY_TOKEN,
    apply: w => void (acme(w).members[SERVICE_ACCOUNT].state = 'pending')
  },
  'not-org-owner': {
    description: 'the service account is a plain member',
    token: HEALTHY_TOKEN,
    apply: w => void (acme(w).members[SERVICE_ACCOUNT].role = 'member')
  },
  'sso-not-authorized': {
    description: 'the token lost its SAML SSO authorization (edited or regenerated)',
    token: HEALTHY_TOKEN,
    apply: w => void (healthyToken(w).ssoAuthorized = [])
  },
  'saml-identity-missing': {
    description: 'the service account has no linked SAML identity',
    token: HEALTHY_TOKEN,
    apply: w => void delete acme(w).saml.identities[SERVICE_ACCOUNT]
  },
  'ip-allow-list-blocked': {
    description: 'an IP allow list blocks the caller',
    token: HEALTHY_TOKEN,
    apply: w => void (acme(w).ipAllowList = true)
  },
  'oauth-app-restricted': {
    description: 'OAuth App access restrictions block the (OAuth) token',
    token: OAUTH_TOKEN,
    apply: w => void (acme(w).oauthAppRestricted = true)
  },
  'pat-policy-blocked': {
    description: 'the org forbids classic PATs',
    token: HEALTHY_TOKEN,
    apply: w => void (acme(w).classicPatBlocked = true)
  },
  'fine-grained-blocked': {
    description: 'the org forbids fine-grained PATs',
    token: FINE_GRAINED_TOKEN,
    apply: w => void (acme(w).fineGrainedBlocked = true)
  },
  'scim-not-available': {
    description: 'org-level SAML was switched off or moved to the enterprise: org SCIM is gone (docs/github-behaviour.md, "SCIM")',
    token: HEALTHY_TOKEN,
    apply: w => {
      acme(w).saml = null
      acme(w).scim = false
    }
  },
  'fine-grained-token': { description: 'a fine-grained PAT of the service account', token: FINE_GRAINED_TOKEN, apply: () => {} },
  'oauth-token': { description: 'the OAuth token the IdP holds', token: OAUTH_TOKEN, apply: () => {} },
  'installation-token': { description: "Actions' GITHUB_TOKEN", token: INSTALLATION_TOKEN, apply: () => {} },
  'member-token': { description: "a plain member's token", token: MEMBER_TOKEN, apply: () => {} },
  'emu-healthy': { description: 'the EMU setup user token', token: EMU_TOKEN, apply: () => {} },
  'emu-not-owner': {
    description: 'the EMU token belongs to someone who is no enterprise owner',
    token: EMU_TOKEN,
    apply: w => void (w.enterprises[ENTERPRISE].owners = [])
  },
  'emu-scope-missing': {
    description: 'the EMU token lacks scim:enterprise',
    token: EMU_TOKEN,
    apply: w => void (w.tokens[EMU_TOKEN].scopes = ['admin:org'])
  },
  'emu-admin-enterprise': {
    description: 'an older EMU token with admin:enterprise (docs/github-behaviour.md, "SCIM")',
    token: EMU_TOKEN,
    apply: w => void (w.tokens[EMU_TOKEN].scopes = ['admin:enterprise'])
  },
  'emu-scim-off': {
    description: 'enterprise SCIM is not available',
    token: EMU_TOKEN,
    apply: w => void (w.enterprises[ENTERPRISE].scim = false)
  },
  ghes: { description: 'GitHub Enterprise Server 3.17', token: HEALTHY_TOKEN, apply: w => void (w.platform = 'ghes') },
  'ghe.com': {
    description: 'GHE.com (data residency)',
    token: HEALTHY_TOKEN,
    apply: w => {
      w.platform = 'ghe.com'
      w.webHost = 'acme.ghe.com'
    }
  }
}

/**
 * The healthy world with a scenario applied, and the token to use.
 * @param {string} name a key of SCENARIOS
 */
export function scenarioWorld(name) {
  const scenario = SCENARIOS[name]
  if (!scenario) throw new Error(`unknown scenario ${name}`)
  const world = healthyWorld()
  scenario.apply(world)
  return { world, token: scenario.token }
}

const isPlainObject = v => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Deep merge into a copy of `base`: objects merge, other values replace, `undefined` deletes. */
export function deepMerge(base, overrides) {
  const out = structuredClone(base)
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (value === undefined) delete out[key]
    else if (isPlainObject(value) && isPlainObject(out[key])) out[key] = deepMerge(out[key], value)
    else out[key] = structuredClone(value)
  }
  return out
}
