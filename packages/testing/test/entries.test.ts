// The package's two entries: the main one must load no Node built-in (it runs on Deno and Workers),
// and `/node` is where the mock, which needs `node:http`, lives.
import { readFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as main from '../src/index.ts'
import * as node from '../src/node.ts'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { exports: Record<string, unknown> }

/** Every specifier a module imports, following relative imports through the package's own files. */
const importsOf = (entry: URL): Set<string> => {
  const seen = new Set<string>()
  const specifiers = new Set<string>()
  const visit = (file: URL) => {
    if (seen.has(file.href)) return
    seen.add(file.href)
    const source = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '')
    for (const m of source.matchAll(/^(?:import|export)[^'"]*from '([^']+)'/gm)) {
      const specifier = m[1] as string
      if (specifier.startsWith('.')) visit(new URL(specifier, file))
      else specifiers.add(specifier)
    }
  }
  visit(entry)
  return specifiers
}

test('the main entry imports no Node built-in, through any of its modules', () => {
  const builtins = [...importsOf(new URL('../src/index.ts', import.meta.url))].filter((s) => s.startsWith('node:'))
  assert.equal(builtins, [])
})

test('the /node entry holds the mock, which uses node:http', () => {
  assert.ok(importsOf(new URL('../src/node.ts', import.meta.url)).has('node:http'))
  assert.type(node.startMockBanksocket, 'function')
  assert.is('startMockBanksocket' in main, false)
})

test('package.json exports both entries with their types', () => {
  assert.equal(Object.keys(pkg.exports), ['.', './node'])
  assert.equal(pkg.exports['./node'], { types: './dist/node.d.ts', default: './dist/node.js' })
})

test.run()
