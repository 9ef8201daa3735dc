/**
 * The shared store contract (test-support's `storeContract`, unchanged) against the Durable Object
 * store inside workerd: each test gets a fresh object, by name, and its calls run in the object on
 * the real store over SQLite storage. `reopen` makes the object drop its store and make a new one
 * from storage (store-restart.test.ts restarts workerd itself).
 */
import type { Miniflare } from 'miniflare'
import { type ContractEvent, storeContract } from '../../../test-support/src/store-contract.ts'
import { call, freshObject, proxyStore, startWorkerd } from './store-client.ts'

let mf: Miniflare | undefined
const workerd = async (): Promise<Miniflare> => {
  mf ??= await startWorkerd()
  return mf
}

const contract = storeContract('Durable Object (workerd, SQLite storage)', async () => {
  const running = await workerd()
  const object = freshObject('contract')
  return {
    store: proxyStore<ContractEvent>(running, object),
    dispose: async () => {},
    reopen: async () => {
      await call(running, object, 'reopen')
      return proxyStore<ContractEvent>(running, object)
    },
  }
})

contract.after(async () => {
  await mf?.dispose()
})

contract.run()
