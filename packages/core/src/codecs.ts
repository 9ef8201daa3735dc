/**
 * io-ts codecs for Banksocket's wire formats: the transaction notification and the management API.
 * A codec and its type share one name.
 *
 * @module
 */
import * as t from 'io-ts'

/**
 * Direction of a movement: `Credit` is money in, `Debit` money out.
 *
 * @example
 * import { Dc } from '@banksocket-webhooks/core'
 * Dc.is('Credit') // true
 * Dc.is('Refund') // false
 */
export const Dc = t.keyof({ Credit: null, Debit: null }, 'Dc')
/** @see {@link Dc} */
export type Dc = t.TypeOf<typeof Dc>

/**
 * Which movements a webhook receives: `NEW_TRANSACTION` (all), `NEW_DEBIT` or `NEW_CREDIT`.
 *
 * @example
 * import { WebhookEvent } from '@banksocket-webhooks/core'
 * WebhookEvent.is('NEW_CREDIT') // true
 */
export const WebhookEvent = t.keyof({ NEW_TRANSACTION: null, NEW_DEBIT: null, NEW_CREDIT: null }, 'WebhookEvent')
/** @see {@link WebhookEvent} */
export type WebhookEvent = t.TypeOf<typeof WebhookEvent>

const positiveInteger = (name: string, what: string) =>
  new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u > 0,
    (u, c) => {
      const n = typeof u === 'string' && /^\d{1,15}$/.test(u) ? Number(u) : u
      return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? t.success(n) : t.failure(u, c, `expected a positive integer ${what}`)
    },
    (n) => n,
  )

/**
 * A Banksocket account id: a positive integer. Decodes from a number or a string of digits, so
 * `"69"` (as in notifications) and `69` are the same account.
 *
 * @example
 * import { AccountId } from '@banksocket-webhooks/core'
 * AccountId.decode('69') // Right(69)
 * AccountId.decode(-1)   // Left(...)
 */
export const AccountId = positiveInteger('AccountId', 'account id')
/** @see {@link AccountId} */
export type AccountId = t.TypeOf<typeof AccountId>

/**
 * A webhook id as Banksocket assigns it: a positive integer, from a number or a string of digits.
 *
 * @example
 * import { WebhookId } from '@banksocket-webhooks/core'
 * WebhookId.decode('1233') // Right(1233)
 * WebhookId.decode(0)      // Left(...): 'expected a positive integer webhook id'
 */
export const WebhookId = positiveInteger('WebhookId', 'webhook id')
/** @see {@link WebhookId} */
export type WebhookId = t.TypeOf<typeof WebhookId>

/**
 * The accounts a webhook covers: `'all'` or one account id.
 *
 * @example
 * import { AccountSelector } from '@banksocket-webhooks/core'
 * AccountSelector.decode('all') // Right('all')
 * AccountSelector.decode(69)    // Right(69)
 */
export const AccountSelector = t.union([t.literal('all'), AccountId], 'AccountSelector')
/** @see {@link AccountSelector} */
export type AccountSelector = t.TypeOf<typeof AccountSelector>

/** A non-empty string without leading or trailing whitespace-only content. */
const NonEmptyString = new t.Type<string, string, unknown>(
  'NonEmptyString',
  (u): u is string => typeof u === 'string' && u.trim().length > 0,
  (u, c) => (typeof u === 'string' && u.trim().length > 0 ? t.success(u) : t.failure(u, c, 'expected a non-empty string')),
  (s) => s,
)

/** An absolute `http:` or `https:` URL, kept exactly as given. */
const EndpointUrl = new t.Type<string, string, unknown>(
  'EndpointUrl',
  (u): u is string => typeof u === 'string' && isHttpUrl(u),
  (u, c) => (typeof u === 'string' && isHttpUrl(u) ? t.success(u) : t.failure(u, c, 'expected an absolute http(s) URL')),
  (s) => s,
)

const isHttpUrl = (s: string): boolean => {
  try {
    const url = new URL(s)
    return url.protocol === 'http:' || url.protocol === 'https:'
  } catch {
    return false
  }
}

/**
 * The body of `POST /webhooks`: what a new webhook listens to and where it delivers.
 *
 * @example
 * import { CreateWebhookInput } from '@banksocket-webhooks/core'
 * CreateWebhookInput.decode({ title: 'orders', endpoint: 'https://shop.example/bs', event: 'NEW_CREDIT', account: 'all' })
 */
export const CreateWebhookInput = t.type(
  { title: NonEmptyString, endpoint: EndpointUrl, event: WebhookEvent, account: AccountSelector },
  'CreateWebhookInput',
)
/** @see {@link CreateWebhookInput} */
export type CreateWebhookInput = t.TypeOf<typeof CreateWebhookInput>

/**
 * A registered webhook, as Banksocket answers it. `id` decodes from a number or a string of digits
 * (`1233` and `"1233"` are the same webhook) and is a number once decoded.
 *
 * @example
 * import { Webhook } from '@banksocket-webhooks/core'
 * Webhook.decode({ id: 1233, endpoint: 'http://test', title: 'TR işbank api test' })
 * Webhook.decode({ id: '1233', endpoint: 'http://test', title: 'TR işbank api test' }) // Right({ id: 1233, ... })
 */
export const Webhook = t.type({ id: WebhookId, endpoint: t.string, title: t.string }, 'Webhook')
/** @see {@link Webhook} */
export type Webhook = t.TypeOf<typeof Webhook>

/**
 * The 200 answer of `POST /webhooks`: `{"webhook": {...}}`.
 *
 * @example
 * import { CreateWebhookResponse } from '@banksocket-webhooks/core'
 * CreateWebhookResponse.decode({ webhook: { id: 1, endpoint: 'http://test', title: 't' } })
 */
export const CreateWebhookResponse = t.type({ webhook: Webhook }, 'CreateWebhookResponse')
/** @see {@link CreateWebhookResponse} */
export type CreateWebhookResponse = t.TypeOf<typeof CreateWebhookResponse>

/**
 * The 200 answer of `DELETE /webhooks/:id`: `{"status":"success"}`.
 *
 * @example
 * import { DeleteWebhookResponse } from '@banksocket-webhooks/core'
 * DeleteWebhookResponse.is({ status: 'success' }) // true
 */
export const DeleteWebhookResponse = t.type({ status: t.literal('success') }, 'DeleteWebhookResponse')
/** @see {@link DeleteWebhookResponse} */
export type DeleteWebhookResponse = t.TypeOf<typeof DeleteWebhookResponse>

/**
 * The six fields the hash covers, as stored and handed to applications: exact strings, `dc` one of
 * `Credit`/`Debit`. The one declaration of these fields: {@link AUTHENTICATED_FIELDS} (their hashing
 * order), `AuthenticatedFields` and the stored `TransactionReceived` are derived from it.
 *
 * @example
 * import { AuthenticatedFieldsCodec } from '@banksocket-webhooks/core'
 * AuthenticatedFieldsCodec.is({ dc: 'Credit', code: 'EFT', amount: '100.00', balance: '18100.00', currency: 'TRY', description: 'SN:1' }) // true
 */
export const AuthenticatedFieldsCodec = t.type(
  { dc: Dc, code: t.string, amount: t.string, balance: t.string, currency: t.string, description: t.string },
  'AuthenticatedFields',
)

/**
 * The five fields Banksocket sends that the hash does not cover, as stored (absent ones as `""`).
 * The one declaration of these fields: {@link UNAUTHENTICATED_FIELDS}, `UnauthenticatedFields` and
 * the stored `TransactionReceived` are derived from it.
 *
 * @example
 * import { UnauthenticatedFieldsCodec } from '@banksocket-webhooks/core'
 * UnauthenticatedFieldsCodec.is({ account_id: '69', account: '', bank: '', opponent_id: '', opponent_iban: '' }) // true
 */
export const UnauthenticatedFieldsCodec = t.type(
  { account_id: t.string, account: t.string, bank: t.string, opponent_id: t.string, opponent_iban: t.string },
  'UnauthenticatedFields',
)

/** The keys of a `t.type` codec's props, in declaration order, as a typed tuple-like list. */
const keysOf = <P extends t.Props>(codec: t.TypeC<P>): ReadonlyArray<keyof P & string> => Object.keys(codec.props) as Array<keyof P & string>

/**
 * The six fields the hash covers, in hashing order. Only these are authenticated.
 *
 * @example
 * import { AUTHENTICATED_FIELDS } from '@banksocket-webhooks/core'
 * AUTHENTICATED_FIELDS.join('+') // 'dc+code+amount+balance+currency+description'
 */
export const AUTHENTICATED_FIELDS = keysOf(AuthenticatedFieldsCodec)

/**
 * The fields Banksocket sends that the hash does NOT cover. Anyone who can replay a notification can
 * change them; treat them as hints, never as proof (for example, do not credit an account chosen by
 * `account_id` alone without checking it against the authenticated description or amount).
 *
 * @example
 * import { UNAUTHENTICATED_FIELDS } from '@banksocket-webhooks/core'
 * UNAUTHENTICATED_FIELDS.includes('account_id') // true
 */
export const UNAUTHENTICATED_FIELDS = keysOf(UnauthenticatedFieldsCodec)

/**
 * The name of an authenticated field.
 *
 * @example
 * import type { AuthenticatedField } from '@banksocket-webhooks/core'
 * const f: AuthenticatedField = 'description'
 */
export type AuthenticatedField = (typeof AUTHENTICATED_FIELDS)[number]

/**
 * The name of an unauthenticated field.
 *
 * @example
 * import type { UnauthenticatedField } from '@banksocket-webhooks/core'
 * const f: UnauthenticatedField = 'account_id'
 */
export type UnauthenticatedField = (typeof UNAUTHENTICATED_FIELDS)[number]

/**
 * Every field name Banksocket documents for a notification.
 *
 * @example
 * import { NOTIFICATION_FIELDS } from '@banksocket-webhooks/core/runtime-kit'
 * NOTIFICATION_FIELDS.length // 12
 */
export const NOTIFICATION_FIELDS: ReadonlyArray<AuthenticatedField | UnauthenticatedField | 'hash'> = [
  ...AUTHENTICATED_FIELDS,
  ...UNAUTHENTICATED_FIELDS,
  'hash',
]

const refine = (name: string, test: (s: string) => boolean, message: string): t.Type<string, string, unknown> =>
  new t.Type<string, string, unknown>(
    name,
    (u): u is string => typeof u === 'string' && test(u),
    (u, c) => (typeof u !== 'string' ? t.failure(u, c, 'expected a string') : test(u) ? t.success(u) : t.failure(u, c, message)),
    (s) => s,
  )

/** A string field; a number or anything else where a string belongs is named in the error. */
const Str = refine('string', () => true, '')

/**
 * The wire notification: every documented field, as the exact strings received (never
 * reformatted); `account_id` is digits; `currency` is three capital letters. `amount` and `balance`
 * are strings here: `receive` parses them once, as exact money (`parseAmount`, `parseBalance`), and
 * refuses one that is not dot-decimal as `invalid_payload` naming the field. `account`, `bank`,
 * `opponent_id` and `opponent_iban` may be empty or absent (absent decodes as `""`).
 *
 * @example
 * import { WireNotification } from '@banksocket-webhooks/core'
 * WireNotification.decode({ dc: 'Credit', code: 'EFT', amount: '100.00', balance: '18100.00', currency: 'TRY',
 *   description: 'SN:276689', account_id: '69', hash: 'NmYw...' })
 */
export const WireNotification = t.intersection(
  [
    t.type({
      dc: refine('Dc', (s) => s === 'Credit' || s === 'Debit', 'expected "Credit" or "Debit"'),
      code: refine('TransactionCode', (s) => s.trim() !== '', 'expected a non-empty transaction code such as EFT'),
      amount: Str,
      balance: Str,
      currency: refine('Currency', (s) => /^[A-Z]{3}$/.test(s), 'expected an ISO 4217 code such as TRY'),
      description: Str,
      account_id: refine('AccountId', (s) => /^\d{1,15}$/.test(s), 'expected the account id as digits'),
      hash: refine('Hash', (s) => s !== '', 'expected a non-empty hash'),
    }),
    t.partial({ account: Str, bank: Str, opponent_id: Str, opponent_iban: Str }),
  ],
  'WireNotification',
)
/** Whether `s` is 1 to `max` characters, each of them between `low` and `high` (char codes). */
const allBetween = (s: string, min: number, max: number, low: number, high: number): boolean => {
  if (s.length < min || s.length > max) return false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < low || c > high) return false
  }
  return true
}

/** An optional string field of {@link WireNotification}: absent, or a string. */
const optionalString = (u: unknown): boolean => u === undefined || typeof u === 'string'

/**
 * `WireNotification.is(u)`, written out: the same answer for every value (a record that is not an
 * array, the eight required fields strings that pass their checks, the four optional ones absent or
 * strings), without going through the codec's combinators one closure at a time. The receive path
 * runs it on every notification, where the codec's `is` was the largest part of decoding; a test
 * holds the two to the same answer over generated records.
 *
 * @internal
 * @example
 * isWireNotification({ dc: 'Credit', code: 'EFT', amount: '1.00', balance: '2.00', currency: 'TRY',
 *   description: '', account_id: '69', hash: 'x' }) // true
 * isWireNotification({ dc: 'credit' }) // false
 */
export const isWireNotification = (u: unknown): u is t.TypeOf<typeof WireNotification> => {
  if (u === null || typeof u !== 'object' || Array.isArray(u)) return false
  const r = u as Readonly<Record<string, unknown>>
  const { dc, code, amount, balance, currency, description, account_id, hash } = r
  return (
    (dc === 'Credit' || dc === 'Debit') &&
    typeof code === 'string' &&
    code.trim() !== '' &&
    typeof amount === 'string' &&
    typeof balance === 'string' &&
    typeof currency === 'string' &&
    allBetween(currency, 3, 3, 65, 90) &&
    typeof description === 'string' &&
    typeof account_id === 'string' &&
    allBetween(account_id, 1, 15, 48, 57) &&
    typeof hash === 'string' &&
    hash !== '' &&
    optionalString(r['account']) &&
    optionalString(r['bank']) &&
    optionalString(r['opponent_id']) &&
    optionalString(r['opponent_iban'])
  )
}

/** @see {@link WireNotification} */
export type WireNotification = Readonly<t.TypeOf<typeof AuthenticatedFieldsCodec> & t.TypeOf<typeof UnauthenticatedFieldsCodec> & { hash: string }>
