/**
 * Banksocket's authenticity proof:
 * `base64( hex_lowercase( sha256( utf8(dc + code + amount + balance + currency + description + secret) ) ) )`.
 * Verification runs over the exact strings received. Base64 of the raw 32-byte digest is accepted
 * too, several secrets may be active at once (rotation) and comparison takes constant time.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as T from 'fp-ts/lib/Task.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { AuthenticatedField } from './codecs.ts'

/**
 * The hashing port: SHA-256 of the UTF-8 encoding of `message`, as lowercase hex text (64
 * characters), answered synchronously or as a Promise. The default is Web Crypto
 * ({@link webCryptoSha256}, a Promise); on Node pass a `node:crypto` hasher, which answers at once and
 * is several times faster (adapter-node-server's `nodeSha256` is the default there).
 *
 * @example
 * import { webCryptoSha256, type Sha256 } from '@banksocket-webhooks/core'
 * // Any SHA-256 that answers lowercase hex will do; on Node, adapter-node-server's `nodeSha256`.
 * const counted = { n: 0 }
 * const counting: Sha256 = (message) => (counted.n++, webCryptoSha256(message))
 */
export type Sha256 = (message: string) => string | Promise<string>

const encoder = new TextEncoder()

/**
 * SHA-256 through `crypto.subtle`, available in Node 20, Deno, Workers, Bun and browsers.
 *
 * @example
 * import { webCryptoSha256 } from '@banksocket-webhooks/core'
 * const hex = await webCryptoSha256('abc') // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 */
export const webCryptoSha256 = async (message: string): Promise<string> =>
  toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(message))))

/**
 * The fields that go into the hash, as exact strings.
 *
 * @example
 * import type { SignedFields } from '@banksocket-webhooks/core'
 * const f: SignedFields = { dc: 'Credit', code: 'EFT', amount: '100.00', balance: '18100.00', currency: 'TRY', description: 'SN:1' }
 */
export type SignedFields = Readonly<Record<AuthenticatedField, string>>

/**
 * The message that is hashed, without the secret: the six fields concatenated in order.
 *
 * @example
 * import { signingInput } from '@banksocket-webhooks/core/runtime-kit'
 * signingInput({ dc: 'Credit', code: 'EFT', amount: '1.00', balance: '2.00', currency: 'TRY', description: 'x' })
 * // 'CreditEFT1.002.00TRYx'
 */
export const signingInput = (f: SignedFields): string => f.dc + f.code + f.amount + f.balance + f.currency + f.description

const HEX = '0123456789abcdef'
const HEX_CODES = Array.from(HEX, (c) => c.charCodeAt(0))
/** Char code -> nibble for lowercase hex digits, -1 for anything else. */
const NIBBLE = new Int8Array(256).fill(-1)
for (let i = 0; i < 16; i++) NIBBLE[HEX_CODES[i] as number] = i

/**
 * Lowercase hex of bytes, as one flat string (built from char codes, not by concatenation, so a
 * key kept in memory costs 64 characters, not a tree of 64 pieces).
 *
 * @example
 * import { toHex } from '@banksocket-webhooks/core'
 * toHex(new Uint8Array([0, 255])) // '00ff'
 */
export const toHex = (bytes: Uint8Array): string => {
  const codes = new Array<number>(bytes.length * 2)
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number
    codes[2 * i] = HEX_CODES[b >> 4] as number
    codes[2 * i + 1] = HEX_CODES[b & 15] as number
  }
  return String.fromCharCode.apply(null, codes)
}

const hexToBytes = (hex: string): Uint8Array => {
  const out = new Uint8Array(hex.length >> 1)
  for (let i = 0; i < out.length; i++) {
    out[i] = ((NIBBLE[hex.charCodeAt(2 * i)] as number) << 4) | (NIBBLE[hex.charCodeAt(2 * i + 1)] as number)
  }
  return out
}

const bytesToBase64 = (bytes: Uint8Array): string => {
  let binary = ''
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i] as number)
  return btoa(binary)
}

/**
 * Which encoding of the digest to produce: `hex` (Banksocket's, base64 of the hex text) or `raw`
 * (base64 of the 32 digest bytes, a variant that verification also accepts).
 *
 * @example
 * import type { HashVariant } from '@banksocket-webhooks/core/runtime-kit'
 * const v: HashVariant = 'hex'
 */
export type HashVariant = 'hex' | 'raw'

/**
 * Signs fields as Banksocket does. Returns a Task of the `hash` value to send.
 *
 * @example
 * import { sign } from '@banksocket-webhooks/core'
 * const hash = await sign({ dc: 'Credit', code: 'EFT', amount: '100.00', balance: '18100.00',
 *   currency: 'TRY', description: 'SN:1' }, 'my-secret')()
 */
export const sign =
  (fields: SignedFields, secret: string, options: Readonly<{ sha256?: Sha256; variant?: HashVariant }> = {}): T.Task<string> =>
  async () => {
    const hex = await (options.sha256 ?? webCryptoSha256)(signingInput(fields) + secret)
    return options.variant === 'raw' ? bytesToBase64(hexToBytes(hex)) : btoa(hex)
  }

/**
 * The hash did not match any active secret (or was not a base64 digest at all). Deliberately
 * carries nothing that could help an attacker or leak a secret.
 *
 * @example
 * import type { InvalidHash } from '@banksocket-webhooks/core/runtime-kit'
 * const e: InvalidHash = { _tag: 'invalid_hash' }
 */
export type InvalidHash = Readonly<{ _tag: 'invalid_hash' }>

const INVALID_HASH: InvalidHash = { _tag: 'invalid_hash' }

/**
 * A successful verification: which secret matched (its index in the list, never its value).
 *
 * @example
 * import type { Verified } from '@banksocket-webhooks/core/runtime-kit'
 * const v: Verified = { secretIndex: 0 }
 */
export type Verified = Readonly<{ secretIndex: number }>

/**
 * Decodes a received hash into the 32 digest bytes it claims, accepting base64 of the 64 lowercase
 * hex characters (canonical) or base64 of the raw digest. Anything else is `undefined`.
 *
 * @example
 * import { claimedDigest } from '@banksocket-webhooks/core'
 * claimedDigest('not base64!') // undefined
 */
export const claimedDigest = (hash: string): Uint8Array | undefined => {
  const claim = claimOf(hash)
  if (claim === undefined) return undefined
  if (claim.length === 32) return Uint8Array.from(claim, (c) => c.charCodeAt(0))
  if (!/^[0-9a-f]{64}$/.test(claim)) return undefined
  return hexToBytes(claim)
}

/**
 * Compares a received hash, base64-decoded to a binary string (64 hex characters, or 32 raw
 * bytes), with a computed digest as lowercase hex, in time that depends only on the lengths.
 */
const matchesClaim = (claim: string, hex: string): boolean => {
  if (hex.length !== 64) return false
  let diff = 0
  if (claim.length === 64) {
    for (let i = 0; i < 64; i++) diff |= claim.charCodeAt(i) ^ hex.charCodeAt(i)
    return diff === 0
  }
  for (let i = 0; i < 32; i++) {
    const byte = ((NIBBLE[hex.charCodeAt(2 * i) & 255] as number) << 4) | (NIBBLE[hex.charCodeAt(2 * i + 1) & 255] as number)
    diff |= claim.charCodeAt(i) ^ byte
  }
  return diff === 0
}

const claimOf = (hash: string): string | undefined => {
  if (hash.length !== 88 && hash.length !== 44) return undefined
  try {
    const binary = atob(hash)
    return binary.length === 64 || binary.length === 32 ? binary : undefined
  } catch {
    return undefined
  }
}

/**
 * Compares two byte arrays in time that depends only on their length.
 *
 * @example
 * import { constantTimeEqual } from '@banksocket-webhooks/core/runtime-kit'
 * constantTimeEqual(new Uint8Array([1]), new Uint8Array([1])) // true
 */
export const constantTimeEqual = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number)
  return diff === 0
}

/**
 * {@link verify}'s work, synchronous when the hasher is: the result itself for a hasher that answers
 * synchronously (node:crypto), a Promise of it for one that does not (Web Crypto). Receivers use it
 * to verify without a trip through the microtask queue. A hasher that throws, throws here.
 *
 * @internal
 */
export const verifyNow = (
  fields: SignedFields,
  hash: string,
  secrets: ReadonlyArray<string>,
  sha256: Sha256,
): E.Either<InvalidHash, Verified> | Promise<E.Either<InvalidHash, Verified>> => {
  const claim = claimOf(hash)
  if (claim === undefined || secrets.length === 0) return E.left(INVALID_HASH)
  const input = signingInput(fields)
  let matched = -1
  for (let i = 0; i < secrets.length; i++) {
    const d = sha256(input + secrets[i])
    if (typeof d !== 'string') return finishAsync(claim, input, secrets, sha256, matched, i, d)
    if (matchesClaim(claim, d) && matched < 0) matched = i
  }
  return matched >= 0 ? E.right({ secretIndex: matched }) : E.left(INVALID_HASH)
}

/** The rest of {@link verifyNow} once a hasher answered with a Promise (every secret still tried). */
const finishAsync = async (
  claim: string,
  input: string,
  secrets: ReadonlyArray<string>,
  sha256: Sha256,
  matchedSoFar: number,
  from: number,
  pending: Promise<string>,
): Promise<E.Either<InvalidHash, Verified>> => {
  let matched = matchedSoFar
  for (let i = from; i < secrets.length; i++) {
    const d = i === from ? pending : sha256(input + secrets[i])
    const hex = typeof d === 'string' ? d : await d
    if (matchesClaim(claim, hex) && matched < 0) matched = i
  }
  return matched >= 0 ? E.right({ secretIndex: matched }) : E.left(INVALID_HASH)
}

/**
 * Verifies a received `hash` over the exact received fields against every active secret. Every
 * secret is tried (no early exit that would reveal which one matched through timing).
 *
 * @example
 * import { verify } from '@banksocket-webhooks/core'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import * as TE from 'fp-ts/lib/TaskEither.js'
 * const result = await pipe(
 *   verify(fields, fields.hash, ['current-secret', 'previous-secret']),
 *   TE.map((v) => v.secretIndex),
 * )()
 */
export const verify =
  (fields: SignedFields, hash: string, secrets: ReadonlyArray<string>, sha256: Sha256 = webCryptoSha256): TE.TaskEither<InvalidHash, Verified> =>
  async () =>
    verifyNow(fields, hash, secrets, sha256)
