import { describe, expect, it } from 'vitest';
import {
  grantStep,
  type LicenseStatus,
  LIFECYCLE_ACTIONS,
  type LifecycleStep,
  nextStep,
  statusOn,
  termEndOn,
  TRANSITIONS,
  TransitionError,
} from '../../src/licenses/lifecycle.js';
import { isLicenseNumber } from '../../src/licenses/license-number.js';

const granted = [grantStep('2021-04-09')];

/** Steps that leave a license in `status` on 2025-06-01 (issued 2021-04-09, term to 2031-04-08 unless expired). */
function licenseIn(status: LicenseStatus): { steps: LifecycleStep[]; on: string } {
  const on = '2025-06-01';
  switch (status) {
    case 'NOT_YET_EFFECTIVE':
      return { steps: [grantStep('2026-01-01')], on };
    case 'ACTIVE':
      return { steps: granted, on };
    case 'EXPIRED':
      return { steps: [grantStep('2021-04-09', '2024-12-31')], on };
    default: {
      const verb = status as 'SUSPENDED' | 'REVOKED' | 'SURRENDERED';
      return { steps: [...granted, nextStep(granted, verb, '2025-01-01')], on };
    }
  }
}

describe('license lifecycle', () => {
  it('a grant defaults to a 10-year term ending the day before the anniversary (MDM Regulations 2021)', () => {
    expect(grantStep('2021-04-09')).toEqual({ type: 'GRANTED', effectiveOn: '2021-04-09', statusAfter: 'ACTIVE', expiresOnAfter: '2031-04-08' });
    expect(grantStep('2024-02-29').expiresOnAfter).toBe('2034-02-28'); // the full ten years: 2034-03-01 minus a day
    expect(grantStep('2024-02-28').expiresOnAfter).toBe('2034-02-27');
    expect(grantStep('2024-03-01').expiresOnAfter).toBe('2034-02-28');
  });

  it('is NOT_YET_EFFECTIVE before issuedOn, ACTIVE from issuedOn to expiresOn inclusive, EXPIRED after', () => {
    expect(statusOn(granted, '2021-04-08')).toBe('NOT_YET_EFFECTIVE');
    expect(statusOn(granted, '2021-04-09')).toBe('ACTIVE');
    expect(statusOn(granted, '2031-04-08')).toBe('ACTIVE');
    expect(statusOn(granted, '2031-04-09')).toBe('EXPIRED');
  });

  // The whole transition table (TRANSITIONS in lifecycle.ts): every action from every status.
  const statuses: LicenseStatus[] = ['NOT_YET_EFFECTIVE', 'ACTIVE', 'SUSPENDED', 'EXPIRED', 'REVOKED', 'SURRENDERED'];
  const expected: Record<string, LicenseStatus[]> = {
    SUSPENDED: ['ACTIVE'],
    REINSTATED: ['SUSPENDED'],
    RENEWED: ['ACTIVE', 'SUSPENDED', 'EXPIRED'],
    REVOKED: ['ACTIVE', 'SUSPENDED'],
    SURRENDERED: ['ACTIVE', 'SUSPENDED'],
  };
  for (const action of LIFECYCLE_ACTIONS) {
    for (const from of statuses) {
      const allowed = expected[action].includes(from);
      it(`${action} from ${from} is ${allowed ? 'allowed' : 'refused'}`, () => {
        const { steps, on } = licenseIn(from);
        expect(statusOn(steps, on)).toBe(from);
        if (allowed) {
          const step = nextStep(steps, action, on);
          const to = TRANSITIONS[action].to;
          expect(step.statusAfter).toBe(to);
          expect(statusOn([...steps, step], on)).toBe(to === 'UNCHANGED' ? from : to);
        } else {
          let error: unknown;
          try {
            nextStep(steps, action, on);
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(TransitionError);
          expect((error as TransitionError).code).toBe('TRANSITION_NOT_ALLOWED');
          expect((error as TransitionError).status).toBe(from);
          expect((error as TransitionError).message).toContain(from);
        }
      });
    }
  }

  it('suspension then reinstatement: SUSPENDED between, ACTIVE after', () => {
    const s1 = [...granted, nextStep(granted, 'SUSPENDED', '2022-03-01')];
    const s2 = [...s1, nextStep(s1, 'REINSTATED', '2022-04-01')];
    expect(statusOn(s2, '2022-02-28')).toBe('ACTIVE');
    expect(statusOn(s2, '2022-03-01')).toBe('SUSPENDED');
    expect(statusOn(s2, '2022-03-31')).toBe('SUSPENDED');
    expect(statusOn(s2, '2022-04-01')).toBe('ACTIVE');
  });

  it('a suspended license whose term ends is EXPIRED; renewal makes it ACTIVE with the next term', () => {
    const s1 = [...granted, nextStep(granted, 'SUSPENDED', '2031-01-01')];
    expect(statusOn(s1, '2031-04-09')).toBe('EXPIRED');
    expect(() => nextStep(s1, 'REINSTATED', '2031-05-01')).toThrow(/EXPIRED/);
    const renewal = nextStep(s1, 'RENEWED', '2031-05-01');
    expect(renewal.expiresOnAfter).toBe('2041-04-30'); // renewed after expiry: a fresh term from effectiveOn
    expect(statusOn([...s1, renewal], '2031-04-30')).toBe('EXPIRED');
    expect(statusOn([...s1, renewal], '2031-05-01')).toBe('ACTIVE');
  });

  it('renewal before expiry continues the term; an explicit end must extend it', () => {
    expect(nextStep(granted, 'RENEWED', '2031-01-15').expiresOnAfter).toBe('2041-04-08');
    expect(nextStep(granted, 'RENEWED', '2031-01-15', '2036-04-08').expiresOnAfter).toBe('2036-04-08');
    expect(() => nextStep(granted, 'RENEWED', '2031-01-15', '2031-04-08')).toThrow(TransitionError);
    expect(() => nextStep(granted, 'RENEWED', '2031-01-15', '2030-01-01')).toThrow(/must end after/);
  });

  it('revocation and surrender are terminal', () => {
    for (const verb of ['REVOKED', 'SURRENDERED'] as const) {
      const s = [...granted, nextStep(granted, verb, '2023-01-01')];
      expect(statusOn(s, '2040-01-01')).toBe(verb); // never EXPIRED: terminal
      for (const action of LIFECYCLE_ACTIONS) expect(() => nextStep(s, action, '2023-06-01')).toThrow(TransitionError);
    }
  });

  it('events must be appended in effective-date order', () => {
    const s = [...granted, nextStep(granted, 'SUSPENDED', '2023-01-01')];
    expect(() => nextStep(s, 'REINSTATED', '2022-12-31')).toThrow(expect.objectContaining({ code: 'EVENT_OUT_OF_ORDER' }));
    expect(nextStep(s, 'REINSTATED', '2023-01-01').statusAfter).toBe('ACTIVE'); // same day is fine
  });

  it('an amendment keeps the status and the term', () => {
    const s = [...granted, nextStep(granted, 'SUSPENDED', '2023-01-01')];
    const amended = nextStep(s, 'AMENDED', '2023-02-01');
    expect(amended).toMatchObject({ statusAfter: 'SUSPENDED', expiresOnAfter: '2031-04-08' });
  });
});

describe('term end in force on a day (termEndOn)', () => {
  it('is the granted term before the grant takes effect and while granted, the renewed term after a renewal', () => {
    const grant = [grantStep('2021-04-09')];
    const renewed = [...grant, nextStep(grant, 'RENEWED', '2031-01-01')];
    expect(termEndOn(renewed, '2020-01-01')).toBe('2031-04-08');
    expect(termEndOn(renewed, '2025-06-01')).toBe('2031-04-08');
    expect(termEndOn(renewed, '2031-01-01')).toBe(renewed[1].expiresOnAfter);
    expect(renewed[1].expiresOnAfter > '2031-04-08').toBe(true);
    expect(termEndOn([], '2025-06-01')).toBeUndefined();
  });
});

describe('license numbers (one rule for staff input and public look-ups)', () => {
  it.each(['MDM-2021-0001', 'A', 'PTA/MDM (2)', 'x1.2'])('accepts %s', (n) => expect(isLicenseNumber(n)).toBe(true));
  it.each(['', '-A', 'MDM-2021-', 'MDM 2021 ', 'MDM_2021', 'A'.repeat(101)])('refuses %j', (n) => expect(isLicenseNumber(n)).toBe(false));
});
