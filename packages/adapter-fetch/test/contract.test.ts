import { contract } from '@banksocket-webhooks/test-support/receiver-contract'
import { createFetchReceiver } from '../src/index.ts'
import { serveFetch } from './support/bridge.ts'

contract('fetch receiver', async (options) => {
  const receiver = createFetchReceiver(options)
  const bridge = await serveFetch(receiver.fetch)
  return { url: bridge.url, receiver, close: bridge.close }
}).run()
