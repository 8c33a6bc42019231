/**
 * Issue 17, "Leaks and corruption", on the shared layers every provider goes through (sanitize, the report's
 * scrub, the join, the output boundary, the examples' jq): a secret echoed split across two fields or wrapped
 * over lines is scrubbed; an obtained token ending in an ordinary word masks no word of ours; our own ids and
 * statuses are never rewritten, for every provider of the registry; what the examples publish is inert. Then
 * the whole action, in process, against a hostile loopback Okta that does all of it at once.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeCause } from '../src/causes.js'
import { joinIdp, withIdp } from '../src/diagnose/idp.js'
import type { Verdict } from '../src/diagnose/index.js'
import { PROVIDERS } from '../src/idp/providers.js'
import { blankReport, scrubReport } from '../src/idp/report.js'
import type { IdpFinding } from '../src/idp/types.js'
import { safeVerdict } from '../src/report/safe.js'
import { isCredentialShaped, scrubberFor, secretPieces } from '../src/sanitize.js'
import { isOrdinaryText, SECRET_RUN_MIN } from '../src/secret-runs.js'
import { startFake } from '../simulator/github-fake.mjs'
import { OKTA_API_TOKEN, OKTA_APP_ID, OKTA_CLIENT_ID, oktaKeys } from '../simulator/okta-fake.mjs'
import { scenarioWorld } from '../simulator/worlds.mjs'
import { hostileOkta, json, oktaEvent } from './support/hostile-idp.js'
import { runInProcess, type InProcessRun } from './support/in-process.js'

const CTX = { webUrl: 'https://github.com' }
const SECRET = 'Ab8Q~Zx9vW.k3_Lm-Np7Qr~St5Uv8Wx2yZ0aB6cD'
/** An access token an IdP could issue whose last characters are an ordinary word. */
const TOKEN_ENDING_IN_A_WORD = 'x7Kp2Qw9Zr4Tm8Vn3Bc6Yd1Lf5Hj0Gs-rejected'

/** Every run of `SECRET_RUN_MIN` characters of `secret` that is no ordinary word: none may be visible. */
function visibleRuns(text: string, secret: string): string[] {
  const runs: string[] = []
  for (let i = 0; i + SECRET_RUN_MIN <= secret.length; i++) {
    const run = secret.slice(i, i + SECRET_RUN_MIN)
    if (!isOrdinaryText(run) && text.includes(run)) runs.push(run)
  }
  return runs
}

const split = (s: string): [string, string] => [s.slice(0, Math.floor(s.length / 2)), s.slice(Math.floor(s.length / 2))]
const wrapped = (s: string, width: number): string => s.replace(new RegExp(`(.{${width}})`, 'g'), '$1\n')

/** A verdict of GitHub's side (healthy) joined with the IdP report, as diagnose does. */
function verdictWith(report: ReturnType<typeof blankReport>): Verdict {
  const base = { status: 'healthy', causes: [], tokenKind: 'classic-pat', platform: 'dotcom', notes: [] } as unknown as Verdict
  return withIdp(base, report, { org: 'acme', enterprise: null, ctx: CTX })
}

describe('a secret echoed in pieces is scrubbed: split across two fields, or wrapped over lines', () => {
  const [head, tail] = split(SECRET)
  it.each([
    ['split across two fields of one finding', `${head}`, `${tail}`],
    ['split across two findings', `invalid_client ${head}`, `error_description ${tail}`],
    ['wrapped over lines every 10 characters', wrapped(`AADSTS7000215: ${SECRET}`, 10), 'another'],
    ['wrapped and split', wrapped(head, 9), wrapped(tail, 11)]
  ])('%s', (_name, first, second) => {
    for (const provider of PROVIDERS) {
      const report = blankReport(provider.id, 'app-1', 2, [
        { kind: 'check-failed', input: null, reason: `the IdP said ${first}` },
        { kind: 'provisioning-errors', count: 1, latestReason: `the IdP said ${second}` }
      ])
      const safe = safeVerdict(verdictWith(report), scrubberFor(SECRET))
      expect({ provider: provider.id, runs: visibleRuns(JSON.stringify(safe), SECRET) }).toEqual({ provider: provider.id, runs: [] })
    }
  })

  it('the words around a piece stay readable', () => {
    expect(scrubberFor(SECRET)(`Entra said: ${head} (and) ${tail} please`)).toBe('Entra said: *** (and) *** please')
  })
})

describe('an obtained token ending in an ordinary word masks no word of ours', () => {
  it('no ordinary word is a piece of it', () => {
    const pieces = secretPieces(TOKEN_ENDING_IN_A_WORD)
    expect(pieces).toContain(TOKEN_ENDING_IN_A_WORD)
    for (const word of ['rejected', '-rejected', 's-rejected']) expect(pieces).not.toContain(word)
    expect(pieces.filter(isOrdinaryText)).toEqual([])
  })

  it.each(['provisioning-token-check-failing', 'idp-credentials-rejected-x', 'a'.repeat(40), `${'-'.repeat(8000)}x`])(
    'an IdP "token" %j that could be an ordinary word is no credential',
    value => {
      const started = performance.now()
      expect(isCredentialShaped(value)).toBe(false)
      expect(performance.now() - started).toBeLessThan(200)
    }
  )

  it.each(['idp-credentials-rejected', 'token-expiring', 'failing', 'Okta rejects its stored credential: rejected'])(
    '%j stays as it is',
    text => {
      expect(scrubberFor(TOKEN_ENDING_IN_A_WORD, 'Zq9-expiring-Xw3K7pL2mN8vB4cD6fG1hJ5')(text)).toBe(text)
    }
  )
})

describe('our own words are never rewritten, for every provider of the registry', () => {
  const findings: IdpFinding[] = [
    { kind: 'credentials-rejected', since: null, sinceAtLeast: false, reason: 'refused' },
    { kind: 'provisioning-errors', count: 1, latestReason: 'conflict' },
    { kind: 'check-failed', input: 'okta-api-token', reason: 'refused' }
  ]
  it.each(PROVIDERS.map(p => p.id))('%s: a secret equal to the provider, a kind or an input leaves the report joinable', id => {
    const scrub = scrubberFor(id, 'credentials-rejected', 'provisioning-errors', 'okta-api-token')
    const report = scrubReport(
      blankReport(
        id,
        'app-1',
        1,
        findings.map(f => ({ ...f }))
      ),
      scrub
    )
    expect(report.provider).toBe(id)
    expect(report.findings.map(f => f.kind)).toEqual(findings.map(f => f.kind))
    const { causes, idp } = joinIdp([], report, { org: 'acme', enterprise: null, ctx: CTX })
    expect(causes.map(c => c.id).sort()).toEqual(['idp-check-failed', 'idp-credentials-rejected', 'idp-provisioning-errors'])
    expect(safeVerdict(verdictWith(report), scrub).idp?.status).toBe(idp.status)
  })
})

// ── The examples: what they publish is inert ─────────────────────────────

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const hasJq = spawnSync('jq', ['--version']).status === 0
const HOSTILE_MESSAGE =
  'Okta says: "<img src=x onerror=alert(1)> [click](https://evil.example/x) ![i](https://evil.example/p.png) @acme/admins #12 acme/repo#3 **b** | c | <!-- x --> www.evil.example &lt;"'

describe('the examples publish nothing active from the report', () => {
  const filters = readdirSync(join(root, 'examples'))
    .filter(f => f.endsWith('.yml'))
    .map(f => ({ f, text: readFileSync(join(root, 'examples', f), 'utf8') }))
    .filter(x => x.text.includes('<<<"$REPORT"'))
  it('every example that copies the report into an issue makes its texts inert', () => {
    expect(filters.length).toBeGreaterThan(0)
    for (const { f, text } of filters)
      expect({ f, inert: /\.message \| inert/.test(text) && /\.remediation \| inert/.test(text) }).toEqual({ f, inert: true })
  })
  ;(hasJq ? it : it.skip).each(filters.map(x => x.f))('%s: no link, image, HTML, mention or reference', f => {
    const text = filters.find(x => x.f === f)?.text ?? ''
    const script = /(jq -r 'def inert:[\s\S]*?' <<<"\$REPORT")/.exec(text)?.[1]?.replace(/\n\s+/g, '\n') ?? ''
    const cause = makeCause({ id: 'idp-provisioning-errors', org: 'acme', message: HOSTILE_MESSAGE }, CTX)
    const report = JSON.stringify({ causes: [{ ...cause, org: 'acme', enterprise: null }] })
    const out = spawnSync('bash', ['-c', script], { env: { ...process.env, REPORT: report }, encoding: 'utf8' })
    expect(out.status).toBe(0)
    // The message's paragraph, its code spans aside: nothing in it may be active.
    const outside = (out.stdout.split('\n').find(l => l.startsWith('Okta says')) ?? '').replace(/`[^`\n]*`/g, '')
    expect(outside).toContain('Okta says')
    expect(outside).not.toMatch(/(?<!\\)[<[\]!]|:\/\/|@|#\d|(?<!\\)\*\*b/)
  })
})

// ── The whole action against a hostile Okta ──────────────────────────────

const closers: Array<{ close(): Promise<void> }> = []
afterAll(async () => {
  await Promise.all(closers.map(c => c.close()))
})

async function github(): Promise<{ apiUrl: string; token: string }> {
  const { world, token } = scenarioWorld('healthy')
  const fake = await startFake(world)
  closers.push(fake)
  return { apiUrl: fake.apiUrl, token }
}

const everything = (run: InProcessRun): string => JSON.stringify({ ...run, masked: [] })

describe('in process, against a hostile loopback Okta', () => {
  it('a service-app token ending in "rejected": the ids and statuses intact, no internal error, the word never masked', async () => {
    const gh = await github()
    const okta = await hostileOkta(
      (_q, res) =>
        json(res, 200, [oktaEvent({ uuid: 'c1', hoursAgo: 2, reason: 'The credentials used to connect to the API were invalid' })]),
      (req, res, url) => {
        if (req.method !== 'POST' || url.pathname !== '/oauth2/v1/token') return false
        json(res, 200, {
          token_type: 'Bearer',
          expires_in: 3600,
          access_token: TOKEN_ENDING_IN_A_WORD,
          scope: 'okta.apps.read okta.logs.read'
        })
        return true
      }
    )
    closers.push(okta)
    const run = await runInProcess({
      token: gh.token,
      org: 'acme',
      'api-url': gh.apiUrl,
      'timeout-seconds': '10',
      idp: 'okta',
      'okta-org-url': okta.url,
      'okta-app-id': OKTA_APP_ID,
      'okta-client-id': OKTA_CLIENT_ID,
      'okta-private-key': oktaKeys().rsaPkcs8Pem
    })
    expect(run.outputs).toMatchObject({ status: 'failing', causes: 'idp-credentials-rejected', 'idp-status': 'failing' })
    expect(run.annotations.map(a => a.title)).toEqual([expect.stringMatching(/\[idp-credentials-rejected\]$/)])
    expect(run.masked).toContain(TOKEN_ENDING_IN_A_WORD)
    expect(run.masked.filter(isOrdinaryText)).toEqual([])
    expect(everything(run)).not.toContain(TOKEN_ENDING_IN_A_WORD)
    expect(run.summary).toContain('rejects its stored credential')
  })

  it('the API token echoed back split across two fields and wrapped over lines: in no output, annotation, log or summary', async () => {
    const gh = await github()
    const [head, tail] = split(OKTA_API_TOKEN)
    const okta = await hostileOkta(
      (_q, res) => json(res, 401, { errorCode: 'E0000011', errorSummary: `Invalid token provided: ${wrapped(OKTA_API_TOKEN, 9)}` }),
      (req, res, url) => {
        if (!url.pathname.startsWith('/api/v1/apps/')) return false
        json(res, 401, { errorCode: head, errorSummary: tail, errorCauses: [{ errorSummary: `${tail}\n${head}` }] })
        return true
      }
    )
    closers.push(okta)
    const run = await runInProcess(
      {
        token: gh.token,
        org: 'acme',
        'api-url': gh.apiUrl,
        'timeout-seconds': '10',
        idp: 'okta',
        'okta-org-url': okta.url,
        'okta-app-id': OKTA_APP_ID,
        'okta-api-token': OKTA_API_TOKEN
      },
      { RUNNER_DEBUG: '1' }
    )
    expect(run.outputs.causes).toBe('idp-check-failed')
    expect(visibleRuns(everything(run), OKTA_API_TOKEN)).toEqual([])
  })

  it('an okta-api-token with a line break inside: input-invalid naming it, nothing sent', async () => {
    const okta = await hostileOkta((_q, res) => json(res, 200, []))
    closers.push(okta)
    const broken = `${OKTA_API_TOKEN.slice(0, 20)}\n${OKTA_API_TOKEN.slice(20)}`
    const run = await runInProcess({
      token: `ghp_${'A'.repeat(36)}`,
      org: 'acme',
      idp: 'okta',
      'okta-org-url': okta.url,
      'okta-app-id': OKTA_APP_ID,
      'okta-api-token': broken
    })
    expect(run.outputs.causes).toBe('input-invalid')
    expect(run.annotations.map(a => a.text).join('\n')).toContain('"okta-api-token"')
    expect(okta.requests).toHaveLength(0)
    expect(visibleRuns(everything(run), OKTA_API_TOKEN)).toEqual([])
  })
})
