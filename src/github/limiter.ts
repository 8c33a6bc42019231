/**
 * The queues plugin-throttling schedules through, in place of Bottleneck's
 * (its `throttle.Bottleneck` option): the same calls, without Bottleneck's
 * timer hops and bookkeeping, which cost ~3.5 ms of CPU per request
 * (BENCHMARKS.md). plugin-throttling keeps deciding what a rate limit is and
 * whether to wait for it (its retry limiter's `failed` event, our
 * onRateLimit / onSecondaryRateLimit hooks); this only runs what it schedules.
 *
 * What plugin-throttling uses, and nothing else:
 * - `new Limiter()` (its retry limiter): `on('failed', listener)`, `schedule(fn, ...args)`. A job that
 *   throws is offered to the `failed` listeners; a number returned is a delay in ms after which the job
 *   runs again (as Bottleneck: the job keeps its slot meanwhile), anything else rejects with the error.
 * - `new Limiter.Group({ maxConcurrent })`: `key(id)` → one Limiter per key.
 * - `limiter.schedule({ weight: 0, priority: 0 }, fn, ...args)` for a retried request: unlike Bottleneck,
 *   a weight-0 job still counts against `maxConcurrent` (it only goes to the head of the queue), so that
 *   the cap is never exceeded, retries included.
 * - `new Limiter.Events(object)`: adds `on` to the object; `trigger(name, ...args)` calls every listener and
 *   resolves to the first result that is not null or undefined (a listener that throws counts as null and
 *   is reported to the `error` listeners), as Bottleneck's does.
 * Options other than `maxConcurrent` (minTime, Redis connections, expiration) are not supported: this
 * action passes all five of the plugin's groups itself, none with a minTime.
 *
 * plugin-retry schedules through it too: it creates `new Bottleneck()` from `bottleneck/light.js` for every
 * request (about half of the client's CPU per request, plus a timer hop), with no option to pass another.
 * The build (tsconfig.json `paths`, followed by ncc) and the tests (jest.config.js `moduleNameMapper`) resolve
 * `bottleneck/light.js` to this module, whose default export is Limiter: plugin-retry keeps deciding what is
 * retried and when (its `failed` listener returns the delay), this only runs it.
 */

type Listener = (...args: unknown[]) => unknown
type Task = (...args: unknown[]) => unknown

export interface LimiterOptions {
  /** Jobs running at once; null or absent: no limit. */
  maxConcurrent?: number | null
}

export interface JobOptions {
  /** 0: a retry (plugin-throttling's `{ priority: 0, weight: 0 }`): queued ahead of new jobs. */
  weight?: number
  priority?: number
}

/** Bottleneck's emitter (Bottleneck.Events), as plugin-throttling uses it. */
class Events {
  private readonly listeners = new Map<string, Listener[]>()

  constructor(instance: object) {
    const target = instance as { on?: unknown }
    if (target.on != null) throw new Error('An Emitter already exists for this object')
    target.on = (name: string, cb: Listener) => {
      this.listeners.set(name, [...(this.listeners.get(name) ?? []), cb])
      return instance
    }
  }

  async trigger(name: string, ...args: unknown[]): Promise<unknown> {
    const listeners = this.listeners.get(name) ?? []
    const results = await Promise.all(
      listeners.map(async cb => {
        try {
          return await cb(...args)
        } catch (e) {
          if (name !== 'error') void this.trigger('error', e)
          return null
        }
      })
    )
    return results.find(x => x != null)
  }
}

/** Slots with a FIFO queue: `take` resolves at once (undefined) or when `give` hands a slot over. */
export class Semaphore {
  private readonly max: number
  private used = 0
  /** Takers waiting for a slot, in order; a `first` one is put at the head. */
  private readonly waiting: Array<() => void> = []

  constructor(maxConcurrent?: number | null) {
    this.max = maxConcurrent == null ? Infinity : maxConcurrent
    if (!(this.max >= 1)) throw new Error('maxConcurrent must be at least 1')
  }

  /** Slots in use now. */
  get inUse(): number {
    return this.used
  }

  /** Takers waiting now. */
  get queued(): number {
    return this.waiting.length
  }

  take(first = false): Promise<void> | undefined {
    if (this.used < this.max) {
      this.used++
      return undefined
    }
    return new Promise<void>(resolve => {
      // The slot is handed over by give(): `used` stays as it is.
      if (first) this.waiting.unshift(resolve)
      else this.waiting.push(resolve)
    })
  }

  give(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.used--
  }
}

export class Limiter {
  static Events = Events
  static Group: typeof LimiterGroup

  private readonly slots: Semaphore
  private readonly events: Events
  declare on: (name: string, cb: Listener) => this

  constructor(options: LimiterOptions = {}) {
    this.slots = new Semaphore(options.maxConcurrent)
    this.events = new Events(this)
  }

  /** Jobs running now (tests). */
  get runningCount(): number {
    return this.slots.inUse
  }

  /** Jobs waiting for a slot now (tests). */
  get queuedCount(): number {
    return this.slots.queued
  }

  schedule(...call: unknown[]): Promise<unknown> {
    const [options, task, args] =
      typeof call[0] === 'function'
        ? [{} as JobOptions, call[0] as Task, call.slice(1)]
        : [(call[0] ?? {}) as JobOptions, call[1] as Task, call.slice(2)]
    return this.run(options, task, args)
  }

  private async run(options: JobOptions, task: Task, args: unknown[]): Promise<unknown> {
    const wait = this.slots.take(options.weight === 0)
    if (wait) await wait
    try {
      for (let retryCount = 0; ; retryCount++) {
        try {
          return await task(...args)
        } catch (error) {
          const retry = await this.events.trigger('failed', error, { args, options, retryCount })
          if (retry == null) throw error
          const ms = Math.max(0, Math.trunc(Number(retry)) || 0)
          await new Promise(resolve => setTimeout(resolve, ms))
        }
      }
    } finally {
      this.slots.give()
    }
  }
}

/** Bottleneck.Group: one limiter per key, each with the group's options. */
class LimiterGroup {
  private readonly limiters = new Map<string, Limiter>()

  constructor(private readonly options: LimiterOptions = {}) {}

  key(key = ''): Limiter {
    let limiter = this.limiters.get(key)
    if (!limiter) {
      limiter = new Limiter({ maxConcurrent: this.options.maxConcurrent })
      this.limiters.set(key, limiter)
    }
    return limiter
  }
}

Limiter.Group = LimiterGroup

/** What `import Bottleneck from 'bottleneck/light.js'` gives plugin-retry (and plugin-throttling's default). */
export default Limiter
