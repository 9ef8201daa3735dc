import { createServer } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type ApiError, ApiRequestError, createClient, formatApiError, isForbidden, isUnauthorized, MAX_ERROR_BODY } from '../src/index.ts'
import { type FakeBanksocket, left, startBanksocket, status, TOKEN } from './support/banksocket.ts'

let api: FakeBanksocket
test.before(async () => {
  api = await startBanksocket()
})
test.before.each(() => api.reset())
test.after(() => api.close())

const input = { title: 'orders', endpoint: 'https://shop.example/bs', event: 'NEW_CREDIT', account: 'all' } as const

for (const code of [400, 401, 403, 404, 422, 429, 500, 503]) {
  test(`${code} is an HttpError with the status and the body text`, async () => {
    const client = createClient({ token: TOKEN, baseUrl: api.url, retry: { limit: 0 } })
    api.reply({ status: code, headers: { 'content-type': 'application/json', 'retry-after': '1' }, body: `{"error":"e${code}"}` })
    const error = left(await client.createWebhook(input)())
    assert.equal(error, { _tag: 'HttpError', method: 'POST', url: `${api.url}/webhooks`, status: code, body: `{"error":"e${code}"}`, attempts: 1 })
    assert.is(isUnauthorized(error), code === 401)
    assert.is(isForbidden(error), code === 403)
  })
}

test('a wrong token gets 401: isUnauthorized, and the message says to check the token', async () => {
  const client = createClient({ token: 'wrong-token', baseUrl: api.url })
  const error = left(await client.deleteWebhook(5)())
  assert.ok(isUnauthorized(error))
  assert.match(formatApiError(error), /answered 401 \(check the token\)/)
})

test('a plain-text error body is kept as text; an empty one as ""', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url })
  api.reply({ status: 400, headers: { 'content-type': 'text/plain' }, body: 'Geçersiz istek' }, { status: 404 })
  assert.is((left(await client.createWebhook(input)()) as { body: string }).body, 'Geçersiz istek')
  assert.is((left(await client.createWebhook(input)()) as { body: string }).body, '')
})

test('an error body longer than MAX_ERROR_BODY is cut', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url })
  api.reply({ status: 400, body: 'x'.repeat(MAX_ERROR_BODY + 10) })
  const error = left(await client.createWebhook(input)())
  assert.is((error as { body: string }).body, `${'x'.repeat(MAX_ERROR_BODY)}…`)
})

test('a redirect is not followed (the token would go along): it is an HttpError with the 3xx status', async () => {
  const elsewhere = await startBanksocket()
  try {
    const client = createClient({ token: TOKEN, baseUrl: api.url })
    for (const code of [301, 302, 307, 308]) {
      api.reply({ status: code, headers: { location: `${elsewhere.url}/webhooks` } })
      const error = left(await client.createWebhook(input)())
      assert.is(error._tag === 'HttpError' && error.status, code)
    }
    assert.is(elsewhere.requests.length, 0, 'the other origin never saw the token')
  } finally {
    await elsewhere.close()
  }
})

test('a slow answer is a Timeout after the timeout option', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url, timeout: 100 })
  api.reply({ ...status(200, { webhook: { id: 1, endpoint: 'x', title: 'y' } }), delayMs: 1500 })
  const started = performance.now()
  const error = left(await client.createWebhook(input)())
  const elapsed = performance.now() - started
  assert.equal(error, { _tag: 'Timeout', method: 'POST', url: `${api.url}/webhooks`, timeoutMs: 100, attempts: 1 })
  assert.ok(elapsed >= 90 && elapsed < 1000, `took ${elapsed} ms`)
})

test('a body that stalls after the headers is a Timeout too', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url, timeout: 150 })
  api.reply({ stallBody: true })
  const error = left(await client.createWebhook(input)())
  assert.is(error._tag, 'Timeout')
})

test('a dropped connection is a NetworkError', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url })
  api.reply({ drop: true })
  const error = left(await client.createWebhook(input)())
  assert.is(error._tag, 'NetworkError')
  if (error._tag !== 'NetworkError') return
  assert.is(error.method, 'POST')
  assert.is(error.url, `${api.url}/webhooks`)
  assert.is(error.attempts, 1)
  assert.match(error.message, /fetch failed/)
})

test('a connection cut in the middle of the body is a NetworkError', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url })
  api.reply({ cutBody: true })
  const error = left(await client.createWebhook(input)())
  assert.is(error._tag, 'NetworkError')
})

test('a refused connection is a NetworkError', async () => {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer()
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })
  const client = createClient({ token: TOKEN, baseUrl: `http://127.0.0.1:${port}/v1`, retry: { limit: 0 } })
  const error = left(await client.deleteWebhook(1)())
  assert.is(error._tag, 'NetworkError')
  assert.match((error as { message: string }).message, /ECONNREFUSED/)
})

test('a failing token function is TokenUnavailable, and nothing is sent', async () => {
  const cases: Array<[() => string | Promise<string>, RegExp]> = [
    [
      () => {
        throw new Error('vault sealed')
      },
      /the token function failed: vault sealed/,
    ],
    [() => Promise.reject(new Error('vault unreachable')), /the token function failed: vault unreachable/],
    [() => '', /returned an unusable token: the token is empty/],
    [() => 'line\nbreak', /printable ASCII/],
    [() => 42 as unknown as string, /must be a string, got number/],
  ]
  for (const [token, message] of cases) {
    const client = createClient({ token, baseUrl: api.url })
    const error = left(await client.createWebhook(input)())
    assert.is(error._tag, 'TokenUnavailable')
    assert.match((error as { message: string }).message, message)
  }
  assert.is(api.requests.length, 0)
})

test('no error, message or thrown error ever contains the token, even when Banksocket echoes it', async () => {
  const token = 'sk_live_7Hq2ZtT0kenS3cret'
  const echo = (code: number) => (r: { headers: Record<string, unknown> }) =>
    status(code, { error: `token ${String(r.headers['authentication'])} rejected` })
  const client = createClient({ token, baseUrl: api.url, timeout: 150, retry: { limit: 1, backoff: 1 } })
  const errors: ApiError[] = []

  api.reply(echo(401))
  errors.push(left(await client.createWebhook(input)()))
  api.reply(echo(503), echo(503))
  errors.push(left(await client.deleteWebhook(3)()))
  api.reply((r) => status(200, { webhook: { id: 'x', token: r.headers['authentication'] } }))
  errors.push(left(await client.createWebhook(input)()))
  api.reply((r) => ({ status: 200, body: `not json ${String(r.headers['authentication'])}` }))
  errors.push(left(await client.createWebhook(input)()))
  api.reply({ ...status(200, {}), delayMs: 1000 })
  errors.push(left(await client.createWebhook(input)()))
  api.reply({ drop: true })
  errors.push(left(await client.createWebhook(input)()))
  errors.push(left(await client.createWebhook({ ...input, endpoint: token })()))
  const failing = createClient({
    token: () => {
      throw new Error('no token today')
    },
    baseUrl: api.url,
  })
  errors.push(left(await failing.createWebhook(input)()))

  assert.equal(
    errors.map((e) => e._tag),
    ['HttpError', 'HttpError', 'DecodeError', 'DecodeError', 'Timeout', 'NetworkError', 'InvalidInput', 'TokenUnavailable'],
  )
  assert.match(JSON.stringify(errors[0]), /\[redacted\]/, 'the echoed token is replaced')
  for (const error of errors) {
    const thrown = new ApiRequestError(error)
    for (const text of [JSON.stringify(error), formatApiError(error), thrown.message, String(thrown.stack), JSON.stringify(thrown)]) {
      assert.not.ok(text.includes(token), `${error._tag} leaks the token: ${text}`)
    }
  }
})

test('bad options never quote the token either', () => {
  const token = 'sk_live_bad\ntoken'
  try {
    createClient({ token })
    assert.unreachable('should throw')
  } catch (error) {
    assert.instance(error, TypeError)
    assert.not.ok(String((error as Error).message).includes('sk_live_bad'))
  }
})

test('formatApiError describes every variant on one line', () => {
  const url = 'https://api.banksocket.com/v1/webhooks'
  const cases: Array<[ApiError, string]> = [
    [
      { _tag: 'InvalidInput', problems: [{ path: 'endpoint', message: 'expected an absolute http(s) URL' }] },
      'invalid input, nothing was sent: endpoint: expected an absolute http(s) URL',
    ],
    [{ _tag: 'TokenUnavailable', message: 'the token is empty' }, 'no API token, nothing was sent: the token is empty'],
    [{ _tag: 'HttpError', method: 'POST', url, status: 403, body: '', attempts: 1 }, `POST ${url} answered 403 (the token may not do this)`],
    [
      { _tag: 'HttpError', method: 'DELETE', url: `${url}/1`, status: 503, body: 'busy', attempts: 3 },
      `DELETE ${url}/1 answered 503 after 3 attempts: busy`,
    ],
    [
      { _tag: 'NetworkError', method: 'POST', url, message: 'fetch failed: other side closed', attempts: 1 },
      `POST ${url} failed: fetch failed: other side closed`,
    ],
    [{ _tag: 'Timeout', method: 'POST', url, timeoutMs: 10000, attempts: 1 }, `POST ${url} timed out after 10000 ms`],
    [
      { _tag: 'DecodeError', method: 'POST', url, status: 200, problems: [{ path: 'webhook.id', message: 'expected number' }], body: '' },
      `POST ${url} answered 200 with an unexpected body: webhook.id: expected number`,
    ],
  ]
  for (const [error, line] of cases) assert.is(formatApiError(error), line)
})

test.run()
