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
export { type Arguments, booleanFlag, parseArguments, secretValuesIn, stringFlag, stringsFlag } from './argv.ts'
export { COMMANDS, runCli } from './cli.ts'
export { type Command, type Context, defineCommand } from './command.ts'
export {
  configureDemo,
  DEMO_ACCOUNTS,
  DEMO_ORDERS,
  DEMO_PAYMENTS,
  type DemoConfig,
  type DemoStep,
  demoCommand,
  planDemo,
  summaryLines,
} from './commands/demo.ts'
export { configureListen, type ListenConfig, listenCommand } from './commands/listen.ts'
export { configureMigrate, displayUrl, isPostgresUrl, type MigrateConfig, migrateCommand, withoutPassword } from './commands/migrate.ts'
export { configureSend, type SendConfig, sendCommand } from './commands/send.ts'
export { type Credential, configureSimulate, type SimulateConfig, simulateCommand } from './commands/simulate.ts'
export {
  type ApiConfig,
  configureWebhooksCreate,
  configureWebhooksDelete,
  type WebhooksCreateConfig,
  type WebhooksDeleteConfig,
  webhooksCreateCommand,
  webhooksDeleteCommand,
} from './commands/webhooks.ts'
export { ExitCode } from './exit.ts'
export { commandHelp, groupHelp, rootHelp } from './help.ts'
export {
  type CliIo,
  createRedactor,
  type Env,
  MIN_REDACTED_LENGTH,
  nodeIo,
  type Output,
  redacted,
  type Signal,
  writeJsonLine,
} from './io.ts'
export { duplicateLine, errorLine, type GapLine, rejectionLine, transactionLine } from './lines.ts'
export { awaitShutdown, type ShutdownSignal } from './signals.ts'
export { type CommandSpec, type FlagSpec, HELP_FLAG, type PositionalSpec } from './spec.ts'
export { colorsWanted, createStyle, type Style, stripAnsi } from './style.ts'
export { formatUsageError, suggest, type UsageError } from './usage.ts'
export { choiceFlag, integerFlag, optionalFlag, requiredFlag, secretsFlag, secretValuesInEnv, urlFlag } from './values.ts'
export { cliVersion } from './version.ts'
