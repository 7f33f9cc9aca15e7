import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DataSource } from 'typeorm';
import { TransparencyLog } from '../../src/audit/log/transparency-log.js';
import { ProblemException } from '../../src/common/problem.js';
import { PreparedReads } from '../../src/database/prepared-reads.js';
import { LICENSES_WITH_EVENTS_SQL, RegisterReader } from '../../src/licenses/register.reader.js';
import { PublicService } from '../../src/public/public.service.js';
import { DevicesService } from '../../src/shipments/devices.service.js';
import { engine, startApp, type TestApp } from '../support/app.js';
import { event, makeCompany, makeLicense, shipmentBody } from '../support/factories.js';

/** Every public route that is answered from the data versions, with the reads behind it. */
const ROUTES = ['/public/v1/manufacturers?q=alpha', '/public/v1/register.json', '/public/v1/register.csv', '/', '/verify?licenseNumber=COST-1', '/exports', '/public/v1/exports?groupBy=fiscalYear,destination'];

describe('public reads cost what their answer needs', () => {
  let t: TestApp;
  let license: { id: string; licenseNumber: string; companyId: string };
  beforeAll(async () => {
    t = await startApp();
    const company = await makeCompany(t, { legalName: 'Alpha Cost Devices Ltd', tradeName: 'AlphaTel' });
    license = await makeLicense(t, { companyId: company.id, licenseNumber: 'COST-1', brands: ['Zeta'] });
  });
  afterAll(() => t?.close());
  afterEach(() => {
    vi.restoreAllMocks();
    t.setToday(undefined);
  });

  it('a current If-None-Match is answered 304 and a repeated request from the cache, without reading the register', async () => {
    const reader = t.app.get(RegisterReader);
    const spies = (['all', 'byNumber', 'ofCompanies', 'holders'] as const).map((m) => vi.spyOn(reader, m));
    const first = await t.anon.get(`/public/v1/licenses/${license.licenseNumber}`).expect(200);
    const reads = spies.reduce((n, s) => n + s.mock.calls.length, 0);
    expect(reads).toBeGreaterThan(0);
    await t.anon.get(`/public/v1/licenses/${license.licenseNumber}`).set('If-None-Match', first.headers.etag).expect(304);
    const again = await t.anon.get(`/public/v1/licenses/${license.licenseNumber}`).expect(200);
    expect(again.text).toBe(first.text);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    expect(again.headers['cache-control']).toBe('public, max-age=60');
    expect(again.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    expect(spies.reduce((n, s) => n + s.mock.calls.length, 0)).toBe(reads);
  });

  it('license and device checks answered before Nest carry the same headers as the rest of the public API; odd forms still reach Nest', async () => {
    const names = (res: { headers: Record<string, unknown> }) => Object.keys(res.headers).filter((h) => !['content-length', 'date', 'etag'].includes(h)).sort();
    const list = await t.anon.get('/public/v1/manufacturers?limit=1').expect(200);
    const full = await t.anon.get(`/public/v1/licenses/${license.licenseNumber}?on=2021-08-12`).expect(200); // through Nest: the route's headers
    const check = await t.anon.get(`/public/v1/licenses/${license.licenseNumber}?on=2021-08-13`).expect(200); // answered before Nest
    expect(names(full)).toEqual(names(list));
    expect(names(check)).toEqual(names(list));
    expect(check.headers['x-content-type-options']).toBe('nosniff');
    expect(check.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(check.body).toMatchObject({ found: true, status: 'ACTIVE', on: '2021-08-13' });
    await t.anon.get(`/public/v1/licenses/${license.licenseNumber}?on=2021-02-30`).expect(400);
    await t.anon.get(`/public/v1/licenses/${license.licenseNumber}?on=2021-08-13&x=1`).expect(400);
    await t.anon.get(`/public/v1/licenses/${license.licenseNumber}?on=2021-08-13&on=2021-08-14`).expect(400);
    expect((await t.anon.get('/public/v1/licenses/NOPE-404').expect(404)).headers['content-type']).toMatch(/problem\+json/);
    expect((await t.anon.get('/public/v1/licenses/NOPE-404').expect(404)).body).toMatchObject({ code: 'LICENSE_NOT_FOUND', found: false });
    expect((await t.anon.get('/public/v1/devices/356938035643808').expect(400)).body.errors[0].field).toBe('imei');
    await t.anon.get('/public/v1/devices/356938035643809?x=1').expect(404); // through Nest, which takes no query here
  });

  it('every cached route answers its own ETag with 304, and the same body again', async () => {
    for (const path of ROUTES) {
      const first = await t.anon.get(path).expect(200);
      const res = await t.anon.get(path).set('If-None-Match', first.headers.etag).expect(304);
      expect(res.headers.etag, path).toBe(first.headers.etag);
      expect((await t.anon.get(path).expect(200)).text, path).toBe(first.text);
    }
  });

  it('a write changes the answer at once: status, search, profile, open data', async () => {
    const before = await t.anon.get(`/public/v1/licenses/${license.licenseNumber}?on=2022-01-10`).expect(200);
    expect(before.body.status).toBe('ACTIVE');
    const csv = (await t.anon.get('/public/v1/register.csv').expect(200)).text;
    await event(t, license.id, 'SUSPENDED', '2022-01-01').expect(201);
    const after = await t.anon.get(`/public/v1/licenses/${license.licenseNumber}?on=2022-01-10`).set('If-None-Match', before.headers.etag).expect(200);
    expect(after.body.status).toBe('SUSPENDED');
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect((await t.anon.get('/public/v1/register.csv').expect(200)).text).not.toBe(csv);
    const other = await makeCompany(t, { legalName: 'Alpha Second Devices Ltd' });
    expect((await t.anon.get('/public/v1/manufacturers?q=alpha').expect(200)).body.total).toBe(1);
    await makeLicense(t, { companyId: other.id, licenseNumber: 'COST-2' });
    expect((await t.anon.get('/public/v1/manufacturers?q=alpha').expect(200)).body.total).toBe(2);
    await event(t, license.id, 'REINSTATED', '2022-02-01').expect(201);
  });

  it('a shipment changes the export aggregates and device answers but not the register ETag', async () => {
    const register = await t.anon.get('/public/v1/register.json').expect(200);
    const exportsBefore = await t.anon.get('/public/v1/exports').expect(200);
    await t.anon.get('/public/v1/devices/356938035643809').expect(404);
    await t.http.post('/api/v1/shipments').send(shipmentBody(license, { shippedOn: '2021-08-13', units: 1, imeis: ['356938035643809'] })).expect(201);
    await t.anon.get('/public/v1/register.json').set('If-None-Match', register.headers.etag).expect(304);
    await t.anon.get('/public/v1/exports').set('If-None-Match', exportsBefore.headers.etag).expect(200);
    expect((await t.anon.get('/public/v1/devices/356938035643809').expect(200)).body).toMatchObject({ exported: true, shippedOn: '2021-08-13' });
  });

  it('the transparency log is not answered under the register version: its checkpoint moves on with a shipment, which leaves the register as it was', async () => {
    const log = t.app.get(TransparencyLog);
    const before = (await log.issue())!;
    const note = await t.anon.get('/public/v1/log/checkpoint').expect(200);
    expect(note.text).toBe(before.note);
    await t.http.post('/api/v1/shipments').send(shipmentBody(license)).expect(201); // moves the exports version only
    const after = (await log.issue())!;
    expect(after.size).toBe(before.size + 1);
    expect((await t.anon.get('/public/v1/log/checkpoint').set('If-None-Match', note.headers.etag).expect(200)).text).toBe(after.note);
  });

  it('a rolled-back write (an import in validate mode) leaves the versions as they were', async () => {
    const exportsBefore = await t.anon.get('/public/v1/exports').expect(200);
    const csv = `licenseNumber,reference,shippedOn,destinationCountry,units,deviceCategory\n${license.licenseNumber},VAL-1,2021-08-20,AE,10,SMARTPHONE\n`;
    await t.http.post('/api/v1/imports/shipments?mode=validate').set('Content-Type', 'text/csv').send(csv).expect(200);
    await t.anon.get('/public/v1/exports').set('If-None-Match', exportsBefore.headers.etag).expect(304);
  });

  it("the day is part of the answer: tomorrow's status is not served from today's cache", async () => {
    t.setToday('2031-04-08');
    const last = await t.anon.get(`/public/v1/licenses/${license.licenseNumber}`).expect(200);
    expect(last.body.status).toBe('ACTIVE');
    t.setToday('2031-04-09');
    const next = await t.anon.get(`/public/v1/licenses/${license.licenseNumber}`).set('If-None-Match', last.headers.etag).expect(200);
    expect(next.body.status).toBe('EXPIRED');
  });

  it('a license check on a day is answered each time, not kept (millions of one-off keys); the plain check is kept', async () => {
    const spy = vi.spyOn(t.app.get(PublicService), 'verify');
    const url = `/public/v1/licenses/${license.licenseNumber}`;
    await t.anon.get(url).expect(200);
    spy.mockClear();
    expect((await t.anon.get(`${url}?on=2021-09-01`).expect(200)).body.on).toBe('2021-09-01');
    await t.anon.get(`${url}?on=2021-09-01`).expect(200);
    expect(spy).toHaveBeenCalledTimes(2);
    await t.anon.get(url).expect(200);
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('a device check with a current ETag is a 304 without the lookup; device answers are not kept (millions of one-off keys)', async () => {
    await t.http.post('/api/v1/shipments').send(shipmentBody(license, { shippedOn: '2021-08-14', units: 1, imeis: ['490154203237518'] })).expect(201);
    const spy = vi.spyOn(t.app.get(DevicesService), 'publicAnswer');
    const first = await t.anon.get('/public/v1/devices/490154203237518').expect(200);
    await t.anon.get('/public/v1/devices/490154203237518').set('If-None-Match', first.headers.etag).expect(304);
    expect(spy).toHaveBeenCalledTimes(1);
    expect((await t.anon.get('/public/v1/devices/490154203237518').expect(200)).headers.etag).toBe(first.headers.etag);
    expect(spy).toHaveBeenCalledTimes(2);
  });
});

describe('checks asked together', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t?.close());
  afterEach(() => vi.restoreAllMocks());

  it('each gets its own answer; on PostgreSQL those of one turn of the event loop are one statement', async () => {
    const license = await makeLicense(t, { licenseNumber: 'TOGETHER-1' });
    const imeis = ['490154203237518', '356938035643809', '353918056418003'];
    await t.http.post('/api/v1/shipments').send(shipmentBody(license, { shippedOn: '2021-08-14', units: 2, imeis: imeis.slice(0, 2) })).expect(201);
    await t.http.post('/api/v1/shipments').send(shipmentBody(license, { shippedOn: '2021-09-01', units: 1, imeis: imeis.slice(2) })).expect(201);
    const devices = t.app.get(DevicesService);
    const reads = vi.spyOn(t.app.get(PreparedReads), 'all');
    const asked = [...imeis, '490154203237526', imeis[0], '356938035643808'];
    const answers = await Promise.allSettled(asked.map((imei) => devices.publicAnswer(imei)));
    const shippedOn = answers.map((a) => (a.status === 'fulfilled' ? a.value.shippedOn : (a.reason as ProblemException).getStatus()));
    expect(shippedOn).toEqual(['2021-08-14', '2021-08-14', '2021-09-01', 404, '2021-08-14', 400]);
    expect(reads.mock.calls.filter(([name]) => name.startsWith('device')).length).toBe(engine === 'postgres' ? 1 : 5); // the invalid IMEI is refused before any read
    // Over HTTP, at once: the same answers as one at a time.
    const http = await Promise.all(asked.map((imei) => t.anon.get(`/public/v1/devices/${imei}`)));
    expect(http.map((r) => r.status)).toEqual([200, 200, 200, 404, 200, 400]);
    expect(http[2].body).toEqual({ imei: imeis[2], exported: true, shippedOn: '2021-09-01', byLicensedManufacturer: true });
    expect(http[3].body).toMatchObject({ code: 'DEVICE_NOT_FOUND', exported: false });
  });

  it('license checks get their own license and events; on PostgreSQL those of one turn are one statement', async () => {
    const a = await makeLicense(t, { licenseNumber: 'TOGETHER-A', issuedOn: '2021-04-09' });
    await makeLicense(t, { licenseNumber: 'TOGETHER-B', issuedOn: '2022-01-10' });
    await event(t, a.id, 'SUSPENDED', '2022-01-01').expect(201);
    const reader = t.app.get(RegisterReader);
    const asked = ['together-a', 'TOGETHER-B', 'TOGETHER-404', ' TOGETHER-A '];
    const alone: unknown[] = [];
    for (const n of asked) alone.push(await reader.byNumber(n));
    const reads = vi.spyOn(t.app.get(PreparedReads), 'all');
    const together = await Promise.all(asked.map((n) => reader.byNumber(n)));
    // SQLite: a license and its events each, none for the missing one.
    expect(reads.mock.calls.filter(([name]) => name.startsWith('license')).length).toBe(engine === 'postgres' ? 1 : 7);
    expect(together).toEqual(alone);
    expect(together.map((e) => e && [e.license.licenseNumber, e.events.map((x) => x.type)])).toEqual([
      ['TOGETHER-A', ['GRANTED', 'SUSPENDED']],
      ['TOGETHER-B', ['GRANTED']],
      null,
      ['TOGETHER-A', ['GRANTED', 'SUSPENDED']],
    ]);
    const http = await Promise.all(['TOGETHER-A?on=2021-12-31', 'TOGETHER-A?on=2022-01-01', 'TOGETHER-B?on=2022-01-09', 'TOGETHER-404?on=2022-01-01'].map((q) => t.anon.get(`/public/v1/licenses/${q}`)));
    expect(http.map((r) => r.status)).toEqual([200, 200, 200, 404]);
    expect(http.slice(0, 3).map((r) => r.body.status)).toEqual(['ACTIVE', 'SUSPENDED', 'NOT_YET_EFFECTIVE']);
  });
});

describe('answers made in front of Fastify', () => {
  it('are logged like the others when request lines are logged (LOG_LEVEL info)', async () => {
    const t = await startApp({ logLevel: 'info' });
    try {
      const company = await makeCompany(t, { legalName: 'Logged Devices Ltd' });
      const license = await makeLicense(t, { companyId: company.id, licenseNumber: 'LOG-1' });
      const log = vi.spyOn(t.app.getHttpAdapter().getInstance().log, 'info');
      await t.anon.get(`/public/v1/licenses/${license.licenseNumber}`).expect(200); // through Nest: the route's headers
      const fast = await t.anon.get(`/public/v1/licenses/${license.licenseNumber}?on=2021-09-01`).set('X-Request-Id', 'log-check-1').expect(200);
      expect(fast.headers['x-request-id']).toBe('log-check-1');
      expect(log).toHaveBeenCalledWith(expect.objectContaining({ reqId: 'log-check-1', res: { statusCode: 200 }, route: '/public/v1/licenses/:licenseNumber' }), 'request completed');
    } finally {
      vi.restoreAllMocks();
      await t.close();
    }
  });
});

describe('query plans of the public reads use indexes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ seed: true });
  });
  afterAll(() => t?.close());

  /** The plan of a statement, as text (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN with sequential scans discouraged, as on a large table). */
  async function plan(sql: string, params: unknown[]): Promise<string> {
    const ds = t.app.get(DataSource);
    if (t.engine === 'postgres') {
      return ds.transaction(async (m) => {
        await m.query('SET LOCAL enable_seqscan = off');
        return (await m.query(`EXPLAIN ${sql}`, params)).map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
      });
    }
    return (await ds.query(`EXPLAIN QUERY PLAN ${sql}`, params)).map((r: { detail: string }) => r.detail).join('\n');
  }
  const p = (i: number) => (engine === 'postgres' ? `$${i}` : '?');

  it('a license check finds its license by the unique number key and its events by license', async () => {
    expect(await plan(`SELECT * FROM licenses WHERE license_number_key = ${p(1)}`, ['MDM-2021-0001'])).toMatch(/uq_licenses_license_number_key|USING INDEX sqlite_autoindex_licenses/);
    expect(await plan(`SELECT * FROM license_events WHERE license_id IN (${p(1)}) ORDER BY license_id, seq`, ['6f1c2d3e-0000-4000-8000-000000000000'])).toMatch(/uq_license_events_license_seq|USING INDEX sqlite_autoindex_license_events|ix_license_events_license_effective/);
    if (engine === 'postgres') {
      // Those asked together (register.reader.ts): the same keys, one lookup per element of the array.
      const together = await plan(LICENSES_WITH_EVENTS_SQL, [['MDM-2021-0001', 'MDM-2021-0002']]);
      expect(together).toMatch(/uq_licenses_license_number_key/);
      expect(together).toMatch(/uq_license_events_license_seq|ix_license_events_license_effective/);
      expect(together).not.toMatch(/Seq Scan/);
    }
  });

  it("a manufacturer's licenses come from the company index", async () => {
    expect(await plan(`SELECT * FROM licenses WHERE company_id IN (${p(1)})`, ['6f1c2d3e-0000-4000-8000-000000000000'])).toMatch(/ix_licenses_company/);
  });

  it('a device is found by its IMEI index', async () => {
    const lookup = await plan(`SELECT s.shipped_on FROM devices d JOIN shipments s ON s.no = d.shipment_no WHERE d.imei = ${p(1)}`, [356938035643809]);
    expect(lookup).toMatch(/devices_pkey|SEARCH d USING INTEGER PRIMARY KEY/);
    expect(lookup).toMatch(/uq_shipments_no/);
    if (engine === 'postgres') {
      // Those asked together (devices.service.ts): the same lookups, one per IMEI of the array.
      const together = await plan(`SELECT d.imei, s.shipped_on FROM devices d JOIN shipments s ON s.no = d.shipment_no WHERE d.imei = ANY($1)`, [[356938035643809, 490154203237518]]);
      expect(together).toMatch(/devices_pkey/);
      expect(together).toMatch(/uq_shipments_no/);
    }
  });
});

describe('two instances on one database', () => {
  let a: TestApp;
  let b: TestApp;
  let dir: string | undefined;
  beforeAll(async () => {
    if (engine === 'sqlite') {
      dir = mkdtempSync(join(tmpdir(), 'lr-two-'));
      a = await startApp({ sqliteFile: join(dir, 'registry.sqlite') });
    } else a = await startApp();
    b = await startApp({ shareDatabaseWith: a });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("a write through one instance is seen at once by the other's cache", async () => {
    const license = await makeLicense(a, { licenseNumber: 'TWO-1' });
    const cached = await b.anon.get('/public/v1/licenses/TWO-1?on=2022-01-10').expect(200);
    expect(cached.body.status).toBe('ACTIVE');
    await b.anon.get('/public/v1/licenses/TWO-1?on=2022-01-10').set('If-None-Match', cached.headers.etag).expect(304);
    await event(a, license.id, 'SUSPENDED', '2022-01-01').expect(201);
    const fresh = await b.anon.get('/public/v1/licenses/TWO-1?on=2022-01-10').set('If-None-Match', cached.headers.etag).expect(200);
    expect(fresh.body.status).toBe('SUSPENDED');
  });
});
