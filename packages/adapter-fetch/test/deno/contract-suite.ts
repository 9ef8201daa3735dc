/**
 * The receiver contract suite (`@banksocket-webhooks/test-support/receiver-contract`, the same table of requests, answers and
 * events the Node runs use) against the fetch receiver served by `Deno.serve`. Loaded by
 * contract.test.ts through the uvu bridge, so each case is one `Deno.test`.
 */
import { serveOnLoopback } from '@banksocket-webhooks/test-support/deno'
import { contract } from '@banksocket-webhooks/test-support/receiver-contract'
import { createFetchReceiver } from '../../src/index.ts'

contract('fetch receiver on Deno.serve', async (options) => {
  const receiver = createFetchReceiver(options)
  const server = await serveOnLoopback(receiver.fetch)
  return { url: server.url, receiver, close: server.close }
}).run()
