// Each benchmark section runs in a process of its own, so that one section's heap and JIT state
// do not colour the next. A section module calls `section(run)`: when forked by bench/run.mjs it
// sends its result over IPC; run directly (`node bench/lib/verify.mjs`) it prints it as JSON.
import { fork } from 'node:child_process'

/** Runs `run()` and hands its result to the parent (or prints it). Exits non-zero on failure. */
export const section = (run) => {
  run().then(
    (result) => {
      if (process.send) process.send({ ok: true, result }, () => process.exit(0))
      else {
        console.log(JSON.stringify(result, null, 2))
        process.exit(0)
      }
    },
    (error) => {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
      if (process.send) process.send({ ok: false, error: message }, () => process.exit(1))
      else {
        console.error(message)
        process.exit(1)
      }
    },
  )
}

/**
 * Forks a section module and resolves with its result.
 *
 * @param {string} file absolute path of the section module
 * @param {{ execArgv?: string[], env?: Record<string, string>, onSpawn?: (pid: number) => void }} [options]
 */
export const runSection = (file, options = {}) =>
  new Promise((resolve, reject) => {
    const child = fork(file, [], {
      execArgv: options.execArgv ?? [],
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    options.onSpawn?.(child.pid)
    let settled = false
    child.on('message', (message) => {
      if (settled) return
      settled = true
      if (message.ok) resolve(message.result)
      else reject(new Error(`${file} failed:\n${message.error}`))
    })
    child.on('exit', (code) => {
      if (!settled) {
        settled = true
        reject(new Error(`${file} exited with code ${code} before reporting`))
      }
    })
  })
