/**
 * Advice in the admin's own case (issue 18): the fixes of the token's causes are true for what the IdP's
 * GitHub app holds (`idp-credential`: an OAuth grant, for which the checked PAT only stands in, or the
 * checked token itself), the status line names the side that fails, and `expires-at` tells `never` from
 * unknown. Table tests of the pure parts, and the outputs through publish with a recording core.
 */
import { describe, expect, it } from '@jest/globals'
import { publish } from '../src/action/publish.js'
import { inputReader, parseCliArgs, USAGE } from '../src/cli/args.js'
import { CATALOGUE, credentialHolder, makeCause, type CauseId, type CredentialHolder, type RemediationContext } from '../src/causes.js'
import { diagnose, type Verdict } from '../src/diagnose/index.js'
import { joinIdp } from '../src/diagnose/idp.js'
import type { IdpReport } from '../src/idp/types.js'
import { parseInputs } from '../src/inputs.js'
import { reportJson } from '../src/report/json.js'
import { expiryText, statusText } from '../src/report/summary.js'
import { err, facts, inputs, NOW, resp, TOKEN, user } from './support/facts.js'

const HOLDERS: readonly CredentialHolder[] = ['oauth-grant', 'checked-token', 'unknown']
const ctxOf = (holder: CredentialHolder): RemediationContext => ({ webUrl: 'https://github.com', holder })
const fix = (id: CauseId, holder: CredentialHolder): string => CATALOGUE[id].remediation(ctxOf(holder))

/** The causes about the checked token whose fix used to send every admin to the IdP. */
const TOKEN_CAUSES: readonly CauseId[] = [
  'token-whitespace',
  'token-invalid',
  'token-expiring',
  'token-kind-unsupported',
  'scope-missing',
  'login-mismatch',
  'scim-forbidden'
]

/** Advice that sends the admin to change something in the IdP. */
const TO_THE_IDP =
  /(update|store|put|paste)[^.;]*\b(in|into) the IdP|the IdP too|this secret and the IdP|update the IdP|re-authenticate the IdP|test the connection|Provisioning stops/i

describe('credentialHolder: what the IdP holds', () => {
  it.each<[string, Parameters<typeof credentialHolder>[0], CredentialHolder]>([
    ['auto, an org, no idp: unknown', { idpCredential: 'auto', enterprise: null, idp: null }, 'unknown'],
    [
      'auto, an enterprise: the checked token (EMU apps hold the PAT)',
      { idpCredential: 'auto', enterprise: 'fab', idp: null },
      'checked-token'
    ],
    [
      "auto, an org, idp okta: Okta's organization app holds an OAuth grant",
      { idpCredential: 'auto', enterprise: null, idp: { provider: 'okta' } },
      'oauth-grant'
    ],
    [
      "auto, an org, idp entra: Entra's organization app too",
      { idpCredential: 'auto', enterprise: null, idp: { provider: 'entra' } },
      'oauth-grant'
    ],
    ['auto, an enterprise, idp okta: the PAT', { idpCredential: 'auto', enterprise: 'fab', idp: { provider: 'okta' } }, 'checked-token'],
    [
      'auto, a provider the registry does not know: unknown',
      { idpCredential: 'auto', enterprise: null, idp: { provider: 'nope' } },
      'unknown'
    ],
    [
      'said: checked-token, for an Okta org app that takes a token',
      { idpCredential: 'checked-token', enterprise: null, idp: { provider: 'okta' } },
      'checked-token'
    ],
    ['said: oauth-grant, without idp', { idpCredential: 'oauth-grant', enterprise: null, idp: null }, 'oauth-grant'],
    ['not given (older callers): as auto', { enterprise: null, idp: null }, 'unknown']
  ])('%s', (_name, given, holder) => {
    expect(credentialHolder(given)).toBe(holder)
  })
})

describe('the idp-credential input', () => {
  const parse = (values: Record<string, string>) => parseInputs(name => ({ token: TOKEN, org: 'acme', ...values })[name] ?? '', {})

  it('defaults to auto', () => {
    expect(parse({}).inputs?.idpCredential).toBe('auto')
  })
  it.each(['auto', 'oauth-grant', 'checked-token', 'OAuth-Grant', ' checked-token '])('accepts %j', value => {
    const r = parse({ 'idp-credential': value })
    expect(r.problems).toEqual([])
    expect(r.inputs?.idpCredential).toBe(value.trim().toLowerCase())
  })
  it.each(['oauth', 'pat', 'true', 'checked_token'])('refuses %j, naming the input (nothing is sent)', value => {
    const r = parse({ 'idp-credential': value })
    expect(r.inputs).toBeUndefined()
    expect(r.problems).toEqual([expect.objectContaining({ id: 'input-invalid', input: 'idp-credential' })])
    expect(r.problems[0]?.message).toMatch(/"auto", "oauth-grant", "checked-token"/)
  })
  it("refuses oauth-grant with enterprise: an EMU app holds the setup user's token", () => {
    const r = parse({ org: '', enterprise: 'fabrikam', 'idp-credential': 'oauth-grant' })
    expect(r.inputs).toBeUndefined()
    expect(r.problems).toEqual([expect.objectContaining({ id: 'input-invalid', input: 'idp-credential' })])
    expect(r.problems[0]?.message).toMatch(/checked-token/)
  })
  it('the CLI takes it as --idp-credential, and says so in its help', () => {
    const parsed = parseCliArgs(['--org', 'acme', '--idp-credential', 'oauth-grant'])
    if (!parsed.ok) throw new Error(parsed.error)
    expect(parseInputs(inputReader(parsed.args, TOKEN), {}).inputs?.idpCredential).toBe('oauth-grant')
    expect(USAGE).toMatch(/^ +--idp-credential WHAT +what the IdP's GitHub app holds: oauth-grant \| checked-token \| auto/m)
  })
  it('takes checked-token with enterprise', () => {
    expect(parse({ org: '', enterprise: 'fabrikam', 'idp-credential': 'checked-token' }).problems).toEqual([])
  })
})

describe("the token's fixes are true for what the IdP holds", () => {
  it.each(TOKEN_CAUSES)('%s: an OAuth grant (the PAT a stand-in): never sends the admin to the IdP', id => {
    expect(fix(id, 'oauth-grant')).not.toMatch(TO_THE_IDP)
  })
  it.each<CauseId>(['token-whitespace', 'token-invalid', 'token-expiring', 'token-kind-unsupported', 'login-mismatch', 'scim-forbidden'])(
    '%s: the checked token itself: says to change it in the IdP too, without an "if"',
    id => {
      expect(fix(id, 'checked-token')).toMatch(TO_THE_IDP)
      expect(fix(id, 'checked-token')).not.toMatch(/if it holds|OAuth-based app/)
    }
  )
  it.each<CauseId>(['token-whitespace', 'token-invalid', 'token-expiring', 'token-kind-unsupported', 'login-mismatch', 'scim-forbidden'])(
    '%s: unknown: says both cases',
    id => {
      expect(fix(id, 'unknown')).toMatch(/if (it|the IdP) holds this token/i)
    }
  )
  it('token-expiring: provisioning stops only where the IdP holds the token', () => {
    expect(fix('token-expiring', 'checked-token')).toMatch(/Provisioning stops the moment the token expires/)
    expect(fix('token-expiring', 'oauth-grant')).toMatch(/provisioning goes on/)
    expect(fix('token-expiring', 'oauth-grant')).toMatch(/Nothing changes in the IdP/)
    expect(fix('token-expiring', 'unknown')).toMatch(
      /An IdP that holds this token .* stops provisioning .*; an OAuth-based app .* does not touch/
    )
  })
  it('token-invalid: an OAuth grant needs no change in the IdP; the checked token is updated in both', () => {
    expect(fix('token-invalid', 'oauth-grant')).toMatch(/update this secret\. Nothing changes in the IdP/)
    expect(fix('token-invalid', 'checked-token')).toMatch(/update both this secret and the IdP/)
  })
  it('scope-missing: editing keeps the value, in every case', () => {
    for (const h of HOLDERS) expect(fix('scope-missing', h)).toMatch(/Editing keeps the token's value/)
  })
  it('idp-credentials-rejected: re-authenticate an OAuth grant; paste the checked token where the app holds it', () => {
    const okta = (holder: CredentialHolder): string => CATALOGUE['idp-credentials-rejected'].remediation({ ...ctxOf(holder), idp: 'okta' })
    expect(okta('oauth-grant')).toMatch(/^The app holds an OAuth grant .*: re-authenticate the app\. Applications > /)
    expect(okta('checked-token')).toMatch(/^The app holds a copy of the checked token: paste this secret's value/)
    expect(okta('unknown')).toMatch(/^Applications > the GitHub app/)
  })
  it('the docs (no holder) say both cases', () => {
    expect(CATALOGUE['token-expiring'].remediation({ webUrl: 'https://github.com' })).toBe(fix('token-expiring', 'unknown'))
  })
})

describe('diagnose reads idp-credential', () => {
  const expiring = facts({ user: user({ 'github-authentication-token-expiration': '2026-12-01 12:00:00 UTC' }) })
  it.each<[string, Partial<Parameters<typeof inputs>[0]>, RegExp]>([
    ['oauth-grant', { idpCredential: 'oauth-grant' }, /provisioning goes on/],
    ['checked-token', { idpCredential: 'checked-token' }, /Provisioning stops the moment/],
    ['auto, no idp', {}, /The idp-credential input says which/]
  ])('%s', (_name, over, fixText) => {
    const v = diagnose(expiring, inputs(over), NOW)
    const c = v.causes.find(x => x.id === 'token-expiring')
    expect(c?.severity).toBe('error')
    expect(c?.remediation).toMatch(fixText)
  })
  it('auto with enterprise: the checked token', () => {
    const v = diagnose(
      facts({
        user: user(
          { 'x-oauth-scopes': 'scim:enterprise', 'github-authentication-token-expiration': '2026-12-01 12:00:00 UTC' },
          'fab_admin'
        ),
        orgs: [],
        identities: null,
        enterpriseScim: resp(200, { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, Resources: [] })
      }),
      inputs({ orgs: [], enterprise: 'fab' }),
      NOW
    )
    expect(v.causes.find(x => x.id === 'token-expiring')?.remediation).toMatch(/Provisioning stops the moment/)
    expect(v.idpCredential).toBe('checked-token')
  })
})

describe('the join: a token failure explains the IdP failure only where the IdP holds that token', () => {
  const report: IdpReport = {
    provider: 'okta',
    app: '0oa1bcdefghijklmnopq',
    appLabel: null,
    findings: [{ kind: 'credentials-rejected', since: '2026-11-27T08:00:00.000Z', sinceAtLeast: false, reason: 'invalid credentials' }],
    lastSuccessAt: '2026-11-26T08:00:00.000Z',
    lastFailureAt: '2026-11-28T08:00:00.000Z',
    lastFailureReason: 'invalid credentials',
    quarantine: null,
    noAttempt: false,
    details: {}
  } as IdpReport
  const gh = (holder: CredentialHolder) => [makeCause({ id: 'token-invalid', message: 'x' }, ctxOf(holder))]

  it.each<[CredentialHolder, string]>([
    ['checked-token', 'notice'],
    ['oauth-grant', 'error'],
    ['unknown', 'error']
  ])('for an org, token-invalid with %s: idp-credentials-rejected is a %s', (holder, severity) => {
    const { causes } = joinIdp(gh(holder), report, { org: 'acme', enterprise: null, ctx: ctxOf(holder) })
    expect(causes[0]?.severity).toBe(severity)
  })
  it.each<[CredentialHolder, RegExp]>([
    ['oauth-grant', /the OAuth grant Okta holds was revoked or superseded/],
    ['checked-token', /the token Okta holds is not the checked one/],
    ['unknown', /the credential Okta holds is stale or revoked/]
  ])('GitHub healthy, %s: the message says what is stale', (holder, text) => {
    const { causes } = joinIdp([], report, { org: 'acme', enterprise: null, ctx: ctxOf(holder) })
    expect(causes[0]?.message).toMatch(text)
  })
})

describe('the status line names the side that fails', () => {
  const cause = (id: CauseId, severity?: 'error' | 'notice' | 'inconclusive' | 'warning') =>
    makeCause({ id, message: id, ...(severity ? { severity } : {}) }, ctxOf('unknown'))
  const idp = { provider: 'okta' } as Verdict['idp']
  const v = (status: Verdict['status'], causes: ReturnType<typeof cause>[], over: Partial<Verdict> = {}) =>
    ({ status, causes, idp: null, ...over }) as Pick<Verdict, 'status' | 'causes' | 'idp' | 'idpCredential'>

  it.each<[string, ReturnType<typeof v>, string]>([
    [
      'the IdP alone (the motivating Okta case)',
      v('failing', [cause('idp-credentials-rejected')], { idp }),
      "Okta's provisioning to GitHub fails; GitHub's side of the service account shows no error"
    ],
    ['GitHub alone', v('failing', [cause('not-org-owner')]), "GitHub's side fails: the checked token or the service account's access"],
    [
      'GitHub alone, the IdP confirming',
      v('failing', [cause('not-org-owner'), cause('idp-credentials-rejected', 'notice')], { idp }),
      "GitHub's side fails: the checked token or the service account's access"
    ],
    [
      'both',
      v('failing', [cause('sso-not-authorized'), cause('idp-credentials-rejected')], { idp }),
      "GitHub's side fails: the checked token or the service account's access, and Okta's provisioning to GitHub fails too"
    ],
    [
      'GitHub alone, the IdP holding this token',
      v('failing', [cause('token-invalid')], { idpCredential: 'checked-token' }),
      'provisioning with this token fails'
    ],
    ['the inputs', v('failing', [cause('input-invalid')]), 'the inputs must be corrected: nothing was checked'],
    [
      'a malformed token',
      v('failing', [cause('token-malformed'), cause('input-invalid')]),
      'the inputs must be corrected: nothing was checked'
    ],
    [
      'the IdP could not be asked',
      v('inconclusive', [cause('idp-check-failed')], { idp }),
      "Okta could not be asked; GitHub's side shows no error, and this says nothing against the token"
    ],
    [
      'GitHub could not be asked',
      v('inconclusive', [cause('github-unavailable'), cause('idp-check-failed')], { idp }),
      'GitHub or the network did not let the check finish; this says nothing against the token'
    ],
    ['healthy', v('healthy', []), 'provisioning with this token should work']
  ])('%s', (_name, verdict, text) => {
    expect(statusText(verdict)).toBe(text)
  })
})

/** A core that records the outputs publish sets. */
function recordingCore() {
  const outputs: Record<string, string> = {}
  const none = (): void => undefined
  const core = {
    error: none,
    warning: none,
    notice: none,
    info: none,
    setOutput: (name: string, value: unknown) => {
      outputs[name] = String(value)
    },
    summary: { addRaw: () => ({ write: async () => undefined }) }
  }
  return { core: core as unknown as Parameters<typeof publish>[0], outputs }
}

describe('expires-at: never, a date, or empty when unknown', () => {
  it.each<[string, ReturnType<typeof facts>, string, Verdict['expiry'], string]>([
    ['no expiry header: never', facts(), 'never', 'never', 'never (no expiry reported)'],
    [
      'a date',
      facts({ user: user({ 'github-authentication-token-expiration': '2027-01-30 12:00:00 UTC' }) }),
      '2027-01-30T12:00:00Z',
      'date',
      '2027-01-30T12:00:00Z (63 days)'
    ],
    [
      'an expiry header that is not a date: unknown, not never',
      facts({ user: user({ 'github-authentication-token-expiration': 'soon' }) }),
      '',
      'unknown',
      'unknown (GitHub did not say)'
    ],
    [
      'an empty expiry header: unknown',
      facts({ user: user({ 'github-authentication-token-expiration': ' ' }) }),
      '',
      'unknown',
      'unknown (GitHub did not say)'
    ],
    ['a revoked token (401): unknown', facts({ user: err(401, 'Bad credentials') }), '', 'unknown', 'unknown (GitHub did not say)'],
    ['GitHub down: unknown', facts({ user: err(502, 'Bad Gateway') }), '', 'unknown', 'unknown (GitHub did not say)']
  ])('%s', async (_name, f, output, expiry, text) => {
    const verdict = diagnose(f, inputs(), NOW)
    expect(verdict.expiry).toBe(expiry)
    expect(expiryText(verdict)).toBe(text)
    const { core, outputs } = recordingCore()
    await publish(core, verdict, { failOn: 'never', inconclusive: 'pass' }, { setExitCode: () => undefined })
    expect(outputs['expires-at']).toBe(output)
    expect(outputs['days-until-expiry']).toBe(expiry === 'date' ? String(verdict.daysUntilExpiry) : '')
    const report = JSON.parse(reportJson(verdict)) as { expiry: string; expiresAt: string | null }
    expect(report.expiry).toBe(expiry)
    expect(report.expiresAt).toBe(output === '' || output === 'never' ? null : output)
  })
})
