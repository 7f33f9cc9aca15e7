import { type Dimension, type ExportsRowDto, TIME_DIMENSIONS } from './dto/reports.dto.js';

// Rows of an exports report: flat objects with one property per dimension, then the measures.

/** Whether a dimension is a period (month, quarter, year, fiscal year). */
export const isTime = (d: Dimension) => (TIME_DIMENSIONS as readonly string[]).includes(d);

/** A row's value for a dimension (rows are flat: one property per dimension). */
export function get(row: ExportsRowDto, d: string): unknown {
  return (row as unknown as Record<string, unknown>)[d];
}

/** Sets a row's value for a dimension. */
export function set(row: ExportsRowDto, d: string, value: unknown): void {
  (row as unknown as Record<string, unknown>)[d] = value;
}

/** Report order: by period, then by units (largest first), then by the other dimensions. */
export function compareRows(groupBy: Dimension[]) {
  const time = groupBy.filter(isTime);
  const other = groupBy.filter((d) => !isTime(d));
  return (a: ExportsRowDto, b: ExportsRowDto): number => {
    for (const d of time) {
      const x = String(get(a, d));
      const y = String(get(b, d));
      if (x !== y) return x < y ? -1 : 1;
    }
    if ((b.units ?? -1) !== (a.units ?? -1)) return (b.units ?? -1) - (a.units ?? -1);
    for (const d of other) {
      const x = String(get(a, d) ?? '');
      const y = String(get(b, d) ?? '');
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };
}
