/**
 * A small decider for the specification's tests: a wallet holding exact money (`bigint` minor
 * units), which takes deposits and withdrawals and refuses to overdraw.
 */
import type { Decider } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'

type Money = Readonly<{ minor: bigint; currency: 'TRY' }>
type WalletCommand = Readonly<{ type: 'Deposit'; amount: Money }> | Readonly<{ type: 'Withdraw'; amount: Money }>
type WalletEvent =
  | Readonly<{ type: 'Deposited'; data: Readonly<{ amount: Money }> }>
  | Readonly<{ type: 'Withdrawn'; data: Readonly<{ amount: Money }> }>
type WalletState = Readonly<{ balance: bigint; movements: ReadonlyArray<WalletEvent['type']> }>
export type WalletError = Readonly<{ _tag: 'NotPositive'; amount: Money }> | Readonly<{ _tag: 'InsufficientFunds'; balance: Money; requested: Money }>

export const lira = (minor: bigint): Money => ({ minor, currency: 'TRY' })
export const deposit = (minor: bigint): WalletCommand => ({ type: 'Deposit', amount: lira(minor) })
export const withdraw = (minor: bigint): WalletCommand => ({ type: 'Withdraw', amount: lira(minor) })
export const deposited = (minor: bigint): WalletEvent => ({ type: 'Deposited', data: { amount: lira(minor) } })
export const withdrawn = (minor: bigint): WalletEvent => ({ type: 'Withdrawn', data: { amount: lira(minor) } })

/** Deposits of 0 change nothing (no event); negative amounts are refused; so is overdrawing. */
export const wallet: Decider<WalletCommand, WalletEvent, WalletState, WalletError> = {
  initialState: { balance: 0n, movements: [] },
  decide: (command, state) => {
    const { minor } = command.amount
    if (minor < 0n) return E.left({ _tag: 'NotPositive', amount: command.amount })
    if (minor === 0n) return E.right([])
    if (command.type === 'Deposit') return E.right([{ type: 'Deposited', data: { amount: command.amount } }])
    if (minor > state.balance) return E.left({ _tag: 'InsufficientFunds', balance: lira(state.balance), requested: command.amount })
    return E.right([{ type: 'Withdrawn', data: { amount: command.amount } }])
  },
  evolve: (state, event) => ({
    balance: event.type === 'Deposited' ? state.balance + event.data.amount.minor : state.balance - event.data.amount.minor,
    movements: [...state.movements, event.type],
  }),
}
