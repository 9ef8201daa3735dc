// One measured run of bench/consumers.mjs, in a process of its own (forked by the driver, which
// pins it to a core): the task comes in BENCH_CONSUMERS_TASK (JSON), the result goes back over IPC
// (`section`), or is printed when run by hand:
//
//   BENCH_CONSUMERS_TASK='{"kind":"file-lines","path":"/tmp/…/events.jsonl"}' node bench/lib/consumers-run.mjs
//
// Catch-up kinds (read the whole feed once, count events and sum their amounts):
//   file-consumer         createConsumer on the file store's read-only follower, its file checkpoints
//   file-lines            hand-written: the log read as a stream of lines, JSON.parse per event line,
//                         events handed over once their group's commit record is read
//   pg-consumer           createConsumer on createPostgresEventStore, store.checkpoints
//   pg-keyset             hand-written: pg, SELECT … WHERE global_position > $1 ORDER BY
//                         global_position LIMIT $2, JSON.parse of data::text per row
// A consumer's checkpoint store is wrapped to time its `advance` calls (the handler's work inside
// them apart): `checkpointMs` is what saving checkpoints cost the run.
// Forwarding kinds (POST every event of an in-memory store to the app at `url`):
//   forward               createForwarder, createInMemoryCheckpoints()
//   forward-hand          hand-written: a page, per account one POST at a time, accounts at once,
//                         a checkpoint per page
//   forward-sequential    hand-written: one POST at a time
//   forward-hand-subtle   forward-hand signing with WebCrypto (crypto.subtle HMAC), as the forwarder does
//   forward-hand-ky       forward-hand posting through ky (timeout 10 s, no retry), as the forwarder does
//   forward-hand-both     both
import { createHmac } from 'node:crypto'
import { createReadStream, readFileSync } from 'node:fs'
import { appendFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { createInMemoryEventStore } from '@banksocket-webhooks/core'
import pg from 'pg'
import { accountIds, createTally, transactionEvents } from './consumer-events.mjs'
import { section } from './section.mjs'

/** A built package of this repository (not a dependency of the bench workspace). */
const built = (name) => pathToFileURL(fileURLToPath(new URL(`../../packages/${name}/dist/index.js`, import.meta.url))).href

// BENCH_CONSUMERS_DIST: another build of @banksocket-webhooks/consumers (its dist/index.js), to
// measure a change side by side with the same hand-written counterparts.
const { createConsumer, createForwarder, createInMemoryCheckpoints } = await import(
  process.env.BENCH_CONSUMERS_DIST === undefined || process.env.BENCH_CONSUMERS_DIST === ''
    ? built('consumers')
    : pathToFileURL(resolve(process.env.BENCH_CONSUMERS_DIST)).href
)

const task = JSON.parse(process.env.BENCH_CONSUMERS_TASK ?? '{}')

/** Peak resident set of this process (VmHWM), bytes; NaN where /proc is missing. */
const peakRss = () => {
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]
    return kb === undefined ? Number.NaN : Number(kb) * 1024
  } catch {
    return Number.NaN
  }
}

/** Runs `work` and answers its wall time, this process's CPU time and its result. */
const timed = async (work) => {
  const cpu = process.cpuUsage()
  const started = performance.now()
  const result = await work()
  const ms = performance.now() - started
  const used = process.cpuUsage(cpu)
  return { ms, cpuMs: (used.user + used.system) / 1000, result }
}

const unwrap = (either, what) => {
  if (either._tag === 'Left') throw new Error(`${what}: ${JSON.stringify(either.left)}`)
  return either.right
}

// ---------------------------------------------------------------------------------------------
// Catch-up

/**
 * `checkpoints` with its `advance` calls timed: `stats.ms` their time, less the handler's work
 * inside them (`stats.workMs`).
 */
const timedCheckpoints = (checkpoints) => {
  const stats = { advances: 0, ms: 0, workMs: 0 }
  const advance = (name, expected, next, work) => {
    const timedWork =
      work === undefined
        ? undefined
        : async (tx) => {
            const started = performance.now()
            try {
              await work(tx)
            } finally {
              stats.workMs += performance.now() - started
            }
          }
    const task = checkpoints.advance(name, expected, next, timedWork)
    return async () => {
      const started = performance.now()
      const result = await task()
      stats.ms += performance.now() - started
      stats.advances++
      return result
    }
  }
  return { stats, checkpoints: { ...checkpoints, advance } }
}

/** A consumer from the beginning to caught up; resolves with the tally and what its checkpoints cost. */
const catchUp = async (store, plainCheckpoints, name, batchSize, recordFailure) => {
  const { stats, checkpoints } = timedCheckpoints(plainCheckpoints)
  const { tally, add } = createTally()
  const problems = []
  const consumer = createConsumer({
    name,
    store,
    checkpoints,
    batchSize,
    ...(recordFailure === undefined ? {} : { recordFailure }),
    handle: (stored) => {
      add(stored.event)
    },
  })
  consumer.on('problem', (p) => problems.push(p))
  consumer.on('failed', (f) => problems.push({ failed: f.message }))
  await consumer.start()
  await consumer.whenCaughtUp()
  await consumer.stop()
  if (problems.length > 0) throw new Error(`the consumer reported problems: ${JSON.stringify(problems.slice(0, 3))}`)
  return { ...tally, checkpoint: consumer.stats().checkpoint, advances: stats.advances, checkpointMs: stats.ms - stats.workMs }
}

const fileConsumer = async () => {
  const { openFileEventFollower } = await import(built('adapter-file-store'))
  const opened = await timed(async () => unwrap(await openFileEventFollower({ path: task.path })(), 'opening the follower'))
  const follower = opened.result
  const checkpoints = follower.checkpoints
  // The follower cannot append: an event given up on (none here) goes to a file beside the log.
  const recordFailure = (failure) => async () => {
    await appendFile(
      `${task.path}.failures.jsonl`,
      `${JSON.stringify({ consumer: failure.consumer, position: failure.event.position, error: failure.message })}\n`,
    )
    return { _tag: 'Right', right: undefined }
  }
  const read = await timed(() => catchUp(follower, checkpoints, task.name, task.batchSize, recordFailure))
  unwrap(await follower.close()(), 'closing the follower')
  return { openMs: opened.ms, openCpuMs: opened.cpuMs, ms: read.ms, cpuMs: read.cpuMs, ...read.result }
}

/** The log as lines: an event line is parsed and held until its group's commit record is read. */
const fileLines = async () => {
  const { tally, add } = createTally()
  const read = await timed(async () => {
    let group = []
    let rest
    for await (const chunk of createReadStream(task.path, { highWaterMark: 1 << 20 })) {
      const buffer = rest === undefined ? chunk : Buffer.concat([rest, chunk])
      let start = 0
      for (let end = buffer.indexOf(10, start); end !== -1; end = buffer.indexOf(10, start)) {
        // {"stream":…} an event, {"commit":N} the end of a group, {"format":…} the header.
        const kind = buffer[start + 2]
        if (kind === 0x73) group.push(JSON.parse(buffer.toString('utf8', start, end)))
        else if (kind === 0x63) {
          for (const record of group) add(record.event)
          group = []
        }
        start = end + 1
      }
      rest = start < buffer.length ? buffer.subarray(start) : undefined
    }
  })
  return { openMs: 0, openCpuMs: 0, ms: read.ms, cpuMs: read.cpuMs, ...tally, checkpoint: tally.events }
}

const pgConsumer = async () => {
  const { createPostgresEventStore } = await import(built('adapter-postgres'))
  const store = createPostgresEventStore({ connectionString: task.url })
  const read = await timed(() => catchUp(store, store.checkpoints, task.name, task.batchSize))
  unwrap(await store.close()(), 'closing the store')
  return { openMs: 0, openCpuMs: 0, ms: read.ms, cpuMs: read.cpuMs, ...read.result }
}

const pgKeyset = async () => {
  const { tally, add } = createTally()
  const client = new pg.Client({ connectionString: task.url })
  await client.connect()
  const read = await timed(async () => {
    let after = '0'
    for (;;) {
      const { rows } = await client.query(
        'SELECT global_position, data::text AS data FROM banksocket.events WHERE global_position > $1 ORDER BY global_position LIMIT $2',
        [after, task.batchSize],
      )
      if (rows.length === 0) return
      for (const row of rows) add(JSON.parse(row.data))
      after = rows[rows.length - 1].global_position
    }
  })
  await client.end()
  return { openMs: 0, openCpuMs: 0, ms: read.ms, cpuMs: read.cpuMs, ...tally, checkpoint: tally.events }
}

// ---------------------------------------------------------------------------------------------
// Forwarding

/** An in-memory store of `total` events over `accounts` accounts, one event per append, accounts taking turns. */
const forwardStore = async (total, accounts, base) => {
  const store = createInMemoryEventStore()
  const sources = await Promise.all(accountIds(accounts, base).map((id) => transactionEvents(id)))
  for (let i = 0; i < total; i++) {
    const source = sources[i % accounts]
    unwrap(await store.appendToStream(source.stream, [source.next()], 'any')(), 'append')
  }
  return store
}

const viaForwarder = async (store, name) => {
  const failures = []
  const forwarder = createForwarder({ name, store, checkpoints: createInMemoryCheckpoints(), url: task.url, secret: task.secret, ...task.options })
  forwarder.on('failed', (f) => failures.push(f.message))
  forwarder.on('retrying', (r) => failures.push(`retrying: ${r.message}`))
  await forwarder.start()
  await forwarder.whenCaughtUp()
  await forwarder.stop()
  if (failures.length > 0) throw new Error(`the forwarder did not deliver cleanly: ${failures.slice(0, 3).join('; ')}`)
  return { events: forwarder.counts().forwarded, checkpoint: forwarder.stats().checkpoint }
}

/** Hand-written Standard Webhooks signing: HMAC-SHA256 of `id.timestamp.body` with the whsec_ key, base64. */
const signerOf = (secret) => {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64')
  return (id, timestamp, body) => `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`
}

/** The same signature with WebCrypto (crypto.subtle), the key imported once: what the forwarder's signer does. */
const subtleSignerOf = (secret) => {
  const key = crypto.subtle.importKey('raw', Buffer.from(secret.slice('whsec_'.length), 'base64'), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const encoder = new TextEncoder()
  return async (id, timestamp, body) =>
    `v1,${Buffer.from(await crypto.subtle.sign('HMAC', await key, encoder.encode(`${id}.${timestamp}.${body}`))).toString('base64')}`
}

/** POST with global fetch, or through ky as the forwarder does (timeout, no retry, no throw on a status). */
const posterOf = async (viaKy) => {
  if (!viaKy) return (url, body, headers) => fetch(url, { method: 'POST', body, headers })
  // ky as the consumers package resolves it (it is not a dependency of the bench workspace).
  const { default: ky } = await import(pathToFileURL(createRequire(fileURLToPath(built('consumers'))).resolve('ky')).href)
  const client = ky.create({ timeout: 10_000, retry: 0, throwHttpErrors: false })
  return (url, body, headers) => client.post(url, { body, headers })
}

const handWritten =
  (parallel, { subtle = false, viaKy = false } = {}) =>
  async (store, name) => {
    const sign = subtle ? subtleSignerOf(task.secret) : signerOf(task.secret)
    const send = await posterOf(viaKy)
    const checkpoints = createInMemoryCheckpoints()
    const post = async (stored) => {
      const body = JSON.stringify({ ...stored.event.data, position: stored.position, stream: stored.stream })
      const id = `msg_${stored.stream}_${stored.version}`
      const timestamp = Math.floor(Date.now() / 1000)
      const headers = {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': await sign(id, timestamp, body),
      }
      const response = await send(task.url, body, headers)
      await response.arrayBuffer()
      if (!response.ok) throw new Error(`answered ${response.status}`)
    }
    let after = 0
    let expected
    let events = 0
    for (;;) {
      const page = unwrap(await store.readAll({ after, limit: task.page })(), 'readAll')
      if (page.length === 0) break
      if (parallel) {
        const accounts = new Map()
        for (const stored of page) {
          const queue = accounts.get(stored.stream)
          if (queue === undefined) accounts.set(stored.stream, [stored])
          else queue.push(stored)
        }
        await Promise.all(
          [...accounts.values()].map(async (queue) => {
            for (const stored of queue) await post(stored)
          }),
        )
      } else {
        for (const stored of page) await post(stored)
      }
      events += page.length
      after = page[page.length - 1].position
      unwrap(await checkpoints.advance(name, expected, after)(), 'checkpoint')
      expected = after
    }
    return { events, checkpoint: expected }
  }

const FORWARDERS = {
  forward: viaForwarder,
  'forward-hand': handWritten(true),
  'forward-sequential': handWritten(false),
  'forward-hand-subtle': handWritten(true, { subtle: true }),
  'forward-hand-ky': handWritten(true, { viaKy: true }),
  'forward-hand-both': handWritten(true, { subtle: true, viaKy: true }),
}

const forward = async (kind) => {
  const run = FORWARDERS[kind]
  // A warm-up on a store of its own (other accounts), not measured: JIT and the connection pool.
  const warm = await forwardStore(task.warmup, task.accounts, 5000)
  await run(warm, `${task.name}-warmup`)
  const plain = await forwardStore(task.events, task.accounts, 1000)
  // Reads counted: how many `readAll` calls the events took, and `readStream` calls besides.
  let reads = 0
  let readEvents = 0
  let streamReads = 0
  const store = {
    ...plain,
    readStream: (stream, options) => {
      streamReads++
      return plain.readStream(stream, options)
    },
    readAll: (options) => {
      const read = plain.readAll(options)
      return async () => {
        const page = await read()
        reads++
        if (page._tag === 'Right') readEvents += page.right.length
        return page
      }
    },
  }
  const measured = await timed(() => run(store, task.name))
  return { openMs: 0, openCpuMs: 0, ms: measured.ms, cpuMs: measured.cpuMs, ...measured.result, reads, readEvents, streamReads }
}

// ---------------------------------------------------------------------------------------------

const KINDS = {
  'file-consumer': fileConsumer,
  'file-lines': fileLines,
  'pg-consumer': pgConsumer,
  'pg-keyset': pgKeyset,
  ...Object.fromEntries(Object.keys(FORWARDERS).map((kind) => [kind, () => forward(kind)])),
}

section(async () => {
  const run = KINDS[task.kind]
  if (run === undefined) throw new Error(`unknown kind ${task.kind}; choose from ${Object.keys(KINDS).join(', ')}`)
  const result = await run()
  return { kind: task.kind, ...result, peakRssBytes: peakRss() }
})
