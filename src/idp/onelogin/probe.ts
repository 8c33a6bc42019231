/**
 * The OneLogin probes (docs/idp-onelogin.md, 1.4), after the token, at once and side by side:
 * - `GET /api/2/apps/{id}`: the app's name and `provisioning.enabled` [O10];
 * - `GET /api/1/events?event_type_id=…&since&until&sort=-id&limit=50`, newest first; the API cannot filter
 *   on the app, so `app_id` is matched in code [O5]. Older pages by `after_cursor` with the same query, on the
 *   configured host: `next_link` is never followed (OneLogin's samples point it at api.us.onelogin.com [O13]).
 *   At most five pages, never one URL or cursor twice, each event counted once (by `id`); and no page more
 *   once the app's last successful push has been read (the verdict is settled there): the account's 5,000
 *   calls an hour are shared by every integration [O12].
 * They gather facts; `judgeOneLogin` decides.
 */
import type { IdpAnswer, IdpHttp } from '../http.js'
import { rateLimitWaitMs } from './auth.js'
import { classifyEvent, QUERIED_EVENTS } from './event-types.js'
import { FUTURE_GRACE_MS } from './judge.js'
import { answerFacts, type OneLoginApp, type OneLoginEvent, type OneLoginEvents, type OneLoginFacts } from './facts.js'
import type { OneLoginInputs } from './types.js'

export const MAX_EVENT_PAGES = 5
/** OneLogin's own maximum a page [O5]. */
export const EVENT_PAGE_LIMIT = 50

export interface ApiGetter {
  get(url: string, label: string): Promise<IdpAnswer>
}

export function apiGetter(http: IdpHttp, accessToken: string): ApiGetter {
  return {
    get: (url, label) => http.send({ method: 'GET', url, label, headers: { authorization: `Bearer ${accessToken}` }, rateLimitWaitMs })
  }
}

/** The first events URL: a bounded, descending query of the provisioning types. */
export function eventsUrl(inputs: OneLoginInputs, nowMs: number, afterCursor: string | null = null): string {
  const q = new URLSearchParams({
    event_type_id: QUERIED_EVENTS.join(','),
    since: new Date(nowMs - inputs.lookbackHours * 3_600_000).toISOString(),
    until: new Date(nowMs).toISOString(),
    sort: '-id',
    limit: String(EVENT_PAGE_LIMIT)
  })
  if (afterCursor !== null) q.set('after_cursor', afterCursor)
  return `${inputs.url}/api/1/events?${q.toString().replace(/%2C/g, ',')}`
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null)

const appShape = (json: unknown): string | null => (isObject(json) ? null : 'the app is not a JSON object')
const eventsShape = (json: unknown): string | null =>
  isObject(json) && Array.isArray(json.data) ? null : 'the events page is not an object with a data array'

function parseApp(json: unknown): OneLoginApp {
  const body = json as Record<string, unknown>
  const provisioning = isObject(body.provisioning) ? body.provisioning : null
  return {
    name: str(body.name),
    provisioningEnabled: typeof provisioning?.enabled === 'boolean' ? provisioning.enabled : null
  }
}

/** Reduces one event to its vendor-controlled fields; events without an id, a time or a type are dropped. */
export function parseEvent(raw: unknown): OneLoginEvent | null {
  if (!isObject(raw)) return null
  const id = int(raw.id)
  const createdAt = str(raw.created_at)
  const eventTypeId = int(raw.event_type_id)
  if (id === null || createdAt === null || eventTypeId === null) return null
  return { id, createdAt, eventTypeId, appId: int(raw.app_id), errorDescription: str(raw.error_description) }
}

export async function probeApp(api: ApiGetter, inputs: OneLoginInputs): Promise<NonNullable<OneLoginFacts['app']>> {
  const answer = await api.get(`${inputs.url}/api/2/apps/${encodeURIComponent(inputs.appId)}`, 'onelogin app')
  const facts = answerFacts(answer, appShape)
  const ok = facts.kind === 'response' && facts.status === 200 && facts.bodyProblem === null && facts.unexpected === null
  return { answer: facts, app: ok && answer.kind === 'response' ? parseApp(answer.json) : null }
}

/** The page's `pagination.after_cursor`, or null. */
function afterCursorOf(json: unknown): string | null {
  const pagination = isObject(json) && isObject(json.pagination) ? json.pagination : null
  const cursor = str(pagination?.after_cursor)
  return cursor !== null && cursor !== '' && cursor.length <= 2000 ? cursor : null
}

export async function probeEvents(api: ApiGetter, inputs: OneLoginInputs, nowMs: number): Promise<OneLoginEvents> {
  const out: OneLoginEvents = { events: [], pages: 0, more: false, stop: 'no more pages', failure: null }
  const seenIds = new Set<number>()
  const seenCursors = new Set<string>()
  const seenUrls = new Set<string>()
  let url: string | null = eventsUrl(inputs, nowMs)
  while (url !== null) {
    if (out.pages === MAX_EVENT_PAGES || seenUrls.has(url)) {
      out.more = true
      out.stop = out.pages === MAX_EVENT_PAGES ? 'page limit' : 'a page asked twice'
      break
    }
    seenUrls.add(url)
    const answer = await api.get(url, `onelogin events page ${out.pages + 1}`)
    const facts = answerFacts(answer, eventsShape)
    if (
      facts.kind === 'fault' ||
      facts.status !== 200 ||
      facts.bodyProblem !== null ||
      facts.unexpected !== null ||
      answer.kind !== 'response'
    ) {
      out.failure = facts
      out.more = out.pages > 0
      out.stop = 'a page failed'
      break
    }
    out.pages++
    const data = (answer.json as { data: unknown[] }).data.slice(0, EVENT_PAGE_LIMIT * 2)
    for (const raw of data) {
      const event = parseEvent(raw)
      if (event === null || seenIds.has(event.id)) continue
      seenIds.add(event.id)
      out.events.push(event)
    }
    const cursor = afterCursorOf(answer.json)
    url = null
    if (cursor === null) break
    // Only a success the verdict will count settles it: one dated in the future (a clock, or a hostile answer) does not.
    if (out.events.some(e => classifyEvent(e, inputs.appId) === 'success' && Date.parse(e.createdAt) <= nowMs + FUTURE_GRACE_MS)) {
      out.stop = 'last success read'
      break
    }
    if (seenCursors.has(cursor)) {
      out.more = true
      out.stop = 'a cursor repeated'
      break
    }
    seenCursors.add(cursor)
    url = eventsUrl(inputs, nowMs, cursor)
  }
  return out
}
