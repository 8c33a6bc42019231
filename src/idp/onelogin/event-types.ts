/**
 * OneLogin's provisioning event types, by `event_type_id` (docs/idp-onelogin.md). The ids and names come from
 * the Microsoft Sentinel OneLogin parser and a community client (observed [O9]); OneLogin serves the list at
 * `GET /api/1/events/types` [O7]. GUESS (observed, not documented): WHICH of them OneLogin writes when GitHub
 * refuses the stored OAuth token. The verdict reads only these vendor-controlled fields: `event_type_id`,
 * `app_id` and OneLogin's own `error_description`, never a user-supplied name (`user_name`, `app_name`).
 */
import { withoutUserNames } from '../user-words.js'

/** GUESS (observed [O9]): the app could not sign in to GitHub: APP_COULD_NOT_AUTHENTICATE (85), PROVISIONING_APP_CONFIG_ERROR (250). */
export const CREDENTIAL_EVENTS: readonly number[] = [85, 250]
/**
 * GUESS (observed [O9]): a push that failed: USER_FAILED_SUSPENDING/REACTIVATING/DELETING/CREATING/UPDATING_IN_APP
 * (61–65) and PROVISIONING_EXCEPTION (25). About credentials when OneLogin's `error_description` says so.
 */
export const FAILURE_EVENTS: readonly number[] = [25, 61, 62, 63, 64, 65]
/** GUESS (observed [O9]): a push that went through: USER_CREATED/UPDATED/SUSPENDED/REACTIVATED/DELETED_IN_APP (51–55). */
export const SUCCESS_EVENTS: readonly number[] = [51, 52, 53, 54, 55]

/** The `event_type_id` list of the query: every type the verdict reads, and no other. */
export const QUERIED_EVENTS: readonly number[] = [...SUCCESS_EVENTS, ...FAILURE_EVENTS, ...CREDENTIAL_EVENTS].sort((a, b) => a - b)

/** GUESS: the words of a failure's `error_description` that mean GitHub refused the credential (a 401 "Bad credentials"). */
export const CREDENTIAL_WORDS = /\b401\b|unauthori[sz]ed|credential|\btoken\b|bad credentials/i

/** The parser's names, for a reason when OneLogin gave no `error_description` (observed [O9]). */
export const EVENT_NAMES: Readonly<Record<number, string>> = {
  25: 'PROVISIONING_EXCEPTION',
  51: 'USER_CREATED_IN_APP',
  52: 'USER_UPDATED_IN_APP',
  53: 'USER_SUSPENDED_IN_APP',
  54: 'USER_REACTIVATED_IN_APP',
  55: 'USER_DELETED_IN_APP',
  61: 'USER_FAILED_SUSPENDING_IN_APP',
  62: 'USER_FAILED_REACTIVATING_IN_APP',
  63: 'USER_FAILED_DELETING_IN_APP',
  64: 'USER_FAILED_CREATING_IN_APP',
  65: 'USER_FAILED_UPDATING_IN_APP',
  85: 'APP_COULD_NOT_AUTHENTICATE',
  250: 'PROVISIONING_APP_CONFIG_ERROR'
}

export type EventKind = 'success' | 'credentials' | 'other'

/** How one event counts for the app `appId`, or null when it does not (another app, another type). */
export function classifyEvent(
  e: { eventTypeId: number; appId: number | null; errorDescription: string | null },
  appId: string
): EventKind | null {
  if (e.appId === null || String(e.appId) !== appId) return null
  if (SUCCESS_EVENTS.includes(e.eventTypeId)) return 'success'
  if (CREDENTIAL_EVENTS.includes(e.eventTypeId)) return 'credentials'
  if (!FAILURE_EVENTS.includes(e.eventTypeId)) return null
  // The words are read without the user's name the text may quote (a login, a quoted name): never a user's field.
  return CREDENTIAL_WORDS.test(withoutUserNames(e.errorDescription ?? '')) ? 'credentials' : 'other'
}
