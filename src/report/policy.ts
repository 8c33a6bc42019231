/** Whether a run fails (docs/reference.md: `fail-on`, `inconclusive`). */
import type { Cause } from '../causes.js'
import type { Verdict } from '../diagnose/index.js'
import type { FailOn, InconclusivePolicy } from '../inputs.js'

export interface Policy {
  failOn: FailOn
  inconclusive: InconclusivePolicy
}

/** Whether the step fails (docs/reference.md: fail-on / inconclusive). */
export function shouldFail(verdict: Pick<Verdict, 'causes'>, policy: Policy): boolean {
  if (policy.failOn === 'never') return false
  const has = (s: Cause['severity']): boolean => verdict.causes.some(c => c.severity === s)
  if (has('error')) return true
  if (policy.failOn === 'warning' && has('warning')) return true
  return has('inconclusive') && policy.inconclusive === 'fail'
}

/** Whether the run fails: by the policy, or always when there is none (inputs whose fail-on did not parse, internal errors). */
export function runFails(verdict: Pick<Verdict, 'causes'>, policy: Policy | null): boolean {
  return policy === null ? true : shouldFail(verdict, policy)
}
