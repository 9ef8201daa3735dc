// README: one receiver from @banksocket-webhooks/receiver, composed with node:http and Express.
import { createServer } from 'node:http'
import { nodeSha256, toNodeListener, toNodeMiddleware } from '@banksocket-webhooks/adapter-node-server'
import { createReceiver } from '@banksocket-webhooks/receiver'
import express from 'express'

export const credits: string[] = []

export const receiver = createReceiver({ secrets: [process.env.BANKSOCKET_SECRET!], sha256: nodeSha256, path: '/banksocket' })
  .on('credit', (tx) => void credits.push(`${tx.verified.amount} ${tx.verified.currency}`))

export const server = createServer(toNodeListener(receiver)).listen(Number(process.env.PORT ?? 3000)) // node:http

export const app: express.Express = express().use(toNodeMiddleware(receiver)) // Connect/Express: other paths go to next()
export const appServer = app.listen(Number(process.env.PORT ?? 3001))
