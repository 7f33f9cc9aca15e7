import type { CalendarDate } from '../common/calendar-date.js';
import { shipmentMonthSql } from './export-rollup.js';
import type { Dimension } from './export-dimensions.js';

/** What an export report covers: a day range (inclusive, either end open) and optional filters. */
export interface ExportFilter {
  from?: CalendarDate;
  to?: CalendarDate;
  companyId?: string;
  destination?: string;
  deviceCategory?: string;
}

/** SQL text with its parameters, for either engine (`$n` on PostgreSQL, `?` on SQLite). */
export class SqlParams {
  readonly values: unknown[] = [];
  constructor(readonly postgres: boolean) {}

  /** A placeholder for `value`. */
  p(value: unknown): string {
    this.values.push(value);
    return this.postgres ? `$${this.values.length}` : '?';
  }
}

const monthOf = (day: CalendarDate) => day.slice(0, 7);
const firstDay = (month: string): CalendarDate => `${month}-01`;
function lastDay(month: string): CalendarDate {
  const [y, m] = month.split('-').map(Number);
  // Day 0 of the next month. Date.UTC reads years 0-99 as 1900-1999, which have the same month lengths.
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}
/** The month after (undefined after 9999-12: calendar dates have four-digit years). */
function nextMonth(month: string): string | undefined {
  const [y, m] = month.split('-').map(Number);
  if (y === 9999 && m === 12) return undefined;
  return m === 12 ? `${String(y + 1).padStart(4, '0')}-01` : `${String(y).padStart(4, '0')}-${String(m + 1).padStart(2, '0')}`;
}
/** The month before (undefined before 0001-01). */
function previousMonth(month: string): string | undefined {
  const [y, m] = month.split('-').map(Number);
  if (y === 1 && m === 1) return undefined;
  return m === 1 ? `${String(y - 1).padStart(4, '0')}-12` : `${String(y).padStart(4, '0')}-${String(m - 1).padStart(2, '0')}`;
}

/**
 * Splits a day range into the whole months the rollup answers (`months`, either end open; null when none)
 * and the days at its ends that only the shipments can answer (at most two ranges, each within one month).
 */
export function splitRange(from?: CalendarDate, to?: CalendarDate): { months: { from?: string; to?: string } | null; days: [CalendarDate, CalendarDate][] } {
  const days: [CalendarDate, CalendarDate][] = [];
  if (from && to && monthOf(from) === monthOf(to)) {
    if (from === firstDay(monthOf(from)) && to === lastDay(monthOf(to))) return { months: { from: monthOf(from), to: monthOf(to) }, days };
    return { months: null, days: [[from, to]] };
  }
  let lower: string | undefined;
  let upper: string | undefined;
  let none = false; // the range's whole months run past the calendar's first or last month
  if (from) {
    if (from === firstDay(monthOf(from))) lower = monthOf(from);
    else {
      days.push([from, lastDay(monthOf(from))]);
      lower = nextMonth(monthOf(from));
      none ||= lower === undefined;
    }
  }
  if (to) {
    if (to === lastDay(monthOf(to))) upper = monthOf(to);
    else {
      days.push([firstDay(monthOf(to)), to]);
      upper = previousMonth(monthOf(to));
      none ||= upper === undefined;
    }
  }
  return { months: none || (lower && upper && lower > upper) ? null : { from: lower, to: upper }, days };
}

const COLUMNS = 'company_id, license_id, destination_country, device_category';

/**
 * The rows an export report aggregates, as a subquery with the rollup's columns (month, dimensions, measures):
 * the rollup's cells for the whole months of the range, plus the recorded shipments of the partial months at
 * its ends (at most two index range scans on shipped_on). Its cost follows the rollup and those days, never
 * the whole shipments table.
 */
export function exportSource(filter: ExportFilter, sql: SqlParams): string {
  const { months, days } = splitRange(filter.from, filter.to);
  const where = (alias: string) => {
    const parts: string[] = [];
    if (filter.companyId) parts.push(`${alias}.company_id = ${sql.p(filter.companyId)}`);
    if (filter.destination) parts.push(`${alias}.destination_country = ${sql.p(filter.destination)}`);
    if (filter.deviceCategory) parts.push(`${alias}.device_category = ${sql.p(filter.deviceCategory)}`);
    return parts;
  };
  const parts: string[] = [];
  if (months) {
    const conditions = where('x');
    if (months.from) conditions.push(`x.month >= ${sql.p(months.from)}`);
    if (months.to) conditions.push(`x.month <= ${sql.p(months.to)}`);
    parts.push(
      `SELECT x.month, x.${COLUMNS.split(', ').join(', x.')}, x.technology, x.hs_code, x.shipments, x.units, x.fob_value_cents, x.shipments_with_fob ` +
        `FROM export_rollup x${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}`,
    );
  }
  if (days.length) {
    const month = shipmentMonthSql(sql.postgres, 's.shipped_on');
    const ranges = days.map(([a, b]) => `s.shipped_on BETWEEN ${sql.p(a)} AND ${sql.p(b)}`).join(' OR ');
    parts.push(
      `SELECT ${month} AS month, s.${COLUMNS.split(', ').join(', s.')}, COALESCE(s.technology, '') AS technology, s.hs_code, 1 AS shipments, s.units, ` +
        `COALESCE(s.fob_value_cents, 0) AS fob_value_cents, CASE WHEN s.fob_value_cents IS NULL THEN 0 ELSE 1 END AS shipments_with_fob ` +
        `FROM shipments s WHERE s.status = 'RECORDED' AND (${ranges})${where('s').map((c) => ` AND ${c}`).join('')}`,
    );
  }
  // An empty range: a source with no rows (the columns still typed for the outer query).
  if (!parts.length) parts.push(`SELECT x.month, x.${COLUMNS.split(', ').join(', x.')}, x.technology, x.hs_code, x.shipments, x.units, x.fob_value_cents, x.shipments_with_fob FROM export_rollup x WHERE 1 = 0`);
  return parts.join(' UNION ALL ');
}

/** A grouping as SQL over the source (alias r, `month` as YYYY-MM text); periods agree with periods.ts `periodsOf`. */
export function dimensionSql(d: Dimension): { select: [string, string][]; group: string[] } {
  const year = 'CAST(substr(r.month, 1, 4) AS INTEGER)';
  const month = 'CAST(substr(r.month, 6, 2) AS INTEGER)';
  switch (d) {
    case 'month':
      return { select: [['r.month', 'month']], group: ['r.month'] };
    case 'year':
      return { select: [['substr(r.month, 1, 4)', 'year']], group: ['substr(r.month, 1, 4)'] };
    case 'quarter': {
      const q = `substr(r.month, 1, 4) || '-Q' || CAST((${month} + 2) / 3 AS VARCHAR(1))`;
      return { select: [[q, 'quarter']], group: [q] };
    }
    case 'fiscalYear': {
      const fy = `(${year} - CASE WHEN ${month} < 7 THEN 1 ELSE 0 END)`;
      return { select: [[fy, 'fiscalYear']], group: [fy] };
    }
    case 'destination':
      return { select: [['r.destination_country', 'destination']], group: ['r.destination_country'] };
    case 'company':
      return { select: [['r.company_id', 'companyId'], ['MAX(c.legal_name)', 'company']], group: ['r.company_id'] };
    case 'license':
      return { select: [['r.license_id', 'licenseId'], ['MAX(l.license_number)', 'licenseNumber']], group: ['r.license_id'] };
    case 'deviceCategory':
      return { select: [['r.device_category', 'deviceCategory']], group: ['r.device_category'] };
    case 'technology':
      return { select: [["NULLIF(r.technology, '')", 'technology']], group: ['r.technology'] };
    case 'hsCode':
      return { select: [['r.hs_code', 'hsCode']], group: ['r.hs_code'] };
  }
}

/**
 * The first and last day with a recorded shipment in the source, for ranges left open: the months come from
 * the source, the days from the shipments of those two months only.
 */
export function spanSql(filter: ExportFilter, sql: SqlParams): string {
  return `SELECT MIN(r.month) AS min, MAX(r.month) AS max FROM (${exportSource(filter, sql)}) r WHERE r.shipments > 0`;
}

export function dayInMonthSql(month: string, edge: 'MIN' | 'MAX', filter: ExportFilter, sql: SqlParams): string {
  const conditions = [`s.status = 'RECORDED'`, `s.shipped_on BETWEEN ${sql.p(firstDay(month))} AND ${sql.p(lastDay(month))}`];
  if (filter.from) conditions.push(`s.shipped_on >= ${sql.p(filter.from)}`);
  if (filter.to) conditions.push(`s.shipped_on <= ${sql.p(filter.to)}`);
  if (filter.companyId) conditions.push(`s.company_id = ${sql.p(filter.companyId)}`);
  if (filter.destination) conditions.push(`s.destination_country = ${sql.p(filter.destination)}`);
  if (filter.deviceCategory) conditions.push(`s.device_category = ${sql.p(filter.deviceCategory)}`);
  // The extreme of the column itself (an index range), formatted after.
  const day = sql.postgres ? `to_char(${edge}(s.shipped_on), 'YYYY-MM-DD')` : `${edge}(s.shipped_on)`;
  return `SELECT ${day} AS day FROM shipments s WHERE ${conditions.join(' AND ')}`;
}
