/**
 * What every run of the action with step debug on must show, whatever the scenario: the token masked
 * before anything else is printed and never leaked (nor its last eight characters), only GET and
 * GraphQL queries sent, a 401 asked at most once, a status whose exit code follows it, and no stack
 * trace. e2e.test.ts holds every scenario to it (but for SWEPT_BY_HOSTS, which hosts.test.ts runs anyway),
 * secrets.test.ts the hostile answers.
 */
import { expect } from '@jest/globals'
import type { FakeGitHub } from '../../simulator/github-fake.mjs'
import { leaksOf, type ActionRun } from '../../simulator/run-action.mjs'
import type { ScenarioName } from '../../simulator/worlds.mjs'

/** The enterprise and host scenarios: hosts.test.ts runs each as it is, and sweeps those runs. */
export const SWEPT_BY_HOSTS: ScenarioName[] = [
  'emu-healthy',
  'emu-not-owner',
  'emu-scope-missing',
  'emu-admin-enterprise',
  'emu-scim-off',
  'ghes',
  'ghe.com'
]

export const DEBUG_ENV = { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' }

export function expectNoLeak(run: ActionRun, token: string): void {
  expect(leaksOf(run, token)).toEqual([])
  // Not even a recognisable part of it: the last eight characters are what credential-authorizations matches on.
  expect(leaksOf(run, token.slice(-8))).toEqual([])
  expect(run.report === null || !JSON.stringify(run.report).includes(token)).toBe(true)
  for (const line of run.stdout.split('\n').filter(l => l.startsWith('::debug::'))) expect(line).not.toContain(token)
}

/** A run with DEBUG_ENV and the default fail-on (error) and inconclusive (fail). */
export function expectSweepInvariants(run: ActionRun, fake: FakeGitHub, token: string): void {
  expect(run.stdout).toContain(`::add-mask::${token}`)
  // The mask comes before anything else is printed.
  expect(run.stdout.split('\n')[0]).toBe(`::add-mask::${token}`)
  expectNoLeak(run, token)
  // Read-only: the simulator records any other method as a violation.
  expect(fake.violations).toEqual([])
  expect(fake.requests.every(r => r.method === 'GET' || (r.method === 'POST' && r.path === '/graphql'))).toBe(true)
  // A 401 is asked at most once per token per run.
  expect(fake.requests.filter(r => r.status === 401).length).toBeLessThanOrEqual(1)
  // Every run sets a status, and its exit code follows it (fail-on: error, inconclusive: fail).
  expect(['healthy', 'warning', 'failing', 'inconclusive']).toContain(run.outputs.status)
  expect(run.code).toBe(run.outputs.status === 'failing' || run.outputs.status === 'inconclusive' ? 1 : 0)
  expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/)
}
