// The servers the load benchmark knows, by the name BENCH_SERVERS uses.
import { fileURLToPath } from 'node:url'

const script = (name) => fileURLToPath(new URL(name, import.meta.url))

/** @type {Record<string, { label: string, script: string, kind: 'form' | 'octokit', env?: Record<string, string> }>} */
export const SERVERS = {
  baseline: { label: 'baseline: bare node:http + URLSearchParams + node:crypto', script: script('./baseline.mjs'), kind: 'form' },
  node: { label: '**our Node receiver** (`createNodeReceiver`, defaults)', script: script('./node-receiver.mjs'), kind: 'form' },
  'node-counting': {
    label: 'our Node receiver, counting store',
    script: script('./node-receiver.mjs'),
    kind: 'form',
    env: { BENCH_STORE: 'counting' },
  },
  fetch: { label: 'our fetch receiver behind a node:http bridge (Web Crypto default)', script: script('./fetch-receiver.mjs'), kind: 'form' },
  'fetch-node': {
    label: 'our fetch receiver behind a node:http bridge, node:crypto hasher',
    script: script('./fetch-receiver.mjs'),
    kind: 'form',
    env: { BENCH_HASHER: 'node' },
  },
  octokit: { label: 'peer: `@octokit/webhooks` `createNodeMiddleware`', script: script('./octokit.mjs'), kind: 'octokit' },
}
