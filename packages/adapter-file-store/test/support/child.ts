import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** Spawns `node --import tsx <support script> ...args` with piped stdio. */
export const spawnSupport = (script: string, args: ReadonlyArray<string>): ChildProcess =>
  spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(script, import.meta.url)), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  })

/** Resolves with the first stdout line matching `pattern` (rejects if the child exits first). */
export const waitForLine = (child: ChildProcess, pattern: RegExp): Promise<string> =>
  new Promise((resolve, reject) => {
    let buffered = ''
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8')
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      const found = lines.find((l) => pattern.test(l))
      if (found !== undefined) {
        child.stdout?.off('data', onData)
        child.off('exit', onExit)
        resolve(found)
      }
    }
    const onExit = (code: number | null) => reject(new Error(`child exited (${code}) before printing ${pattern}`))
    child.stdout?.on('data', onData)
    child.once('exit', onExit)
  })

/** Resolves once the child has exited (and been reaped). */
export const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()))
