#!/usr/bin/env node
// `node bench/replay.mjs` (after `pnpm run build`): the replay attacks of issue 16 against the real
// `banksocket listen`, each run in a fresh listener pinned to CPU 1 (the client on CPU 0):
//
//   new       N distinct notifications (20 accounts, each in chain order) against `listen --store FILE`
//   replay    the same notification N times against `listen --store FILE` (after it was accepted once)
//   accounts  one captured notification replayed with N different `account_id`s against `listen`
//
// Prints requests/s, the answers, how much the store file and stderr grew, and the listener's peak
// RSS, as a Markdown table (pasted into docs/benchmarks.md and docs/reliability.md). A benchmark,
// not a test: CI does not run it.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { encodeForm } from '@banksocket-webhooks/core'
import { memoryOf } from './lib/load.mjs'
import { accountMovements, SECRET } from './lib/notifications.mjs'
import { drive, raw } from './lib/pipelined.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const BIN = join(root, 'packages', 'cli', 'dist', 'bin.js')
const N = Number(process.env.BENCH_REPLAYS ?? 100_000)
const CONNECTIONS = 20

const pinSelf = () => spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)])

/** Starts `banksocket listen` pinned to CPU 1; resolves with its port, the child and a stderr byte count. */
const startListen = (args) =>
  new Promise((resolve, reject) => {
    const child = spawn('taskset', ['-c', '1', process.execPath, BIN, 'listen', '--port', '0', '--secret', SECRET, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    const state = { child, port: 0, stderrBytes: 0 }
    let first = ''
    child.stderr.on('data', (chunk) => {
      state.stderrBytes += chunk.length
      if (state.port === 0) {
        first += chunk.toString('utf8')
        const line = first.split('\n')[0]
        if (first.includes('\n')) {
          state.port = JSON.parse(line).port
          state.stderrBytes = 0
          resolve(state)
        }
      }
    })
    child.once('exit', (code) => state.port === 0 && reject(new Error(`listen exited with ${code}`)))
  })

const stopListen = (state) =>
  new Promise((resolve) => {
    state.child.once('exit', resolve)
    state.child.kill('SIGTERM')
  })

const fresh = async (count) => {
  const lanes = []
  for (let k = 0; k < CONNECTIONS; k++) {
    const account = accountMovements({ accountId: 100 + k })
    const lane = []
    for (let i = 0; i < Math.ceil(count / CONNECTIONS); i++) lane.push(raw(encodeForm(await account.next())))
    lanes.push(lane)
  }
  return lanes
}

const spread = (requests) => {
  const lanes = Array.from({ length: CONNECTIONS }, () => [])
  requests.forEach((r, i) => lanes[i % CONNECTIONS].push(r))
  return lanes
}

const main = async () => {
  pinSelf()
  const dir = mkdtempSync(join(tmpdir(), 'bsw-bench-replay-'))
  const rows = []
  try {
    // new notifications
    {
      const store = join(dir, 'new.jsonl')
      const listen = await startListen(['--store', store])
      const lanes = await fresh(N)
      const before = statSync(store).size
      const run = await drive(listen.port, lanes)
      const { peak } = memoryOf(listen.child.pid)
      rows.push({
        name: `${N.toLocaleString('en')} new notifications, \`listen --store FILE\``,
        ...run,
        store: statSync(store).size - before,
        stderr: listen.stderrBytes,
        peak,
      })
      await stopListen(listen)
    }
    // one notification replayed unchanged
    {
      const store = join(dir, 'replay.jsonl')
      const listen = await startListen(['--store', store])
      const captured = raw(encodeForm(await accountMovements({ accountId: 69 }).next()))
      await drive(listen.port, [[captured]])
      const before = statSync(store).size
      const stderrBefore = listen.stderrBytes
      const run = await drive(listen.port, spread(Array.from({ length: N }, () => captured)))
      const { peak } = memoryOf(listen.child.pid)
      rows.push({
        name: `one notification replayed ${N.toLocaleString('en')} times, \`listen --store FILE\``,
        ...run,
        store: statSync(store).size - before,
        stderr: listen.stderrBytes - stderrBefore,
        peak,
      })
      await stopListen(listen)
    }
    // one notification replayed with other account_ids
    {
      const listen = await startListen([])
      const fields = await accountMovements({ accountId: 69 }).next()
      const count = 20_000
      const run = await drive(
        listen.port,
        spread(Array.from({ length: count }, (_, i) => raw(encodeForm({ ...fields, account_id: String(1000 + i) })))),
      )
      const { peak } = memoryOf(listen.child.pid)
      rows.push({
        name: `one notification replayed with ${count.toLocaleString('en')} other \`account_id\`s, \`listen\``,
        ...run,
        store: 0,
        stderr: listen.stderrBytes,
        peak,
      })
      await stopListen(listen)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`
  const lines = [
    '| run | requests/s | answers | store growth | stderr | peak RSS |',
    '|---|---:|---|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.perSecond.toLocaleString('en')} | ${Object.entries(r.answers)
          .map(([k, v]) => `${v.toLocaleString('en')} × \`${k}\``)
          .join(', ')} | ${r.store.toLocaleString('en')} B | ${r.stderr.toLocaleString('en')} B | ${mb(r.peak)} |`,
    ),
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}

await main()
