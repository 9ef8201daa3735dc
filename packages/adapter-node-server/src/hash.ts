/**
 * SHA-256 on node:crypto, the Node receiver's default hasher.
 *
 * @module
 */
import * as crypto from 'node:crypto'
import type { Sha256 } from '@banksocket-webhooks/core'

/** node:crypto's one-shot `hash`, as this module calls it. */
type OneShot = (algorithm: string, data: string, encoding: 'hex') => string

/**
 * The hasher on node:crypto's one-shot `hash` when there is one (Node 20.12 and later: twice as
 * fast as a Hash object for a message of a few hundred bytes), on a `createHash` object otherwise.
 *
 * @internal
 */
export const nodeSha256On = (oneShot: OneShot | undefined): ((message: string) => string) =>
  oneShot !== undefined
    ? (message) => oneShot('sha256', message, 'hex')
    : (message) => crypto.createHash('sha256').update(message, 'utf8').digest('hex')

/**
 * SHA-256 of the UTF-8 encoding of `message` with node:crypto, as lowercase hex (the one shape of
 * core's `Sha256` port), answered at once. It uses node:crypto's one-shot `hash` where Node has it
 * (20.12 and later) and a `createHash` object before that. On Node it verifies several times more
 * notifications per second than core's Web Crypto default (see docs/benchmarks.md), and answering
 * synchronously spares a trip through the microtask queue. The Node receiver uses it unless told
 * otherwise; pass it to core's `receive`, `sign` or `createInbox` when you use those on Node.
 *
 * @example
 * import { sign } from '@banksocket-webhooks/core'
 * import { nodeSha256 } from '@banksocket-webhooks/adapter-node-server'
 * const hash = await sign(fields, secret, { sha256: nodeSha256 })()
 */
export const nodeSha256 = nodeSha256On(typeof crypto.hash === 'function' ? crypto.hash : undefined) satisfies Sha256
