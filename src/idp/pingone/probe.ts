/**
 * The PingOne probes (docs/idp-pingone.md [P3][P4][P12]): after sign-in, at once and side by side,
 * - `GET /v1/environments/{env}/propagation/stores/{storeId}`: type, status, configuration, `syncStatus`;
 * - `GET /v1/environments/{env}/propagation/rules`: `active`, `targetStore.id`, `plan.id` (`_embedded.rules`);
 * - `GET /v1/environments/{env}/propagation/plans`: `status` (`_embedded.plans`; one plan per environment).
 * Never `POST …/propagation/stores/connection/status` (Test Connection: it sends the token to GitHub) nor any
 * other write. A list's `_links.next` is not followed (GUESS: an environment's rules and plan fit one page).
 *
 * The store's `configuration` is read for BASE_URL and the three booleans only. Its OAUTH_ACCESS_TOKEN (the
 * GitHub PAT PingOne holds; whether it comes back is UNCONFIRMED [P3][P16]) is registered as a secret at once,
 * compared with the checked token (`ctx.sameAsChecked`) and dropped: only the yes/no is kept.
 */
import type { IdpAnswer, IdpHttp } from '../http.js'
import type { IdpContext } from '../types.js'
import { isCredentialShaped } from '../../sanitize.js'
import { environmentUrlOf, type PingOneInputs } from './config.js'
import { answerFacts, isRecord, type PingList, type PingPlan, type PingRule, type PingStore, type PingSync } from './facts.js'

/** Items read from one list at most. */
const MAX_ITEMS = 200

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null)
const count = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
const idOf = (v: unknown): string | null => (isRecord(v) ? str(v.id) : null)

function parseSync(raw: unknown): PingSync | null {
  if (!isRecord(raw)) return null
  return {
    syncState: str(raw.syncState),
    details: str(raw.details),
    lastSyncAt: str(raw.lastSyncAt),
    successCount: count(raw.successCount),
    failedCount: count(raw.failedCount),
    failedDeprovisionCount: count(raw.failedDeprovisionCount),
    userTotal: count(raw.userTotal)
  }
}

/** The store, without its secret: the token it may hold is registered, compared and dropped here. */
export function parseStore(json: unknown, ctx: Pick<IdpContext, 'addSecret' | 'sameAsChecked'>): PingStore {
  const body = json as Record<string, unknown>
  const config = isRecord(body.configuration) ? body.configuration : {}
  const held = config.OAUTH_ACCESS_TOKEN
  const tokenReturned = typeof held === 'string' && held !== ''
  if (isCredentialShaped(held)) ctx.addSecret(held)
  const sameTokenAsChecked = tokenReturned && ctx.sameAsChecked ? ctx.sameAsChecked(held) : null
  return {
    id: str(body.id),
    name: str(body.name),
    type: str(body.type),
    status: str(body.status),
    baseUrl: str(config.BASE_URL),
    createUsers: bool(config.CREATE_USERS),
    updateUsers: bool(config.UPDATE_USERS),
    deprovisionUsers: bool(config.DEPROVISION_USERS),
    sync: parseSync(body.syncStatus),
    tokenReturned,
    sameTokenAsChecked
  }
}

const objectShape = (json: unknown): string | null => (isRecord(json) ? null : 'the store is not a JSON object')
const listShape =
  (key: string) =>
  (json: unknown): string | null =>
    isRecord(json) && (json._embedded === undefined || (isRecord(json._embedded) && Array.isArray(json._embedded[key] ?? [])))
      ? null
      : `not a list of ${key} (_embedded.${key})`

function readList<T>(answer: IdpAnswer, key: string, parse: (raw: Record<string, unknown>) => T): PingList<T> {
  const facts = answerFacts(answer, listShape(key))
  if (answer.kind !== 'response' || facts.kind !== 'response' || facts.status !== 200 || facts.bodyProblem || facts.unexpected)
    return { answer: facts, items: null, more: false }
  const body = answer.json as Record<string, unknown>
  const embedded = isRecord(body._embedded) ? body._embedded : {}
  const raw = Array.isArray(embedded[key]) ? (embedded[key] as unknown[]) : []
  const links = isRecord(body._links) ? body._links : {}
  return { answer: facts, items: raw.slice(0, MAX_ITEMS).filter(isRecord).map(parse), more: isRecord(links.next) || raw.length > MAX_ITEMS }
}

const parseRule = (r: Record<string, unknown>): PingRule => ({
  id: str(r.id),
  active: bool(r.active),
  targetStoreId: idOf(r.targetStore),
  planId: idOf(r.plan)
})
const parsePlan = (p: Record<string, unknown>): PingPlan => ({ id: str(p.id), status: str(p.status) })

export interface Probed {
  store: { answer: ReturnType<typeof answerFacts>; store: PingStore | null }
  rules: PingList<PingRule>
  plans: PingList<PingPlan>
}

export async function probe(inputs: PingOneInputs, ctx: IdpContext, http: IdpHttp, accessToken: string): Promise<Probed> {
  const base = environmentUrlOf(inputs)
  const get = (url: string, label: string): Promise<IdpAnswer> =>
    http.send({ method: 'GET', url, label, headers: { authorization: `Bearer ${accessToken}` } })
  const [storeAnswer, rulesAnswer, plansAnswer] = await Promise.all([
    get(`${base}/propagation/stores/${encodeURIComponent(inputs.storeId)}`, 'pingone store'),
    get(`${base}/propagation/rules`, 'pingone rules'),
    get(`${base}/propagation/plans`, 'pingone plans')
  ])
  const storeFacts = answerFacts(storeAnswer, objectShape)
  const ok = storeAnswer.kind === 'response' && storeFacts.kind === 'response' && storeFacts.status === 200
  const store = ok && !storeFacts.bodyProblem && !storeFacts.unexpected ? parseStore(storeAnswer.json, ctx) : null
  return {
    store: { answer: storeFacts, store },
    rules: readList(rulesAnswer, 'rules', parseRule),
    plans: readList(plansAnswer, 'plans', parsePlan)
  }
}
