/**
 * GitHub's real wording (docs/github-behaviour.md, "What recorded answers
 * show"): the simulator answers in each recorded wire form (mixed-case header
 * names, the offset expiry format, older texts of the lockout, SSO and
 * secondary limit, a primary limit without a reset, the empty scopes header of
 * App user tokens, a SAML block inside a GraphQL 200), and the action, run
 * in-process with its real client, reaches the same verdict as on today's wire.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { startFake, type FakeGitHub, type World } from '../simulator/github-fake.mjs'
import { daysFromNow, makeToken, scenarioWorld, SERVICE_ACCOUNT, type ScenarioName } from '../simulator/worlds.mjs'
import { runInProcess } from './support/in-process.js'

const servers: FakeGitHub[] = []
afterAll(async () => {
  await Promise.all(servers.map(s => s.close()))
})

async function check(scenario: ScenarioName, change: (w: World, token: string) => string | void, inputs: Record<string, string> = {}) {
  const { world, token: scenarioToken } = scenarioWorld(scenario)
  const token = change(world, scenarioToken) ?? scenarioToken
  const fake = await startFake(world)
  servers.push(fake)
  const run = await runInProcess({ token, org: 'acme', 'api-url': fake.apiUrl, 'timeout-seconds': '10', ...inputs })
  return { run, fake, token }
}

const LEGACY = { era: 'legacy', headerCase: 'mixed' } as const

describe('recorded wire forms reach the same verdict', () => {
  it('mixed-case header names and the offset expiry: scopes read, expiry parsed, nothing else', async () => {
    const { run } = await check('healthy', w => {
      w.wire = { headerCase: 'mixed', expiry: 'offset' }
      const t = Object.values(w.tokens ?? {})[0]
      if (t) t.expiresAt = daysFromNow(20)
    })
    expect(run.outputs.causes).toBe('token-expiring')
    expect(run.outputs.scopes).toBe('admin:org')
    expect(Number(run.outputs['days-until-expiry'])).toBe(19)
  })

  it('X-GitHub-SSO named in Access-Control-Expose-Headers is no SSO signal', async () => {
    const { run } = await check('healthy', w => void (w.wire = { headerCase: 'mixed' }))
    expect(run.outputs.status).toBe('healthy')
  })

  it('the singular lockout of older answers', async () => {
    const { run, fake } = await check('login-attempts-exceeded', w => void (w.wire = LEGACY))
    expect(run.outputs.causes).toBe('login-attempts-exceeded')
    expect(fake.requests).toHaveLength(1)
  })

  it('the docs\' "personal token" SSO wording, with mixed-case X-GitHub-SSO', async () => {
    const { run } = await check('sso-not-authorized', w => void (w.wire = LEGACY))
    expect(run.outputs.causes).toBe('sso-not-authorized')
    expect(run.outputs['sso-authorization-url']).toMatch(/^https:\/\/github\.com\/orgs\/acme\/sso\?authorization_request=/)
  })

  it('the "abuse detection" secondary limit (403, Retry-After, no X-RateLimit-*) beyond the budget', async () => {
    const { run, fake } = await check('healthy', w => {
      w.wire = LEGACY
      w.faults = { 'GET /user/memberships/orgs/{org}': { kind: 'secondary-rate-limit', retryAfter: 3600 } }
    })
    expect(run.outputs.status).toBe('inconclusive')
    expect(run.outputs.causes).toBe('rate-limited')
    expect(fake.requests.filter(r => r.path === '/user/memberships/orgs/acme')).toHaveLength(1)
  })

  it('a primary limit without a reset header is reported at once, not sent again', async () => {
    const { run, fake } = await check('healthy', w => {
      w.faults = { 'GET /scim/v2/organizations/{org}/Users': { kind: 'primary-rate-limit', noReset: true } }
    })
    expect(run.outputs.causes).toBe('rate-limited')
    expect(fake.requests.filter(r => r.path === '/scim/v2/organizations/acme/Users')).toHaveLength(1)
  })

  it('a GitHub App user token (scopes header present and empty) is token-kind-unsupported only', async () => {
    const { run } = await check('healthy', w => {
      const token = makeToken('ghu_', 'app-user')
      w.tokens = { ...w.tokens, [token]: { login: SERVICE_ACCOUNT, scopes: null } }
      return token
    })
    expect(run.outputs['token-kind']).toBe('github-app-user')
    expect((run.outputs.causes ?? '').split(',')[0]).toBe('token-kind-unsupported')
    expect(run.outputs.causes).not.toContain('scope-missing')
  })

  it('older error bodies (no status, developer.github.com links) classify the same: token-invalid', async () => {
    const { run, fake } = await check('token-invalid', w => void (w.wire = LEGACY))
    expect(run.outputs.causes).toBe('token-invalid')
    expect(fake.requests).toHaveLength(1)
  })
})
