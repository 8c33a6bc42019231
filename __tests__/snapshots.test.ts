/**
 * What a person reads, for each demo scenario (simulator/demos.mjs): the
 * annotations (level, title, text), the job summary, and the CLI's text for
 * the same verdict, as snapshots, so that a change in wording is a reviewed
 * diff (`npm test -- -u` rewrites them; review and commit the diff).
 *
 * The action runs in-process (`run` via runInProcess) against the loopback
 * simulators, with the demo's IdP inputs and environment. The CLI's text is
 * the CLI's own path for the same inputs (parseInputs → checkToken →
 * renderText, no color) against the same simulators: `run` does not hand its
 * Verdict out, and the worlds do not change between the two checks, so both
 * reach the same verdict (asserted: same status and causes).
 *
 * What varies from run to run is replaced by placeholders (normalise, below),
 * and nothing else: a changed word in any message fails the test.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { checkToken } from '../src/check.js'
import { renderText } from '../src/cli/render.js'
import { parseInputs } from '../src/inputs.js'
import { DEMOS, demoName, secretPieces, startDemo } from '../simulator/demos.mjs'
import { oktaKeys } from '../simulator/okta-fake.mjs'
import { runInProcess } from './support/in-process.js'

const HOUR = 3_600_000

/**
 * Replaces what varies from run to run, each by a placeholder that names what it stood for:
 * - an ISO 8601 time (with or without milliseconds) within a year of now: by its offset from now in whole hours,
 *   `<now-24h>`, `<now+132h>`, `<now>` (the simulators' worlds are built relative to the clock, so the
 *   offsets are stable, and a wrong one, say the first failure instead of the last, still shows); a time
 *   further off is fixed in the worlds and kept as it is;
 * - a date alone (`2026-03-12`) within a year of today: by its offset in calendar days, `<today+2d>`;
 * - the days left before a token expires, counted from the clock: `in <N> days`, `(<N> days)`;
 * - a loopback port (`127.0.0.1:41234`): `127.0.0.1:<port>`;
 * - GitHub's one-time SSO `authorization_request=` value: `authorization_request=<request>`;
 * - a random UUID (request, trace and correlation ids; the simulators' fixed ids are kept): `<uuid>`;
 * - a generated hex id of 32 digits or more (the middle of an Entra job id, made from the clock): `<hex>`.
 * Nothing else: no word, number or punctuation of a message is touched.
 */
function normalise(text: string, now: number, keep: ReadonlySet<string>): string {
  return text
    .replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z\b/g, iso => {
      const offset = Date.parse(iso) - now
      if (Math.abs(offset) > 366 * 24 * HOUR) return iso
      const hours = Math.round(offset / HOUR)
      return hours === 0 ? '<now>' : `<now${hours > 0 ? '+' : ''}${hours}h>`
    })
    .replace(/\b(\d{4}-\d{2}-\d{2})\b(?!T\d)/g, (date, day: string) => {
      const offset = Date.parse(`${day}T00:00:00Z`) - Date.parse(`${new Date(now).toISOString().slice(0, 10)}T00:00:00Z`)
      if (Number.isNaN(offset) || Math.abs(offset) > 366 * 24 * HOUR) return date
      const days = Math.round(offset / (24 * HOUR))
      return days === 0 ? '<today>' : `<today${days > 0 ? '+' : ''}${days}d>`
    })
    .replace(/\bin \d+ days?\b/g, 'in <N> days')
    .replace(/\(\d+ days?\)/g, '(<N> days)')
    .replace(/\b127\.0\.0\.1:\d{2,5}\b/g, '127.0.0.1:<port>')
    .replace(/\bauthorization_request=[A-Za-z0-9_-]+/g, 'authorization_request=<request>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, id => (keep.has(id.toLowerCase()) ? id : '<uuid>'))
    .replace(/\b[0-9a-f]{32,}\b/gi, '<hex>')
}

describe('normalise', () => {
  const now = Date.parse('2026-03-10T12:00:00.000Z')
  const keep = new Set(['72f988bf-0000-4000-8000-00000000c0de'])

  it('replaces what varies by placeholders', () => {
    expect(
      normalise(
        'failing since 2026-03-09T11:58:59.123Z, last used 2026-03-10T12:00:01Z, expires 2026-03-12 in 5 days (5 days) at http://127.0.0.1:41234/x?authorization_request=pIkaaymN_PW-zT; trace 3f2b1c4d-aaaa-4bbb-8ccc-0123456789ab; job GitHubOutDelta.4e9dfdd9f9032e39a176d40c3ee1df29.3f2b1c4d-aaaa-4bbb-8ccc-0123456789ab',
        now,
        keep
      )
    ).toBe(
      'failing since <now-24h>, last used <now>, expires <today+2d> in <N> days (<N> days) at http://127.0.0.1:<port>/x?authorization_request=<request>; trace <uuid>; job GitHubOutDelta.<hex>.<uuid>'
    )
  })

  it('keeps the words, the fixed ids and the fixed times around them', () => {
    const text =
      'Okta rejects its stored credential: 12 failures in 720 hours; authorized 2024-01-15T10:00:00Z; tenant 72f988bf-0000-4000-8000-00000000c0de; in 5 minutes; fail-days is 7; app 0oaApzXbMtaBXqEJ6vmI; created 2024-01-10'
    expect(normalise(text, now, keep)).toBe(text)
  })
})

interface Read {
  annotations: Array<{ level: string; title: string | null; text: string }>
  summary: string
  cli: string
  secrets: string[]
}

const reads = new Map<string, Read>()
/** The simulators' fixed GUIDs (Entra's tenant, client and service principal): kept in the snapshots. */
let fixedIds = new Set<string>()

beforeAll(async () => {
  oktaKeys() // generated once per process: not inside a run's budget
  const { CLIENT_ID, SERVICE_PRINCIPAL_ID, TENANT_ID } = await import('../simulator/entra-fake.mjs')
  fixedIds = new Set([CLIENT_ID, SERVICE_PRINCIPAL_ID, TENANT_ID].map(id => id.toLowerCase()))
  // One demo at a time (2 cores, and each run's own budget): the whole set still takes about a second.
  for (const demo of DEMOS) {
    const started = await startDemo(demo)
    try {
      const inputs = { ...started.inputs, 'timeout-seconds': '20' }
      const run = await runInProcess(inputs, started.env)
      const parsed = parseInputs(name => inputs[name as keyof typeof inputs] ?? '', started.env)
      if (!parsed.inputs) throw new Error(`${demoName(demo)}: inputs did not parse: ${JSON.stringify(parsed.problems)}`)
      const verdict = await checkToken(parsed.inputs, {
        now: Date.now,
        startedAt: Date.now(),
        tokenWhitespace: parsed.tokenWhitespace,
        retryBaseMs: 10
      })
      // The same verdict as the action's run.
      expect({ status: verdict.status, causes: verdict.causes.map(c => c.id).join(',') }).toEqual({
        status: run.outputs.status,
        causes: run.outputs.causes
      })
      const secrets = started.secrets()
      const now = Date.now()
      const n = (text: string): string => normalise(text, now, fixedIds)
      reads.set(demoName(demo), {
        annotations: run.annotations.map(a => ({ level: a.level, title: a.title, text: n(a.text) })),
        summary: n(run.summary),
        cli: n(renderText(verdict, { color: false, secrets })),
        secrets
      })
    } finally {
      await started.close()
    }
  }
})

afterAll(() => reads.clear())

describe.each(DEMOS.map(demo => [demoName(demo), demo.title] as const))('%s: %s', name => {
  it('annotations', () => {
    expect(reads.get(name)?.annotations).toMatchSnapshot()
  })
  it('job summary', () => {
    expect(reads.get(name)?.summary).toMatchSnapshot()
  })
  it("the CLI's text", () => {
    expect(reads.get(name)?.cli).toMatchSnapshot()
  })
  it('holds no secret of the run', () => {
    const read = reads.get(name)
    const text = [...(read?.annotations ?? []).map(a => `${a.title ?? ''}\n${a.text}`), read?.summary, read?.cli].join('\n')
    const leaked = (read?.secrets ?? []).flatMap(secretPieces).filter(piece => text.includes(piece))
    expect(leaked).toEqual([])
  })
})
