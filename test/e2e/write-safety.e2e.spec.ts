import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, startApp, type TestApp } from '../support/app.js';
import { makeCompany, makeLicense, shipmentBody } from '../support/factories.js';

describe('lost-update protection (ETag / If-Match)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t?.close());

  it('GET sends the version as ETag; PATCH needs If-Match: 428 without, 412 when stale, 400 when malformed', async () => {
    const company = await makeCompany(t);
    const got = await t.http.get(`/api/v1/companies/${company.id}`).expect(200);
    expect(got.headers.etag).toBe('"1"');
    const missing = await t.http.patch(`/api/v1/companies/${company.id}`).send({ city: 'Multan' }).expect(428);
    expect(missing.body).toMatchObject({ status: 428, code: 'IF_MATCH_REQUIRED' });
    await t.http.patch(`/api/v1/companies/${company.id}`).set('If-Match', 'one').send({ city: 'Multan' }).expect(400);
    const ok = await t.http.patch(`/api/v1/companies/${company.id}`).set('If-Match', '"1"').send({ city: 'Multan' }).expect(200);
    expect(ok.headers.etag).toBe('"2"');
    const stale = await t.http.patch(`/api/v1/companies/${company.id}`).set('If-Match', '"1"').send({ city: 'Quetta' }).expect(412);
    expect(stale.body).toMatchObject({ code: 'VERSION_MISMATCH', currentVersion: 2 });
    expect((await t.http.get(`/api/v1/companies/${company.id}`).expect(200)).body.city).toBe('Multan');
    await t.http.patch(`/api/v1/companies/${company.id}`).set('If-Match', 'W/"2"').send({ city: 'Quetta' }).expect(200);
  });

  it('lifecycle events and voids need If-Match too', async () => {
    const license = await makeLicense(t);
    await t.http.post(`/api/v1/licenses/${license.id}/events`).send({ type: 'SUSPENDED', effectiveOn: '2022-01-01', reason: 'x' }).expect(428);
    await t.http.post(`/api/v1/licenses/${license.id}/events`).set('If-Match', '"9"').send({ type: 'SUSPENDED', effectiveOn: '2022-01-01', reason: 'x' }).expect(412);
    const s = (await t.http.post('/api/v1/shipments').send(shipmentBody(license)).expect(201)).body;
    await t.http.post(`/api/v1/shipments/${s.id}/void`).send({ reason: 'x' }).expect(428);
    await t.http.post(`/api/v1/shipments/${s.id}/void`).set('If-Match', '"2"').send({ reason: 'x' }).expect(412);
    await t.http.post(`/api/v1/shipments/${s.id}/void`).set('If-Match', '"1"').send({ reason: 'x' }).expect(200);
  });

  it('50 concurrent PATCHes with the same If-Match: exactly one applied, 49 answered 412', async () => {
    const license = await makeLicense(t, { brands: ['Start'] });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => t.http.patch(`/api/v1/licenses/${license.id}`).set('If-Match', '"1"').send({ brands: [`Brand ${i}`], reason: `edit ${i}` })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(49);
    const winner = results.find((r) => r.status === 200)!;
    const stored = await t.http.get(`/api/v1/licenses/${license.id}`).expect(200);
    expect(stored.body.brands).toEqual(winner.body.brands);
    expect(stored.body.version).toBe(2);
    expect(stored.body.events.filter((e: { type: string }) => e.type === 'AMENDED')).toHaveLength(1);
    const audit = await t.http.get(`/api/v1/audit?entityId=${license.id}&action=license.amended`).expect(200);
    expect(audit.body.total).toBe(1);
  });
});

describe('idempotent creation (Idempotency-Key)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t?.close());

  it('a retry with the same key and body returns the first response without writing again', async () => {
    const license = await makeLicense(t);
    const body = shipmentBody(license);
    const first = await t.http.post('/api/v1/shipments').set('Idempotency-Key', 'retry-1').send(body).expect(201);
    const again = await t.http.post('/api/v1/shipments').set('Idempotency-Key', 'retry-1').send(body).expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((await t.http.get(`/api/v1/shipments?licenseId=${license.id}`).expect(200)).body.total).toBe(1);
    const other = await t.http.post('/api/v1/shipments').set('Idempotency-Key', 'retry-1').send({ ...body, units: 1 }).expect(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('works for companies and licenses, and keys belong to one staff account', async () => {
    const c1 = await t.http.post('/api/v1/companies').set('Idempotency-Key', 'k-company').send({ legalName: 'Idem Devices Ltd' }).expect(201);
    const c2 = await t.http.post('/api/v1/companies').set('Idempotency-Key', 'k-company').send({ legalName: 'Idem Devices Ltd' }).expect(201);
    expect(c2.body.id).toBe(c1.body.id);
    // the same key from another account is that account's own: here it creates (and conflicts on the name)
    await t.as('ADMIN').post('/api/v1/companies').set('Idempotency-Key', 'k-company').send({ legalName: 'Idem Devices Ltd' }).expect(409);
    const grant = { companyId: c1.body.id, issuedOn: '2022-02-02' };
    const l1 = await t.http.post('/api/v1/licenses').set('Idempotency-Key', 'k-license').send(grant).expect(201);
    const l2 = await t.http.post('/api/v1/licenses').set('Idempotency-Key', 'k-license').send(grant).expect(201);
    expect(l2.body.licenseNumber).toBe(l1.body.licenseNumber);
    expect((await t.http.get(`/api/v1/licenses?companyId=${c1.body.id}`).expect(200)).body.total).toBe(1);
  });

  it('a failed first request does not use up the key; a bad key is a 400', async () => {
    const license = await makeLicense(t);
    await t.http.post('/api/v1/shipments').set('Idempotency-Key', 'fix-me').send(shipmentBody(license, { units: 0 })).expect(400);
    await t.http.post('/api/v1/shipments').set('Idempotency-Key', 'fix-me').send(shipmentBody(license, { reference: 'GD-FIXED' })).expect(201);
    await t.http.post('/api/v1/shipments').set('Idempotency-Key', 'x'.repeat(201)).send(shipmentBody(license)).expect(400);
    await t.http.post('/api/v1/shipments').set('Idempotency-Key', 'has space').send(shipmentBody(license)).expect(400);
  });

  it('20 concurrent POSTs of one shipment with the same key store exactly one shipment', async () => {
    const license = await makeLicense(t);
    const body = shipmentBody(license, { reference: 'GD-CONCURRENT' });
    const results = await Promise.all(Array.from({ length: 20 }, () => t.http.post('/api/v1/shipments').set('Idempotency-Key', 'burst-1').send(body)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect((await t.http.get(`/api/v1/shipments?licenseId=${license.id}`).expect(200)).body.total).toBe(1);
    const audit = await t.http.get(`/api/v1/audit?entityType=shipment&entityId=${results[0].body.id}`).expect(200);
    expect(audit.body.total).toBe(1);
  });
});

describe.skipIf(engine !== 'postgres')('two app instances on one PostgreSQL database', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startApp();
    b = await startApp({ shareDatabaseWith: a });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('keep a single linear chain that verifies under concurrent writes', async () => {
    const license = await makeLicense(a);
    const writes = Array.from({ length: 40 }, (_, i) => {
      const app = i % 2 ? a : b;
      return i % 4 < 2
        ? app.http.post('/api/v1/companies').send({ legalName: `Two Instance Co ${i}` })
        : app.http.post('/api/v1/shipments').send(shipmentBody(license, { reference: `GD-2I-${i}` }));
    });
    const results = await Promise.all(writes);
    expect(results.map((r) => r.status)).toEqual(Array(40).fill(201));
    const grants = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).http.post('/api/v1/licenses').send({ companyId: license.companyId, issuedOn: '2024-03-01' })));
    expect(new Set(grants.map((g) => g.body.licenseNumber)).size).toBe(10);
    for (const t of [a, b]) {
      const verify = await t.http.get('/api/v1/audit/verify').expect(200);
      expect(verify.body).toMatchObject({ ok: true, length: 3 + 2 + 40 + 10 + 11 * 50 }); // 3 staff, company + license, 40 writes, 10 grants, and the 11 licenses' 50 conditions each
    }
  });
});
