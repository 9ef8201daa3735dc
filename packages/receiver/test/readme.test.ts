/** The README's sample is test/examples/handle.ts, shown verbatim and run here so the docs cannot rot. */
import { readFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { encodings, SECRET, signed } from '../../test-support/src/encodings.ts'

process.env['BANKSOCKET_SECRET'] = SECRET

test('the README shows the sample file verbatim', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const code = readFileSync(new URL('./examples/handle.ts', import.meta.url), 'utf8')
    .split('\n')
    .slice(1)
    .join('\n')
    .trim()
  assert.ok(readme.includes(`\`\`\`ts\n${code}\n\`\`\``), 'README.md holds test/examples/handle.ts')
})

test('the sample answers a credit, tells recorded, and refuses what it must', async () => {
  const { answer, log, paid } = await import('./examples/handle.ts')
  const post = async (fields: Readonly<Record<string, string>>, path = '/banksocket') => {
    const { contentType, body } = encodings.form(fields)
    return answer(new Request(`https://shop.example${path}`, { method: 'POST', headers: { 'content-type': contentType ?? '' }, body: String(body) }))
  }
  const credit = await signed({ description: 'ORDER-1001', amount: '250.75', balance: '1250.75' })
  const first = await post(credit)
  assert.is(first.status, 200)
  assert.equal(await first.json(), { status: 'ok' })
  assert.equal(await (await post(credit)).json(), { status: 'duplicate' })
  assert.is((await post(credit, '/elsewhere')).status, 404)
  assert.is((await post({ ...credit, hash: 'AAAA' })).status, 401)
  assert.is(paid.get('ORDER-1001'), 25075n)
  assert.equal(log, ['ledger-69-TRY#1 TransactionReceived 250.75 (accepted)'])
})

test.run()
