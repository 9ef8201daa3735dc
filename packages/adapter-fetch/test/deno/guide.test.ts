/**
 * The Deno guide's sample (docs/guides/examples/deno.ts) run exactly as the guide says, as its own
 * `deno run --allow-net --allow-env` process with `BANKSOCKET_SECRET` and `PORT=0` in its
 * environment. Real `fetch` requests from this Deno process reach its `Deno.serve`; its log lines
 * (the `credit`, `debit`, `gap` and `rejected` listeners) are read from its stdout and stderr.
 */

import { Deno, type DenoChildProcess } from '@banksocket-webhooks/test-support/deno'
import { encodings, type NotificationFields, SECRET, signed } from '@banksocket-webhooks/test-support/encodings'
import * as assert from 'uvu/assert'

const sample = new URL('../../../../docs/guides/examples/deno.ts', import.meta.url)
const root = new URL('../../../../', import.meta.url)

/** Collects a child's output as text, and waits for a line matching a pattern. */
const collect = (stream: ReadableStream<Uint8Array>) => {
  const state = { text: '' }
  const done = (async () => {
    const decoder = new TextDecoder()
    const reader = stream.getReader()
    for (let read = await reader.read(); !read.done; read = await reader.read()) state.text += decoder.decode(read.value, { stream: true })
    state.text += decoder.decode()
  })()
  const waitFor = async (pattern: RegExp): Promise<RegExpExecArray> => {
    for (let i = 0; i < 250; i++) {
      const match = pattern.exec(state.text)
      if (match !== null) return match
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    throw new Error(`timed out waiting for ${pattern} in:\n${state.text}`)
  }
  return { state, done, waitFor }
}

const start = async () => {
  const child: DenoChildProcess = new Deno.Command(Deno.execPath(), {
    args: ['run', '--allow-net', '--allow-env', sample.pathname],
    cwd: root.pathname,
    env: { BANKSOCKET_SECRET: SECRET, PORT: '0', NO_COLOR: '1' },
    stdin: 'null',
    stdout: 'piped',
    stderr: 'piped',
  }).spawn()
  const out = collect(child.stdout)
  const err = collect(child.stderr)
  // Deno.serve announces its address on stderr.
  const [, origin] = await err.waitFor(/Listening on (http:\/\/127\.0\.0\.1:\d+)\//)
  const stop = async () => {
    child.kill('SIGTERM')
    await child.status
    await Promise.all([out.done, err.done])
  }
  return { url: `${origin}/banksocket`, out, err, stop }
}

const post = async (url: string, fields: NotificationFields, encoding: 'form' | 'json' = 'form') => {
  const { contentType, body } = encodings[encoding](fields)
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType ?? '' }, body: String(body) })
  return { status: response.status, body: (await response.json()) as unknown }
}

Deno.test({
  name: 'Deno guide sample: serves the receiver, logs credits, debits and gaps, refuses forgeries',
  fn: async () => {
    const app = await start()
    try {
      const credit = await signed({ amount: '250.00', balance: '1250.00', description: 'SN:77 SİPARİŞ #1001' })
      assert.equal(await post(app.url, credit), { status: 200, body: { status: 'ok' } })
      await app.out.waitFor(/credit 250\.00 TRY to account 69: SN:77 SİPARİŞ #1001/)

      assert.equal(await post(app.url, credit, 'json'), { status: 200, body: { status: 'duplicate' } })

      const debit = await signed({ dc: 'Debit', amount: '50.00', balance: '1200.00', description: 'SN:78' })
      assert.equal(await post(app.url, debit), { status: 200, body: { status: 'ok' } })
      await app.out.waitFor(/debit 50\.00 TRY from account 69/)

      const afterMissed = await signed({ amount: '10.00', balance: '1300.00', description: 'SN:80' })
      assert.equal(await post(app.url, afterMissed), { status: 200, body: { status: 'ok' } })
      await app.err.waitFor(/account 69: 90\.00 TRY never notified/)

      assert.equal(await post(app.url, await signed({}, 'forged')), { status: 401, body: { error: 'invalid_hash' } })
      await app.err.waitFor(/refused: invalid_hash/)

      const get = await fetch(app.url)
      assert.is(get.status, 405)
      assert.is(get.headers.get('allow'), 'POST')
      await get.body?.cancel()

      assert.is(app.out.state.text.split('\ncredit ').length - 1, 1, 'the duplicate was not logged as a second credit')
      assert.not.ok(`${app.out.state.text}${app.err.state.text}`.includes(SECRET))
    } finally {
      await app.stop()
    }
  },
})

Deno.test({
  name: 'Deno guide sample: without BANKSOCKET_SECRET it refuses to start, saying what to set',
  fn: async () => {
    const result = await new Deno.Command(Deno.execPath(), {
      args: ['run', '--allow-net', '--allow-env', sample.pathname],
      cwd: root.pathname,
      env: { BANKSOCKET_SECRET: '', PORT: '0', NO_COLOR: '1' },
      stdin: 'null',
      stdout: 'piped',
      stderr: 'piped',
    }).output()
    assert.not.ok(result.success)
    assert.match(new TextDecoder().decode(result.stderr), /set BANKSOCKET_SECRET/)
  },
})
