/**
 * The request queues: src/github/limiter.ts (what plugin-throttling schedules through instead of Bottleneck)
 * and the cap of 50 requests in flight, counted by the fake itself on a 100-org run. Speed is measured by
 * `npm run bench`, never here.
 */
import { describe, expect, it } from '@jest/globals'
import { checkToken } from '../src/check.js'
import { DEFAULT_MAX_CONCURRENT } from '../src/github/client.js'
import { Limiter } from '../src/github/limiter.js'
import { parseInputs } from '../src/inputs.js'
import { startFake } from '../simulator/github-fake.mjs'
import { addOrg, ORG, scenarioWorld, SERVICE_ACCOUNT } from '../simulator/worlds.mjs'

const tick = (): Promise<void> => new Promise(resolve => setImmediate(resolve))

/** Most requests open at once in the fake's log (an end before a start at the same instant). */
function maxInFlight(requests: Array<{ startedAt: number; endedAt: number | null }>): number {
  const events = requests.flatMap(
    r =>
      [
        [r.startedAt, 1],
        [r.endedAt ?? Infinity, -1]
      ] as Array<[number, number]>
  )
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1])
  let open = 0
  let max = 0
  for (const [, d] of events) max = Math.max(max, (open += d))
  return max
}

describe('Limiter (plugin-throttling queues)', () => {
  it('runs at most maxConcurrent jobs at once, in order, and resolves each with its own result', async () => {
    const limiter = new Limiter({ maxConcurrent: 2 })
    let running = 0
    let most = 0
    const started: number[] = []
    const job = async (i: number): Promise<number> => {
      started.push(i)
      most = Math.max(most, ++running)
      await tick()
      running--
      return i * 10
    }
    const results = await Promise.all([0, 1, 2, 3, 4].map(i => limiter.schedule(job, i)))
    expect(results).toEqual([0, 10, 20, 30, 40])
    expect(most).toBe(2)
    expect(started).toEqual([0, 1, 2, 3, 4])
    expect(limiter.runningCount).toBe(0)
  })

  it('puts a retried job (weight 0) at the head of the queue, still inside the cap', async () => {
    const limiter = new Limiter({ maxConcurrent: 1 })
    const order: string[] = []
    let release!: () => void
    const first = limiter.schedule(() => new Promise<void>(resolve => (release = resolve)))
    const queued = limiter.schedule(async () => void order.push('new'))
    const retried = limiter.schedule({ priority: 0, weight: 0 }, async () => void order.push('retry'))
    await tick()
    expect(limiter.runningCount).toBe(1)
    expect(limiter.queuedCount).toBe(2)
    release()
    await Promise.all([first, queued, retried])
    expect(order).toEqual(['retry', 'new'])
  })

  it('offers a failed job to the failed listeners: a number runs it again after that many ms, else it rejects', async () => {
    const limiter = new Limiter()
    const seen: Array<{ retryCount: number; args: unknown[] }> = []
    limiter.on('failed', (_error: unknown, info: unknown) => {
      const i = info as { retryCount: number; args: unknown[] }
      seen.push(i)
      return i.retryCount < 1 ? 5 : undefined
    })
    let calls = 0
    const failing = async (label: string): Promise<never> => {
      calls++
      throw new Error(`no ${label}`)
    }
    await expect(limiter.schedule(failing, 'luck')).rejects.toThrow('no luck')
    expect(calls).toBe(2)
    expect(seen.map(s => s.retryCount)).toEqual([0, 1])
    expect(seen[0]?.args).toEqual(['luck'])

    let attempts = 0
    const flaky = async (): Promise<string> => {
      if (attempts++ === 0) throw new Error('once')
      return 'ok'
    }
    await expect(limiter.schedule(flaky)).resolves.toBe('ok')
  })

  it('Events: every listener is called; the first result that is not null wins; a throwing listener counts as null', async () => {
    const target: { on?: (name: string, cb: (...a: unknown[]) => unknown) => unknown } = {}
    const events = new Limiter.Events(target)
    const errors: unknown[] = []
    target.on?.('error', e => void errors.push(e))
    target.on?.('rate-limit', () => {
      throw new Error('listener bug')
    })
    target.on?.('rate-limit', async (after: unknown) => (after as number) > 10)
    target.on?.('rate-limit', () => undefined)
    await expect(events.trigger('rate-limit', 60)).resolves.toBe(true)
    await expect(events.trigger('rate-limit', 1)).resolves.toBe(false)
    await expect(events.trigger('nobody-listens')).resolves.toBeUndefined()
    expect(errors).toHaveLength(2)
  })

  it('Group: one limiter per key', () => {
    const group = new Limiter.Group({ maxConcurrent: 3 })
    expect(group.key('a')).toBe(group.key('a'))
    expect(group.key('a')).not.toBe(group.key('b'))
  })
})

describe('requests in flight', () => {
  it('a healthy 100-org run never has more than 50 requests in flight, and uses them', async () => {
    expect(DEFAULT_MAX_CONCURRENT).toBe(50)
    const { world, token } = scenarioWorld('healthy')
    const orgs: string[] = [ORG]
    for (let i = 2; i <= 100; i++) {
      addOrg(world, `org${String(i).padStart(3, '0')}`, { id: 3000 + i })
      orgs.push(`org${String(i).padStart(3, '0')}`)
    }
    // Latency keeps requests open long enough for the queue, not the CPU, to decide how many are in flight.
    const fake = await startFake(world, { latencyMs: 40 })
    try {
      const values: Record<string, string> = {
        token,
        org: orgs.join(','),
        'expected-login': SERVICE_ACCOUNT,
        'api-url': fake.apiUrl,
        'timeout-seconds': '60'
      }
      const parsed = parseInputs(name => values[name] ?? '', {})
      if (!parsed.inputs) throw new Error('inputs did not parse')
      const verdict = await checkToken(parsed.inputs, { now: Date.now, startedAt: Date.now(), tokenWhitespace: false, retryBaseMs: 1 })
      expect(verdict.status).toBe('healthy')
      expect(fake.requests).toHaveLength(1 + 1 + 3 * 100) // GET /user, GraphQL, 3 per org
      expect(fake.requests.filter(r => r.path === '/user')).toHaveLength(1)
      expect(maxInFlight(fake.requests)).toBe(50)
    } finally {
      await fake.close()
    }
  }, 60_000)
})
