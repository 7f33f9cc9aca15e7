/**
 * License conditions (obligations) as pure functions: due dates from a license's issue date, the limit of an
 * extension, and an obligation's status on a date, computed like a license's status (licenses/lifecycle.ts):
 * only from the facts dated on or before that day, so `?on=` works into the past and the future.
 *
 * Due dates follow the license term's rule: an offset of PnY or PnM from the issue date ends, inclusive, the day
 * before the same day n years or months later (29 February and month ends roll over to the 1st, then one day back).
 * A license issued 2021-04-09 has its P1Y conditions due 2022-04-08 (the last day to meet them) and OVERDUE from
 * 2022-04-09; one issued 2024-02-29 has them due 2025-02-28.
 */
import { addDays, addYears, type CalendarDate, LAST_CALENDAR_DATE } from '../common/calendar-date.js';

export const OBLIGATION_KINDS = ['PERCENT_TARGET', 'CERTIFICATE', 'RECURRING_REPORT', 'DECLARATION'] as const;
export type ObligationKind = (typeof OBLIGATION_KINDS)[number];

export const OBLIGATION_STATUSES = ['PENDING', 'MET', 'OVERDUE', 'EXTENDED', 'WAIVED'] as const;
export type ObligationStatus = (typeof OBLIGATION_STATUSES)[number];

export const OBLIGATION_DECISIONS = ['ACCEPT', 'REJECT', 'EXTEND', 'WAIVE'] as const;
export type ObligationDecisionType = (typeof OBLIGATION_DECISIONS)[number];

/** An extension may move a due date at most this many years past the original one (MDM Regulations 2021, as reported). */
export const MAX_EXTENSION_YEARS = 2;

/** An offset from the issue date: `P1Y`, `P2Y`, `P3M` (whole years or months, at least one). */
export const OFFSET_RE = /^P([1-9]\d{0,1})([YM])$/;

/** Months in an offset (`P1Y` 12, `P3M` 3); throws on anything else. */
export function offsetMonths(offset: string): number {
  const m = OFFSET_RE.exec(offset);
  if (!m) throw new Error(`not an offset: ${offset}`);
  return Number(m[1]) * (m[2] === 'Y' ? 12 : 1);
}

/**
 * Adds whole months; a day the target month lacks (31st, 29 February) becomes the 1st of the next month, like addYears.
 * Past 9999-12-31 (the last calendar date) it gives the day after it, `10000-01-01`, which no caller keeps.
 */
export function addMonths(date: CalendarDate, months: number): CalendarDate {
  const total = Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1 + months;
  const year = Math.floor(total / 12);
  if (year > 9999) return '10000-01-01';
  const month = (total % 12) + 1;
  const day = Number(date.slice(8, 10));
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return day > last ? addDays(`${pad(year, 4)}-${pad(month)}-${pad(last)}`, 1) : `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** The last day of a condition due `months` after `issuedOn`: issuedOn + months - 1 day (as a term ends). */
export function dueOnAfter(issuedOn: CalendarDate, months: number): CalendarDate {
  const next = addMonths(issuedOn, months);
  // Nothing is due after the last calendar date: a condition that would be is due on it.
  return next > LAST_CALENDAR_DATE || next.length > 10 ? LAST_CALENDAR_DATE : addDays(next, -1);
}

/** The latest date an extension may give: the original due date + MAX_EXTENSION_YEARS (2022-04-08 -> 2024-04-08). */
export function extensionLimit(originalDueOn: CalendarDate): CalendarDate {
  const limit = Number(originalDueOn.slice(0, 4)) + MAX_EXTENSION_YEARS > 9999 ? LAST_CALENDAR_DATE : addYears(originalDueOn, MAX_EXTENSION_YEARS);
  return limit;
}

/**
 * The periods of a recurring report from `issuedOn`, every `periodMonths`, while the license's term lasts: period k
 * starts issuedOn + (k-1) periods and its report is due the day before the next period starts.
 */
export function reportPeriods(issuedOn: CalendarDate, periodMonths: number, termEndsOn: CalendarDate): { period: number; startsOn: CalendarDate; dueOn: CalendarDate }[] {
  const periods: { period: number; startsOn: CalendarDate; dueOn: CalendarDate }[] = [];
  for (let k = 1; ; k++) {
    const startsOn = addMonths(issuedOn, (k - 1) * periodMonths);
    if (startsOn.length > 10 || startsOn > termEndsOn || k > 1000) break;
    periods.push({ period: k, startsOn, dueOn: dueOnAfter(issuedOn, k * periodMonths) });
  }
  return periods;
}

/** What the status of an obligation is computed from. */
export interface ObligationFacts {
  kind: ObligationKind;
  /** PERCENT_TARGET: the target in hundredths of a percent (10% = 1000). */
  targetHundredths: number | null;
  dueOn: CalendarDate;
  submissions: readonly { id: string; submittedOn: CalendarDate; valueHundredths: number | null }[];
  /** In the order they were made. */
  decisions: readonly { decision: ObligationDecisionType; decidedOn: CalendarDate; submissionId: string | null; newDueOn: CalendarDate | null }[];
}

export interface ObligationState {
  status: ObligationStatus;
  /** The due date in force on the day (the last extension's, else the original). */
  dueOn: CalendarDate;
  /** EXTENDED: until this day (inclusive). */
  extendedUntil: CalendarDate | null;
  /** OVERDUE: days since the due date in force. */
  daysOverdue: number | null;
  /** MET: the accepted submission that met it. */
  metBy: string | null;
}

/** Whole days from `a` to `b`. */
export function daysBetween(a: CalendarDate, b: CalendarDate): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/**
 * Status on `on`, from the decisions made on or before it: WAIVED once waived; MET once a submission is accepted
 * that meets it (a PERCENT_TARGET's reported value reaching the target; any accepted evidence for the other kinds);
 * otherwise PENDING up to the due date in force, EXTENDED up to an extension's new due date, OVERDUE after it.
 */
export function obligationStatusOn(facts: ObligationFacts, on: CalendarDate): ObligationState {
  const known = facts.decisions.filter((d) => d.decidedOn <= on);
  let dueOn = facts.dueOn;
  let extended = false;
  for (const d of known) {
    if (d.decision === 'EXTEND' && d.newDueOn) {
      dueOn = d.newDueOn;
      extended = true;
    }
  }
  const base = { dueOn, extendedUntil: null, daysOverdue: null, metBy: null };
  if (known.some((d) => d.decision === 'WAIVE')) return { ...base, status: 'WAIVED' };
  const met = known.find((d) => {
    if (d.decision !== 'ACCEPT' || !d.submissionId) return false;
    const s = facts.submissions.find((x) => x.id === d.submissionId);
    if (!s) return false;
    return facts.kind !== 'PERCENT_TARGET' || (s.valueHundredths !== null && facts.targetHundredths !== null && s.valueHundredths >= facts.targetHundredths);
  });
  if (met) return { ...base, status: 'MET', metBy: met.submissionId };
  if (on <= dueOn) return extended ? { ...base, status: 'EXTENDED', extendedUntil: dueOn } : { ...base, status: 'PENDING' };
  return { ...base, status: 'OVERDUE', daysOverdue: daysBetween(dueOn, on) };
}

/** Hundredths of a percent from a decimal string `0`-`100` with at most 2 decimals (`12.5` -> 1250); undefined if not one. */
export function percentHundredths(value: string): number | undefined {
  const m = /^(0|[1-9]\d{0,2})(?:\.(\d{1,2}))?$/.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return n <= 10_000 ? n : undefined;
}

/** `1250` -> `12.5`. */
export function percentText(hundredths: number): string {
  const whole = Math.floor(hundredths / 100);
  const frac = hundredths % 100;
  return frac === 0 ? String(whole) : `${whole}.${String(frac).padStart(2, '0').replace(/0$/, '')}`;
}
