/**
 * Hostile input against the Node receiver over real sockets (raw bytes with node:net): each case
 * gets the contract's status (or Node's own parser answer where the bytes are not HTTP), emits no
 * transaction it should not, and the process goes on serving the next request.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openFileEventStore } from '@banksocket-webhooks/adapter-file-store'
import { encodeForm, LedgerEvent } from '@banksocket-webhooks/core'
import { MAX_FIELDS } from '@banksocket-webhooks/core/runtime-kit'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createNodeReceiver, type NodeReceiver, type NodeReceiverOptions, type ReceivedTransaction } from '../../src/index.ts'
import { startReceiver } from './support/child.ts'
import { type Answer, Connection } from './support/client.ts'
import { FORM, fieldsOf, post, SECRET, signFields } from './support/notifications.ts'

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

let counter = 0
/** Signed fields of a fresh notification (distinct description), with `overrides` applied before signing. */
const fresh = (overrides: Record<string, string> = {}) => signFields({ ...fieldsOf(counter++, 3), ...overrides })

type Started = Readonly<{ receiver: NodeReceiver; port: number; events: string[]; transactions: ReceivedTransaction[] }>

const start = async (options: Partial<NodeReceiverOptions> = {}): Promise<Started> => {
  const receiver = createNodeReceiver({ secrets: [SECRET], ...options })
  const events: string[] = []
  const transactions: ReceivedTransaction[] = []
  receiver.on('transaction', (tx) => void (transactions.push(tx), events.push('transaction')))
  receiver.on('duplicate', () => void events.push('duplicate'))
  receiver.on('rejected', (r) => void events.push(`rejected ${r._tag}`))
  receiver.on('error', (e) => void events.push(`error ${e._tag}`))
  const { port } = await receiver.listen(0, '127.0.0.1')
  return { receiver, port, events, transactions }
}

const line = (answer: Answer | undefined): string => (answer === undefined ? 'no answer' : `${answer.status} ${answer.body}`)

/** A fresh valid notification on a new connection is accepted: the process still serves. */
const stillServes = async (port: number): Promise<void> => {
  const connection = await Connection.open(port)
  try {
    assert.is(line(await connection.request(post(encodeForm(await fresh())))), '200 {"status":"ok"}', 'the next request is served')
  } finally {
    connection.close()
  }
}

/** Opens a connection, writes `bytes`, optionally half-closes, and collects answers until it closes or `ms` pass. */
const exchange = async (port: number, bytes: Buffer | string, options: { end?: boolean; ms?: number } = {}) => {
  const connection = await Connection.open(port)
  const started = Date.now()
  connection.socket.write(bytes)
  if (options.end === true) connection.socket.end()
  await Promise.race([connection.whenClosed(), sleep(options.ms ?? 3_000)])
  const answers = await connection.take(10)
  const ms = Date.now() - started
  const closed = connection.closed
  connection.close()
  return { answers, closed, ms }
}

const head = (length: number | 'chunked', contentType = FORM) =>
  `POST / HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: ${contentType}\r\n${length === 'chunked' ? 'transfer-encoding: chunked' : `content-length: ${length}`}\r\n\r\n`

test('a body cut off mid-way: the client vanishes (no answer possible) or half-closes (400); nothing emitted', async () => {
  const { receiver, port, events } = await start()
  try {
    const body = encodeForm(await fresh())
    const half = body.slice(0, 120)
    // Vanishes: the socket is destroyed mid-body.
    for (const bytes of [head(body.length) + half, `${head('chunked')}${half.length.toString(16)}\r\n${half}\r\n`]) {
      const connection = await Connection.open(port)
      connection.socket.write(bytes)
      await sleep(30)
      connection.close()
    }
    // Half-closes: Node's parser answers the incomplete request 400 and closes.
    const ended = await exchange(port, head(body.length) + half, { end: true })
    assert.equal(
      ended.answers.map((a) => a.status),
      [400],
    )
    assert.ok(ended.closed)
    await sleep(50)
    assert.equal(events, ['rejected invalid_payload', 'rejected invalid_payload', 'rejected invalid_payload'])
    await stillServes(port)
  } finally {
    await receiver.close()
  }
})

test('a body over the limit sent slowly, without a length: 413 as soon as it passes the limit, then the connection closes', async () => {
  const limit = 64 * 1024
  const { receiver, port, events } = await start({ limit })
  try {
    const connection = await Connection.open(port)
    connection.socket.write(head('chunked'))
    const answer = connection.next()
    // The client sends a little past the limit, slowly, and then nothing more: never the last
    // chunk. An answer can only come from the limit being passed, not from the body's end, however
    // slow the machine is to read what was sent.
    let written = 0
    while (written < limit + 16 * 1024 && !connection.closed) {
      const chunk = Buffer.alloc(8 * 1024, 0x61)
      connection.socket.write(`${chunk.length.toString(16)}\r\n`)
      connection.socket.write(chunk)
      connection.socket.write('\r\n')
      written += chunk.length
      await sleep(5)
    }
    assert.is(line(await Promise.race([answer, sleep(10_000).then(() => undefined)])), '413 {"error":"too_large"}')
    await connection.whenClosed()
    connection.close()
    assert.equal(events, ['rejected too_large'])
    await stillServes(port)
  } finally {
    await receiver.close()
  }
})

test('slowloris: clients dribbling headers are cut off by headersTimeout (408) while others are served', async () => {
  const { receiver, port, events } = await start({ headersTimeout: 300, requestTimeout: 600 })
  try {
    const started = Date.now()
    const lorises = await Promise.all(Array.from({ length: 8 }, () => Connection.open(port)))
    const dribble = (async () => {
      const text = 'POST / HTTP/1.1\r\nhost: 127.0.0.1\r\nx-slow: '
      for (let i = 0; i < 200 && lorises.some((c) => !c.closed); i++) {
        for (const c of lorises) if (!c.closed) c.socket.write(text[i] ?? 'a')
        await sleep(20)
      }
    })()
    await stillServes(port) // served while the slow clients hang on
    await Promise.all(lorises.map((c) => c.whenClosed()))
    const ms = Date.now() - started
    await dribble
    for (const c of lorises)
      assert.equal(
        (await c.take(1)).map((a) => [a.status, a.body]),
        [[408, '{"error":"request_timeout"}']],
      )
    assert.ok(ms < 3_000, `all slow clients cut off after ${ms} ms`)
    assert.equal(events, ['transaction'])
    await stillServes(port)
  } finally {
    await receiver.close()
  }
})

test('invalid UTF-8 and malformed percent-escapes: 400 invalid_payload, on the same keep-alive connection', async () => {
  const { receiver, port, events } = await start()
  const connection = await Connection.open(port)
  try {
    const valid = encodeForm(await fresh())
    const cases: Array<[string, Buffer]> = [
      ['raw 0xFF byte in a form value', Buffer.concat([Buffer.from(`${valid}&note=`), Buffer.from([0xff, 0xfe])])],
      ['%FF escape', Buffer.from(valid.replace('description=', 'description=%FF'))],
      ['truncated UTF-8 sequence %E2%82', Buffer.from(valid.replace('description=', 'description=%E2%82'))],
      ['non-hex escape %ZZ', Buffer.from(valid.replace('description=', 'description=%ZZ'))],
      ['lone % at the end', Buffer.from(`${valid}&x=%`)],
      ['escaped surrogate half %ED%A0%80', Buffer.from(valid.replace('description=', 'description=%ED%A0%80'))],
      ['overlong encoding %C0%AF', Buffer.from(valid.replace('description=', 'description=%C0%AF'))],
    ]
    for (const [name, body] of cases) {
      const answer = await connection.request(post(body))
      assert.is(answer?.status, 400, name)
      assert.is((JSON.parse(answer?.body ?? '{}') as { error?: string }).error, 'invalid_payload', name)
    }
    const json = Buffer.concat([Buffer.from('{"dc":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')])
    assert.is((await connection.request(post(json, 'application/json')))?.status, 400, 'invalid UTF-8 in JSON')
    const boundary = 'b0undary'
    const multipart = Buffer.concat([
      Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="description"\r\n\r\n`),
      Buffer.from([0xe2, 0x28, 0xa1]),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ])
    assert.is((await connection.request(post(multipart, `multipart/form-data; boundary=${boundary}`)))?.status, 400, 'invalid UTF-8 in multipart')
    assert.is((await connection.request(post(valid, `${FORM}; charset=x-no-such-charset`)))?.status, 415, 'an unknown charset is unsupported')
    assert.is(connection.closed, false, 'the connection stays open after 400s')
    assert.is(line(await connection.request(post(valid))), '200 {"status":"ok"}')
    assert.is(events.filter((e) => e === 'transaction').length, 1)
  } finally {
    connection.close()
    await receiver.close()
  }
})

test('NUL bytes in fields are data: accepted when the hash matches (and stored exactly), 401 when it does not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bsw-nul-'))
  const path = join(dir, 'events.jsonl')
  const opened = await openFileEventStore({ path, codec: LedgerEvent })()
  if (E.isLeft(opened)) throw new Error(opened.left.message)
  const { receiver, port, transactions } = await start({ store: opened.right })
  const connection = await Connection.open(port)
  try {
    const signed = await fresh({ description: 'SN:nul A\u0000B \u0000\u0000 SİPARİŞ' })
    assert.is(line(await connection.request(post(encodeForm({ ...signed, account: 'Hesap\u0000' })))), '200 {"status":"ok"}')
    assert.is(transactions[0]?.verified.description, 'SN:nul A\u0000B \u0000\u0000 SİPARİŞ')
    assert.is(transactions[0]?.unverified.account, 'Hesap\u0000')
    const tampered = { ...signed, description: 'SN:nul A\u0000C \u0000\u0000 SİPARİŞ' }
    assert.is(line(await connection.request(post(encodeForm(tampered)))), '401 {"error":"invalid_hash"}')
    const json = JSON.stringify(await fresh({ description: 'json \u0000 nul' }))
    assert.is(line(await connection.request(post(json, 'application/json'))), '200 {"status":"ok"}')
  } finally {
    connection.close()
    await receiver.close()
    await opened.right.close()()
  }
  const reopened = await openFileEventStore({ path, codec: LedgerEvent })()
  if (E.isLeft(reopened)) throw new Error(reopened.left.message)
  const all = await reopened.right.readAll()()
  await reopened.right.close()()
  rmSync(dir, { recursive: true, force: true })
  const descriptions = E.isRight(all)
    ? all.right.flatMap((s) => (s.event.type === 'TransactionReceived' ? [s.event.data.verified.description] : []))
    : []
  assert.equal(descriptions.sort(), ['SN:nul A\u0000B \u0000\u0000 SİPARİŞ', 'json \u0000 nul'].sort())
})

test('100,000 form fields: 413 at the default limit; with a raised limit 400 for more than MAX_FIELDS, without hanging', async () => {
  const signed = await fresh()
  const many = `${encodeForm(signed)}&${Array.from({ length: 100_000 }, (_, i) => `f${i}=${i}`).join('&')}`
  const manyJson = JSON.stringify({ ...signed, ...Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`f${i}`, `${i}`])) })
  const boundary = 'b0undary'
  const manyParts = `${Array.from({ length: 100_000 }, (_, i) => `--${boundary}\r\ncontent-disposition: form-data; name="f${i}"\r\n\r\n${i}\r\n`).join('')}--${boundary}--\r\n`
  const atDefault = await start()
  try {
    const result = await exchange(atDefault.port, post(many))
    assert.equal(result.answers.map(line), ['413 {"error":"too_large"}'])
    await stillServes(atDefault.port)
  } finally {
    await atDefault.receiver.close()
  }
  const raised = await start({ limit: 8 * 1024 * 1024 })
  const connection = await Connection.open(raised.port)
  try {
    const tooMany = `400 {"error":"invalid_payload","details":[{"path":"","message":"more than ${MAX_FIELDS} fields"}]}`
    for (const [body, type] of [
      [many, FORM],
      [manyJson, 'application/json'],
      [manyParts, `multipart/form-data; boundary=${boundary}`],
    ] as const) {
      // Not a speed measurement (bench/ measures speed): a guard that a hostile body cannot hang
      // the receiver, generous enough for a loaded 2-core CI machine.
      const started = Date.now()
      assert.is(line(await connection.request(post(body, type))), tooMany, type)
      assert.ok(Date.now() - started < 15_000, `${type} answered in ${Date.now() - started} ms`)
    }
    assert.equal(raised.transactions, [])
    await stillServes(raised.port)
  } finally {
    connection.close()
    await raised.receiver.close()
  }
})

test('deeply nested JSON is refused with 400 before it is parsed (no stack overflow anywhere later)', async () => {
  const { receiver, port, transactions, events } = await start()
  const connection = await Connection.open(port)
  try {
    const depth = 30_000
    const signed = await fresh()
    const nested = `${JSON.stringify(signed).slice(0, -1)},"deep":${'['.repeat(depth)}1${']'.repeat(depth)}}`
    assert.ok(Buffer.byteLength(nested) < 64 * 1024)
    const refused = await connection.request(post(nested, 'application/json'))
    assert.equal([refused?.status, (JSON.parse(refused?.body ?? '{}') as { error?: string }).error], [400, 'invalid_payload'])
    const deepObjects = `{"dc":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`
    assert.is((await connection.request(post(deepObjects, 'application/json')))?.status, 400, 'nested where a string is expected')
    const unterminated = `{"x":${'['.repeat(60_000)}` // under 64 KiB, never closed
    assert.is((await connection.request(post(unterminated, 'application/json')))?.status, 400, 'unterminated nesting')
    const shallow = `${JSON.stringify(signed).slice(0, -1)},"extra":${'['.repeat(10)}1${']'.repeat(10)}}`
    assert.is(line(await connection.request(post(shallow, 'application/json'))), '200 {"status":"ok"}', 'shallow extra data is kept')
    assert.is(transactions.length, 1)
    assert.is(events.filter((e) => e.startsWith('error')).length, 0)
    await stillServes(port)
  } finally {
    connection.close()
    await receiver.close()
  }
})

test('Content-Length longer than the body: 400 when the client half-closes, 408 at requestTimeout when it waits', async () => {
  const { receiver, port, events } = await start({ headersTimeout: 300, requestTimeout: 500 })
  try {
    const body = encodeForm(await fresh())
    const ended = await exchange(port, head(body.length + 40) + body, { end: true })
    assert.equal(
      ended.answers.map((a) => a.status),
      [400],
    )
    const waited = await exchange(port, head(body.length + 40) + body)
    assert.equal(
      waited.answers.map((a) => a.status),
      [408],
    )
    assert.ok(waited.closed && waited.ms < 2_500, `closed after ${waited.ms} ms`)
    await sleep(50)
    assert.equal(events, ['rejected invalid_payload', 'rejected invalid_payload'])
    await stillServes(port)
  } finally {
    await receiver.close()
  }
})

test('Content-Length shorter than the body: the declared bytes are the request, the rest is garbage Node answers 400 and closes', async () => {
  const { receiver, port, events } = await start()
  try {
    const body = encodeForm(await fresh())
    const result = await exchange(port, `${head(body.length)}${body}GARBAGE NOT HTTP\r\n\r\n`)
    assert.ok(result.closed, 'the connection is closed')
    assert.equal(result.answers.at(-1)?.status, 400)
    // The declared body was a whole notification: it was processed once (its own answer may be cut off).
    await sleep(50)
    assert.equal(events, ['transaction'])
    const connection = await Connection.open(port)
    assert.is(line(await connection.request(post(body))), '200 {"status":"duplicate"}')
    connection.close()
    await stillServes(port)
  } finally {
    await receiver.close()
  }
})

test('a hash of the wrong length, or not base64 at all: 401', async () => {
  const { receiver, port, transactions } = await start()
  const connection = await Connection.open(port)
  try {
    const signed = await fresh()
    const hash = signed['hash'] ?? ''
    const wrong = [
      'AAAA',
      hash.slice(0, -4),
      `${hash}${hash}`,
      Buffer.alloc(10).toString('base64'),
      Buffer.alloc(33).toString('base64'),
      'x'.repeat(40_000),
      '%%%not base64%%%',
      hash.toUpperCase(),
    ]
    for (const bad of wrong) {
      assert.is(
        line(await connection.request(post(encodeForm({ ...signed, hash: bad })))),
        '401 {"error":"invalid_hash"}',
        `hash ${bad.slice(0, 20)}`,
      )
    }
    const empty = await connection.request(post(encodeForm({ ...signed, hash: '' })))
    assert.ok(empty?.status === 400 || empty?.status === 401, `an empty hash: ${line(empty)}`)
    assert.equal(transactions, [])
  } finally {
    connection.close()
    await receiver.close()
  }
})

test('HTTP pipelining: several requests in one write are answered in order', async () => {
  const { receiver, port } = await start()
  const connection = await Connection.open(port)
  try {
    const first = encodeForm(await fresh())
    const other = encodeForm(await fresh({ account_id: '70' }))
    const forged = encodeForm({ ...(await fresh()), amount: '999.00' })
    const batch = Buffer.concat([
      post(first),
      post(other),
      post(first),
      post(forged),
      post('dc=Credit'),
      Buffer.from('GET / HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n'),
      post(encodeForm(await fresh())),
    ])
    connection.socket.write(batch)
    const answers = await connection.take(7, 3_000)
    assert.equal(
      answers.map((a) => `${a.status} ${a.status === 400 ? 'invalid_payload' : a.body}`),
      [
        '200 {"status":"ok"}',
        '200 {"status":"ok"}',
        '200 {"status":"duplicate"}',
        '401 {"error":"invalid_hash"}',
        '400 invalid_payload',
        '405 {"error":"method_not_allowed"}',
        '200 {"status":"ok"}',
      ],
    )
    assert.is(connection.closed, false)
  } finally {
    connection.close()
    await receiver.close()
  }
})

test('bytes that are not valid HTTP (smuggling headers, bad chunks, huge headers, binary): 4xx with a JSON body, closed; serving goes on', async () => {
  const { receiver, port, transactions } = await start()
  try {
    const body = encodeForm(await fresh())
    const cases: Array<[string, string | Buffer, number]> = [
      [
        'Content-Length and Transfer-Encoding together',
        `POST / HTTP/1.1\r\nhost: x\r\ncontent-type: ${FORM}\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n`,
        400,
      ],
      ['a chunk size that is not hex', `${head('chunked')}zz\r\n${body}\r\n0\r\n\r\n`, 400],
      ['headers over 16 KiB', `POST / HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
      ['binary garbage', Buffer.from([0, 1, 2, 3, 0xff, 13, 10, 13, 10]), 400],
      ['two Content-Length values', `POST / HTTP/1.1\r\nhost: x\r\ncontent-type: ${FORM}\r\ncontent-length: 3\r\ncontent-length: 4\r\n\r\nabcd`, 400],
    ]
    const errors: Record<number, string> = { 400: 'invalid_payload', 431: 'headers_too_large' }
    for (const [name, bytes, status] of cases) {
      const result = await exchange(port, bytes)
      assert.equal(
        result.answers.map((a) => a.status),
        [status],
        name,
      )
      assert.is((JSON.parse(result.answers[0]?.body || '{}') as { error?: string }).error, errors[status], `${name}: contract body`)
      assert.ok(result.closed, `${name}: closed`)
    }
    assert.equal(transactions, [])
    await stillServes(port)
  } finally {
    await receiver.close()
  }
})

test('memory stays bounded: a burst of 3,000 hostile requests leaves the heap and RSS of the receiver process where they were', async () => {
  const receiver = await startReceiver('memory', {}, ['--expose-gc'])
  counter = 1_000_000 // descriptions distinct from the other tests' (this receiver's in-memory ledger is fresh anyway)
  try {
    let accepted = 0
    const signedBody = async () => encodeForm(await fresh())
    const deep = async () =>
      `${JSON.stringify({ ...(await fresh()), amount: '9.99' }).slice(0, -1)},"deep":${'['.repeat(30_000)}1${']'.repeat(30_000)}}`
    const manyFields = async () => `${await signedBody()}&${Array.from({ length: 6_000 }, (_, i) => `f${i}=${i}`).join('&')}`
    const invalidUtf8 = async () => Buffer.concat([Buffer.from(`${await signedBody()}&x=`), Buffer.alloc(40_000, 0xff)])
    const kinds: Array<(connection: Connection) => Promise<void>> = [
      async (c) => void (await c.request(post(await manyFields()))), // 400, 55 KB
      async (c) => void (await c.request(post(await deep(), 'application/json'))), // 400, 60 KB nested
      async (c) => void (await c.request(post(await invalidUtf8()))), // 400
      async (c) => void (await c.request(post(encodeForm({ ...(await fresh()), hash: 'x'.repeat(50_000) })))), // 401
      async (c) => void (await c.request(`${head(5 * 1024 * 1024)}${'a'.repeat(10_000)}`)), // 413, closes
      async (c) => {
        const answer = await c.request(post(await signedBody())) // 200
        if (answer?.status === 200) accepted++
      },
      async (c) => {
        c.socket.write(`${head(60_000)}${'a'.repeat(30_000)}`) // cut off mid-body
        c.close()
      },
      async (c) => void (await c.request('GARBAGE\r\n\r\n')), // Node's 400, closes
    ]
    const burst = async (requests: number, only?: number) => {
      let i = 0
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          let connection = await Connection.open(receiver.port)
          for (let k = i++; k < requests; k = i++) {
            if (connection.closed) connection = await Connection.open(receiver.port)
            await (kinds[only ?? k % kinds.length] as (c: Connection) => Promise<void>)(connection)
          }
          connection.close()
        }),
      )
    }
    await burst(400) // warm up: code paths compiled, pools allocated
    const before = await receiver.ask('report', 'report')
    await burst(3_000)
    await sleep(200)
    const after = await receiver.ask('report', 'report')
    const mib = (n: unknown) => `${(Number(n) / 1024 / 1024).toFixed(1)} MiB`
    const heapGrowth = Number(after['heapUsed']) - Number(before['heapUsed'])
    const rssGrowth = Number(after['rss']) - Number(before['rss'])
    console.log(
      `hostile burst: rss ${mib(before['rss'])} -> ${mib(after['rss'])} (peak ${mib(after['rssPeak'])}), heap ${mib(before['heapUsed'])} -> ${mib(after['heapUsed'])}`,
    )
    // Only the accepted notifications (at most one in eight) stay: their dedupe keys and ledger state, a
    // few hundred bytes each. Everything else must be garbage once answered.
    assert.ok(heapGrowth < 8 * 1024 * 1024, `heap grew by ${mib(heapGrowth)}`)
    assert.ok(rssGrowth < 64 * 1024 * 1024, `rss grew by ${mib(rssGrowth)}`)
    assert.ok(Number(after['rssPeak']) < 400 * 1024 * 1024, `rss peaked at ${mib(after['rssPeak'])}`)
    assert.is(after['errors'], 0)
    assert.is(after['emittedTwice'], 0)
    assert.is(after['transactions'], accepted, 'every 200 was emitted once, and nothing else')
  } finally {
    receiver.child.kill('SIGKILL')
    await receiver.exited
  }
})

test.run()
