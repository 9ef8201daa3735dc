import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { vectors } from '../../test-support/src/vectors.ts'
import { encodeForm, receive } from '../src/index.ts'

const outcome = async (_fields: Record<string, string>, secret: string, contentType: string, body: string) => {
  const result = await receive({ body, contentType }, { secrets: [secret] })()
  return result._tag === 'Right' ? 'accepted' : `rejected:${result.left._tag}`
}

for (const c of vectors.cases) {
  test(`vector ${c.name} is ${c.expect} as form`, async () => {
    assert.is(await outcome(c.fields, c.secret, 'application/x-www-form-urlencoded', encodeForm(c.fields)), c.expect)
  })
  test(`vector ${c.name} is ${c.expect} as JSON`, async () => {
    assert.is(await outcome(c.fields, c.secret, 'application/json', JSON.stringify(c.fields)), c.expect)
  })
}

test('the documented sample hash decodes to 64 lowercase hex characters', () => {
  const text = atob(vectors.doc_sample.fields.hash)
  assert.match(text, /^[0-9a-f]{64}$/)
})

test.run()
