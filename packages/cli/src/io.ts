/**
 * The command's view of the process: its two output streams, its environment and its signals, as a
 * small port so that commands never touch `process` directly. Every write goes through a redactor:
 * the values of secret flags and variables are replaced by `[redacted]` wherever they would appear.
 *
 * @module
 */

/**
 * An output stream.
 *
 * @example
 * import type { Output } from '@banksocket-webhooks/cli'
 * const lines: string[] = []
 * const output: Output = { write: (text) => void lines.push(text), isTTY: false }
 */
export type Output = Readonly<{ write: (text: string) => void; isTTY: boolean }>

/**
 * A termination signal the command reacts to.
 *
 * @example
 * import type { Signal } from '@banksocket-webhooks/cli'
 * const s: Signal = 'SIGTERM'
 */
export type Signal = 'SIGINT' | 'SIGTERM'

/**
 * Environment variables.
 *
 * @example
 * import type { Env } from '@banksocket-webhooks/cli'
 * const env: Env = { BANKSOCKET_SECRET: 'a,b' }
 */
export type Env = Readonly<Record<string, string | undefined>>

/**
 * Everything a command may use of its process.
 *
 * @example
 * import type { CliIo } from '@banksocket-webhooks/cli'
 * const io: CliIo = {
 *   stdout: { write: (t) => void process.stdout.write(t), isTTY: false },
 *   stderr: { write: (t) => void process.stderr.write(t), isTTY: false },
 *   env: {},
 *   onSignal: () => () => {},
 *   exit: (code) => process.exit(code),
 * }
 */
export type CliIo = Readonly<{
  stdout: Output
  stderr: Output
  env: Env
  /** Calls `handler` on SIGINT and SIGTERM until the returned function is called. */
  onSignal: (handler: (signal: Signal) => void) => () => void
  /** Ends the process at once (a second Ctrl-C while shutting down). */
  exit: (code: number) => void
}>

/**
 * The real process: `process.stdout`, `process.stderr`, `process.env` and its signals.
 *
 * @example
 * import { nodeIo, runCli } from '@banksocket-webhooks/cli'
 * process.exitCode = await runCli(process.argv.slice(2), nodeIo())
 */
export const nodeIo = (): CliIo => ({
  stdout: { write: (text) => void process.stdout.write(text), isTTY: process.stdout.isTTY === true },
  stderr: { write: (text) => void process.stderr.write(text), isTTY: process.stderr.isTTY === true },
  env: process.env,
  onSignal: (handler) => {
    const onInt = (): void => handler('SIGINT')
    const onTerm = (): void => handler('SIGTERM')
    process.on('SIGINT', onInt)
    process.on('SIGTERM', onTerm)
    return () => {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
    }
  },
  exit: (code) => process.exit(code),
})

/**
 * The shortest secret that is redacted. Redaction is a safety net (commands never quote a secret);
 * shorter strings are too likely to occur in real data (a description, an amount) for replacing
 * them to be harmless.
 *
 * @example
 * import { MIN_REDACTED_LENGTH } from '@banksocket-webhooks/cli'
 * MIN_REDACTED_LENGTH // 8
 */
export const MIN_REDACTED_LENGTH = 8

/**
 * A function replacing every occurrence of the given secrets (and their URL-encoded and
 * JSON-escaped forms) by `[redacted]`. Secrets shorter than {@link MIN_REDACTED_LENGTH} characters
 * are left alone (too likely to occur in real data).
 *
 * @example
 * import { createRedactor } from '@banksocket-webhooks/cli'
 * createRedactor(['s3cr3t-key'])('the secret is s3cr3t-key') // 'the secret is [redacted]'
 * createRedactor(['abc'])('abc stays') // 'abc stays': shorter than 8 characters
 */
export const createRedactor = (secrets: ReadonlyArray<string>): ((text: string) => string) => {
  const forms = new Set<string>()
  for (const secret of secrets) {
    if (secret.length < MIN_REDACTED_LENGTH) continue
    forms.add(secret)
    forms.add(encodeURIComponent(secret))
    forms.add(JSON.stringify(secret).slice(1, -1))
  }
  const sorted = [...forms].filter((f) => f.length >= MIN_REDACTED_LENGTH).sort((a, b) => b.length - a.length)
  if (sorted.length === 0) return (text) => text
  return (text) => {
    let out = text
    for (const form of sorted) out = out.split(form).join('[redacted]')
    return out
  }
}

/**
 * The same io with every write redacted.
 *
 * @example
 * import { nodeIo, redacted } from '@banksocket-webhooks/cli'
 * const io = redacted(nodeIo(), ['s3cr3t'])
 */
export const redacted = (io: CliIo, secrets: ReadonlyArray<string>): CliIo => {
  const redact = createRedactor(secrets)
  const wrap = (output: Output): Output => ({ write: (text) => output.write(redact(text)), isTTY: output.isTTY })
  return { ...io, stdout: wrap(io.stdout), stderr: wrap(io.stderr) }
}

/**
 * Writes one value as a JSON line (bigints as decimal strings).
 *
 * @example
 * import { writeJsonLine } from '@banksocket-webhooks/cli'
 * writeJsonLine(io.stdout, { type: 'listening', url: 'http://127.0.0.1:3000/' })
 */
export const writeJsonLine = (output: Output, value: unknown): void =>
  output.write(`${JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`)
