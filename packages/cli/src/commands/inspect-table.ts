/**
 * Aligned text tables for `banksocket inspect`: columns padded to their widest cell, numbers and
 * amounts right-aligned so that their digits line up, two spaces between columns.
 *
 * A cell's width is its number of code points. That is its width on a terminal for the text a store
 * holds: digits, Latin letters and the Turkish ones (`ç ğ ı İ ö ş ü`, one code point each in NFC,
 * as Banksocket sends them) are one column each. Wide characters (CJK, most emoji) and combining
 * marks are not measured as a terminal draws them: a row holding one is shifted, never cut.
 *
 * @module
 */

/**
 * One column: its title, and which side its cells keep to (`right` for numbers and amounts).
 * `minWidth` keeps a column at least that wide, so that lines printed later (followed events) keep
 * to the same columns as a table printed before them.
 *
 * @example
 * import type { Column } from './commands/inspect-table.ts'
 * const balance: Column = { title: 'BALANCE', align: 'right' }
 */
export type Column = Readonly<{ title: string; align: 'left' | 'right'; minWidth?: number }>

/**
 * The width of a cell on a terminal: its code points (see the module's note on wide characters).
 *
 * @example
 * cellWidth('ŞÜKRÜ') // 5
 */
const cellWidth = (text: string): number => {
  let width = 0
  for (const _ of text) width++
  return width
}

const pad = (text: string, width: number, align: Column['align']): string => {
  const fill = ' '.repeat(Math.max(0, width - cellWidth(text)))
  return align === 'right' ? `${fill}${text}` : `${text}${fill}`
}

/**
 * The width of each column: the widest of its title, its cells and its `minWidth`.
 *
 * @example
 * import { columnWidths } from './commands/inspect-table.ts'
 * columnWidths([{ title: 'ID', align: 'left' }], [['order-1042']]) // [10]
 */
export const columnWidths = (columns: ReadonlyArray<Column>, rows: ReadonlyArray<ReadonlyArray<string>>): ReadonlyArray<number> =>
  columns.map((column, i) => Math.max(cellWidth(column.title), column.minWidth ?? 0, ...rows.map((row) => cellWidth(row[i] ?? ''))))

/**
 * One row laid out in the given widths, prefixed by `indent`; no line ends in spaces (the last
 * column is not padded on the right, and an empty last cell leaves none).
 *
 * @example
 * import { tableRow } from './commands/inspect-table.ts'
 * tableRow([{ title: 'N', align: 'right' }, { title: 'NAME', align: 'left' }], [3, 4], ['7', 'ab'], '  ') // '    7  ab'
 */
export const tableRow = (columns: ReadonlyArray<Column>, widths: ReadonlyArray<number>, cells: ReadonlyArray<string>, indent = ''): string => {
  const last = columns.length - 1
  const parts = columns.map((column, i) => {
    const cell = cells[i] ?? ''
    return i === last && column.align === 'left' ? cell : pad(cell, widths[i] ?? 0, column.align)
  })
  return `${indent}${parts.join('  ')}`.trimEnd()
}

/**
 * A table: a header line of the titles, then one line per row, each line ending in `\n`.
 *
 * @example
 * import { renderTable } from './commands/inspect-table.ts'
 * renderTable([{ title: 'ACCOUNT', align: 'left' }, { title: 'BALANCE', align: 'right' }], [['69', '18060.00'], ['70', '147.69']], '  ')
 * // '  ACCOUNT   BALANCE\n  69       18060.00\n  70         147.69\n'
 */
export const renderTable = (columns: ReadonlyArray<Column>, rows: ReadonlyArray<ReadonlyArray<string>>, indent = ''): string => {
  const widths = columnWidths(columns, rows)
  const titles = columns.map((c) => c.title)
  return [titles, ...rows].map((cells) => `${tableRow(columns, widths, cells, indent)}\n`).join('')
}
