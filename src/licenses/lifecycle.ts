/**
 * The license lifecycle, as pure functions over a license's events.
 *
 * Status on a date D comes from the last event with effectiveOn <= D (events are appended in effective-date
 * order): none -> NOT_YET_EFFECTIVE; an ACTIVE or SUSPENDED license whose term ended before D -> EXPIRED
 * (expiry is inclusive: a term ending 2031-04-08 is ACTIVE that day and EXPIRED on 2031-04-09).
 */
import { addDays, type CalendarDate, isCalendarDate, LAST_CALENDAR_DATE, termEnd } from '../common/calendar-date.js';

export const LICENSE_TYPES = ['MDM'] as const;
export type LicenseType = (typeof LICENSE_TYPES)[number];

/** The status an event leaves behind (time-independent). */
export const BASE_STATUSES = ['ACTIVE', 'SUSPENDED', 'REVOKED', 'SURRENDERED'] as const;
export type BaseStatus = (typeof BASE_STATUSES)[number];

/** The status of a license on a date. */
export const LICENSE_STATUSES = ['NOT_YET_EFFECTIVE', 'ACTIVE', 'SUSPENDED', 'EXPIRED', 'REVOKED', 'SURRENDERED'] as const;
export type LicenseStatus = (typeof LICENSE_STATUSES)[number];

export const LICENSE_EVENT_TYPES = ['GRANTED', 'AMENDED', 'SUSPENDED', 'REINSTATED', 'RENEWED', 'REVOKED', 'SURRENDERED'] as const;
export type LicenseEventType = (typeof LICENSE_EVENT_TYPES)[number];

/** Lifecycle actions staff record through POST /licenses/{id}/events (GRANTED comes from the grant, AMENDED from PATCH). */
export const LIFECYCLE_ACTIONS = ['SUSPENDED', 'REINSTATED', 'RENEWED', 'REVOKED', 'SURRENDERED'] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

/** MDM Regulations 2021: an authorization is valid for 10 years. */
export const MDM_TERM_YEARS = 10;

/** Which statuses (on the effective date) each event may start from, and the status it leaves. */
export const TRANSITIONS: Record<Exclude<LicenseEventType, 'GRANTED'>, { from: readonly LicenseStatus[]; to: BaseStatus | 'UNCHANGED' }> = {
  AMENDED: { from: ['NOT_YET_EFFECTIVE', 'ACTIVE', 'SUSPENDED', 'EXPIRED', 'REVOKED', 'SURRENDERED'], to: 'UNCHANGED' },
  SUSPENDED: { from: ['ACTIVE'], to: 'SUSPENDED' },
  REINSTATED: { from: ['SUSPENDED'], to: 'ACTIVE' },
  RENEWED: { from: ['ACTIVE', 'SUSPENDED', 'EXPIRED'], to: 'ACTIVE' },
  REVOKED: { from: ['ACTIVE', 'SUSPENDED'], to: 'REVOKED' },
  SURRENDERED: { from: ['ACTIVE', 'SUSPENDED'], to: 'SURRENDERED' },
};

/** The part of an event the lifecycle needs. */
export interface LifecycleStep {
  type: LicenseEventType;
  effectiveOn: CalendarDate;
  statusAfter: BaseStatus;
  expiresOnAfter: CalendarDate;
}

/** Status left by the last step, seen on `date`. */
export function statusFromStep(step: Pick<LifecycleStep, 'statusAfter' | 'expiresOnAfter'> | undefined, date: CalendarDate): LicenseStatus {
  if (!step) return 'NOT_YET_EFFECTIVE';
  if ((step.statusAfter === 'ACTIVE' || step.statusAfter === 'SUSPENDED') && step.expiresOnAfter < date) return 'EXPIRED';
  return step.statusAfter;
}

/**
 * The last status-bearing step in force on `date` (steps in seq order). AMENDED steps only record changed
 * details: they never decide a status, and may sit anywhere in time.
 */
export function stepOn(steps: readonly LifecycleStep[], date: CalendarDate): LifecycleStep | undefined {
  let found: LifecycleStep | undefined;
  for (const s of steps) if (s.type !== 'AMENDED' && s.effectiveOn <= date) found = s;
  return found;
}

export function statusOn(steps: readonly LifecycleStep[], date: CalendarDate): LicenseStatus {
  return statusFromStep(stepOn(steps, date), date);
}

/**
 * The term end in force on `date`: that of the last step in force then or, before the grant takes effect, the
 * granted term's end. Undefined only for no steps (a license always has its GRANTED step).
 */
export function termEndOn(steps: readonly LifecycleStep[], date: CalendarDate): CalendarDate | undefined {
  return (stepOn(steps, date) ?? steps[0])?.expiresOnAfter;
}

/** The first step: a grant on issuedOn, for a term ending expiresOn (default issuedOn + 10 years - 1 day). */
export function grantStep(issuedOn: CalendarDate, expiresOn?: CalendarDate): LifecycleStep {
  return { type: 'GRANTED', effectiveOn: issuedOn, statusAfter: 'ACTIVE', expiresOnAfter: expiresOn ?? defaultTermEnd(issuedOn, 'issuedOn') };
}

/**
 * The end of a default (MDM_TERM_YEARS) term from `start`. Throws TransitionError INVALID_TERM naming `field` when
 * it would end after 9999-12-31 (LAST_CALENDAR_DATE), the last day a calendar date here can have.
 */
function defaultTermEnd(start: CalendarDate, field: string): CalendarDate {
  let end: CalendarDate | undefined;
  try {
    end = termEnd(start, MDM_TERM_YEARS);
  } catch {
    end = undefined; // past year 9999: not a calendar date
  }
  if (!isCalendarDate(end)) {
    throw new TransitionError('INVALID_TERM', `a ${MDM_TERM_YEARS}-year term from ${start} would end after 9999-12-31; give the term's end`, undefined, field);
  }
  return end;
}

/** Why a step cannot be appended: `code` is the problem code, `status` the license's status on the date. */
export class TransitionError extends Error {
  constructor(
    readonly code: 'TRANSITION_NOT_ALLOWED' | 'EVENT_OUT_OF_ORDER' | 'INVALID_TERM',
    message: string,
    readonly status?: LicenseStatus,
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * Checks that `type` may happen on `effectiveOn` after `steps`, and returns the step to append.
 * RENEWED takes the new term end `newExpiresOn`; by default the next 10-year term, starting the day after
 * the current term ends or on effectiveOn if that is later (a renewal after expiry starts a fresh term).
 * Throws TransitionError naming the status on that date.
 */
export function nextStep(
  steps: readonly LifecycleStep[],
  type: Exclude<LicenseEventType, 'GRANTED'>,
  effectiveOn: CalendarDate,
  newExpiresOn?: CalendarDate,
): LifecycleStep {
  const current = stepOn(steps, effectiveOn);
  const status = statusFromStep(current, effectiveOn);
  const rule = TRANSITIONS[type];
  const refuse = () => {
    throw new TransitionError(
      'TRANSITION_NOT_ALLOWED',
      `${type} is not allowed: on ${effectiveOn} the license is ${status}; ${type} needs a license that is ${rule.from.join(' or ')}`,
      status,
    );
  };
  if (type === 'AMENDED') {
    const base = current ?? steps[0];
    return { type, effectiveOn, statusAfter: base.statusAfter, expiresOnAfter: base.expiresOnAfter };
  }
  if (!current) return refuse();
  const last = steps.filter((s) => s.type !== 'AMENDED').at(-1)!;
  if (effectiveOn < last.effectiveOn) {
    throw new TransitionError(
      'EVENT_OUT_OF_ORDER',
      `effectiveOn ${effectiveOn} is before the license's last event (${last.type} on ${last.effectiveOn}); events are recorded in effective-date order`,
      undefined,
      'effectiveOn',
    );
  }
  if (!rule.from.includes(status)) return refuse();
  let expiresOnAfter = current.expiresOnAfter;
  if (type === 'RENEWED') {
    if (current.expiresOnAfter === LAST_CALENDAR_DATE) {
      // No day follows it: no later term can end.
      throw new TransitionError('INVALID_TERM', `the term already ends on ${LAST_CALENDAR_DATE}, the last day a calendar date can have; it cannot be renewed`, status, 'data.expiresOn');
    }
    const start = addDays(current.expiresOnAfter, 1) > effectiveOn ? addDays(current.expiresOnAfter, 1) : effectiveOn;
    expiresOnAfter = newExpiresOn ?? defaultTermEnd(start, 'data.expiresOn');
    if (expiresOnAfter <= current.expiresOnAfter || expiresOnAfter < effectiveOn) {
      throw new TransitionError(
        'INVALID_TERM',
        `the renewed term must end after the current term (${current.expiresOnAfter}) and on or after effectiveOn (${effectiveOn}); got ${expiresOnAfter}`,
        status,
        'data.expiresOn',
      );
    }
  }
  return {
    type,
    effectiveOn,
    statusAfter: rule.to as BaseStatus,
    expiresOnAfter,
  };
}
