/** What a CSV cell holds for a numeric column. */
export const CellKind = {
  Number: 0,
  /** Empty cell: no sample for this column in this row. */
  Missing: 1,
  /** Explicit NaN or infinity: a sample that validation marks invalid. */
  NotFinite: 2,
  /** Anything else. */
  Text: 3,
} as const;
export type CellKind = (typeof CellKind)[keyof typeof CellKind];

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DECIMAL_COMMA = /^[+-]?\d+,\d+$/;
const NOT_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;

/**
 * Parses a numeric cell strictly into `out.value` and says what it was. Number() alone
 * would accept "" (0), "0x1f" and "1e", which a data file never means. A decimal comma is
 * accepted in semicolon-separated files (the usual reason a file is semicolon-separated).
 * Writes into `out` so a row of cells costs no allocation.
 */
export function parseCell(text: string, decimalComma: boolean, out: { value: number }): CellKind {
  const s =
    text.length && (text.charCodeAt(0) <= 32 || text.charCodeAt(text.length - 1) <= 32) ? text.trim() : text;
  if (s === '') {
    out.value = NaN;
    return CellKind.Missing;
  }
  if (DECIMAL.test(s)) {
    out.value = Number(s);
    return CellKind.Number;
  }
  if (decimalComma && DECIMAL_COMMA.test(s)) {
    out.value = Number(s.replace(',', '.'));
    return CellKind.Number;
  }
  if (NOT_FINITE.test(s)) {
    const lower = s.toLowerCase();
    out.value = lower.includes('nan') ? NaN : lower.startsWith('-') ? -Infinity : Infinity;
    return CellKind.NotFinite;
  }
  out.value = NaN;
  return CellKind.Text;
}
