/** The `report` output (and the CLI's --json): the whole verdict as one line of valid JSON, bounded. */
import type { Cause } from '../causes.js'
import type { IdpVerdict } from '../diagnose/idp.js'
import type { Verdict } from '../diagnose/index.js'
import { outText } from '../sanitize.js'
import { REPORT_MAX_BYTES, safeVerdict, scrubOf, type OutputOptions } from './safe.js'

function reportObject(v: Verdict, causes: readonly Cause[], withTables: boolean): Record<string, unknown> {
  return {
    status: v.status,
    login: v.login,
    tokenKind: v.tokenKind,
    scopes: v.scopes ?? [],
    expiresAt: v.expiresAt,
    expiry: v.expiry,
    daysUntilExpiry: v.daysUntilExpiry,
    ssoAuthorizationUrl: v.ssoAuthorizationUrl,
    causes: causes.map(c => ({
      id: c.id,
      severity: c.severity,
      org: c.org,
      enterprise: c.enterprise,
      title: c.title,
      message: c.message,
      remediation: c.remediation,
      ...(c.url ? { url: c.url } : {})
    })),
    ...(withTables ? { orgs: v.orgs, enterprise: v.enterprise, notes: v.notes } : { enterprise: v.enterprise }),
    // `idp` is null without `idp`; the provider's own details are `idp.<provider>` (dropped with the tables when too large).
    idp: v.idp === null ? null : idpObject(v.idp, withTables)
  }
}

/** `report.idp`: the common fields, and the provider's own under its name (`report.idp.entra.jobs`). */
function idpObject(idp: IdpVerdict, withDetails: boolean): Record<string, unknown> {
  const { details, ...common } = idp
  return withDetails ? { ...common, [idp.provider]: details } : common
}

/** The report of a verdict already made safe, in at most `maxBytes`, and always valid JSON. */
function boundedReport(v: Verdict, maxBytes: number): string {
  const fits = (json: string): boolean => Buffer.byteLength(json, 'utf8') <= maxBytes
  const full = JSON.stringify(reportObject(v, v.causes, true))
  if (fits(full)) return full
  // Too large (a hundred orgs with long answers): shorten the texts, then drop the tables, then causes.
  const shorten = (x: Verdict, n: number): Verdict => cleanDeepMax(x, n) as Verdict
  for (const [n, withTables] of [
    [500, true],
    [500, false],
    [120, false]
  ] as const) {
    const short = shorten(v, n)
    const json = JSON.stringify({
      ...reportObject(short, short.causes, withTables),
      truncated: true,
      ...(withTables ? {} : { orgsOmitted: v.orgs.length, notesOmitted: v.notes.length })
    })
    if (fits(json)) return json
  }
  const short = shorten(v, 120)
  let kept = short.causes.length
  let json = ''
  do {
    kept = Math.floor(kept / 2)
    json = JSON.stringify({
      ...reportObject(short, short.causes.slice(0, kept), false),
      truncated: true,
      orgsOmitted: v.orgs.length,
      notesOmitted: v.notes.length,
      causesOmitted: v.causes.length - kept
    })
  } while (!fits(json) && kept > 0)
  return fits(json) ? json : JSON.stringify({ status: v.status, truncated: true, causesOmitted: v.causes.length })
}

/** Every string of `value` cut to at most `n` characters (already safe text: nothing else changes). */
function cleanDeepMax(value: unknown, n: number): unknown {
  if (typeof value === 'string') return value.length > n ? outText(value, t => t, n) : value
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(v => cleanDeepMax(v, n))
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cleanDeepMax(v, n)]))
}

/**
 * The `report` output (and the CLI's `--json`): the whole result as JSON,
 * every text scrubbed of `options.secrets` and token shapes, one line each,
 * bounded; at most REPORT_MAX_BYTES, still valid JSON when shortened
 * (`truncated: true`).
 */
export function reportJson(verdict: Verdict, options: OutputOptions = {}): string {
  const scrub = scrubOf(options)
  const json = boundedReport(safeVerdict(verdict, scrub), REPORT_MAX_BYTES)
  // A last pass over the whole; a replacement never touches JSON syntax, but the JSON must stay valid.
  const again = scrub(json)
  if (again === json) return json
  try {
    JSON.parse(again)
    return again
  } catch {
    return json
  }
}
