export const ACTION_ENTRY: string

export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  title: string | null
  message: string
}

/** `report.idp` (src/diagnose/idp.ts IdpVerdict). */
export interface ReportIdp {
  provider: 'okta' | 'entra'
  app: string
  appLabel: string | null
  status: 'healthy' | 'failing' | 'off' | 'unknown'
  lastSuccessAt: string | null
  lastFailureAt: string | null
  lastFailureReason: string | null
  quarantine: {
    reason: string
    since: string | null
    nextAttemptAt: string | null
    errorCode: string | null
    errorMessage: string | null
  } | null
  /** Entra: every synchronization job (emptied when the report is too large); Okta: none. */
  jobs: Array<{
    id: string
    templateId: string | null
    status: string
    scheduleState: string | null
    lastExecutionAt: string | null
    lastExecutionState: string | null
    lastSuccessAt: string | null
    quarantine: ReportIdp['quarantine']
  }>
  evidenceSince: string | null
}

export interface ReportJson {
  status: string
  login: string | null
  tokenKind: string
  scopes: string[]
  expiresAt: string | null
  causes: Array<{
    id: string
    severity: string
    org: string | null
    enterprise: string | null
    title: string
    message: string
    remediation: string
    url?: string
  }>
  /** The IdP side (`idp` input); null without it. */
  idp: ReportIdp | null
  [key: string]: unknown
}

export interface ActionRun {
  code: number | null
  stdout: string
  stderr: string
  outputsText: string
  outputs: Record<string, string>
  summary: string
  annotations: Annotation[]
  report: ReportJson | null
  durationMs: number
}

export function parseOutputFile(text: string): Record<string, string>
export function parseAnnotations(stdout: string): Annotation[]
export function runAction(
  inputs: Record<string, string | undefined>,
  options?: { env?: Record<string, string>; timeoutMs?: number; entry?: string; node?: string }
): Promise<ActionRun>
export function leaksOf(run: ActionRun, secret: string): string[]
