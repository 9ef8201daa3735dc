/**
 * Standard Webhooks signing (https://www.standardwebhooks.com), symmetric (`v1`, HMAC-SHA256) on
 * WebCrypto only, so it runs on Node, Deno, Workers and Bun: what a forwarder signs its requests
 * with, and a verifier for the applications (and tests) that would rather not add a package.
 *
 * - Headers: `webhook-id` (stable across retries), `webhook-timestamp` (integer seconds of the
 *   attempt), `webhook-signature` (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, several
 *   space-separated during a key rotation).
 * - Secret: `whsec_<base64>`; the key is the base64-decoded part, 24 to 64 bytes (the spec's "at
 *   least 24 bytes, 512 bits maximum"). A secret never appears in an error, a message or a log:
 *   a parsed {@link WebhookSecret} keeps its key out of sight (not a property, not in JSON).
 *
 * @module
 */
import { constantTimeEqual } from '@banksocket-webhooks/core/runtime-kit'
import * as E from 'fp-ts/lib/Either.js'

const PREFIX = 'whsec_'
const MIN_KEY_BYTES = 24
const MAX_KEY_BYTES = 64
const DEFAULT_TOLERANCE_SECONDS = 5 * 60
/** Whole seconds since the epoch stay below this until the year 5138: above it, a timestamp is in milliseconds. */
const MAX_TIMESTAMP_SECONDS = 99_999_999_999

/**
 * A Standard Webhooks secret that cannot be used, and why. `problem` names the rule broken;
 * `message` says it in words. Neither ever contains the secret, or any part of it.
 *
 * @example
 * import type { InvalidWebhookSecret } from '@banksocket-webhooks/consumers'
 * const e: InvalidWebhookSecret = { _tag: 'InvalidWebhookSecret', problem: 'prefix', message: 'the webhook secret does not start with whsec_' }
 */
export type InvalidWebhookSecret = Readonly<{
  _tag: 'InvalidWebhookSecret'
  problem: 'missing' | 'whitespace' | 'prefix' | 'base64' | 'too_short' | 'too_long'
  message: string
}>

/**
 * A parsed Standard Webhooks secret, made by {@link parseWebhookSecret} only. Its key is held
 * apart (in a module-private map), so logging, inspecting or serializing the value shows only
 * `{ _tag: 'WebhookSecret', bytes }`, the key's length.
 *
 * @example
 * import { parseWebhookSecret } from '@banksocket-webhooks/consumers'
 * const parsed = parseWebhookSecret(process.env.FORWARD_SECRET ?? '')
 * if (parsed._tag === 'Right') console.log(parsed.right) // { _tag: 'WebhookSecret', bytes: 32 }
 */
export type WebhookSecret = Readonly<{ _tag: 'WebhookSecret'; bytes: number }>

/** Each parsed secret's key, and its imported CryptoKey once asked for (one import per secret). */
const KEYS = new WeakMap<WebhookSecret, Uint8Array<ArrayBuffer>>()
const CRYPTO_KEYS = new WeakMap<WebhookSecret, Promise<CryptoKey>>()

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

const invalid = (problem: InvalidWebhookSecret['problem'], message: string): E.Either<InvalidWebhookSecret, never> =>
  E.left({ _tag: 'InvalidWebhookSecret', problem, message })

const bytesToBase64 = (bytes: Uint8Array): string => {
  let binary = ''
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i] as number)
  return btoa(binary)
}

/** Canonical padded base64 only (what the reference implementation decodes), or undefined. */
const decodeBase64 = (text: string): Uint8Array<ArrayBuffer> | undefined => {
  if (!BASE64.test(text)) return undefined
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  // Unused low bits must be zero, so that a key has one spelling.
  return bytesToBase64(bytes) === text ? bytes : undefined
}

/**
 * Reads a Standard Webhooks secret, `whsec_` followed by the key in canonical padded base64 (24 to
 * 64 bytes once decoded). Refused, with a message that never quotes the secret: nothing (an unset
 * environment variable), surrounding whitespace, a missing `whsec_` prefix, a key that is not
 * base64, shorter than 24 bytes or longer than 64.
 *
 * @example
 * import { parseWebhookSecret } from '@banksocket-webhooks/consumers'
 * parseWebhookSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw') // Right({ _tag: 'WebhookSecret', bytes: 24 })
 * parseWebhookSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw') // Left({ _tag: 'InvalidWebhookSecret', problem: 'prefix', ... })
 */
export const parseWebhookSecret = (secret: string): E.Either<InvalidWebhookSecret, WebhookSecret> => {
  if (typeof secret !== 'string')
    return invalid(
      'missing',
      `the webhook secret is ${secret === undefined ? 'undefined (an unset environment variable?)' : `a ${secret === null ? 'null' : typeof secret}, not a string`}`,
    )
  if (secret.length === 0) return invalid('missing', 'the webhook secret is empty')
  if (secret.trim() !== secret) return invalid('whitespace', 'the webhook secret starts or ends with whitespace')
  if (!secret.startsWith(PREFIX)) {
    const other = secret.startsWith('whsk_') || secret.startsWith('whpk_') ? ' (whsk_ and whpk_ are asymmetric keys, which are not supported)' : ''
    return invalid('prefix', `the webhook secret does not start with ${PREFIX}${other}`)
  }
  if (secret.length === PREFIX.length) return invalid('missing', `the webhook secret has nothing after ${PREFIX}`)
  const key = decodeBase64(secret.slice(PREFIX.length))
  if (key === undefined)
    return invalid('base64', `the webhook secret's key (after ${PREFIX}) is not canonical base64 (A-Z, a-z, 0-9, + and /, padded with =)`)
  if (key.length < MIN_KEY_BYTES) return invalid('too_short', `the webhook secret's key is ${key.length} bytes; at least ${MIN_KEY_BYTES} are needed`)
  if (key.length > MAX_KEY_BYTES) return invalid('too_long', `the webhook secret's key is ${key.length} bytes; at most ${MAX_KEY_BYTES} are allowed`)
  const parsed: WebhookSecret = Object.freeze({ _tag: 'WebhookSecret', bytes: key.length })
  KEYS.set(parsed, key)
  return E.right(parsed)
}

/** The secret's HMAC key, imported on first use and reused after. */
const cryptoKeyOf = (secret: WebhookSecret): Promise<CryptoKey> => {
  const cached = CRYPTO_KEYS.get(secret)
  if (cached !== undefined) return cached
  const key = KEYS.get(secret)
  if (key === undefined) return Promise.reject(new TypeError('a WebhookSecret must come from parseWebhookSecret'))
  const imported = crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  CRYPTO_KEYS.set(secret, imported)
  imported.catch(() => CRYPTO_KEYS.delete(secret))
  return imported
}

const encoder = new TextEncoder()

/** `v1,` and the base64 HMAC-SHA256 of `${id}.${timestamp}.${body}`. */
const signature = async (secret: WebhookSecret, id: string, timestamp: number, body: string | Uint8Array): Promise<string> => {
  const key = await cryptoKeyOf(secret)
  const prefix = encoder.encode(`${id}.${timestamp}.`)
  const payload = typeof body === 'string' ? encoder.encode(body) : body
  const content = new Uint8Array(prefix.length + payload.length)
  content.set(prefix)
  content.set(payload, prefix.length)
  return `v1,${bytesToBase64(new Uint8Array(await crypto.subtle.sign('HMAC', key, content)))}`
}

/** Visible ASCII without the full stop, which the spec forbids in an id (it delimits the signed content). */
const ID_SYNTAX = /^[\x21-\x2d\x2f-\x7e]+$/

const checkId = (id: string): void => {
  if (typeof id !== 'string' || !ID_SYNTAX.test(id))
    throw new TypeError('a webhook id must be non-empty visible ASCII without spaces or full stops, such as msg_ledger-69-TRY_4')
}

const checkTimestamp = (timestamp: number): void => {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0 || timestamp > MAX_TIMESTAMP_SECONDS)
    throw new TypeError(`a webhook timestamp must be whole seconds since the epoch (Math.floor(Date.now() / 1000)), got ${String(timestamp)}`)
}

/**
 * The headers of a signed request: the three Standard Webhooks headers and the body's content type.
 *
 * @example
 * import type { WebhookHeaders } from '@banksocket-webhooks/consumers'
 * const h: WebhookHeaders = { 'content-type': 'application/json', 'webhook-id': 'msg_ledger-69-TRY_4',
 *   'webhook-timestamp': '1765101600', 'webhook-signature': 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=' }
 */
export type WebhookHeaders = Readonly<{
  'content-type': 'application/json'
  'webhook-id': string
  'webhook-timestamp': string
  'webhook-signature': string
}>

/**
 * Signs requests with one secret; see {@link createWebhookSigner}.
 *
 * @example
 * import type { WebhookSigner } from '@banksocket-webhooks/consumers'
 * const post = async (signer: WebhookSigner, url: string, id: string, body: string) =>
 *   fetch(url, { method: 'POST', body, headers: await signer.headers(id, Math.floor(Date.now() / 1000), body) })
 */
export type WebhookSigner = Readonly<{
  /** The `webhook-signature` value (`v1,<base64>`) of `body` sent as message `id` at `timestamp` (seconds). */
  sign(id: string, timestamp: number, body: string): Promise<string>
  /** The headers to send `body` with: `content-type: application/json`, `webhook-id`, `webhook-timestamp`, `webhook-signature`. */
  headers(id: string, timestamp: number, body: string): Promise<WebhookHeaders>
}>

/**
 * A signer for one secret. Its key is imported into WebCrypto once, on the first signature, and
 * reused. The id must be visible ASCII without spaces or full stops (the spec forbids `.` in it) and
 * the timestamp whole seconds since the epoch; anything else rejects with a `TypeError` (a
 * programming error). The signature covers the body's exact UTF-8 bytes: send the same string.
 *
 * @example
 * import { createWebhookSigner, parseWebhookSecret } from '@banksocket-webhooks/consumers'
 * const secret = parseWebhookSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')
 * if (secret._tag === 'Right') {
 *   const signer = createWebhookSigner(secret.right)
 *   await signer.sign('msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}') // 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='
 * }
 */
export const createWebhookSigner = (secret: WebhookSecret): WebhookSigner => {
  if (!KEYS.has(secret)) throw new TypeError('a WebhookSecret must come from parseWebhookSecret')
  const sign = async (id: string, timestamp: number, body: string): Promise<string> => {
    checkId(id)
    checkTimestamp(timestamp)
    return signature(secret, id, timestamp, body)
  }
  return {
    sign,
    headers: async (id, timestamp, body) => ({
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': await sign(id, timestamp, body),
    }),
  }
}

/**
 * Why a request's Standard Webhooks signature was refused: a header is missing, the timestamp is
 * not whole seconds or is outside the tolerance (`timestamp` and `now` in seconds), or no `v1`
 * signature in the header matches. `message` says it in words, never with a secret or a signature.
 *
 * @example
 * import type { WebhookVerificationFailure } from '@banksocket-webhooks/consumers'
 * const e: WebhookVerificationFailure = { _tag: 'no_matching_signature', message: 'no v1 signature in webhook-signature matches' }
 */
export type WebhookVerificationFailure =
  | Readonly<{ _tag: 'missing_header'; header: 'webhook-id' | 'webhook-timestamp' | 'webhook-signature'; message: string }>
  | Readonly<{ _tag: 'invalid_timestamp'; message: string }>
  | Readonly<{ _tag: 'timestamp_too_old' | 'timestamp_too_new'; timestamp: number; now: number; message: string }>
  | Readonly<{ _tag: 'no_matching_signature'; message: string }>

/**
 * What a verified request said of itself: its message id (use it as the idempotency key) and the
 * timestamp it was signed at, in seconds.
 *
 * @example
 * import type { VerifiedWebhook } from '@banksocket-webhooks/consumers'
 * const seen = new Set<string>()
 * const isNew = (v: VerifiedWebhook) => !seen.has(v.id) && seen.add(v.id) !== undefined
 */
export type VerifiedWebhook = Readonly<{ id: string; timestamp: number }>

/**
 * Options of {@link verifyWebhook}.
 *
 * @example
 * import type { VerifyWebhookOptions } from '@banksocket-webhooks/consumers'
 * const options: VerifyWebhookOptions = { tolerance: 60 }
 */
export type VerifyWebhookOptions = Readonly<{
  /** How far the timestamp may be from now, either way, in seconds. @default 300 */
  tolerance?: number
  /** The clock. @default () => new Date() */
  now?: () => Date
}>

/**
 * The headers of a received request, as {@link verifyWebhook} takes them: a fetch `Headers`, or a
 * record such as Node's `req.headers` (names in any case; a repeated header's values are joined).
 *
 * @example
 * import type { WebhookRequestHeaders } from '@banksocket-webhooks/consumers'
 * const h: WebhookRequestHeaders = { 'Webhook-Id': 'msg_ledger-69-TRY_4', 'webhook-timestamp': '1765101600', 'webhook-signature': 'v1,…' }
 */
export type WebhookRequestHeaders = Headers | Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

const headerOf = (headers: WebhookRequestHeaders, name: string): string | undefined => {
  if (typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function')
    return (headers as Headers).get(name) ?? undefined
  const record = headers as Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  let value = record[name]
  if (value === undefined) {
    for (const key of Object.keys(record)) {
      if (key.toLowerCase() === name) {
        value = record[key]
        break
      }
    }
  }
  return value === undefined ? undefined : typeof value === 'string' ? value : value.join(', ')
}

/**
 * Verifies a Standard Webhooks request: the three headers are there, the timestamp is whole seconds
 * within `tolerance` of now (default 5 minutes, both ways), and one of the space-separated `v1`
 * signatures matches the body's HMAC with one of the secrets (several during a rotation). Each
 * signature is compared in constant time, and every one is compared (no early exit). Pass the
 * body's exact text or bytes, not JSON parsed and written again.
 *
 * @example
 * import { parseWebhookSecret, verifyWebhook } from '@banksocket-webhooks/consumers'
 * const secret = parseWebhookSecret(process.env.FORWARD_SECRET ?? '')
 * if (secret._tag === 'Left') throw new Error(secret.left.message)
 * const handle = async (request: Request) => {
 *   const body = await request.text()
 *   const verified = await verifyWebhook(secret.right, request.headers, body)
 *   if (verified._tag === 'Left') return new Response(verified.left.message, { status: 401 })
 *   return new Response(null, { status: 204 }) // then act once per verified.right.id
 * }
 */
export const verifyWebhook = async (
  secret: WebhookSecret | ReadonlyArray<WebhookSecret>,
  headers: WebhookRequestHeaders,
  body: string | Uint8Array,
  options: VerifyWebhookOptions = {},
): Promise<E.Either<WebhookVerificationFailure, VerifiedWebhook>> => {
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE_SECONDS
  if (!Number.isSafeInteger(tolerance) || tolerance < 0) throw new TypeError(`tolerance must be a whole number of seconds, got ${String(tolerance)}`)
  const secrets: ReadonlyArray<WebhookSecret> = Array.isArray(secret) ? secret : [secret as WebhookSecret]
  if (secrets.length === 0) throw new TypeError('verifyWebhook needs at least one secret')
  for (const s of secrets) if (!KEYS.has(s)) throw new TypeError('a WebhookSecret must come from parseWebhookSecret')

  const id = headerOf(headers, 'webhook-id')
  const stamp = headerOf(headers, 'webhook-timestamp')
  const signatures = headerOf(headers, 'webhook-signature')
  for (const [header, value] of [
    ['webhook-id', id],
    ['webhook-timestamp', stamp],
    ['webhook-signature', signatures],
  ] as const) {
    if (value === undefined || value === '') return E.left({ _tag: 'missing_header', header, message: `the ${header} header is missing` })
  }
  if (!/^[0-9]{1,12}$/.test(stamp as string))
    return E.left({ _tag: 'invalid_timestamp', message: 'webhook-timestamp is not whole seconds since the epoch' })
  const timestamp = Number(stamp)
  const now = Math.floor((options.now ?? (() => new Date()))().getTime() / 1000)
  if (now - timestamp > tolerance)
    return E.left({
      _tag: 'timestamp_too_old',
      timestamp,
      now,
      message: `webhook-timestamp is ${now - timestamp} s old, more than the ${tolerance} s allowed`,
    })
  if (timestamp - now > tolerance)
    return E.left({
      _tag: 'timestamp_too_new',
      timestamp,
      now,
      message: `webhook-timestamp is ${timestamp - now} s ahead, more than the ${tolerance} s allowed`,
    })

  // Entries are space-separated; a header repeated and joined by `, ` leaves a comma a signature never ends with.
  const given = (signatures as string).split(/\s+/).map((entry) => encoder.encode(entry.endsWith(',') ? entry.slice(0, -1) : entry))
  let matched = false
  for (const s of secrets) {
    const expected = encoder.encode(await signature(s, id as string, timestamp, body))
    for (const entry of given) if (constantTimeEqual(entry, expected)) matched = true
  }
  return matched
    ? E.right({ id: id as string, timestamp })
    : E.left({ _tag: 'no_matching_signature', message: 'no v1 signature in webhook-signature matches' })
}
