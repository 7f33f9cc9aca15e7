import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { expectStatus, makeCompany, makeLicense, patch } from '../support/factories.js';

describe('companies', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t?.close());

  it('creates, gets and updates a company; null clears an optional field', async () => {
    const created = await t.http
      .post('/api/v1/companies')
      .send({ legalName: '  Airlink Communication Limited ', tradeName: 'Airlink', city: 'Lahore', province: 'Punjab', ntn: '1234567-8', contactEmail: 'compliance@airlink.example' })
      .expect(201);
    expect(created.body).toMatchObject({ legalName: 'Airlink Communication Limited', tradeName: 'Airlink', city: 'Lahore', version: 1 });
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
    const got = await t.http.get(`/api/v1/companies/${created.body.id}`).expect(200);
    expect(got.body).toEqual(created.body);
    const updated = await expectStatus(patch(t, `/api/v1/companies/${created.body.id}`, { city: 'Karachi', province: null }), 200);
    expect(updated.body).toMatchObject({ city: 'Karachi', province: null, tradeName: 'Airlink', version: 2 });
    await expectStatus(patch(t, `/api/v1/companies/${created.body.id}`, { legalName: null }), 400);
  });

  it('refuses a duplicate legal name, ignoring case and spacing, with 409 and no SQL', async () => {
    await makeCompany(t, { legalName: 'Inovi Telecom (Private) Limited' });
    for (const legalName of ['inovi telecom (private) limited', 'INOVI  TELECOM (PRIVATE) LIMITED']) {
      const res = await t.http.post('/api/v1/companies').send({ legalName }).expect(409);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 409, code: 'DUPLICATE', errors: [{ field: 'legalName' }] });
      expect(JSON.stringify(res.body)).not.toMatch(/SQL|constraint|INSERT|unique|companies\./i);
    }
  });

  it('refuses a rename onto another company, and duplicate NTN or registration number', async () => {
    const a = await makeCompany(t, { ntn: '7654321-0', registrationNumber: 'REG-1' });
    const b = await makeCompany(t);
    await expectStatus(patch(t, `/api/v1/companies/${b.id}`, { legalName: a.legalName.toUpperCase() }), 409);
    await t.http.post('/api/v1/companies').send({ legalName: 'Other NTN Ltd', ntn: '7654321-0' }).expect(409);
    await t.http.post('/api/v1/companies').send({ legalName: 'Other Reg Ltd', registrationNumber: 'REG-1' }).expect(409);
    // a company keeps its own values
    await expectStatus(patch(t, `/api/v1/companies/${a.id}`, { ntn: '7654321-0', legalName: a.legalName }), 200);
  });

  it('searches by name case-insensitively, taking % and _ literally', async () => {
    await makeCompany(t, { legalName: '100% Mobile Pakistan Limited' });
    await makeCompany(t, { legalName: '1000 Mobile Pakistan Limited' });
    await makeCompany(t, { legalName: 'Under_Score Devices Limited' });
    await makeCompany(t, { legalName: 'UnderXScore Devices Limited' });
    const names = async (q: string) => (await t.http.get('/api/v1/companies').query({ q, limit: 100 }).expect(200)).body.items.map((c: { legalName: string }) => c.legalName);
    expect(await names('100%')).toEqual(['100% Mobile Pakistan Limited']);
    expect(await names('MOBILE PAKISTAN')).toEqual(['100% Mobile Pakistan Limited', '1000 Mobile Pakistan Limited']);
    expect(await names('under_')).toEqual(['Under_Score Devices Limited']);
    expect(await names('airlink')).toEqual(['Airlink Communication Limited']); // the trade name matches too
    expect(await names('\\')).toEqual([]);
    await makeCompany(t, { legalName: 'Çukurova Ünïtrade Limited', tradeName: 'Ünïtrade Çell' });
    for (const q of ['ünïtrade', 'ÜNÏTRADE', 'çell', 'ÇUKUROVA']) expect(await names(q), q).toEqual(['Çukurova Ünïtrade Limited']);
  });

  it('pages with limit and offset and reports the total', async () => {
    const first = await t.http.get('/api/v1/companies?limit=2&offset=0').expect(200);
    const second = await t.http.get('/api/v1/companies?limit=2&offset=2').expect(200);
    expect(first.body).toMatchObject({ limit: 2, offset: 0 });
    expect(first.body.items).toHaveLength(2);
    expect(first.body.total).toBeGreaterThan(4);
    expect(second.body.items[0].id).not.toBe(first.body.items[1].id);
    const desc = await t.http.get('/api/v1/companies?sort=-legalName&limit=100').expect(200);
    const keys = desc.body.items.map((c: { legalName: string }) => c.legalName.toLowerCase());
    expect(keys).toEqual([...keys].sort().reverse());
  });

  it('deletes a company without licenses (204) and refuses one with licenses (409)', async () => {
    const empty = await makeCompany(t);
    const noReason = await t.http.delete(`/api/v1/companies/${empty.id}`).expect(400);
    expect(noReason.body.errors).toContainEqual({ field: 'reason', message: 'is required' });
    await t.http.delete(`/api/v1/companies/${empty.id}`).query({ reason: 'test' }).expect(204);
    await t.http.get(`/api/v1/companies/${empty.id}`).expect(404);
    const license = await makeLicense(t);
    const res = await t.http.delete(`/api/v1/companies/${license.companyId}`).query({ reason: 'test' }).expect(409);
    expect(res.body).toMatchObject({ code: 'COMPANY_HAS_LICENSES' });
    await t.http.get(`/api/v1/companies/${license.companyId}`).expect(200);
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const unknown = '6f1c2d3e-0000-4000-8000-000000000000';
    for (const [method, body] of [['get', undefined], ['patch', { city: 'X' }], ['delete', undefined]] as const) {
      const res = await t.http[method](`/api/v1/companies/${unknown}`).query(method === 'delete' ? { reason: 'x' } : {}).set('If-Match', '"1"').send(body).expect(404);
      expect(res.body).toMatchObject({ status: 404, code: 'COMPANY_NOT_FOUND' });
      const bad = await t.http[method]('/api/v1/companies/not-a-uuid').query(method === 'delete' ? { reason: 'x' } : {}).set('If-Match', '"1"').send(body).expect(400);
      expect(bad.body.errors).toEqual([{ field: 'id', message: 'must be a UUID; got "not-a-uuid"' }]);
    }
  });

  it('takes an id in capitals as the same id, and refuses one that is not an RFC 9562 UUID (as the body fields do)', async () => {
    const company = await makeCompany(t, { legalName: 'Capital Id Devices Ltd' });
    expect((await t.http.get(`/api/v1/companies/${company.id.toUpperCase()}`).expect(200)).body.id).toBe(company.id);
    const variant = '6f1c2d3e-0000-4000-1000-000000000000'; // the variant digit must be 8, 9, a or b
    expect((await t.http.get(`/api/v1/companies/${variant}`).expect(400)).body.errors).toEqual([{ field: 'id', message: `must be a UUID; got "${variant}"` }]);
  });
});
