/**
 * The shared test vectors inside workerd (Cloudflare Workers' runtime), through miniflare: core is
 * bundled with esbuild into a module Worker (no `nodejs_compat`), the Worker verifies every vector
 * and answers its results, and this file asserts them from Node.
 */
import { Miniflare } from 'miniflare'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { vectors } from '../../../test-support/src/vectors.ts'
import { bundleWorker } from '../../../test-support/src/workerd-bundle.ts'
import type { VectorReport, VectorResult } from './vectors.worker.ts'

const bundle = await bundleWorker(new URL('./vectors.worker.ts', import.meta.url))
const mf = new Miniflare({ modules: true, script: bundle.code, compatibilityDate: '2025-09-01' })
const report = (await (await mf.dispatchFetch('http://localhost/')).json()) as VectorReport

const find = (name: string, encoding: VectorResult['encoding']): VectorResult => {
  const found = report.results.find((r) => r.name === name && r.encoding === encoding)
  if (found === undefined) throw new Error(`the Worker reported nothing for ${name} as ${encoding}`)
  return found
}

test('the answer comes from workerd, without Node compatibility', () => {
  assert.is(report.userAgent, 'Cloudflare-Workers')
  assert.is(report.hasProcess, false)
})

test('the bundle holds fp-ts and io-ts as ES modules only (fp-ts/lib aliased to fp-ts/es6)', () => {
  assert.ok(bundle.inputs.some((path) => /fp-ts\/es6\//.test(path)))
  assert.ok(bundle.inputs.some((path) => /io-ts\/es6\//.test(path)))
  assert.not.ok(bundle.inputs.some((path) => /(fp-ts|io-ts)\/lib\//.test(path)))
})

for (const c of vectors.cases) {
  for (const encoding of ['form', 'json', 'multipart'] as const) {
    test(`workerd: vector ${c.name} is ${c.expect} as ${encoding}`, () => {
      assert.is(find(c.name, encoding).outcome, c.expect)
    })
  }
}

test('workerd: accepted vectors keep exact money and keep unauthenticated fields apart', () => {
  const sample = find('doc-sample-fields-credit', 'multipart')
  assert.is(sample.amountMinor, '10000')
  assert.is(sample.verifiedDescription, vectors.cases[0]?.fields.description)
  assert.is(sample.unverifiedAccount, 'Kadıköy İşbank TL Hesabı')
})

test('workerd: sign reproduces every accepted canonical hash', () => {
  assert.ok(report.signatures.length >= 3)
  for (const s of report.signatures) assert.ok(s.reproduced, `${s.name} was not reproduced`)
})

test.after(async () => {
  await mf.dispose()
})

test.run()
