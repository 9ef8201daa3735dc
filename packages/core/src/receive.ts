/**
 * The one receive pipeline every receiver uses: size limit, body parsing, decoding, hash
 * verification and exact money, ending in a {@link VerifiedTransaction} or a {@link Rejection}.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import type * as t from 'io-ts'
import type { Step } from './async.ts'
import { type BodyParser, parseBody } from './body.ts'
import {
  type AuthenticatedFieldsCodec,
  type Dc,
  isWireNotification,
  NOTIFICATION_FIELDS,
  type UnauthenticatedFieldsCodec,
  WireNotification,
} from './codecs.ts'
import type { Fields } from './fields.ts'
import { type InvalidHash, type Sha256, type Verified, verifyNow, webCryptoSha256 } from './hash.ts'
import { type IbanView, ibanView } from './iban.ts'
import { AMOUNT_SYNTAX, AMOUNT_SYNTAX_REASON, BALANCE_SYNTAX, BALANCE_SYNTAX_REASON, type Money, parseAmount, parseBalance } from './money.ts'
import type { PayloadProblem, Rejection } from './rejection.ts'
import { assertSecrets } from './secrets.ts'

/**
 * The fields the hash proves came from Banksocket, as the exact strings received.
 *
 * @example
 * import type { AuthenticatedFields } from '@banksocket-webhooks/core'
 * const v: AuthenticatedFields = { dc: 'Credit', code: 'EFT', amount: '100.00', balance: '18100.00', currency: 'TRY', description: 'SN:1' }
 */
export type AuthenticatedFields = Readonly<t.TypeOf<typeof AuthenticatedFieldsCodec>>

/**
 * Fields Banksocket sends that the hash does NOT cover: anyone replaying a notification can change
 * them. Use them to route and display, not as proof.
 *
 * @example
 * import type { UnauthenticatedFields } from '@banksocket-webhooks/core'
 * const u: UnauthenticatedFields = { account_id: '69', account: '', bank: '', opponent_id: '', opponent_iban: '' }
 */
export type UnauthenticatedFields = Readonly<t.TypeOf<typeof UnauthenticatedFieldsCodec>>

/**
 * A notification whose hash matched one of the active secrets.
 *
 * - `verified`: the authenticated fields, exact strings.
 * - `unverified`: the fields the hash does not cover; `opponentIban` is a validity view of
 *   `unverified.opponent_iban`, never a reason to reject.
 * - `amount`, `balance`: exact money in minor units (bigint), parsed from the verified strings.
 * - `idempotencyKey`: hex SHA-256 over the authenticated fields only (not the secret), so a
 *   re-delivery is recognised even after a secret rotation or with altered unauthenticated fields.
 * - `extra`: any fields beyond the documented ones, kept rather than dropped (one shared, frozen,
 *   empty record when there are none).
 *
 * @example
 * import type { VerifiedTransaction } from '@banksocket-webhooks/core'
 * const credit = (tx: VerifiedTransaction) => tx.verified.dc === 'Credit' ? tx.amount.minor : 0n
 */
export type VerifiedTransaction = Readonly<{
  idempotencyKey: string
  verified: AuthenticatedFields
  unverified: UnauthenticatedFields
  amount: Money
  balance: Money
  opponentIban: IbanView
  hash: string
  secretIndex: number
  extra: Fields
}>

/**
 * Options of {@link receive}.
 *
 * @example
 * import type { ReceiveOptions } from '@banksocket-webhooks/core'
 * const options: ReceiveOptions = { secrets: ['current', 'previous'], limit: 64 * 1024 }
 */
export type ReceiveOptions = Readonly<{
  /**
   * Active secrets; a notification signed with any of them verifies. At least one; each must have
   * something other than whitespace (an unset environment variable is refused).
   */
  secrets: ReadonlyArray<string>
  /** SHA-256 implementation. @default webCryptoSha256 */
  sha256?: Sha256
  /** Largest accepted body in bytes. @default 65536 */
  limit?: number
}>

/**
 * The default body limit: 64 KiB.
 *
 * @example
 * import { DEFAULT_BODY_LIMIT } from '@banksocket-webhooks/core/runtime-kit'
 * DEFAULT_BODY_LIMIT // 65536
 */
export const DEFAULT_BODY_LIMIT = 64 * 1024

const PROPERTY_PARENTS: ReadonlySet<string> = new Set(['InterfaceType', 'PartialType', 'StrictType', 'ExactType'])

/**
 * Turns io-ts errors into field paths and messages, one per field.
 *
 * @example
 * import { WireNotification } from '@banksocket-webhooks/core'
 * import { problemsOf } from '@banksocket-webhooks/core/runtime-kit'
 * import * as E from 'fp-ts/lib/Either.js'
 * const r = WireNotification.decode({})
 * if (E.isLeft(r)) problemsOf(r.left) // [{ path: 'dc', message: 'is required' }, ...]
 */
export const problemsOf = (errors: t.Errors): ReadonlyArray<PayloadProblem> => {
  const byPath = new Map<string, string>()
  for (const error of errors) {
    const keys: string[] = []
    for (let i = 1; i < error.context.length; i++) {
      const parent = error.context[i - 1]?.type as { _tag?: string } | undefined
      if (parent?._tag !== undefined && PROPERTY_PARENTS.has(parent._tag)) keys.push(error.context[i]?.key ?? '')
    }
    const path = keys.join('.')
    if (byPath.has(path)) continue
    const last = error.context[error.context.length - 1]
    const message = error.value === undefined && path !== '' ? 'is required' : (error.message ?? `expected ${last?.type.name ?? 'a different value'}`)
    byPath.set(path, message)
  }
  return [...byPath].map(([path, message]) => ({ path, message }))
}

const KNOWN: ReadonlySet<string> = new Set<string>(NOTIFICATION_FIELDS)

/** Encodes a body given as text; keeps no state between calls. */
const encoder = new TextEncoder()

/** Length-prefixed, so that moving text between adjacent fields changes the key. */
const keyInput = (f: AuthenticatedFields): string =>
  `${f.dc.length}:${f.dc}|${f.code.length}:${f.code}|${f.amount.length}:${f.amount}|${f.balance.length}:${f.balance}|` +
  `${f.currency.length}:${f.currency}|${f.description.length}:${f.description}`

/**
 * A notification that decoded and whose money parsed, not yet verified. Everything here is known
 * without hashing, so a receiver can take the delivery's place in its ledger's queue at once.
 *
 * @internal
 */
export type DecodedNotification = Readonly<{
  fields: Fields
  verified: AuthenticatedFields
  unverified: UnauthenticatedFields
  amount: Money
  balance: Money
  hash: string
}>

/**
 * The codec's problems plus those of an amount or balance that is not even dot-decimal: the codec
 * leaves money to `parseAmount`/`parseBalance`, which run only once the codec passed, so a body
 * with several problems still hears of every one at once.
 */
const withMoneySyntax = (problems: ReadonlyArray<PayloadProblem>, fields: Fields): ReadonlyArray<PayloadProblem> => {
  const named = new Set(problems.map((p) => p.path))
  const { amount, balance } = fields
  const extra: PayloadProblem[] = []
  if (typeof amount === 'string' && !named.has('amount') && !AMOUNT_SYNTAX.test(amount)) extra.push({ path: 'amount', message: AMOUNT_SYNTAX_REASON })
  if (typeof balance === 'string' && !named.has('balance') && !BALANCE_SYNTAX.test(balance))
    extra.push({ path: 'balance', message: BALANCE_SYNTAX_REASON })
  return extra.length === 0 ? problems : [...problems, ...extra]
}

/**
 * Decodes fields into a {@link DecodedNotification} (synchronously). The codec checks the shape;
 * the money is parsed here, once, and a bad amount or balance is an `invalid_payload` naming it.
 *
 * @internal
 */
export const decodeNotification = (fields: Fields): E.Either<Rejection, DecodedNotification> => {
  if (typeof fields !== 'object' || fields === null) {
    return E.left({ _tag: 'invalid_payload', details: [{ path: '', message: 'expected an object of notification fields' }] })
  }
  // `is` (written out: `isWireNotification`) runs the codec's own checks without building decode
  // contexts; for a valid notification `decode` would return the record itself, so only an invalid
  // one needs `decode` (for its errors).
  let w: t.TypeOf<typeof WireNotification>
  if (isWireNotification(fields)) w = fields
  else {
    const decoded = WireNotification.decode(fields)
    if (E.isLeft(decoded)) return E.left({ _tag: 'invalid_payload', details: withMoneySyntax(problemsOf(decoded.left), fields) })
    w = decoded.right
  }
  const amount = parseAmount(w.amount, w.currency)
  const balance = parseBalance(w.balance, w.currency)
  if (E.isLeft(amount) || E.isLeft(balance)) {
    const problems: PayloadProblem[] = []
    if (E.isLeft(amount)) problems.push({ path: 'amount', message: amount.left.reason })
    if (E.isLeft(balance)) problems.push({ path: 'balance', message: balance.left.reason })
    return E.left({ _tag: 'invalid_payload', details: problems })
  }
  return E.right({
    fields,
    verified: {
      dc: w.dc as Dc,
      code: w.code,
      amount: w.amount,
      balance: w.balance,
      currency: w.currency,
      description: w.description,
    },
    unverified: {
      account_id: w.account_id,
      account: w.account ?? '',
      bank: w.bank ?? '',
      opponent_id: w.opponent_id ?? '',
      opponent_iban: w.opponent_iban ?? '',
    },
    amount: amount.right,
    balance: balance.right,
    hash: w.hash,
  })
}

type Verification = E.Either<Rejection, VerifiedTransaction>

/** The `extra` of a notification that has none: one shared, frozen, empty record. */
const NO_EXTRA: Fields = Object.freeze(Object.create(null) as Record<string, unknown>)

/** The fields beyond the documented ones, kept as received (a record is made only when there are some). */
const extraFields = (fields: Fields): Fields => {
  let extra: Record<string, unknown> | undefined
  for (const name of Object.keys(fields)) {
    if (KNOWN.has(name)) continue
    extra ??= Object.create(null) as Record<string, unknown>
    extra[name] = fields[name]
  }
  return extra ?? NO_EXTRA
}

const verifiedTransaction = (n: DecodedNotification, secretIndex: number, key: string): VerifiedTransaction => ({
  idempotencyKey: key,
  verified: n.verified,
  unverified: n.unverified,
  amount: n.amount,
  balance: n.balance,
  opponentIban: ibanView(n.unverified.opponent_iban),
  hash: n.hash,
  secretIndex,
  extra: extraFields(n.fields),
})

const afterVerification = (n: DecodedNotification, verified: E.Either<InvalidHash, Verified>, sha256: Sha256): Step<Verification> => {
  if (E.isLeft(verified)) return verified
  const secretIndex = verified.right.secretIndex
  const key = sha256(keyInput(n.verified))
  return typeof key === 'string'
    ? E.right(verifiedTransaction(n, secretIndex, key))
    : key.then((k) => E.right(verifiedTransaction(n, secretIndex, k)))
}

/**
 * Verifies a decoded notification's hash and derives its idempotency key: the result itself when
 * the hasher answers synchronously (node:crypto), a Promise of it otherwise (Web Crypto). A hasher
 * that throws or rejects, throws or rejects here.
 *
 * @internal
 */
export const verifyDecoded = (n: DecodedNotification, options: ReceiveOptions): Step<Verification> => {
  const sha256 = options.sha256 ?? webCryptoSha256
  const verified = verifyNow(n.verified, n.hash, options.secrets, sha256)
  return verified instanceof Promise ? verified.then((v) => afterVerification(n, v, sha256)) : afterVerification(n, verified, sha256)
}

/**
 * Verifies a decoded notification's hash and derives its idempotency key, as a TaskEither.
 *
 * @internal
 */
const verifyNotification =
  (n: DecodedNotification, options: ReceiveOptions): TE.TaskEither<Rejection, VerifiedTransaction> =>
  async () =>
    verifyDecoded(n, options)

/**
 * Decodes already-parsed fields (for example from a framework's body parser) and verifies them.
 * Same result as {@link receive} minus the body parsing; throws `InvalidSecretError` for a bad
 * secret, as {@link receive} does.
 *
 * @example
 * import { receiveFields } from '@banksocket-webhooks/core/runtime-kit'
 * const result = await receiveFields(request.body, { secrets: [process.env.BANKSOCKET_SECRET!] })()
 */
export const receiveFields = (fields: Fields, options: ReceiveOptions): TE.TaskEither<Rejection, VerifiedTransaction> => {
  assertSecrets(options.secrets)
  return pipe(
    TE.fromEither(decodeNotification(fields)),
    TE.chain((n) => verifyNotification(n, options)),
  )
}

/**
 * Checks the size, parses the body (with `parse`: an inbox's own parser) and decodes it
 * (synchronously), the part of {@link receive} that needs no hashing.
 *
 * @internal
 */
export const parseNotification = (
  input: Readonly<{ body: Uint8Array | string; contentType: string | null | undefined }>,
  limit: number,
  parse: BodyParser,
): E.Either<Rejection, DecodedNotification> => {
  const body = typeof input.body === 'string' ? encoder.encode(input.body) : input.body
  if (body.byteLength > limit) return E.left({ _tag: 'too_large', limit })
  const fields = parse(body, input.contentType)
  return E.isLeft(fields) ? fields : decodeNotification(fields.right)
}

/**
 * Receives one notification: refuses bodies over the limit (`too_large`), parses the body by its
 * content type, decodes the fields, verifies the hash against the active secrets and parses the
 * money exactly. Every failure of the notification is a {@link Rejection}; only a bad
 * configuration throws: an `InvalidSecretError` when a secret is missing, empty or only whitespace.
 *
 * @example
 * import { receive } from '@banksocket-webhooks/core'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import * as TE from 'fp-ts/lib/TaskEither.js'
 *
 * const program = pipe(
 *   receive({ body, contentType: 'application/x-www-form-urlencoded' }, { secrets: ['s3cr3t'] }),
 *   TE.map((tx) => `${tx.verified.dc} ${tx.verified.amount} ${tx.verified.currency}`),
 * )
 * const result = await program() // Right('Credit 100.00 TRY') or Left({ _tag: 'invalid_hash' })
 */
export const receive = (
  input: Readonly<{ body: Uint8Array | string; contentType: string | null | undefined }>,
  options: ReceiveOptions,
): TE.TaskEither<Rejection, VerifiedTransaction> => {
  assertSecrets(options.secrets)
  return pipe(
    TE.fromEither(parseNotification(input, options.limit ?? DEFAULT_BODY_LIMIT, parseBody)),
    TE.chain((n) => verifyNotification(n, options)),
  )
}
