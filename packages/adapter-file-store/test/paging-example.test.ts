/**
 * The README's paging example (test/examples/count-streams.ts, shown byte for byte): it reads a log
 * in pages, and a second run from the position it answered counts only what came since, across a
 * reopen.
 */
import { readFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { countStreams } from './examples/count-streams.ts'
import { cleanup, mustOpen, right, tempLog } from './support/tmp.ts'

test.after.each(cleanup)

test('README: the paging example is test/examples/count-streams.ts', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const block = /<!-- file: test\/examples\/count-streams\.ts -->\n```ts\n([\s\S]*?)\n```/.exec(readme)?.[1]
  assert.ok(block, 'README.md shows test/examples/count-streams.ts after a <!-- file: test/examples/count-streams.ts --> line')
  assert.fixture(block ?? '', readFileSync(new URL('./examples/count-streams.ts', import.meta.url), 'utf8').replace(/\n$/, ''))
})

test('README: countStreams pages through the log, and resumes from the position it answered', async () => {
  const path = tempLog()
  const store = await mustOpen<string>({ path })
  for (let i = 0; i < 25; i++)
    right(
      await store.appendToStream(
        `s${i % 3}`,
        Array.from({ length: 100 }, (_, j) => `e${i}-${j}`),
        'any',
      )(),
    )
  right(await store.close()())
  const first = await countStreams(path)
  assert.equal([...first.counts].sort(), [
    ['s0', 900],
    ['s1', 800],
    ['s2', 800],
  ])
  assert.is(first.position, 2500)
  const again = await mustOpen<string>({ path })
  right(await again.appendToStream('s3', ['late'], 'no_stream')())
  right(await again.close()())
  const since = await countStreams(path, first.position)
  assert.equal([...since.counts], [['s3', 1]])
  assert.is(since.position, 2501)
})

test.run()
