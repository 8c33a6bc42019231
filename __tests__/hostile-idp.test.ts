/**
 * A hostile IdP (findings of the attack review): what an IdP sends must not
 * blank the action's own words, starve GitHub's answers of bytes, get an
 * encoded secret published, or make the join give advice GitHub's side did
 * not earn.
 */
import { describe, expect, it } from '@jest/globals'
import { makeCause } from '../src/causes.js'
import { joinIdp } from '../src/diagnose/idp.js'
import type { Verdict } from '../src/diagnose/index.js'
import { readBody } from '../src/http/body.js'
import { parseInputs } from '../src/inputs.js'
import { safeVerdict } from '../src/report/safe.js'
import { isCredentialShaped, scrubberFor, secretPieces } from '../src/sanitize.js'
import type { IdpReport } from '../src/idp/types.js'

const CTX = { webUrl: 'https://github.com' }

describe('an ordinary word from an IdP is no secret', () => {
  it.each(['failing', 'not-org-owner', 'x failing not-org-owner idp-credentials-rejected', '', 'a'.repeat(19)])(
    '%j is not credential-shaped',
    v => {
      expect(isCredentialShaped(v)).toBe(false)
    }
  )
  it.each(['eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl', 'fK8Q~entra-fake.client-secret_value-7Zp2xWq'])('%j is', v => {
    expect(isCredentialShaped(v)).toBe(true)
  })
  it("even a secret equal to a status or a cause id leaves the verdict's own words intact", () => {
    const cause = makeCause({ id: 'not-org-owner', org: 'acme', message: 'acme-scim is a member of acme, not an owner.' }, CTX)
    const verdict = {
      status: 'failing',
      causes: [cause],
      tokenKind: 'classic-pat',
      platform: 'dotcom',
      idp: { provider: 'okta', status: 'failing' }
    } as unknown as Verdict
    const safe = safeVerdict(verdict, scrubberFor('failing', 'not-org-owner', 'okta'))
    expect(safe.status).toBe('failing')
    expect(safe.causes[0]?.id).toBe('not-org-owner')
    expect(safe.causes[0]?.severity).toBe('error')
    expect((safe.idp as unknown as { provider: string }).provider).toBe('okta')
  })
})

describe('encoded forms of a secret are scrubbed', () => {
  const SECRET = 'Ab8Q~Zx9vW.k3_Lm-Np7Qr~St5Uv8Wx2yZ0aB6cD'
  it.each([
    ['lower-case percent-encoding', SECRET.replace(/~/g, '%7e')],
    ['upper-case percent-encoding', SECRET.replace(/~/g, '%7E')],
    ['base64', Buffer.from(SECRET).toString('base64')],
    ['base64url', Buffer.from(SECRET).toString('base64url')]
  ])('%s', (_name, echoed) => {
    const out = scrubberFor(SECRET)(`invalid_client: the secret ${echoed} is wrong`)
    expect(out).not.toContain(echoed.replace(/=+$/, ''))
    expect(secretPieces(SECRET).length).toBeGreaterThan(3)
  })
})

describe("the IdP reads within its own share of the run's bytes", () => {
  it("a body past a budget's limit is budget-spent, whatever the run total", async () => {
    const budget = { spent: 6 * 1024 * 1024, limit: 6 * 1024 * 1024 }
    const body = new ReadableStream<Uint8Array>({ start: c => (c.enqueue(new Uint8Array(10)), c.close()) })
    expect(await readBody(body as never, { budget }, null)).toEqual({ problem: 'budget-spent' })
  })
})

describe("the join does not call the IdP's credential stale while GitHub could not be judged", () => {
  const report: IdpReport = {
    provider: 'okta',
    app: '0oa1bcdefghijklmnopq',
    appLabel: null,
    lastSuccessAt: null,
    lastFailureAt: null,
    lastFailureReason: null,
    quarantine: null,
    noAttempt: false,
    details: {},
    requests: 2,
    findings: [{ kind: 'credentials-rejected', since: '2026-11-29T08:00:00.000Z', sinceAtLeast: false, reason: 'x' }]
  }
  it.each(['github-unavailable', 'rate-limited', 'unexpected-response'] as const)('beside %s', id => {
    const { causes } = joinIdp([makeCause({ id, message: id }, CTX)], report, { org: 'acme', enterprise: null, ctx: CTX })
    expect(causes[0]?.message).toMatch(new RegExp(`GitHub's side could not be fully checked \\(${id}\\), and may explain it`))
    expect(causes[0]?.message).not.toMatch(/is healthy|stale or revoked/)
  })
})

describe('a secret pasted into a non-secret input is never quoted', () => {
  it.each(['entra-tenant-id', 'idp-lookback-hours', 'okta-app-id'])('%s', input => {
    const secret = 'Ab8Q~Zx9vW.k3_Lm-Np7Qr~St5Uv8Wx2yZ0aB6cD'
    const base: Record<string, string> = { token: `ghp_${'A'.repeat(36)}`, org: 'acme', idp: input.startsWith('entra') ? 'entra' : 'okta' }
    const r = parseInputs(name => ({ ...base, [input]: secret })[name] ?? '', {})
    const messages = r.problems.map(p => p.message).join('\n')
    expect(messages).toContain(`"${input}"`)
    expect(messages).not.toContain(secret.slice(0, 12))
  })
})
