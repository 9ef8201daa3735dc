import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createFetchReceiver, createReceiver, type ReceiverOptions } from '../src/index.ts'

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
  refuses({ secrets: [] }, /`secrets` must be a non-empty array/)
  refuses({ secrets: ['hunter2', ''] }, /`secrets` must be a non-empty array of non-empty strings/)
  refuses({ secrets: 'hunter2' }, /`secrets`/)
  refuses({ secrets: ['hunter2'], limit: 0 }, /`limit` must be a positive integer/)
  refuses({ secrets: ['hunter2'], limit: 1.5 }, /`limit`/)
  refuses({ secrets: ['hunter2'], handlerTimeout: -1 }, /`handlerTimeout`/)
  refuses({ secrets: ['hunter2'], handlerTimeout: 2 ** 31 }, /`handlerTimeout`/)
  refuses({ secrets: ['hunter2'], dedupeWindow: 0 }, /`dedupeWindow`/)
  refuses({ secrets: ['hunter2'], path: 'banksocket' }, /`path` must start with '\/'/)
  refuses({ secrets: ['hunter2'], path: '/a?b=1' }, /`path` must be a plain URL path/)
})

test('defaults: 64 KiB limit, every path', () => {
  const r = createReceiver({ secrets: ['s'] })
  assert.is(r.limit, 65536)
  assert.is(r.path, undefined)
  assert.is(r.route('POST', '/anything'), 'deliver')
  assert.is(r.route('GET', '/anything'), 'method_not_allowed')
  assert.is(r.route('POST', undefined), 'not_found')
})

test('fetch is bound, so it can be passed around as a plain function', async () => {
  const { fetch } = createFetchReceiver({ secrets: ['s'], path: '/hook' })
  assert.is((await fetch(new Request('http://x.test/elsewhere'))).status, 404)
  const response = await fetch(new Request('http://x.test/hook'))
  assert.is(response.status, 405)
  assert.is(response.headers.get('allow'), 'POST')
})

test.run()
