/**
 * `@banksocket-webhooks/cli`: the `banksocket` command (listen, send, simulate, webhooks
 * create/delete, demo) and the pieces it is made of, for embedding or testing.
 *
 * @example
 * import { nodeIo, runCli } from '@banksocket-webhooks/cli'
 * process.exitCode = await runCli(['demo'], nodeIo())
 *
 * @packageDocumentation
 */
export { booleanFlag, parseArguments, secretValuesIn, stringFlag, stringsFlag, type Arguments } from './argv.ts'
export { COMMANDS, runCli } from './cli.ts'
export { defineCommand, type Command, type Context } from './command.ts'
export {
  configureDemo,
  DEMO_ACCOUNTS,
  DEMO_ORDERS,
  DEMO_PAYMENTS,
  demoCommand,
  planDemo,
  summaryLines,
  type DemoConfig,
  type DemoStep,
} from './commands/demo.ts'
export { configureListen, listenCommand, type ListenConfig } from './commands/listen.ts'
export { configureMigrate, displayUrl, isPostgresUrl, migrateCommand, withoutPassword, type MigrateConfig } from './commands/migrate.ts'
export { configureSend, sendCommand, type SendConfig } from './commands/send.ts'
export { configureSimulate, simulateCommand, type Credential, type SimulateConfig } from './commands/simulate.ts'
export {
  configureWebhooksCreate,
  configureWebhooksDelete,
  webhooksCreateCommand,
  webhooksDeleteCommand,
  type ApiConfig,
  type WebhooksCreateConfig,
  type WebhooksDeleteConfig,
} from './commands/webhooks.ts'
export { ExitCode } from './exit.ts'
export { commandHelp, groupHelp, rootHelp } from './help.ts'
export {
  createRedactor,
  MIN_REDACTED_LENGTH,
  nodeIo,
  redacted,
  writeJsonLine,
  type CliIo,
  type Env,
  type Output,
  type Signal,
} from './io.ts'
export { duplicateLine, errorLine, rejectionLine, transactionLine, type GapLine } from './lines.ts'
export { awaitShutdown, type ShutdownSignal } from './signals.ts'
export { HELP_FLAG, type CommandSpec, type FlagSpec, type PositionalSpec } from './spec.ts'
export { colorsWanted, createStyle, stripAnsi, type Style } from './style.ts'
export { tapAppends } from './tap.ts'
export { formatUsageError, suggest, type UsageError } from './usage.ts'
export { choiceFlag, integerFlag, optionalFlag, requiredFlag, secretsFlag, secretValuesInEnv, urlFlag } from './values.ts'
export { cliVersion } from './version.ts'
