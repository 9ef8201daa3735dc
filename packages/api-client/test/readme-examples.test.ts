/**
 * The README's code samples, executed. Each `<!-- example: NAME -->` block of README.md must equal
 * the `#region example: NAME` below (import lines aside, which are checked against the public
 * index), so the docs cannot drift from code that runs.
 */
import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  ApiRequestError,
  createClient,
  createPromiseClient,
  createSubscriptionService,
  formatApiError,
  isUnauthorized,
  type ApiError,
} from '../src/index.ts'
import { startBanksocket, status, TOKEN, type FakeBanksocket } from './support/banksocket.ts'

let api: FakeBanksocket
test.before(async () => {
  api = await startBanksocket()
})
test.before.each(() => {
  api.reset()
  process.env.BANKSOCKET_TOKEN = TOKEN
  process.env.BANKSOCKET_API_URL = api.url
})
test.after(async () => {
  delete process.env.BANKSOCKET_TOKEN
  delete process.env.BANKSOCKET_API_URL
  await api.close()
})

const calls = () => api.requests.map((r) => `${r.method} ${r.path}`)

test('fp-ts: create then delete', async () => {
  // #region example: fp-ts
  const client = createClient({
    token: process.env.BANKSOCKET_TOKEN ?? '',
    baseUrl: process.env.BANKSOCKET_API_URL, // undefined means https://api.banksocket.com/v1
  })

  const created = await client.createWebhook({
    title: 'orders',
    endpoint: 'https://shop.example/hooks/banksocket',
    event: 'NEW_CREDIT', // or NEW_DEBIT, or NEW_TRANSACTION for both
    account: 'all', // or one account id, such as 69
  })() // Either<ApiError, Webhook>: Right({ id: 1233, endpoint, title })

  const deleted = await pipe(
    TE.fromEither(created),
    TE.chain((webhook) => client.deleteWebhook(webhook.id)),
    TE.mapLeft(formatApiError), // one line, for a log
  )() // Either<string, { status: 'success' }>
  // #endregion
  assert.equal(created, E.right({ id: 1233, endpoint: 'https://shop.example/hooks/banksocket', title: 'orders' }))
  assert.equal(deleted, E.right({ status: 'success' }))
  assert.equal(calls(), ['POST /v1/webhooks', 'DELETE /v1/webhooks/1233'])
  assert.is(api.requests[0]?.headers['authentication'], TOKEN)
})

test('async/await: create then delete, and the unauthorized branch', async () => {
  const run = async (): Promise<void> => {
    // #region example: async-await
    const api = createPromiseClient({
      token: process.env.BANKSOCKET_TOKEN ?? '',
      baseUrl: process.env.BANKSOCKET_API_URL,
    })

    try {
      const webhook = await api.createWebhook({
        title: 'debits',
        endpoint: 'https://shop.example/hooks/banksocket',
        event: 'NEW_DEBIT',
        account: 69,
      })
      await api.deleteWebhook(webhook.id) // resolves with { status: 'success' }
    } catch (error) {
      // Rejections are ApiRequestError; `error.error` is the typed ApiError below.
      if (error instanceof ApiRequestError && isUnauthorized(error.error)) {
        throw new Error('Banksocket refused the token: check BANKSOCKET_TOKEN')
      }
      throw error
    }
    // #endregion
  }
  await run()
  assert.equal(calls().map((c) => c.replace(/\d+$/, 'ID')), ['POST /v1/webhooks', 'DELETE /v1/webhooks/ID'])
  assert.equal(JSON.parse(api.requests[0]?.body ?? ''), { title: 'debits', endpoint: 'https://shop.example/hooks/banksocket', event: 'NEW_DEBIT', account: '69' })

  process.env.BANKSOCKET_TOKEN = 'expired-token'
  try {
    await run()
    assert.unreachable('should reject')
  } catch (error) {
    assert.is((error as Error).message, 'Banksocket refused the token: check BANKSOCKET_TOKEN')
  }
})

test('errors: advice for each variant', () => {
  // #region example: errors
  const advice = (error: ApiError): string => {
    switch (error._tag) {
      case 'InvalidInput':
        return `fix ${error.problems.map((p) => p.path).join(', ')}`
      case 'TokenUnavailable':
        return `no token: ${error.message}`
      case 'HttpError':
        return isUnauthorized(error) ? 'check BANKSOCKET_TOKEN' : `Banksocket answered ${error.status}: ${error.body}`
      case 'NetworkError':
      case 'Timeout':
        return 'Banksocket is unreachable; try again later'
      case 'DecodeError':
        return `unexpected answer at ${error.problems.map((p) => p.path).join(', ')}`
    }
  }
  // #endregion
  const url = 'https://api.banksocket.com/v1/webhooks'
  assert.is(advice({ _tag: 'InvalidInput', problems: [{ path: 'endpoint', message: 'x' }, { path: 'account', message: 'y' }] }), 'fix endpoint, account')
  assert.is(advice({ _tag: 'TokenUnavailable', message: 'the token is empty' }), 'no token: the token is empty')
  assert.is(advice({ _tag: 'HttpError', method: 'POST', url, status: 401, body: '', attempts: 1 }), 'check BANKSOCKET_TOKEN')
  assert.is(advice({ _tag: 'HttpError', method: 'POST', url, status: 422, body: 'bad', attempts: 1 }), 'Banksocket answered 422: bad')
  assert.is(advice({ _tag: 'Timeout', method: 'POST', url, timeoutMs: 1, attempts: 1 }), 'Banksocket is unreachable; try again later')
  assert.is(advice({ _tag: 'DecodeError', method: 'POST', url, status: 200, problems: [{ path: 'webhook.id', message: 'x' }], body: '' }), 'unexpected answer at webhook.id')
})

test('retry: a patient client retries a DELETE', async () => {
  // #region example: retry
  const patient = createClient({
    token: process.env.BANKSOCKET_TOKEN ?? '',
    baseUrl: process.env.BANKSOCKET_API_URL,
    timeout: 5_000,
    retry: { limit: 4, backoff: 200, maxDelay: 30_000 },
  })
  // #endregion
  api.reply(status(503), status(200, { status: 'success' }))
  assert.equal(await patient.deleteWebhook(8)(), E.right({ status: 'success' }))
  assert.equal(calls(), ['DELETE /v1/webhooks/8', 'DELETE /v1/webhooks/8'])
})

test('hooks: the log lines', async () => {
  // #region example: hooks
  const log: string[] = []
  const observed = createClient({
    token: process.env.BANKSOCKET_TOKEN ?? '',
    baseUrl: process.env.BANKSOCKET_API_URL,
    hooks: {
      onResponse: ({ method, url, status, attempt, durationMs }) =>
        log.push(`${method} ${url} -> ${status} (attempt ${attempt}, ${durationMs.toFixed(0)} ms)`),
      onRetry: ({ method, url, attempt, status }) =>
        log.push(`retrying ${method} ${url}: attempt ${attempt} after ${status ?? 'no answer'}`),
    },
  })
  // #endregion
  api.reply({ drop: true }, status(200, { status: 'success' }))
  await observed.deleteWebhook(9)()
  const url = `${api.url}/webhooks/9`
  assert.equal(log.map((line) => line.replace(/\d+ ms\)$/, 'N ms)')), [
    `retrying DELETE ${url}: attempt 2 after no answer`,
    `DELETE ${url} -> 200 (attempt 2, N ms)`,
  ])
})

test('subscriptions: ensureSubscribed twice makes one request', async () => {
  // #region example: subscriptions
  const subscriptions = createSubscriptionService({
    client: createClient({ token: process.env.BANKSOCKET_TOKEN ?? '', baseUrl: process.env.BANKSOCKET_API_URL }),
  })
  const spec = { title: 'orders', endpoint: 'https://shop.example/hooks/banksocket', event: 'NEW_CREDIT', account: 'all' } as const

  const first = await subscriptions.ensureSubscribed(spec)() // creates the webhook, records WebhookCreated
  const second = await subscriptions.ensureSubscribed(spec)() // the same webhook, no API call
  // #endregion
  assert.ok(E.isRight(first))
  assert.equal(second, first)
  assert.equal(calls(), ['POST /v1/webhooks'])
})

// ---------------------------------------------------------------------------------------------
// README <-> regions

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const self = readFileSync(new URL(import.meta.url), 'utf8')
const index = readFileSync(new URL('../src/index.ts', import.meta.url), 'utf8')

const dedent = (lines: string[]): string => {
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)?.[0].length ?? 0)
  const cut = Math.min(...indents)
  return lines.map((l) => l.slice(cut).trimEnd()).join('\n').trim()
}

const readmeExamples = (): Map<string, { imports: string[]; code: string }> => {
  const out = new Map<string, { imports: string[]; code: string }>()
  for (const m of readme.matchAll(/<!-- example: ([\w-]+) -->\n```ts\n([\s\S]*?)\n```/g)) {
    const lines = (m[2] ?? '').split('\n')
    const imports = lines.filter((l) => l.startsWith('import '))
    out.set(m[1] ?? '', { imports, code: dedent(lines.filter((l) => !l.startsWith('import '))) })
  }
  return out
}

const regions = (): Map<string, string> => {
  const out = new Map<string, string>()
  for (const m of self.matchAll(/\/\/ #region example: ([\w-]+)\n([\s\S]*?)\n\s*\/\/ #endregion/g)) {
    out.set(m[1] ?? '', dedent((m[2] ?? '').split('\n')))
  }
  return out
}

test('every ts block of the README is a named example', () => {
  const blocks = readme.match(/```ts\n/g)?.length ?? 0
  assert.ok(blocks > 0)
  assert.is(readmeExamples().size, blocks, 'each ```ts block is preceded by <!-- example: NAME -->')
})

test('every README example is executed above, word for word', () => {
  const executed = regions()
  for (const [name, { code }] of readmeExamples()) {
    assert.ok(executed.has(name), `no #region example: ${name} in readme-examples.test.ts`)
    assert.fixture(executed.get(name) ?? '', code)
  }
})

test('README imports name real exports, and the same modules as this file', () => {
  for (const [name, { imports }] of readmeExamples()) {
    for (const line of imports) {
      const m = /^import (?:\{ (.+) \}|\* as (\w+)) from '([^']+)'$/.exec(line)
      assert.ok(m !== null, `${name}: unexpected import line ${line}`)
      if (m === null) continue
      const [, named, star, from] = m
      const names = star !== undefined ? [star] : (named ?? '').split(', ').map((n) => n.replace(/^type /, ''))
      for (const n of names) {
        if (from === '@banksocket-webhooks/api-client') {
          assert.ok(new RegExp(`\\b${n}[,\\s}]`).test(index), `${name}: ${n} is not exported by src/index.ts`)
        } else {
          const local = star !== undefined ? `* as ${n} from '${from}'` : `{ ${n} } from '${from}'`
          assert.ok(self.includes(`import ${local}`), `${name}: this file should import ${local}`)
        }
      }
    }
  }
})

test.run()
