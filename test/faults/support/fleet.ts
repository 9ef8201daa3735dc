/**
 * What the fault suite drives: the built `banksocket` as a user runs it, a sender that behaves like
 * Banksocket (each account's movements in chain order, each notification sent again until it is
 * answered 200), and an application that receives what `--forward-to` forwards. Every answer is
 * kept with how long it took, so a test can say that none hung and what the outage was answered.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { createMovementGenerator, encodeNotification, type NotificationInput, signNotification } from '../../../packages/testing/dist/index.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const bin = `${root}packages/cli/dist/bin.js`

/** The receiver's webhook secret and the forwarder's Standard Webhooks secret. */
export const SECRET = 'faults-s3cr3t'
export const FORWARD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

export type JsonLine = Record<string, unknown>

/** A running `banksocket` command: its process, the JSON lines it printed so far, and its exit. */
export type Cli = Readonly<{
  child: ChildProcess
  stdout: () => ReadonlyArray<JsonLine>
  stderr: () => ReadonlyArray<JsonLine>
  /** stderr as text (lines that are not JSON too). */
  stderrText: () => string
  exited: Promise<number | null>
  /** Whether it has exited. */
  done: () => boolean
}>

const jsonLines = (text: string): JsonLine[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{') && l.endsWith('}'))
    .map((l) => JSON.parse(l) as JsonLine)

/** Starts `banksocket ...args`; `ready` resolves at the first stderr line of that type (or rejects at its exit). */
export const startCli = (args: ReadonlyArray<string>): Cli & { line: (type: string, timeoutMs?: number) => Promise<JsonLine> } => {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  let ended = false
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString('utf8')
  })
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString('utf8')
  })
  const exited = new Promise<number | null>((done) =>
    child.once('exit', (code) => {
      ended = true
      done(code)
    }),
  )
  const cli: Cli = { child, stdout: () => jsonLines(out), stderr: () => jsonLines(err), stderrText: () => err, exited, done: () => ended }
  const line = async (type: string, timeoutMs = 30_000): Promise<JsonLine> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = cli.stderr().find((l) => l['type'] === type)
      if (found !== undefined) return found
      if (ended) throw new Error(`banksocket ${args[0]} exited before a ${type} line:\n${err}`)
      if (Date.now() > deadline) throw new Error(`banksocket ${args[0]} printed no ${type} line in ${timeoutMs} ms:\n${err}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  return { ...cli, line }
}

/** Runs `banksocket ...args` to its end. */
export const runCli = (args: ReadonlyArray<string>): Readonly<{ code: number | null; stdout: string; stderr: string }> => {
  const run = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

/** Waits until `check` holds, up to `timeoutMs`. */
export const waitUntil = async (what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** One notification as a sender holds it: the body to post and the movement it signs. */
export type Delivery = Readonly<{ account: string; balance: string; body: string; contentType: string }>

/** `perAccount` signed notifications for each of `accounts`, each account's in chain order. */
export const chains = async (seed: string, accounts: ReadonlyArray<string>, perAccount: number): Promise<ReadonlyArray<ReadonlyArray<Delivery>>> => {
  const movements = createMovementGenerator({ seed, accounts: accounts.map((account_id) => ({ account_id })) }).take(perAccount * accounts.length)
  const signed = await Promise.all(
    movements.map(async (m: NotificationInput) => {
      const { body, contentType } = encodeNotification(await signNotification(m, SECRET)(), 'form')
      return { account: String(m.account_id), balance: String(m.balance), body: String(body), contentType }
    }),
  )
  return accounts.map((account) => signed.filter((d) => d.account === account))
}

/** One answer to one attempt: the status (0: no answer within the client's timeout or the connection failed), the body, and its time. */
export type Attempt = Readonly<{ status: number; body: string; ms: number; at: number }>

/** How long the sender waits for an answer before it counts the attempt as hung. */
const HUNG_MS = 30_000

/** Posts one body and keeps what came back. */
export const postOnce = async (url: string, delivery: Delivery): Promise<Attempt> => {
  const started = Date.now()
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': delivery.contentType },
      body: delivery.body,
      signal: AbortSignal.timeout(HUNG_MS),
    })
    return { status: response.status, body: await response.text(), ms: Date.now() - started, at: started }
  } catch {
    return { status: 0, body: '', ms: Date.now() - started, at: started }
  }
}

/**
 * Sends every chain as Banksocket does: the accounts at once, each account's notifications one after
 * another, each one again (after 100 ms, doubling to 1 s) until it is answered 200. `onAnswer` sees
 * every attempt's answer. Resolves with every attempt, per delivery, once all are acknowledged.
 */
export const sendLikeBanksocket = async (
  url: () => string,
  all: ReadonlyArray<ReadonlyArray<Delivery>>,
  onAnswer: (attempt: Attempt) => void = () => {},
  pauseMs = 5,
): Promise<ReadonlyArray<ReadonlyArray<Attempt>>> => {
  const attempts: Attempt[][] = []
  await Promise.all(
    all.map(async (chain) => {
      for (const delivery of chain) {
        const mine: Attempt[] = []
        attempts.push(mine)
        for (let n = 0; ; n++) {
          const answer = await postOnce(url(), delivery)
          mine.push(answer)
          onAnswer(answer)
          if (answer.status === 200) break
          await new Promise((r) => setTimeout(r, Math.min(1_000, 100 * 2 ** n)))
        }
        await new Promise((r) => setTimeout(r, pauseMs))
      }
    }),
  )
  return attempts
}

/** A delivery the application received: the Standard Webhooks id and the JSON body. */
export type Received = Readonly<{ id: string; body: JsonLine }>

const bodyOf = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    let text = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => {
      text += chunk
    })
    req.on('end', () => resolve(text))
    req.on('error', reject)
  })

/** An application `--forward-to` posts to: it keeps every delivery and answers 200. */
export const startApp = async (): Promise<Readonly<{ url: string; received: () => ReadonlyArray<Received>; stop: () => Promise<void> }>> => {
  const received: Received[] = []
  const server = createServer(async (req, res) => {
    const text = await bodyOf(req)
    received.push({ id: String(req.headers['webhook-id']), body: JSON.parse(text) as JsonLine })
    res.writeHead(200).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/banksocket`,
    received: () => received,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** The first delivery of each webhook id, in the order they arrived: what the application saw, without redeliveries. */
export const firstDeliveries = (received: ReadonlyArray<Received>): ReadonlyArray<Received> => {
  const seen = new Set<string>()
  return received.filter((r) => {
    if (seen.has(r.id)) return false
    seen.add(r.id)
    return true
  })
}
