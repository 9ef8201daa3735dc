/**
 * `banksocket simulate`: a mock Banksocket on loopback (management API plus signed deliveries to
 * the registered endpoints, honouring their event and account filters), optionally generating
 * movements on a timer.
 *
 * @module
 */
import { randomBytes } from 'node:crypto'
import { createMovementGenerator, ENCODINGS, type Encoding } from '@banksocket-webhooks/testing'
import { type Delivery, type MockBanksocket, startMockBanksocket } from '@banksocket-webhooks/testing/node'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type Arguments, stringFlag, stringsFlag } from '../argv.ts'
import { defineCommand } from '../command.ts'
import { ExitCode } from '../exit.ts'
import { type Env, writeJsonLine } from '../io.ts'
import { awaitShutdown } from '../signals.ts'
import type { UsageError } from '../usage.ts'
import { choiceFlag, integerFlag, optionalFlag, requiredFlag } from '../values.ts'

/**
 * Where a credential came from: given (flag or environment, never printed) or generated (printed,
 * since nobody else knows it).
 *
 * @example
 * const c: Credential = { value: 'c0ffee', origin: 'generated' }
 */
type Credential = Readonly<{ value: string; origin: 'flag' | 'env' | 'generated' }>

/**
 * What `banksocket simulate` does, once its flags are checked.
 *
 * @example
 * const config: SimulateConfig = { port: 0, host: '127.0.0.1', token: { value: 't0k3n', origin: 'flag' },
 *   secret: { value: 's3cr3t', origin: 'flag' }, encoding: 'form', movements: 10, interval: 500, seed: '1' }
 */
type SimulateConfig = Readonly<{
  port: number
  host: string
  token: Credential
  secret: Credential
  encoding: Encoding
  /** Movements to generate after the first webhook is registered. */
  movements: number
  /** Milliseconds between two movements. */
  interval: number
  seed: string
}>

const credential = (args: Arguments, flag: string, env: string, environment: Env): E.Either<UsageError, Credential> => {
  if (stringsFlag(args, flag).length > 0) return E.map((value: string) => ({ value, origin: 'flag' as const }))(requiredFlag(args, flag))
  const fromEnv = environment[env]
  if (fromEnv !== undefined) {
    const first = fromEnv.split(',')[0]?.trim() ?? ''
    return first === '' ? E.left({ _tag: 'InvalidValue', flag, reason: `${env} is empty` }) : E.right({ value: first, origin: 'env' })
  }
  return E.right({ value: randomBytes(12).toString('hex'), origin: 'generated' })
}

/**
 * Checks the flags of `banksocket simulate`; a missing token or secret is generated.
 *
 * @example
 * configureSimulate(args, {}) // Right({ port: 0, host: '127.0.0.1', token: { origin: 'generated', ... }, ... })
 */
const configureSimulate = (args: Arguments, env: Env): E.Either<UsageError, SimulateConfig> =>
  pipe(
    E.Do,
    E.apS('port', integerFlag(args, 'port', { min: 0, max: 65535, default: 0 })),
    E.apS('token', credential(args, 'token', 'BANKSOCKET_TOKEN', env)),
    E.apS('secret', credential(args, 'secret', 'BANKSOCKET_SECRET', env)),
    E.apS('encoding', choiceFlag(args, 'encoding', ENCODINGS, 'form')),
    E.apS('movements', integerFlag(args, 'movements', { min: 0, max: 1_000_000, default: 0 })),
    E.apS('interval', integerFlag(args, 'interval', { min: 1, max: 3_600_000, default: 1000 })),
    E.apS('host', optionalFlag(args, 'host', 'expected a host name or address')),
    E.map(({ port, host, token, secret, encoding, movements, interval }) => ({
      port: port ?? 0,
      host: host ?? '127.0.0.1',
      token,
      secret,
      encoding,
      movements: movements ?? 0,
      interval: interval ?? 1000,
      seed: stringFlag(args, 'seed') ?? '1',
    })),
  )

const shown = (c: Credential, flag: string, env: string): string =>
  c.origin === 'generated' ? c.value : c.origin === 'flag' ? `(given with --${flag})` : `(from ${env})`

/**
 * How a credential appears in a suggested command: a generated one as itself (nobody else knows
 * it), one from the environment as the variable, one given with a flag as the flag's placeholder
 * (never its value, and never a variable that may be unset).
 */
const asArgument = (c: Credential, env: string, placeholder: string): string =>
  c.origin === 'generated' ? c.value : c.origin === 'env' ? `"$${env}"` : placeholder

/** What a placeholder in a suggested command stands for, when it stands for a flag's value. */
const placeholderNote = (c: Credential, placeholder: string, flag: string): ReadonlyArray<string> =>
  c.origin === 'flag' ? [`  (${placeholder}: the ${flag} you gave simulate with --${flag}, not printed)`] : []

/** Why a server could not listen, in words (`listen` says the same). */
const listenFailure = (code: string, message: string): string =>
  code === 'EADDRINUSE'
    ? 'the port is in use'
    : code === 'EACCES'
      ? 'permission denied'
      : code === 'EADDRNOTAVAIL'
        ? 'the address is not available on this machine'
        : message

const deliveryLine = (delivery: Delivery): Record<string, unknown> => {
  const last = delivery.attempts[delivery.attempts.length - 1]
  return {
    type: 'delivery',
    notificationId: delivery.notificationId,
    webhookId: delivery.webhookId,
    endpoint: delivery.endpoint,
    status: delivery.status,
    attempts: delivery.attempts.length,
    answer: last === undefined ? null : last.outcome._tag === 'answered' ? last.outcome.status : last.outcome._tag,
    dc: delivery.fields['dc'],
    amount: delivery.fields['amount'],
    balance: delivery.fields['balance'],
    currency: delivery.fields['currency'],
    account_id: delivery.fields['account_id'],
  }
}

/**
 * `banksocket simulate`: runs a mock Banksocket until SIGINT or SIGTERM. Prints where its API is,
 * its token and how to register a webhook on stderr, and one JSON line per settled delivery on
 * stdout.
 *
 * @example
 * // banksocket simulate --port 4000 --token t0k3n --secret s3cr3t --movements 20 --interval 500
 * import { simulateCommand } from './commands/simulate.ts'
 * simulateCommand.spec.path // ['simulate']
 */
export const simulateCommand = defineCommand({
  spec: {
    path: ['simulate'],
    summary: 'run a mock Banksocket: management API and signed deliveries to registered webhooks',
    details: [
      'The mock serves POST /v1/webhooks and DELETE /v1/webhooks/ID (header Authentication: TOKEN) and\n' +
        'delivers signed notifications to every webhook whose event and account filters match. With\n' +
        '--movements N it generates N realistic movements (seeded, so reproducible), one every --interval\n' +
        'ms, starting once a webhook is registered. A token or secret not given is generated and printed.',
      'stderr: the API URL, the token and how to register a webhook. stdout: one JSON line per settled\n' +
        'delivery. Runs until SIGINT or SIGTERM, then exits 0.',
    ],
    flags: {
      port: { type: 'string', value: 'PORT', description: 'port of the mock (0 picks a free one)', default: '0' },
      host: { type: 'string', value: 'HOST', description: 'interface to listen on', default: '127.0.0.1' },
      token: {
        type: 'string',
        value: 'TOKEN',
        description: 'API token clients must send',
        secret: true,
        env: 'BANKSOCKET_TOKEN',
        default: 'generated',
      },
      secret: {
        type: 'string',
        value: 'SECRET',
        description: 'secret the deliveries are signed with',
        secret: true,
        env: 'BANKSOCKET_SECRET',
        default: 'generated',
      },
      encoding: { type: 'string', value: 'form|json|multipart', description: 'body encoding of deliveries', default: 'form' },
      movements: { type: 'string', value: 'N', description: 'movements to generate once a webhook is registered', default: '0' },
      interval: { type: 'string', value: 'MS', description: 'milliseconds between two movements', default: '1000' },
      seed: { type: 'string', value: 'SEED', description: 'seed of the movement generator', default: '1' },
    },
    positionals: [],
    examples: [
      'banksocket simulate --port 4000 --token t0k3n --secret s3cr3t',
      'banksocket simulate --port 4000 --token t0k3n --secret s3cr3t --movements 20 --interval 500',
    ],
  },
  configure: configureSimulate,
  execute: async (config, { io, errorStyle }) => {
    const shutdown = awaitShutdown(io, 'banksocket simulate')
    const started = await startMockBanksocket({
      token: config.token.value,
      secret: config.secret.value,
      port: config.port,
      host: config.host,
      encoding: config.encoding,
      onDelivery: (delivery) => writeJsonLine(io.stdout, deliveryLine(delivery)),
    })()
    if (E.isLeft(started)) {
      shutdown.dispose()
      io.stderr.write(
        `banksocket simulate: could not listen on ${config.host}:${config.port}: ${listenFailure(started.left.code, started.left.message)}\n`,
      )
      return ExitCode.failure
    }
    const mock: MockBanksocket = started.right
    const label = errorStyle.bold
    io.stderr.write(
      [
        `banksocket simulate: mock Banksocket listening on ${mock.url}/ (management API ${mock.apiUrl})`,
        `  ${label('token:')}  ${shown(config.token, 'token', 'BANKSOCKET_TOKEN')}`,
        `  ${label('secret:')} ${shown(config.secret, 'secret', 'BANKSOCKET_SECRET')} (deliveries are signed with it)`,
        'Register a webhook:',
        `  banksocket webhooks create --api-url ${mock.apiUrl} --token ${asArgument(config.token, 'BANKSOCKET_TOKEN', 'TOKEN')} --endpoint http://127.0.0.1:3000/`,
        ...placeholderNote(config.token, 'TOKEN', 'token'),
        'Receive its deliveries:',
        `  banksocket listen --port 3000 --secret ${asArgument(config.secret, 'BANKSOCKET_SECRET', 'SECRET')}`,
        ...placeholderNote(config.secret, 'SECRET', 'secret'),
        config.movements > 0
          ? `${config.movements} movements will follow, one every ${config.interval} ms, once a webhook is registered.`
          : 'No movements are generated (use --movements N).',
        'Stop with Ctrl-C.',
        '',
      ].join('\n'),
    )
    const generator = createMovementGenerator({
      seed: config.seed,
      accounts: [
        { account_id: '69', openingBalance: '18000.00', bank: 'Türkiye İş Bankası A.Ş.', title: 'Kadıköy İşbank TL Hesabı' },
        { account_id: '70', openingBalance: '5000.00', bank: 'Türkiye Garanti Bankası A.Ş.', title: 'Beşiktaş Garanti TL Hesabı' },
      ],
    })
    let remaining = config.movements
    let emitting: Promise<unknown> = Promise.resolve()
    const timer =
      remaining > 0
        ? setInterval(() => {
            if (remaining <= 0) return clearInterval(timer)
            if (mock.webhooks().length === 0) return
            remaining--
            const movement = generator.next()
            const last = remaining === 0
            emitting = emitting
              .then(() => mock.emit(movement))
              .then(() => {
                if (last)
                  io.stderr.write(`banksocket simulate: all ${config.movements} movements generated; ${mock.deliveries.length} deliveries settled\n`)
              })
              .catch(() => undefined)
          }, config.interval)
        : undefined
    const signal = await shutdown.signal
    if (timer !== undefined) clearInterval(timer)
    io.stderr.write(`banksocket simulate: ${signal}, stopping\n`)
    await mock.close()
    await emitting
    shutdown.dispose()
    return ExitCode.ok
  },
})
