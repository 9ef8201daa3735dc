/**
 * A module Worker with one Durable Object class on SQLite storage, `StoreObject`, holding the
 * package's event store and checkpoints. `POST /<object>/<operation>` with the arguments as a JSON
 * array reaches the object named `<object>` (one per test), which runs the operation on its real
 * store and answers the `Either` as JSON (`{ either }`), a synchronous throw as `{ threw }`, or what
 * a check built here found. `null` arguments are taken as `undefined` (JSON has no `undefined`).
 */
import { type LedgerState, ledgerDecider } from '@banksocket-webhooks/core'
import { LedgerStateCodec } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import { createDurableObjectCheckpoints, type DurableObjectCheckpoints } from '../../src/checkpoints.ts'
import { createDurableObjectEventStore, type DurableObjectCodec, type DurableObjectEventStore } from '../../src/event-store.ts'
import type { DurableObjectStorageLike, SqlValue } from '../../src/sql.ts'

type Stub = Readonly<{ fetch: (request: Request) => Promise<Response> }>
type Env = Readonly<{ STORE: Readonly<{ idFromName: (name: string) => unknown; get: (id: unknown) => Stub }> }>

/** io-ts's codec of the ledger's state fits the store's structural codec type. */
const ledgerStateCodec: DurableObjectCodec<LedgerState> = LedgerStateCodec

/** Money as decimal text of minor units: a bigint, never a float. */
const Cents: DurableObjectCodec<Readonly<{ head: bigint }>> = {
  encode: (state) => ({ head: state.head.toString() }),
  decode: (json) => {
    const head = (json as { head?: unknown } | null)?.head
    return typeof head === 'string' && /^-?\d+$/.test(head) ? E.right({ head: BigInt(head) }) : E.left(new Error('head: expected cents as text'))
  },
}

const nameOf = (error: unknown) => (error instanceof Error ? error.constructor.name : typeof error)

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    const object = new URL(request.url).pathname.split('/')[1] ?? ''
    return env.STORE.get(env.STORE.idFromName(object)).fetch(request)
  },
}

export class StoreObject {
  readonly #storage: DurableObjectStorageLike
  #store: DurableObjectEventStore<unknown>
  #checkpoints: DurableObjectCheckpoints
  readonly #notified: number[] = []

  constructor(ctx: Readonly<{ storage: DurableObjectStorageLike }>) {
    this.#storage = ctx.storage
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS seen (position INTEGER PRIMARY KEY) STRICT')
    this.#store = createDurableObjectEventStore(ctx.storage)
    this.#checkpoints = createDurableObjectCheckpoints(ctx.storage)
  }

  async fetch(request: Request): Promise<Response> {
    const operation = new URL(request.url).pathname.split('/')[2] ?? ''
    const args = ((await request.json()) as unknown[]).map((a) => (a === null ? undefined : a)) as never[]
    try {
      return Response.json(await this.#run(operation, args))
    } catch (error) {
      return Response.json({ threw: { name: nameOf(error), message: error instanceof Error ? error.message : String(error) } })
    }
  }

  async #run(operation: string, args: never[]): Promise<unknown> {
    const store = this.#store as unknown as Record<string, (...a: never[]) => () => Promise<E.Either<unknown, unknown>>>
    const checkpoints = this.#checkpoints
    switch (operation) {
      case 'readStream':
      case 'readAll':
      case 'appendToStream':
      case 'head':
      case 'record':
      case 'keyOwner':
      case 'countDuplicate':
      case 'readState': {
        const task = store[operation]?.(...args)
        return { either: await task?.() }
      }
      case 'readStates': {
        const read = await this.#store.readStates(args[0] ?? '')()
        return { either: E.map((states: ReadonlyMap<string, unknown>) => [...states])(read) }
      }
      case 'reopen':
        // Drops the store objects and makes new ones from storage: nothing is carried in memory.
        this.#store = createDurableObjectEventStore(this.#storage)
        this.#checkpoints = createDurableObjectCheckpoints(this.#storage)
        return { reopened: true }
      case 'watch': {
        // Appends and records through the store, then through another store object on the same
        // storage (which this store's watchers do not hear), and counts the notifications.
        const stop = this.#store.watch(() => void this.#notified.push(1))
        await this.#store.appendToStream('w', [{ type: 'W1' }], 'any')()
        await this.#store.appendToStream('w', [{ type: 'W2' }], 'any')()
        await new Promise((resolve) => setTimeout(resolve, 0))
        const afterTwoAppends = this.#notified.length
        await this.#store.appendToStream('w', [], 'any')()
        await new Promise((resolve) => setTimeout(resolve, 0))
        const afterEmptyAppend = this.#notified.length
        await this.#store.record('w', { expectedVersion: 'any', events: [{ type: 'W3' }], claim: 'kw' })()
        await new Promise((resolve) => setTimeout(resolve, 0))
        const afterRecord = this.#notified.length
        await createDurableObjectEventStore(this.#storage).appendToStream('w', [{ type: 'W4' }], 'any')()
        stop()
        await this.#store.appendToStream('w', [{ type: 'W5' }], 'any')()
        await new Promise((resolve) => setTimeout(resolve, 0))
        return { afterTwoAppends, afterEmptyAppend, afterRecord, atEnd: this.#notified.length }
      }
      case 'throws': {
        // Bad arguments throw a TypeError when the method is called, before any task runs.
        const calls: ReadonlyArray<readonly [string, () => unknown]> = [
          ['readAll limit 0', () => this.#store.readAll({ limit: 0 })],
          ['readStream after -1', () => this.#store.readStream('s', { after: -1 })],
          ['append version -1', () => this.#store.appendToStream('s', [], -1)],
          ['record version 1.5', () => this.#store.record('s', { expectedVersion: 1.5, events: [] })],
          ["record claim ''", () => this.#store.record('s', { expectedVersion: 0, events: [], claim: '' })],
          ['countDuplicate 0', () => this.#store.countDuplicate('s', 0)],
          ["checkpoint name '../x'", () => checkpoints.read('../x')],
          ['advance next -1', () => checkpoints.advance('c', undefined, -1)],
          ['advanceSync expected 0.5', () => checkpoints.advanceSync('c', 0.5, 1)],
        ]
        return calls.map(([what, call]) => {
          try {
            call()
            return `${what}: no throw`
          } catch (error) {
            return `${what}: ${nameOf(error)}`
          }
        })
      }
      case 'sql': {
        const [query, ...bindings] = args as unknown as [string, ...SqlValue[]]
        return { rows: this.#storage.sql.exec(query, ...bindings).toArray() }
      }
      case 'seen':
        return {
          rows: this.#storage.sql
            .exec<{ position: number }>('SELECT position FROM seen ORDER BY position')
            .toArray()
            .map((r) => r.position),
        }
      case 'cp.read': {
        const [name] = args as unknown as [string]
        return { either: await checkpoints.read(name)() }
      }
      case 'cp.list': {
        const listed = await checkpoints.list()()
        return { either: E.map((saved: ReadonlyMap<string, number>) => [...saved])(listed) }
      }
      case 'cp.advance': {
        const [name, expected, next] = args as unknown as [string, number | undefined, number]
        return { either: await checkpoints.advance(name, expected, next)() }
      }
      case 'cp.advanceWork': {
        // `advance` with an asynchronous work writing to `seen`; `fail` makes it throw after its write.
        const [name, expected, next, fail] = args as unknown as [string, number | undefined, number, boolean | undefined]
        const work = async () => {
          await new Promise((resolve) => setTimeout(resolve, 1))
          this.#storage.sql.exec('INSERT INTO seen (position) VALUES (?)', next)
          if (fail === true) throw new Error('work failed after its write')
        }
        return { either: await checkpoints.advance(name, expected, next, work)() }
      }
      case 'cp.advanceSync': {
        // `advanceSync` with a work writing to `seen`; `fail` makes it throw after its write.
        const [name, expected, next, fail] = args as unknown as [string, number | undefined, number, boolean | undefined]
        const either = checkpoints.advanceSync(name, expected, next, (sql) => {
          sql.exec('INSERT INTO seen (position) VALUES (?)', next)
          if (fail === true) throw new Error('work failed after its write')
        })
        const error = E.isLeft(either) && either.left._tag === 'WorkFailed' ? String(either.left.error) : undefined
        return { either: E.isLeft(either) && either.left._tag === 'WorkFailed' ? E.left({ _tag: 'WorkFailed', error }) : either }
      }
      case 'cp.acquire': {
        const [name] = args as unknown as [string]
        const lease = await checkpoints.acquire(name)
        const second = await checkpoints.acquire(name)
        const lost = await Promise.race([lease.lost.then(() => 'lost'), new Promise((resolve) => setTimeout(resolve, 20, 'held'))])
        await lease.release()
        await lease.release()
        await second.release()
        return { lost, transactional: checkpoints.transactional }
      }
      case 'stateCodec': {
        // A state with money beyond 2^53 through a codec, both ways; a stored state the codec
        // refuses is a StoreFailure.
        const ledgers = createDurableObjectEventStore<unknown, LedgerState>(this.#storage, { stateCodec: ledgerStateCodec })
        const state: LedgerState = { ...ledgerDecider().initialState, count: 1, creditCount: 1, credits: 123456789012345678901n }
        const recorded = await ledgers.record('ledger-69-TRY', { expectedVersion: 0, events: [{ type: 'Opened' }], state, claim: 'k-state' })()
        const read = await ledgers.readState('ledger-69-TRY')()
        const stored = this.#storage.sql.exec<{ state: string }>("SELECT state FROM banksocket_streams WHERE stream = 'ledger-69-TRY'").one().state
        const heads = createDurableObjectEventStore<unknown, Readonly<{ head: bigint }>>(this.#storage, { stateCodec: Cents })
        await heads.record('H', { expectedVersion: 0, events: [], state: { head: 1810000n } })()
        const headRead = await heads.readState('H')()
        this.#storage.sql.exec(`UPDATE banksocket_streams SET state = '{"head":"not cents"}' WHERE stream = 'H'`)
        const refused = await heads.readState('H')()
        const plain = createDurableObjectEventStore<unknown, unknown>(this.#storage)
        const unencodable = await plain.record('M', { expectedVersion: 0, events: [{ type: 'A' }], state: { head: 1n }, claim: 'k-m' })()
        return {
          recorded,
          credits: E.isRight(read) ? String(read.right.state?.credits) : 'unread',
          sameState:
            E.isRight(read) &&
            JSON.stringify(LedgerStateCodec.encode(read.right.state as LedgerState)) === JSON.stringify(LedgerStateCodec.encode(state)),
          stored,
          head: E.isRight(headRead) ? String(headRead.right.state?.head) : 'unread',
          refused,
          unencodable,
          mOwner: await plain.keyOwner('k-m')(),
        }
      }
      default:
        throw new Error(`no operation ${operation}`)
    }
  }
}
