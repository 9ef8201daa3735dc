import { createHash, hash } from 'node:crypto'
import { sign, webCryptoSha256 } from '@banksocket-webhooks/core'
import { vectors } from '@banksocket-webhooks/test-support/vectors'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { nodeSha256On } from '../src/hash.ts'
import { nodeSha256 } from '../src/index.ts'

test('nodeSha256 is the lowercase hex of SHA-256 of the UTF-8 text, as Web Crypto computes it', async () => {
  for (const message of ['', 'abc', 'ÇĞİÖŞÜçğıöşü €', 'x'.repeat(10_000)]) {
    assert.is(nodeSha256(message), await webCryptoSha256(message), message.slice(0, 20))
  }
  assert.is(nodeSha256('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
})

test('signing the vectors with nodeSha256 reproduces their hashes', async () => {
  for (const v of vectors.cases.filter(
    (c) => c.expect === 'accepted' && c.name !== 'raw-digest-variant' && c.name !== 'unauthenticated-field-changed',
  )) {
    assert.is(await sign(v.fields, v.secret, { sha256: nodeSha256 })(), v.fields.hash, v.name)
  }
})

test('the one-shot hasher (Node 20.12+) and the Hash-object hasher (older Node 20) agree with Web Crypto', async () => {
  assert.type(hash, 'function') // this machine has the one-shot; the test below covers both paths anyway
  const oneShot = nodeSha256On(hash)
  const object = nodeSha256On(undefined)
  for (const message of ['', 'ÇĞİÖŞÜçğıöşü €', 'x'.repeat(10_000), '\ud83d\ude00 emoji']) {
    const expected = await webCryptoSha256(message)
    assert.is(oneShot(message), expected)
    assert.is(object(message), expected)
  }
  assert.is(object('abc'), createHash('sha256').update('abc').digest('hex'))
})

test.run()
