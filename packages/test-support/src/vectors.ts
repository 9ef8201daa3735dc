/**
 * The shared notification vectors (`fixtures/notifications.json`): the documented sample and the
 * cases, each a notification's exact fields with its secret and the answer they must get
 * (`accepted`, `rejected:invalid_hash`, ...). Core checks its hashing and parsing against them; the
 * adapters, the testing package and the receiver contract send them.
 *
 * @example
 * import { vectors } from '@banksocket-webhooks/test-support/vectors'
 *
 * for (const c of vectors.cases) console.log(c.name, c.expect)
 */
import notifications from '../fixtures/notifications.json' with { type: 'json' }

/** The vectors file as JSON, typed by its contents. */
export const vectors = notifications
