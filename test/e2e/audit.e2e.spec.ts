import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { AuditService } from '../../src/audit/audit.service.js';
import { Transactions } from '../../src/database/transactions.js';
import { WRITER } from '../../src/database/writer.js';
import { runCli } from '../../src/cli/commands.js';
import { loadConfig } from '../../src/config/config.js';
import { startApp, type TestApp, testLogEnv } from '../support/app.js';
import { event, expectStatus, makeCompany, makeLicense, patch, shipmentBody, voidShipment } from '../support/factories.js';

/**
 * Runs `sql` on audit_events as someone with direct database access could: around the triggers that refuse
 * UPDATE and DELETE (switched off and on again on PostgreSQL, dropped on SQLite).
 */
async function behindTheTriggers(t: TestApp, sql: string): Promise<void> {
  const ds = t.app.get<DataSource>(WRITER);
  if (t.engine === 'postgres') {
    await ds.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update');
    try {
      await ds.query(sql);
    } finally {
      await ds.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update');
    }
  } else {
    await ds.query('DROP TRIGGER IF EXISTS audit_events_no_update');
    await ds.query('DROP TRIGGER IF EXISTS audit_events_no_delete');
    await ds.query(sql);
  }
}

describe('audit trail', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t?.close());

  it('anonymous writes get 401, ANALYST writes 403, OFFICER writes succeed and are audited with the officer id', async () => {
    await t.anon.post('/api/v1/companies').send({ legalName: 'Anon Ltd' }).expect(401);
    await t.as('ANALYST').post('/api/v1/companies').send({ legalName: 'Analyst Ltd' }).expect(403);
    await t.as('ANALYST').get('/api/v1/companies').expect(200);
    const company = await makeCompany(t);
    await expectStatus(patch(t, `/api/v1/companies/${company.id}`, { city: 'Karachi', reason: 'moved' }), 200);
    const license = await makeLicense(t, { companyId: company.id });
    await event(t, license.id, 'SUSPENDED', '2022-01-01', { reason: 'Order 1/2022' }).expect(201);
    await event(t, license.id, 'REINSTATED', '2022-02-01').expect(201);
    await expectStatus(patch(t, `/api/v1/licenses/${license.id}`, { brands: ['Testo', 'Other'], reason: 'Letter 2' }), 200);
    const shipment = (await t.http.post('/api/v1/shipments').send(shipmentBody(license, { shippedOn: '2021-05-01' })).expect(201)).body;
    await expectStatus(voidShipment(t, shipment.id, { reason: 'duplicate' }), 200);
    const empty = await makeCompany(t);
    await t.http.delete(`/api/v1/companies/${empty.id}`).query({ reason: 'registered twice' }).expect(204);

    const officer = t.staff.OFFICER.id;
    const all = await t.http.get(`/api/v1/audit?actorId=${officer}&limit=100&sort=seq`).expect(200);
    const mine = all.body.items.filter((e: { entityId: string }) => [company.id, license.id, shipment.id, empty.id].includes(e.entityId));
    expect(mine.map((e: { action: string }) => e.action)).toEqual([
      'company.created',
      'company.updated',
      'license.granted',
      'license.suspended',
      'license.reinstated',
      'license.amended',
      'shipment.recorded',
      'shipment.voided',
      'company.created',
      'company.deleted',
    ]);
    for (const e of mine) expect(e).toMatchObject({ actorId: officer, requestId: expect.any(String) });
    const suspended = mine.find((e: { action: string }) => e.action === 'license.suspended');
    expect(suspended).toMatchObject({ reason: 'Order 1/2022', before: { status: 'ACTIVE', version: 1 }, after: { version: 2, event: { type: 'SUSPENDED', effectiveOn: '2022-01-01' } } });
    expect(mine.find((e: { action: string }) => e.action === 'company.deleted')).toMatchObject({ reason: 'registered twice', after: null, before: { id: empty.id } });
    expect(mine.find((e: { action: string }) => e.action === 'shipment.voided')).toMatchObject({ reason: 'duplicate', before: { status: 'RECORDED' }, after: { status: 'VOIDED' } });
  });

  it('a failed request writes nothing, not even an audit event', async () => {
    const before = (await t.http.get('/api/v1/audit?limit=1').expect(200)).body.total;
    const license = await makeLicense(t);
    const after = (await t.http.get('/api/v1/audit?limit=1').expect(200)).body.total;
    expect(after).toBe(before + 52); // company.created, license.granted, and the license's 50 conditions (obligation.created: 10 one-off, 40 quarters)
    await event(t, license.id, 'REINSTATED', '2022-01-01').expect(422);
    await t.http.post('/api/v1/shipments').send(shipmentBody(license, { shippedOn: '2020-01-01' })).expect(422);
    expect((await t.http.get('/api/v1/audit?limit=1').expect(200)).body.total).toBe(after);
  });

  it('license, company and shipment responses link to their history', async () => {
    const license = await makeLicense(t);
    const got = await t.http.get(`/api/v1/licenses/${license.id}`).expect(200);
    expect(got.body.links.history).toBe(`/api/v1/audit?entityType=license&entityId=${license.id}`);
    const history = await t.http.get(got.body.links.history).expect(200);
    expect(history.body.items.map((e: { action: string }) => e.action)).toEqual(['license.granted']);
    const company = await t.http.get(`/api/v1/companies/${license.companyId}`).expect(200);
    expect((await t.http.get(company.body.links.history).expect(200)).body.items[0].action).toBe('company.created');
  });

  it('filters by entity, actor, action and date', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const res = await t.http.get(`/api/v1/audit?entityType=license&action=license.granted&from=${today}&to=${today}`).expect(200);
    expect(res.body.total).toBeGreaterThan(0);
    for (const e of res.body.items) expect(e).toMatchObject({ entityType: 'license', action: 'license.granted' });
    expect((await t.http.get('/api/v1/audit?from=2000-01-01&to=2000-01-02').expect(200)).body.total).toBe(0);
    await t.http.get('/api/v1/audit?entityType=planet').expect(400);
    await t.as('ANALYST').get('/api/v1/audit').expect(403);
  });

  it('is a linear hash chain that verifies', async () => {
    const items = (await t.http.get('/api/v1/audit?sort=seq&limit=100').expect(200)).body.items;
    expect(items[0]).toMatchObject({ seq: 1, prevHash: '0'.repeat(64) });
    for (let i = 1; i < items.length; i++) {
      expect(items[i].seq).toBe(items[i - 1].seq + 1);
      expect(items[i].prevHash).toBe(items[i - 1].hash);
    }
    const verify = await t.http.get('/api/v1/audit/verify').expect(200);
    const total = (await t.http.get('/api/v1/audit?limit=1').expect(200)).body.total;
    const head = (await t.http.get('/api/v1/audit?limit=1').expect(200)).body.items[0].hash;
    expect(verify.body).toEqual({ ok: true, length: total, head, rootHash: expect.any(String), checkpointsChecked: 0, failures: [], failuresTotal: 0 });
  });

  it('the database refuses UPDATE and DELETE on audit_events; an edit behind its back is found by verify', async () => {
    const ds = t.app.get<DataSource>(WRITER);
    await expect(ds.query(`UPDATE audit_events SET reason = 'edited' WHERE seq = 2`)).rejects.toThrow(/append-only/);
    await expect(ds.query('DELETE FROM audit_events WHERE seq = 2')).rejects.toThrow(/append-only/);
    // Someone with direct database access switches the trigger off and edits event 3.
    await behindTheTriggers(t, `UPDATE audit_events SET reason = 'nothing to see' WHERE seq = 3`);
    const total = (await t.http.get('/api/v1/audit?limit=1').expect(200)).body.total;
    const verify = await t.http.get('/api/v1/audit/verify').expect(200);
    expect(verify.body).toMatchObject({ ok: false, failedAt: 3, length: total, failures: [{ seq: 3 }], failuresTotal: 1 });
    expect(verify.body.problem).toMatch(/hash does not match/);
    expect(verify.body.failures[0].problem).toBe(verify.body.problem);
  });
});

describe('verify walks the whole chain and lists every event that does not verify', () => {
  const EVENTS = 2500; // more than two of the batches verify reads
  let t: TestApp;
  let total: number;

  /** A new registry whose chain holds its 3 staff events and EVENTS more, appended at once. */
  async function chain(): Promise<TestApp> {
    await t?.close();
    t = await startApp();
    const entries = Array.from({ length: EVENTS }, (_, i) => ({ action: 'company.updated', entityType: 'company' as const, entityId: `company-${i}`, after: { n: i } }));
    await t.app.get(Transactions).run((m) => t.app.get(AuditService).recordMany(m, entries));
    total = (await t.http.get('/api/v1/audit?limit=1').expect(200)).body.total;
    expect(total).toBe(EVENTS + 3);
    return t;
  }
  const verify = async () => (await t.http.get('/api/v1/audit/verify').expect(200)).body;
  afterAll(() => t?.close());

  it('an intact chain: ok, every event read, no failures', async () => {
    await chain();
    const head = (await t.http.get('/api/v1/audit?limit=1').expect(200)).body.items[0].hash;
    expect(await verify()).toEqual({ ok: true, length: total, head, rootHash: expect.any(String), checkpointsChecked: 0, failures: [], failuresTotal: 0 });
  });

  it('two events tampered with far apart (in different batches): both listed, the first also as failedAt', async () => {
    await chain();
    await behindTheTriggers(t, `UPDATE audit_events SET reason = 'nothing to see' WHERE seq = 5`);
    await behindTheTriggers(t, `UPDATE audit_events SET after = '{"n":0}' WHERE seq = 2400`);
    const result = await verify();
    expect(result).toMatchObject({ ok: false, length: total, failedAt: 5, failuresTotal: 2 });
    expect(result.failures).toEqual([
      { seq: 5, kind: 'chain', problem: expect.stringMatching(/hash does not match/) },
      { seq: 2400, kind: 'chain', problem: expect.stringMatching(/hash does not match/) },
    ]);
    expect(result.problem).toBe(result.failures[0].problem);
  });

  it('a gap is listed once, at its first missing seq, whether one event or several are missing', async () => {
    await chain();
    await behindTheTriggers(t, 'DELETE FROM audit_events WHERE seq = 1200');
    await behindTheTriggers(t, 'DELETE FROM audit_events WHERE seq BETWEEN 1700 AND 1702');
    const result = await verify();
    expect(result).toMatchObject({ ok: false, length: total - 4, failedAt: 1200, failuresTotal: 3 });
    expect(result.failures).toEqual([
      { seq: 1200, kind: 'chain', problem: 'event 1200 is missing (the next is 1201)' },
      { seq: 1700, kind: 'chain', problem: 'events 1700 to 1702 are missing (the next is 1703)' },
      // The transparency log's stored tree still covers the removed events.
      { seq: total - 4, kind: 'log', problem: expect.stringMatching(/stored Merkle tree .* does not have the root of the events/) },
    ]);
  });

  it("a rewritten hash: that event, and its successor whose link no longer matches", async () => {
    await chain();
    await behindTheTriggers(t, `UPDATE audit_events SET hash = '${'f'.repeat(64)}' WHERE seq = 800`);
    const result = await verify();
    expect(result).toMatchObject({ ok: false, length: total, failedAt: 800, failuresTotal: 3 });
    expect(result.failures).toEqual([
      { seq: 800, kind: 'chain', problem: expect.stringMatching(/hash does not match/) },
      { seq: 801, kind: 'chain', problem: expect.stringMatching(/prevHash does not match the hash of event 800/) },
      { seq: total, kind: 'log', problem: expect.stringMatching(/stored Merkle tree .* does not have the root of the events/) },
    ]);
  });

  it('lists at most 1000 failures and counts them all', async () => {
    await chain();
    await behindTheTriggers(t, `UPDATE audit_events SET reason = 'edited' WHERE seq BETWEEN 1001 AND 2300`);
    const result = await verify();
    expect(result).toMatchObject({ ok: false, length: total, failedAt: 1001, failuresTotal: 1300 });
    expect(result.failures).toHaveLength(1000);
    expect(result.failures.at(-1).seq).toBe(2000);
  });
});

describe('npm run cli -- audit:verify and create-admin', () => {
  it('passes on a normal database and names the tampered event after a row is edited by hand', async () => {
    const path = `/tmp/registry-cli-test-${process.pid}-${Date.now()}.sqlite`;
    const config = { ...loadConfig({ DATABASE_URL: `sqlite:${path}`, SEED: 'false', LOG_LEVEL: 'silent', ...testLogEnv() }) };
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), write: (l: string) => out.push(l), err: (l: string) => out.push(l), readSecret: async () => 'an admin passphrase 2026' };
    expect(await runCli(['migration:run'], config, io)).toBe(0);
    expect(await runCli(['create-admin', '--email', 'chief@registry.test', '--name', 'Chief'], config, io)).toBe(0);
    expect(await runCli(['seed'], config, io)).toBe(0);
    expect(await runCli(['audit:verify'], config, io)).toBe(0);
    expect(JSON.parse(out.find((l) => l.startsWith('{'))!)).toMatchObject({ ok: true, length: 106 }); // the admin, 2 companies, 2 licenses with 50 conditions each, the shipment (event 106)
    const ds = await new DataSource({ type: 'better-sqlite3', database: path }).initialize();
    await ds.query('DROP TRIGGER audit_events_no_update');
    await ds.query(`UPDATE audit_events SET after = replace(after, '5500', '55') WHERE seq = 106`);
    await ds.query(`UPDATE audit_events SET reason = 'edited' WHERE seq = 2`);
    await ds.destroy();
    out.length = 0;
    expect(await runCli(['audit:verify'], config, io)).toBe(1);
    expect(JSON.parse(out.find((l) => l.startsWith('{'))!)).toMatchObject({ ok: false, failedAt: 2, failuresTotal: 2, failures: [{ seq: 2 }, { seq: 106 }] });
    expect(out.filter((l) => l.startsWith('Audit chain broken'))).toEqual([
      expect.stringMatching(/^Audit chain broken at event 2: hash does not match/),
      expect.stringMatching(/^Audit chain broken at event 106: hash does not match/),
    ]);
    expect(await runCli(['create-admin', '--email', 'not-an-email'], config, io)).toBe(2);
    // npm run cli -- report exports: the same report as the API, to stdout or a file
    out.length = 0;
    expect(await runCli(['report', 'exports', '--group-by', 'fiscalYear,destination', '--from', '2021-07-01', '--to', '2022-06-30', '--format', 'csv'], config, io)).toBe(0);
    expect(out.join('').split('\r\n').slice(0, 3)).toEqual([
      'fiscalYear,destination,destinationName,shipments,units,fobValue,shipmentsWithFob,shareOfUnits',
      'FY2021-22,AE,United Arab Emirates,1,5500,,0,1',
      'TOTAL,,,1,5500,,0,1',
    ]);
    const file = `${path}.report.json`;
    expect(await runCli(['report', 'exports', '--group-by', 'month', '--output', file], config, io)).toBe(0);
    const { readFileSync } = await import('node:fs');
    expect(JSON.parse(readFileSync(file, 'utf8')).rows).toEqual([expect.objectContaining({ month: '2021-08', units: 5500 })]);
    out.length = 0;
    expect(await runCli(['report', 'exports', '--group-by', 'planet', '--from', '2021-02-30'], config, io)).toBe(2);
    expect(out.join('\n')).toMatch(/groupBy: .*\n.*from: /s);
  });
});
