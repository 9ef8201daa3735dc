/**
 * A small HTTP/1.1 client over raw keep-alive sockets, for load and hostile-input tests: it writes
 * exact bytes and parses answers itself (status, headers, Content-Length body), so the tests see
 * what the server really sent, in order, including pipelined answers.
 */
import { connect, type Socket } from 'node:net'

export type Answer = Readonly<{ status: number; headers: Readonly<Record<string, string>>; body: string }>

/** Parses every complete answer at the start of `buffer`; returns them and the unparsed rest. */
const parseAnswers = (buffer: Buffer): { answers: Answer[]; rest: Buffer } => {
  const answers: Answer[] = []
  let at = 0
  for (;;) {
    const headEnd = buffer.indexOf('\r\n\r\n', at, 'latin1')
    if (headEnd < 0) break
    const [statusLine = '', ...lines] = buffer.toString('latin1', at, headEnd).split('\r\n')
    const headers: Record<string, string> = {}
    for (const line of lines) {
      const colon = line.indexOf(':')
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
    }
    const length = Number(headers['content-length'] ?? '0')
    if (buffer.length < headEnd + 4 + length) break
    answers.push({ status: Number(statusLine.split(' ')[1]), headers, body: buffer.toString('utf8', headEnd + 4, headEnd + 4 + length) })
    at = headEnd + 4 + length
  }
  return { answers, rest: buffer.subarray(at) }
}

/** A raw connection: write bytes, take answers in order, know when the server closed it. */
export class Connection {
  readonly socket: Socket
  closed = false
  #queue: Answer[] = []
  #buffer: Buffer = Buffer.alloc(0)
  #waiters: Array<() => void> = []

  private constructor(socket: Socket) {
    this.socket = socket
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
      const { answers, rest } = parseAnswers(this.#buffer)
      this.#buffer = rest
      this.#queue.push(...answers)
      this.#wake()
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      this.closed = true
      this.#wake()
    })
  }

  static open(port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1')
      socket.setNoDelay(true)
      socket.once('connect', () => resolve(new Connection(socket)))
      socket.once('error', reject)
    })
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake()
  }

  /** The next answer, in order; undefined once the connection closed without one (or `ms` passed). */
  async next(ms?: number): Promise<Answer | undefined> {
    const deadline = ms === undefined ? Infinity : Date.now() + ms
    while (this.#queue.length === 0 && !this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve)
        if (deadline !== Infinity) setTimeout(resolve, deadline - Date.now()).unref()
      })
    }
    return this.#queue.shift()
  }

  /** The next `count` answers (fewer if the connection closed first, or `ms` passed). */
  async take(count: number, ms?: number): Promise<Answer[]> {
    const deadline = ms === undefined ? undefined : Date.now() + ms
    const out: Answer[] = []
    for (let i = 0; i < count; i++) {
      const answer = await this.next(deadline === undefined ? undefined : Math.max(0, deadline - Date.now()))
      if (answer === undefined) break
      out.push(answer)
    }
    return out
  }

  /** Resolves once the server closed the connection. */
  async whenClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((resolve) => this.#waiters.push(resolve))
  }

  /** Writes `bytes` and waits for the next answer (undefined if the connection closed first). */
  async request(bytes: Buffer | string): Promise<Answer | undefined> {
    this.socket.write(bytes)
    return this.next()
  }

  close(): void {
    this.socket.destroy()
  }
}
