// Holds the log at argv[2] from another process, until stdin closes: then it lets go and prints
// `closed`. Used by the lock, follower and checkpoint tests.
//
// - `hold-open.ts <log>`: opens the store and prints `open <pid>`. Each stdin line
//   `append <stream> <count>` appends `count` events (`<stream> <version>`) in one append and prints
//   `appended <stream> <nextVersion>` once it is acknowledged.
// - `hold-open.ts <log> lease <name>`: claims the checkpoint lease of consumer `name` and prints
//   `leased <pid>`.
import * as E from 'fp-ts/lib/Either.js'
import { createFileCheckpoints, openFileEventStore } from '../../src/index.ts'

const [path = '', mode = 'store', name = ''] = process.argv.slice(2)

const untilStdinEnds = (onLine: (line: string) => Promise<void>, onEnd: () => Promise<void>): void => {
  let buffered = ''
  let queue = Promise.resolve()
  process.stdin.setEncoding('utf8')
  process.stdin.on('data', (chunk: string) => {
    buffered += chunk
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) queue = queue.then(() => onLine(line))
  })
  process.stdin.on('end', () => {
    queue = queue.then(async () => {
      await onEnd()
      process.stdout.write('closed\n')
      process.exit(0)
    })
  })
}

if (mode === 'lease') {
  const lease = await createFileCheckpoints({ path }).acquire(name, { retryEvery: 50 })
  process.stdout.write(`leased ${process.pid}\n`)
  untilStdinEnds(async () => {}, lease.release)
} else {
  const opened = await openFileEventStore<string>({ path })()
  if (E.isLeft(opened)) {
    process.stdout.write(`failed ${opened.left._tag}\n`)
    process.exit(1)
  }
  const store = opened.right
  process.stdout.write(`open ${process.pid}\n`)
  untilStdinEnds(
    async (line) => {
      const [command, stream = '', count = '0'] = line.split(' ')
      if (command !== 'append') return
      const current = await store.readStream(stream)()
      const first = E.isRight(current) ? current.right.version + 1 : 1
      const events = Array.from({ length: Number(count) }, (_, i) => `${stream} ${first + i}`)
      const appended = await store.appendToStream(stream, events, first - 1)()
      process.stdout.write(E.isRight(appended) ? `appended ${stream} ${appended.right.nextVersion}\n` : `failed ${appended.left._tag}\n`)
    },
    async () => {
      await store.close()()
    },
  )
}
