import { isCalendarDate } from '../common/calendar-date.js';
import { isMoney } from '../common/money.js';

/**
 * Reading spreadsheet cells without guessing. A value that could mean two things is an error that
 * names it, never a guess: the source article's "55,00" smartphones must not become 55 or 5500.
 */
export type Cell<T> = { value: T } | { error: string };

const show = (raw: string) => JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}...` : raw);

/** Units: `5500` or `5,500` (comma thousands in groups of three). Not `55,00`, `5.500`, `5500.0`, `5.5e3`, `-5`, empty. */
export function parseUnits(raw: string): Cell<number> {
  const v = raw.trim();
  if (v === '') return { error: 'is empty; give a whole number of devices' };
  // No leading zeros: "0,500" could be a decimal comma, "005500" a mangled code.
  if (/^[1-9]\d*$/.test(v) || /^[1-9]\d{0,2}(,\d{3})+$/.test(v)) {
    const n = Number(v.replace(/,/g, ''));
    if (Number.isSafeInteger(n)) return { value: n };
  }
  return { error: `${show(v)} is not an unambiguous whole number of devices (write 5500 or 5,500)` };
}

/** Money (USD): `1234.56` or `1,234.56`. Not `1.234,56`, `1234,56`, `$10`, `-1`. Empty = not given. */
export function parseMoney(raw: string): Cell<string | undefined> {
  const v = raw.trim();
  if (v === '') return { value: undefined };
  const plain = /^\d{1,3}(,\d{3})+(\.\d{1,2})?$/.test(v) ? v.replace(/,/g, '') : v;
  if (isMoney(plain)) return { value: plain };
  return { error: `${show(v)} is not an unambiguous USD amount (write 1234.56 or 1,234.56)` };
}

/** Dates: only `YYYY-MM-DD`. Not `13/08/2021`, `08/13/2021`, `44421` (a spreadsheet serial). */
export function parseDate(raw: string): Cell<string> {
  const v = raw.trim();
  if (isCalendarDate(v)) return { value: v };
  if (/^\d{5}$/.test(v)) return { error: `${show(v)} looks like a spreadsheet date serial; write the date as YYYY-MM-DD` };
  return { error: `${show(v)} is not a date YYYY-MM-DD` };
}
