/**
 * Standard Webhooks signing on WebCrypto, held to the reference implementation (`standardwebhooks`,
 * the spec's own JavaScript library) both ways, and to the spec's published test vector.
 */
import { inspect } from 'node:util'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { Webhook } from 'standardwebhooks'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createWebhookSigner, parseWebhookSecret, verifyWebhook, type WebhookSecret } from '../src/standard-webhooks.ts'

/** The vector of the reference library's own tests (standard-webhooks, libraries/javascript/src/webhook.test.ts, "sign function works"). */
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
}

const base64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes))
const randomSecret = (bytes = 32): string => `whsec_${base64(crypto.getRandomValues(new Uint8Array(bytes)))}`

const parsed = (secret: string): WebhookSecret => {
  const result = parseWebhookSecret(secret)
  if (E.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000)

const BODY = '{"type":"transaction","idempotencyKey":"ab","amount":"12345678901234567.89","description":"SN:1 ÇĞİÖŞÜ çğıöşü 😀","position":7}'

test('the spec vector: our signature is the published one, and it verifies at its time', async () => {
  const secret = parsed(VECTOR.secret)
  const signer = createWebhookSigner(secret)
  assert.is(await signer.sign(VECTOR.id, VECTOR.timestamp, VECTOR.body), VECTOR.signature)
  const headers = { 'webhook-id': VECTOR.id, 'webhook-timestamp': String(VECTOR.timestamp), 'webhook-signature': VECTOR.signature }
  const at = () => new Date(VECTOR.timestamp * 1000 + 30_000)
  assert.equal(await verifyWebhook(secret, headers, VECTOR.body, { now: at }), E.right({ id: VECTOR.id, timestamp: VECTOR.timestamp }))
  // The reference signs the same.
  assert.is(new Webhook(VECTOR.secret).sign(VECTOR.id, new Date(VECTOR.timestamp * 1000), VECTOR.body), VECTOR.signature)
})

test('our headers verify with the reference verifier (new Webhook(secret).verify), Turkish letters and emoji included', async () => {
  const text = randomSecret()
  const signer = createWebhookSigner(parsed(text))
  const headers = await signer.headers('msg_ledger-69-TRY_4', nowSeconds(), BODY)
  assert.equal(Object.keys(headers).sort(), ['content-type', 'webhook-id', 'webhook-signature', 'webhook-timestamp'])
  assert.is(headers['content-type'], 'application/json')
  assert.is(headers['webhook-id'], 'msg_ledger-69-TRY_4')
  assert.ok(/^\d+$/.test(headers['webhook-timestamp']))
  assert.ok(/^v1,[A-Za-z0-9+/]{43}=$/.test(headers['webhook-signature']))
  assert.equal(new Webhook(text).verify(BODY, headers), JSON.parse(BODY))
})

test('property: for any key of 24 to 64 bytes and any body, the reference verifies ours and ours verifies the reference', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ minLength: 24, maxLength: 64 }),
      fc.string({ maxLength: 200, unit: 'binary' }),
      fc.stringMatching(/^msg_[A-Za-z0-9_-]{1,40}$/),
      async (key, body, id) => {
        const text = `whsec_${base64(key)}`
        const secret = parsed(text)
        const timestamp = nowSeconds()
        const ours = await createWebhookSigner(secret).headers(id, timestamp, body)
        const reference = new Webhook(text)
        reference.verify(body, ours, { jsonParse: false })
        const theirs = reference.sign(id, new Date(timestamp * 1000), body)
        assert.is(theirs, ours['webhook-signature'])
        const verified = await verifyWebhook(secret, { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': theirs }, body)
        assert.equal(verified, E.right({ id, timestamp }))
      },
    ),
    { numRuns: 200 },
  )
})

test("a signature made by the reference's sign verifies with ours (string and bytes, any header case, fetch Headers)", async () => {
  const text = randomSecret(48)
  const secret = parsed(text)
  const timestamp = nowSeconds()
  const signature = new Webhook(text).sign('msg_1', new Date(timestamp * 1000), BODY)
  const record = { 'Webhook-Id': 'msg_1', 'WEBHOOK-TIMESTAMP': String(timestamp), 'webhook-signature': signature }
  assert.equal(await verifyWebhook(secret, record, BODY), E.right({ id: 'msg_1', timestamp }))
  assert.equal(await verifyWebhook(secret, record, new TextEncoder().encode(BODY)), E.right({ id: 'msg_1', timestamp }))
  assert.equal(await verifyWebhook(secret, new Headers(record), BODY), E.right({ id: 'msg_1', timestamp }))
})

test('tampered body, id, timestamp or signature: refused by us and by the reference', async () => {
  const text = randomSecret()
  const secret = parsed(text)
  const timestamp = nowSeconds()
  const headers = await createWebhookSigner(secret).headers('msg_ledger-69-TRY_4', timestamp, BODY)
  const reference = new Webhook(text)
  const cases: Array<[string, Record<string, string>, string]> = [
    ['body', headers, BODY.replace('12345678901234567.89', '12345678901234567.80')],
    ['body with a space', headers, `${BODY} `],
    ['id', { ...headers, 'webhook-id': 'msg_ledger-69-TRY_5' }, BODY],
    ['timestamp', { ...headers, 'webhook-timestamp': String(timestamp - 1) }, BODY],
    [
      'signature',
      { ...headers, 'webhook-signature': headers['webhook-signature'].replace(/^v1,./, (m) => (m.endsWith('A') ? 'v1,B' : 'v1,A')) },
      BODY,
    ],
    ['signature cut short', { ...headers, 'webhook-signature': headers['webhook-signature'].slice(0, 20) }, BODY],
    ['version', { ...headers, 'webhook-signature': headers['webhook-signature'].replace('v1,', 'v2,') }, BODY],
    ['v1 only', { ...headers, 'webhook-signature': 'v1,' }, BODY],
  ]
  for (const [what, h, body] of cases) {
    const ours = await verifyWebhook(secret, h, body)
    assert.ok(E.isLeft(ours), `tampered ${what} is refused`)
    assert.is(ours.left._tag, 'no_matching_signature', what)
    assert.throws(() => reference.verify(body, h), undefined, `the reference refuses tampered ${what} too`)
  }
  const other = await verifyWebhook(parsed(randomSecret()), headers, BODY)
  assert.ok(E.isLeft(other) && other.left._tag === 'no_matching_signature', 'another secret does not verify')
})

test('several space-separated signatures: one match is enough (rotation), whatever else the header carries', async () => {
  const current = parsed(randomSecret())
  const previous = parsed(randomSecret())
  const timestamp = nowSeconds()
  const fromPrevious = await createWebhookSigner(previous).sign('msg_1', timestamp, BODY)
  const noise = [
    'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
    'v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==',
    'v2,x',
  ]
  const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(timestamp), 'webhook-signature': [...noise, fromPrevious].join(' ') }
  assert.ok(E.isLeft(await verifyWebhook(current, headers, BODY)), 'the current secret alone does not match')
  assert.equal(await verifyWebhook([current, previous], headers, BODY), E.right({ id: 'msg_1', timestamp }))
  assert.equal(
    await verifyWebhook(previous, { ...headers, 'webhook-signature': noise.concat(fromPrevious).join('  ') }, BODY),
    E.right({ id: 'msg_1', timestamp }),
  )
  // A header repeated and joined by fetch's Headers (`, `) still verifies.
  const joined = new Headers({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(timestamp) })
  joined.append('webhook-signature', noise[0] as string)
  joined.append('webhook-signature', fromPrevious)
  assert.equal(await verifyWebhook(previous, joined, BODY), E.right({ id: 'msg_1', timestamp }))
})

test('the timestamp: older or newer than the tolerance is refused (default 5 minutes), within it accepted; not whole seconds is refused', async () => {
  const secret = parsed(randomSecret())
  const signer = createWebhookSigner(secret)
  const now = 1_765_101_600
  const clock = () => new Date(now * 1000)
  const at = async (timestamp: number, tolerance?: number) =>
    verifyWebhook(secret, await signer.headers('msg_1', timestamp, BODY), BODY, tolerance === undefined ? { now: clock } : { now: clock, tolerance })
  assert.ok(E.isRight(await at(now - 300)))
  assert.ok(E.isRight(await at(now + 300)))
  const old = await at(now - 301)
  assert.equal(E.isLeft(old) && [old.left._tag, 'timestamp' in old.left && old.left.timestamp], ['timestamp_too_old', now - 301])
  const future = await at(now + 301)
  assert.ok(E.isLeft(future) && future.left._tag === 'timestamp_too_new')
  assert.ok(E.isLeft(await at(now - 61, 60)))
  assert.ok(E.isRight(await at(now - 60, 60)))
  // The reference refuses an old one as well.
  const text = randomSecret()
  const stale = await createWebhookSigner(parsed(text)).headers('msg_1', nowSeconds() - 301, BODY)
  assert.throws(() => new Webhook(text).verify(BODY, stale), /too old/)
  assert.ok(E.isLeft(await verifyWebhook(parsed(text), stale, BODY)))
  for (const bad of ['', ' 1765101600', '1765101600.5', '-1', '1e9', 'abc']) {
    const headers = { ...(await signer.headers('msg_1', now, BODY)), 'webhook-timestamp': bad }
    const result = await verifyWebhook(secret, headers, BODY, { now: clock })
    assert.ok(E.isLeft(result) && ['invalid_timestamp', 'missing_header'].includes(result.left._tag), `timestamp ${JSON.stringify(bad)}`)
  }
})

test('missing headers are named', async () => {
  const secret = parsed(randomSecret())
  const headers = await createWebhookSigner(secret).headers('msg_1', nowSeconds(), BODY)
  for (const header of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
    const without: Record<string, string> = { ...headers }
    delete without[header]
    const result = await verifyWebhook(secret, without, BODY)
    assert.equal(E.isLeft(result) && result.left, { _tag: 'missing_header', header, message: `the ${header} header is missing` })
  }
})

test('bad secrets are refused, and no message holds the secret or its key', () => {
  const key24 = 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
  const cases: Array<[string, string]> = [
    ['', 'missing'],
    [key24, 'prefix'],
    [`WHSEC_${key24}`, 'prefix'],
    [`whsk_${key24}`, 'prefix'],
    [` whsec_${key24}`, 'whitespace'],
    [`whsec_${key24}\n`, 'whitespace'],
    ['whsec_', 'missing'],
    ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS', 'base64'],
    ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw=', 'base64'],
    ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa-w', 'base64'],
    ['whsec_MfKQ9r8GKYqrTwjU PD8ILPZIo2LaLaSw', 'base64'],
    ['whsec_QR==', 'base64'],
    [`whsec_${base64(new Uint8Array(23).fill(7))}`, 'too_short'],
    [`whsec_${base64(new Uint8Array(65).fill(7))}`, 'too_long'],
  ]
  for (const [secret, problem] of cases) {
    const result = parseWebhookSecret(secret)
    assert.ok(E.isLeft(result), `${problem}: refused`)
    assert.is(result.left.problem, problem, JSON.stringify(secret))
    const said = JSON.stringify(result.left)
    const key = secret.trim().replace(/^whsec_|^whsk_|^WHSEC_/, '')
    if (key.length >= 4) assert.not.ok(said.includes(key), `${problem}: the message does not quote the key`)
    if (secret.trim().length >= 8) assert.not.ok(said.includes(secret.trim()), `${problem}: the message does not quote the secret`)
  }
  for (const unset of [undefined, null, 42]) {
    const result = parseWebhookSecret(unset as unknown as string)
    assert.ok(E.isLeft(result) && result.left.problem === 'missing')
  }
  assert.ok(E.isRight(parseWebhookSecret(`whsec_${base64(new Uint8Array(24))}`)), '24 bytes is enough')
  assert.ok(E.isRight(parseWebhookSecret(`whsec_${base64(new Uint8Array(64))}`)), '64 bytes is allowed')
})

test('a parsed secret shows only its length: not in JSON, not when inspected, not as a string', () => {
  const text = VECTOR.secret
  const secret = parsed(text)
  const key = text.slice('whsec_'.length)
  for (const shown of [JSON.stringify(secret), inspect(secret, { showHidden: true, depth: 5 }), String(Object.entries(secret))]) {
    assert.not.ok(shown.includes(key), shown)
  }
  assert.equal({ ...secret }, { _tag: 'WebhookSecret', bytes: 24 })
  assert.throws(() => createWebhookSigner({ _tag: 'WebhookSecret', bytes: 24 }), /parseWebhookSecret/)
})

test('the signer refuses an id with a full stop or a space and a timestamp that is not whole seconds', async () => {
  const signer = createWebhookSigner(parsed(randomSecret()))
  for (const id of ['', 'msg.1', 'msg 1', 'msg_ş']) {
    try {
      await signer.sign(id, nowSeconds(), BODY)
      assert.unreachable(`id ${JSON.stringify(id)} is refused`)
    } catch (error) {
      assert.instance(error, TypeError)
    }
  }
  for (const timestamp of [Date.now(), 1.5, -1, Number.NaN]) {
    try {
      await signer.headers('msg_1', timestamp, BODY)
      assert.unreachable(`timestamp ${timestamp} is refused`)
    } catch (error) {
      assert.instance(error, TypeError)
    }
  }
})

test('the key is imported into WebCrypto once per secret, however many signatures and verifications', async () => {
  const subtle = crypto.subtle as SubtleCrypto & { importKey: SubtleCrypto['importKey'] }
  const original = subtle.importKey
  let imports = 0
  subtle.importKey = ((...args: Parameters<SubtleCrypto['importKey']>) => {
    imports++
    return (original as (...a: unknown[]) => Promise<CryptoKey>).apply(crypto.subtle, args)
  }) as SubtleCrypto['importKey']
  try {
    const secret = parsed(randomSecret())
    const signer = createWebhookSigner(secret)
    const again = createWebhookSigner(secret)
    const timestamp = nowSeconds()
    const signed = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? signer : again).headers(`msg_${i}`, timestamp, BODY)))
    for (const headers of signed) assert.ok(E.isRight(await verifyWebhook(secret, headers, BODY)))
    assert.is(imports, 1)
    await createWebhookSigner(parsed(randomSecret())).sign('msg_1', timestamp, BODY)
    assert.is(imports, 2, 'another secret is imported once more')
  } finally {
    subtle.importKey = original
  }
})

test.run()
