import { createClient, formatApiError } from '@banksocket-webhooks/api-client'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'

/** Registers a webhook for incoming payments, then deletes it; errors become one log line. */
export const createThenDelete = (token: string, baseUrl?: string) => {
  const client = createClient({ token, baseUrl }) // baseUrl undefined: https://api.banksocket.com/v1
  return pipe(
    client.createWebhook({ title: 'orders', endpoint: 'https://shop.example/banksocket', event: 'NEW_CREDIT', account: 'all' }),
    TE.chain((webhook) => client.deleteWebhook(webhook.id)),
    TE.mapLeft(formatApiError),
  ) // TaskEither<string, { status: 'success' }>
}
