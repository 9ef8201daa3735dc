/**
 * docs/guides/frameworks.md, Hono on Cloudflare Workers: the same Hono app as on Node
 * (examples/hono.ts, whose default export is the Worker), bundled as wrangler bundles a Worker and
 * run in workerd through miniflare with the secret as a binding, answers signed notifications sent
 * over a real loopback socket to the address miniflare listens on.
 */
import { readFileSync } from 'node:fs'
import type { Readable } from 'node:stream'
import { Miniflare } from 'miniflare'
import * as assert from 'uvu/assert'
import { bundleWorker, type WorkerBundle } from '../../../packages/test-support/src/workerd-bundle.ts'
import { SECRET, webhookCases } from '../support/cases.ts'

const examples = new URL('../../../docs/guides/examples/', import.meta.url)
// The compatibility date of the Workers guide's wrangler.toml.
const compatibilityDate = /^compatibility_date = "([\d-]+)"$/m.exec(readFileSync(new URL('wrangler.toml', examples), 'utf8'))?.[1]

let bundle: WorkerBundle | undefined

const cases = webhookCases('Hono on Cloudflare Workers (workerd)', async () => {
  assert.ok(compatibilityDate, 'examples/wrangler.toml has a compatibility_date')
  bundle = await bundleWorker(new URL('hono.ts', examples), { minify: true })
  let output = ''
  const mf = new Miniflare({
    modules: true,
    script: bundle.code,
    compatibilityDate,
    bindings: { BANKSOCKET_SECRET: SECRET },
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
      stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    },
  })
  const url = new URL('/banksocket', await mf.ready).href
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/banksocket$/)
  return { url, output: () => output, stop: () => mf.dispose() }
})

cases('the Worker imports no node: module: it needs no nodejs_compat flag', () => {
  assert.ok(bundle, 'the Worker was bundled')
  assert.not.match(bundle?.code ?? '', /["']node:/)
})

cases.run()
