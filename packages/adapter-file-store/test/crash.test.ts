import type { StreamRead } from '@banksocket-webhooks/core/store-kit'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { LoopEvent } from './support/append-loop.ts'
import { exited, spawnSupport, waitForLine } from './support/child.ts'
import { cleanup, mustOpen, right, tempLog } from './support/tmp.ts'

test.after.each(cleanup)

type Ack = Readonly<{ stream: string; version: number; id: string; of: number }>

const ROUNDS = 4

test('SIGKILL at a random moment: every acknowledged append is present exactly once, appends stay whole', async () => {
  const path = tempLog()
  const acked: Ack[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const child = spawnSupport('./append-loop.ts', [path, '16'])
    let out = ''
    let stderr = ''
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
    try {
      await waitForLine(child, /^open /)
      child.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')))
      await new Promise((r) => setTimeout(r, 50 + Math.floor(Math.random() * 400)))
    } finally {
      child.kill('SIGKILL')
    }
    await exited(child)
    assert.is(stderr, '', 'the child reported no failure')
    const complete = out.slice(0, out.lastIndexOf('\n') + 1) // a line cut by the kill is not an ack we saw
    const acks = complete
      .split('\n')
      .filter((l) => l.startsWith('ack '))
      .map((l) => {
        const [, stream = '', version = '', id = '', of = ''] = l.split(' ')
        return { stream, version: Number(version), id, of: Number(of) }
      })
    assert.ok(acks.length > 0, `round ${round}: the child acknowledged appends before it was killed`)
    acked.push(...acks)

    const store = await mustOpen<LoopEvent>({ path })
    const all = right(await store.readAll()())
    // Exactly once: every event (id, part) appears once.
    const keys = all.map((s) => `${s.event.id}/${s.event.part}`)
    assert.is(new Set(keys).size, keys.length, 'no event is stored twice')
    // Every ack is present, at the version it was acknowledged with (each stream read once: reads
    // come from disk).
    const streams = new Map<string, StreamRead<LoopEvent>>()
    for (const ack of acked) {
      const read = streams.get(ack.stream) ?? right(await store.readStream(ack.stream)())
      streams.set(ack.stream, read)
      const last = read.events[ack.version - 1]
      assert.is(last?.id, ack.id, `ack ${ack.stream}@${ack.version} (${ack.id}) is stored`)
      assert.is(last?.part, ack.of)
      if (ack.of === 2) assert.is(read.events[ack.version - 2]?.id, ack.id)
    }
    // Whole appends only: a two-event append is never cut in half.
    const byId = new Map<string, number>()
    for (const s of all) byId.set(s.event.id, (byId.get(s.event.id) ?? 0) + 1)
    for (const s of all) assert.is(byId.get(s.event.id), s.event.of, `append ${s.event.id} is whole`)
    right(await store.close()())
  }
  assert.ok(acked.length > 100, `enough appends were acknowledged across rounds (${acked.length})`)
})

test.run()
