/**
 * `banksocket listen` under a replay flood (issue 16): duplicates are not stored and do not drown
 * stderr. The first duplicate of a quiet second is printed in full, the rest at most once a second
 * as one `{"type":"duplicates","count":N,...}` line, and the counts add up to every replay.
 */
import { Agent, request } from 'node:http'
import { encodeNotification, signNotification } from '@banksocket-webhooks/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ensureBuilt, json, startListen } from './support/cli.ts'

ensureBuilt()

const SECRET = 'replay-flood-secret'

const post = (agent: Agent, url: URL, body: string | Uint8Array, contentType: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (text += chunk))
        res.on('end', () => resolve(text))
      },
    )
    req.on('error', reject)
    req.end(body)
  })

test('5,000 replays of one notification: one full duplicate line, then at most one summary line a second', async () => {
  const listen = await startListen(['--port', '0', '--secret', SECRET])
  const started = Date.now()
  let seconds = 0
  try {
    const fields = await signNotification({ amount: '100.00', balance: '18100.00', description: 'SN:flood' }, SECRET)()
    const { body, contentType } = encodeNotification(fields, 'form')
    const url = new URL(listen.url)
    const agent = new Agent({ keepAlive: true, maxSockets: 8 })
    assert.is(await post(agent, url, body, contentType), '{"status":"ok"}')
    const answers: string[] = []
    for (let round = 0; round < 50; round++) {
      answers.push(...(await Promise.all(Array.from({ length: 100 }, () => post(agent, url, body, contentType)))))
    }
    agent.destroy()
    assert.is(answers.filter((a) => a === '{"status":"duplicate"}').length, 5_000)
    seconds = (Date.now() - started) / 1000
  } finally {
    assert.is((await listen.stop()).code, 0)
  }
  const lines = listen
    .lines('stderr')
    .filter((l) => l !== '')
    .map(json)
  const full = lines.filter((l) => l['type'] === 'duplicate')
  const summaries = lines.filter((l) => l['type'] === 'duplicates')
  // The first duplicate of a quiet second is printed in full: one line, unless the flood itself
  // paused for a whole second (a loaded machine), which opens another quiet second. Either way the
  // flood costs at most about a line a second, never a line a duplicate.
  assert.is(
    lines.findIndex((l) => l['type'] === 'duplicate' || l['type'] === 'duplicates'),
    lines.indexOf(full[0] ?? {}),
    'the first duplicate is printed in full',
  )
  assert.ok(full.length >= 1 && full.length <= Math.ceil(seconds), `${full.length} full duplicate lines in ${seconds.toFixed(1)} s`)
  assert.ok(full.length + summaries.length <= Math.ceil(seconds) + 2, `${full.length + summaries.length} duplicate lines in ${seconds.toFixed(1)} s`)
  assert.is(full.length + summaries.reduce((n, l) => n + Number(l['count']), 0), 5_000, 'every replay is counted')
  const stopped = lines.at(-1) ?? {}
  assert.equal([stopped['type'], stopped['duplicates'], stopped['transactions']], ['stopped', 5_000, 1])
})

test.run()
