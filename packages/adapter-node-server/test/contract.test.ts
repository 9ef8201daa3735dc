import { contract } from '@banksocket-webhooks/test-support/receiver-contract'
import { createNodeReceiver } from '../src/index.ts'

contract('node receiver', async (options) => {
  const receiver = createNodeReceiver(options)
  const { port } = await receiver.listen(0, '127.0.0.1')
  return { url: `http://127.0.0.1:${port}`, receiver, close: () => receiver.close() }
}).run()
