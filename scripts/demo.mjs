#!/usr/bin/env node
// npm run demo: the committed action (dist/index.js) against the built-in
// GitHub simulator, and for the IdP side the Okta and Entra simulators,
// through a handful of scenarios. No token, no network. Builds nothing: it
// runs what is committed. Exits non-zero only when something is wrong: a
// secret (given or obtained) leaked, or a run left no status.
import { leaksOf, runAction } from '../simulator/run-action.mjs'
import { DEMOS, secretPieces, startDemo } from '../simulator/demos.mjs'

/** The simulators' names in the demo's lines. */
const IDP_NAMES = { okta: 'Okta', entra: 'Entra', onelogin: 'OneLogin', pingone: 'PingOne', jumpcloud: 'JumpCloud' }

const color = process.stdout.isTTY && !process.env.NO_COLOR
const paint = (code, s) => (color ? `\x1b[${code}m${s}\x1b[0m` : s)
const LEVEL = { error: s => paint('31', s), warning: s => paint('33', s), notice: s => paint('36', s) }
const routes = requests => [...new Set(requests.map(r => `${r.method} ${r.path}`))].join(', ')

let failures = 0
for (const demo of DEMOS) {
  const started = await startDemo(demo)
  try {
    const run = await runAction({ ...started.inputs, 'timeout-seconds': '20' }, { env: started.env })
    console.log(paint('1', `\n━━ ${demo.title}`))
    console.log(paint('2', `   ${started.github.requests.length} request(s) to the GitHub simulator: ${routes(started.github.requests)}`))
    if (started.idp) {
      const name = IDP_NAMES[demo.idp.provider] ?? demo.idp.provider
      // Entra's log holds the path with the tenant and the service principal: shown as they are (fakes' ids).
      console.log(paint('2', `   ${started.idp.requests.length} request(s) to the ${name} simulator: ${routes(started.idp.requests)}`))
    }
    for (const a of run.annotations) {
      console.log(`${LEVEL[a.level](a.level.padEnd(7))} ${a.title ?? '(the step fails)'}`)
      for (const line of a.message.split('\n')) console.log(`        ${line}`)
    }
    console.log(
      `   status=${run.outputs.status}  causes=${run.outputs.causes || '(none)'}  login=${run.outputs.login}  token-kind=${run.outputs['token-kind']}  expires-at=${run.outputs['expires-at'] || '(unknown)'}`
    )
    if (started.idp) {
      console.log(
        `   idp-status=${run.outputs['idp-status']}  idp-last-success=${run.outputs['idp-last-success'] || '(none)'}  idp-last-failure=${run.outputs['idp-last-failure'] || '(none)'}`
      )
    }
    if (run.outputs['sso-authorization-url']) console.log(`   sso-authorization-url=${run.outputs['sso-authorization-url']}`)
    console.log(`   exit code ${run.code}`)
    if (demo.summary) {
      console.log(paint('1', '\n   The job summary of this run, as Markdown (the run page renders it: docs/images/failing-run.png):\n'))
      for (const line of run.summary.trimEnd().split('\n')) console.log(`   │ ${line}`)
    }
    // Every secret of the run, the GitHub token, the IdP's given and every token the IdP simulator issued.
    const leaked = started
      .secrets()
      .flatMap(secretPieces)
      .flatMap(piece => leaksOf(run, piece))
    if (leaked.length > 0) {
      console.log(LEVEL.error(`   A SECRET LEAKED INTO THE ${[...new Set(leaked)].join(', ').toUpperCase()}`))
      failures++
    }
    if (run.outputs.status === undefined) {
      console.log(LEVEL.error('   THE RUN LEFT NO STATUS'))
      failures++
    }
  } finally {
    await started.close()
  }
}
console.log('\nEach annotation above is what the workflow run page shows; the job summary (one shown above) holds the same as tables.')
process.exit(failures ? 1 : 0)
