import { receive } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'

/** Verifies one raw notification body and describes it; rejections become messages. */
export const describeNotification = (body: Uint8Array, contentType: string, secret: string) =>
  pipe(
    receive({ body, contentType }, { secrets: [secret] }),
    TE.map((tx) => `${tx.verified.dc} ${tx.verified.amount} ${tx.verified.currency} on account ${tx.unverified.account_id}`),
    TE.mapLeft((rejection) => `refused: ${rejection._tag}`),
  )

export const example = async (body: Uint8Array, secret: string): Promise<string> =>
  E.getOrElse((message: string) => message)(await describeNotification(body, 'application/x-www-form-urlencoded', secret)())
