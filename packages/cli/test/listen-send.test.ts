import { request } from 'node:http'
import { encodeNotification, signNotification } from '@banksocket-webhooks/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ANSI, ensureBuilt, json, run, startListen } from './support/cli.ts'

ensureBuilt()

const SECRET = 'listen-send-secret'

test('send → listen: accepted line on stdout, duplicate and wrong secret on stderr, gap reported', async () => {
  const listen = await startListen(['--port', '0', '--secret', SECRET])
  try {
    assert.match(listen.url, /^http:\/\/127\.0\.0\.1:\d+\/$/)
    assert.is(listen.listening['secrets'], 1)

    // 1. the documented sample, form-encoded
    const sent = await run(['send', '--to', listen.url, '--secret', SECRET])
    assert.is(sent.code, 0)
    assert.is(sent.stdout, 'HTTP 200 OK\n{"status":"ok"}\n')
    const accepted = json(await listen.line('stdout', () => true))
    assert.is(accepted['type'], 'transaction')
    assert.is(accepted['dc'], 'Credit')
    assert.is(accepted['amount'], '100.00')
    assert.is(accepted['balance'], '18100.00')
    assert.is(accepted['currency'], 'TRY')
    assert.is(accepted['accountId'], '69')
    assert.match(String(accepted['idempotencyKey']), /^[0-9a-f]{64}$/)
    assert.equal(accepted['verified'], {
      dc: 'Credit',
      code: 'EFT',
      amount: '100.00',
      balance: '18100.00',
      currency: 'TRY',
      description: 'SN:276689 TEST BANKA HAREKETİ AÇIKLAMASI ARALIK/2019',
    })
    assert.equal(accepted['unverified'], {
      account_id: '69',
      account: 'Kadıköy İşbank TL Hesabı',
      bank: 'Türkiye İş Bankası A.Ş.',
      opponent_id: '1234567890',
      opponent_iban: 'TR5600000111000022200023456',
    })
    assert.is(accepted['gap'], null)

    // 2. the same notification again, as JSON: a duplicate, on stderr only
    const again = await run(['send', '--to', listen.url, '--secret', SECRET, '--encoding', 'json'])
    assert.is(again.code, 0)
    assert.is(again.stdout, 'HTTP 200 OK\n{"status":"duplicate"}\n')
    const duplicate = json(await listen.line('stderr', (l) => l.includes('"duplicate"')))
    assert.is(duplicate['idempotencyKey'], accepted['idempotencyKey'])
    assert.is(duplicate['amount'], '100.00')

    // 3. signed with another secret: 401, a rejection line, exit 1
    const forged = await run(['send', '--to', listen.url, '--secret', 'not-the-secret', '--encoding', 'multipart', '--amount', '5000.00'])
    assert.is(forged.code, 1)
    assert.is(forged.stdout, 'HTTP 401 Unauthorized\n{"error":"invalid_hash"}\n')
    assert.equal(json(await listen.line('stderr', (l) => l.includes('"rejected"'))), { type: 'rejected', status: 401, error: 'invalid_hash' })

    // 4. a movement whose balance skips 50.00: accepted, with the gap it revealed
    const skipped = await run([
      'send',
      '--to',
      listen.url,
      '--secret',
      SECRET,
      '--encoding',
      'multipart',
      '--dc',
      'Credit',
      '--amount',
      '25.50',
      '--balance',
      '18175.50',
      '--description',
      'SN:2',
    ])
    assert.is(skipped.code, 0)
    const withGap = json(await listen.line('stdout', () => true, { from: 1 }))
    assert.is(withGap['amount'], '25.50')
    assert.equal(withGap['gap'], {
      gapId: 1,
      from: '18100.00',
      to: '18150.00',
      expectedBalance: '18125.50',
      actualBalance: '18175.50',
      missing: '50.00',
      direction: 'in',
      previousKey: accepted['idempotencyKey'],
    })

    // 5. a payload that is not a notification: 400 with the field paths
    const bad = await run(['send', '--to', listen.url, '--secret', SECRET, '--amount', '1,000.00'])
    assert.is(bad.code, 1)
    assert.match(bad.stdout, /^HTTP 400 Bad Request\n\{"error":"invalid_payload","details":\[\{"path":"amount"/)
    const rejected = json(await listen.line('stderr', (l) => l.includes('"invalid_payload"')))
    assert.is(rejected['status'], 400)

    assert.is(listen.lines('stdout').length, 2, 'only accepted transactions reach stdout')
    assert.not.match(listen.text('stdout') + listen.text('stderr') + sent.stdout + sent.stderr, ANSI)
  } finally {
    const { code } = await listen.stop()
    assert.is(code, 0)
  }
  const stopped = json(
    listen
      .lines('stderr')
      .filter((l) => l !== '')
      .at(-1) ?? '{}',
  )
  assert.equal(stopped, {
    type: 'stopped',
    transactions: 2,
    repeats: 0,
    duplicates: 1,
    gaps: 1,
    gapsClosed: 0,
    unobserved: 0,
    suspectedReplays: 0,
    rejected: 2,
    errors: 0,
    ledgers: [
      {
        accountId: '69',
        currency: 'TRY',
        balance: '18175.50',
        movements: 2,
        repeats: 0,
        duplicates: 1,
        suspectedReplays: 0,
        openGaps: [{ gapId: 1, from: '18100.00', to: '18150.00', missing: '50.00' }],
      },
    ],
  })
})

test('the issue 12 session: a late credit closes the gap, the last movement continues, stopped says 1130.00 and no gap', async () => {
  const listen = await startListen(['--port', '0', '--secret', SECRET])
  const send = (dc: string, amount: string, balance: string, description: string) =>
    run([
      'send',
      '--to',
      listen.url,
      '--secret',
      SECRET,
      '--account-id',
      '5',
      '--dc',
      dc,
      '--amount',
      amount,
      '--balance',
      balance,
      '--description',
      description,
    ])
  try {
    assert.is((await send('Credit', '100.00', '1100.00', 'SN:a')).code, 0)
    assert.is((await send('Debit', '30.00', '1120.00', 'SN:c')).code, 0)
    assert.is((await send('Credit', '50.00', '1150.00', 'SN:b (late)')).code, 0)
    assert.is((await send('Credit', '10.00', '1130.00', 'SN:d')).code, 0)
    await listen.line('stdout', () => true, { from: 3 })
    const closed = json(await listen.line('stderr', (l) => l.includes('"gap_closed"')))
    assert.equal(closed, {
      type: 'gap_closed',
      accountId: '5',
      currency: 'TRY',
      gapId: 1,
      from: '1100.00',
      to: '1150.00',
      missing: '50.00',
      idempotencyKey: closed['idempotencyKey'],
    })
    const gaps = listen
      .lines('stdout')
      .filter((l) => l !== '')
      .map((l) => json(l)['gap'])
    assert.equal(
      gaps.map((g) => (g === null ? null : (g as Record<string, unknown>)['missing'])),
      [null, '50.00', null, null],
      'one gap, no false ones',
    )
  } finally {
    assert.is((await listen.stop()).code, 0)
  }
  const stopped = json(
    listen
      .lines('stderr')
      .filter((l) => l !== '')
      .at(-1) ?? '{}',
  )
  assert.equal(stopped['ledgers'], [
    { accountId: '5', currency: 'TRY', balance: '1130.00', movements: 4, repeats: 0, duplicates: 0, suspectedReplays: 0, openGaps: [] },
  ])
  assert.equal([stopped['gaps'], stopped['gapsClosed']], [1, 1])
})

test('listen --events credits: a drop between credits is unobserved, not a gap; --events is checked', async () => {
  const listen = await startListen(['--port', '0', '--secret', SECRET, '--events', 'credits'])
  try {
    await run(['send', '--to', listen.url, '--secret', SECRET, '--amount', '100.00', '--balance', '1100.00', '--description', 'SN:1'])
    await run(['send', '--to', listen.url, '--secret', SECRET, '--amount', '10.00', '--balance', '1060.00', '--description', 'SN:2'])
    const unobserved = json(await listen.line('stderr', (l) => l.includes('"unobserved"')))
    assert.equal([unobserved['net'], unobserved['filter']], ['-50.00', 'NEW_CREDIT'])
    await listen.line('stdout', () => true, { from: 1 })
    assert.equal(
      listen
        .lines('stdout')
        .filter((l) => l !== '')
        .map((l) => json(l)['gap']),
      [null, null],
    )
  } finally {
    assert.is((await listen.stop()).code, 0)
  }
  const stopped = json(
    listen
      .lines('stderr')
      .filter((l) => l !== '')
      .at(-1) ?? '{}',
  )
  assert.equal((stopped['ledgers'] as Array<Record<string, unknown>>)[0]?.['openGaps'], [])
  assert.equal((stopped['ledgers'] as Array<Record<string, unknown>>)[0]?.['unobserved'], [
    { gapId: 1, from: '1100.00', to: '1050.00', net: '-50.00' },
  ])
  const bad = await run(['listen', '--port', '0', '--secret', SECRET, '--events', 'refunds'])
  assert.is(bad.code, 2)
  assert.match(bad.stderr, /--events.*expected one of all, credits, debits/)
})

test('listen refuses a blank secret, naming which one, never quoting the others', async () => {
  const blank = await run(['listen', '--port', '0', '--secret', 'good-secret', '--secret', '   '])
  assert.is(blank.code, 2)
  assert.match(blank.stderr, /--secret number 2 is only whitespace/)
  assert.not.match(blank.stderr, /good-secret/)
})

test('secrets from BANKSOCKET_SECRET (comma-separated rotation) and --path', async () => {
  const listen = await startListen(['--port', '0', '--path', '/banksocket'], { env: { BANKSOCKET_SECRET: 'new-secret, old-secret' } })
  try {
    assert.match(listen.url, /^http:\/\/127\.0\.0\.1:\d+\/banksocket$/)
    assert.is(listen.listening['secrets'], 2)
    const old = await run(['send', '--to', listen.url], { env: { BANKSOCKET_SECRET: 'old-secret' } })
    assert.is(old.code, 0)
    assert.match(old.stdout, /"status":"ok"/)
    const fresh = await run(['send', '--to', listen.url, '--secret', 'new-secret', '--amount', '1.00', '--balance', '18101.00'])
    assert.is(fresh.code, 0)
    assert.match(fresh.stdout, /"status":"ok"/)
    await listen.line('stdout', () => true, { from: 1 })
    const elsewhere = await run(['send', '--to', listen.url.replace('/banksocket', '/other'), '--secret', 'new-secret'])
    assert.is(elsewhere.code, 1)
    assert.match(elsewhere.stdout, /^HTTP 404 Not Found\n/)
  } finally {
    assert.is((await listen.stop('SIGINT')).code, 0)
  }
})

test('send to a port nobody listens on: one line on stderr, exit 1', async () => {
  const listen = await startListen(['--port', '0', '--secret', SECRET])
  const url = listen.url
  await listen.stop()
  const { code, stdout, stderr } = await run(['send', '--to', url, '--secret', SECRET, '--timeout', '3000'])
  assert.is(code, 1)
  assert.is(stdout, '')
  assert.match(stderr, new RegExp(`banksocket send: could not reach ${url.replace(/[./]/g, '\\$&')}: .*ECONNREFUSED`))
})

test('listen on a port in use: exit 1 with a message', async () => {
  const first = await startListen(['--port', '0', '--secret', SECRET])
  try {
    const { code, stderr } = await run(['listen', '--port', String(first.listening['port']), '--secret', SECRET])
    assert.is(code, 1)
    assert.match(stderr, /banksocket listen: could not listen on 127\.0\.0\.1:\d+: the port is in use/)
  } finally {
    await first.stop()
  }
})

test('SIGTERM: stops accepting, finishes the request under way, then exits 0', async () => {
  const listen = await startListen(['--port', '0', '--secret', SECRET])
  const signed = await signNotification({ amount: '42.00', balance: '18042.00', description: 'SN:in-flight' }, SECRET)()
  const { body, contentType } = encodeNotification(signed, 'form')
  const bytes = Buffer.from(body)
  const target = new URL(listen.url)
  let answered = ''
  let status = 0
  const response = new Promise<void>((resolve, reject) => {
    // `Expect: 100-continue`: the server answers 100 once it has the headers and the request is under way.
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: '/',
        method: 'POST',
        headers: { 'content-type': contentType, 'content-length': bytes.length, expect: '100-continue' },
      },
      (res) => {
        status = res.statusCode ?? 0
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (answered += chunk))
        res.on('end', resolve)
      },
    )
    req.on('error', reject)
    req.on('continue', () => {
      req.write(bytes.subarray(0, 20))
      listen.child.kill('SIGTERM')
      listen
        .line('stderr', (l) => l.includes('"stopping"'))
        .then(async () => {
          // no new connections while draining
          const refused = await fetch(listen.url, { method: 'POST' }).then(
            () => false,
            () => true,
          )
          assert.ok(refused, 'a new connection is refused while draining')
          req.end(bytes.subarray(20))
        })
        .catch(reject)
    })
    req.flushHeaders()
  })
  await response
  assert.is(status, 200)
  assert.is(answered, '{"status":"ok"}')
  const { code } = await listen.exited
  assert.is(code, 0)
  const line = json(listen.lines('stdout')[0] ?? '{}')
  assert.is(line['amount'], '42.00')
  assert.match(listen.lines('stderr').at(-1) ?? '', /"type":"stopped","transactions":1/)
})

test.run()
