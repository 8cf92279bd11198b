/** Printing helpers shared by the examples. */
export type Log = (line: string) => void;

/** At most `digits` decimals, trailing zeros dropped: 3.4000000000000004 → "3.4". */
export function fmt(x: number, digits = 3): string {
  return String(Number(x.toFixed(digits)));
}
