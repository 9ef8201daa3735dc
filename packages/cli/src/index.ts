/**
 * `@banksocket-webhooks/cli`: the `banksocket` command (listen, forward, inspect, migrate, send,
 * simulate, webhooks create/delete, demo). An application: its entry runs the command line in this process,
 * with the real process (`nodeIo`) or any other {@link CliIo} (captured output, a test's signals).
 *
 * @example
 * import { nodeIo, runCli } from '@banksocket-webhooks/cli'
 * process.exitCode = await runCli(['demo'], nodeIo())
 *
 * @packageDocumentation
 */
export { runCli } from './cli.ts'
export { ExitCode } from './exit.ts'
export { type CliIo, type Env, nodeIo, type Output, type Signal } from './io.ts'
