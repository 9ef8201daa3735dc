import { foldTurkish } from '../../src/index.ts'

/** Whether a key is digits only (every character a decimal digit), which rule 4 of the module notes is about. */
export const isDigitsOnly = (key: string): boolean => /^\p{Nd}+$/u.test(key)

/** Rule 3 (a key with a letter) as one regular expression over the folded text. */
const tokenOracle = (description: string, key: string): boolean =>
  new RegExp(`(?<![\\p{L}\\p{N}])${Array.from(key).join('[\\s\\-/._]*')}(?![\\p{L}\\p{N}])`, 'u').test(foldTurkish(description))

/** Rule 4 (a key of digits only) as one regular expression over the folded text. */
export const numberOracle = (description: string, key: string): boolean =>
  new RegExp(`(?<![\\p{L}\\p{N}])(?<!\\p{Nd}[.,/:_\\-])${key}(?![\\p{L}\\p{N}])(?![.,/:_\\-]\\p{Nd})`, 'u').test(foldTurkish(description))

/**
 * The rules of `src/reference.ts` written as regular expressions over the folded text, an oracle
 * independent of `findReferences`' scan: whether `description` names `key`.
 */
export const oracle = (description: string, key: string): boolean =>
  isDigitsOnly(key) ? numberOracle(description, key) : tokenOracle(description, key)
