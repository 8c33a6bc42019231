/**
 * The join of the IdP's findings with GitHub's causes (docs/idp.md): table tests in both directions, and idp-status.
 */
import { describe, expect, it } from '@jest/globals'
import { makeCause, type Cause, type CauseId } from '../src/causes.js'
import { idpStatusOf, joinIdp } from '../src/diagnose/idp.js'
import type { IdpFinding, IdpReport } from '../src/idp/types.js'

const CTX = { webUrl: 'https://github.com' }
const gh = (id: CauseId, severity?: Cause['severity']): Cause => makeCause({ id, message: id, org: 'acme', severity }, CTX)

function report(findings: IdpFinding[], over: Partial<IdpReport> = {}): IdpReport {
  return {
    provider: 'okta',
    app: '0oa1bcdefghijklmnopq',
    appLabel: 'GitHub Enterprise Cloud - Organization',
    lastSuccessAt: '2026-11-28T09:00:00.000Z',
    lastFailureAt: '2026-11-29T09:00:00.000Z',
    lastFailureReason: 'The credentials used to connect to the API were invalid',
    quarantine: null,
    noAttempt: false,
    details: {},
    findings,
    requests: 2,
    ...over
  }
}

const REJECTED: IdpFinding = {
  kind: 'credentials-rejected',
  since: '2026-11-29T08:00:00.000Z',
  sinceAtLeast: false,
  reason: 'The credentials used to connect to the API were invalid'
}

describe('idp-credentials-rejected: the join in both directions', () => {
  it('GitHub healthy, the IdP failing: the error, with since, the last success and the re-authentication steps', () => {
    const { causes, idp } = joinIdp([], report([REJECTED]), { org: 'acme', enterprise: null, ctx: CTX })
    expect(causes).toHaveLength(1)
    const c = causes[0]
    expect(c).toMatchObject({ id: 'idp-credentials-rejected', severity: 'error', org: 'acme' })
    expect(c?.message).toMatch(/since 2026-11-29T08:00:00.000Z/)
    expect(c?.message).toMatch(/last successful push was at 2026-11-28T09:00:00.000Z/)
    expect(c?.message).toMatch(/GitHub's side of the service account is healthy/)
    expect(c?.remediation).toMatch(/Re-authenticate with GitHub/)
    expect(c?.remediation).not.toMatch(/Entra/)
    expect(idp.status).toBe('failing')
  })

  it.each<[CauseId, string | null]>([
    ['account-suspended', null],
    ['account-renamed', null],
    ['login-attempts-exceeded', null],
    ['org-not-found', null],
    ['not-org-member', null],
    ['membership-pending', null],
    ['not-org-owner', null],
    ['scim-not-available', null],
    ['token-invalid', 'fabrikam'],
    ['token-expiring', 'fabrikam'],
    ['scope-missing', 'fabrikam'],
    ['token-kind-unsupported', 'fabrikam'],
    ['scim-forbidden', 'fabrikam']
  ])('GitHub\'s %s (enterprise %s) explains it: a notice, "the IdP confirms"', (id, enterprise) => {
    const { causes, idp } = joinIdp([gh(id, id === 'token-expiring' ? 'error' : undefined)], report([REJECTED]), {
      org: enterprise ? null : 'acme',
      enterprise,
      ctx: CTX
    })
    expect(causes[0]).toMatchObject({ id: 'idp-credentials-rejected', severity: 'notice' })
    expect(causes[0]?.message).toMatch(new RegExp(`The IdP confirms: .*failing since 2026-11-29T08:00:00.000Z, which ${id} explains`))
    // The notice still counts: idp-status is failing.
    expect(idp.status).toBe('failing')
  })

  it.each<CauseId>(['token-invalid', 'scope-missing', 'scim-forbidden', 'sso-not-authorized', 'ip-allow-list-blocked'])(
    "for an org, GitHub's %s does not explain it (the checked PAT is not the IdP's OAuth token): the error stands",
    id => {
      const { causes } = joinIdp([gh(id)], report([REJECTED]), { org: 'acme', enterprise: null, ctx: CTX })
      expect(causes[0]).toMatchObject({ id: 'idp-credentials-rejected', severity: 'error' })
      expect(causes[0]?.message).toMatch(/GitHub reports no cause of its own that explains it/)
    }
  )

  it('token-expiring only as a warning does not explain it', () => {
    const { causes } = joinIdp([gh('token-expiring', 'warning')], report([REJECTED]), { org: null, enterprise: 'fabrikam', ctx: CTX })
    expect(causes[0]?.severity).toBe('error')
  })

  it('"since at least" when the evidence ran out before the failures began', () => {
    const { causes } = joinIdp([], report([{ ...REJECTED, sinceAtLeast: true }]), { org: 'acme', enterprise: null, ctx: CTX })
    expect(causes[0]?.message).toMatch(/since at least 2026-11-29T08:00:00.000Z/)
  })

  it("Entra gets Entra's steps", () => {
    const { causes } = joinIdp([], report([REJECTED], { provider: 'entra' }), { org: 'acme', enterprise: null, ctx: CTX })
    expect(causes[0]?.remediation).toMatch(/Admin credentials > Authorize/)
    expect(causes[0]?.remediation).not.toMatch(/Okta|Re-authenticate with GitHub/)
  })
})

describe('the other findings', () => {
  it('quarantine: reason, since, next attempt, the four weeks', () => {
    const f: IdpFinding = {
      kind: 'quarantined',
      reason: 'EncounteredEscrowProportionThreshold',
      since: '2026-11-20T00:00:00Z',
      nextAttemptAt: '2026-11-30T12:00:00Z',
      disabled: false
    }
    const { causes, idp } = joinIdp([], report([f], { provider: 'entra' }), { org: 'acme', enterprise: null, ctx: CTX })
    expect(causes[0]).toMatchObject({ id: 'idp-quarantined', severity: 'error' })
    expect(causes[0]?.message).toMatch(
      /since 2026-11-20T00:00:00Z: EncounteredEscrowProportionThreshold\. Next attempt: 2026-11-30T12:00:00Z\. Entra disables the job four weeks/
    )
    expect(idp.status).toBe('failing')
  })
  it('a job disabled after quarantine stays quarantined', () => {
    const f: IdpFinding = { kind: 'quarantined', reason: 'x', since: null, nextAttemptAt: null, disabled: true }
    const { causes, idp } = joinIdp([], report([f], { provider: 'entra' }), { org: 'acme', enterprise: null, ctx: CTX })
    expect(causes[0]?.message).toMatch(/has disabled the job/)
    expect(idp.status).toBe('failing')
  })
  it('per-user errors are a warning, and the IdP stays healthy', () => {
    const { causes, idp } = joinIdp([], report([{ kind: 'provisioning-errors', count: 3, latestReason: 'login already taken' }]), {
      org: 'acme',
      enterprise: null,
      ctx: CTX
    })
    expect(causes[0]).toMatchObject({ id: 'idp-provisioning-errors', severity: 'warning' })
    expect(causes[0]?.message).toMatch(/3 provisioning failures .* "login already taken"/)
    expect(idp.status).toBe('healthy')
  })
  it('provisioning off', () => {
    const { causes, idp } = joinIdp([], report([{ kind: 'provisioning-off', reason: 'the app is INACTIVE' }]), {
      org: 'acme',
      enterprise: null,
      ctx: CTX
    })
    expect(causes[0]).toMatchObject({ id: 'idp-provisioning-off', severity: 'warning' })
    expect(idp.status).toBe('off')
  })
  it('several check failures are one idp-check-failed naming each input', () => {
    const { causes, idp } = joinIdp(
      [gh('not-org-owner')],
      report([
        { kind: 'check-failed', input: 'okta-app-id', reason: 'the app was not found' },
        { kind: 'check-failed', input: null, reason: 'Okta is unavailable' }
      ]),
      { org: 'acme', enterprise: null, ctx: CTX }
    )
    expect(causes).toHaveLength(1)
    expect(causes[0]).toMatchObject({ id: 'idp-check-failed', severity: 'inconclusive' })
    expect(causes[0]?.message).toMatch(/"okta-app-id".*Okta is unavailable/)
    expect(idp.status).toBe('unknown')
  })
  it('no attempt seen: unknown, no cause', () => {
    const { causes, idp } = joinIdp([], report([], { noAttempt: true }), { org: 'acme', enterprise: null, ctx: CTX })
    expect(causes).toEqual([])
    expect(idp.status).toBe('unknown')
  })
  it('a healthy IdP adds no cause', () => {
    const { causes, idp } = joinIdp([gh('not-org-owner')], report([]), { org: 'acme', enterprise: null, ctx: CTX })
    expect(causes).toEqual([])
    expect(idp.status).toBe('healthy')
  })
  it('IdP causes of an enterprise are tied to it', () => {
    const { causes } = joinIdp([], report([REJECTED]), { org: null, enterprise: 'fabrikam', ctx: CTX })
    expect(causes[0]).toMatchObject({ org: null, enterprise: 'fabrikam' })
  })
})

describe('idp-status precedence', () => {
  it.each<[IdpFinding['kind'][], boolean, string]>([
    [['credentials-rejected', 'provisioning-off'], false, 'failing'],
    [['quarantined', 'check-failed'], false, 'failing'],
    [['provisioning-off', 'check-failed'], false, 'off'],
    [['check-failed'], false, 'unknown'],
    [[], true, 'unknown'],
    [['provisioning-errors'], false, 'healthy']
  ])('%j (no attempt: %s) → %s', (kinds, noAttempt, status) => {
    const findings = kinds.map((kind): IdpFinding => {
      switch (kind) {
        case 'credentials-rejected':
          return REJECTED
        case 'quarantined':
          return { kind, reason: 'x', since: null, nextAttemptAt: null, disabled: false }
        case 'provisioning-errors':
          return { kind, count: 1, latestReason: 'x' }
        case 'provisioning-off':
          return { kind, reason: 'x' }
        case 'check-failed':
          return { kind, input: null, reason: 'x' }
      }
    })
    expect(idpStatusOf(report(findings, { noAttempt }))).toBe(status)
  })
})
