/**
 * Terminal colours: on only when the stream is a terminal and `NO_COLOR` is unset or empty
 * (https://no-color.org), so piped output stays plain text.
 *
 * @module
 */

/**
 * Text decorations. When colours are off, every function returns its input unchanged.
 *
 * @example
 * import { createStyle } from './style.ts'
 * const style = createStyle(true)
 * style.green('accepted') // '\u001b[32maccepted\u001b[39m'
 */
export type Style = Readonly<{
  enabled: boolean
  bold: (text: string) => string
  dim: (text: string) => string
  red: (text: string) => string
  green: (text: string) => string
  yellow: (text: string) => string
  blue: (text: string) => string
  magenta: (text: string) => string
  cyan: (text: string) => string
}>

const sgr =
  (open: number, close: number) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`

const plain = (text: string): string => text

/**
 * A {@link Style} with colours on or off.
 *
 * @example
 * import { createStyle } from './style.ts'
 * createStyle(false).red('refused') // 'refused'
 */
export const createStyle = (enabled: boolean): Style =>
  enabled
    ? {
        enabled,
        bold: sgr(1, 22),
        dim: sgr(2, 22),
        red: sgr(31, 39),
        green: sgr(32, 39),
        yellow: sgr(33, 39),
        blue: sgr(34, 39),
        magenta: sgr(35, 39),
        cyan: sgr(36, 39),
      }
    : { enabled, bold: plain, dim: plain, red: plain, green: plain, yellow: plain, blue: plain, magenta: plain, cyan: plain }

/**
 * Whether to colour a stream: it must be a terminal, and `NO_COLOR` must be unset or empty.
 *
 * @example
 * import { colorsWanted } from './style.ts'
 * colorsWanted(process.stdout.isTTY === true, process.env) // false when piped
 */
export const colorsWanted = (isTTY: boolean, env: Readonly<Record<string, string | undefined>>): boolean =>
  isTTY && (env['NO_COLOR'] === undefined || env['NO_COLOR'] === '')

/**
 * Removes ANSI colour sequences, to measure or compare decorated text.
 *
 * @example
 * import { stripAnsi } from './style.ts'
 * stripAnsi('\u001b[32mok\u001b[39m') // 'ok'
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes start with the ESC control character
export const stripAnsi = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '')
