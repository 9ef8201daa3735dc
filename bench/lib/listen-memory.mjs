// Issue 13's memory target, measured on the real process: BENCH_LISTEN_MEMORY_NOTIFICATIONS
// (1,000,000) distinct notifications through `banksocket listen` with its defaults (in-memory,
// stdout to /dev/null), over HTTP from autocannon (50 connections, connection k sending account
// k's movements in chain order, each request built when it is sent), the server pinned to CPU 1
// when the driver is pinned to CPU 0. Samples the server's RSS every 100,000 answers and reads its
// peak (VmHWM) at the end; BENCH_LISTEN_MEMORY_SERVERS (default `listen,same-work`) picks the
// servers, one after the other. Run by bench/run.mjs (section `listen-memory`), or by hand:
//   node bench/lib/listen-memory.mjs
// To see where the memory goes (diagnosis only, not for the published numbers):
// BENCH_LISTEN_MEMORY_EXEC_ARGV='--trace-gc --heapsnapshot-signal=SIGUSR2' gives the server node
// flags, BENCH_LISTEN_MEMORY_STDOUT=FILE keeps its stdout (the --trace-gc lines among the JSON
// lines), and BENCH_LISTEN_MEMORY_SIGNAL_AT=200000,800000 sends it SIGUSR2 after that many answers
// (a heap snapshot in the server's working directory with the flag above).
import { loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import autocannon from 'autocannon'
import { SERVERS } from '../servers/index.mjs'
import { cpuMsOf, memoryOf, startServer, stopServer } from './load.mjs'
import { envNumber } from './measure.mjs'
import { accountMovementsSync, FORM_CONTENT_TYPE, formBody, formBodyFast } from './notifications.mjs'
import { section } from './section.mjs'

const rawRequest = (body) =>
  Buffer.concat([
    Buffer.from(
      `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\ncontent-type: ${FORM_CONTENT_TYPE}\r\nContent-Length: ${body.length}\r\n\r\n`,
      'latin1',
    ),
    body,
  ])

const runOne = async (name, { total, connections, every, cpu, execArgv, stdout, signalAt }) => {
  const server = { name, ...SERVERS[name] }
  const movements = []
  for (let k = 0; k < connections; k++) {
    const check = await accountMovementsSync({ accountId: 5000 + k + 1, sequencePrefix: 'M' })
    for (let i = 0; i < 20; i++) {
      const fields = check.next()
      if (!formBodyFast(fields).equals(formBody(fields))) throw new Error('formBodyFast differs from formBody (core encodeForm)')
    }
    movements.push(await accountMovementsSync({ accountId: 5000 + k + 1, sequencePrefix: 'M' }))
  }
  const loadAverageBefore = loadavg()
    .map((x) => x.toFixed(2))
    .join(', ')
  const handle = await startServer(server, { cpu, execArgv, stdout })
  const { child, port } = handle
  const series = []
  const status = {}
  try {
    const idle = memoryOf(child.pid)
    const cpuBefore = cpuMsOf(child.pid)
    const driverBefore = process.cpuUsage()
    const started = performance.now()
    let answered = 0
    let stretchStart = started
    let nextClient = 0
    const result = await new Promise((resolve, reject) => {
      const instance = autocannon(
        {
          url: `http://127.0.0.1:${port}/`,
          connections,
          amount: total,
          timeout: 30,
          requests: [{ method: 'POST', path: '/' }],
          setupClient: (client) => {
            const account = movements[nextClient++]
            client.getRequestBuffer = () => rawRequest(formBodyFast(account.next()))
          },
        },
        (error, r) => (error ? reject(error) : resolve(r)),
      )
      instance.on('response', (_client, code) => {
        status[code] = (status[code] ?? 0) + 1
        answered++
        if (signalAt.has(answered)) child.kill('SIGUSR2')
        if (answered % every === 0) {
          const now = performance.now()
          const m = memoryOf(child.pid)
          series.push({ answered, rss: m.rss, peak: m.peak, perSecond: (every * 1000) / (now - stretchStart) })
          stretchStart = now
        }
      })
    })
    const seconds = (performance.now() - started) / 1000
    const cpuMs = cpuMsOf(child.pid) - cpuBefore
    const driver = process.cpuUsage(driverBefore)
    const end = memoryOf(child.pid)
    await stopServer(handle)
    return {
      name,
      label: server.label,
      total,
      connections,
      answered,
      status,
      errors: result.errors + result.timeouts,
      seconds,
      perSecond: answered / seconds,
      cpuUsPerNotification: (cpuMs * 1000) / answered,
      driverCpuUsPerNotification: (driver.user + driver.system) / answered,
      loadAverage: {
        before: loadAverageBefore,
        after: loadavg()
          .map((x) => x.toFixed(2))
          .join(', '),
      },
      idleRss: idle.rss,
      endRss: end.rss,
      peakRss: end.peak,
      series,
      counts: handle.ipc
        ? undefined
        : handle.stopped === undefined
          ? undefined
          : { transactions: handle.stopped.transactions, gaps: handle.stopped.gaps, duplicates: handle.stopped.duplicates },
    }
  } finally {
    await stopServer(handle)
  }
}

export const run = async () => {
  const total = envNumber('BENCH_LISTEN_MEMORY_NOTIFICATIONS', 1_000_000)
  const connections = envNumber('BENCH_CONNECTIONS', 50)
  const every = Math.max(1, Math.round(total / 10))
  const names = (process.env.BENCH_LISTEN_MEMORY_SERVERS ?? 'listen,same-work').split(',').filter((s) => s !== '')
  const cpu = process.env.BENCH_LISTEN_MEMORY_CPU === undefined ? undefined : Number(process.env.BENCH_LISTEN_MEMORY_CPU)
  const execArgv = (process.env.BENCH_LISTEN_MEMORY_EXEC_ARGV ?? '').split(' ').filter((s) => s !== '')
  const stdout = process.env.BENCH_LISTEN_MEMORY_STDOUT || undefined
  const signalAt = new Set(
    (process.env.BENCH_LISTEN_MEMORY_SIGNAL_AT ?? '')
      .split(',')
      .filter((s) => s !== '')
      .map(Number),
  )
  const runs = []
  for (const name of names) {
    if (SERVERS[name] === undefined) throw new Error(`BENCH_LISTEN_MEMORY_SERVERS: unknown server ${name}`)
    process.stderr.write(`[bench]    ${name}: ${total} notifications\n`)
    runs.push(await runOne(name, { total, connections, every, cpu, execArgv, stdout, signalAt }))
  }
  return { total, connections, runs }
}

if (import.meta.url === `file://${process.argv[1]}`) section(run)
