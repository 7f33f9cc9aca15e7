import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/common/calendar-date.js';
import { LIFECYCLE_ACTIONS, type LifecycleStep, statusOn, TRANSITIONS } from '../../src/licenses/lifecycle.js';
import { statusOnSql } from '../../src/licenses/status-sql.js';
import { dimensionSql } from '../../src/shipments/export-source.js';
import { fiscalYearLabel, periodsOf } from '../../src/reports/periods.js';
import { shipmentMonthSql } from '../../src/shipments/export-rollup.js';
import { startApp, type TestApp } from '../support/app.js';
import { event, makeCompany, makeLicense } from '../support/factories.js';

/** A small deterministic generator (mulberry32), so a failure can be replayed from its seed. */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] };
}

// The status of a license on a day exists twice: in JS (licenses/lifecycle.ts), for answers, and in SQL
// (licenses/status-sql.ts), for filters and reports. On random histories, recorded through the API (which keeps
// only the valid ones), both give the same status on every day tried.
describe('the SQL status on a day agrees with the lifecycle on random histories', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
    // Events may not be dated after today: the registry's today is set past every day made here.
    t.setToday('2045-01-01');
  });
  afterAll(() => t?.close());

  it('for 8 licenses with up to 8 random events each, on 40 random days each', async () => {
    const r = random(20261130);
    const company = await makeCompany(t);
    const reader = t.app.get(DataSource);
    let compared = 0;
    let recorded = 0;
    for (let n = 0; n < 8; n++) {
      const issuedOn = addDays('2021-01-25', r.int(2500));
      const license = await makeLicense(t, { companyId: company.id, issuedOn, ...(r.next() < 0.3 ? { expiresOn: addDays(issuedOn, 365 + r.int(2000)) } : {}) });
      const eventsOf = async (): Promise<LifecycleStep[]> => (await t.http.get(`/api/v1/licenses/${license.id}/events`).expect(200)).body.items;
      let day = issuedOn;
      for (let k = 0; k < 8; k++) {
        day = addDays(day, r.next() < 0.1 ? -r.int(200) : 1 + r.int(900)); // now and then back-dated
        // Mostly an action the status on that day allows, rarely one that ends the license; now and then any (the
        // API refuses it, leaving no trace).
        const status = statusOn(await eventsOf(), day);
        const allowed = LIFECYCLE_ACTIONS.filter((a) => TRANSITIONS[a].from.includes(status));
        const gentle = allowed.filter((a) => a !== 'REVOKED' && a !== 'SURRENDERED'); // the end of a history
        const p = r.next();
        const action = gentle.length && p < 0.75 ? r.pick(gentle) : allowed.length && p < 0.9 ? r.pick(allowed) : r.pick(LIFECYCLE_ACTIONS);
        await event(t, license.id, action, day);
      }
      const events = await eventsOf();
      recorded += events.length - 1;
      for (let d = 0; d < 40; d++) {
        const on = addDays(issuedOn, r.int(6000) - 500);
        // Literals (an id and a day made here): the expression names the day several times.
        const [row] = await reader.query(`SELECT ${statusOnSql(`'${license.id}'`, `'${on}'`)} AS status`);
        expect(row.status, `${license.licenseNumber} on ${on}: ${JSON.stringify(events)}`).toBe(statusOn(events, on));
        compared++;
      }
    }
    expect(compared).toBe(320);
    expect(recorded).toBeGreaterThan(24); // histories, not just grants
  });

  // Report periods exist twice too: keys in SQL (reports/export-source.ts, over the rollup's month, itself from the
  // shipment's day) and in JS (reports/periods.ts, for the zero rows of empty periods). On every month of 2020-2031
  // and random days of years 1-9999, both give the same month, quarter, calendar year and fiscal year.
  it('the SQL period keys of a day agree with periodsOf', async () => {
    const r = random(1130);
    const reader = t.app.get(DataSource);
    const pg = reader.options.type === 'postgres';
    const days: string[] = [];
    for (let y = 2020; y <= 2031; y++) for (let m = 1; m <= 12; m++) days.push(`${y}-${String(m).padStart(2, '0')}-${String(1 + r.int(28)).padStart(2, '0')}`);
    for (let i = 0; i < 60; i++) days.push(`${String(1 + r.int(9999)).padStart(4, '0')}-${String(1 + r.int(12)).padStart(2, '0')}-${String(1 + r.int(28)).padStart(2, '0')}`);
    const keys = (['month', 'quarter', 'year', 'fiscalYear'] as const).map((d) => `${dimensionSql(d).select[0][0]} AS "${d}"`);
    const day = pg ? 'CAST($1 AS date)' : '$1';
    const sql = `SELECT ${keys.join(', ')} FROM (SELECT ${shipmentMonthSql(pg, 'd.day')} AS month FROM (SELECT ${day} AS day) d) r`;
    for (const d of days) {
      const [row] = await reader.query(pg ? sql : sql.replace('$1', '?'), [d]);
      expect({ month: row.month, quarter: row.quarter, year: String(row.year), fiscalYear: fiscalYearLabel(Number(row.fiscalYear)) }, d).toEqual(periodsOf(d));
    }
  });
});
