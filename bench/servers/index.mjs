// The servers the load benchmark knows, by the name BENCH_SERVERS uses.
import { fileURLToPath } from 'node:url'

const script = (name) => fileURLToPath(new URL(name, import.meta.url))

/** `banksocket listen` as users run it: the built CLI (packages/cli/dist/bin.js), its own process. */
export const CLI_BIN = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url))

/**
 * A server is either a bench script (`script`: it speaks to bench/lib/load.mjs over IPC, see
 * serve.mjs) or the real CLI (`cli`: the arguments after `bin.js`; the driver adds `--port 0
 * --secret ...`, and `--store FILE` with a fresh file when `store` is `file`, reads the port from
 * the `listening` line on stderr and the counters from the `stopped` line at SIGTERM). Every
 * server's stdout goes to /dev/null.
 *
 * @type {Record<string, { label: string, script?: string, cli?: string[], bin?: string, store?: 'file', kind: 'form' | 'octokit', env?: Record<string, string> }>}
 */
export const SERVERS = {
  baseline: { label: 'baseline: bare node:http + URLSearchParams + node:crypto', script: script('./baseline.mjs'), kind: 'form' },
  'same-work': {
    label: 'same-work baseline: node:http + node:crypto, dedupe window, bigint balance check, bounded history, a JSON line per transaction',
    script: script('./same-work.mjs'),
    kind: 'form',
  },
  listen: { label: '**`banksocket listen`** (the CLI, in-memory defaults, stdout to /dev/null)', cli: ['listen'], kind: 'form' },
  'same-work-durable': {
    label: 'same-work baseline, durable: each event appended to a file, 200 after the group-committed fdatasync',
    script: script('./same-work.mjs'),
    kind: 'form',
    env: { BENCH_DURABLE: '1' },
  },
  'listen-store': {
    label: '**`banksocket listen --store FILE`** (the CLI, file store, stdout to /dev/null)',
    cli: ['listen'],
    store: 'file',
    kind: 'form',
  },
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

// Another build of the CLI (say, the commit before a round, built in a copy of the repository) as
// `listen-before` and `listen-store-before`, so that before and after run side by side in one run:
// BENCH_LISTEN_BEFORE_BIN=/path/to/copy/packages/cli/dist/bin.js BENCH_SERVERS=...,listen-before
const before = process.env.BENCH_LISTEN_BEFORE_BIN
if (before !== undefined && before !== '') {
  SERVERS['listen-before'] = { label: '`banksocket listen`, before (BENCH_LISTEN_BEFORE_BIN)', cli: ['listen'], bin: before, kind: 'form' }
  SERVERS['listen-store-before'] = {
    label: '`banksocket listen --store FILE`, before (BENCH_LISTEN_BEFORE_BIN)',
    cli: ['listen'],
    bin: before,
    store: 'file',
    kind: 'form',
  }
}
