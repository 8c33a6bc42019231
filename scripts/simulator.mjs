#!/usr/bin/env node
// Starts the built-in GitHub simulator on 127.0.0.1 and keeps it running until interrupted.
//
//   node scripts/simulator.mjs [SCENARIO] [--latency MS] [--github-output]
//
// SCENARIO is one of simulator/worlds.mjs's scenarios (default: healthy); `--list` lists them.
// Prints `api-url=...` and `token=...` (a simulator token, worthless anywhere else); with
// --github-output also appends them to $GITHUB_OUTPUT for a later `uses: ./` step.
import { appendFileSync } from 'node:fs'
import { startFake } from '../simulator/github-fake.mjs'
import { SCENARIOS, scenarioWorld } from '../simulator/worlds.mjs'

const args = process.argv.slice(2)
if (args.includes('--list')) {
  for (const [name, s] of Object.entries(SCENARIOS)) console.log(`${name.padEnd(26)} ${s.description}`)
  process.exit(0)
}
const latencyAt = args.indexOf('--latency')
const latencyMs = latencyAt >= 0 ? Number(args[latencyAt + 1]) : 0
const scenario = args.find((a, i) => !a.startsWith('--') && (latencyAt < 0 || i !== latencyAt + 1)) ?? 'healthy'
if (!(scenario in SCENARIOS)) {
  console.error(`unknown scenario ${JSON.stringify(scenario)}; --list shows them`)
  process.exit(2)
}

const { world, token } = scenarioWorld(scenario)
const fake = await startFake(world, { latencyMs })
const lines = [`api-url=${fake.apiUrl}`, `token=${token}`, `scenario=${scenario}`]
console.log(lines.join('\n'))
console.log(`# ${SCENARIOS[scenario].description}; Ctrl-C stops the simulator`)
if (args.includes('--github-output')) {
  if (!process.env.GITHUB_OUTPUT) {
    console.error('--github-output needs GITHUB_OUTPUT')
    process.exit(2)
  }
  appendFileSync(process.env.GITHUB_OUTPUT, `${lines.join('\n')}\n`)
}
const stop = async () => {
  await fake.close()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
