#!/usr/bin/env node
// npm run screenshot: the README's picture of a failing run (docs/images/failing-run.png), made from
// the simulators so that it stays true when the wording changes. Runs the committed dist/index.js on the
// demo that motivates the product (simulator/demos.mjs: GitHub healthy, Okta rejecting its stored
// credential since yesterday), renders its annotations and job summary (Markdown, with `marked`) to HTML
// styled like a GitHub run page, and screenshots it with headless Chromium. By hand, not in CI:
//
//   apt-get install -y chromium     (or CHROMIUM=/path/to/chrome)
//   npm run screenshot [-- --html out.html]     then look at the PNG, and commit it
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { marked } from 'marked'
import { DEMOS, demoName, secretPieces, startDemo } from '../simulator/demos.mjs'
import { leaksOf, runAction } from '../simulator/run-action.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const OUT = join(root, 'docs', 'images', 'failing-run.png')
const DEMO = DEMOS.find(d => demoName(d) === 'okta-credentials-rejected')

const escape = s => String(s).replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c])
const ICON = { error: '✖', warning: '⚠', notice: 'ℹ' }

/** Every line of an annotation, as the run page shows it expanded: what happened, then the fix (step 5's promise). */
function annotationLines(message) {
  return message
    .split('\n')
    .map(line => `<div class="amsg">${escape(line).replace(/^(Fix|More):/, '<b>$1:</b>')}</div>`)
    .join('')
}

export function page(run) {
  const annotations = run.annotations
    .filter(a => a.title)
    .map(
      a =>
        `<div class="ann ${a.level}"><span class="icon">${ICON[a.level]}</span><div><div class="atitle">check<br><b>${escape(a.title)}</b></div>${annotationLines(a.message)}</div></div>`
    )
    .join('\n')
  return `<!doctype html><meta charset="utf-8"><style>
body{margin:0;background:#f6f8fa;font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif;color:#1f2328}
.wrap{width:1000px;margin:16px auto}
.box{background:#fff;border:1px solid #d1d9e0;border-radius:6px;margin-bottom:16px}
.head{padding:12px 16px;border-bottom:1px solid #d1d9e0;font-weight:600}
.ann{display:flex;gap:10px;padding:10px 16px;border-top:1px solid #d1d9e0}.ann:first-of-type{border-top:0}
.icon{font-size:16px}.error .icon{color:#d1242f}.warning .icon{color:#9a6700}.notice .icon{color:#0969da}
.atitle{color:#59636e;font-size:12px}.atitle b{color:#1f2328;font-size:14px}.amsg{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;color:#1f2328;margin-top:2px}
.md{padding:16px 24px}.md h1,.md h2,.md h3{border-bottom:1px solid #d1d9e0;padding-bottom:.3em;margin-top:16px}.md h1{font-size:1.6em}.md h2{font-size:1.3em}.md h3{font-size:1.1em}
.md table{border-collapse:collapse;margin:12px 0;display:block;overflow:auto}.md th,.md td{border:1px solid #d1d9e0;padding:6px 13px;vertical-align:top}.md tr:nth-child(2n){background:#f6f8fa}.md th{font-weight:600}
.md code{background:#eff1f3;border-radius:6px;padding:.2em .4em;font-size:85%;font-family:ui-monospace,SFMono-Regular,Menlo,monospace}
.md details summary{cursor:pointer}.md ul{padding-left:2em}
</style><div class="wrap">
<div class="box"><div class="head">Annotations <span style="color:#59636e;font-weight:400">${run.annotations.filter(a => a.title).length} from the check step</span></div>${annotations}</div>
<div class="box"><div class="head">check summary</div><div class="md">${marked.parse(run.summary)}</div></div>
</div>`
}

async function main(argv) {
  const started = await startDemo(DEMO)
  let run
  try {
    // As a run of the published action: its annotations and summary link each cause's docs at the version run.
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
    const repository = /github\.com[/:]([\w.-]+\/[\w.-]+?)(?:\.git)?$/.exec(pkg.repository?.url ?? '')?.[1]
    const env = repository ? { ...started.env, GITHUB_ACTION_REPOSITORY: repository, GITHUB_ACTION_REF: 'v1' } : started.env
    run = await runAction({ ...started.inputs, 'timeout-seconds': '20' }, { env })
  } finally {
    await started.close()
  }
  // Every secret of the run (the GitHub token, the Okta key line by line, the access tokens Okta issued).
  if (
    started
      .secrets()
      .flatMap(secretPieces)
      .some(piece => leaksOf(run, piece).length > 0)
  )
    throw new Error('a secret leaked')
  const html = page(run)
  const k = argv.indexOf('--html')
  if (k >= 0) writeFileSync(argv[k + 1], html)
  const chromium =
    process.env.CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(p => existsSync(p))
  if (!chromium) {
    console.error('No Chromium: apt-get install -y chromium, or set CHROMIUM=/path/to/chrome')
    return 1
  }
  const dir = mkdtempSync(join(tmpdir(), 'ptc-shot-'))
  try {
    const file = join(dir, 'page.html')
    writeFileSync(file, html)
    const r = spawnSync(
      chromium,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--hide-scrollbars',
        `--user-data-dir=${join(dir, 'profile')}`,
        '--force-device-scale-factor=1',
        '--window-size=1032,1450',
        `--screenshot=${OUT}`,
        `file://${file}`
      ],
      { encoding: 'utf8', timeout: 60_000 }
    )
    if (r.status !== 0 || !existsSync(OUT)) {
      console.error(`chromium failed (${r.status}): ${r.stderr}`)
      return 1
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  console.log(
    `${OUT}: the ${demoName(DEMO)} demo (status ${run.outputs.status}, causes ${run.outputs.causes}). Look at it, then commit it.`
  )
  return 0
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = await main(process.argv.slice(2))
