/**
 * The receiver inside workerd (Cloudflare Workers' runtime), through miniflare: a Worker built on
 * `createReceiver` and `handle` alone (receiver.worker.ts), bundled with esbuild as a deployment
 * would be, with no `nodejs_compat`. Signed notifications go in over `dispatchFetch`; the answers
 * and the events the Worker saw come back.
 */
import { Miniflare } from 'miniflare'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { encodings, signed } from '../../../test-support/src/encodings.ts'
import { bundleWorker } from '../../../test-support/src/workerd-bundle.ts'

const bundle = await bundleWorker(new URL('./receiver.worker.ts', import.meta.url))
const mf = new Miniflare({ modules: true, script: bundle.code, compatibilityDate: '2025-09-01' })

const post = async (fields: Readonly<Record<string, string>>, encoding: 'form' | 'json' | 'multipart', path = '/banksocket') => {
  const { contentType, body } = encodings[encoding](fields)
  const response = await mf.dispatchFetch(`http://localhost${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType ?? '' },
    body: String(body),
  })
  return { status: response.status, body: await response.text() }
}

test('the bundle holds no Node built-in', () => {
  assert.not.ok(bundle.inputs.some((path) => path.startsWith('node:')))
})

test('workerd: the receiver answers the contract and emits its events, recorded included', async () => {
  const first = await signed({ amount: '100.00', balance: '1100.00', description: 'a' })
  assert.equal(await post(first, 'form'), { status: 200, body: '{"status":"ok"}' })
  assert.equal(await post(first, 'multipart'), { status: 200, body: '{"status":"duplicate"}' })
  assert.equal(await post(await signed({ amount: '10.00', balance: '1200.00', description: 'b' }), 'json'), { status: 200, body: '{"status":"ok"}' })
  assert.is((await post({ ...first, hash: 'AAAA' }, 'form')).status, 401)
  assert.is((await post(first, 'form', '/elsewhere')).status, 404)
  const { log, userAgent, hasProcess } = (await (await mf.dispatchFetch('http://localhost/log')).json()) as {
    log: string[]
    userAgent: string
    hasProcess: boolean
  }
  assert.is(userAgent, 'Cloudflare-Workers')
  assert.is(hasProcess, false)
  assert.equal(log, [
    'credit 10000 TRY',
    'recorded ledger-69-TRY 1',
    'duplicate 64',
    'gap 9000',
    'credit 1000 TRY',
    'recorded ledger-69-TRY 2,3',
    'rejected invalid_hash',
  ])
})

test.after(async () => {
  await mf.dispose()
})

test.run()
