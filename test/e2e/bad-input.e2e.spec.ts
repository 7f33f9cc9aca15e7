import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { makeCompany, makeLicense, shipmentBody } from '../support/factories.js';

/** Every error is RFC 9457 problem+json and never leaks SQL or a stack. */
function expectProblem(res: { status: number; headers: Record<string, string>; body: Record<string, unknown>; text: string }, status: number) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String), code: expect.any(String) });
  expect(res.text).not.toMatch(/SQLITE|QueryFailed|constraint|violates|at \w+ \(|\.ts:\d+/i);
}

/** A POST or PATCH with If-Match set to the resource's current ETag (ignored by creations). */
async function write(t: TestApp, method: string, path: string, body: unknown) {
  const etag = await t.etag(path.replace(/\/(events|void)$/, ''));
  return (method === 'post' ? t.http.post(path) : t.http.patch(path)).set('If-Match', etag).send(body as object);
}

describe('bad input', () => {
  let t: TestApp;
  let license: { id: string; companyId: string; licenseNumber: string };
  beforeAll(async () => {
    t = await startApp();
    license = await makeLicense(t, { issuedOn: '2021-04-09' });
  });
  afterAll(() => t?.close());

  describe('dates: only real YYYY-MM-DD, 400 naming the field', () => {
    const badDates = ['2021-02-30', '2024', '2021-4-9', '2021-04-09T00:00:00Z', '13/08/2021', '', 20210409, null];
    for (const value of badDates) {
      it(`refuses ${JSON.stringify(value)} in every date field`, async () => {
        const company = await makeCompany(t);
        const bodies: [string, string, Record<string, unknown>, string][] = [
          ['post', '/api/v1/licenses', { companyId: company.id, issuedOn: value }, 'issuedOn'],
          ['post', '/api/v1/licenses', { companyId: company.id, issuedOn: '2021-04-09', expiresOn: value }, 'expiresOn'],
          ['post', `/api/v1/licenses/${license.id}/events`, { type: 'SUSPENDED', effectiveOn: value, reason: 'x' }, 'effectiveOn'],
          ['post', `/api/v1/licenses/${license.id}/events`, { type: 'RENEWED', effectiveOn: '2030-01-01', reason: 'x', data: { expiresOn: value } }, 'data.expiresOn'],
          ['post', '/api/v1/shipments', shipmentBody(license, { shippedOn: value }), 'shippedOn'],
        ];
        for (const [method, path, body, field] of bodies) {
          if (value === null && (field === 'expiresOn' || field === 'data.expiresOn')) continue; // null = not given, for optional fields
          const res = await write(t, method, path, body);
          expectProblem(res, 400);
          expect(res.body.errors.map((e: { field: string }) => e.field), path).toContain(field);
        }
        if (typeof value === 'string' && value !== '') {
          for (const [path, field] of [
            [`/api/v1/licenses?on=${encodeURIComponent(value)}`, 'on'],
            [`/api/v1/licenses/${license.id}?on=${encodeURIComponent(value)}`, 'on'],
            [`/api/v1/shipments?from=${encodeURIComponent(value)}`, 'from'],
            [`/api/v1/shipments?to=${encodeURIComponent(value)}`, 'to'],
          ]) {
            const res = await t.http.get(path);
            expectProblem(res, 400);
            expect(res.body.errors[0].field).toBe(field);
          }
        }
      });
    }
  });

  it('refuses unknown properties on every write and stores nothing', async () => {
    const before = (await t.http.get('/api/v1/companies').expect(200)).body.total;
    const company = await makeCompany(t);
    const cases: [string, string, Record<string, unknown>, string][] = [
      ['post', '/api/v1/companies', { legalName: 'Sneaky Ltd', id: 7 }, 'id'],
      ['post', '/api/v1/companies', { legalName: 'Sneaky Ltd', version: 9 }, 'version'],
      ['patch', `/api/v1/companies/${company.id}`, { createdAt: '2020-01-01T00:00:00Z' }, 'createdAt'],
      ['post', '/api/v1/licenses', { companyId: company.id, issuedOn: '2021-04-09', status: 'ACTIVE' }, 'status'],
      ['post', '/api/v1/licenses', { companyId: company.id, issuedOn: '2021-04-09', id: 7 }, 'id'],
      ['post', `/api/v1/licenses/${license.id}/events`, { type: 'SUSPENDED', effectiveOn: '2022-01-01', reason: 'x', statusAfter: 'ACTIVE' }, 'statusAfter'],
      ['post', '/api/v1/shipments', shipmentBody(license, { status: 'VOIDED' }), 'status'],
      ['post', '/api/v1/shipments', shipmentBody(license, { fobValueCents: 1 }), 'fobValueCents'],
      ['post', `/api/v1/shipments/6f1c2d3e-0000-4000-8000-000000000000/void`, { reason: 'x', at: 'now' }, 'at'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await write(t, method, path, body);
      expectProblem(res, 400);
      expect(res.body.errors).toContainEqual({ field, message: 'is not a known field and is not accepted here' });
    }
    expect((await t.http.get('/api/v1/companies').expect(200)).body.total).toBe(before + 1);
    expect((await t.http.get(`/api/v1/licenses?companyId=${company.id}`).expect(200)).body.total).toBe(0);
    expect((await t.http.get(`/api/v1/licenses/${license.id}/events`).expect(200)).body.items).toHaveLength(1);
    expect((await t.http.get(`/api/v1/shipments?licenseId=${license.id}`).expect(200)).body.total).toBe(0);
    const unknownQuery = await t.http.get('/api/v1/companies?name=x');
    expectProblem(unknownQuery, 400);
    expect(unknownQuery.body.errors[0].field).toBe('name');
  });

  it('refuses a destination that is not ISO 3166-1 alpha-2 with a hint, and never stores it', async () => {
    const hints: [unknown, string | null][] = [['UAE', 'AE'], ['ARE', 'AE'], ['ae', 'AE'], ['UK', 'GB'], ['Ae', 'AE'], ['United Kingdom', 'GB'], ['XX', null], ['', null], [784, null], [null, null]];
    for (const [destinationCountry, hint] of hints) {
      const res = await t.http.post('/api/v1/shipments').send(shipmentBody(license, { destinationCountry }));
      expectProblem(res, 400);
      const error = res.body.errors.find((e: { field: string }) => e.field === 'destinationCountry');
      expect(error, JSON.stringify(destinationCountry)).toBeDefined();
      if (hint) expect(error.message).toContain(`use "${hint}"`);
    }
    const list = await t.http.get('/api/v1/shipments?destination=UAE');
    expectProblem(list, 400);
    expect(list.body.errors[0].message).toContain('use "AE"');
    expect((await t.http.get(`/api/v1/shipments?licenseId=${license.id}`).expect(200)).body.total).toBe(0);
  });

  it('normalises upper-case UUIDs in bodies and queries; trims brands; refuses an export to the exporting country', async () => {
    const company = await makeCompany(t);
    const upper = company.id.toUpperCase();
    const granted = await t.http.post('/api/v1/licenses').send({ companyId: upper, issuedOn: '2021-04-09', brands: ['  Spaced  '] }).expect(201);
    expect(granted.body).toMatchObject({ companyId: company.id, brands: ['Spaced'] });
    await t.http.post('/api/v1/licenses').send({ companyId: company.id, issuedOn: '2021-04-09', brands: ['   '] }).expect(400);
    expect((await t.http.get(`/api/v1/licenses?companyId=${upper}`).expect(200)).body.total).toBe(1);
    await t.http.post('/api/v1/shipments').send(shipmentBody({ id: granted.body.id.toUpperCase() }, { companyId: upper })).expect(201);
    const home = await t.http.post('/api/v1/shipments').send(shipmentBody(license, { destinationCountry: 'PK' })).expect(422);
    expect(home.body).toMatchObject({ code: 'DESTINATION_IS_ORIGIN', errors: [{ field: 'destinationCountry' }] });
  });

  it('refuses units outside 1..10,000,000 or not a JSON integer', async () => {
    for (const units of [0, -5, 5.5, '5500', '5,500', 10_000_001, 1e308, null, true, [5500]]) {
      const res = await t.http.post('/api/v1/shipments').send(shipmentBody(license, { units }));
      expectProblem(res, 400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('units');
    }
    await t.http.post('/api/v1/shipments').send(shipmentBody(license, { units: 10_000_000 })).expect(201);
    await t.http.post('/api/v1/shipments').send(shipmentBody(license, { units: 1 })).expect(201);
  });

  it('refuses FOB values that are not exact USD decimal strings', async () => {
    for (const fobValue of [27500.5, '1,234.56', '1.234,56', '12.345', '-1', '1e3', 'USD 10', '', '10000000000000']) {
      const res = await t.http.post('/api/v1/shipments').send(shipmentBody(license, { fobValue }));
      expectProblem(res, 400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('fobValue');
    }
  });

  it('refuses bad enums, wrong types and over-long text', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['/api/v1/shipments', shipmentBody(license, { deviceCategory: 'PHABLET' }), 'deviceCategory'],
      ['/api/v1/shipments', shipmentBody(license, { technology: '6G' }), 'technology'],
      ['/api/v1/shipments', shipmentBody(license, { reference: 'x'.repeat(101) }), 'reference'],
      ['/api/v1/shipments', shipmentBody(license, { reference: '  ' }), 'reference'],
      ['/api/v1/shipments', shipmentBody(license, { licenseId: 42 }), 'licenseId'],
      ['/api/v1/companies', { legalName: 42 }, 'legalName'],
      ['/api/v1/companies', { legalName: 'x'.repeat(301) }, 'legalName'],
      ['/api/v1/companies', { legalName: 'Fine Ltd', website: 'javascript:alert(1)' }, 'website'],
      ['/api/v1/companies', { legalName: 'Fine Ltd', contactEmail: 'not-an-email' }, 'contactEmail'],
      ['/api/v1/companies', {}, 'legalName'],
      ['/api/v1/licenses', { companyId: license.companyId, issuedOn: '2021-04-09', type: 'MVNO' }, 'type'],
      ['/api/v1/licenses', { companyId: license.companyId, issuedOn: '2021-04-09', licenseNumber: '<script>' }, 'licenseNumber'],
      ['/api/v1/licenses', { companyId: license.companyId, issuedOn: '2021-04-09', brands: 'Samsung' }, 'brands'],
      ['/api/v1/licenses', { companyId: license.companyId, issuedOn: '2021-04-09', brands: ['A', 'a'] }, 'brands'],
      ['/api/v1/licenses', { companyId: 'abc', issuedOn: '2021-04-09' }, 'companyId'],
    ];
    for (const [path, body, field] of cases) {
      const res = await t.http.post(path).send(body);
      expectProblem(res, 400);
      expect(res.body.errors.map((e: { field: string }) => e.field), `${path} ${field}`).toContain(field);
    }
  });

  it('refuses bad paging and sort parameters', async () => {
    for (const q of ['limit=0', 'limit=101', 'limit=abc', 'limit=1.5', 'limit=1e2', 'limit=0x10', 'limit=+5', 'offset=-1', 'sort=password', 'status=GOOD', 'companyId=1']) {
      const res = await t.http.get(`/api/v1/licenses?${q}`);
      expectProblem(res, 400);
      expect(res.body.errors[0].field).toBe(q.split('=')[0]);
    }
  });

  it('answers malformed bodies, wrong content types and unknown routes with problem+json', async () => {
    expectProblem(await t.http.post('/api/v1/companies').set('Content-Type', 'application/json').send('{"legalName": '), 400);
    expectProblem(await t.http.post('/api/v1/companies').set('Content-Type', 'application/json').send('[1,2]'), 400);
    expectProblem(await t.http.post('/api/v1/companies').set('Content-Type', 'application/json').send('"just a string"'), 400);
    expectProblem(await t.http.post('/api/v1/companies').set('Content-Type', 'text/plain').send('legalName=x'), 415);
    expectProblem(await t.http.post('/api/v1/companies'), 400);
    expectProblem(await t.http.post('/api/v1/companies').set('Content-Type', 'application/json').send(JSON.stringify({ legalName: 'x'.repeat(2_000_000) })), 413);
    expectProblem(await t.http.get('/api/v1/nothing-here'), 404);
    const longId = await t.http.get(`/api/v1/companies/${'a'.repeat(300)}`);
    expectProblem(longId, 400);
    expect(longId.body.errors[0].field).toBe('id');
    expectProblem(await t.http.put('/api/v1/companies'), 404);
  });

  it('refuses deeply nested JSON and control characters with 400 naming the field (never a stack overflow)', async () => {
    const deep = `{"legalName":"Deep Co","x":${'['.repeat(3000)}${']'.repeat(3000)}}`;
    for (const path of ['/api/v1/companies', '/api/v1/licenses', '/api/v1/shipments']) {
      const res = await t.http.post(path).set('Content-Type', 'application/json').send(deep);
      expectProblem(res, 400);
      expect(res.body.errors[0].message).toMatch(/nests deeper/);
    }
    const nul = await t.http.post('/api/v1/companies').send({ legalName: 'NUL\u0000 Co' });
    expectProblem(nul, 400);
    expect(nul.body.errors).toEqual([{ field: 'legalName', message: 'must not contain control characters (such as NUL or text-direction overrides)' }]);
    const bidi = await t.http.post('/api/v1/companies').send({ legalName: 'Genuine Phones \u202eDETCOVER\u202c Ltd' });
    expectProblem(bidi, 400);
    expect(bidi.body.errors[0].field).toBe('legalName');
    const nested = await t.http.post('/api/v1/licenses').send({ companyId: license.companyId, issuedOn: '2021-04-09', brands: ['ok', 'bad\u0001'] });
    expect(nested.body.errors[0].field).toBe('brands[1]');
    const query = await t.http.get('/api/v1/companies').query({ q: 'a\u0000b' });
    expectProblem(query, 400);
    expect(query.body.errors[0].field).toBe('q');
    expectProblem(await t.http.post('/api/v1/companies').set('Content-Type', 'application/x-www-form-urlencoded').send('legalName=Form+Co'), 415);
    // line breaks and tabs are ordinary text
    await t.http.post('/api/v1/licenses').send({ companyId: license.companyId, issuedOn: '2021-04-09', conditions: 'Line one\n\tLine two' }).expect(201);
  });

  it('echoes a sane X-Request-Id and replaces anything else', async () => {
    const sane = await t.http.get('/api/v1/companies').set('X-Request-Id', 'trace-42.a:b').expect(200);
    expect(sane.headers['x-request-id']).toBe('trace-42.a:b');
    const odd = await t.http.get('/api/v1/companies').set('X-Request-Id', '<script>'.repeat(100)).expect(200);
    expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('no hostile value in any field reaches a 500', async () => {
    const hostile: unknown[] = [null, true, 0, -1, 1e308, 2 ** 53 + 1, '', ' ', '\u0000', 'x'.repeat(5000), "'; DROP TABLE companies; --", '%', '_', {}, [], [null], { $gt: '' }, '2021-02-30', '９'];
    const company = await makeCompany(t);
    const targets: [string, string, Record<string, unknown>][] = [
      ['post', '/api/v1/companies', { legalName: 'Hostile Test Ltd' }],
      ['patch', `/api/v1/companies/${company.id}`, {}],
      ['post', '/api/v1/licenses', { companyId: company.id, issuedOn: '2021-04-09', brands: ['X'] }],
      ['patch', `/api/v1/licenses/${license.id}`, {}],
      ['post', `/api/v1/licenses/${license.id}/events`, { type: 'RENEWED', effectiveOn: '2030-01-01', reason: 'x', data: {} }],
      ['post', '/api/v1/shipments', shipmentBody(license)],
    ];
    const fields: Record<string, string[]> = {
      '/api/v1/companies': ['legalName', 'tradeName', 'registrationNumber', 'ntn', 'city', 'province', 'address', 'website', 'contactEmail'],
      '/api/v1/licenses': ['companyId', 'type', 'licenseNumber', 'issuedOn', 'expiresOn', 'brands', 'plantLocation', 'conditions', 'reason'],
      events: ['type', 'effectiveOn', 'reason', 'data'],
      '/api/v1/shipments': ['licenseId', 'licenseNumber', 'companyId', 'reference', 'shippedOn', 'destinationCountry', 'units', 'deviceCategory', 'technology', 'brand', 'model', 'hsCode', 'fobValue'],
    };
    let n = 0;
    for (const [method, path, base] of targets) {
      const key = path.endsWith('/events') ? 'events' : path.startsWith('/api/v1/companies') ? '/api/v1/companies' : path.startsWith('/api/v1/licenses') ? '/api/v1/licenses' : '/api/v1/shipments';
      for (const field of fields[key]) {
        for (const value of hostile) {
          const body = { ...base, [field]: value };
          if (method === 'post' && path === '/api/v1/companies') body.legalName = field === 'legalName' ? value : `Hostile ${n} Ltd`;
          if (path === '/api/v1/shipments') body.reference = field === 'reference' ? value : `H-${n}`;
          const res = await write(t, method, path, body);
          n++;
          expect(res.status, `${method} ${path} ${field}=${JSON.stringify(value)?.slice(0, 40)}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
          if (res.status >= 400) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        }
      }
      for (const q of ['limit', 'offset', 'q', 'sort', 'on', 'status', 'companyId', 'destination', 'from', 'to']) {
        for (const value of ['', '%', '\u0000', 'x'.repeat(3000), '[]', '-1', '1e309']) {
          const listPath = key === 'events' ? '/api/v1/licenses' : key;
          const res = await t.http.get(listPath).query({ [q]: value });
          expect(res.status, `GET ${listPath}?${q}=${value.slice(0, 20)}`).toBeLessThan(500);
        }
      }
    }
    expect(n).toBeGreaterThan(500);
  });
});
