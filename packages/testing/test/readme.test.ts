// Runs every ```ts sample of the README, in order, each as its own module: imports of this package
// point at src/, other bare imports are resolved from here. A sample fails by throwing (they assert).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const samples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? '')
const self = new URL('../src/index.ts', import.meta.url).href
const selfNode = new URL('../src/node.ts', import.meta.url).href

const rewrite = (code: string): string =>
  code.replace(/from '([^']+)'/g, (whole, specifier: string) => {
    if (specifier.startsWith('node:')) return whole
    if (specifier === '@banksocket-webhooks/testing') return `from '${self}'`
    if (specifier === '@banksocket-webhooks/testing/node') return `from '${selfNode}'`
    return `from '${import.meta.resolve(specifier)}'`
  })

const dir = mkdtempSync(join(tmpdir(), 'banksocket-readme-'))

test('the README has a sample for each section', () => {
  assert.is(samples.length, 5)
})

samples.forEach((code, i) => {
  const title = code.match(/import \{ ([^}]+) \} from '@banksocket-webhooks\/testing'/)?.[1] ?? `sample ${i + 1}`
  test(`README sample ${i + 1} runs (${title})`, async () => {
    const file = join(dir, `sample-${i + 1}.mts`)
    writeFileSync(file, rewrite(code))
    const log = console.log
    console.log = () => undefined
    try {
      await import(pathToFileURL(file).href)
    } finally {
      console.log = log
    }
  })
})

test('clean up', () => {
  rmSync(dir, { recursive: true, force: true })
})

test.run()
