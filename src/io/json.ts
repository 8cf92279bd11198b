/**
 * JSON documents the CLI writes (`--json`). JSON has no Infinity or NaN, and JSON.stringify
 * writes them as null, which in these documents means "none" (no test set). A test loss that
 * overflowed is a result, so non-finite numbers are written as the strings "Infinity",
 * "-Infinity" and "NaN" (what JavaScript's Number() and Python's float() read back).
 */
const finite = (_key: string, value: unknown): unknown => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value);

/** `value` as indented JSON with a final newline, non-finite numbers as strings. */
export function jsonDocument(value: unknown): string {
  return `${JSON.stringify(value, finite, 2)}\n`;
}
