/**
 * The receiver contract suite (packages/test-support/src/receiver-contract.ts, the same table of
 * requests, answers and events the Node, Deno and workerd runs use) against the fetch receiver
 * served by `Bun.serve` on a loopback port, as adapter-fetch's README shows it for Bun. Loaded by
 * contract.test.ts through the uvu bridge, so each case is one bun test.
 */
import { createFetchReceiver } from '../../../packages/adapter-fetch/src/index.ts'
import { contract } from '../../../packages/test-support/src/receiver-contract.ts'

contract(`fetch receiver on Bun.serve (Bun ${Bun.version})`, async (options) => {
  const receiver = createFetchReceiver(options)
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: receiver.fetch })
  return { url: `http://127.0.0.1:${server.port}`, receiver, close: () => server.stop() }
}).run()
