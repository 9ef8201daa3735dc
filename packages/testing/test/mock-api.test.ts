import { encodeForm } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { encodeNotification } from '../src/index.ts'
import { type MockBanksocket, type MockBanksocketOptions, startMockBanksocket } from '../src/node.ts'

const TOKEN = 'tok-live-9f2c1e77d0'
const SECRET = 'sec-ÇĞ-77ab'

const start = async (options: Partial<MockBanksocketOptions> = {}): Promise<MockBanksocket> => {
  const started = await startMockBanksocket({ token: TOKEN, secret: SECRET, ...options })()
  if (E.isLeft(started)) throw new Error(started.left.message)
  return started.right
}

type Answer = Readonly<{ status: number; json: unknown; text: string; headers: Headers }>

const call = async (url: string, init: RequestInit): Promise<Answer> => {
  const response = await fetch(url, init)
  const text = await response.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.status, json, text, headers: response.headers }
}

const spec = { title: 'TR işbank api test', endpoint: 'http://127.0.0.1:9/hook', event: 'NEW_CREDIT', account: 69 }

const create = (mock: MockBanksocket, body: unknown, headers: Record<string, string> = { authentication: TOKEN }) =>
  call(`${mock.apiUrl}/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })

test('POST /v1/webhooks with JSON creates a webhook and answers as Banksocket documents', async () => {
  const mock = await start()
  try {
    const answer = await create(mock, spec)
    assert.is(answer.status, 200)
    assert.match(answer.headers.get('content-type') ?? '', /^application\/json/)
    assert.equal(answer.json, { webhook: { id: 1, endpoint: spec.endpoint, title: spec.title } })
    assert.equal(mock.webhooks(), [{ webhook: { id: 1, endpoint: spec.endpoint, title: spec.title }, spec }])
    const second = await create(mock, { ...spec, account: 'all', event: 'NEW_TRANSACTION' })
    assert.equal(second.json, { webhook: { id: 2, endpoint: spec.endpoint, title: spec.title } })
  } finally {
    await mock.close()
  }
})

test('form and multipart bodies work too; a form account id "69" is the account 69', async () => {
  const mock = await start()
  try {
    const fields = { title: 'form hook', endpoint: 'https://shop.example/bs', event: 'NEW_DEBIT', account: '69' }
    const form = await call(`${mock.apiUrl}/webhooks`, {
      method: 'POST',
      headers: { authentication: TOKEN, 'content-type': 'application/x-www-form-urlencoded' },
      body: encodeForm(fields),
    })
    assert.is(form.status, 200)
    const multipart = encodeNotification({ ...fields, title: 'çok parçalı', account: 'all' }, 'multipart')
    const mp = await call(`${mock.apiUrl}/webhooks`, {
      method: 'POST',
      headers: { authentication: TOKEN, 'content-type': multipart.contentType },
      body: multipart.body,
    })
    assert.equal(mp.json, { webhook: { id: 2, endpoint: 'https://shop.example/bs', title: 'çok parçalı' } })
    assert.equal(
      mock.webhooks().map((s) => s.spec.account),
      [69, 'all'],
    )
  } finally {
    await mock.close()
  }
})

test('a missing or wrong Authentication header is 401 with a JSON body that never echoes a token', async () => {
  const mock = await start()
  try {
    const missing = await create(mock, spec, {})
    assert.is(missing.status, 401)
    assert.equal(missing.json, { error: 'unauthorized', message: 'missing Authentication header' })
    const wrong = await create(mock, spec, { authentication: `${TOKEN}x` })
    assert.equal([wrong.status, wrong.json], [401, { error: 'unauthorized', message: 'invalid token' }])
    const bearer = await create(mock, spec, { authorization: TOKEN })
    assert.is(bearer.status, 401, 'Authorization is not Authentication')
    const del = await call(`${mock.apiUrl}/webhooks/1`, { method: 'DELETE', headers: { authentication: 'nope' } })
    assert.is(del.status, 401)
    for (const a of [missing, wrong, bearer, del]) {
      assert.not.ok(a.text.includes(TOKEN) || a.text.includes(SECRET))
    }
    assert.is(mock.webhooks().length, 0)
  } finally {
    await mock.close()
  }
})

test('invalid input is 422 with field paths', async () => {
  const mock = await start()
  try {
    const answer = await create(mock, { title: '  ', endpoint: 'ftp://x', event: 'NEW_THING', account: -1 })
    assert.is(answer.status, 422)
    const body = answer.json as { error: string; details: Array<{ path: string; message: string }> }
    assert.is(body.error, 'invalid_input')
    assert.equal(body.details.map((d) => d.path).sort(), ['account', 'endpoint', 'event', 'title'])
    const missing = await create(mock, {})
    assert.equal(
      (missing.json as typeof body).details.map((d) => [d.path, d.message]),
      [
        ['title', 'is required'],
        ['endpoint', 'is required'],
        ['event', 'is required'],
        ['account', 'is required'],
      ],
    )
    assert.is(mock.webhooks().length, 0)
  } finally {
    await mock.close()
  }
})

test('a malformed body is 400, an unsupported type 415, an oversized one 413', async () => {
  const mock = await start({ bodyLimit: 1024 })
  try {
    const post = (body: string, contentType: string) =>
      call(`${mock.apiUrl}/webhooks`, { method: 'POST', headers: { authentication: TOKEN, 'content-type': contentType }, body })
    const broken = await post('{"title":', 'application/json')
    assert.equal([broken.status, (broken.json as { error: string }).error], [400, 'bad_request'])
    const array = await post('[1,2]', 'application/json')
    assert.is(array.status, 400)
    const twice = await post('title=a&title=b', 'application/x-www-form-urlencoded')
    assert.equal(twice.json, { error: 'bad_request', details: [{ path: 'title', message: 'sent more than once' }] })
    const text = await post('hello', 'text/plain')
    assert.equal([text.status, (text.json as { error: string }).error], [415, 'unsupported_media_type'])
    const large = await post(JSON.stringify({ ...spec, title: 'x'.repeat(2000) }), 'application/json')
    assert.equal([large.status, large.json], [413, { error: 'too_large' }])
  } finally {
    await mock.close()
  }
})

test('DELETE /v1/webhooks/:id answers {"status":"success"}; unknown ids are 404', async () => {
  const mock = await start()
  try {
    await create(mock, spec)
    const del = (id: string) => call(`${mock.apiUrl}/webhooks/${id}`, { method: 'DELETE', headers: { authentication: TOKEN } })
    assert.equal(await del('1').then((a) => [a.status, a.json]), [200, { status: 'success' }])
    assert.is(mock.webhooks().length, 0)
    assert.equal(await del('1').then((a) => [a.status, (a.json as { error: string }).error]), [404, 'not_found'])
    assert.is((await del('999')).status, 404)
    assert.is((await del('abc')).status, 404)
  } finally {
    await mock.close()
  }
})

test('other routes are 404, other methods 405 with Allow', async () => {
  const mock = await start()
  try {
    const auth = { authentication: TOKEN }
    assert.is((await call(`${mock.url}/`, { headers: auth })).status, 404)
    assert.is((await call(`${mock.apiUrl}/accounts`, { headers: auth })).status, 404)
    assert.is((await call(`${mock.apiUrl}/webhooks/1/extra`, { method: 'DELETE', headers: auth })).status, 404)
    const get = await call(`${mock.apiUrl}/webhooks`, { headers: auth })
    assert.equal([get.status, get.headers.get('allow'), get.json], [405, 'POST', { error: 'method_not_allowed' }])
    const put = await call(`${mock.apiUrl}/webhooks/1`, { method: 'PUT', headers: auth })
    assert.equal([put.status, put.headers.get('allow')], [405, 'DELETE'])
    assert.is(
      (
        await call(`${mock.apiUrl}/webhooks/?x=1`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify(spec),
        })
      ).status,
      200,
    )
  } finally {
    await mock.close()
  }
})

test('createWebhook and deleteWebhook work without HTTP, with the same validation', async () => {
  const mock = await start()
  try {
    const created = mock.createWebhook({ title: 'direct', endpoint: 'http://127.0.0.1:9/', event: 'NEW_TRANSACTION', account: 'all' })
    assert.equal(created, E.right({ id: 1, endpoint: 'http://127.0.0.1:9/', title: 'direct' }))
    const invalid = mock.createWebhook({ title: 'x', endpoint: 'nope', event: 'NEW_TRANSACTION', account: 'all' })
    assert.is(E.isLeft(invalid) && invalid.left[0]?.path, 'endpoint')
    assert.is(mock.deleteWebhook(1), true)
    assert.is(mock.deleteWebhook(1), false)
  } finally {
    await mock.close()
  }
})

test('a port in use is a listen_failed error; bad options are a TypeError', async () => {
  const first = await start()
  try {
    const second = await startMockBanksocket({ token: TOKEN, secret: SECRET, port: first.port })()
    assert.is(E.isLeft(second) && second.left.code, 'EADDRINUSE')
    assert.not.ok(JSON.stringify(second).includes(TOKEN) || JSON.stringify(second).includes(SECRET))
  } finally {
    await first.close()
  }
  const bad: ReadonlyArray<Partial<MockBanksocketOptions>> = [
    { token: '' },
    { secret: '' },
    { port: 70000 },
    { encoding: 'xml' as 'form' },
    { retry: { attempts: 0 } },
    { retry: { baseDelay: -1 } },
    { timeout: 0 },
    { bodyLimit: 0 },
  ]
  for (const options of bad) {
    assert.throws(() => startMockBanksocket({ token: TOKEN, secret: SECRET, ...options }), TypeError, JSON.stringify(options))
  }
})

test('close() stops the server: requests are refused afterwards, and close is idempotent', async () => {
  const mock = await start()
  await create(mock, spec)
  await mock.close()
  await mock.close()
  let failed = false
  try {
    await fetch(`${mock.apiUrl}/webhooks`, { method: 'POST' })
  } catch {
    failed = true
  }
  assert.ok(failed)
})

test.run()
