// Part 2 and the first half of part 3: each receiver in a process of its own, loaded over loopback
// by autocannon (programmatic API) with 50 connections, every request a distinct valid
// notification. Measures requests/s, latency percentiles, non-2xx, the server's CPU time per
// request, and its RSS (idle, sampled under load, and the kernel's peak, VmHWM).
//
// Connection k sends only account k's movements, in order, so balances are continuous and a
// receiver that reports a balance gap or a duplicate is wrong (the counters are checked).
import { spawn, spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import autocannon from 'autocannon'
import { CLI_BIN } from '../servers/index.mjs'
import { connectionQueues, SECRET } from './notifications.mjs'

const CLOCK_TICK_MS = 1000 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100)

/** RSS now and its peak (VmHWM) of a process, in bytes, from /proc. */
export const memoryOf = (pid) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024
  return { rss: kb('VmRSS'), peak: kb('VmHWM') }
}

/** CPU time (user + system) a process has used, in milliseconds, from /proc. */
export const cpuMsOf = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS
}

export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]

/**
 * Starts a server process (pinned to `cpu` when given) and resolves once it listens, with its port
 * and how to ask it for its counters and stop it. A bench script (`server.script`) speaks IPC (see
 * servers/serve.mjs); the real CLI (`server.cli`) prints `{"type":"listening","port":N}` on stderr
 * first and `{"type":"stopped",...}` with its counters when SIGTERM stops it. stdout goes to
 * /dev/null for every server (`banksocket listen > /dev/null`: a JSON line per transaction).
 *
 * @param {{ name?: string, script?: string, cli?: string[], bin?: string, store?: 'file', env?: Record<string, string> }} server
 * @param {{ cpu?: number, execArgv?: string[], stdout?: string }} options `stdout`: a file for the
 *   server's stdout instead of /dev/null (to read `--trace-gc`, say)
 */
export const startServer = (server, { cpu, execArgv = [], stdout }) =>
  new Promise((resolve, reject) => {
    let storeDir
    let entry
    if (server.cli !== undefined) {
      const storeArgs = []
      if (server.store === 'file') {
        storeDir = mkdtempSync(join(tmpdir(), 'bsw-bench-store-'))
        storeArgs.push('--store', join(storeDir, 'events.jsonl'))
      }
      entry = [server.bin ?? CLI_BIN, ...server.cli, '--port', '0', '--secret', SECRET, ...storeArgs]
    } else entry = [server.script]
    const node = [...execArgv, ...entry]
    const [command, args] = cpu === undefined ? [process.execPath, node] : ['taskset', ['-c', String(cpu), process.execPath, ...node]]
    const ipc = server.cli === undefined
    const out = stdout === undefined ? 'ignore' : openSync(stdout, 'w')
    const child = spawn(command, args, {
      env: { ...process.env, ...(server.env ?? {}) },
      stdio: ipc ? ['ignore', out, 'inherit', 'ipc'] : ['ignore', out, 'pipe'],
    })
    if (typeof out === 'number') closeSync(out)
    const handle = { child, port: 0, ipc, stderr: '', stopping: false, stopped: undefined, storeDir }
    const onExit = (code) =>
      reject(new Error(`${entry.join(' ')} exited with code ${code} before listening${handle.stderr === '' ? '' : `: ${handle.stderr}`}`))
    child.once('exit', onExit)
    if (ipc) {
      child.once('message', (message) => {
        child.off('exit', onExit)
        if (message?.type === 'listening') resolve({ ...handle, port: message.port })
        else reject(new Error(`${entry.join(' ')}: unexpected first message ${JSON.stringify(message)}`))
      })
      return
    }
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (text) => {
      // Keep the first lines (listening) and everything once SIGTERM was sent (the `stopped`
      // line); a long run's stderr (duplicates, rejections) is not kept whole.
      if (handle.port === 0 || handle.stopping || handle.stderr.length < 1_000_000) handle.stderr += text
      if (handle.port === 0) {
        const line = handle.stderr.split('\n').find((l) => l.includes('"type":"listening"'))
        if (line !== undefined) {
          handle.port = JSON.parse(line).port
          child.off('exit', onExit)
          resolve(handle)
        }
      }
    })
  })

/** The counters a server kept: over IPC for a bench script, from the `stopped` line for the CLI. */
const countsOf = (handle, stats) => {
  if (handle.ipc) return stats.counts
  const s = handle.stopped
  if (s === undefined) return { accepted: NaN, gaps: NaN, duplicates: NaN, rejected: NaN, errors: NaN }
  return { accepted: s.transactions, gaps: s.gaps, duplicates: s.duplicates, rejected: s.rejected, errors: s.errors }
}

const ask = (child, type) =>
  new Promise((resolve) => {
    const onMessage = (message) => {
      if (message?.type === type) {
        child.off('message', onMessage)
        resolve(message)
      }
    }
    child.on('message', onMessage)
    child.send({ type })
  })

/** Stops a server (IPC `close`, or SIGTERM for the CLI) and waits for it to exit; SIGKILL after 20 s. */
export const stopServer = (handle) =>
  new Promise((resolve) => {
    const { child } = handle
    const done = () => {
      if (!handle.ipc && handle.stopped === undefined) {
        const line = handle.stderr.split('\n').find((l) => l.includes('"type":"stopped"'))
        if (line !== undefined) handle.stopped = JSON.parse(line)
      }
      if (handle.storeDir !== undefined) rmSync(handle.storeDir, { recursive: true, force: true })
      resolve(handle)
    }
    if (child.exitCode !== null || child.signalCode !== null) return done()
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    child.once('exit', () => {
      clearTimeout(timer)
      // stderr may still hold the last lines when `exit` fires.
      if (child.stderr !== null && !child.stderr.readableEnded) child.stderr.once('end', done)
      else done()
    })
    if (handle.ipc) child.send({ type: 'close' })
    else {
      handle.stopping = true
      child.kill('SIGTERM')
    }
  })

/** The raw HTTP/1.1 request autocannon writes for one queued notification. */
const rawRequest = ({ headers, body }) => {
  const lines = ['POST / HTTP/1.1', 'Host: 127.0.0.1', 'Connection: keep-alive']
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`)
  lines.push(`Content-Length: ${body.length}`)
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body])
}

/**
 * One autocannon run: `amount` requests over `connections` connections, connection k taking its
 * bodies from `queues[k]` starting at `cursors[k]`. Resolves with autocannon's result and the
 * exact latencies (ms, sorted) of every response.
 */
export const fire = (port, { connections, amount, queues, cursors, timeoutSeconds = 10 }) =>
  new Promise((resolve, reject) => {
    let nextClient = 0
    const latencies = []
    const first = performance.now()
    let last = first
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}/`,
        connections,
        amount,
        timeout: timeoutSeconds,
        // A static placeholder: each client replaces it in setupClient with its own queue.
        requests: [{ method: 'POST', path: '/' }],
        setupClient: (client) => {
          // Each client sends its own queue of prebuilt raw requests. autocannon's per-request
          // builder (setupRequest) costs the driver more CPU than the receivers spend answering,
          // and on a 2-core machine the driver's core is then the bottleneck; a prebuilt buffer
          // per request keeps the driver's cost per request small.
          const k = nextClient++
          client.getRequestBuffer = () => {
            const raw = queues[k][cursors[k]++]
            if (raw === undefined) throw new Error(`connection ${k} ran out of notifications`)
            return raw
          }
        },
      },
      (error, result) => {
        if (error) reject(error)
        else resolve({ result, seconds: (last - first) / 1000, latencies: Float64Array.from(latencies).sort() })
      },
    )
    // autocannon notices the end of an `amount` run only at its next 1 s sampling tick, so the
    // run's span is taken from the first request to the last response instead.
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      last = performance.now()
      latencies.push(responseTime)
    })
  })

/**
 * Loads one server.
 *
 * @param {{ name: string, label: string, script?: string, cli?: string[], store?: 'file', kind: 'form' | 'octokit', env?: Record<string, string> }} server
 * @param {{ connections: number, warmup: number, amount: number, cpu?: number, execArgv?: string[], stdout?: string, sampleMs?: number }} options
 */
export const loadServer = async (server, { connections, warmup, amount, cpu, execArgv, stdout, sampleMs = 50 }) => {
  const warmupPer = Math.ceil(warmup / connections)
  const amountPer = Math.ceil(amount / connections)
  const queues = (await connectionQueues({ connections, perConnection: warmupPer + amountPer, kind: server.kind })).map((q) => q.map(rawRequest))
  const cursors = new Array(connections).fill(0)
  const handle = await startServer(server, { cpu, execArgv, stdout })
  const { child, port } = handle
  try {
    const idle = memoryOf(child.pid)
    await fire(port, { connections, amount: warmupPer * connections, queues, cursors, timeoutSeconds: 10 })
    const afterWarmup = memoryOf(child.pid)
    let sampledPeak = afterWarmup.rss
    const sampler = setInterval(() => {
      sampledPeak = Math.max(sampledPeak, memoryOf(child.pid).rss)
    }, sampleMs)
    const loadAverageBefore = loadAverage()
    const cpuBefore = cpuMsOf(child.pid)
    const { result, seconds, latencies } = await fire(port, { connections, amount: amountPer * connections, queues, cursors, timeoutSeconds: 10 })
    const cpuMs = cpuMsOf(child.pid) - cpuBefore
    const loadAverageAfter = loadAverage()
    clearInterval(sampler)
    const after = memoryOf(child.pid)
    const stats = handle.ipc ? await ask(child, 'stats') : undefined
    await stopServer(handle)
    const completed = result['2xx'] + result.non2xx
    return {
      name: server.name,
      label: server.label,
      requests: completed,
      ok: result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count])),
      seconds,
      requestsPerSecond: result['2xx'] / seconds,
      latencyMs: {
        p50: percentile(latencies, 50),
        p90: percentile(latencies, 90),
        p99: percentile(latencies, 99),
        max: latencies[latencies.length - 1],
        mean: latencies.reduce((a, b) => a + b, 0) / latencies.length,
      },
      cpuMsPerRequest: cpuMs / completed,
      cpuUtilisation: cpuMs / (seconds * 1000),
      rss: { idle: idle.rss, afterWarmup: afterWarmup.rss, sampledPeakUnderLoad: sampledPeak, end: after.rss, vmHwm: after.peak },
      heapUsedEnd: stats?.memory.heapUsed,
      loadAverage: { before: loadAverageBefore, after: loadAverageAfter },
      counts: { ...countsOf(handle, stats), sentIncludingWarmup: cursors.reduce((a, b) => a + b, 0) },
    }
  } finally {
    await stopServer(handle)
  }
}

const loadAverage = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(', ')
