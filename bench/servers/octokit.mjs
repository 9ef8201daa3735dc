// The peer: GitHub's `@octokit/webhooks` with its own node:http middleware and its own signature
// (HMAC-SHA256 of the JSON body in `X-Hub-Signature-256`), one listener, no deduplication.
import { createNodeMiddleware, Webhooks } from '@octokit/webhooks'
import { SECRET } from '../lib/notifications.mjs'
import { counters, serve } from './serve.mjs'

const counts = counters()
const webhooks = new Webhooks({ secret: SECRET })
webhooks.on('push', () => {
  counts.accepted++
})
webhooks.onError(() => {
  counts.errors++
})
const middleware = createNodeMiddleware(webhooks, { path: '/', log: { debug() {}, info() {}, warn() {}, error() {} } })

serve((req, res) => {
  middleware(req, res)
}, counts)
