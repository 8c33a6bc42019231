/**
 * At most `n` child processes of a test file at a time. The end-to-end cases run concurrently
 * (`it.concurrent`), but each spawns node on a bundle that costs CPU: on a 2-core machine with two
 * jest workers, twenty at once only slow each other down, until a run's own budget (timeout-seconds)
 * is at risk. A case waiting for a slot has not started its run yet; give such cases a test timeout
 * that covers the queue (`QUEUED_TIMEOUT_MS`).
 */
export function slots(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0
  const waiting: Array<() => void> = []
  return async <T>(task: () => Promise<T>): Promise<T> => {
    // A released slot passes straight to the next in line, so that no newcomer can take it in between.
    if (running < n) running++
    else await new Promise<void>(res => waiting.push(res))
    try {
      return await task()
    } finally {
      const next = waiting.shift()
      if (next) next()
      else running--
    }
  }
}

/** Two processes at a time per file: two cores, two jest workers, and budgets (timeout-seconds) that count from a process's start. */
export const SPAWN_SLOTS = 2

/** The test timeout of a case that may queue behind a file's other runs. */
export const QUEUED_TIMEOUT_MS = 120_000
