/**
 * The PostgreSQL store inside workerd (Cloudflare Workers' runtime), through miniflare: the store and
 * pg are bundled as wrangler would bundle them with `nodejs_compat`, pg connects through
 * `cloudflare:sockets` to the test server, and this file asserts from Node what the Worker answered.
 */
import { Miniflare } from 'miniflare'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { freePort, startDatabase, type TestDatabase } from '../support/database.ts'
import { bundlePgWorker } from './bundle.ts'
import type { WorkerReport } from './postgres.worker.ts'

let db: TestDatabase
let mf: Miniflare
let inputs: readonly string[] = []

test.before(async () => {
  db = await startDatabase()
  const bundle = await bundlePgWorker(new URL('./postgres.worker.ts', import.meta.url))
  inputs = bundle.inputs
  mf = new Miniflare({
    modules: true,
    script: bundle.code,
    // nodejs_compat for pg's use of node:events, node:crypto, ...; from 2025-09-15 on node:fs is
    // there too (pg loads pgpass, which imports it); with 2025-09-01 the Worker fails to start with
    // `No such module "node:fs"`.
    compatibilityDate: '2025-09-15',
    compatibilityFlags: ['nodejs_compat'],
    bindings: { DATABASE_URL: db.url, UNREACHABLE_URL: `postgres://app:pw-never-shown@127.0.0.1:${await freePort()}/app`, SCHEMA: db.schemaName() },
  })
})

test.after(async () => {
  await mf.dispose()
  await db.stop()
})

const get = async (path: string): Promise<WorkerReport> => {
  const response = await mf.dispatchFetch(`http://localhost${path}`)
  const report = (await response.json()) as WorkerReport
  assert.is(response.status, 200, JSON.stringify(report))
  return report
}

test('the bundle holds pg-cloudflare, the socket on cloudflare:sockets (not its empty Node stand-in)', () => {
  assert.ok(inputs.some((path) => /pg-cloudflare@[^/]+\/node_modules\/pg-cloudflare\/dist\/index\.js$/.test(path)))
  assert.not.ok(inputs.some((path) => /pg-cloudflare\/dist\/empty\.js$/.test(path)))
})

test('workerd: migrate, record, a replay into another ledger is a KeyConflict, state and feed read back', async () => {
  const report = await get('/scenario')
  assert.is(report['userAgent'], 'Cloudflare-Workers')
  assert.equal((report['migrate'] as { _tag: string })._tag, 'Right')
  assert.equal(report['record'], { _tag: 'Right', right: { nextVersion: 1, positions: [1] } })
  assert.equal(report['replay'], { _tag: 'Left', left: { _tag: 'KeyConflict', key: 'k1', stream: 'ledger-69-TRY' } })
  assert.equal(report['state'], { _tag: 'Right', right: { version: 1, state: { head: '100.00' }, stateVersion: 1, duplicates: 0 } })
  assert.equal(report['feed'], { _tag: 'Right', right: ['ledger-69-TRY@1'] })
  assert.equal(report['close'], { _tag: 'Right' })
})

test('workerd: two requests racing one key into two ledgers, ten times: one success and one KeyConflict each', async () => {
  for (let round = 0; round < 10; round++) {
    const key = `race-${round}`
    const reports = await Promise.all([get(`/record?stream=a-${round}&key=${key}`), get(`/record?stream=b-${round}&key=${key}`)])
    const tags = reports.map((r) => {
      const result = r['result'] as { _tag: string; left?: { _tag: string } }
      return result._tag === 'Right' ? 'Right' : (result.left?._tag ?? '?')
    })
    assert.equal([...tags].sort(), ['KeyConflict', 'Right'], JSON.stringify(reports))
  }
})

test('workerd: a server that is not there is a StoreFailure, without the password', async () => {
  const report = await get('/unreachable')
  const result = report['result'] as { _tag: string; left: { _tag: string; message: string } }
  assert.is(result._tag, 'Left')
  assert.is(result.left._tag, 'StoreFailure')
  assert.not.match(result.left.message, /pw-never-shown/)
})

test.run()
