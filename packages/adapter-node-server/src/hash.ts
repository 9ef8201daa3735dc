/**
 * SHA-256 on node:crypto, the Node receiver's default hasher.
 *
 * @module
 */
import { createHash } from 'node:crypto'
import type { Sha256 } from '@banksocket-webhooks/core'

/**
 * SHA-256 of the UTF-8 encoding of `message` with node:crypto, as lowercase hex (core compares hex
 * text directly, and the hex string is cheaper to make than a Buffer). On Node it verifies several
 * times more notifications per second than core's Web Crypto default (see docs/benchmarks.md), and
 * it answers synchronously. The Node receiver uses it unless told otherwise; pass it
 * to core's `receive`, `sign` or `createInbox` when you use those on Node.
 *
 * @example
 * import { sign } from '@banksocket-webhooks/core'
 * import { nodeSha256 } from '@banksocket-webhooks/adapter-node-server'
 * const hash = await sign(fields, secret, { sha256: nodeSha256 })()
 */
export const nodeSha256 = ((message: string): string =>
  createHash('sha256').update(message, 'utf8').digest('hex')) satisfies Sha256
