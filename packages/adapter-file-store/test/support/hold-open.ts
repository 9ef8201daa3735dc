// Opens the store at argv[2], prints `open <pid>`, keeps it open until stdin closes, then closes it
// and prints `closed`. Used by the lock tests to hold a store from another process.
import * as E from 'fp-ts/lib/Either.js'
import { openFileEventStore } from '../../src/index.ts'

const path = process.argv[2] ?? ''
const opened = await openFileEventStore({ path })()
if (E.isLeft(opened)) {
  process.stdout.write(`failed ${opened.left._tag}\n`)
  process.exit(1)
}
process.stdout.write(`open ${process.pid}\n`)
process.stdin.resume()
process.stdin.on('end', async () => {
  await opened.right.close()()
  process.stdout.write('closed\n')
  process.exit(0)
})
