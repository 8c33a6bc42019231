/**
 * The PingOne verdict: one pure function from the probes' facts to the `IdpReport` (docs/idp-pingone.md).
 * Every server string passes `serverText` before it goes into the report.
 *
 * The store's `syncStatus` decides, vendor-controlled fields first:
 * - `syncState: FAILED`: a credentials failure when its `details` speak of 401, unauthorized, credentials or
 *   a token (GUESS: PingOne's wording for GitHub refusing the token is UNCONFIRMED), else provisioning errors;
 * - `SYNCING` with `failedCount`/`failedDeprovisionCount` > 0: provisioning errors (counted "since the last
 *   revision" [P4]); `SYNCING` without failures: healthy, `lastSyncAt` taken as the last success (GUESS);
 * - another `syncState`: check-failed (never healthy); no `syncStatus` or no `lastSyncAt`: no attempt seen.
 * Provisioning is off when the store is not ACTIVE, when no active rule targets it, or when its plan is not
 * ACTIVE [P12]. With `enterprise`, the store's BASE_URL must end `/scim/v2/enterprises/<enterprise>`.
 */
import { serverText } from '../../sanitize.js'
import type { IdpFinding, IdpReport } from '../types.js'
import { blankReport } from '../report.js'
import { withoutUserNames } from '../user-words.js'
import type { PingOneInputs } from './config.js'
import type { PingOneFacts, PingPlan, PingRule, PingStore } from './facts.js'
import { apiFailureFinding, failed, tokenFailureFinding } from './failures.js'

export interface JudgeOptions {
  storeId: string
  /** The enterprise the run checks (EMU), or null. */
  enterprise: string | null
  inputs: Pick<PingOneInputs, 'auth' | 'authUrlInput' | 'apiUrlInput'>
}

export const GITHUB_EMU = 'GitHubEMU'
/** GUESS (UNCONFIRMED wording): `details` of a sync that GitHub refused for the token. */
const CREDENTIAL_WORDS = /\b401\b|unauthori[sz]ed|credential|\btoken\b|bad credentials|authenticat/i

/** Said beside a credentials failure: is the token PingOne holds the one this run checked? */
export const HELD_TOKEN_NOTE = {
  other:
    "[this check: PingOne holds another token than the one this run checked, so GitHub's verdict on the checked token is not about PingOne's]",
  same: "[this check: PingOne holds the very token this run checked, so GitHub's verdict on it is about PingOne's token too]"
} as const

/** `…/scim/v2/enterprises/<slug>` of a BASE_URL, or null. */
export function enterpriseOf(baseUrl: string): string | null {
  const m = /\/scim\/v2\/enterprises\/([^/?#]+)\/*$/i.exec(baseUrl.trim())
  return m?.[1] ? decodeURIComponent(m[1]) : null
}

function storeDetails(store: PingStore): Record<string, unknown> {
  const s = store.sync
  return {
    id: serverText(store.id ?? '', 64),
    name: store.name === null ? null : serverText(store.name, 120),
    type: store.type === null ? null : serverText(store.type, 40),
    status: store.status === null ? null : serverText(store.status, 40),
    syncState: s?.syncState == null ? null : serverText(s.syncState, 40),
    lastSyncAt: s?.lastSyncAt == null ? null : serverText(s.lastSyncAt, 40),
    successCount: s?.successCount ?? null,
    failedCount: s?.failedCount ?? null,
    failedDeprovisionCount: s?.failedDeprovisionCount ?? null,
    userTotal: s?.userTotal ?? null
  }
}

/** A verdict the answer cannot give whole (a list not read to its end): partial, never healthy. */
const partial = (reason: string): IdpFinding => ({ ...failed(null, reason), partial: true })

/** Off: the store, its rules, the plan. Findings for lists that could not be read. */
function judgeOff(
  facts: PingOneFacts,
  store: PingStore,
  options: JudgeOptions,
  add: (f: IdpFinding) => void
): { rules: string | null; plan: string | null } {
  if (store.status !== null && store.status !== 'ACTIVE')
    add({ kind: 'provisioning-off', reason: serverText(`the GitHub EMU store is ${store.status} in PingOne: it provisions nothing`) })
  let targeting: PingRule[] = []
  let rules: string | null = null
  if (facts.rules?.items) {
    const all = facts.rules.items.filter(r => r.targetStoreId === options.storeId)
    targeting = all.filter(r => r.active === true)
    rules = `${targeting.length} active of ${all.length} targeting the store`
    if (targeting.length === 0 && facts.rules.more)
      add(partial('PingOne listed more propagation rules than one page (not followed): whether a rule targets the store is not known'))
    else if (targeting.length === 0)
      add({
        kind: 'provisioning-off',
        reason:
          all.length === 0
            ? 'no propagation rule targets the GitHub EMU store'
            : 'the propagation rules that target the GitHub EMU store are all inactive'
      })
  } else if (facts.rules) add(apiFailureFinding(facts.rules.answer, 'rules', options.inputs))
  let plan: string | null = null
  if (facts.plans?.items) {
    const ids = new Set(targeting.map(r => r.planId).filter((id): id is string => id !== null))
    const relevant: PingPlan[] = ids.size > 0 ? facts.plans.items.filter(p => p.id !== null && ids.has(p.id)) : facts.plans.items
    const active = relevant.some(p => p.status === 'ACTIVE')
    plan = relevant.length === 0 ? 'none' : relevant.map(p => serverText(p.status ?? 'no status', 40)).join(', ')
    if (!active && facts.plans.more)
      // The plan that decides may be on a page not read: neither off nor healthy.
      add(partial("PingOne listed more propagation plans than one page (not followed): whether the store's plan is ACTIVE is not known"))
    else if (!active)
      add({
        kind: 'provisioning-off',
        reason:
          relevant.length === 0
            ? 'the environment has no propagation plan'
            : `the propagation plan is ${plan}, not ACTIVE: PingOne runs no rule of it`
      })
  } else if (facts.plans) add(apiFailureFinding(facts.plans.answer, 'plans', options.inputs))
  return { rules, plan }
}

/** The sync's own verdict; the report's times and reasons. */
function judgeSync(store: PingStore, report: IdpReport, add: (f: IdpFinding) => void): void {
  const s = store.sync
  if (s === null || (s.lastSyncAt === null && s.syncState === null)) {
    report.noAttempt = true
    return
  }
  const details = s.details !== null && s.details.trim() !== '' ? serverText(s.details) : null
  // A count below zero is no count: it must not cancel the other one's failures.
  const failedCount = Math.max(0, s.failedCount ?? 0) + Math.max(0, s.failedDeprovisionCount ?? 0)
  const at = s.lastSyncAt === null ? null : serverText(s.lastSyncAt, 40)
  if (s.syncState === 'FAILED') {
    report.lastFailureAt = at
    report.lastFailureReason = details ?? 'syncState FAILED'
    // Read without the user names the details may quote (a login, a quoted name): never a user's field.
    if (details !== null && CREDENTIAL_WORDS.test(withoutUserNames(s.details ?? '')))
      add({ kind: 'credentials-rejected', since: null, sinceAtLeast: false, reason: details })
    else
      add({
        kind: 'provisioning-errors',
        count: Math.max(1, failedCount),
        latestReason: details ?? `the sync FAILED (${failedCount} failed since the last revision)`
      })
    return
  }
  if (s.syncState !== 'SYNCING') {
    add(
      failed(
        null,
        `PingOne reports a sync state this check does not know (${serverText(s.syncState ?? 'none', 40)}): the store's health is not known`
      )
    )
    return
  }
  if (s.lastSyncAt === null) report.noAttempt = true
  if (failedCount > 0) {
    report.lastFailureAt = at
    report.lastFailureReason = details ?? `${failedCount} failed since the last revision`
    add({ kind: 'provisioning-errors', count: failedCount, latestReason: report.lastFailureReason })
  } else report.lastSuccessAt = at
}

/** With `enterprise`: the store's BASE_URL must be that enterprise's SCIM endpoint. */
function judgeBaseUrl(store: PingStore, enterprise: string | null, add: (f: IdpFinding) => void): void {
  if (enterprise === null || store.baseUrl === null) return
  const slug = enterpriseOf(store.baseUrl)
  if (slug !== null && slug.toLowerCase() === enterprise.toLowerCase()) return
  add(
    failed(
      'pingone-store-id',
      slug === null
        ? `the GitHub EMU store's Base URL (${serverText(store.baseUrl, 160)}) is not an enterprise SCIM URL (…/scim/v2/enterprises/${enterprise}): PingOne provisions elsewhere`
        : `the GitHub EMU store provisions the enterprise ${serverText(slug, 60)}, not ${enterprise} that this run checks: its Base URL points elsewhere`
    )
  )
}

export function judgePingOne(facts: PingOneFacts, options: JudgeOptions): IdpReport {
  const report = blankReport('pingone', options.storeId, facts.requests, [], { store: null, sameTokenAsChecked: 'unknown' })
  const add = (finding: IdpFinding): void => {
    if (!report.findings.some(f => JSON.stringify(f) === JSON.stringify(finding))) report.findings.push(finding)
  }
  if (facts.keyProblem !== null) {
    add(failed('pingone-private-key', `the private key cannot be used: ${facts.keyProblem}`))
    return report
  }
  if (facts.tokenFailure !== null) {
    add(tokenFailureFinding(facts.tokenFailure, options.inputs, facts.keyIdGiven))
    return report
  }
  if (!facts.store) return report
  const store = facts.store.store
  if (store === null) {
    add(apiFailureFinding(facts.store.answer, 'store', options.inputs))
    return report
  }
  report.appLabel = store.name === null ? null : serverText(store.name)
  const same = store.sameTokenAsChecked
  report.details = {
    store: storeDetails(store),
    sameTokenAsChecked: same === null ? 'unknown' : same,
    baseUrl: store.baseUrl === null ? null : serverText(store.baseUrl, 300)
  }
  if (store.id !== null && store.id.toLowerCase() !== options.storeId.toLowerCase()) {
    // An answer about another store says nothing of this one's health.
    add(failed('pingone-store-id', `PingOne answered for another propagation store (${serverText(store.id, 64)}) than pingone-store-id`))
    return report
  }
  if (store.type !== GITHUB_EMU) {
    add(
      failed(
        'pingone-store-id',
        `the propagation store pingone-store-id is of type ${serverText(store.type ?? 'none', 40)}, not ${GITHUB_EMU}`
      )
    )
    return report
  }
  judgeBaseUrl(store, options.enterprise, add)
  const { rules, plan } = judgeOff(facts, store, options, add)
  report.details = { ...report.details, rules, plan }
  judgeSync(store, report, add)
  if (same !== null) {
    const note = same ? HELD_TOKEN_NOTE.same : HELD_TOKEN_NOTE.other
    report.findings = report.findings.map(f =>
      f.kind === 'credentials-rejected' ? { ...f, reason: serverText(`${f.reason} ${note}`, 500) } : f
    )
  }
  return report
}
