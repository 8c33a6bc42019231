/**
 * The Okta probes (docs/idp.md): after sign-in, at once and side by side,
 * - `GET /api/v1/apps/{appId}`: status, label, `features` [I9];
 * - `GET /api/v1/logs?since&until&filter=…&sortOrder=DESCENDING&limit=200` (the filter: the app's events of the
 *   types that count, `logsFilter`), following `Link: <…>; rel="next"` on the same origin and path only, five
 *   pages at most, no URL twice [I5][I6].
 * A 429 is waited for once when Okta's `X-Rate-Limit-Reset` falls inside the budget (createIdpHttp) [I10].
 * They gather facts; `judgeOkta` decides. A DPoP `use_dpop_nonce` challenge at the API (401,
 * WWW-Authenticate error="use_dpop_nonce", DPoP-Nonce) is answered once per request with that nonce, and
 * the nonce is then used for the requests that follow.
 */
import type { IdpAnswer, IdpHttp } from '../http.js'
import type { OktaInputs } from './types.js'
import type { OktaCredential } from './auth.js'
import { answerFacts, oktaRateLimitWait, type OktaApp, type OktaEvent, type OktaFacts, type OktaLogs } from './facts.js'

export const MAX_LOG_PAGES = 5
export const LOG_PAGE_LIMIT = 200
/** Events read from one page at most (Okta's own `limit` maximum is 1000 [I6]). */
const MAX_EVENTS_PER_PAGE = 1000

/**
 * The event types that count (judge.ts matches them again in code), as a System Log filter: the app's own
 * events, of type authentication_failure or `application.provision.*`. Okta's filter is SCIM-style with
 * `eq`, `sw`, `and`, `or` and parentheses [I5][I6] (its OpenAPI: "All operators except [ ] are supported";
 * `eventType sw "user.authentication."` is Okta's own example), so a busy app's sign-in events cannot fill
 * the five pages before any provisioning event.
 */
export function logsFilter(appId: string): string {
  return `target.id eq "${appId}" and (eventType eq "application.integration.authentication_failure" or eventType sw "application.provision.")`
}

/** The first System Log URL: a bounded, descending query [I6]. `%20`, not `+`, for spaces. */
export function logsUrl(inputs: OktaInputs, nowMs: number): string {
  const since = new Date(nowMs - inputs.lookbackHours * 3_600_000).toISOString()
  const until = new Date(nowMs).toISOString()
  const q = (v: string): string => encodeURIComponent(v)
  return (
    `${inputs.orgUrl}/api/v1/logs?since=${q(since)}&until=${q(until)}` +
    `&filter=${q(logsFilter(inputs.appId))}&sortOrder=DESCENDING&limit=${LOG_PAGE_LIMIT}`
  )
}

/** The `rel="next"` target of a Link header (several links, comma-joined or not), or null. */
export function nextLink(link: string | undefined): string | null {
  if (!link) return null
  for (const m of link.matchAll(/<([^>]*)>([^<]*)/g)) {
    const params = m[2] ?? ''
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))/i.exec(params)
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/)
    if (rels.includes('next')) return m[1] ?? null
  }
  return null
}

function isUseDpopNonce(answer: IdpAnswer): answer is Extract<IdpAnswer, { kind: 'response' }> {
  return (
    answer.kind === 'response' &&
    answer.status === 401 &&
    /\berror\s*=\s*"?use_dpop_nonce\b/i.test(answer.headers['www-authenticate'] ?? '') &&
    typeof answer.headers['dpop-nonce'] === 'string'
  )
}

export interface ApiGetter {
  get(url: string, label: string): Promise<IdpAnswer>
}

export function apiGetter(http: IdpHttp, credential: OktaCredential): ApiGetter {
  let nonce: string | null = null
  return {
    async get(url, label) {
      let answer = await http.send({
        method: 'GET',
        url,
        label,
        headers: () => credential.headersFor('GET', url, nonce),
        rateLimitWaitMs: oktaRateLimitWait
      })
      if (credential.scheme === 'DPoP' && isUseDpopNonce(answer)) {
        nonce = answer.headers['dpop-nonce'] ?? null
        answer = await http.send({
          method: 'GET',
          url,
          label: `${label} (DPoP nonce)`,
          headers: () => credential.headersFor('GET', url, nonce),
          rateLimitWaitMs: oktaRateLimitWait
        })
      }
      return answer
    }
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)

function parseApp(json: unknown): OktaApp {
  const body = json as Record<string, unknown>
  const features = Array.isArray(body.features) ? body.features.filter((f): f is string => typeof f === 'string') : null
  return { status: str(body.status), label: str(body.label), features }
}

const appShape = (json: unknown): string | null =>
  json !== null && typeof json === 'object' && !Array.isArray(json) ? null : 'the app is not a JSON object'
const logsShape = (json: unknown): string | null => (Array.isArray(json) ? null : 'the System Log page is not a JSON array')

/** Reduces one LogEvent to what the verdict reads; events without a time or type are dropped. */
export function parseEvent(raw: unknown): OktaEvent | null {
  if (raw === null || typeof raw !== 'object') return null
  const e = raw as Record<string, unknown>
  const published = str(e.published)
  const eventType = str(e.eventType)
  if (published === null || eventType === null) return null
  const outcome = (e.outcome ?? {}) as Record<string, unknown>
  const targets = Array.isArray(e.target) ? (e.target as unknown[]) : []
  return {
    uuid: str(e.uuid),
    published,
    eventType,
    result: str(outcome?.result),
    reason: str(outcome?.reason),
    displayMessage: str(e.displayMessage),
    targetIds: targets.map(t => str((t as Record<string, unknown> | null)?.id)).filter((id): id is string => id !== null)
  }
}

export async function probeApp(api: ApiGetter, inputs: OktaInputs): Promise<NonNullable<OktaFacts['app']>> {
  const answer = await api.get(`${inputs.orgUrl}/api/v1/apps/${encodeURIComponent(inputs.appId)}`, 'okta app')
  const facts = answerFacts(answer, appShape)
  const ok = facts.kind === 'response' && facts.status === 200 && facts.bodyProblem === null && facts.unexpected === null
  return { answer: facts, app: ok && answer.kind === 'response' ? parseApp(answer.json) : null }
}

/** Where a page's `next` link leads: the URL to read, or why the paging stops there. */
function nextOf(
  next: string | null,
  current: string,
  read: ReadonlySet<string>,
  origin: string,
  logsPath: string
): { url: string } | { end: true } | { elsewhere: string } {
  if (next === null) return { end: true }
  let target: URL
  try {
    target = new URL(next, current)
  } catch {
    return { elsewhere: 'an unreadable URL' }
  }
  // The next page is the System Log's own, on the same origin: a credential is never sent to another path.
  if (target.origin !== origin) return { elsewhere: target.host }
  if (target.pathname !== logsPath) return { elsewhere: `${target.host}${target.pathname}` }
  // Okta ends a stream with a `next` equal to the page just read [I6]; no URL is ever read twice.
  return read.has(target.href) ? { end: true } : { url: target.href }
}

/**
 * The System Log, newest first, five pages at most. The paging ends (the evidence is whole) at a page
 * without `next`, an empty page, or a `next` already read (Okta's own end of a stream: `next` = `self`);
 * it is cut (`more`: "since at least") only by the five pages or a later page's failure. An event served
 * twice (by its `uuid`) counts once.
 */
export async function probeLogs(api: ApiGetter, inputs: OktaInputs, nowMs: number): Promise<OktaLogs> {
  const origin = new URL(inputs.orgUrl).origin
  const logsPath = new URL(logsUrl(inputs, nowMs)).pathname
  const logs: OktaLogs = { events: [], pages: 0, more: false, failure: null, nextElsewhere: null }
  const read = new Set<string>()
  const uuids = new Set<string>()
  let url: string | null = logsUrl(inputs, nowMs)
  while (url !== null) {
    if (logs.pages === MAX_LOG_PAGES) {
      logs.more = true
      break
    }
    read.add(new URL(url).href)
    const answer = await api.get(url, `okta logs page ${logs.pages + 1}`)
    const facts = answerFacts(answer, logsShape)
    if (
      facts.kind === 'fault' ||
      facts.status !== 200 ||
      facts.bodyProblem !== null ||
      facts.unexpected !== null ||
      answer.kind !== 'response'
    ) {
      logs.failure = facts
      if (logs.pages > 0) logs.more = true
      break
    }
    logs.pages++
    const page = (answer.json as unknown[]).slice(0, MAX_EVENTS_PER_PAGE)
    for (const raw of page) {
      const event = parseEvent(raw)
      if (!event) continue
      if (event.uuid) {
        if (uuids.has(event.uuid)) continue
        uuids.add(event.uuid)
      }
      logs.events.push(event)
    }
    const current: string = url
    url = null
    if (page.length === 0) break
    const next = nextOf(nextLink(answer.headers.link), current, read, origin, logsPath)
    if ('url' in next) url = next.url
    else if ('elsewhere' in next) {
      logs.nextElsewhere = next.elsewhere
      logs.more = true
    }
  }
  return logs
}
