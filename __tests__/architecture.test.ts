/**
 * The house rules a maintainer can rely on, checked: the pipeline's folders,
 * no file over 400 lines and no function over 80, and the CLI free of
 * @actions/core and @actions/github (its import closure and its bundle).
 */
import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { bundleText, chunkFiles } from './support/bundle.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const SRC = join(ROOT, 'src')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : []
  })
}

const FILES = sourceFiles(SRC)
const parse = (path: string): ts.SourceFile => ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true)

describe('the tree shows the pipeline', () => {
  it.each(['action', 'cli', 'github', 'diagnose', 'report', 'idp'])('src/%s/ exists', folder => {
    expect(existsSync(join(SRC, folder))).toBe(true)
  })
})

describe('size limits', () => {
  it('no source file over 400 lines', () => {
    const over = FILES.map(f => ({ file: relative(ROOT, f), lines: readFileSync(f, 'utf8').split('\n').length })).filter(x => x.lines > 400)
    expect(over).toEqual([])
  })

  it('no function over 80 lines', () => {
    const over: string[] = []
    for (const file of FILES) {
      const sf = parse(file)
      const visit = (node: ts.Node): void => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line
          const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line
          if (end - start + 1 > 80) over.push(`${relative(ROOT, file)}:${start + 1} (${end - start + 1} lines)`)
        }
        ts.forEachChild(node, visit)
      }
      visit(sf)
    }
    expect(over).toEqual([])
  })
})

/** Every module specifier a file imports (static and dynamic), type-only imports excluded. */
function importsOf(path: string): string[] {
  const sf = parse(path)
  const out: string[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier))
      out.push(node.moduleSpecifier.text)
    if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier))
      out.push(node.moduleSpecifier.text)
    if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    )
      out.push(node.arguments[0].text)
    ts.forEachChild(node, visit)
  }
  visit(sf)
  return out
}

/** The packages a module reaches through its relative imports. */
function closure(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>()
  const packages = new Set<string>()
  const walk = (file: string): void => {
    if (files.has(file)) return
    files.add(file)
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'))
        if (existsSync(target)) walk(target)
      } else {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec))
      }
    }
  }
  walk(entry)
  return { files, packages }
}

describe('the CLI holds neither @actions/core nor @actions/github', () => {
  it('in its import closure', () => {
    const { files, packages } = closure(join(SRC, 'cli', 'index.ts'))
    expect(files.size).toBeGreaterThan(10)
    expect([...packages].filter(p => p === '@actions/core' || p === '@actions/github')).toEqual([])
    expect([...files].filter(f => f.startsWith(join(SRC, 'action')))).toEqual([])
  })

  it('in its bundle (dist/cli/index.js and its chunks): no workflow-command code, no GitHub event context', () => {
    expect(chunkFiles(join(ROOT, 'dist', 'cli')).length).toBeGreaterThan(0)
    expect(bundleText(join(ROOT, 'dist', 'cli'))).not.toMatch(/add-mask|GITHUB_EVENT_PATH/)
  })

  it('the action does use @actions/core (the check above would notice it otherwise)', () => {
    expect(closure(join(SRC, 'action', 'index.ts')).packages.has('@actions/core')).toBe(true)
    expect(readFileSync(join(ROOT, 'dist', 'index.js'), 'utf8')).toMatch(/add-mask/)
  })
})

describe('citations', () => {
  it('code and docs cite only documents in the repository (not the product brief, which is not in it)', () => {
    const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter(f => /\.(ts|mts|mjs|js|md|yml|json)$/.test(f) && !f.startsWith('dist/') && f !== 'package-lock.json')
    // Nor a path of the machine it was written on, or the folder beside the repository that a clone lacks.
    const outside = ['PRODUCT' + '.md', '/wo' + 'rk/', '../sha' + 'red']
    const citing = tracked.filter(f => {
      const text = existsSync(join(ROOT, f)) ? readFileSync(join(ROOT, f), 'utf8') : ''
      return outside.some(o => text.includes(o))
    })
    expect(citing).toEqual([])
  })
})
