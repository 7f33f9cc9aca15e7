import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { event, makeCompany, makeLicense, shipmentBody } from '../support/factories.js';

const SECRET = 'tokens-test-secret-0123456789abcdef0123';

/**
 * A bearer token is accepted only with the claims the registry issues: signed with its key (HS256), a staff id
 * (UUID string) as `sub`, an issue time, and an expiry. Anything else is 401 TOKEN_INVALID, never 500.
 */
describe('bearer tokens with other claims than the registry issues', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ jwtSecret: SECRET });
  });
  afterAll(() => t?.close());

  const sign = (claims: Record<string, unknown>, options: jwt.SignOptions = {}) => jwt.sign(claims, SECRET, { algorithm: 'HS256', ...options });
  const call = (token: string) => t.anon.get('/api/v1/companies').set('Authorization', `Bearer ${token}`);

  it('a well-formed token is accepted (the baseline)', async () => {
    const admin = t.staff.ADMIN;
    await call(sign({ sub: admin.id, role: 'ADMIN', iatMs: Date.now() }, { expiresIn: 60 })).expect(200);
  });

  it.each([
    ['no exp', () => ({ sub: t.staff.ADMIN.id, role: 'ADMIN', iatMs: Date.now() }), {}],
    ['sub an object', () => ({ sub: { id: t.staff.ADMIN.id }, role: 'ADMIN', iatMs: Date.now() }), { expiresIn: 60 }],
    ['sub a number', () => ({ sub: 42, role: 'ADMIN', iatMs: Date.now() }), { expiresIn: 60 }],
    ['sub not a UUID', () => ({ sub: 'admin', role: 'ADMIN', iatMs: Date.now() }), { expiresIn: 60 }],
    ['no iatMs', () => ({ sub: t.staff.ADMIN.id, role: 'ADMIN' }), { expiresIn: 60 }],
    ['iatMs not a number', () => ({ sub: t.staff.ADMIN.id, role: 'ADMIN', iatMs: 'now' }), { expiresIn: 60 }],
    ['issued an hour in the future', () => ({ sub: t.staff.ADMIN.id, role: 'ADMIN', iatMs: Date.now() + 3_600_000, iat: Math.floor(Date.now() / 1000) + 3600 }), { expiresIn: 7200 }],
  ] as const)('%s: 401 TOKEN_INVALID', async (_name, claims, options) => {
    const res = await call(sign(claims() as Record<string, unknown>, options as jwt.SignOptions)).expect(401);
    expect(res.body).toMatchObject({ status: 401, code: 'TOKEN_INVALID' });
  });
});

/** Values that once answered 500: each is a 4xx naming the field. */
describe('no 500 from a value', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t?.close());

  it.each(['displayName', 'role', 'active', 'password'])('null for %s in PATCH /api/v1/staff/{id}: 400 naming it', async (field) => {
    const officer = t.staff.OFFICER;
    const etag = (await t.as('ADMIN').get(`/api/v1/staff/${officer.id}`).expect(200)).headers.etag;
    const res = await t.as('ADMIN').patch(`/api/v1/staff/${officer.id}`).set('If-Match', etag).send({ [field]: null });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it.each(['9990-01-01', '9999-12-31'])('a license issued on %s without expiresOn (its term would end after 9999-12-31): 422 INVALID_TERM naming issuedOn', async (issuedOn) => {
    const company = (await t.http.post('/api/v1/companies').send({ legalName: `Far Future ${issuedOn} Ltd` }).expect(201)).body;
    const res = await t.http.post('/api/v1/licenses').send({ companyId: company.id, issuedOn });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 422, code: 'INVALID_TERM', errors: [{ field: 'issuedOn' }] });
  });
});

/** 9999-12-31 is the last calendar date: every date computed from it works or is a 4xx naming the field. */
describe('terms and reports at 9999-12-31', () => {
  let t: TestApp;
  let license: { id: string; licenseNumber: string; expiresOn: string };
  beforeAll(async () => {
    t = await startApp();
    t.setToday('9999-12-31');
    const company = await makeCompany(t);
    license = (await t.http.post('/api/v1/licenses').send({ companyId: company.id, issuedOn: '9990-01-01', expiresOn: '9999-12-31' }).expect(201)).body;
  });
  afterAll(() => t?.close());

  it('a license issued on 9990-01-01 with an explicit expiresOn of 9999-12-31: 201', async () => {
    expect(license).toMatchObject({ issuedOn: '9990-01-01', expiresOn: '9999-12-31', status: 'ACTIVE' });
  });

  it.each([
    ['a term ending 9998-12-31 (the next would start 9999-01-01)', { issuedOn: '9989-01-01' }, /a 10-year term from 9999-01-01 would end after 9999-12-31/],
    ['a term ending 9999-12-31 (no day follows it)', { issuedOn: '9990-01-01', expiresOn: '9999-12-31' }, /already ends on 9999-12-31.*cannot be renewed/],
  ])('a renewal on 9995-06-01 without expiresOn of %s: 422 INVALID_TERM naming data.expiresOn', async (_name, grant, detail) => {
    const l = await makeLicense(t, grant);
    const res = await event(t, l.id, 'RENEWED', '9995-06-01');
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'INVALID_TERM', errors: [{ field: 'data.expiresOn' }] });
    expect(res.body.detail).toMatch(detail);
  });

  it('a renewal of a term ending 9999-12-31 to 9999-12-31: 422 INVALID_TERM naming data.expiresOn', async () => {
    const l = await makeLicense(t, { issuedOn: '9990-01-01', expiresOn: '9999-12-31' });
    const res = await event(t, l.id, 'RENEWED', '9995-06-01', { data: { expiresOn: '9999-12-31' } });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body).toMatchObject({ code: 'INVALID_TERM', errors: [{ field: 'data.expiresOn' }] });
  });

  it('the licenses report on a day whose withinDays run past 9999-12-31 lists a term ending that day as expiring', async () => {
    for (const [on, daysLeft] of [['9999-07-01', 183], ['9999-12-31', 0]] as const) {
      const res = await t.as('ANALYST').get(`/api/v1/reports/licenses?on=${on}&withinDays=365`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const row = res.body.licenses.find((r: { licenseId: string }) => r.licenseId === license.id);
      expect(row).toMatchObject({ status: 'ACTIVE', expiresOn: '9999-12-31', expiresWithinDays: true, daysLeft });
      expect(res.body.expiring.map((r: { licenseId: string }) => r.licenseId)).toContain(license.id);
    }
  });

  it('a shipment on 9999-12-31 is reported in month 9999-12, quarter 9999-Q4 and fiscal year FY9999-00', async () => {
    await t.http.post('/api/v1/shipments').send(shipmentBody(license, { shippedOn: '9999-12-31', units: 10 })).expect(201);
    const periods = { month: '9999-12', quarter: '9999-Q4', year: '9999', fiscalYear: 'FY9999-00' };
    for (const query of ['from=9999-12-01&to=9999-12-31', 'from=9999-12-31&to=9999-12-31', 'from=9999-10-01', 'to=9999-12-31', '']) {
      const res = await t.as('ANALYST').get(`/api/v1/reports/exports?groupBy=fiscalYear,year,quarter,month&${query}`);
      expect(res.status, `${query}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body.rows.filter((r: { units: number }) => r.units > 0), query).toEqual([expect.objectContaining({ ...periods, units: 10 })]);
    }
    const csv = await t.as('ANALYST').get('/api/v1/reports/exports?groupBy=quarter&from=9999-10-01&to=9999-12-31&format=csv').expect(200);
    expect(csv.text).toContain('9999-Q4,1,10');
    for (const groupBy of ['month', 'quarter', 'year', 'fiscalYear']) {
      const chart = await t.as('ANALYST').get(`/api/v1/reports/exports/chart.svg?groupBy=${groupBy}&from=9999-07-01&to=9999-12-31`);
      expect(chart.status, groupBy).toBe(200);
    }
  });
});

/** An integer field takes an integer literal only: JSON.parse would read these as 1000, 10, 10 and 5. */
describe('integers are integer literals', () => {
  let t: TestApp;
  let licenseNumber: string;
  beforeAll(async () => {
    t = await startApp();
    const company = (await t.http.post('/api/v1/companies').send({ legalName: 'Literal Devices Ltd' }).expect(201)).body;
    licenseNumber = (await t.http.post('/api/v1/licenses').send({ companyId: company.id, issuedOn: '2021-04-09' }).expect(201)).body.licenseNumber;
  });
  afterAll(() => t?.close());

  const shipment = (units: string, reference: string) =>
    `{"licenseNumber":"${licenseNumber}","reference":"${reference}","shippedOn":"2021-08-13","destinationCountry":"AE","deviceCategory":"SMARTPHONE","units":${units}}`;
  const post = (body: string) => t.http.post('/api/v1/shipments').set('Content-Type', 'application/json').send(body);

  it.each(['1e3', '10.0', '1.0e1', '4.99999999999999999', '1E3', '9007199254740993', '-0.0'])('units %s: 400 naming units, nothing stored', async (units) => {
    const res = await post(shipment(units, `LIT-${units}`));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(new Set(res.body.errors.map((e: { field: string }) => e.field))).toEqual(new Set(['units']));
    expect(res.body.errors).toContainEqual({ field: 'units', message: 'must be a whole number of devices (a JSON integer)' });
    expect((await t.http.get('/api/v1/shipments').expect(200)).body.total).toBe(0);
  });

  it.each([
    ['a fractional number in a text field', '{"legalName": 2.5}', 'legalName'],
    ['an exponent in a list of text', '{"legalName": "Exp Ltd", "tradeName": 1e2}', 'tradeName'],
  ])('%s: 400 naming it', async (_name, body, field) => {
    const res = await t.http.post('/api/v1/companies').set('Content-Type', 'application/json').send(body).expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('integer literals still work, and bodies stay JSON: bad JSON, a duplicate key with two values and __proto__ are 400', async () => {
    await post(shipment('1000', 'LIT-OK')).expect(201);
    for (const body of ['{"legalName": ', '{"legalName":"A Ltd","legalName":"B Ltd"}', '{"legalName":"P Ltd","__proto__":{"x":1}}', '{"legalName":"C Ltd","constructor":{"prototype":{"x":1}}}', '']) {
      const res = await t.http.post('/api/v1/companies').set('Content-Type', 'application/json').send(body);
      expect(res.status, body).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });
});
