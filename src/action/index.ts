/**
 * The action's entry point: run the check, then exit at once (no timer or
 * socket left behind may hold the step past its time budget).
 */
import { run } from './run.js'

await run()
process.exit()
