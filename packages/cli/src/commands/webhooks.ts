/**
 * `banksocket webhooks create` and `banksocket webhooks delete`: the management API through the
 * real ky client of `@banksocket-webhooks/api-client`.
 *
 * @module
 */
import { type ApiError, createClient, DEFAULT_BASE_URL, formatApiError } from '@banksocket-webhooks/api-client'
import { AccountId, CreateWebhookInput } from '@banksocket-webhooks/core'
import { problemsOf } from '@banksocket-webhooks/core/runtime-kit'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type Arguments, stringFlag } from '../argv.ts'
import { type Context, defineCommand } from '../command.ts'
import { ExitCode } from '../exit.ts'
import { type Env, writeJsonLine } from '../io.ts'
import type { FlagSpec } from '../spec.ts'
import type { UsageError } from '../usage.ts'
import { integerFlag, requiredFlag, urlFlag } from '../values.ts'

const API_FLAGS: Readonly<Record<string, FlagSpec>> = {
  'api-url': { type: 'string', value: 'URL', description: 'management API base URL', env: 'BANKSOCKET_API_URL', default: DEFAULT_BASE_URL },
  token: {
    type: 'string',
    value: 'TOKEN',
    description: 'API token (sent as the Authentication header)',
    required: true,
    secret: true,
    env: 'BANKSOCKET_TOKEN',
  },
  timeout: { type: 'string', value: 'MS', description: 'milliseconds to wait for each answer', default: '10000' },
}

/**
 * Where and how to reach the management API.
 *
 * @example
 * import type { ApiConfig } from './commands/webhooks.ts'
 * const api: ApiConfig = { baseUrl: 'http://127.0.0.1:4000/v1', token: 't0k3n', timeout: 10000 }
 */
export type ApiConfig = Readonly<{ baseUrl: string; token: string; timeout: number }>

const configureApi = (args: Arguments, env: Env): E.Either<UsageError, ApiConfig> =>
  pipe(
    E.Do,
    E.apS('url', urlFlag(args, 'api-url', { env: 'BANKSOCKET_API_URL', environment: env, fallback: DEFAULT_BASE_URL })),
    E.apS('token', requiredFlag(args, 'token', { env: 'BANKSOCKET_TOKEN', environment: env })),
    E.apS('timeout', integerFlag(args, 'timeout', { min: 1, max: 600_000, default: 10_000 })),
    E.map(({ url, token, timeout }) => ({ baseUrl: url?.href ?? DEFAULT_BASE_URL, token, timeout: timeout ?? 10_000 })),
  )

/** The field of `CreateWebhookInput` each flag sets. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = { title: 'title', endpoint: 'endpoint', event: 'event', account: 'account' }

/**
 * What `banksocket webhooks create` does, once its flags are checked.
 *
 * @example
 * import type { WebhooksCreateConfig } from './commands/webhooks.ts'
 * const config: WebhooksCreateConfig = { api: { baseUrl: 'http://127.0.0.1:4000/v1', token: 't0k3n', timeout: 10000 },
 *   input: { title: 'orders', endpoint: 'http://127.0.0.1:3000/', event: 'NEW_TRANSACTION', account: 'all' } }
 */
export type WebhooksCreateConfig = Readonly<{ api: ApiConfig; input: CreateWebhookInput }>

/**
 * Checks the flags of `banksocket webhooks create`, the webhook itself with core's
 * `CreateWebhookInput` codec (so a bad endpoint or account is a usage error, exit 2).
 *
 * @example
 * import { configureWebhooksCreate } from './commands/webhooks.ts'
 * configureWebhooksCreate(args, { BANKSOCKET_TOKEN: 't0k3n' }) // Right({ api, input })
 */
export const configureWebhooksCreate = (args: Arguments, env: Env): E.Either<UsageError, WebhooksCreateConfig> =>
  pipe(
    requiredFlag(args, 'endpoint'),
    E.chain((endpoint) =>
      pipe(
        CreateWebhookInput.decode({
          title: stringFlag(args, 'title') ?? 'banksocket cli',
          endpoint,
          event: stringFlag(args, 'event') ?? 'NEW_TRANSACTION',
          account: stringFlag(args, 'account') ?? 'all',
        }),
        E.mapLeft((errors): UsageError => {
          const first = problemsOf(errors)[0]
          const field = first?.path.split('.')[0] ?? ''
          const flag = FLAG_OF_FIELD[field] ?? 'endpoint'
          const reason =
            flag === 'event'
              ? 'expected NEW_TRANSACTION, NEW_CREDIT or NEW_DEBIT'
              : flag === 'account'
                ? "expected 'all' or a positive integer account id"
                : (first?.message ?? 'invalid')
          return { _tag: 'InvalidValue', flag, reason }
        }),
      ),
    ),
    E.chain((input) => E.map((api: ApiConfig) => ({ api, input }))(configureApi(args, env))),
  )

/**
 * What `banksocket webhooks delete` does, once its arguments are checked.
 *
 * @example
 * const config: WebhooksDeleteConfig = { api: { baseUrl: 'http://127.0.0.1:4000/v1', token: 't0k3n', timeout: 10000 }, id: 7 }
 */
type WebhooksDeleteConfig = Readonly<{ api: ApiConfig; id: number }>

/**
 * Checks the arguments of `banksocket webhooks delete ID`.
 *
 * @example
 * configureWebhooksDelete(args, { BANKSOCKET_TOKEN: 't0k3n' }) // Right({ api, id: 7 })
 */
const configureWebhooksDelete = (args: Arguments, env: Env): E.Either<UsageError, WebhooksDeleteConfig> => {
  const raw = args.positionals[0]
  if (raw === undefined) return E.left({ _tag: 'MissingArgument', name: 'ID' })
  const id = AccountId.decode(raw)
  if (E.isLeft(id))
    return E.left({ _tag: 'InvalidArgument', name: 'ID', reason: `expected a positive integer webhook id, got '${raw.slice(0, 40)}'` })
  return E.map((api: ApiConfig) => ({ api, id: id.right }))(configureApi(args, env))
}

const clientFor = (api: ApiConfig) => createClient({ token: api.token, baseUrl: api.baseUrl, timeout: api.timeout })

const report = async <A extends object>(
  name: string,
  context: Context,
  result: Promise<E.Either<ApiError, A>>,
): Promise<typeof ExitCode.ok | typeof ExitCode.failure> => {
  const outcome = await result
  if (E.isLeft(outcome)) {
    context.io.stderr.write(`banksocket webhooks ${name}: ${formatApiError(outcome.left).replace(/\s*[\r\n]+\s*/g, ' ')}\n`)
    return ExitCode.failure
  }
  writeJsonLine(context.io.stdout, outcome.right)
  return ExitCode.ok
}

/**
 * `banksocket webhooks create`: registers a webhook and prints it as JSON
 * (`{"id":1233,"endpoint":"…","title":"…"}`).
 *
 * @example
 * // banksocket webhooks create --endpoint https://shop.example/bs --event NEW_CREDIT --token "$BANKSOCKET_TOKEN"
 * import { webhooksCreateCommand } from './commands/webhooks.ts'
 * webhooksCreateCommand.spec.path // ['webhooks', 'create']
 */
export const webhooksCreateCommand = defineCommand({
  spec: {
    path: ['webhooks', 'create'],
    summary: 'register a webhook with the management API (POST /webhooks)',
    details: [
      'Prints the created webhook as one JSON line on stdout. An API error is one line on stderr\n(method, URL, HTTP status and body; never the token) and exit code 1.',
    ],
    flags: {
      title: { type: 'string', value: 'TITLE', description: 'a name for the webhook', default: "'banksocket cli'" },
      endpoint: { type: 'string', value: 'URL', description: 'where Banksocket will POST notifications', required: true },
      event: { type: 'string', value: 'EVENT', description: 'NEW_TRANSACTION, NEW_CREDIT or NEW_DEBIT', default: 'NEW_TRANSACTION' },
      account: { type: 'string', value: 'ACCOUNT', description: "'all' or one account id", default: 'all' },
      ...API_FLAGS,
    },
    positionals: [],
    examples: [
      'banksocket webhooks create --endpoint https://shop.example/banksocket --token "$BANKSOCKET_TOKEN"',
      'banksocket webhooks create --title orders --endpoint http://127.0.0.1:3000/ --event NEW_CREDIT --account 69 --api-url http://127.0.0.1:4000/v1 --token T',
    ],
  },
  configure: configureWebhooksCreate,
  execute: (config, context) => report('create', context, clientFor(config.api).createWebhook(config.input)()),
})

/**
 * `banksocket webhooks delete ID`: deletes a webhook and prints the API's answer as JSON
 * (`{"status":"success"}`).
 *
 * @example
 * // banksocket webhooks delete 1233 --token "$BANKSOCKET_TOKEN"
 * import { webhooksDeleteCommand } from './commands/webhooks.ts'
 * webhooksDeleteCommand.spec.path // ['webhooks', 'delete']
 */
export const webhooksDeleteCommand = defineCommand({
  spec: {
    path: ['webhooks', 'delete'],
    summary: 'delete a webhook (DELETE /webhooks/ID)',
    details: ['Prints the answer as one JSON line on stdout. An API error is one line on stderr and exit code 1.'],
    flags: { ...API_FLAGS },
    positionals: [{ name: 'ID', description: 'the webhook id printed by `webhooks create`' }],
    examples: ['banksocket webhooks delete 1233 --token "$BANKSOCKET_TOKEN"'],
  },
  configure: configureWebhooksDelete,
  execute: (config, context) => report('delete', context, clientFor(config.api).deleteWebhook(config.id)()),
})
