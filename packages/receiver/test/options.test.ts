import { InvalidSecretError } from '@banksocket-webhooks/core'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createReceiver, type ReceiverOptions } from '../src/index.ts'

const refuses = (options: unknown, pattern: RegExp) => {
  try {
    createReceiver(options as ReceiverOptions)
  } catch (error) {
    assert.instance(error, TypeError)
    assert.match((error as Error).message, pattern)
    assert.not.match((error as Error).message, /hunter2/)
    return
  }
  assert.unreachable(`accepted ${JSON.stringify(options)}`)
}

test('bad options fail early with a message that says what to pass', () => {
  refuses({ secrets: [] }, /at least one webhook secret is needed/)
  refuses({ secrets: ['hunter2', ''] }, /secret 1 is empty/)
  refuses({ secrets: ['hunter2', ' '] }, /secret 1 is only whitespace/)
  refuses({ secrets: [undefined] }, /secret 0 is undefined \(an unset environment variable\?\)/)
  refuses({ secrets: 'hunter2' }, /secrets must be an array/)
  refuses({ secrets: ['hunter2'], filter: 'NEW_REFUND' }, /`filter` must be the webhook's event filter/)
  refuses({ secrets: ['hunter2'], limit: 0 }, /`limit` must be a positive integer/)
  refuses({ secrets: ['hunter2'], limit: 1.5 }, /`limit`/)
  refuses({ secrets: ['hunter2'], handlerTimeout: -1 }, /`handlerTimeout`/)
  refuses({ secrets: ['hunter2'], handlerTimeout: 2 ** 31 }, /`handlerTimeout`/)
  refuses({ secrets: ['hunter2'], dedupeWindow: 0 }, /`dedupeWindow`/)
  refuses({ secrets: ['hunter2'], path: 'banksocket' }, /`path` must start with '\/'/)
  refuses({ secrets: ['hunter2'], path: '/a?b=1' }, /`path` must be a plain URL path/)
})

test('a bad secret is a typed InvalidSecretError with its index, never quoting a secret', () => {
  try {
    createReceiver({ secrets: ['hunter2', process.env.BANKSOCKET_UNSET_FOR_TEST as string] })
    assert.unreachable('accepted an undefined secret')
  } catch (error) {
    assert.instance(error, InvalidSecretError)
    assert.is((error as InvalidSecretError).index, 1)
    assert.not.match((error as Error).message, /hunter2/)
  }
})

test('defaults: 64 KiB limit, every path', () => {
  const r = createReceiver({ secrets: ['s'] })
  assert.is(r.limit, 65536)
  assert.is(r.path, undefined)
  assert.is(r.route('POST', '/anything'), 'deliver')
  assert.is(r.route('GET', '/anything'), 'method_not_allowed')
  assert.is(r.route('POST', undefined), 'not_found')
})

test.run()
