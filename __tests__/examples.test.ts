/**
 * The example workflows users paste, and the README tables, never drift from action.yml:
 * every step of this action in examples/ passes only real inputs, all required ones, and the token
 * from a secret; every `steps.<id>.outputs.<name>` names a real output; each example does what its
 * use case says; the generated docs (inputs/outputs tables from action.yml, causes from src/causes.ts,
 * the repository's name from package.json) are what scripts/docs.mjs makes of their sources.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseDocument } from 'yaml'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

// ---------------------------------------------------------------------------------------------
// action.yml and the workflows
// ---------------------------------------------------------------------------------------------

interface ActionInput {
  description?: string
  required?: boolean
  default?: string
}
interface Action {
  inputs: Record<string, ActionInput>
  outputs: Record<string, { description?: string }>
}
interface Step {
  id?: string
  name?: string
  uses?: string
  run?: string
  if?: string
  with?: Record<string, unknown>
  env?: Record<string, unknown>
  'continue-on-error'?: boolean | string
}
interface Job {
  'runs-on'?: unknown
  needs?: string | string[]
  environment?: unknown
  permissions?: unknown
  steps?: Step[]
}
interface Workflow {
  name?: string
  on?: Record<string, unknown>
  permissions?: unknown
  jobs?: Record<string, Job>
}

/** Parses YAML strictly: any syntax error or warning fails the test that reads the file. */
function parseYaml<T>(path: string): T {
  const doc = parseDocument(readFileSync(path, 'utf8'), { prettyErrors: true, uniqueKeys: true })
  const problems = [...doc.errors, ...doc.warnings].map(e => e.message)
  if (problems.length > 0) throw new Error(`${path}: ${problems.join('\n')}`)
  return doc.toJS() as T
}

const action = parseYaml<Action>(join(root, 'action.yml'))
const INPUTS = Object.keys(action.inputs)
const OUTPUTS = Object.keys(action.outputs)
const REQUIRED = INPUTS.filter(name => action.inputs[name]?.required === true)

/** OWNER/NAME, from package.json's repository: the one place it is written (scripts/docs.mjs fills it in). */
const SLUG = /github\.com\/([\w.-]+\/[\w.-]+?)\.git$/.exec(
  (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { repository: { url: string } }).repository.url
)?.[1] as string
const USES = `${SLUG}@v1`
const PUBLISHED = new RegExp(`^${SLUG.replace(/[.]/g, '\\.')}@\\S+$`)
const isThisAction = (step: Step): boolean =>
  typeof step.uses === 'string' && (PUBLISHED.test(step.uses) || step.uses === './' || step.uses === '.')

const exampleDir = join(root, 'examples')
const exampleFiles = readdirSync(exampleDir)
  .filter(f => /\.ya?ml$/.test(f))
  .sort()
const examples = exampleFiles.map(file => ({
  file,
  text: readFileSync(join(exampleDir, file), 'utf8'),
  workflow: parseYaml<Workflow>(join(exampleDir, file))
}))
const example = (file: string) => {
  const found = examples.find(e => e.file === file)
  if (!found) throw new Error(`examples/${file} is missing`)
  return found
}

const workflowDir = join(root, '.github', 'workflows')
const repoWorkflows = (() => {
  try {
    return readdirSync(workflowDir)
      .filter(f => /\.ya?ml$/.test(f))
      .sort()
  } catch {
    return []
  }
})().map(file => ({ file, workflow: parseYaml<Workflow>(join(workflowDir, file)) }))

const jobsOf = (w: Workflow): Array<[string, Job]> => Object.entries(w.jobs ?? {})
const stepsOf = (w: Workflow): Array<{ job: string; step: Step }> =>
  jobsOf(w).flatMap(([job, j]) => (j.steps ?? []).map(step => ({ job, step })))
const actionSteps = (w: Workflow) => stepsOf(w).filter(({ step }) => isThisAction(step))

/** The IdP's secret inputs (docs/idp.md): like the token, only ever from a secret. */
const IDP_SECRET_INPUTS = ['okta-api-token', 'okta-private-key', 'entra-client-secret']
const FROM_SECRET = /^\$\{\{\s*secrets\.[A-Za-z_][A-Za-z0-9_]*\s*\}\}$/

/** Problems of one step of this action: unknown or missing inputs, a token (or an IdP secret) not from a secret. */
function stepProblems(step: Step, { tokenFromSecret }: { tokenFromSecret: boolean }): string[] {
  const where = step.id ?? step.name ?? step.uses
  const inputs = step.with ?? {}
  const problems: string[] = []
  for (const key of Object.keys(inputs)) {
    if (!INPUTS.includes(key)) problems.push(`step "${where}": "${key}" is not an input of action.yml (inputs: ${INPUTS.join(', ')})`)
    const value = inputs[key]
    if (value !== null && typeof value === 'object') problems.push(`step "${where}": input "${key}" must be a scalar`)
  }
  for (const name of REQUIRED) {
    if (inputs[name] === undefined || inputs[name] === null || inputs[name] === '') {
      problems.push(`step "${where}": required input "${name}" is missing`)
    }
  }
  if (tokenFromSecret && inputs.token !== undefined && !FROM_SECRET.test(String(inputs.token))) {
    problems.push(`step "${where}": token must come from a secret (\${{ secrets.NAME }}), not ${JSON.stringify(inputs.token)}`)
  }
  for (const name of IDP_SECRET_INPUTS) {
    if (tokenFromSecret && inputs[name] !== undefined && !FROM_SECRET.test(String(inputs[name]))) {
      problems.push(`step "${where}": ${name} must come from a secret (\${{ secrets.NAME }}), not a value written in the workflow`)
    }
  }
  return problems
}

const OKTA_INPUTS = [
  'okta-org-url',
  'okta-app-id',
  'okta-client-id',
  'okta-private-key',
  'okta-key-id',
  'okta-api-token',
  'idp-lookback-hours'
]
const ENTRA_INPUTS = [
  'entra-tenant-id',
  'entra-client-id',
  'entra-service-principal-id',
  'entra-client-secret',
  'entra-audience',
  'entra-login-url',
  'graph-url'
]
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const isExpression = (v: unknown): boolean => typeof v === 'string' && /^\$\{\{.*\}\}$/.test(v.trim())
const given = (inputs: Record<string, unknown>, name: string): boolean =>
  inputs[name] !== undefined && inputs[name] !== null && inputs[name] !== ''

/**
 * Problems of a step's IdP inputs, as far as a workflow file shows them: what docs/idp.md's
 * validation would refuse with input-invalid (values written as expressions are not judged).
 */
function idpProblems(step: Step): string[] {
  const where = step.id ?? step.name ?? step.uses
  const inputs = step.with ?? {}
  const idp = inputs.idp
  const problems: string[] = []
  const present = (names: string[]) => names.filter(n => given(inputs, n))
  if (!given(inputs, 'idp')) {
    const stray = present([...OKTA_INPUTS, ...ENTRA_INPUTS])
    if (stray.length > 0) problems.push(`step "${where}": ${stray.join(', ')} without idp`)
    return problems
  }
  if (idp !== 'okta' && idp !== 'entra') return [`step "${where}": idp must be okta or entra, not ${JSON.stringify(idp)}`]
  const own = idp === 'okta' ? OKTA_INPUTS : ENTRA_INPUTS
  const other = present((idp === 'okta' ? ENTRA_INPUTS : OKTA_INPUTS).filter(n => !own.includes(n)))
  if (other.length > 0) problems.push(`step "${where}": ${other.join(', ')} with idp: ${idp}`)
  const targets = [
    ...String(inputs.org ?? '')
      .split(/[\s,]+/)
      .filter(Boolean),
    ...(given(inputs, 'enterprise') ? [String(inputs.enterprise)] : [])
  ]
  if (!isExpression(inputs.org) && targets.length > 1)
    problems.push(`step "${where}": with idp, exactly one org or one enterprise (got ${targets.join(', ')})`)
  const need = (names: string[]) => {
    for (const n of names) if (!given(inputs, n)) problems.push(`step "${where}": idp: ${idp} needs ${n}`)
  }
  if (idp === 'okta') {
    need(['okta-org-url', 'okta-app-id'])
    const app = given(inputs, 'okta-client-id') || given(inputs, 'okta-private-key')
    if (app && given(inputs, 'okta-api-token')) problems.push(`step "${where}": both okta-api-token and okta-client-id/okta-private-key`)
    else if (app) need(['okta-client-id', 'okta-private-key'])
    else if (!given(inputs, 'okta-api-token'))
      problems.push(`step "${where}": idp: okta needs okta-client-id with okta-private-key, or okta-api-token`)
    const appId = inputs['okta-app-id']
    if (given(inputs, 'okta-app-id') && !isExpression(appId) && !/^0oa[A-Za-z0-9]{17}$/.test(String(appId))) {
      problems.push(`step "${where}": okta-app-id must be 0oa and 17 letters or digits, not ${JSON.stringify(appId)}`)
    }
    const url = inputs['okta-org-url']
    if (given(inputs, 'okta-org-url') && !isExpression(url) && !/^https:\/\/[^/]+\/?$/.test(String(url)))
      problems.push(`step "${where}": okta-org-url must be https://HOST`)
  } else {
    need(['entra-tenant-id', 'entra-client-id', 'entra-service-principal-id'])
    for (const n of ['entra-tenant-id', 'entra-client-id', 'entra-service-principal-id']) {
      const v = inputs[n]
      if (given(inputs, n) && !isExpression(v) && !GUID.test(String(v)))
        problems.push(`step "${where}": ${n} must be a GUID, not ${JSON.stringify(v)}`)
    }
  }
  const hours = inputs['idp-lookback-hours']
  if (
    given(inputs, 'idp-lookback-hours') &&
    !isExpression(hours) &&
    !(/^\d+$/.test(String(hours)) && Number(hours) >= 1 && Number(hours) <= 2160)
  ) {
    problems.push(`step "${where}": idp-lookback-hours must be 1-2160`)
  }
  return problems
}

/** The permissions a job runs with: its own, else the workflow's. */
const jobPermissions = (w: Workflow, job: Job): unknown => (job.permissions !== undefined ? job.permissions : w.permissions)
const grants = (permissions: unknown, scope: string): boolean =>
  permissions === 'write-all' ||
  (typeof permissions === 'object' && permissions !== null && (permissions as Record<string, unknown>)[scope] === 'write')

/** An Entra check without a client secret signs in with GitHub's OIDC token: its job must grant id-token: write. */
function oidcProblems(w: Workflow): string[] {
  const problems: string[] = []
  for (const { job, step } of actionSteps(w)) {
    const inputs = step.with ?? {}
    if (inputs.idp !== 'entra' || given(inputs, 'entra-client-secret')) continue
    const j = w.jobs?.[job] as Job
    if (!grants(jobPermissions(w, j), 'id-token')) {
      problems.push(`job "${job}": idp: entra without entra-client-secret needs \`permissions: id-token: write\` (GitHub OIDC federation)`)
    }
  }
  return problems
}

const OUTPUT_REF = /steps\.([A-Za-z_][\w-]*)\.outputs(?:\.([A-Za-z_][\w-]*)|\[\s*['"]([^'"]+)['"]\s*\])/g
const outputRefs = (text: string): Array<{ id: string; name: string }> =>
  [...text.matchAll(OUTPUT_REF)].map(m => ({ id: m[1] ?? '', name: m[2] ?? m[3] ?? '' }))

/** Problems of the output references of a workflow: per job, and anywhere in its text (comments too). */
function outputRefProblems(w: Workflow, text: string): string[] {
  const problems: string[] = []
  for (const [jobName, job] of jobsOf(w)) {
    const byId = new Map((job.steps ?? []).filter(s => s.id).map(s => [s.id as string, s]))
    for (const { id, name } of outputRefs(JSON.stringify(job))) {
      const step = byId.get(id)
      if (!step) problems.push(`job "${jobName}": steps.${id}.outputs.${name}: no step with id "${id}" in this job`)
      else if (isThisAction(step) && !OUTPUTS.includes(name)) {
        problems.push(
          `job "${jobName}": steps.${id}.outputs.${name}: "${name}" is not an output of action.yml (outputs: ${OUTPUTS.join(', ')})`
        )
      }
    }
  }
  const actionIds = new Set(
    actionSteps(w)
      .map(({ step }) => step.id)
      .filter(Boolean)
  )
  for (const { id, name } of outputRefs(text)) {
    if (actionIds.has(id) && !OUTPUTS.includes(name)) problems.push(`steps.${id}.outputs.${name}: "${name}" is not an output of action.yml`)
  }
  return [...new Set(problems)]
}

/** A checked workflow's shape: what GitHub would refuse to run. */
function shapeProblems(w: Workflow): string[] {
  const problems: string[] = []
  if (!w.on || typeof w.on !== 'object') problems.push('no "on:" triggers')
  if (jobsOf(w).length === 0) problems.push('no jobs')
  for (const [name, job] of jobsOf(w)) {
    if (!job['runs-on']) problems.push(`job "${name}" has no runs-on`)
    if (!Array.isArray(job.steps) || job.steps.length === 0) problems.push(`job "${name}" has no steps`)
    const needs = job.needs === undefined ? [] : [job.needs].flat()
    for (const n of needs) if (!w.jobs?.[n]) problems.push(`job "${name}" needs unknown job "${n}"`)
    const ids = new Set<string>()
    for (const step of job.steps ?? []) {
      if ((step.uses === undefined) === (step.run === undefined)) problems.push(`job "${name}": a step needs exactly one of uses/run`)
      if (step.id) {
        if (ids.has(step.id)) problems.push(`job "${name}": step id "${step.id}" twice`)
        ids.add(step.id)
      }
    }
  }
  return problems
}

/** The permissions of a workflow, top level and per job, as scope → access. */
function writePermissions(w: Workflow): string[] {
  const all = [w.permissions, ...jobsOf(w).map(([, j]) => j.permissions)]
  const writes: string[] = []
  for (const p of all) {
    if (typeof p === 'string') writes.push(p)
    else if (p && typeof p === 'object') for (const [scope, access] of Object.entries(p)) if (access === 'write') writes.push(scope)
  }
  return writes
}

// ---------------------------------------------------------------------------------------------
// Every example
// ---------------------------------------------------------------------------------------------

/** The write permissions each example may grant (sorted); every other example grants none. */
const WRITES: Record<string, string[]> = {
  'scheduled-check.yml': ['issues'],
  'scheduled-check-okta.yml': ['issues'],
  'scheduled-check-entra.yml': ['id-token', 'issues']
}

describe('examples/', () => {
  it('has one workflow per use', () => {
    expect(exampleFiles).toEqual(
      expect.arrayContaining([
        'emu-check.yml',
        'manual-check.yml',
        'rotation-gate.yml',
        'scheduled-check.yml',
        'scheduled-check-okta.yml',
        'scheduled-check-entra.yml'
      ])
    )
  })

  describe.each(exampleFiles)('%s', file => {
    const { text, workflow } = example(file)

    it('is a workflow GitHub would run', () => {
      expect(shapeProblems(workflow)).toEqual([])
      expect(text.startsWith('#')).toBe(true) // the short header comment
    })

    it('uses this action, as @v1, with real inputs only, all required ones, and the token from a secret', () => {
      const steps = actionSteps(workflow)
      expect(steps.length).toBeGreaterThan(0)
      for (const { step } of steps) expect(step.uses).toBe(USES)
      expect(steps.flatMap(({ step }) => stepProblems(step, { tokenFromSecret: true }))).toEqual([])
    })

    it('references only real outputs of action.yml', () => {
      expect(outputRefProblems(workflow, text)).toEqual([])
    })

    it('declares minimal permissions, and no write but issues: write for the tracking issue and id-token: write for Entra OIDC', () => {
      expect(workflow.permissions).toBeDefined()
      expect(writePermissions(workflow).sort()).toEqual(WRITES[file] ?? [])
    })

    it('passes IdP inputs that the action would accept, and grants id-token: write where Entra signs in with OIDC', () => {
      expect(actionSteps(workflow).flatMap(({ step }) => idpProblems(step))).toEqual([])
      expect(oidcProblems(workflow)).toEqual([])
    })

    it('keeps secrets and expressions out of shell scripts (env: only)', () => {
      for (const { step } of stepsOf(workflow)) if (step.run !== undefined) expect(step.run).not.toContain('${{')
    })
  })
})

// ---------------------------------------------------------------------------------------------
// Each use case does what it says
// ---------------------------------------------------------------------------------------------

describe('the use cases', () => {
  const only = (file: string) => {
    const steps = actionSteps(example(file).workflow)
    return steps.map(({ job, step }) => ({ job, step, with: step.with ?? {} }))
  }

  /** The daily check with ONE tracking issue, as scheduled-check.yml has it; the IdP variants too. */
  const expectScheduledWithIssue = (file: string) => {
    const { workflow } = example(file)
    expect(workflow.on).toHaveProperty('schedule')
    expect(workflow.on).toHaveProperty('workflow_dispatch')
    const [check] = only(file)
    expect(check).toBeDefined()
    expect(check?.with['fail-on'] === 'never' || [true, 'true'].includes(check?.step['continue-on-error'] as never)).toBe(true)
    const id = check?.step.id as string
    const later = (workflow.jobs?.[check?.job as string]?.steps ?? []).filter(s => !isThisAction(s))
    const issueStep = later.find(s => s.run?.includes('gh issue list'))
    expect(issueStep).toBeDefined()
    const issueRefs = JSON.stringify(issueStep)
    for (const output of ['status', 'causes', 'report']) expect(issueRefs).toContain(`steps.${id}.outputs.${output}`)
    expect(issueRefs).toContain('github.token')
    for (const command of ['gh issue create', 'gh issue edit', 'gh issue close', '.remediation']) expect(issueStep?.run).toContain(command)
    const failStep = later.find(s => typeof s.if === 'string' && s.if.includes(`steps.${id}.outputs.status == 'failing'`))
    expect(failStep?.run).toMatch(/exit 1/)
    expect(later.indexOf(failStep as Step)).toBeGreaterThan(later.indexOf(issueStep as Step))
    return { check: check as NonNullable<typeof check>, issueStep: issueStep as Step, workflow }
  }

  it('scheduled-check: daily, reports only, keeps ONE issue from the outputs, and fails the job when failing', () => {
    expectScheduledWithIssue('scheduled-check.yml')
  })

  it('scheduled-check-okta: the same, with an Okta API service app whose private key is an environment secret', () => {
    const { check, issueStep, workflow } = expectScheduledWithIssue('scheduled-check-okta.yml')
    expect(check.with).toMatchObject({ idp: 'okta', 'okta-org-url': expect.stringMatching(/^https:\/\//) })
    expect(check.with['okta-client-id']).toBeTruthy()
    expect(String(check.with['okta-private-key'])).toMatch(FROM_SECRET)
    expect(check.with['okta-api-token']).toBeUndefined()
    expect(workflow.jobs?.[check.job]?.environment).toBe('provisioning-token-check')
    expect(grants(jobPermissions(workflow, workflow.jobs?.[check.job] as Job), 'id-token')).toBe(false)
    for (const output of ['idp-status', 'idp-last-success', 'idp-last-failure'])
      expect(JSON.stringify(issueStep)).toContain(`steps.${check.step.id}.outputs.${output}`)
  })

  it('scheduled-check-entra: the same, with Entra over GitHub OIDC federation: id-token: write on the job, no secret, the environment the subject names', () => {
    const { check, issueStep, workflow, text } = {
      ...expectScheduledWithIssue('scheduled-check-entra.yml'),
      text: example('scheduled-check-entra.yml').text
    }
    expect(check.with.idp).toBe('entra')
    for (const n of ['entra-tenant-id', 'entra-client-id', 'entra-service-principal-id']) expect(String(check.with[n])).toMatch(GUID)
    expect(check.with['entra-client-secret']).toBeUndefined()
    const job = workflow.jobs?.[check.job] as Job
    expect(job.permissions).toMatchObject({ 'id-token': 'write' })
    expect(job.environment).toBe('provisioning-token-check')
    expect(text).toContain('repo:acme/provisioning-checks:environment:provisioning-token-check')
    expect(text).toMatch(/repo:acme@OWNER_ID\/provisioning-checks@REPO_ID:environment:provisioning-token-check/)
    expect(text).toContain('api://AzureADTokenExchange')
    for (const output of ['idp-status', 'idp-last-success', 'idp-last-failure'])
      expect(JSON.stringify(issueStep)).toContain(`steps.${check.step.id}.outputs.${output}`)
  })

  it('rotation-gate: checks the candidate strictly, then, after an approval of its own, the live secret strictly and that it is the candidate', () => {
    const { workflow } = example('rotation-gate.yml')
    expect(Object.keys(workflow.on ?? {})).toEqual(['workflow_dispatch'])
    const checks = only('rotation-gate.yml')
    const candidate = checks.find(c => String(c.with.token).includes('secrets.SCIM_TOKEN_CANDIDATE'))
    const live = checks.find(c => c !== candidate)
    expect(candidate?.with['fail-on']).toBe('warning')
    expect(live?.with['fail-on']).toBe('warning')
    expect(live?.with.token).toContain('secrets.SCIM_SERVICE_ACCOUNT_TOKEN')
    const jobs = workflow.jobs ?? {}
    const liveJob = jobs[live?.job as string] as Job
    const needs = (j: Job | undefined) => (j?.needs === undefined ? [] : [j.needs].flat())
    // The approval: a job of its own in the reviewers' environment, after the candidate, before the live check.
    const approval = needs(liveJob).find(n => n !== candidate?.job && needs(jobs[n]).includes(candidate?.job as string))
    expect(approval).toBeDefined()
    expect(jobs[approval as string]?.environment).toBe(ROTATION_ENV)
    expect(jobs[candidate?.job as string]?.environment).toBe(ROTATION_ENV)
    expect(liveJob.environment).toBe(CHECK_ENV)
    // The comparison: the live secret against the candidate's fingerprint, an output of the candidate job.
    const compare = (liveJob.steps ?? []).find(s => s.run?.includes('sha256sum'))
    expect(JSON.stringify(compare?.env)).toContain(`needs.${candidate?.job}.outputs.`)
    expect(JSON.stringify(compare?.env)).toContain('secrets.SCIM_SERVICE_ACCOUNT_TOKEN')
    expect(JSON.stringify(compare?.env)).not.toContain('SCIM_TOKEN_CANDIDATE')
  })

  it('manual-check: workflow_dispatch with a choice of org and an expected-login', () => {
    const { workflow } = example('manual-check.yml')
    const inputs = (workflow.on?.workflow_dispatch as { inputs: Record<string, { type?: string; options?: string[] }> }).inputs
    expect(inputs.org?.type).toBe('choice')
    expect(inputs.org?.options?.length).toBeGreaterThan(1)
    expect(inputs['expected-login']).toBeDefined()
    const [check] = only('manual-check.yml')
    expect(check?.with.org).toMatch(/^\$\{\{\s*(inputs|github\.event\.inputs)\.org\s*\}\}$/)
    expect(check?.with['expected-login']).toMatch(/^\$\{\{\s*(inputs|github\.event\.inputs)\.expected-login\s*\}\}$/)
  })

  it('emu-check: the fabrikam enterprise with its setup user, daily, with a GHE.com variant', () => {
    const { workflow, text } = example('emu-check.yml')
    expect(workflow.on).toHaveProperty('schedule')
    const [check] = only('emu-check.yml')
    expect(check?.with).toMatchObject({ enterprise: 'fabrikam', 'expected-login': 'fab_admin' })
    expect(text).toMatch(/^#.*api-url: https:\/\/api\.fabrikam\.ghe\.com\s*$/m)
  })
})

// ---------------------------------------------------------------------------------------------
// Environments: README step 3 gives each use its own; the examples agree
// ---------------------------------------------------------------------------------------------

const CHECK_ENV = 'provisioning-token-check'
const ROTATION_ENV = 'provisioning-token-rotation'

interface EnvRow {
  name: string
  branches: string
  reviewers: boolean
  secrets: string[]
}

/** The environments table of README step 3: | `name` | for | deployment branches | required reviewers | secret | */
function readmeEnvironments(readme: string): Map<string, EnvRow> {
  const step3 = readme.slice(readme.indexOf('\n3. **'), readme.indexOf('\n4. **'))
  const rows = new Map<string, EnvRow>()
  for (const m of step3.matchAll(/^\s*\| `([\w-]+)` \|(.*)\|\s*$/gm)) {
    const cells = (m[2] ?? '').split('|').map(c => c.trim())
    rows.set(m[1] as string, {
      name: m[1] as string,
      branches: cells[1] ?? '',
      reviewers: !/^none$/i.test(cells[2] ?? ''),
      secrets: [...(cells[3] ?? '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map(s => s[1] as string)
    })
  }
  return rows
}

/** Problems of a workflow's jobs against the environments: a table secret in another environment, a schedule waiting for reviewers. */
function environmentProblems(w: Workflow, envs: Map<string, EnvRow>): string[] {
  const problems: string[] = []
  const scheduled = w.on !== undefined && 'schedule' in w.on
  for (const [name, job] of jobsOf(w)) {
    const env = typeof job.environment === 'string' ? job.environment : undefined
    const used = [...JSON.stringify(job.steps ?? []).matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map(m => m[1] as string)
    if (used.length > 0 && (!env || !envs.has(env)))
      problems.push(`job "${name}" uses secrets outside the README's environments (${env ?? 'none'})`)
    for (const secret of used)
      for (const row of envs.values())
        if (row.secrets.includes(secret) && row.name !== env)
          problems.push(`job "${name}": ${secret} lives in ${row.name}, not ${env ?? 'no environment'}`)
    if (scheduled && env && envs.get(env)?.reviewers) problems.push(`job "${name}" runs on a schedule in ${env}, which waits for reviewers`)
  }
  return problems
}

describe('environments (README step 3)', () => {
  const envs = readmeEnvironments(readFileSync(join(root, 'README.md'), 'utf8'))

  it('the daily check and the rotation gate each have their own: main only both; required reviewers on the gate alone', () => {
    expect([...envs.keys()].sort()).toEqual([CHECK_ENV, ROTATION_ENV])
    expect(envs.get(CHECK_ENV)).toMatchObject({ branches: '`main` only', reviewers: false })
    expect(envs.get(CHECK_ENV)?.secrets).toContain('SCIM_SERVICE_ACCOUNT_TOKEN')
    expect(envs.get(ROTATION_ENV)).toMatchObject({ branches: '`main` only', reviewers: true })
    expect(envs.get(ROTATION_ENV)?.secrets).toContain('SCIM_TOKEN_CANDIDATE')
  })

  it.each(exampleFiles)('%s takes each secret from its environment, and never schedules a run that waits for reviewers', file => {
    expect(environmentProblems(example(file).workflow, envs)).toEqual([])
  })

  it('the check catches a secret in the wrong environment and a schedule waiting for reviewers', () => {
    const job = (environment: string, secret: string): Job => ({
      'runs-on': 'ubuntu-latest',
      environment,
      steps: [{ uses: USES, with: { token: `\${{ secrets.${secret} }}` } }]
    })
    const w = (on: Record<string, unknown>, j: Job): Workflow => ({ on, jobs: { a: j } })
    expect(environmentProblems(w({ workflow_dispatch: null }, job(CHECK_ENV, 'SCIM_SERVICE_ACCOUNT_TOKEN')), envs)).toEqual([])
    expect(environmentProblems(w({ workflow_dispatch: null }, job(CHECK_ENV, 'SCIM_TOKEN_CANDIDATE')), envs)).toEqual([
      expect.stringContaining(`SCIM_TOKEN_CANDIDATE lives in ${ROTATION_ENV}`)
    ])
    expect(environmentProblems(w({ schedule: [{ cron: '0 6 * * *' }] }, job(ROTATION_ENV, 'SCIM_TOKEN_CANDIDATE')), envs)).toEqual([
      expect.stringContaining('waits for reviewers')
    ])
    expect(environmentProblems(w({ workflow_dispatch: null }, job('production', 'SCIM_SERVICE_ACCOUNT_TOKEN')), envs)).toHaveLength(2)
  })
})

// ---------------------------------------------------------------------------------------------
// The checks above catch what they should
// ---------------------------------------------------------------------------------------------

describe('the example checks', () => {
  const step = (w: Record<string, unknown>): Step => ({ id: 'check', uses: USES, with: w })

  it('reject an unknown input, a missing token, and a token not from a secret', () => {
    expect(stepProblems(step({ token: '${{ secrets.T }}', fail_on: 'never' }), { tokenFromSecret: true })).toEqual([
      expect.stringContaining('"fail_on" is not an input of action.yml')
    ])
    expect(stepProblems(step({ org: 'acme' }), { tokenFromSecret: true })).toEqual([expect.stringContaining('required input "token"')])
    expect(stepProblems(step({ token: 'ghp_123' }), { tokenFromSecret: true })).toEqual([
      expect.stringContaining('must come from a secret')
    ])
    expect(stepProblems(step({ token: '${{ github.token }}' }), { tokenFromSecret: true })).toHaveLength(1)
  })

  it('reject an IdP secret written into the workflow', () => {
    expect(
      stepProblems(step({ token: '${{ secrets.T }}', idp: 'okta', 'okta-private-key': '-----BEGIN PRIVATE KEY-----' }), {
        tokenFromSecret: true
      })
    ).toEqual([expect.stringContaining('okta-private-key must come from a secret')])
    expect(
      stepProblems(step({ token: '${{ secrets.T }}', idp: 'entra', 'entra-client-secret': 'fK8Q~x' }), { tokenFromSecret: true })
    ).toHaveLength(1)
  })

  it('reject IdP inputs the action would refuse (input-invalid)', () => {
    const okta = {
      token: '${{ secrets.T }}',
      org: 'acme',
      idp: 'okta',
      'okta-org-url': 'https://acme.okta.com',
      'okta-app-id': '0oa1b2c3d4e5f6g7h8i9',
      'okta-api-token': '${{ secrets.O }}'
    }
    expect(idpProblems(step(okta))).toEqual([])
    expect(idpProblems(step({ ...okta, idp: '' }))).toEqual([expect.stringContaining('without idp')])
    expect(idpProblems(step({ ...okta, idp: 'onelogin' }))).toEqual([expect.stringContaining('okta or entra')])
    expect(idpProblems(step({ ...okta, org: 'acme,beta' }))).toEqual([expect.stringContaining('exactly one org')])
    expect(idpProblems(step({ ...okta, 'okta-app-id': '0oa123' }))).toEqual([expect.stringContaining('0oa and 17')])
    expect(idpProblems(step({ ...okta, 'okta-client-id': '0oa9z8y7x6w5v4u3t2s1' }))).toEqual([
      expect.stringContaining('both okta-api-token')
    ])
    expect(idpProblems(step({ ...okta, 'okta-api-token': undefined, 'okta-client-id': '0oa9z8y7x6w5v4u3t2s1' }))).toEqual([
      expect.stringContaining('needs okta-private-key')
    ])
    expect(idpProblems(step({ ...okta, 'idp-lookback-hours': '2161' }))).toEqual([expect.stringContaining('1-2160')])
    expect(idpProblems(step({ ...okta, 'okta-org-url': 'http://acme.okta.com' }))).toEqual([expect.stringContaining('https://HOST')])
    const entra = {
      token: '${{ secrets.T }}',
      idp: 'entra',
      'entra-tenant-id': '8e1c5b3a-0f2d-4c6e-9a7b-1d3f5e7a9c0b',
      'entra-client-id': '2b4d6f8a-1c3e-4a5b-8d7f-9e0a1b2c3d4e',
      'entra-service-principal-id': 'nope'
    }
    expect(idpProblems(step(entra))).toEqual([expect.stringContaining('entra-service-principal-id must be a GUID')])
    expect(idpProblems(step({ ...entra, 'entra-service-principal-id': undefined, 'okta-app-id': '0oa1b2c3d4e5f6g7h8i9' }))).toEqual([
      expect.stringContaining('okta-app-id with idp: entra'),
      expect.stringContaining('needs entra-service-principal-id')
    ])
  })

  it('reject an Entra check without a client secret whose job cannot get an OIDC token', () => {
    const entra = step({ token: '${{ secrets.T }}', idp: 'entra' })
    const w = (permissions: unknown, top: unknown = {}): Workflow => ({
      on: { workflow_dispatch: null },
      permissions: top,
      jobs: { a: { 'runs-on': 'ubuntu-latest', permissions, steps: [entra] } }
    })
    expect(oidcProblems(w({ 'id-token': 'write' }))).toEqual([])
    expect(oidcProblems(w(undefined, { 'id-token': 'write' }))).toEqual([])
    expect(oidcProblems(w({ issues: 'write' }))).toEqual([expect.stringContaining('id-token: write')])
    expect(oidcProblems(w({}, { 'id-token': 'write' }))).toEqual([expect.stringContaining('id-token: write')]) // a job's permissions replace the workflow's
    const withSecret = step({ token: '${{ secrets.T }}', idp: 'entra', 'entra-client-secret': '${{ secrets.E }}' })
    expect(
      oidcProblems({ on: { workflow_dispatch: null }, jobs: { a: { 'runs-on': 'ubuntu-latest', permissions: {}, steps: [withSecret] } } })
    ).toEqual([])
  })

  it('reject an output action.yml does not have, and a reference to no step', () => {
    const w: Workflow = {
      on: { workflow_dispatch: null },
      jobs: {
        a: {
          'runs-on': 'ubuntu-latest',
          steps: [
            step({ token: '${{ secrets.T }}' }),
            { run: 'echo "$S"', env: { S: '${{ steps.check.outputs.state }}', T: '${{ steps.nope.outputs.status }}' } }
          ]
        }
      }
    }
    expect(outputRefProblems(w, '')).toEqual([
      expect.stringContaining('"state" is not an output'),
      expect.stringContaining('no step with id "nope"')
    ])
    expect(outputRefProblems(w, "# steps.check.outputs['expires_at']")).toContainEqual(
      expect.stringContaining('"expires_at" is not an output')
    )
  })
})

// ---------------------------------------------------------------------------------------------
// This repository's own workflows (`uses: ./`, token from the simulator)
// ---------------------------------------------------------------------------------------------

describe('.github/workflows', () => {
  it.each(repoWorkflows.map(w => [w.file, w.workflow] as const))(
    '%s is well formed and passes only real inputs to this action',
    (_file, workflow) => {
      expect(shapeProblems(workflow)).toEqual([])
      expect(actionSteps(workflow).flatMap(({ step }) => stepProblems(step, { tokenFromSecret: false }))).toEqual([])
      expect(outputRefProblems(workflow, '')).toEqual([])
    }
  )
})

// ---------------------------------------------------------------------------------------------
// README
// ---------------------------------------------------------------------------------------------

describe('docs (generated by scripts/docs.mjs)', () => {
  const reference = readFileSync(join(root, 'docs', 'reference.md'), 'utf8')
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const block = (text: string, name: string): string => {
    const start = text.indexOf(`<!-- ${name}:start -->`)
    const end = text.indexOf(`<!-- ${name}:end -->`)
    expect(start).toBeGreaterThanOrEqual(0)
    expect(end).toBeGreaterThan(start)
    return text.slice(start, end)
  }
  const rows = (text: string): string[] => text.split('\n').filter(l => /^\| `[^`]+` \|/.test(l))
  /** `node scripts/docs.mjs ARGS`, without blocking the file's other cases (each run also runs the built CLI). */
  const node = (args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> =>
    new Promise(res => {
      const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', d => (stdout += d))
      child.stderr.on('data', d => (stderr += d))
      child.on('close', status => res({ status, stdout, stderr }))
    })
  const docs = (...args: string[]) => node([join(root, 'scripts', 'docs.mjs'), ...args])
  /** A copy of what the generator reads and writes, to break on purpose. */
  const copy = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'ptc-docs-'))
    for (const f of [
      'package.json',
      'action.yml',
      'README.md',
      'CHANGELOG.md',
      'SECURITY.md',
      'CONTRIBUTING.md',
      'docs',
      'examples',
      'src',
      '.github',
      'dist',
      'simulator'
    ]) {
      cpSync(join(root, f), join(dir, f), { recursive: true })
    }
    return dir
  }

  it('docs/reference.md has the inputs table of action.yml: every input, in order, with its default', () => {
    const table = rows(block(reference, 'inputs'))
    expect(table.map(r => r.split('|')[1]?.trim())).toEqual(INPUTS.map(n => `\`${n}\``))
    for (const [k, name] of INPUTS.entries()) {
      const input = action.inputs[name] as ActionInput
      const dflt = input.required ? 'required' : input.default === '' || input.default === undefined ? "`''`" : `\`${input.default}\``
      expect(table[k]?.split(' | ')[1]).toBe(dflt)
    }
  })

  it('docs/reference.md has the outputs table of action.yml: every output, in order', () => {
    expect(rows(block(reference, 'outputs')).map(r => r.split('|')[1]?.trim())).toEqual(OUTPUTS.map(n => `\`${n}\``))
  })

  it('docs/causes.md has one section per cause of the catalogue, its anchor the cause id', async () => {
    const { CAUSE_IDS } = await import('../src/causes.js')
    const causes = readFileSync(join(root, 'docs', 'causes.md'), 'utf8')
    const headings = [...block(causes, 'causes').matchAll(/^### (\S+)$/gm)].map(m => m[1])
    expect(headings).toEqual([...CAUSE_IDS])
  })

  it('every docs/causes.md#id and docs/*.md link of the README and docs exists', () => {
    const files = [
      'README.md',
      ...readdirSync(join(root, 'docs'))
        .filter(f => f.endsWith('.md'))
        .map(f => `docs/${f}`)
    ]
    for (const file of files) {
      const text = readFileSync(join(root, file), 'utf8')
      for (const m of text.matchAll(/\]\(((?:\.\.\/|docs\/)?[\w./-]+\.(?:md|yml|png|ts))(?:#([\w-]+))?\)/g)) {
        const target = join(root, file.startsWith('docs/') ? 'docs' : '', m[1] as string)
        expect(`${file} -> ${m[1]}: ${readdirSync(dirname(target)).includes(target.split('/').pop() as string)}`).toBe(
          `${file} -> ${m[1]}: true`
        )
      }
    }
  })

  it.concurrent('is what `node scripts/docs.mjs` makes of its sources (docs:check passes)', async () => {
    const r = await docs('--check')
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })

  /**
   * Each run of the generator also runs the built CLI (about a second and a half of CPU), so the cases below
   * read the steps of three sequences, each on its own copy and all three at once, rather than each case
   * making its own (issue 18). `fix`: one copy broken four ways at once (a stale table, a new cause, another
   * repository name, a stale CLI sample), checked, fixed, checked. `reword`: a build that prints other words,
   * checked, fixed, checked. `refuse`: a broken marker pair, then no built CLI.
   */
  const NEW_SLUG = 'acme-it/scim-check'
  /** Three runs of the generator one after the other, each with the CLI it runs, on a busy machine. */
  const SEQUENCE_TIMEOUT_MS = 120_000
  const staleOf = (stderr: string): string[] => /^stale: (.*?) \(generated from/m.exec(stderr)?.[1]?.split(', ') ?? []
  const copies: string[] = []
  afterAll(() => {
    for (const dir of copies) rmSync(dir, { recursive: true, force: true })
  })
  const original = {
    cliDoc: readFileSync(join(root, 'docs', 'cli.md'), 'utf8'),
    bundle: readFileSync(join(root, 'dist', 'cli', 'index.js'), 'utf8')
  }
  function sequence<T>(steps: (dir: string, read: (f: string) => string) => Promise<T>): () => Promise<T> {
    let made: Promise<T> | undefined
    return () =>
      (made ??= (async () => {
        const dir = copy()
        copies.push(dir)
        return steps(dir, (f: string) => readFileSync(join(dir, f), 'utf8'))
      })())
  }

  const fix = sequence(async (dir, read) => {
    writeFileSync(join(dir, 'docs', 'reference.md'), reference.replace(/^\| `warn-days` \|.*$/m, '| `warn-days` | `30` | old text |'))
    writeFileSync(
      join(dir, 'src', 'causes.ts'),
      read('src/causes.ts').replace(
        "  'rate-limited': {",
        "  'made-up-cause': {\n    severity: 'warning',\n    title: 'Made up',\n    remediation: () => 'Do the thing.'\n  },\n  'rate-limited': {"
      )
    )
    const pkg = JSON.parse(read('package.json')) as { repository: { url: string } }
    pkg.repository.url = `git+https://github.com/${NEW_SLUG}.git`
    writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg))
    writeFileSync(join(dir, 'docs', 'cli.md'), original.cliDoc.replace('Token owner    acme-scim', 'Token owner    someone-else'))
    const stale = await docs('--check', '--root', dir)
    const fixed = await docs('--root', dir)
    const after = Object.fromEntries(
      ['README.md', 'docs/reference.md', 'docs/causes.md', 'docs/cli.md', ...exampleFiles.map(f => `examples/${f}`)].map(f => [f, read(f)])
    )
    const clean = await docs('--check', '--root', dir)
    return { stale, fixed, after, clean }
  })

  // A new build with other wording: the sample follows it, no frozen text.
  const reword = sequence(async (dir, read) => {
    writeFileSync(join(dir, 'dist', 'cli', 'index.js'), original.bundle.split('Token owner').join('Token holder'))
    const stale = await docs('--check', '--root', dir)
    const rewritten = await docs('--root', dir)
    const doc = read('docs/cli.md')
    const clean = await docs('--check', '--root', dir)
    return { stale, rewritten, doc, clean }
  })

  // A broken marker pair, then no built CLI: docs:check says what is wrong and what to run.
  const refuse = sequence(async dir => {
    writeFileSync(join(dir, 'docs', 'reference.md'), reference.replace('<!-- outputs:end -->', ''))
    const markerless = await docs('--check', '--root', dir)
    writeFileSync(join(dir, 'docs', 'reference.md'), reference)
    rmSync(join(dir, 'dist', 'cli', 'index.js'))
    const unbuilt = await docs('--check', '--root', dir)
    return { markerless, unbuilt }
  })

  it.concurrent(
    'docs:check fails, saying what to run, when a table or the causes are stale; npm run docs fixes them',
    async () => {
      const [{ stale, fixed, after, clean }, { markerless }] = await Promise.all([fix(), refuse()])
      expect(stale.status).toBe(1)
      expect(stale.stderr).toMatch(/stale: .*docs\/causes\.md/)
      expect(stale.stderr).toMatch(/stale: .*docs\/reference\.md/)
      expect(stale.stderr).toContain('npm run docs')
      expect(fixed.status).toBe(0)
      expect(after['docs/reference.md']).toBe(reference)
      expect(after['docs/causes.md']).toMatch(/^### made-up-cause\n\n\*\*Made up\*\* \(warning[^\n]*\n\n\*\*Fix:\*\* Do the thing\.$/m)
      expect(clean.stderr).toBe('')
      expect(clean.status).toBe(0)
      expect(markerless.status).toBe(1)
      expect(markerless.stderr).toContain('<!-- outputs:end -->')
    },
    SEQUENCE_TIMEOUT_MS
  )

  it.concurrent(
    "fills in the repository's name from package.json everywhere (uses:, links, npx github:)",
    async () => {
      const { stale, fixed, after } = await fix()
      expect(stale.stderr).toContain('stale: README.md')
      expect(fixed.status).toBe(0)
      expect(after['README.md']).toContain(`uses: ${NEW_SLUG}@v1`)
      expect(after['docs/cli.md']).toContain(`npx github:${NEW_SLUG}`)
      expect(after['README.md']).toContain(`<!-- repository: ${NEW_SLUG} `)
      for (const f of exampleFiles) expect(after[`examples/${f}`]).toContain(`uses: ${NEW_SLUG}@v1`)
      for (const f of ['README.md', 'docs/cli.md', ...exampleFiles.map(e => `examples/${e}`)]) expect(after[f]).not.toContain(SLUG)
    },
    SEQUENCE_TIMEOUT_MS
  )

  it.concurrent(
    "docs/cli.md's samples are what the built CLI prints against the simulator, run again by each docs:check",
    async () => {
      const cliDoc = readFileSync(join(root, 'docs', 'cli.md'), 'utf8')
      const samples = [
        ...cliDoc.matchAll(/<!-- cli-sample: ([\w-]+) ([^>]*?) -->\n[\s\S]*?```text\n([\s\S]*?)\n```\n<!-- cli-sample:end -->/g)
      ]
      expect(samples.length).toBeGreaterThan(0)
      for (const [, scenario, args, text] of samples) {
        // Independently of scripts/docs.mjs: run the committed CLI against the simulator, the same way a reader would.
        const run = await node([
          '--input-type=module',
          '-e',
          `import { startFake } from ${JSON.stringify(join(root, 'simulator', 'github-fake.mjs'))}
import { scenarioWorld } from ${JSON.stringify(join(root, 'simulator', 'worlds.mjs'))}
const { world, token } = scenarioWorld(${JSON.stringify(scenario)})
const fake = await startFake(world)
const { spawn } = await import('node:child_process')
const child = spawn(process.execPath, [${JSON.stringify(join(root, 'dist', 'cli', 'index.js'))}, ...${JSON.stringify((args as string).split(' '))}, '--api-url', fake.apiUrl], { env: { PATH: process.env.PATH, GITHUB_TOKEN: token, NO_COLOR: '1' } })
let out = ''
child.stdout.on('data', d => (out += d))
child.on('close', async () => { process.stdout.write(out.split(fake.apiUrl).join('https://api.github.com')); await fake.close() })`
        ])
        expect(run.stdout.trimEnd()).toBe(text)
      }
      expect(cliDoc).toContain('Token owner')
    },
    SEQUENCE_TIMEOUT_MS
  )

  it.concurrent(
    'docs:check fails when a sample is stale or the build prints other words; npm run docs writes what the build prints',
    async () => {
      const [{ stale, fixed, after }, reworded, { unbuilt }] = await Promise.all([fix(), reword(), refuse()])
      expect(stale.status).toBe(1)
      expect(stale.stderr).toMatch(/stale: .*docs\/cli\.md/)
      expect(fixed.status).toBe(0)
      // The sample is what the build prints again (the repository's name aside, which the case above changed).
      expect(after['docs/cli.md']).toBe(original.cliDoc.split(SLUG).join(NEW_SLUG))
      expect(original.bundle).toContain('Token owner')
      // Only the sample is stale when only the build changed, and npm run docs writes what it prints now.
      expect(reworded.stale.status).toBe(1)
      expect(staleOf(reworded.stale.stderr)).toEqual(['docs/cli.md'])
      expect(reworded.rewritten.status).toBe(0)
      expect(reworded.doc).toContain('Token holder   acme-scim')
      expect(reworded.clean.status).toBe(0)
      // Without a built CLI, docs:check says what to run.
      expect(unbuilt.status).toBe(1)
      expect(unbuilt.stderr).toContain('npm run build')
    }
  )

  it('docs/idp.md gives both OIDC subject forms, with the date and the source, and how to read the one a run presents', () => {
    const idp = readFileSync(join(root, 'docs', 'idp.md'), 'utf8')
    const env = example('scheduled-check-entra.yml').workflow.jobs?.check?.environment as string
    expect(idp).toContain(`repo:OWNER/REPO:environment:${env}`)
    expect(idp).toContain(`repo:OWNER@OWNER_ID/REPO@REPO_ID:environment:${env}`)
    expect(idp).toMatch(new RegExp(`repo:acme@\\d+/provisioning-checks@\\d+:environment:${env}`))
    expect(idp).toContain('2026-07-15')
    expect(idp).toContain('https://docs.github.com/en/actions/reference/security/oidc#immutable-subject-claims')
    expect(idp).toContain('actions/oidc/customization/sub')
    expect(idp).toContain('AADSTS700213')
  })

  it('README step 2: the setup table names the GitHub app of each of the five IdPs and what it holds; SSO authorization as it really is', () => {
    const step2 = readme.slice(readme.indexOf('\n2. **'), readme.indexOf('\n3. **'))
    const rows = step2.split('\n').filter(l => /^\s*\| \*\*/.test(l))
    const row = (...words: string[]) => rows.filter(r => words.every(w => r.includes(w)))
    for (const idp of ['Okta', 'Entra ID', 'OneLogin', 'PingOne', 'JumpCloud']) expect(row(`**${idp}**`).length).toBeGreaterThan(0)
    expect(row('**OneLogin**', 'OAuth grant', 'a classic PAT of the same service account')).toHaveLength(1)
    expect(row('**PingOne**', "the setup user's classic PAT", '**that very token**')).toHaveLength(1)
    expect(row('**JumpCloud** "GitHub Enterprise Cloud – Enterprise Accounts"', "the setup user's classic PAT")).toHaveLength(1)
    expect(row('**JumpCloud** "GitHub Enterprise Cloud – Organization"', 'not documented')).toHaveLength(1)
    expect(step2).toMatch(/\*Configure SSO\* appears only once the service\s+account has a linked SAML identity/)
    expect(step2).toMatch(/The EMU setup\s+user authorizes nothing for SSO/)
  })

  it('README: leads with the setup guide, then the two developer commands', () => {
    const setUp = readme.indexOf('## Set it up')
    const develop = readme.indexOf('## Develop')
    expect(setUp).toBeGreaterThan(0)
    expect(readme.slice(0, setUp)).not.toMatch(/^## /m)
    expect(develop).toBeGreaterThan(setUp)
    expect(readme).toContain('npm ci && npm run demo')
    expect(readme).toContain('npm ci && npm test')
    expect(readme.indexOf('npm ci && npm run demo')).toBeGreaterThan(develop)
    expect(readme).toContain('.github/workflows/provisioning-token-check.yml')
    expect(readme).toMatch(/pin a full commit SHA/)
    expect(readme).toContain('Node.js 22 or later')
    expect(readme).toContain(`uses: ${USES}`)
  })

  it('README links every example workflow', () => {
    for (const file of exampleFiles) expect(readme).toContain(`(examples/${file})`)
  })
})
