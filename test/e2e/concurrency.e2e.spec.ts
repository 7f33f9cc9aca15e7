import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { makeCompany, makeLicense, shipmentBody } from '../support/factories.js';

// Parallel requests: on PostgreSQL they really run side by side; on SQLite they are queued.
describe('concurrent writes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t?.close());

  it('20 parallel grants without a number get 20 distinct registry numbers', async () => {
    const company = await makeCompany(t);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => t.http.post('/api/v1/licenses').send({ companyId: company.id, issuedOn: '2023-05-01' })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    const numbers = results.map((r) => r.body.licenseNumber).sort();
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => `MDM-2023-${String(i + 1).padStart(4, '0')}`));
  });

  it('10 parallel suspensions of one license with the same If-Match: one is recorded, 9 get 412', async () => {
    const license = await makeLicense(t);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.http.post(`/api/v1/licenses/${license.id}/events`).set('If-Match', '"1"').send({ type: 'SUSPENDED', effectiveOn: '2022-01-01', reason: 'race' }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array(9).fill(412)]);
    for (const r of results.filter((x) => x.status === 412)) expect(r.body).toMatchObject({ code: 'VERSION_MISMATCH', currentVersion: 2 });
    const events = await t.http.get(`/api/v1/licenses/${license.id}/events`).expect(200);
    expect(events.body.items.map((e: { type: string }) => e.type)).toEqual(['GRANTED', 'SUSPENDED']);
  });

  it('parallel shipments with the same reference store one', async () => {
    const license = await makeLicense(t);
    const body = shipmentBody(license, { reference: 'GD-RACE-1' });
    const results = await Promise.all(Array.from({ length: 10 }, () => t.http.post('/api/v1/shipments').send(body)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 201)) expect(r.body).toMatchObject({ status: 409, code: 'DUPLICATE' });
    expect((await t.http.get(`/api/v1/shipments?licenseId=${license.id}`).expect(200)).body.total).toBe(1);
  });
});
