/**
 * Runs the action in this process (`run` from src/action/run.ts, the real client
 * against a loopback simulator) with a recording stand-in for @actions/core:
 * what the runner would get as outputs, annotations, log lines, the job
 * summary and the exit code. In-process runs count for coverage.
 */
import { run, type RunCore } from '../../src/action/run.js'

export interface InProcessRun {
  outputs: Record<string, string>
  annotations: Array<{ level: 'error' | 'warning' | 'notice'; text: string; title: string | null }>
  /** info and debug lines, in order. */
  logs: string[]
  /** Secrets the action masked (core.setSecret). */
  masked: string[]
  summary: string
  /** The step's exit code, as the action set it. */
  code: number
}

export function recordingCore(inputs: Record<string, string>, rec: InProcessRun): RunCore {
  let buffer = ''
  const summary = {
    addRaw(text: string, eol = false) {
      buffer += eol ? `${text}\n` : text
      return summary
    },
    async write() {
      rec.summary += buffer
      buffer = ''
      return summary
    }
  }
  const annotate = (level: 'error' | 'warning' | 'notice') => (m: string | Error, props?: { title?: string }) =>
    void rec.annotations.push({ level, text: String(m), title: props?.title ?? null })
  return {
    getInput: (name: string) => inputs[name] ?? '',
    setSecret: (s: string) => void rec.masked.push(s),
    debug: (m: string) => void rec.logs.push(m),
    info: (m: string) => void rec.logs.push(m),
    error: annotate('error'),
    warning: annotate('warning'),
    notice: annotate('notice'),
    setOutput: (name: string, value: unknown) => void (rec.outputs[name] = String(value)),
    summary: summary as unknown as RunCore['summary']
  } as RunCore
}

/** Runs the action in-process; `GITHUB_STEP_SUMMARY` is set so that the summary is written (to the recorder). */
export async function runInProcess(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): Promise<InProcessRun> {
  const rec: InProcessRun = { outputs: {}, annotations: [], logs: [], masked: [], summary: '', code: 0 }
  const savedSummary = process.env.GITHUB_STEP_SUMMARY
  process.env.GITHUB_STEP_SUMMARY = '/dev/null'
  try {
    const setExitCode = (code: number): void => void (rec.code = code)
    await run({ core: recordingCore(inputs, rec), env: { ...env }, now: Date.now, startedAt: Date.now(), retryBaseMs: 10, setExitCode })
  } finally {
    if (savedSummary === undefined) delete process.env.GITHUB_STEP_SUMMARY
    else process.env.GITHUB_STEP_SUMMARY = savedSummary
  }
  return rec
}
