/** Starting and talking to support/receiver-process.ts from a test. */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export type ReceiverProcess = Readonly<{
  child: ChildProcess
  port: number
  recovery: unknown
  /** Sends a command line and resolves with the JSON after the first stdout line starting with `answer`. */
  ask: (command: string, answer: string) => Promise<Record<string, unknown>>
  /** Resolves once the process has exited. */
  exited: Promise<void>
  stderr: () => string
}>

const script = fileURLToPath(new URL('./receiver-process.ts', import.meta.url))

/** Starts a receiver process on `store` (a log path or `memory`) and waits until it listens. */
export const startReceiver = (store: string, options: Record<string, unknown> = {}, nodeArgs: ReadonlyArray<string> = []): Promise<ReceiverProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, store, JSON.stringify(options)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stderr = ''
    let stdout = ''
    const listeners: Array<(line: string) => void> = []
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString('utf8')
      const lines = stdout.split('\n')
      stdout = lines.pop() ?? ''
      for (const line of lines) for (const listen of [...listeners]) listen(line)
    })
    const exited = new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) done()
      else child.once('exit', () => done())
    })
    const onExit = (code: number | null) => reject(new Error(`receiver process exited (${code}) before listening: ${stderr}`))
    child.once('exit', onExit)
    const ask = (command: string, answer: string) =>
      new Promise<Record<string, unknown>>((done, fail) => {
        const onLine = (line: string) => {
          if (!line.startsWith(`${answer} `)) return
          listeners.splice(listeners.indexOf(onLine), 1)
          done(JSON.parse(line.slice(answer.length + 1)) as Record<string, unknown>)
        }
        listeners.push(onLine)
        child.once('exit', () => fail(new Error(`receiver process exited before answering ${command}: ${stderr}`)))
        child.stdin?.write(`${command}\n`)
      })
    const onListening = (line: string) => {
      const m = /^listening (\d+) (.*)$/.exec(line)
      if (m === null) return
      listeners.splice(listeners.indexOf(onListening), 1)
      child.off('exit', onExit)
      resolve({ child, port: Number(m[1]), recovery: JSON.parse(m[2] ?? 'null') as unknown, ask, exited, stderr: () => stderr })
    }
    listeners.push(onListening)
  })
