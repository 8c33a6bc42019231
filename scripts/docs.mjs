#!/usr/bin/env node
// npm run docs: writes the README's inputs and outputs tables from action.yml,
// between <!-- inputs:start --> / <!-- inputs:end --> and
// <!-- outputs:start --> / <!-- outputs:end -->. action.yml is the only source:
// edit a description there, then run this.
//
//   node scripts/docs.mjs           rewrite README.md
//   node scripts/docs.mjs --check   exit 1 when README.md is stale (CI)
//   --readme PATH / --action PATH   other files (tests)
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** One table cell: no line breaks, no unescaped pipes. */
const cell = text => String(text).trim().replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|')
const code = text => {
  const s = String(text)
  if (s === '') return "`''`"
  return s.includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``
}

const NOTE = '<!-- generated from action.yml by `npm run docs`: edit action.yml, not this table -->'

export function renderInputs(action) {
  const rows = Object.entries(action.inputs ?? {}).map(([name, input]) => {
    const dflt = input.required === true ? 'required' : code(input.default ?? '')
    return `| \`${name}\` | ${cell(dflt)} | ${cell(input.description ?? '')} |`
  })
  return [NOTE, '| input | default | meaning |', '|---|---|---|', ...rows].join('\n')
}

export function renderOutputs(action) {
  const rows = Object.entries(action.outputs ?? {}).map(
    ([name, output]) => `| \`${name}\` | ${cell(output.description ?? '')} |`
  )
  return [NOTE, '| output | meaning |', '|---|---|', ...rows].join('\n')
}

/** README text with each marked block replaced; throws when a marker pair is missing or broken. */
export function render(readme, action) {
  let out = readme
  for (const [name, body] of [
    ['inputs', renderInputs(action)],
    ['outputs', renderOutputs(action)]
  ]) {
    const start = `<!-- ${name}:start -->`
    const end = `<!-- ${name}:end -->`
    const i = out.indexOf(start)
    const j = out.indexOf(end)
    if (i < 0 || j < 0 || j < i || out.indexOf(start, i + 1) >= 0 || out.indexOf(end, j + 1) >= 0) {
      throw new Error(`README needs exactly one "${start}" followed by one "${end}"`)
    }
    out = `${out.slice(0, i + start.length)}\n${body}\n${out.slice(j)}`
  }
  return out
}

/** The names of the marked blocks that differ between two README texts. */
function staleBlocks(current, wanted) {
  return ['inputs', 'outputs'].filter(name => {
    const block = text => text.slice(text.indexOf(`<!-- ${name}:start -->`), text.indexOf(`<!-- ${name}:end -->`))
    return block(current) !== block(wanted)
  })
}

const describe = blocks =>
  blocks.length === 0 ? 'text around its tables differs' : `its ${blocks.join(' and ')} table${blocks.length > 1 ? 's differ' : ' differs'}`

function main(argv) {
  const option = name => {
    const k = argv.indexOf(name)
    return k >= 0 ? argv[k + 1] : undefined
  }
  const check = argv.includes('--check')
  const readmePath = option('--readme') ?? join(root, 'README.md')
  const actionPath = option('--action') ?? join(root, 'action.yml')
  const shown = p => relative(process.cwd(), p) || p

  const action = parse(readFileSync(actionPath, 'utf8'))
  const current = readFileSync(readmePath, 'utf8')
  let wanted
  try {
    wanted = render(current, action)
  } catch (e) {
    console.error(`${shown(readmePath)}: ${e.message}`)
    return 1
  }
  if (wanted === current) {
    if (!check) console.log(`${shown(readmePath)} is up to date with ${shown(actionPath)}`)
    return 0
  }
  if (check) {
    console.error(
      `${shown(readmePath)} is stale: ${describe(staleBlocks(current, wanted))} from ${shown(actionPath)}.\n` +
        'Run `npm run docs` and commit README.md.'
    )
    return 1
  }
  writeFileSync(readmePath, wanted)
  console.log(`${shown(readmePath)}: inputs and outputs tables written from ${shown(actionPath)}`)
  return 0
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2))
