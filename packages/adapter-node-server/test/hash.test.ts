import { sign, webCryptoSha256 } from '@banksocket-webhooks/core'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import vectors from '../../core/test/fixtures/notifications.json' with { type: 'json' }
import { nodeSha256 } from '../src/index.ts'

test('nodeSha256 is SHA-256 of the UTF-8 text, byte for byte the Web Crypto digest', async () => {
  for (const message of ['', 'abc', 'ÇĞİÖŞÜçğıöşü €', 'x'.repeat(10_000)]) {
    assert.equal(new Uint8Array(nodeSha256(message) as Uint8Array), await webCryptoSha256(message), message.slice(0, 20))
  }
  assert.is(Buffer.from(nodeSha256('abc') as Uint8Array).toString('hex'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
})

test('signing the vectors with nodeSha256 reproduces their hashes', async () => {
  for (const v of vectors.cases.filter((c) => c.expect === 'accepted' && c.name !== 'raw-digest-variant' && c.name !== 'unauthenticated-field-changed')) {
    assert.is(await sign(v.fields, v.secret, { sha256: nodeSha256 })(), v.fields.hash, v.name)
  }
})

test.run()
