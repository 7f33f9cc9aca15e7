import { describe, expect, it } from 'vitest';
import { addMonths, dueOnAfter, extensionLimit, obligationStatusOn, percentHundredths, percentText, reportPeriods } from '../../src/obligations/obligation-rules.js';

describe('due dates: the day before the same day n months or years after the issue date (like a term end)', () => {
  it('P1Y and P2Y from 2021-04-09', () => {
    expect(dueOnAfter('2021-04-09', 12)).toBe('2022-04-08');
    expect(dueOnAfter('2021-04-09', 24)).toBe('2023-04-08');
  });
  it('from 29 February: P1Y ends 28 February; P4Y ends 28 February of the next leap year', () => {
    expect(dueOnAfter('2024-02-29', 12)).toBe('2025-02-28');
    expect(dueOnAfter('2024-02-29', 48)).toBe('2028-02-28');
    expect(dueOnAfter('2024-02-28', 12)).toBe('2025-02-27');
  });
  it('month ends roll over like addYears (31 January + 1 month = 1 March in 2021)', () => {
    expect(addMonths('2021-01-31', 1)).toBe('2021-03-01');
    expect(addMonths('2021-11-30', 3)).toBe('2022-03-01');
    expect(addMonths('2021-12-15', 1)).toBe('2022-01-15');
    expect(dueOnAfter('2021-01-31', 3)).toBe('2021-04-30');
  });
  it('nothing is due after 9999-12-31: due dates, periods and the extension limit stop there', () => {
    expect(dueOnAfter('9999-06-01', 12)).toBe('9999-12-31');
    expect(dueOnAfter('9998-12-31', 12)).toBe('9999-12-30');
    expect(reportPeriods('9999-06-01', 3, '9999-12-31').map((p) => p.dueOn)).toEqual(['9999-08-31', '9999-11-30', '9999-12-31']);
    expect(extensionLimit('9998-06-01')).toBe('9999-12-31');
  });
  it('the extension limit is 2 years after the original due date', () => {
    expect(extensionLimit('2022-04-08')).toBe('2024-04-08');
    expect(extensionLimit('2024-02-29')).toBe('2026-03-01');
  });
  it('quarterly periods while the term lasts', () => {
    const periods = reportPeriods('2021-04-09', 3, '2022-04-08');
    expect(periods).toEqual([
      { period: 1, startsOn: '2021-04-09', dueOn: '2021-07-08' },
      { period: 2, startsOn: '2021-07-09', dueOn: '2021-10-08' },
      { period: 3, startsOn: '2021-10-09', dueOn: '2022-01-08' },
      { period: 4, startsOn: '2022-01-09', dueOn: '2022-04-08' },
    ]);
  });
});

describe('status on a day', () => {
  const base = { kind: 'PERCENT_TARGET' as const, targetHundredths: 1000, dueOn: '2022-04-08', submissions: [{ id: 's', submittedOn: '2022-03-01', valueHundredths: 1200 }] };
  it('PENDING through the due date, OVERDUE after, with days overdue', () => {
    expect(obligationStatusOn({ ...base, decisions: [] }, '2022-04-08').status).toBe('PENDING');
    expect(obligationStatusOn({ ...base, decisions: [] }, '2022-04-10')).toMatchObject({ status: 'OVERDUE', daysOverdue: 2 });
  });
  it('MET from the day a submission reaching the target is accepted; one below it does not meet it', () => {
    const decisions = [{ decision: 'ACCEPT' as const, decidedOn: '2022-03-05', submissionId: 's', newDueOn: null }];
    expect(obligationStatusOn({ ...base, decisions }, '2022-03-04').status).toBe('PENDING');
    expect(obligationStatusOn({ ...base, decisions }, '2022-03-05')).toMatchObject({ status: 'MET', metBy: 's' });
    const low = { ...base, submissions: [{ ...base.submissions[0], valueHundredths: 999 }] };
    expect(obligationStatusOn({ ...low, decisions }, '2022-04-09').status).toBe('OVERDUE');
  });
  it('EXTENDED until the new due date, then OVERDUE; WAIVED wins', () => {
    const decisions = [{ decision: 'EXTEND' as const, decidedOn: '2022-04-10', submissionId: null, newDueOn: '2023-04-08' }];
    expect(obligationStatusOn({ ...base, decisions }, '2022-04-09').status).toBe('OVERDUE');
    expect(obligationStatusOn({ ...base, decisions }, '2023-04-08')).toMatchObject({ status: 'EXTENDED', extendedUntil: '2023-04-08' });
    expect(obligationStatusOn({ ...base, decisions }, '2023-04-09')).toMatchObject({ status: 'OVERDUE', daysOverdue: 1 });
    expect(obligationStatusOn({ ...base, decisions: [...decisions, { decision: 'WAIVE', decidedOn: '2023-01-01', submissionId: null, newDueOn: null }] }, '2024-01-01').status).toBe('WAIVED');
  });
});

describe('percentages', () => {
  it('hundredths from decimal strings, 0 to 100', () => {
    expect(percentHundredths('12')).toBe(1200);
    expect(percentHundredths('12.5')).toBe(1250);
    expect(percentHundredths('0.05')).toBe(5);
    expect(percentHundredths('100')).toBe(10000);
    expect(percentHundredths('100.01')).toBeUndefined();
    expect(percentHundredths('1e1')).toBeUndefined();
    expect(percentText(1250)).toBe('12.5');
    expect(percentText(5)).toBe('0.05');
    expect(percentText(1000)).toBe('10');
  });
});
