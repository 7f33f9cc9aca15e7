import type { CalendarDate } from '../common/calendar-date.js';
import { type Dimension, type ExportsRowDto, TIME_DIMENSIONS } from './dto/reports.dto.js';
import { get, set } from './report-rows.js';

// Report periods: month, quarter, calendar year and Pakistan's fiscal year, and the zero rows of empty periods.

/**
 * `FY2021-22` for the fiscal year starting 1 July 2021 (Pakistan's fiscal year runs 1 July - 30 June); the start
 * year has four digits, as in dates (`FY0853-54`).
 */
export function fiscalYearLabel(startYear: number): string {
  return `FY${String(startYear).padStart(4, '0')}-${String((startYear + 1) % 100).padStart(2, '0')}`;
}

/** The period keys of a day, as the SQL computes them. */
export function periodsOf(date: CalendarDate): Record<(typeof TIME_DIMENSIONS)[number], string> {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  return {
    month: date.slice(0, 7),
    quarter: `${date.slice(0, 4)}-Q${Math.floor((month + 2) / 3)}`,
    year: date.slice(0, 4),
    fiscalYear: fiscalYearLabel(month >= 7 ? year : year - 1),
  };
}

/** Adds every period of the range that has no row yet, with zeros (time-only groupings). */
export function zeroFill(rows: ExportsRowDto[], groupBy: Dimension[], from: CalendarDate, to: CalendarDate): ExportsRowDto[] {
  const key = (r: ExportsRowDto) => groupBy.map((d) => get(r, d)).join('|');
  const seen = new Set(rows.map(key));
  const out = [...rows];
  const last = Number(to.slice(0, 4)) * 12 + Number(to.slice(5, 7)) - 1;
  for (let n = Number(from.slice(0, 4)) * 12 + Number(from.slice(5, 7)) - 1; n <= last; n++) {
    const day = `${String(Math.floor(n / 12)).padStart(4, '0')}-${String((n % 12) + 1).padStart(2, '0')}-01`;
    const periods = periodsOf(day);
    const cell: ExportsRowDto = { shipments: 0, units: 0, fobValue: null, shipmentsWithFob: 0, shareOfUnits: 0 };
    for (const d of groupBy) set(cell, d, periods[d as keyof typeof periods]);
    if (!seen.has(key(cell))) {
      seen.add(key(cell));
      out.push(cell);
    }
  }
  return out;
}
