/** Entra's validated inputs (src/idp/entra/provider.ts parses them) and its jobs as `report.idp.entra.jobs` lists them. */
import type { IdpQuarantine } from '../types.js'

/** One Entra synchronization job, as `report.idp.entra.jobs` lists it. */
export interface IdpJob {
  id: string
  templateId: string | null
  /** status.code: NotConfigured, NotRun, Active, Paused, Quarantine. */
  status: string
  scheduleState: string | null
  lastExecutionAt: string | null
  lastExecutionState: string | null
  lastSuccessAt: string | null
  quarantine: IdpQuarantine | null
}

export type EntraAuth =
  | { kind: 'secret'; secret: string }
  /** GitHub OIDC federation: the runner's ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN. */
  | { kind: 'oidc'; requestUrl: string; requestToken: string; audience: string }

export interface EntraInputs {
  tenantId: string
  clientId: string
  servicePrincipalId: string
  /** https://login.microsoftonline.com (no trailing slash). */
  loginUrl: string
  /** https://graph.microsoft.com (no trailing slash). */
  graphUrl: string
  auth: EntraAuth
}
