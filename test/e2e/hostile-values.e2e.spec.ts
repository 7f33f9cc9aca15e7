import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';

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

  it.each(['9990-01-01', '9999-12-31'])('a license issued on %s (its term would end after 9999-12-31): 4xx naming issuedOn', async (issuedOn) => {
    const company = (await t.http.post('/api/v1/companies').send({ legalName: `Far Future ${issuedOn} Ltd` }).expect(201)).body;
    const res = await t.http.post('/api/v1/licenses').send({ companyId: company.id, issuedOn });
    expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.errors?.map((e: { field: string }) => e.field)).toContain('issuedOn');
  });
});
