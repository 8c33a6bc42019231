// Preloaded into a child node process (NODE_OPTIONS=--import=...): on exit, writes the process's peak
// resident set size (getrusage ru_maxrss, KiB) to PEAK_RSS_FILE. Used by hostile-client.test.ts.
import { writeFileSync } from 'node:fs'

const file = process.env.PEAK_RSS_FILE
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)))
