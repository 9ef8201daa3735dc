import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { CommandResult, DeciderSource } from '../src/command.ts'
import {
  type CommandError,
  createCommandHandler,
  createInMemoryEventStore,
  type Decider,
  type EventStore,
  type SubscriptionEvent,
  subscriptionDecider,
} from '../src/index.ts'
import { MAX_READ_LIMIT } from '../src/store.ts'

// A small account decider: deposits, and withdrawals that may not overdraw. Its events carry the
// balance they lead to, so a decision made on a stale state would be visible in the stream.
type Command = Readonly<{ type: 'Deposit' | 'Withdraw'; data: Readonly<{ amount: bigint }> }>
type Event = Readonly<{ type: 'Deposited' | 'Withdrawn'; data: Readonly<{ amount: bigint; balance: bigint }> }>
type Refusal = Readonly<{ _tag: 'InsufficientFunds'; balance: bigint; requested: bigint }>

const account: Decider<Command, Event, bigint, Refusal> = {
  initialState: 0n,
  decide: (command, balance) => {
    const { amount } = command.data
    if (amount === 0n) return E.right([])
    if (command.type === 'Deposit') return E.right([{ type: 'Deposited', data: { amount, balance: balance + amount } }])
    if (amount > balance) return E.left({ _tag: 'InsufficientFunds', balance, requested: amount })
    return E.right([{ type: 'Withdrawn', data: { amount, balance: balance - amount } }])
  },
  evolve: (_balance, event) => event.data.balance,
}

const deposit = (amount: bigint): Command => ({ type: 'Deposit', data: { amount } })
const withdraw = (amount: bigint): Command => ({ type: 'Withdraw', data: { amount } })
const deposited = (amount: bigint, balance: bigint): Event => ({ type: 'Deposited', data: { amount, balance } })
const withdrawn = (amount: bigint, balance: bigint): Event => ({ type: 'Withdrawn', data: { amount, balance } })

const STREAM = 'account-1'

/**
 * given(events already in the stream).when(command).then(events appended) over the in-memory store,
 * through the command handler: the store is checked, not only the handler's answer.
 */
const given = (history: ReadonlyArray<Event>) => ({
  when: (command: Command) => {
    const run = async () => {
      const store = createInMemoryEventStore<Event>()
      if (history.length > 0) await store.appendToStream(STREAM, history, 'no_stream')()
      const result = await createCommandHandler({ store, decider: account })(STREAM, command)()
      const stream = await store.readStream(STREAM)()
      if (E.isLeft(stream)) throw new Error('the in-memory store never fails')
      return { result, stored: stream.right.events }
    }
    return {
      then: async (appended: ReadonlyArray<Event>, state: bigint) => {
        const { result, stored } = await run()
        assert.equal(result, E.right({ stream: STREAM, events: appended, nextVersion: history.length + appended.length, state, attempts: 1 }))
        assert.equal(stored, [...history, ...appended])
      },
      thenFails: async (error: CommandError<Refusal>) => {
        const { result, stored } = await run()
        assert.equal(result, E.left(error))
        assert.equal(stored, history, 'a refused command appends nothing')
      },
    }
  },
})

test('given an empty stream, when a command is decided, then its events are appended at version 1', async () => {
  await given([])
    .when(deposit(100n))
    .then([deposited(100n, 100n)], 100n)
})

test('given a history, when a command is decided, then the decision sees the state folded from it', async () => {
  await given([deposited(100n, 100n), deposited(50n, 150n)])
    .when(withdraw(120n))
    .then([withdrawn(120n, 30n)], 30n)
})

test('given a history, when the decider refuses, then a DomainError carries its error and nothing is appended', async () => {
  await given([deposited(100n, 100n)])
    .when(withdraw(120n))
    .thenFails({ _tag: 'DomainError', stream: STREAM, error: { _tag: 'InsufficientFunds', balance: 100n, requested: 120n } })
})

test('given a history, when the decider has nothing to add, then nothing is appended and the version stays', async () => {
  await given([deposited(100n, 100n)])
    .when(deposit(0n))
    .then([], 100n)
})

test('serves core deciders unchanged: the subscription decider', async () => {
  const store = createInMemoryEventStore<SubscriptionEvent>()
  const handle = createCommandHandler({ store, decider: subscriptionDecider })
  const spec = { title: 'orders', endpoint: 'https://shop.example/bs', event: 'NEW_CREDIT', account: 'all' } as const
  const webhook = { id: 1233, endpoint: spec.endpoint, title: spec.title }
  const created = await handle('subscriptions', { type: 'RecordWebhookCreated', data: { webhook, spec } })()
  assert.equal(
    E.map((r: CommandResult<SubscriptionEvent, unknown>) => r.events)(created),
    E.right([{ type: 'WebhookCreated', data: { webhook, spec } }]),
  )
  assert.equal(
    await handle('subscriptions', { type: 'RecordWebhookDeleted', data: { id: 7 } })(),
    E.left({
      _tag: 'DomainError',
      stream: 'subscriptions',
      error: { _tag: 'UnknownWebhook', id: 7 },
    }),
  )
  const deleted = await handle('subscriptions', { type: 'RecordWebhookDeleted', data: { id: 1233 } })()
  assert.ok(E.isRight(deleted) && deleted.right.nextVersion === 2 && deleted.right.state.active.size === 0)
})

// ---------------------------------------------------------------------------------------------
// Every stream from a fresh initialState

type Seen = { keys: Set<string> }
const remembering: DeciderSource<string, string, Seen, Readonly<{ _tag: 'AlreadySeen'; key: string }>> = () => ({
  // Mutable on purpose: shared between streams, the first stream's keys would leak into the second.
  initialState: { keys: new Set<string>() },
  decide: (key, seen) => (seen.keys.has(key) ? E.left({ _tag: 'AlreadySeen', key }) : E.right([key])),
  evolve: (seen, key) => {
    seen.keys.add(key)
    return seen
  },
})

test('a decider factory is called per stream: a mutable initialState is never shared between streams', async () => {
  const store = createInMemoryEventStore<string>()
  const handle = createCommandHandler({ store, decider: remembering })
  assert.ok(E.isRight(await handle('ledger-69-TRY', 'k1')()))
  assert.ok(E.isRight(await handle('ledger-70-TRY', 'k1')()), 'the second stream does not know the first stream’s key')
  assert.equal(
    await handle('ledger-69-TRY', 'k1')(),
    E.left({ _tag: 'DomainError', stream: 'ledger-69-TRY', error: { _tag: 'AlreadySeen', key: 'k1' } }),
  )
})

// ---------------------------------------------------------------------------------------------
// Races, retries and store failures

/** Holds every read until `readers` reads have been made, so that they all read the same version. */
const racing = <Ev>(inner: EventStore<Ev>, readers: number) => {
  let reads = 0
  let release!: () => void
  const together = new Promise<void>((resolve) => (release = resolve))
  const store: EventStore<Ev> = {
    ...inner,
    readStream: (stream) => async () => {
      const read = await inner.readStream(stream)()
      if (++reads === readers) release()
      if (reads <= readers) await together
      return read
    },
  }
  return { store, reads: () => reads }
}

test('given two handlers racing on one stream, when both decide on the same version, then one retries on the new state', async () => {
  const inner = createInMemoryEventStore<Event>()
  await inner.appendToStream(STREAM, [deposited(100n, 100n)], 'no_stream')()
  const { store, reads } = racing(inner, 2)
  // Two processes, two handlers, one store.
  const first = createCommandHandler({ store, decider: account })
  const second = createCommandHandler({ store, decider: account })
  const [a, b] = await Promise.all([first(STREAM, withdraw(30n))(), second(STREAM, withdraw(50n))()])
  assert.ok(E.isRight(a) && E.isRight(b))
  if (E.isLeft(a) || E.isLeft(b)) return
  assert.equal([a.right.attempts, b.right.attempts].sort(), [1, 2], 'exactly one lost the race and retried')
  assert.is(reads(), 3, 'the loser read the stream again')
  const stored = await inner.readStream(STREAM)()
  // The retry decided on the winner's balance, so the balances chain; no lost update.
  const winnerFirst = a.right.attempts === 1
  assert.equal(
    E.map((r: { events: ReadonlyArray<Event> }) => r.events)(stored),
    E.right(
      winnerFirst
        ? [deposited(100n, 100n), withdrawn(30n, 70n), withdrawn(50n, 20n)]
        : [deposited(100n, 100n), withdrawn(50n, 50n), withdrawn(30n, 20n)],
    ),
  )
  assert.is((winnerFirst ? b : a).right.state, 20n)
  assert.is((winnerFirst ? b : a).right.nextVersion, 3)
})

test('given a race, when the retry finds the command no longer allowed, then it is a DomainError, not a conflict', async () => {
  const inner = createInMemoryEventStore<Event>()
  await inner.appendToStream(STREAM, [deposited(100n, 100n)], 'no_stream')()
  const { store } = racing(inner, 2)
  const handle = createCommandHandler({ store, decider: account })
  const results = await Promise.all([handle(STREAM, withdraw(80n))(), handle(STREAM, withdraw(70n))()])
  assert.is(results.filter(E.isRight).length, 1)
  const refused = results.find(E.isLeft)
  assert.is(refused?.left._tag, 'DomainError')
  const stored = await inner.readStream(STREAM)()
  assert.ok(E.isRight(stored) && stored.right.version === 2, 'exactly one withdrawal was stored')
})

/** A store in which every append finds the stream one event ahead (a writer always faster). */
const alwaysBehind = (): { store: EventStore<Event>; reads: () => number } => {
  let reads = 0
  return {
    reads: () => reads,
    store: {
      readStream: () => {
        reads++
        return TE.right({ version: 0, events: [] })
      },
      appendToStream: (stream, _events, expected) => TE.left({ _tag: 'VersionConflict', stream, expected, actual: 1 }),
      readAll: () => TE.right([]),
    },
  }
}

test('given a stream that always moves on, when every attempt conflicts, then RetriesExhausted after maxRetries retries', async () => {
  const { store, reads } = alwaysBehind()
  const result = await createCommandHandler({ store, decider: account, maxRetries: 2 })(STREAM, deposit(1n))()
  assert.equal(
    result,
    E.left({ _tag: 'RetriesExhausted', stream: STREAM, attempts: 3, conflict: { _tag: 'VersionConflict', stream: STREAM, expected: 0, actual: 1 } }),
  )
  assert.is(reads(), 3)
})

test('maxRetries 0 reports the first conflict; the default allows 3 retries', async () => {
  const once = alwaysBehind()
  const none = await createCommandHandler({ store: once.store, decider: account, maxRetries: 0 })(STREAM, deposit(1n))()
  assert.ok(E.isLeft(none) && none.left._tag === 'RetriesExhausted' && none.left.attempts === 1)
  const byDefault = alwaysBehind()
  await createCommandHandler({ store: byDefault.store, decider: account })(STREAM, deposit(1n))()
  assert.is(byDefault.reads(), 4)
})

test('a store failure on read or append is a StoreError, and is not retried', async () => {
  const failure = { _tag: 'StoreFailure', message: 'disk full' } as const
  let appends = 0
  const failingRead: EventStore<Event> = { ...createInMemoryEventStore<Event>(), readStream: () => TE.left(failure) }
  assert.equal(
    await createCommandHandler({ store: failingRead, decider: account })(STREAM, deposit(1n))(),
    E.left({ _tag: 'StoreError', stream: STREAM, error: failure }),
  )
  const failingAppend: EventStore<Event> = {
    ...createInMemoryEventStore<Event>(),
    appendToStream: () => {
      appends++
      return TE.left(failure)
    },
  }
  assert.equal(
    await createCommandHandler({ store: failingAppend, decider: account })(STREAM, deposit(1n))(),
    E.left({ _tag: 'StoreError', stream: STREAM, error: failure }),
  )
  assert.is(appends, 1)
})

test('a maxRetries that is not a non-negative integer fails when the handler is made, saying what to pass', () => {
  const store = createInMemoryEventStore<Event>()
  for (const maxRetries of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(
      () => createCommandHandler({ store, decider: account, maxRetries }),
      (e: unknown) => e instanceof TypeError && /non-negative integer/.test(e.message),
    )
  }
})

// ---------------------------------------------------------------------------------------------
// Long streams and failing stores

test('a stream longer than one read is read in pages and folded whole: the decision sees every event', async () => {
  const inner = createInMemoryEventStore<Event>()
  const history: Event[] = []
  for (let i = 1; i <= MAX_READ_LIMIT + 2; i++) history.push(deposited(1n, BigInt(i)))
  await inner.appendToStream(STREAM, history, 'no_stream')()
  const limits: Array<number | undefined> = []
  const store: EventStore<Event> = {
    ...inner,
    readStream: (stream, options) => {
      limits.push(options?.limit)
      return inner.readStream(stream, options)
    },
  }
  const result = await createCommandHandler({ store, decider: account })(STREAM, withdraw(BigInt(MAX_READ_LIMIT + 2)))()
  assert.equal(
    result,
    E.right({ stream: STREAM, events: [withdrawn(BigInt(MAX_READ_LIMIT + 2), 0n)], nextVersion: MAX_READ_LIMIT + 3, state: 0n, attempts: 1 }),
  )
  assert.equal(limits, [MAX_READ_LIMIT, MAX_READ_LIMIT], 'two bounded pages, never the whole stream at once')
})

test('a store that throws instead of answering Left is a StoreError, for a read and for an append', async () => {
  const inner = createInMemoryEventStore<Event>()
  const throwing = (message: string) => () => async () => {
    throw new Error(message)
  }
  const failedRead = await createCommandHandler({ store: { ...inner, readStream: throwing('EIO on read') }, decider: account })(STREAM, deposit(1n))()
  assert.equal(failedRead, E.left({ _tag: 'StoreError', stream: STREAM, error: { _tag: 'StoreFailure', message: 'EIO on read' } }))
  const failedAppend = await createCommandHandler({ store: { ...inner, appendToStream: throwing('EIO on append') }, decider: account })(
    STREAM,
    deposit(1n),
  )()
  assert.equal(failedAppend, E.left({ _tag: 'StoreError', stream: STREAM, error: { _tag: 'StoreFailure', message: 'EIO on append' } }))
})

test.run()
