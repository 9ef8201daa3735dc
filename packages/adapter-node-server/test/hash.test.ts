import { sign, toHex, webCryptoSha256 } from '@banksocket-webhooks/core'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import vectors from '../../core/test/fixtures/notifications.json' with { type: 'json' }
import { nodeSha256 } from '../src/index.ts'

test('nodeSha256 is the lowercase hex of SHA-256 of the UTF-8 text, as Web Crypto computes it', async () => {
  for (const message of ['', 'abc', 'ÇĞİÖŞÜçğıöşü €', 'x'.repeat(10_000)]) {
    assert.is(nodeSha256(message), toHex(await webCryptoSha256(message)), message.slice(0, 20))
  }
  assert.is(nodeSha256('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
})

test('signing the vectors with nodeSha256 reproduces their hashes', async () => {
  for (const v of vectors.cases.filter((c) => c.expect === 'accepted' && c.name !== 'raw-digest-variant' && c.name !== 'unauthenticated-field-changed')) {
    assert.is(await sign(v.fields, v.secret, { sha256: nodeSha256 })(), v.fields.hash, v.name)
  }
})

test.run()
