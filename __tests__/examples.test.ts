/**
 * The example workflows users paste, and the README tables, never drift from action.yml:
 * every step of this action in examples/ passes only real inputs, all required ones, and the token
 * from a secret; every `steps.<id>.outputs.<name>` names a real output; each example does what its
 * use case says; the generated docs (inputs/outputs tables from action.yml, causes from src/causes.ts,
 * the repository's name from package.json) are what scripts/docs.mjs makes of their sources.
 */
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
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
const exampleFiles = readdirSync(exampleDir).filter(f => /\.ya?ml$/.test(f)).sort()
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
    return readdirSync(workflowDir).filter(f => /\.ya?ml$/.test(f)).sort()
  } catch {
    return []
  }
})().map(file => ({ file, workflow: parseYaml<Workflow>(join(workflowDir, file)) }))

const jobsOf = (w: Workflow): Array<[string, Job]> => Object.entries(w.jobs ?? {})
const stepsOf = (w: Workflow): Array<{ job: string; step: Step }> =>
  jobsOf(w).flatMap(([job, j]) => (j.steps ?? []).map(step => ({ job, step })))
const actionSteps = (w: Workflow) => stepsOf(w).filter(({ step }) => isThisAction(step))

/** Problems of one step of this action: unknown or missing inputs, a token not from a secret. */
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
  if (tokenFromSecret && inputs.token !== undefined && !/^\$\{\{\s*secrets\.[A-Za-z_][A-Za-z0-9_]*\s*\}\}$/.test(String(inputs.token))) {
    problems.push(`step "${where}": token must come from a secret (\${{ secrets.NAME }}), not ${JSON.stringify(inputs.token)}`)
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
        problems.push(`job "${jobName}": steps.${id}.outputs.${name}: "${name}" is not an output of action.yml (outputs: ${OUTPUTS.join(', ')})`)
      }
    }
  }
  const actionIds = new Set(actionSteps(w).map(({ step }) => step.id).filter(Boolean))
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

describe('examples/', () => {
  it('has one workflow per use', () => {
    expect(exampleFiles).toEqual(expect.arrayContaining(['emu-check.yml', 'manual-check.yml', 'rotation-gate.yml', 'scheduled-check.yml']))
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

    it('declares minimal permissions, and no write but issues: write for the tracking issue', () => {
      expect(workflow.permissions).toBeDefined()
      expect(writePermissions(workflow)).toEqual(file === 'scheduled-check.yml' ? ['issues'] : [])
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

  it('scheduled-check: daily, reports only, keeps ONE issue from the outputs, and fails the job when failing', () => {
    const { workflow } = example('scheduled-check.yml')
    expect(workflow.on).toHaveProperty('schedule')
    expect(workflow.on).toHaveProperty('workflow_dispatch')
    const [check] = only('scheduled-check.yml')
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
  })

  it('rotation-gate: checks the candidate strictly, then the live secret strictly after an approval', () => {
    const { workflow } = example('rotation-gate.yml')
    expect(Object.keys(workflow.on ?? {})).toEqual(['workflow_dispatch'])
    const checks = only('rotation-gate.yml')
    const candidate = checks.find(c => String(c.with.token).includes('secrets.SCIM_TOKEN_CANDIDATE'))
    const live = checks.find(c => c !== candidate)
    expect(candidate?.with['fail-on']).toBe('warning')
    expect(live?.with['fail-on']).toBe('warning')
    expect(live?.with.token).not.toContain('SCIM_TOKEN_CANDIDATE')
    const liveJob = workflow.jobs?.[live?.job as string]
    expect([liveJob?.needs].flat()).toContain(candidate?.job)
    expect(liveJob?.environment).toBeTruthy()
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
// The checks above catch what they should
// ---------------------------------------------------------------------------------------------

describe('the example checks', () => {
  const step = (w: Record<string, unknown>): Step => ({ id: 'check', uses: USES, with: w })

  it('reject an unknown input, a missing token, and a token not from a secret', () => {
    expect(stepProblems(step({ token: '${{ secrets.T }}', 'fail_on': 'never' }), { tokenFromSecret: true })).toEqual([
      expect.stringContaining('"fail_on" is not an input of action.yml')
    ])
    expect(stepProblems(step({ org: 'acme' }), { tokenFromSecret: true })).toEqual([expect.stringContaining('required input "token"')])
    expect(stepProblems(step({ token: 'ghp_123' }), { tokenFromSecret: true })).toEqual([expect.stringContaining('must come from a secret')])
    expect(stepProblems(step({ token: '${{ github.token }}' }), { tokenFromSecret: true })).toHaveLength(1)
  })

  it('reject an output action.yml does not have, and a reference to no step', () => {
    const w: Workflow = {
      on: { workflow_dispatch: null },
      jobs: { a: { 'runs-on': 'ubuntu-latest', steps: [step({ token: '${{ secrets.T }}' }), { run: 'echo "$S"', env: { S: '${{ steps.check.outputs.state }}', T: '${{ steps.nope.outputs.status }}' } }] } }
    }
    expect(outputRefProblems(w, '')).toEqual([expect.stringContaining('"state" is not an output'), expect.stringContaining('no step with id "nope"')])
    expect(outputRefProblems(w, "# steps.check.outputs['expires_at']")).toContainEqual(expect.stringContaining('"expires_at" is not an output'))
  })
})

// ---------------------------------------------------------------------------------------------
// This repository's own workflows (`uses: ./`, token from the simulator)
// ---------------------------------------------------------------------------------------------

describe('.github/workflows', () => {
  it.each(repoWorkflows.map(w => [w.file, w.workflow] as const))('%s is well formed and passes only real inputs to this action', (_file, workflow) => {
    expect(shapeProblems(workflow)).toEqual([])
    expect(actionSteps(workflow).flatMap(({ step }) => stepProblems(step, { tokenFromSecret: false }))).toEqual([])
    expect(outputRefProblems(workflow, '')).toEqual([])
  })
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
  const docs = (...args: string[]) => spawnSync(process.execPath, [join(root, 'scripts', 'docs.mjs'), ...args], { cwd: root, encoding: 'utf8' })
  /** A copy of what the generator reads and writes, to break on purpose. */
  const copy = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'ptc-docs-'))
    for (const f of ['package.json', 'action.yml', 'README.md', 'CHANGELOG.md', 'SECURITY.md', 'CONTRIBUTING.md', 'docs', 'examples', 'src', '.github']) {
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
    const files = ['README.md', ...readdirSync(join(root, 'docs')).filter(f => f.endsWith('.md')).map(f => `docs/${f}`)]
    for (const file of files) {
      const text = readFileSync(join(root, file), 'utf8')
      for (const m of text.matchAll(/\]\(((?:\.\.\/|docs\/)?[\w./-]+\.(?:md|yml|png|ts))(?:#([\w-]+))?\)/g)) {
        const target = join(root, file.startsWith('docs/') ? 'docs' : '', m[1] as string)
        expect(`${file} -> ${m[1]}: ${readdirSync(dirname(target)).includes(target.split('/').pop() as string)}`).toBe(`${file} -> ${m[1]}: true`)
      }
    }
  })

  it('is what `node scripts/docs.mjs` makes of its sources (docs:check passes)', () => {
    const r = docs('--check')
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })

  it('docs:check fails, saying what to run, when a table or the causes are stale; npm run docs fixes them', () => {
    const dir = copy()
    try {
      const ref = join(dir, 'docs', 'reference.md')
      writeFileSync(ref, reference.replace(/^\| `warn-days` \|.*$/m, '| `warn-days` | `30` | old text |'))
      const causesTs = join(dir, 'src', 'causes.ts')
      writeFileSync(causesTs, readFileSync(causesTs, 'utf8').replace("  'rate-limited': {", "  'made-up-cause': {\n    severity: 'warning',\n    title: 'Made up',\n    remediation: () => 'Do the thing.'\n  },\n  'rate-limited': {"))
      const r = docs('--check', '--root', dir)
      expect(r.status).toBe(1)
      expect(r.stderr).toMatch(/stale: .*docs\/causes\.md/)
      expect(r.stderr).toMatch(/stale: .*docs\/reference\.md/)
      expect(r.stderr).toContain('npm run docs')
      expect(docs('--root', dir).status).toBe(0)
      expect(readFileSync(ref, 'utf8')).toBe(reference)
      expect(readFileSync(join(dir, 'docs', 'causes.md'), 'utf8')).toMatch(/^### made-up-cause\n\n\*\*Made up\*\* \(warning[^\n]*\n\n\*\*Fix:\*\* Do the thing\.$/m)
      expect(docs('--check', '--root', dir).status).toBe(0)
      writeFileSync(ref, reference.replace('<!-- outputs:end -->', ''))
      const broken = docs('--check', '--root', dir)
      expect(broken.status).toBe(1)
      expect(broken.stderr).toContain('<!-- outputs:end -->')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("fills in the repository's name from package.json everywhere (uses:, links, npx github:)", () => {
    const dir = copy()
    try {
      const pkgPath = join(dir, 'package.json')
      const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { repository: { url: string } }
      pkg.repository.url = 'git+https://github.com/acme-it/scim-check.git'
      writeFileSync(pkgPath, JSON.stringify(pkg))
      expect(docs('--check', '--root', dir).stderr).toContain('stale: README.md')
      expect(docs('--root', dir).status).toBe(0)
      expect(docs('--check', '--root', dir).status).toBe(0)
      const after = (f: string) => readFileSync(join(dir, f), 'utf8')
      expect(after('README.md')).toContain('uses: acme-it/scim-check@v1')
      expect(after('README.md')).toContain('npx github:acme-it/scim-check')
      expect(after('README.md')).toContain('<!-- repository: acme-it/scim-check ')
      for (const f of exampleFiles) expect(after(`examples/${f}`)).toContain('uses: acme-it/scim-check@v1')
      for (const f of ['README.md', 'docs/cli.md', ...exampleFiles.map(e => `examples/${e}`)]) expect(after(f)).not.toContain(SLUG)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
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
