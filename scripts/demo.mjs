#!/usr/bin/env node
// npm run demo: the committed action (dist/index.js) against the built-in
// GitHub simulator, through a handful of scenarios. No token, no network.
// Builds nothing: it runs what is committed.
import { startFake } from '../simulator/github-fake.mjs'
import { leaksOf, runAction } from '../simulator/run-action.mjs'
import { DEMOS, demoWorld } from '../simulator/demos.mjs'

const color = process.stdout.isTTY && !process.env.NO_COLOR
const paint = (code, s) => (color ? `\x1b[${code}m${s}\x1b[0m` : s)
const LEVEL = { error: s => paint('31', s), warning: s => paint('33', s), notice: s => paint('36', s) }

let failures = 0
for (const demo of DEMOS) {
  const { world, token } = demoWorld(demo.scenario)
  const fake = await startFake(world)
  try {
    const run = await runAction({ token, 'api-url': fake.apiUrl, org: 'acme', 'timeout-seconds': '20', ...demo.inputs })
    console.log(paint('1', `\n━━ ${demo.title}`))
    console.log(paint('2', `   ${fake.requests.length} request(s) to the simulator: ${[...new Set(fake.requests.map(r => `${r.method} ${r.path}`))].join(', ')}`))
    for (const a of run.annotations) {
      console.log(`${LEVEL[a.level](a.level.padEnd(7))} ${a.title ?? '(the step fails)'}`)
      for (const line of a.message.split('\n')) console.log(`        ${line}`)
    }
    console.log(`   status=${run.outputs.status}  causes=${run.outputs.causes || '(none)'}  login=${run.outputs.login}  token-kind=${run.outputs['token-kind']}  expires-at=${run.outputs['expires-at'] || 'never'}`)
    if (run.outputs['sso-authorization-url']) console.log(`   sso-authorization-url=${run.outputs['sso-authorization-url']}`)
    console.log(`   exit code ${run.code}`)
    if (demo.summary) {
      console.log(paint('1', '\n   The job summary of this run, as Markdown (the run page renders it: docs/images/failing-run.png):\n'))
      for (const line of run.summary.trimEnd().split('\n')) console.log(`   │ ${line}`)
    }
    if (leaksOf(run, token).length > 0) {
      console.log(LEVEL.error('   THE TOKEN LEAKED INTO THE OUTPUT'))
      failures++
    }
    if (run.outputs.status === undefined) failures++
  } finally {
    await fake.close()
  }
}
console.log('\nEach annotation above is what the workflow run page shows; the job summary (one shown above) holds the same as tables.')
process.exit(failures ? 1 : 0)
