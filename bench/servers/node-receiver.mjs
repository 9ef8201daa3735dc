// Our Node receiver (adapter-node-server), as a user runs it: `createNodeReceiver` with its
// defaults (node:crypto hasher, core's in-memory store unless BENCH_STORE says otherwise) and its
// own server from `listen`, with one listener per event.
import { createNodeReceiver } from '@banksocket-webhooks/adapter-node-server'
import { SECRET } from '../lib/notifications.mjs'
import { countEvents, storeOptions } from './receiver-events.mjs'
import { announce, counters } from './serve.mjs'

const counts = counters()
const receiver = createNodeReceiver({ secrets: [SECRET], ...storeOptions() })
countEvents(receiver, counts)
await receiver.listen(0, '127.0.0.1')
announce(receiver.server, counts)
