import { createFetchReceiver } from '../src/index.ts'
import { serveFetch } from './support/bridge.ts'
import { contract } from './support/contract.ts'

contract('fetch receiver', async (options) => {
  const receiver = createFetchReceiver(options)
  const bridge = await serveFetch(receiver.fetch)
  return { url: bridge.url, receiver, close: bridge.close }
}).run()
