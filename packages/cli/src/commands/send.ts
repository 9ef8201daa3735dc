/**
 * `banksocket send`: signs one notification the way Banksocket does and POSTs it, then prints the
 * answer. Missing fields take the values of Banksocket's documented sample.
 *
 * @module
 */
import { request as httpRequest, type IncomingMessage, STATUS_CODES } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { Dc } from '@banksocket-webhooks/core'
import {
  ENCODINGS,
  type Encoding,
  type NotificationInput,
  SAMPLE_NOTIFICATION,
  type SendError,
  sendNotification,
  signNotification,
} from '@banksocket-webhooks/testing'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type Arguments, stringFlag } from '../argv.ts'
import { defineCommand } from '../command.ts'
import { ExitCode } from '../exit.ts'
import type { Env } from '../io.ts'
import type { FlagSpec } from '../spec.ts'
import type { UsageError } from '../usage.ts'
import { choiceFlag, integerFlag, requiredFlag, secretsFlag, urlFlag } from '../values.ts'

/** Notification fields settable from flags: flag name, wire name. */
const FIELD_FLAGS = [
  ['dc', 'dc'],
  ['code', 'code'],
  ['amount', 'amount'],
  ['balance', 'balance'],
  ['currency', 'currency'],
  ['description', 'description'],
  ['account-id', 'account_id'],
  ['account', 'account'],
  ['bank', 'bank'],
  ['opponent-id', 'opponent_id'],
  ['opponent-iban', 'opponent_iban'],
] as const

const fieldFlags: Record<string, FlagSpec> = {}
for (const [flag, field] of FIELD_FLAGS) {
  fieldFlags[flag] = {
    type: 'string',
    value: field === 'dc' ? 'Credit|Debit' : field.toUpperCase(),
    description: `the ${field} field`,
    default: `'${SAMPLE_NOTIFICATION[field]}'`,
  }
}

/**
 * What `banksocket send` does, once its flags are checked.
 *
 * @example
 * const config: SendConfig = { to: new URL('http://127.0.0.1:3000/'), secret: 's3cr3t', fields: { amount: '250.00' }, encoding: 'json', timeout: 10000 }
 */
type SendConfig = Readonly<{
  to: URL
  secret: string
  /** Fields given on the command line; the others take the documented sample's values. */
  fields: NotificationInput
  encoding: Encoding
  timeout: number
}>

/**
 * Checks the flags of `banksocket send`.
 *
 * @example
 * import { parseArguments } from './argv.ts'
 * import { sendCommand } from './commands/send.ts'
 * import * as E from 'fp-ts/lib/Either.js'
 * const args = parseArguments(sendCommand.spec, ['--to', 'http://127.0.0.1:3000/', '--secret', 's3cr3t'])
 * E.chain((a) => configureSend(a, {}))(args) // Right({ to: URL, secret: 's3cr3t', ... })
 */
const configureSend = (args: Arguments, env: Env): E.Either<UsageError, SendConfig> =>
  pipe(
    E.Do,
    E.apS(
      'to',
      pipe(
        requiredFlag(args, 'to'),
        E.chain(() => urlFlag(args, 'to')),
      ),
    ),
    E.apS('secrets', secretsFlag(args, 'secret', 'BANKSOCKET_SECRET', env)),
    E.apS('encoding', choiceFlag(args, 'encoding', ENCODINGS, 'form')),
    E.apS('timeout', integerFlag(args, 'timeout', { min: 1, max: 600_000, default: 10_000 })),
    E.apS('fields', fieldsOf(args)),
    E.map(({ to, secrets, encoding, timeout, fields }) => ({
      to: to as URL,
      secret: secrets[0] ?? '',
      fields,
      encoding,
      timeout: timeout ?? 10_000,
    })),
  )

const fieldsOf = (args: Arguments): E.Either<UsageError, NotificationInput> => {
  const fields: Record<string, string> = {}
  for (const [flag, field] of FIELD_FLAGS) {
    const value = stringFlag(args, flag)
    if (value !== undefined) fields[field] = value
  }
  const dc = fields['dc']
  if (dc !== undefined && !Dc.is(dc))
    return E.left({ _tag: 'InvalidValue', flag: 'dc', reason: `expected Credit or Debit, got '${dc.slice(0, 40)}'` })
  return E.right(fields)
}

/** Statuses whose responses have no body (a `Response` refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304])

/**
 * A `fetch` for the one POST `send` makes, on node:http(s). `fetch` refuses the ports on the
 * WHATWG "bad ports" list (6000, 6665-6669, 10080 and others) before connecting, and a receiver on
 * loopback may well listen on one; node:http connects to any port. It supports what
 * `sendNotification` uses: method, headers, a string or byte body, an abort signal, and no
 * redirect following (node:http never follows one). A connection failure rejects like fetch's, an
 * error whose `cause` has the system code (`ECONNREFUSED`).
 */
const nodeHttpFetch = (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> =>
  new Promise((resolve, reject) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const signal = init.signal ?? undefined
    if (signal?.aborted === true) return reject(signal.reason)
    const body = init.body
    if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      return reject(new TypeError('banksocket send: only string and byte bodies are supported'))
    }
    const headers: Record<string, string> = {}
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value
    })
    if (body !== undefined && body !== null) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength)
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    const req = send(url, { method: init.method ?? 'GET', headers })
    let answer: IncomingMessage | undefined
    const onAbort = (): void => {
      const reason = signal?.reason instanceof Error ? signal.reason : new Error('aborted')
      req.destroy(reason)
      answer?.destroy(reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    const settle = (): void => signal?.removeEventListener('abort', onAbort)
    req.on('error', (cause) => {
      settle()
      reject(signal?.aborted === true ? signal.reason : new Error('connection failed', { cause }))
    })
    req.on('response', (res: IncomingMessage) => {
      answer = res
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', (cause) => {
        settle()
        reject(signal?.aborted === true ? signal.reason : new Error('the answer was cut off', { cause }))
      })
      res.on('end', () => {
        settle()
        const status = res.statusCode ?? 0
        if (status < 200 || status > 599) return reject(new Error(`the answer's status ${status} is not an HTTP status from 200 to 599`))
        const answerHeaders = new Headers()
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
          try {
            answerHeaders.append(res.rawHeaders[i] ?? '', res.rawHeaders[i + 1] ?? '')
          } catch {
            // a header fetch would refuse: leave it out, as the answer's body is what send prints
          }
        }
        const bytes = Buffer.concat(chunks)
        resolve(new Response(NULL_BODY_STATUSES.has(status) ? null : bytes, { status, statusText: res.statusMessage ?? '', headers: answerHeaders }))
      })
    })
    req.end(body ?? undefined)
  })

const sendFailure = (error: SendError, to: URL): string => {
  switch (error._tag) {
    case 'invalid_url':
      return `${to.href} is not an http(s) URL`
    case 'network_error':
      return `could not reach ${to.href}: ${error.message}`
    case 'timeout':
      return `no answer from ${to.href} within ${error.timeout} ms`
    case 'aborted':
      return `the request to ${to.href} was aborted`
  }
}

/**
 * `banksocket send`: signs and POSTs one notification, prints the answer's status line and body on
 * stdout; exit code 0 for a 2xx answer, 1 otherwise.
 *
 * @example
 * // banksocket send --to http://127.0.0.1:3000/ --secret s3cr3t --amount 250.00 --balance 18350.00
 * import { sendCommand } from './commands/send.ts'
 * sendCommand.spec.path // ['send']
 */
export const sendCommand = defineCommand({
  spec: {
    path: ['send'],
    summary: 'sign one notification the way Banksocket does and POST it',
    details: [
      "Fields not given take the values of Banksocket's documented sample (a 100.00 TRY EFT credit to\n" +
        'account 69), so sending twice without changes shows how a receiver answers a duplicate.\n' +
        'Prints the HTTP status line and the body on stdout; exits 0 on a 2xx answer, 1 otherwise.',
    ],
    flags: {
      to: { type: 'string', value: 'URL', description: 'where to POST the notification', required: true },
      secret: { type: 'string', value: 'SECRET', description: 'the signing secret', required: true, secret: true, env: 'BANKSOCKET_SECRET' },
      ...fieldFlags,
      encoding: { type: 'string', value: 'form|json|multipart', description: 'body encoding', default: 'form' },
      timeout: { type: 'string', value: 'MS', description: 'milliseconds to wait for the answer', default: '10000' },
    },
    positionals: [],
    examples: [
      'banksocket send --to http://127.0.0.1:3000/ --secret s3cr3t',
      'banksocket send --to http://127.0.0.1:3000/ --secret s3cr3t --dc Debit --amount 40.00 --balance 18060.00 --encoding json',
    ],
  },
  configure: configureSend,
  execute: async (config, { io, style, errorStyle }) => {
    const signed = await signNotification(config.fields, config.secret)()
    io.stderr.write(
      `${errorStyle.dim(`sending ${signed.dc} ${signed.amount} ${signed.currency} (account ${signed.account_id}) to ${config.to.href} as ${config.encoding}`)}\n`,
    )
    const result = await sendNotification(config.to.href, signed, { encoding: config.encoding, timeout: config.timeout, fetch: nodeHttpFetch })()
    if (E.isLeft(result)) {
      io.stderr.write(`banksocket send: ${sendFailure(result.left, config.to)}\n`)
      return ExitCode.failure
    }
    const { status, ok, body } = result.right
    const line = `HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd()
    io.stdout.write(`${ok ? style.green(line) : style.red(line)}\n${body}${body.endsWith('\n') || body === '' ? '' : '\n'}`)
    return ok ? ExitCode.ok : ExitCode.failure
  },
})
