import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LicenseEventLogIndex1765500000000 } from '../../migrations/1765500000000-LicenseEventLogIndex.js';
import { WRITER } from '../../src/database/writer.js';
import { createDatabase, startApp, type TestApp } from '../support/app.js';
import { event, makeCompany, makeLicense, patch, shipmentBody } from '../support/factories.js';

interface PublicEvent {
  type: string;
  effectiveOn: string;
  logIndex: number | null;
}

const historyOf = async (t: TestApp, companyId: string): Promise<PublicEvent[][]> =>
  (await t.anon.get(`/public/v1/manufacturers/${companyId}`).expect(200)).body.licenses.map((l: { history: PublicEvent[] }) => l.history);

/**
 * A database of the release before license events kept their audit record's seq: written by the registry of
 * today, then taken back (the migration's down, and its row in `migrations`), and upgraded by starting the
 * registry again.
 */
describe('upgrading a database: license events get their log index from their audit records', () => {
  let t: TestApp;
  const ids = { company: '', licenses: [] as string[], preAudit: randomUUID(), preAuditCompany: '' };
  let expected: PublicEvent[][];
  let etagBefore: string;
  let drop: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const created = await createDatabase();
    drop = created.drop;
    const before = await startApp({ database: { database: created.database, drop: async () => {} } });
    try {
      const company = await makeCompany(before, { legalName: 'Upgraded Log Devices Ltd' });
      ids.company = company.id;
      const a = await makeLicense(before, { companyId: company.id, issuedOn: '2021-05-01' });
      const b = await makeLicense(before, { companyId: company.id, issuedOn: '2021-06-01' });
      ids.licenses = [a.id, b.id];
      // The same types twice on one license, interleaved with the other license's events and other records.
      await event(before, a.id, 'SUSPENDED', '2022-01-01').expect(201);
      await event(before, b.id, 'SUSPENDED', '2022-01-05').expect(201);
      await before.http.post('/api/v1/shipments').send(shipmentBody(b, { shippedOn: '2021-07-01' })).expect(201);
      await event(before, a.id, 'REINSTATED', '2022-02-01').expect(201);
      expect((await patch(before, `/api/v1/licenses/${a.id}`, { plantLocation: 'Lahore', reason: 'plant moved' })).status).toBe(200);
      await event(before, a.id, 'SUSPENDED', '2022-03-01').expect(201);
      await event(before, b.id, 'REVOKED', '2022-03-05').expect(201);
      await event(before, a.id, 'REINSTATED', '2022-04-01').expect(201);
      expected = await historyOf(before, company.id);

      // A license whose first events were written before there was an audit trail: those have no record to match.
      const db = before.app.get<DataSource>(WRITER);
      const pg = before.engine === 'postgres';
      const q = (sql: string, values: unknown[]) => db.query(pg ? sql.replace(/\?/g, (() => { let i = 0; return () => `$${++i}`; })()) : sql, values);
      const old = await makeCompany(before, { legalName: 'Early Devices Ltd' });
      ids.preAuditCompany = old.id;
      const now = '2021-04-01T10:00:00.000Z';
      await q(
        "INSERT INTO licenses (id, license_number, license_number_key, company_id, type, issued_on, expires_on, brands, brands_key, created_at, updated_at, version) VALUES (?, 'EARLY-1', 'EARLY-1', ?, 'MDM', '2021-04-01', '2031-03-31', '[]', '', ?, ?, 1)",
        [ids.preAudit, old.id, now, now],
      );
      const raw = (seq: number, type: string, on: string, status: string) =>
        q("INSERT INTO license_events (id, license_id, seq, type, effective_on, status_after, expires_on_after, recorded_at) VALUES (?, ?, ?, ?, ?, ?, '2031-03-31', ?)", [randomUUID(), ids.preAudit, seq, type, on, status, now]);
      await raw(1, 'GRANTED', '2021-04-01', 'ACTIVE');
      await raw(2, 'SUSPENDED', '2021-09-01', 'SUSPENDED');
      await raw(3, 'REINSTATED', '2021-10-01', 'ACTIVE');
      await event(before, ids.preAudit, 'SUSPENDED', '2022-01-10').expect(201); // audited: one record for two SUSPENDED events
      await event(before, ids.preAudit, 'RENEWED', '2022-01-20', { data: { expiresOn: '2036-03-31' } }).expect(201); // one record, one event

      etagBefore = (await before.anon.get(`/public/v1/manufacturers/${company.id}`).expect(200)).headers.etag;
      // Back to the release before: no column, the migration not run.
      const runner = db.createQueryRunner();
      try {
        await new LicenseEventLogIndex1765500000000().down(runner);
      } finally {
        await runner.release();
      }
      await db.query("DELETE FROM migrations WHERE name = 'LicenseEventLogIndex1765500000000'");
    } finally {
      await before.close();
    }
    // The same database, staff and token key, upgraded by this start.
    t = await startApp({ shareDatabaseWith: before });
  });
  afterAll(async () => {
    await t?.close();
    await drop();
  });

  it('backfills the log index of every event from the k-th audit record of its license and type, the same as written today', async () => {
    expect(expected.flat().every((e) => typeof e.logIndex === 'number')).toBe(true);
    expect(expected[0].map((e) => e.type)).toEqual(['GRANTED', 'SUSPENDED', 'REINSTATED', 'SUSPENDED', 'REINSTATED']);
    expect(await historyOf(t, ids.company)).toEqual(expected);
  });

  it('leaves it unknown (null) where events and audit records of a type do not pair one to one; pairs the rest', async () => {
    const [history] = await historyOf(t, ids.preAuditCompany);
    const records = (await t.as('ADMIN').get('/api/v1/audit').query({ entityType: 'license', entityId: ids.preAudit, sort: 'seq' }).expect(200)).body.items;
    const renewed = records.find((r: { action: string }) => r.action === 'license.renewed');
    expect(history.map((e) => [e.type, e.logIndex])).toEqual([
      ['GRANTED', null],
      ['SUSPENDED', null],
      ['REINSTATED', null],
      ['SUSPENDED', null],
      ['RENEWED', renewed.seq - 1],
    ]);
    const page = (await t.anon.get(`/manufacturers/${ids.preAuditCompany}`).expect(200)).text;
    expect(page.match(/class="log-index"/g)).toHaveLength(1);
  });

  it('moves the register version on, so that public answers cached before the upgrade are not served as current', async () => {
    const res = await t.anon.get(`/public/v1/manufacturers/${ids.company}`).set('If-None-Match', etagBefore).expect(200);
    expect(res.headers.etag).not.toBe(etagBefore);
  });

  it('events written after the upgrade get theirs at write time', async () => {
    await event(t, ids.licenses[0], 'SUSPENDED', '2022-05-01').expect(201);
    const [history] = await historyOf(t, ids.company);
    const records = (await t.as('ADMIN').get('/api/v1/audit').query({ entityType: 'license', entityId: ids.licenses[0], sort: '-seq', limit: 1 }).expect(200)).body.items;
    expect(history.at(-1)).toMatchObject({ type: 'SUSPENDED', effectiveOn: '2022-05-01', logIndex: records[0].seq - 1 });
  });
});
