import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { encodeForm } from '../src/index.ts'
import { example } from './examples/verify-in-pipe.ts'
import { SECRET, signed } from './support/fields.ts'

const bytes = (s: string) => new TextEncoder().encode(s)

test('README example: verify a notification inside an fp-ts pipe', async () => {
  assert.is(await example(bytes(encodeForm(await signed())), SECRET), 'Credit 100.00 TRY on account 69')
  assert.is(await example(bytes(encodeForm(await signed())), 'wrong'), 'refused: invalid_hash')
})

test.run()
