/**
 * OAuth scope rules for classic PATs and OAuth tokens, with gh's implication
 * rules (docs/github-behaviour.md, "Headers").
 */

/** Every classic scope GitHub issues; `required-scopes` must name one of these. */
export const KNOWN_SCOPES: ReadonlySet<string> = new Set([
  'repo',
  'repo:status',
  'repo_deployment',
  'public_repo',
  'repo:invite',
  'security_events',
  'admin:repo_hook',
  'write:repo_hook',
  'read:repo_hook',
  'admin:org',
  'write:org',
  'read:org',
  'admin:public_key',
  'write:public_key',
  'read:public_key',
  'admin:org_hook',
  'gist',
  'notifications',
  'user',
  'read:user',
  'user:email',
  'user:follow',
  'project',
  'read:project',
  'delete_repo',
  'write:packages',
  'read:packages',
  'delete:packages',
  'admin:gpg_key',
  'write:gpg_key',
  'read:gpg_key',
  'admin:ssh_signing_key',
  'write:ssh_signing_key',
  'read:ssh_signing_key',
  'codespace',
  'codespace:secrets',
  'workflow',
  'write:discussion',
  'read:discussion',
  'admin:enterprise',
  'manage_runners:enterprise',
  'manage_billing:enterprise',
  'read:enterprise',
  'scim:enterprise',
  'audit_log',
  'read:audit_log',
  'copilot',
  'manage_billing:copilot',
  'read:network_configurations',
  'write:network_configurations',
  'site_admin'
])

const IMPLIES: Readonly<Record<string, readonly string[]>> = {
  repo: ['repo:status', 'repo_deployment', 'public_repo', 'repo:invite', 'security_events'],
  user: ['read:user', 'user:email', 'user:follow'],
  project: ['read:project'],
  codespace: ['codespace:secrets'],
  audit_log: ['read:audit_log'],
  'write:packages': ['read:packages'],
  // admin:enterprise still serves SCIM for older EMU tokens (docs/reference.md), flagged as excessive.
  'admin:enterprise': ['manage_runners:enterprise', 'manage_billing:enterprise', 'read:enterprise', 'scim:enterprise']
}

/** Splits an `X-OAuth-Scopes` header or a scopes input into distinct scope names. */
export function parseScopeList(value: string): string[] {
  const out = new Set<string>()
  for (const part of value.split(/[\s,]+/)) if (part !== '') out.add(part)
  return [...out]
}

/** Every scope the granted ones confer, following GitHub's implication rules. */
export function expandScopes(granted: readonly string[]): Set<string> {
  const have = new Set<string>()
  const add = (s: string): void => {
    if (have.has(s)) return
    have.add(s)
    for (const implied of IMPLIES[s] ?? []) add(implied)
    const m = /^(admin|write):(.+)$/.exec(s)
    if (m) {
      if (m[1] === 'admin') add(`write:${m[2]}`)
      add(`read:${m[2]}`)
    }
  }
  granted.forEach(add)
  return have
}

export function missingScopes(granted: readonly string[], required: readonly string[]): string[] {
  const have = expandScopes(granted)
  return required.filter(s => !have.has(s))
}

/**
 * Scopes beyond what provisioning needs that widen the blast radius of a
 * leaked token. `required` scopes are never reported.
 */
const RISKY = [
  'delete_repo',
  'admin:enterprise',
  'site_admin',
  'repo',
  'workflow',
  'admin:repo_hook',
  'admin:org_hook',
  'admin:public_key',
  'admin:gpg_key',
  'admin:ssh_signing_key',
  'delete:packages',
  'write:packages',
  'codespace',
  'user',
  'gist',
  'manage_billing:enterprise',
  'manage_runners:enterprise',
  'audit_log',
  'copilot',
  'manage_billing:copilot'
]

export function excessiveScopes(granted: readonly string[], required: readonly string[]): string[] {
  return granted.filter(s => RISKY.includes(s) && !required.includes(s))
}
