/**
 * Calendar dates (`YYYY-MM-DD`, a day, not an instant), as plain strings everywhere: in the API, in the
 * database (SQLite TEXT, PostgreSQL `date` read back as text) and in code, so no time zone can shift them.
 * Strings of this form compare correctly with < and >.
 */
export type CalendarDate = string;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The last calendar date: years have four digits. */
export const LAST_CALENDAR_DATE: CalendarDate = '9999-12-31';

/** True for a real date `YYYY-MM-DD` (rejects `2021-02-30`, `2024`, `2021-4-9`, year 0000). */
export function isCalendarDate(value: unknown): value is CalendarDate {
  if (typeof value !== 'string') return false;
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysInMonth(y, mo);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function parts(date: CalendarDate): [number, number, number] {
  const m = DATE_RE.exec(date);
  if (!m) throw new Error(`not a calendar date: ${date}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function format(y: number, m: number, d: number): CalendarDate {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Adds days (may be negative). */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  const [y, m, d] = parts(date);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return format(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/**
 * Adds whole years. 29 February becomes 1 March in a non-leap year, so a term from 2024-02-29 runs its full
 * length: 10 years end on 2034-02-28 (2034-03-01 minus one day), one day after a term from 2024-02-28.
 */
export function addYears(date: CalendarDate, years: number): CalendarDate {
  const [y, m, d] = parts(date);
  const ny = y + years;
  return d > daysInMonth(ny, m) ? format(ny, m + 1, 1) : format(ny, m, d);
}

/**
 * The end of a term of `years` starting on `start`, inclusive: start + years - 1 day.
 * MDM Regulations 2021: an authorization is valid for 10 years, so 2021-04-09 runs to 2031-04-08.
 */
export function termEnd(start: CalendarDate, years: number): CalendarDate {
  return addDays(addYears(start, years), -1);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar day it is now in `timeZone` (the regulator's "today"). */
export function todayIn(timeZone: string, now: Date = new Date()): CalendarDate {
  let format = formatters.get(timeZone);
  if (!format) {
    // en-CA formats as YYYY-MM-DD. Building a formatter is slow; one per time zone is kept.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, format);
  }
  return format.format(now);
}
