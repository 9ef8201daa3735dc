/**
 * Loads inbox.worker.ts into workerd through miniflare, with the inbox class as a Durable Object on
 * SQLite storage (`useSQLite`), optionally persisted in a directory so that a second Miniflare on
 * the same directory is the object evicted and made again. Collects workerd's output, so that a
 * test can look for a secret in it.
 */
import type { Readable } from 'node:stream'
import { type Encoding, encodings, type NotificationFields, SECRET } from '@banksocket-webhooks/test-support/encodings'
import { bundleWorker } from '@banksocket-webhooks/test-support/workerd-bundle'
import { Miniflare } from 'miniflare'

export { SECRET }

const bundle = bundleWorker(new URL('./inbox.worker.ts', import.meta.url))

/** A running Worker: its dispatch, its output so far, and how to stop it. */
export type Harness = Readonly<{
  mf: Miniflare
  logs: () => string
  post: (name: string, fields: NotificationFields, encoding?: Encoding) => Promise<Answer>
  ledgers: (name: string) => Promise<Record<string, LedgerJson>>
  dispose: () => Promise<void>
}>

/** A ledger summary as the test Worker writes it (bigints as text). */
type LedgerJson = Readonly<{
  count: number
  duplicates: number
  balance: Readonly<{ minor: string; currency: string }> | null
  openGaps: ReadonlyArray<unknown>
  gapsDetected: number
}>

export type Answer = Readonly<{ status: number; allow: string | null; body: unknown }>

export const answerOf = async (response: {
  status: number
  headers: { get(name: string): string | null }
  text(): Promise<string>
}): Promise<Answer> => {
  const text = await response.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = text
  }
  return { status: response.status, allow: response.headers.get('allow'), body }
}

export const URL_BASE = 'http://worker.example'

/** Starts the test Worker with these bindings (strings) and, if given, a persistence directory. */
export const start = async (bindings: Readonly<Record<string, string>> = {}, persist?: string): Promise<Harness> => {
  let output = ''
  const mf = new Miniflare({
    modules: true,
    script: (await bundle).code,
    compatibilityDate: '2025-09-01',
    bindings: { SECRET, ...bindings },
    durableObjects: { INBOX: { className: 'Inbox', useSQLite: true } },
    ...(persist === undefined ? {} : { durableObjectsPersist: persist }),
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
      stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    },
  })
  await mf.ready
  const post = async (name: string, fields: NotificationFields, encoding: Encoding = 'form'): Promise<Answer> => {
    const { contentType, body } = encodings[encoding](fields)
    return answerOf(
      await mf.dispatchFetch(`${URL_BASE}/banksocket/${name}`, {
        method: 'POST',
        headers: { 'content-type': contentType ?? '' },
        body: String(body),
      }),
    )
  }
  const ledgers = async (name: string): Promise<Record<string, LedgerJson>> =>
    JSON.parse(await (await mf.dispatchFetch(`${URL_BASE}/ledgers/${name}`)).text()) as Record<string, LedgerJson>
  return { mf, logs: () => output, post, ledgers, dispose: () => mf.dispose() }
}

export const OK: Answer = { status: 200, allow: null, body: { status: 'ok' } }
export const DUPLICATE: Answer = { status: 200, allow: null, body: { status: 'duplicate' } }
