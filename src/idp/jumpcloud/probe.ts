/**
 * The JumpCloud probes, after sign-in, at once and side by side:
 * - `GET {console}/api/applications/{id}` (v1) [J4]: only `active`, `name`, `displayLabel` are kept. The body
 *   may hold `config.idpPrivateKey` (the app's SAML signing key): it is never kept, and a value there is
 *   registered as a secret so that an echo of it is scrubbed;
 * - `POST {insights}/insights/directory/v1/events` [J3]: Directory Insights has no GET; this documented query
 *   only reads. The app's provisioning events over the look-back, newest first, paged by resending the same
 *   body with `search_after` from the `X-Search_after` header until `X-Result-Count < X-Limit`, five pages at
 *   most; a `search_after` is never sent twice and an event is never counted twice (by `id`).
 * They gather facts; `judgeJumpCloud` decides.
 */
import { isCredentialShaped } from '../../sanitize.js'
import type { IdpHttp } from '../http.js'
import type { IdpContext } from '../types.js'
import { EVENTS_PATH, type JumpCloudInputs } from './config.js'
import { answerFacts, type JcApp, type JcEvent, type JcEvents, type JcFacts } from './facts.js'

export const MAX_EVENT_PAGES = 5
/** Rows a page (JumpCloud's default; its maximum is 10,000 [J3]). */
export const EVENT_PAGE_LIMIT = 1000

/**
 * The events that tell of the app's provisioning [J3][J5]. `user_deprovision`, `user_lookup_provision` and the
 * group events come from JumpCloud's custom-SCIM article [J5]; that the GitHub connectors emit each of them is
 * UNCONFIRMED. `integration_activate`/`integration_deactivate`: a SCIM integration switched on or off [J3].
 */
export const PROVISION_EVENTS = [
  'user_create_provision',
  'user_update_provision',
  'user_delete_provision',
  'user_deprovision',
  'user_lookup_provision',
  'group_create_provision',
  'group_update_provision',
  'group_delete_provision'
] as const
export const INTEGRATION_EVENTS = ['integration_activate', 'integration_deactivate'] as const

/** Only the fields the verdict reads (a smaller page; no user's name or address is asked for). */
const FIELDS = ['id', 'timestamp', 'event_type', 'service', 'success', 'error_message', 'message_chain', 'application', 'idm_client_id']

/**
 * The query body, the same on every page but for `search_after` [J3]. Values are stored lower-case, hence the
 * lower-case id. GUESS: that `application.id` (or `idm_client_id`) is filled on provisioning events is
 * UNCONFIRMED; both are asked with the documented compound `or`, and matched again in the verdict.
 */
export function eventsQuery(inputs: JumpCloudInputs, nowMs: number): Record<string, unknown> {
  return {
    service: ['directory'],
    start_time: new Date(nowMs - inputs.lookbackHours * 3_600_000).toISOString(),
    end_time: new Date(nowMs).toISOString(),
    sort: 'DESC',
    limit: EVENT_PAGE_LIMIT,
    fields: FIELDS,
    search_term: {
      and: [
        { event_type: [...PROVISION_EVENTS, ...INTEGRATION_EVENTS] },
        { or: [{ 'application.id': inputs.appId }, { idm_client_id: inputs.appId }] }
      ]
    }
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)
const record = (v: unknown): Record<string, unknown> | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null

/** Reduces one event to what the verdict reads; events without a time or type are dropped. */
export function parseEvent(raw: unknown): JcEvent | null {
  const e = record(raw)
  if (e === null) return null
  const timestamp = str(e.timestamp)
  const eventType = str(e.event_type)
  if (timestamp === null || eventType === null) return null
  const chain = record(e.message_chain)
  const code = chain?.response_code
  return {
    id: str(e.id),
    timestamp,
    eventType,
    success: typeof e.success === 'boolean' ? e.success : null,
    errorMessage: str(e.error_message),
    responseCode: typeof code === 'number' && Number.isInteger(code) ? String(code) : str(code),
    responseMessage: str(chain?.response_message),
    applicationId: str(record(e.application)?.id),
    idmClientId: str(e.idm_client_id)
  }
}

/** `X-Search_after`: a JSON array of a few strings and numbers [J3]; null when it is anything else. */
export function searchAfterOf(header: string | undefined): Array<string | number> | null {
  if (header === undefined || header.length > 1000) return null
  try {
    const value: unknown = JSON.parse(header)
    if (!Array.isArray(value) || value.length === 0 || value.length > 10) return null
    return value.every(v => (typeof v === 'string' && v.length <= 200) || (typeof v === 'number' && Number.isFinite(v)))
      ? (value as Array<string | number>)
      : null
  } catch {
    return null
  }
}

const count = (header: string | undefined): number | null =>
  header !== undefined && /^\d{1,6}$/.test(header.trim()) ? Number(header) : null

const appShape = (json: unknown): string | null => (record(json) === null ? 'the application is not a JSON object' : null)
const eventsShape = (json: unknown): string | null => (Array.isArray(json) ? null : 'the events page is not a JSON array')

/**
 * The app's SAML signing key, as a secret: the whole value (this check's scrubber takes it apart) and, for
 * a PEM, each line of its body (what the runner can mask: only credential-shaped values are masked).
 */
function registerKey(key: string, ctx: IdpContext): void {
  const pem = /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)
  if (!pem && !isCredentialShaped(key)) return
  ctx.addSecret(key)
  if (pem) for (const line of key.split(/\r?\n/)) if (isCredentialShaped(line.trim())) ctx.addSecret(line.trim())
}

export async function probeApp(
  http: IdpHttp,
  inputs: JumpCloudInputs,
  headers: Record<string, string>,
  ctx: IdpContext
): Promise<NonNullable<JcFacts['app']>> {
  const answer = await http.send({
    method: 'GET',
    url: `${inputs.consoleUrl}/api/applications/${encodeURIComponent(inputs.appId)}`,
    label: 'jumpcloud app',
    headers
  })
  const facts = answerFacts(answer, appShape)
  const body = answer.kind === 'response' ? record(answer.json) : null
  // The app's SAML signing key may come back: never kept, but masked and scrubbed should anything echo it.
  // The schema has `{ value }`; a plain string is taken as the key too.
  const raw = record(body?.config)?.idpPrivateKey
  const key = typeof raw === 'string' ? raw : record(raw)?.value
  if (typeof key === 'string') registerKey(key, ctx)
  const ok = facts.kind === 'response' && facts.status === 200 && facts.bodyProblem === null && facts.unexpected === null
  if (!ok || body === null) return { answer: facts, app: null }
  const app: JcApp = {
    active: typeof body.active === 'boolean' ? body.active : null,
    name: str(body.name),
    displayLabel: str(body.displayLabel)
  }
  return { answer: facts, app }
}

/**
 * One page's rows, each counted once: by `id`, and one without an id by all it says (a page sent again with a
 * new cursor must not count its id-less events twice; two id-less events alike in every field count once).
 */
function addPage(events: JcEvents, seen: Set<string>, rows: unknown[]): void {
  for (const raw of rows.slice(0, EVENT_PAGE_LIMIT)) {
    const event = parseEvent(raw)
    if (event === null) continue
    const key = event.id !== null ? `id:${event.id}` : `event:${JSON.stringify(event)}`
    if (seen.has(key)) continue
    seen.add(key)
    events.events.push(event)
  }
}

export async function probeEvents(
  http: IdpHttp,
  inputs: JumpCloudInputs,
  headers: Record<string, string>,
  nowMs: number
): Promise<JcEvents> {
  const query = eventsQuery(inputs, nowMs)
  const events: JcEvents = { events: [], pages: 0, more: false, failure: null, ascending: false }
  const seen = new Set<string>()
  const sent = new Set<string>()
  let after: Array<string | number> | null = null
  for (;;) {
    if (events.pages === MAX_EVENT_PAGES) {
      events.more = true
      break
    }
    const answer = await http.send({
      method: 'POST',
      url: `${inputs.insightsUrl}${EVENTS_PATH}`,
      readOnlyQuery: true,
      label: `jumpcloud events page ${events.pages + 1}`,
      headers,
      json: after === null ? query : { ...query, search_after: after }
    })
    const facts = answerFacts(answer, eventsShape)
    if (
      facts.kind === 'fault' ||
      facts.status !== 200 ||
      facts.bodyProblem !== null ||
      facts.unexpected !== null ||
      answer.kind !== 'response'
    ) {
      events.failure = facts
      if (events.pages > 0) events.more = true
      break
    }
    events.pages++
    const rows = answer.json as unknown[]
    addPage(events, seen, rows)
    if (/^\s*asc\s*$/i.test(answer.headers['x-sort'] ?? '')) events.ascending = true
    const resultCount = count(answer.headers['x-result-count']) ?? rows.length
    const limit = count(answer.headers['x-limit']) ?? EVENT_PAGE_LIMIT
    if (resultCount < limit) break
    const next = searchAfterOf(answer.headers['x-search_after'])
    // No usable cursor, or one already sent (a loop): stop, and say the evidence may be incomplete.
    if (next === null || sent.has(JSON.stringify(next))) {
      events.more = true
      break
    }
    sent.add(JSON.stringify(next))
    after = next
  }
  return events
}
