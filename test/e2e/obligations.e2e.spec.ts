import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Obligations1765800000000 } from '../../migrations/1765800000000-Obligations.js';
import { migrations } from '../../migrations/index.js';
import { runCli } from '../../src/cli/commands.js';
import { loadConfig } from '../../src/config/config.js';
import { buildDataSourceOptions } from '../../src/database/data-source.options.js';
import { createDatabase, engine, startApp, testLogEnv, type TestApp } from '../support/app.js';
import { event, makeLicense } from '../support/factories.js';

interface Obligation {
  id: string;
  code: string;
  period: number;
  startsOn: string;
  dueOn: string;
  originalDueOn: string;
  status: string;
  extendedUntil: string | null;
  daysOverdue: number | null;
  version: number;
  submissions: { id: string; reportedValue: string | null }[];
}

const obligations = async (t: TestApp, licenseId: string, on: string) =>
  (await t.http.get(`/api/v1/licenses/${licenseId}/obligations?on=${on}`).expect(200)).body as { counts: Record<string, number>; items: Obligation[] };
const one = async (t: TestApp, licenseId: string, on: string, code: string, period = 0) =>
  (await obligations(t, licenseId, on)).items.find((o) => o.code === code && o.period === period)!;

function decide(t: TestApp, licenseId: string, o: Obligation, body: Record<string, unknown>) {
  return t.as('ADMIN').post(`/api/v1/licenses/${licenseId}/obligations/${o.id}/decisions`).set('If-Match', `"${o.version}"`).send(body);
}

describe('license conditions of the reference data (Inovi Telecom, issued 2021-04-09)', () => {
  let t: TestApp;
  let inovi: string;
  beforeAll(async () => {
    t = await startApp({ seed: true });
    const licenses = (await t.http.get('/api/v1/licenses').expect(200)).body.items as { id: string; licensee: string }[];
    inovi = licenses.find((l) => l.licensee.startsWith('Inovi'))!.id;
  });
  afterAll(() => t?.close());

  it('the seeded catalog: version 1, from 2021-01-25, every condition sourced and marked as reported', async () => {
    const { items } = (await t.as('ANALYST').get('/api/v1/obligation-catalog').expect(200)).body;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ version: 1, effectiveFrom: '2021-01-25' });
    expect(items[0].templates.map((x: { code: string }) => x.code)).toEqual([
      'Y1_PACKAGING', 'Y1_CHARGERS', 'Y1_HANDS_FREE', 'Y1_PCBA', 'Y2_DEVICES', 'Y2_DISPLAYS', 'Y2_BATTERIES', 'ISO_9001', 'QUARTERLY_REPORT', 'LABEL_MADE_IN_PAKISTAN', 'SERIAL_RECORD',
    ]);
    for (const x of items[0].templates) {
      expect(x.asReported).toBe(true);
      expect(x.source).toContain('ProPakistani, 30 Jan 2021');
    }
    expect(items[0].templates[3]).toMatchObject({ code: 'Y1_PCBA', kind: 'PERCENT_TARGET', targetPercent: '10', dueOffset: 'P1Y' });
  });

  it('year-1 targets are due 2022-04-08 (PENDING that day, OVERDUE the next); ISO 9001 is due 2023-04-08', async () => {
    const onDue = await obligations(t, inovi, '2022-04-08');
    const pcba = onDue.items.find((o) => o.code === 'Y1_PCBA')!;
    expect(pcba).toMatchObject({ dueOn: '2022-04-08', status: 'PENDING' });
    expect(onDue.items.find((o) => o.code === 'ISO_9001')).toMatchObject({ dueOn: '2023-04-08', status: 'PENDING' });
    const after = await obligations(t, inovi, '2022-04-09');
    expect(after.items.filter((o) => o.code.startsWith('Y1_')).map((o) => o.status)).toEqual(['OVERDUE', 'OVERDUE', 'OVERDUE', 'OVERDUE']);
    expect(after.items.find((o) => o.code === 'Y1_PCBA')).toMatchObject({ daysOverdue: 1 });
    expect(after.items.find((o) => o.code === 'Y2_BATTERIES')).toMatchObject({ dueOn: '2023-04-08', status: 'PENDING' });
  });

  it('quarterly reports: one per period begun by the day, each due the day before the next period', async () => {
    const count = async (on: string) => (await obligations(t, inovi, on)).items.filter((o) => o.code === 'QUARTERLY_REPORT');
    expect(await count('2021-04-08')).toHaveLength(0);
    expect(await count('2021-04-09')).toHaveLength(1);
    expect(await count('2021-07-08')).toHaveLength(1);
    expect(await count('2021-07-09')).toHaveLength(2);
    const year = await count('2022-04-09');
    expect(year).toHaveLength(5);
    expect(year.map((o) => o.dueOn)).toEqual(['2021-07-08', '2021-10-08', '2022-01-08', '2022-04-08', '2022-07-08']);
    expect(year.map((o) => o.status)).toEqual(['OVERDUE', 'OVERDUE', 'OVERDUE', 'OVERDUE', 'PENDING']);
    // The license term (10 years): 40 quarters, no more.
    expect(await count('2040-01-01')).toHaveLength(40);
  });

  it('an accepted 12% PCBA submission makes that target MET, from the day it is accepted; the others stay OVERDUE', async () => {
    t.setToday('2022-03-15');
    try {
      const pcba = await one(t, inovi, '2022-03-15', 'Y1_PCBA');
      const submitted = await t.http.post(`/api/v1/licenses/${inovi}/obligations/${pcba.id}/submissions`).send({ submittedOn: '2022-03-10', reportedValue: '12', note: 'PCBA line at Karachi' }).expect(201);
      const submission = submitted.body.submissions[0];
      expect(submission).toMatchObject({ reportedValue: '12', submittedOn: '2022-03-10' });
      expect((await decide(t, inovi, submitted.body, { decision: 'ACCEPT', submissionId: submission.id, reason: 'Checked at inspection' }).expect(201)).body.status).toBe('MET');
    } finally {
      t.setToday(undefined);
    }
    expect((await one(t, inovi, '2022-03-14', 'Y1_PCBA')).status).toBe('PENDING');
    expect((await one(t, inovi, '2022-04-09', 'Y1_PCBA')).status).toBe('MET');
    expect((await one(t, inovi, '2022-04-09', 'Y1_CHARGERS')).status).toBe('OVERDUE');
    const audit = (await t.as('ADMIN').get(`/api/v1/audit?entityType=obligation&entityId=${(await one(t, inovi, '2022-04-09', 'Y1_PCBA')).id}`).expect(200)).body.items;
    expect(audit.map((a: { action: string }) => a.action).sort()).toEqual(['obligation.accept', 'obligation.created', 'obligation.submitted']);
  });

  it('extensions: 2 years + 1 day is refused naming the limit; 1 year is EXTENDED until then and OVERDUE the day after', async () => {
    t.setToday('2022-04-10');
    try {
      const chargers = await one(t, inovi, '2022-04-10', 'Y1_CHARGERS');
      const refused = await decide(t, inovi, chargers, { decision: 'EXTEND', newDueOn: '2024-04-09', reason: 'Supplier delays' }).expect(422);
      expect(refused.body).toMatchObject({ code: 'EXTENSION_BEYOND_LIMIT', limit: '2024-04-08' });
      expect(refused.body.detail).toContain('2 years');
      const extended = await decide(t, inovi, chargers, { decision: 'EXTEND', newDueOn: '2023-04-08', reason: 'Written justification accepted' }).expect(201);
      expect(extended.body).toMatchObject({ status: 'EXTENDED', dueOn: '2023-04-08', extendedUntil: '2023-04-08', originalDueOn: '2022-04-08' });
      // An officer cannot decide; a stale version is refused.
      await t.http.post(`/api/v1/licenses/${inovi}/obligations/${chargers.id}/decisions`).set('If-Match', `"${extended.body.version}"`).send({ decision: 'WAIVE', reason: 'x' }).expect(403);
      expect((await decide(t, inovi, chargers, { decision: 'WAIVE', reason: 'x' }).expect(412)).body.code).toBe('VERSION_MISMATCH');
    } finally {
      t.setToday(undefined);
    }
    // Before the extension was decided it was OVERDUE; then EXTENDED until 2023-04-08, OVERDUE the day after.
    expect((await one(t, inovi, '2022-04-09', 'Y1_CHARGERS')).status).toBe('OVERDUE');
    expect(await one(t, inovi, '2023-04-08', 'Y1_CHARGERS')).toMatchObject({ status: 'EXTENDED', extendedUntil: '2023-04-08' });
    expect(await one(t, inovi, '2023-04-09', 'Y1_CHARGERS')).toMatchObject({ status: 'OVERDUE', daysOverdue: 1 });
  });

  it('a waiver: WAIVED from that day, and no more decisions', async () => {
    t.setToday('2022-05-01');
    try {
      const hf = await one(t, inovi, '2022-05-01', 'Y1_HANDS_FREE');
      const waived = await decide(t, inovi, hf, { decision: 'WAIVE', reason: 'No hands-free sets are bundled' }).expect(201);
      expect(waived.body.status).toBe('WAIVED');
      expect((await decide(t, inovi, waived.body, { decision: 'EXTEND', newDueOn: '2023-01-01', reason: 'x' }).expect(409)).body.code).toBe('OBLIGATION_CLOSED');
    } finally {
      t.setToday(undefined);
    }
    expect((await one(t, inovi, '2022-04-30', 'Y1_HANDS_FREE')).status).toBe('OVERDUE');
  });

  it('the report on a day: counts by status, OVERDUE first with days overdue, filters, CSV; the licenses report flags licenses with one overdue', async () => {
    const report = (await t.as('ANALYST').get('/api/v1/reports/obligations?on=2022-04-09').expect(200)).body;
    expect(report.on).toBe('2022-04-09');
    expect(report.rows[0]).toMatchObject({ licenseId: inovi, code: 'QUARTERLY_REPORT', period: 1, dueOn: '2021-07-08', status: 'OVERDUE', daysOverdue: 275 });
    const statuses = report.rows.map((r: { status: string }) => r.status);
    expect(statuses.lastIndexOf('OVERDUE')).toBeLessThan(statuses.indexOf('PENDING'));
    expect(report.counts.OVERDUE).toBe(statuses.filter((x: string) => x === 'OVERDUE').length);
    expect(report.counts.MET).toBe(1);
    const total = Object.values(report.counts as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(total).toBe(report.rows.length);
    const overdue = (await t.as('ANALYST').get('/api/v1/reports/obligations?on=2022-04-09&status=OVERDUE').expect(200)).body.rows;
    expect(overdue.every((r: { status: string }) => r.status === 'OVERDUE')).toBe(true);
    const companyId = (await t.http.get(`/api/v1/licenses/${inovi}`).expect(200)).body.companyId;
    const own = (await t.as('ANALYST').get(`/api/v1/reports/obligations?on=2022-04-09&companyId=${companyId}`).expect(200)).body.rows;
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((r: { licenseId: string }) => r.licenseId === inovi)).toBe(true);
    const csv = await t.as('ANALYST').get('/api/v1/reports/obligations?on=2022-04-09&format=csv').expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split(/\r\n/);
    expect(lines[0]).toBe('licenseNumber,licensee,code,title,period,dueOn,status,daysOverdue,extendedUntil,licenseId,companyId,obligationId');
    expect(lines).toHaveLength(report.rows.length + 1);
    await t.as('ANALYST').get('/api/v1/reports/obligations?status=LATE').expect(400);

    const licenses = async (on: string) => (await t.as('ANALYST').get(`/api/v1/reports/licenses?on=${on}`).expect(200)).body;
    const early = await licenses('2021-05-01');
    expect(early.licensesWithOverdueObligations).toBe(0);
    const later = await licenses('2022-04-09');
    expect(later.licenses.find((l: { licenseId: string }) => l.licenseId === inovi)).toMatchObject({ hasOverdueObligations: true, overdueObligations: 9 }); // 3 year-1 targets (PCBA met), 2 declarations, 4 quarterly reports
    expect(later.licensesWithOverdueObligations).toBe(2);
    const licensesCsv = await t.as('ANALYST').get('/api/v1/reports/licenses?on=2022-04-09&format=csv').expect(200);
    expect(licensesCsv.text.split('\r\n')[0]).toContain('overdueObligations');
  });

  it('refuses bad input with 400/422/404, writing nothing', async () => {
    const pkg = await one(t, inovi, '2022-04-09', 'Y1_PACKAGING');
    const iso = await one(t, inovi, '2022-04-09', 'ISO_9001');
    const post = (o: Obligation, body: Record<string, unknown>) => t.http.post(`/api/v1/licenses/${inovi}/obligations/${o.id}/submissions`).send(body);
    expect((await post(pkg, { submittedOn: '2022-03-01' }).expect(400)).body.errors[0].field).toBe('reportedValue');
    expect((await post(pkg, { submittedOn: '2022-03-01', reportedValue: 12 }).expect(400)).body.errors[0].field).toBe('reportedValue');
    expect((await post(pkg, { submittedOn: '2022-03-01', reportedValue: '101' }).expect(400)).body.errors[0].field).toBe('reportedValue');
    expect((await post(iso, { submittedOn: '2022-03-01', reportedValue: '5' }).expect(400)).body.errors[0].field).toBe('reportedValue');
    expect((await post(iso, { submittedOn: '2999-01-01' }).expect(422)).body.code).toBe('SUBMITTED_ON_IN_FUTURE');
    await t.http.post(`/api/v1/licenses/${inovi}/obligations/00000000-0000-4000-8000-000000000000/submissions`).send({ submittedOn: '2022-03-01' }).expect(404);
    expect((await decide(t, inovi, iso, { decision: 'ACCEPT', reason: 'x' }).expect(400)).body.errors[0].field).toBe('submissionId');
    expect((await decide(t, inovi, iso, { decision: 'EXTEND', reason: 'x' }).expect(400)).body.errors[0].field).toBe('newDueOn');
    expect((await decide(t, inovi, iso, { decision: 'ACCEPT', submissionId: '00000000-0000-4000-8000-000000000000', reason: 'x' }).expect(422)).body.code).toBe('SUBMISSION_NOT_FOUND');
    await t.http.get('/api/v1/licenses/00000000-0000-4000-8000-000000000000/obligations').expect(404);
    expect((await one(t, inovi, '2022-04-09', 'ISO_9001')).submissions).toEqual([]);
  });
});

describe('catalog versions and due-date edges', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t?.close());

  it('a license issued on 29 February has its P1Y conditions due 28 February, P2Y due 28 February too, quarters from month ends', async () => {
    const license = await makeLicense(t, { issuedOn: '2024-02-29' });
    const list = await obligations(t, license.id, '2025-02-28');
    expect(list.items.find((o) => o.code === 'Y1_PCBA')).toMatchObject({ dueOn: '2025-02-28', status: 'PENDING' });
    expect((await one(t, license.id, '2025-03-01', 'Y1_PCBA')).status).toBe('OVERDUE');
    expect(list.items.find((o) => o.code === 'ISO_9001')).toMatchObject({ dueOn: '2026-02-28' });
    expect(list.items.filter((o) => o.code === 'QUARTERLY_REPORT').map((o) => o.dueOn).slice(0, 4)).toEqual(['2024-05-28', '2024-08-28', '2024-11-28', '2025-02-28']);
  });

  it('a new catalog version (ADMIN only, not retroactive) applies to licenses issued from it, not to older ones', async () => {
    t.setToday('2026-01-01');
    try {
      const body = {
        effectiveFrom: '2026-02-01',
        note: 'Year-3 batteries target',
        templates: [
          { code: 'Y3_BATTERIES', titleEn: 'Batteries: 20% by the end of year 3', titleUr: 'بیٹریاں: تیسرے سال کے اختتام تک 20%', kind: 'PERCENT_TARGET', targetPercent: '20', measuredItem: 'batteries', dueOffset: 'P3Y', source: 'Test amendment', asReported: false },
        ],
      };
      await t.http.post('/api/v1/obligation-catalog').send(body).expect(403);
      expect((await t.as('ADMIN').post('/api/v1/obligation-catalog').send({ ...body, effectiveFrom: '2025-12-31' }).expect(422)).body.code).toBe('CATALOG_NOT_LATER');
      const bad = { ...body, templates: [{ ...body.templates[0], kind: 'CERTIFICATE' }] };
      expect((await t.as('ADMIN').post('/api/v1/obligation-catalog').send(bad).expect(400)).body.errors[0].field).toBe('templates.0.targetPercent');
      const created = await t.as('ADMIN').post('/api/v1/obligation-catalog').send(body).expect(201);
      expect(created.body).toMatchObject({ version: 2, effectiveFrom: '2026-02-01', templates: [{ code: 'Y3_BATTERIES', targetPercent: '20' }] });
      const older = await makeLicense(t, { issuedOn: '2026-01-15' });
      const newer = await makeLicense(t, { issuedOn: '2026-02-01' });
      expect((await obligations(t, older.id, '2026-02-01')).items.map((o) => o.code)).toContain('Y1_PCBA');
      expect((await obligations(t, newer.id, '2026-02-01')).items).toEqual([expect.objectContaining({ code: 'Y3_BATTERIES', dueOn: '2029-01-31', status: 'PENDING' })]);
    } finally {
      t.setToday(undefined);
    }
  });
});

describe('a renewal adds the recurring reports of the new term, in its transaction', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t?.close());

  it('40 quarters for the first 10-year term; renewed to 2041-04-08, 80; the one-off conditions are not repeated; audited', async () => {
    const license = await makeLicense(t, { issuedOn: '2021-04-09' });
    const quarters = async () => (await obligations(t, license.id, '2045-01-01')).items.filter((o) => o.code === 'QUARTERLY_REPORT');
    expect(await quarters()).toHaveLength(40);
    const renewed = await event(t, license.id, 'RENEWED', '2024-01-15').expect(201);
    expect(renewed.body.expiresOn).toBe('2041-04-08');
    const after = await quarters();
    expect(after).toHaveLength(80);
    expect(after.at(40)).toMatchObject({ period: 41, startsOn: '2031-04-09', dueOn: '2031-07-08' });
    expect(after.at(-1)).toMatchObject({ period: 80, startsOn: '2041-01-09', dueOn: '2041-04-08' });
    const list = await obligations(t, license.id, '2045-01-01');
    expect(list.items.filter((o) => o.code === 'Y1_PCBA')).toHaveLength(1);
    // The only license of this registry: 50 obligations at the grant, 40 at the renewal.
    expect((await t.as('ADMIN').get('/api/v1/audit?entityType=obligation&action=obligation.created&limit=1').expect(200)).body.total).toBe(90);
    // A refused renewal adds nothing.
    await event(t, license.id, 'RENEWED', '2024-01-16', { data: { expiresOn: '2041-04-08' } }).expect(422);
    expect(await quarters()).toHaveLength(80);
  });
});

describe('upgrading: licenses granted before conditions were tracked get them at the next start', () => {
  let t: TestApp;
  const ids = { company: randomUUID(), license: randomUUID() };
  beforeAll(async () => {
    const created = engine === 'sqlite' ? { database: { engine: 'sqlite' as const, path: `/tmp/lr-obligations-${process.pid}-${Date.now()}.sqlite` }, drop: async () => {} } : await createDatabase();
    const old = new DataSource({ ...buildDataSourceOptions(created.database), migrations: migrations.slice(0, migrations.indexOf(Obligations1765800000000)) });
    await old.initialize();
    await old.runMigrations();
    const pg = created.database.engine === 'postgres';
    const q = (sql: string, values: unknown[]) => old.query(pg ? sql.replace(/\?/g, (() => { let i = 0; return () => `$${++i}`; })()) : sql, values);
    const now = '2021-08-13T10:00:00.000Z';
    await q('INSERT INTO companies (id, legal_name, legal_name_key, search_key, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, 1)', [ids.company, 'Upgrade Ltd', 'upgrade ltd', 'upgrade ltd', now, now]);
    await q(
      "INSERT INTO licenses (id, license_number, license_number_key, company_id, type, issued_on, expires_on, brands, brands_key, created_at, updated_at, version) VALUES (?, 'UP-1', 'UP-1', ?, 'MDM', '2021-04-09', '2031-04-08', '[]', '', ?, ?, 1)",
      [ids.license, ids.company, now, now],
    );
    await q("INSERT INTO license_events (id, license_id, seq, type, effective_on, status_after, expires_on_after, recorded_at) VALUES (?, ?, 1, 'GRANTED', '2021-04-09', 'ACTIVE', '2031-04-08', ?)", [randomUUID(), ids.license, now]);
    await old.destroy();
    t = await startApp({ database: created });
  });
  afterAll(() => t?.close());

  it('dated from the issue date, audited, once (the CLI command finds nothing more to create)', async () => {
    const list = await obligations(t, ids.license, '2022-04-09');
    expect(list.items.find((o) => o.code === 'Y1_PCBA')).toMatchObject({ dueOn: '2022-04-08', status: 'OVERDUE' });
    expect(list.items.filter((o) => o.code === 'QUARTERLY_REPORT')).toHaveLength(5);
    const audit = (await t.as('ADMIN').get(`/api/v1/audit?entityType=obligation&action=obligation.created&limit=100`).expect(200)).body;
    expect(audit.total).toBe(50); // 10 one-off conditions and 40 quarters of the 10-year term
    expect(audit.items[0]).toMatchObject({ actorId: null });
    const database = t.database.engine === 'sqlite' ? `sqlite:${t.database.path}` : t.database.url;
    const out: string[] = [];
    const code = await runCli(['obligations:create'], loadConfig({ DATABASE_URL: database, LOG_LEVEL: 'silent', ...testLogEnv() }), {
      out: (l) => out.push(l),
      write: (l) => out.push(l),
      err: (l) => out.push(l),
      readSecret: async () => '',
    });
    expect(code, out.join('\n')).toBe(0);
    expect(out.join('\n')).toContain('Created 0 obligations');
    expect((await t.http.get('/api/v1/audit/verify').expect(200)).body.ok).toBe(true);
  });
});
