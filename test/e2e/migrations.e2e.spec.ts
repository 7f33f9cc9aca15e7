import { GENESIS_HASH, hashOf } from '../../src/audit/audit.service.js';
import { TransparencyLog } from '../../src/audit/log/transparency-log.js';
import { mth } from '../support/rfc9162.js';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import { buildDataSourceOptions } from '../../src/database/data-source.options.js';
import { DevicesService } from '../../src/shipments/devices.service.js';
import { createDatabase, engine, startApp, type TestApp } from '../support/app.js';

/** A database as the previous release left it (migrations up to PublicReads), upgraded by starting the registry. */
describe('upgrading a database with devices', () => {
  let t: TestApp;
  const oldLeaves: Buffer[] = [];
  const ids = { company: randomUUID(), license: randomUUID(), first: randomUUID(), voided: randomUUID(), second: randomUUID(), cafeNfc: randomUUID(), cafeNfd: randomUUID() };
  beforeAll(async () => {
    const created = engine === 'sqlite' ? { database: { engine: 'sqlite' as const, path: `/tmp/lr-upgrade-${process.pid}-${Date.now()}.sqlite` }, drop: async () => {} } : await createDatabase();
    const database = created.database;
    const old = new DataSource({ ...buildDataSourceOptions(database), migrations: migrations.slice(0, 4) });
    await old.initialize();
    await old.runMigrations();
    const pg = database.engine === 'postgres';
    const q = (sql: string, values: unknown[]) => old.query(pg ? sql.replace(/\?/g, (() => { let i = 0; return () => `$${++i}`; })()) : sql, values);
    const now = '2021-08-13T10:00:00.000Z';
    await q('INSERT INTO companies (id, legal_name, legal_name_key, search_key, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, 1)', [ids.company, 'Upgrade Ltd', 'upgrade ltd', 'upgrade ltd', now, now]);
    // Two spellings of one name, stored apart under the keys of the time (lower case only).
    await q('INSERT INTO companies (id, legal_name, legal_name_key, search_key, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, 1)', [ids.cafeNfc, 'Caf\u00e9 Mobile', 'caf\u00e9 mobile', 'caf\u00e9 mobile', '2021-01-01T00:00:00.000Z', now]);
    await q('INSERT INTO companies (id, legal_name, legal_name_key, search_key, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, 1)', [ids.cafeNfd, 'Cafe\u0301 Mobile', 'cafe\u0301 mobile', 'cafe\u0301 mobile', '2021-02-01T00:00:00.000Z', now]);
    await q(
      "INSERT INTO licenses (id, license_number, license_number_key, company_id, type, issued_on, expires_on, brands, brands_key, status, created_at, updated_at, version) VALUES (?, 'UP-1', 'UP-1', ?, 'MDM', '2021-04-09', '2031-04-08', '[]', '', 'ACTIVE', ?, ?, 1)",
      [ids.license, ids.company, now, now],
    );
    await q("INSERT INTO license_events (id, license_id, seq, type, effective_on, status_after, expires_on_after, recorded_at) VALUES (?, ?, 1, 'GRANTED', '2021-04-09', 'ACTIVE', '2031-04-08', ?)", [randomUUID(), ids.license, now]);
    const ship = (id: string, ref: string, created: string, status: string) =>
      q(
        "INSERT INTO shipments (id, company_id, license_id, reference, shipped_on, destination_country, units, device_category, hs_code, status, created_at, updated_at, version) VALUES (?, ?, ?, ?, '2021-08-13', 'AE', 1, 'SMARTPHONE', '8517.12', ?, ?, ?, 1)",
        [id, ids.company, ids.license, ref, status, created, created],
      );
    await ship(ids.first, 'UP-A', '2021-08-13T10:00:00.000Z', 'RECORDED');
    await ship(ids.voided, 'UP-B', '2021-08-13T09:00:00.000Z', 'VOIDED');
    await ship(ids.second, 'UP-C', '2021-08-13T11:00:00.000Z', 'RECORDED');
    await q('INSERT INTO shipment_devices (imei, shipment_id, tac, released_at) VALUES (?, ?, ?, ?)', ['012345678901237', ids.voided, '01234567', '2021-08-13T09:30:00.000Z']);
    await q('INSERT INTO shipment_devices (imei, shipment_id, tac, released_at) VALUES (?, ?, ?, NULL)', ['012345678901237', ids.first, '01234567']);
    await q('INSERT INTO shipment_devices (imei, shipment_id, tac, released_at) VALUES (?, ?, ?, NULL)', ['356938035643809', ids.second, '35693803']);
    // An audit chain written before the transparency log: its tree is built by the upgrade.
    let prevHash = GENESIS_HASH;
    for (let seq = 1; seq <= 7; seq++) {
      const event = { seq, occurredAt: new Date(now), actorId: null, action: 'company.updated', entityType: 'company', entityId: ids.company, requestId: null, reason: `step ${seq}`, before: null, after: null, prevHash };
      const hash = hashOf(event);
      await q(
        'INSERT INTO audit_events (seq, occurred_at, actor_id, action, entity_type, entity_id, request_id, reason, before, after, prev_hash, hash) VALUES (?, ?, NULL, ?, ?, ?, NULL, ?, NULL, NULL, ?, ?)',
        [seq, now, event.action, event.entityType, event.entityId, event.reason, prevHash, hash],
      );
      oldLeaves.push(Buffer.from(hash, 'hex'));
      prevHash = hash;
    }
    await old.destroy();
    t = await startApp({ database: created });
  });
  afterAll(async () => {
    await t?.close();
    if (t?.database.engine === 'sqlite') for (const suffix of ['', '-wal', '-shm']) rmSync(`${t.database.path}${suffix}`, { force: true });
  });

  it('numbers the shipments in the order recorded and keeps every device, its leading zero and its history', async () => {
    const ds = t.app.get(DataSource);
    const nos = await ds.query('SELECT id, no FROM shipments ORDER BY no');
    expect(nos.map((r: { id: string }) => r.id)).toEqual([ids.voided, ids.first, ids.second]);
    const trace = await t.app.get(DevicesService).trace('012345678901237');
    expect(trace).toMatchObject({ imei: '012345678901237', tac: '01234567', shipment: { id: ids.first, reference: 'UP-A' }, history: [{ shipmentId: ids.voided, releasedAt: '2021-08-13T09:30:00.000Z' }] });
    expect((await t.anon.get('/public/v1/devices/356938035643809').expect(200)).body).toMatchObject({ shippedOn: '2021-08-13' });
  });

  it('re-keys names with the identity key; two names that now share a key are both kept and listed for staff', async () => {
    const ds = t.app.get(DataSource);
    const rows: { id: string; key: string }[] = await ds.query('SELECT id, legal_name_key AS key FROM companies WHERE id IN ($1, $2)'.replace(/\$\d/g, (m) => (t.database.engine === 'postgres' ? m : '?')), [ids.cafeNfc, ids.cafeNfd]);
    const key = Object.fromEntries(rows.map((r) => [r.id, r.key]));
    expect(key[ids.cafeNfc]).toBe('caf\u00e9 mobile'); // the older keeps the key
    expect(key[ids.cafeNfd]).toBe(`caf\u00e9 mobile #${ids.cafeNfd}`);
    const { body } = await t.http.get('/api/v1/companies/look-alikes').expect(200);
    expect(body.groups).toEqual([{ companies: [expect.objectContaining({ id: ids.cafeNfc, legalName: 'Caf\u00e9 Mobile' }), expect.objectContaining({ id: ids.cafeNfd })] }]);
    // Both are found by either spelling, and a third spelling is refused as the same name.
    const found = await t.http.get('/api/v1/companies').query({ q: 'CAFE\u0301 MOB' }).expect(200);
    expect(found.body.items.map((c: { id: string }) => c.id).sort()).toEqual([ids.cafeNfc, ids.cafeNfd].sort());
    await t.http.post('/api/v1/companies').send({ legalName: 'CAF\u00c9 MOBILE' }).expect(409);
  });

  it("drops the stored license status (right only on the day it was written); the status comes from the license's events", async () => {
    const runner = t.app.get(DataSource).createQueryRunner();
    const table = await runner.getTable('licenses').finally(() => runner.release());
    expect(table?.columns.map((c) => c.name)).not.toContain('status');
    const license = (await t.http.get(`/api/v1/licenses/${ids.license}?on=2031-04-09`).expect(200)).body;
    expect(license.status).toBe('EXPIRED');
  });

  it('builds the transparency log of the events written before it; verify is ok and proofs match', async () => {
    expect(await t.app.get(TransparencyLog).root(7)).toEqual(mth(oldLeaves));
    const verify = (await t.http.get('/api/v1/audit/verify').expect(200)).body;
    expect(verify).toMatchObject({ ok: true, failuresTotal: 0 });
    const proof = (await t.anon.get('/public/v1/log/proofs/consistency?from=7&to=' + verify.length).expect(200)).body;
    expect(proof.fromRoot).toBe(mth(oldLeaves).toString('base64'));
  });

  it('a shipment recorded after the upgrade takes the next number', async () => {
    await t.http.post('/api/v1/shipments').send({ licenseId: ids.license, reference: 'UP-D', shippedOn: '2021-08-14', destinationCountry: 'AE', units: 1, deviceCategory: 'SMARTPHONE', imeis: ['490154203237518'] }).expect(201);
    const [row] = await t.app.get(DataSource).query("SELECT no FROM shipments WHERE reference = 'UP-D'");
    expect(Number(row.no)).toBe(4);
  });
});
