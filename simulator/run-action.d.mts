export const ACTION_ENTRY: string

export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  title: string | null
  message: string
}

export interface ReportJson {
  status: string
  login: string | null
  tokenKind: string
  scopes: string[]
  expiresAt: string | null
  causes: Array<{ id: string; severity: string; org: string | null; enterprise: string | null; title: string; message: string; remediation: string; url?: string }>
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
