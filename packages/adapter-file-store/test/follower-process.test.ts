/**
 * The follower beside a writer in another process, as beside a `banksocket listen`: it opens while
 * the writer holds the lock, its watch and reads see the writer's appends, and when the writer is
 * killed in the middle of a group commit, the follower has shown exactly the events the writer's
 * recovery keeps: every acknowledged one, nothing of the tail it cuts, at the same positions.
 */
import { readFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { LoopEvent } from './support/append-loop.ts'
import { exited, spawnSupport, waitForLine } from './support/child.ts'
import { cleanup, mustOpen, right, tempLog } from './support/tmp.ts'
import { delay, eventually, mustFollow } from './support/wait.ts'

test.after.each(cleanup)

test('opens beside a writer process that holds the lock, and its watch and reads see what that process appends', async () => {
  const path = tempLog()
  const child = spawnSupport('./hold-open.ts', [path])
  try {
    const pid = (await waitForLine(child, /^open \d+$/)).split(' ')[1]
    const follower = await mustFollow<string>({ path, pollInterval: 50 })
    assert.is(readFileSync(`${path}.lock`, 'utf8').split('\n')[0], pid, 'the writer process holds the lock')
    assert.is(right(await follower.head()()), 0)
    let changes = 0
    const stop = follower.watch(() => changes++)
    child.stdin?.write('append s 3\n')
    await waitForLine(child, /^appended s 3$/)
    await eventually('the watch saw the append', () => changes > 0, 3000)
    assert.equal(
      right(await follower.readAll()()).map((e) => [e.stream, e.version, e.event, e.position]),
      [
        ['s', 1, 's 1', 1],
        ['s', 2, 's 2', 2],
        ['s', 3, 's 3', 3],
      ],
    )
    child.stdin?.write('append t 1\n')
    await waitForLine(child, /^appended t 1$/)
    assert.equal(right(await follower.readStream('t')()), { version: 1, events: ['t 1'] })
    assert.is(right(await follower.refresh()()), 4)
    stop()
    child.stdin?.end()
    await waitForLine(child, /^closed$/)
    right(await follower.close()())
  } finally {
    child.kill('SIGKILL')
    await exited(child)
  }
})

test('beside a writer process killed at a random moment, the follower shows every acknowledged append and exactly what recovery keeps', async () => {
  const path = tempLog()
  right(await (await mustOpen({ path })).close()()) // the log exists before the follower opens
  for (let round = 0; round < 3; round++) {
    const follower = await mustFollow<LoopEvent>({ path, pollInterval: 20 })
    const shown = new Map<number, string>() // every position the follower ever showed, and its event
    const start = right(await follower.head()()) // the events of the rounds before
    let after = start
    let reads = 0
    let wake = () => {}
    const stop = follower.watch(() => wake())
    let following = true
    const follow = (async () => {
      while (following) {
        const page = right(await follower.readAll({ after, limit: 500 })())
        reads++
        for (const e of page) {
          assert.is(e.position, after + 1, 'the feed has no holes')
          shown.set(e.position, `${e.event.id}/${e.event.part}`)
          after = e.position
        }
        if (page.length === 0) await Promise.race([new Promise<void>((resolve) => (wake = resolve)), delay(100)])
      }
    })()

    const child = spawnSupport('./append-loop.ts', [path, '8'])
    let out = ''
    try {
      await waitForLine(child, /^open /)
      child.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')))
      await delay(100 + Math.floor(Math.random() * 300))
    } finally {
      child.kill('SIGKILL')
    }
    await exited(child)
    const acked = out
      .slice(0, out.lastIndexOf('\n') + 1)
      .split('\n')
      .filter((l) => l.startsWith('ack '))
      .map((l) => l.split(' ')[3] ?? '')
    assert.ok(acked.length > 0, `round ${round}: the writer acknowledged appends before it was killed`)

    // Whatever the kill left at the end of the log, the follower shows what was committed.
    await delay(50)
    following = false
    wake()
    await follow
    const last = right(await follower.readAll({ after })())
    for (const e of last) shown.set(e.position, `${e.event.id}/${e.event.part}`)
    assert.ok(reads > 1, 'the follower read while the writer appended')
    const ids = new Set([...shown.values()].map((k) => k.split('/')[0]))
    for (const id of acked) assert.ok(ids.has(id), `acknowledged append ${id} is shown`)

    // The writer's recovery keeps exactly what the follower showed, at the same positions.
    const writer = await mustOpen<LoopEvent>({ path })
    const kept = right(await writer.readAll({ after: start })())
    assert.equal(
      kept.map((e) => [e.position, `${e.event.id}/${e.event.part}`]),
      [...shown].sort(([a], [b]) => a - b),
    )
    right(await writer.close()())
    stop()
    right(await follower.close()())
  }
})

test.run()
