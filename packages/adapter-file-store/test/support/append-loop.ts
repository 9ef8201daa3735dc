// Appends forever to the store at argv[2] from several concurrent workers; after each append
// resolves Right it prints `ack <stream> <version> <id> <count>` (the version of the append's last
// event). The crash test SIGKILLs this process at a random moment and checks every ack.
import * as E from 'fp-ts/lib/Either.js'
import { openFileEventStore } from '../../src/index.ts'

export type LoopEvent = Readonly<{ id: string; part: number; of: number; pad: string }>

const path = process.argv[2] ?? ''
const workers = Number(process.argv[3] ?? '16')
const opened = await openFileEventStore<LoopEvent>({ path })()
if (E.isLeft(opened)) {
  process.stderr.write(`open failed: ${opened.left.message}\n`)
  process.exit(1)
}
const store = opened.right
process.stdout.write(`open ${store.recovery.events} ${store.recovery.torn?.bytes ?? 0}\n`)

const worker = async (w: number): Promise<void> => {
  for (let i = 0; ; i++) {
    const id = `${process.pid}-${w}-${i}`
    const of = i % 5 === 0 ? 2 : 1 // every fifth append carries two events, which must stay together
    const events = Array.from({ length: of }, (_, part) => ({ id, part: part + 1, of, pad: 'x'.repeat((i * 37) % 300) }))
    const stream = `stream-${w % 5}`
    const result = await store.appendToStream(stream, events, 'any')()
    if (E.isLeft(result)) {
      process.stderr.write(`append failed: ${JSON.stringify(result.left)}\n`)
      process.exit(1)
    }
    process.stdout.write(`ack ${stream} ${result.right.nextVersion} ${id} ${of}\n`)
  }
}

await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)))
