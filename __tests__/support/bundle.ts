/**
 * The committed bundles, as scripts/build/bundle.mjs builds them: in `dist/` (the action) and `dist/cli/` (the
 * CLI), an entry file `index.js` and the lazy chunks beside it (`NNN.index.js`, webpack's deterministic ids),
 * which the entry loads by `import()` only when a request is made. A test about what a bundle holds reads all
 * of its files; one about what the entry holds reads `index.js` alone.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export const CHUNK_FILE = /^\d+\.index\.js$/

/** The chunk files beside `dir/index.js`, sorted. */
export function chunkFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter(f => CHUNK_FILE.test(f))
    .sort()
}

/** The whole bundle of `dir`: its entry file and every chunk. */
export function bundleText(dir: string): string {
  return ['index.js', ...chunkFiles(dir)].map(f => readFileSync(join(dir, f), 'utf8')).join('\n')
}
