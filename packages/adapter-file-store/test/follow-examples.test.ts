/**
 * The README's follower and checkpoint examples (test/examples/follow-log.ts and
 * test/examples/process-new-events.ts, shown byte for byte): the follower tails a log another
 * process writes, and a consumer resumes from its checkpoint, saving nothing for a failed page.
 */
import { readFileSync } from 'node:fs'
import type { StoredEvent } from '@banksocket-webhooks/core'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { tailLog } from './examples/follow-log.ts'
import { processNewEvents } from './examples/process-new-events.ts'
import { exited, spawnSupport, waitForLine } from './support/child.ts'
import { cleanup, mustOpen, right, tempLog } from './support/tmp.ts'
import { eventually } from './support/wait.ts'

test.after.each(cleanup)

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

for (const file of ['follow-log.ts', 'process-new-events.ts']) {
  test(`README: the example shown after <!-- file: test/examples/${file} --> is that file`, () => {
    const marker = `<!-- file: test/examples/${file} -->\n\`\`\`ts\n`
    const start = readme.indexOf(marker)
    assert.ok(start !== -1, `README.md shows test/examples/${file} after a <!-- file: test/examples/${file} --> line`)
    const body = readme.slice(start + marker.length, readme.indexOf('\n```', start + marker.length))
    assert.fixture(body, readFileSync(new URL(`./examples/${file}`, import.meta.url), 'utf8').replace(/\n$/, ''))
  })
}

test('README: tailLog prints what a writer process appends, and resumes from the position it answered', async () => {
  const path = tempLog()
  const child = spawnSupport('./hold-open.ts', [path])
  try {
    await waitForLine(child, /^open \d+$/)
    child.stdin?.write('append s 2\n')
    await waitForLine(child, /^appended s 2$/)
    const lines: string[] = []
    const stop = new AbortController()
    const tailing = tailLog(path, 0, (line) => lines.push(line), stop.signal)
    await eventually('the events already there are printed', () => lines.length === 2)
    child.stdin?.write('append t 1\n')
    await eventually('an event appended while tailing is printed', () => lines.length === 3)
    stop.abort()
    assert.is(await tailing, 3)
    assert.equal(lines, ['1 s 1', '2 s 2', '3 t 1'])
    child.stdin?.write('append s 1\n')
    await waitForLine(child, /^appended s 3$/)
    const again: string[] = []
    const once = new AbortController()
    const resumed = tailLog(path, 3, (line) => again.push(line), once.signal)
    await eventually('the event after position 3 is printed', () => again.length === 1)
    once.abort()
    assert.is(await resumed, 4)
    assert.equal(again, ['4 s 3'])
  } finally {
    child.stdin?.end()
    child.kill('SIGKILL')
    await exited(child)
  }
})

test('README: processNewEvents hands each event over once, resumes from its checkpoint, and saves nothing for a failed page', async () => {
  const path = tempLog()
  const writer = await mustOpen<string>({ path })
  for (let i = 1; i <= 1200; i++) right(await writer.appendToStream(`s${i % 3}`, [`e${i}`], 'any')())
  const seen: string[] = []
  const handle = async (events: ReadonlyArray<StoredEvent<unknown>>) => void seen.push(...events.map((e) => String(e.event)))
  assert.is(await processNewEvents(path, 'audit', handle), 1200)
  assert.equal(
    seen,
    Array.from({ length: 1200 }, (_, i) => `e${i + 1}`),
  )
  assert.is(JSON.parse(readFileSync(`${path}.checkpoints/audit.json`, 'utf8')).position, 1200)
  assert.is(await processNewEvents(path, 'audit', handle), 1200, 'nothing new: nothing handed over')
  assert.is(seen.length, 1200)

  right(await writer.appendToStream('s', ['late'], 'any')())
  const failing = async () => {
    throw new Error('the projection is down')
  }
  await processNewEvents(path, 'audit', failing).then(
    () => assert.unreachable('a failed page was saved'),
    (error: unknown) => assert.match(String(error), /checkpoint not moved: WorkFailed/),
  )
  assert.is(await processNewEvents(path, 'audit', handle), 1201, 'the failed page is handed over again')
  assert.equal(seen.slice(1200), ['late'])
  assert.is(await processNewEvents(path, 'other', async () => {}), 1201, 'another consumer has its own checkpoint')
  right(await writer.close()())
})

test.run()
