import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthService } from '../../src/auth/auth.service.js';
import type { StaffRole } from '../../src/common/roles.js';
import { startApp, TEST_PASSWORD, type TestApp } from '../support/app.js';
import { expectStatus, patch } from '../support/factories.js';

const ALL: StaffRole[] = ['ADMIN', 'OFFICER', 'ANALYST'];
const WRITERS: StaffRole[] = ['ADMIN', 'OFFICER'];
const ADMIN: StaffRole[] = ['ADMIN'];

/**
 * Who may use each route. Every route the application registers must be listed here: a new route fails this
 * test until someone decides who may call it.
 */
const ROUTE_TABLE: Record<string, StaffRole[] | 'public'> = {
  'POST /api/v1/auth/login': 'public',
  'POST /api/v1/auth/logout': ALL,
  'GET /api/v1/auth/me': ALL,
  'GET /api/v1/staff': ADMIN,
  'POST /api/v1/staff': ADMIN,
  'GET /api/v1/staff/:id': ADMIN,
  'PATCH /api/v1/staff/:id': ADMIN,
  'GET /api/v1/companies': ALL,
  'POST /api/v1/companies': WRITERS,
  'GET /api/v1/companies/look-alikes': ALL,
  'GET /api/v1/companies/:id': ALL,
  'PATCH /api/v1/companies/:id': WRITERS,
  'DELETE /api/v1/companies/:id': WRITERS,
  'GET /api/v1/licenses': ALL,
  'POST /api/v1/licenses': WRITERS,
  'GET /api/v1/licenses/:id': ALL,
  'PATCH /api/v1/licenses/:id': WRITERS,
  'GET /api/v1/licenses/:id/events': ALL,
  'POST /api/v1/licenses/:id/events': WRITERS,
  'GET /api/v1/licenses/:id/obligations': ALL,
  'POST /api/v1/licenses/:id/obligations/:obligationId/submissions': WRITERS,
  'GET /api/v1/licenses/:id/obligations/:obligationId/submissions/:submissionId/document': ALL,
  'POST /api/v1/licenses/:id/obligations/:obligationId/decisions': WRITERS, // proposed under four eyes; without, the service lets an ADMIN alone decide
  'GET /api/v1/obligation-catalog': ALL,
  'POST /api/v1/obligation-catalog': ADMIN,
  'GET /api/v1/proposals': ALL,
  'GET /api/v1/proposals/:id': ALL,
  // Approve and reject: an ADMIN who is not the proposer. The route lets OFFICER through so that the service can tell
  // a proposer approving their own proposal 403 OWN_PROPOSAL; any other OFFICER gets 403 ROLE_NOT_ALLOWED there
  // (proposals.e2e.spec.ts).
  'POST /api/v1/proposals/:id/approve': WRITERS,
  'POST /api/v1/proposals/:id/reject': WRITERS,
  'POST /api/v1/proposals/:id/withdraw': WRITERS, // the proposer only (403 NOT_PROPOSER: proposals.e2e.spec.ts)
  'GET /api/v1/shipments': ALL,
  'POST /api/v1/shipments': WRITERS,
  'GET /api/v1/shipments/:id': ALL,
  'POST /api/v1/shipments/:id/void': WRITERS,
  'POST /api/v1/imports/shipments': WRITERS,
  'GET /api/v1/imports': ALL,
  'GET /api/v1/devices/:imei': ALL,
  'GET /public/v1/devices/:imei': 'public',
  'OPTIONS *': 'public', // CORS preflight (@fastify/cors): answered for /public/ only
  'GET /api/v1/audit': WRITERS,
  'GET /api/v1/audit/verify': WRITERS,
  'GET /api/v1/reports/exports': ALL,
  'GET /api/v1/reports/exports/chart.svg': ALL,
  'GET /api/v1/reports/firsts': ALL,
  'GET /api/v1/reports/licenses': ALL,
  'GET /api/v1/reports/obligations': ALL,
  'GET /public/v1/exports': 'public',
  'GET /public/v1/exports/chart.svg': 'public',
  'GET /health': 'public',
  'GET /metrics': 'public', // METRICS_TOKEN, not a staff token (404 without one)
  'GET /public/v1/manufacturers': 'public',
  'GET /public/v1/manufacturers/:id': 'public',
  'GET /public/v1/licenses/:licenseNumber': 'public',
  'GET /public/v1/register.json': 'public',
  'GET /public/v1/register.csv': 'public',
  'GET /public/v1/log/checkpoint': 'public',
  'GET /public/v1/log/key': 'public',
  'GET /public/v1/log/proofs/inclusion': 'public',
  'GET /public/v1/log/proofs/consistency': 'public',
  'GET /': 'public',
  'GET /manufacturers/:id': 'public',
  'GET /verify': 'public',
  'GET /exports': 'public',
  'GET /log': 'public',
  'GET /assets/*': 'public', // the stylesheet (@fastify/static)
  'GET /assets/fonts/*': 'public', // the Urdu typeface (@fastify/static)
};

describe('every route is guarded', () => {
  // Its own app: POST /auth/logout, called here with each role, revokes that account's earlier tokens.
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t?.close());

  it('every registered route is in the route table, and each non-public one answers 401 without a token and 403 to a role it does not allow', async () => {
    const auth = t.app.get(AuthService);
    const routes = t.routes
      .filter((r) => !r.url.startsWith('/docs')) // the OpenAPI document and its viewer are public by design
      .map((r) => ({ method: r.method === 'HEAD' ? 'GET' : r.method, url: r.url, head: r.method === 'HEAD' }));
    const unlisted = routes.filter((r) => !(`${r.method} ${r.url}` in ROUTE_TABLE)).map((r) => `${r.method} ${r.url}`);
    expect(unlisted, 'routes missing from ROUTE_TABLE').toEqual([]);
    const id = '6f1c2d3e-0000-4000-8000-000000000000';
    let checked = 0;
    for (const r of routes) {
      if (r.url === '*') continue; // the CORS preflight, answered for any path: tested with the public API
      const rule = ROUTE_TABLE[`${r.method} ${r.url}`];
      const path = r.url.replace(/:id/g, id).replace(/:imei/g, '356938035643809');
      const send = (token?: string) => {
        const method = (r.head ? 'head' : r.method.toLowerCase()) as 'get' | 'post' | 'patch' | 'delete' | 'head';
        const req = t.anon[method](path);
        if (token) req.set('Authorization', `Bearer ${token}`);
        return r.method === 'GET' || r.head ? req : req.send({});
      };
      if (rule === 'public') {
        expect((await send()).status, `${r.method} ${r.url} is public`).not.toBe(401);
        continue;
      }
      const anonymous = await send();
      expect(anonymous.status, `${r.head ? 'HEAD' : r.method} ${r.url} without a token`).toBe(401);
      if (!r.head) expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer/);
      for (const role of ALL) {
        // a fresh token each time: POST /auth/logout revokes the tokens issued before it
        const res = await send(auth.issue(t.staff[role]).accessToken);
        if (rule.includes(role)) expect([401, 403], `${r.method} ${r.url} as ${role}`).not.toContain(res.status);
        else expect(res.status, `${r.method} ${r.url} as ${role}`).toBe(403);
      }
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(20);
  });

  it('the OpenAPI document marks exactly the public routes as needing no token', async () => {
    const doc = (await t.anon.get('/docs-json').expect(200)).body;
    for (const [key, rule] of Object.entries(ROUTE_TABLE)) {
      const [method, url] = key.split(' ');
      if (!url.startsWith('/api/') && !url.startsWith('/public/') && url !== '/health') continue; // web pages are not API operations
      const op = doc.paths[url.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
      expect(op, key).toBeDefined();
      expect(op.security, key).toEqual(rule === 'public' ? [] : [{ bearer: [] }]);
    }
  });

});

describe('staff access', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t?.close());

  it('logs in with e-mail (any case) and password; a wrong password or unknown e-mail gets the same 401', async () => {
    const ok = await t.anon.post('/api/v1/auth/login').send({ email: 'Analyst@Registry.Test', password: TEST_PASSWORD }).expect(200);
    expect(ok.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    const me = await t.anon.get('/api/v1/auth/me').set('Authorization', `Bearer ${ok.body.accessToken}`).expect(200);
    expect(me.body).toMatchObject({ email: 'analyst@registry.test', role: 'ANALYST' });
    expect(me.body.lastLoginAt).toMatch(/^\d{4}-/);
    const wrong = await t.anon.post('/api/v1/auth/login').send({ email: 'analyst@registry.test', password: 'not the password' }).expect(401);
    const unknown = await t.anon.post('/api/v1/auth/login').send({ email: 'nobody@registry.test', password: TEST_PASSWORD }).expect(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
    await t.anon.get('/api/v1/companies').set('Authorization', 'Bearer not.a.token').expect(401);
  });

  it('rate-limits login attempts per account and address: 429 with Retry-After', async () => {
    const attempt = () => t.anon.post('/api/v1/auth/login').send({ email: 'target@registry.test', password: 'guess guess guess' });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt()).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ status: 429, code: 'TOO_MANY_LOGIN_ATTEMPTS' });
    // another account from the same address is not blocked
    await t.anon.post('/api/v1/auth/login').send({ email: 'admin@registry.test', password: TEST_PASSWORD }).expect(200);
  });

  it('only failed logins count: signing in ten times a minute is fine, and the right password is refused once blocked', async () => {
    for (let i = 0; i < 10; i++) await t.anon.post('/api/v1/auth/login').send({ email: 'officer@registry.test', password: TEST_PASSWORD }).expect(200);
    for (let i = 0; i < 5; i++) await t.anon.post('/api/v1/auth/login').send({ email: 'officer@registry.test', password: 'wrong wrong wrong' }).expect(401);
    const blocked = await t.anon.post('/api/v1/auth/login').send({ email: 'officer@registry.test', password: TEST_PASSWORD }).expect(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(60); // five minutes, not the rest of the minute
  });

  it('accepts a 256-character password and tells apart passwords that differ only after byte 72', async () => {
    const long = 'p'.repeat(255) + 'X';
    const created = await t.as('ADMIN').post('/api/v1/staff').send({ email: 'long@registry.test', displayName: 'Long', role: 'ANALYST', password: long }).expect(201);
    expect(created.body).not.toHaveProperty('passwordHash');
    await t.anon.post('/api/v1/auth/login').send({ email: 'long@registry.test', password: long }).expect(200);
    await t.anon.post('/api/v1/auth/login').send({ email: 'long@registry.test', password: 'p'.repeat(255) + 'Y' }).expect(401);
  });

  it('a deactivated account and a logged-out token stop working at once', async () => {
    const admin = t.as('ADMIN');
    const user = (await admin.post('/api/v1/staff').send({ email: 'temp@registry.test', displayName: 'Temp', role: 'OFFICER', password: TEST_PASSWORD }).expect(201)).body;
    const login = async () => (await t.anon.post('/api/v1/auth/login').send({ email: 'temp@registry.test', password: TEST_PASSWORD }).expect(200)).body.accessToken;
    const token = await login();
    await t.anon.get('/api/v1/companies').set('Authorization', `Bearer ${token}`).expect(200);
    await t.anon.post('/api/v1/auth/logout').set('Authorization', `Bearer ${token}`).expect(204);
    const revoked = await t.anon.get('/api/v1/companies').set('Authorization', `Bearer ${token}`).expect(401);
    expect(revoked.body.code).toBe('TOKEN_REVOKED');
    const token2 = await login();
    await t.anon.get('/api/v1/companies').set('Authorization', `Bearer ${token2}`).expect(200);
    await admin.patch(`/api/v1/staff/${user.id}`).set('If-Match', `"${user.version}"`).send({ active: false, reason: 'left the authority' }).expect(200);
    await t.anon.get('/api/v1/companies').set('Authorization', `Bearer ${token2}`).expect(401);
    await t.anon.post('/api/v1/auth/login').send({ email: 'temp@registry.test', password: TEST_PASSWORD }).expect(401);
  });

  it('never returns a password hash, in single objects or lists', async () => {
    const list = await t.as('ADMIN').get('/api/v1/staff?limit=100').expect(200);
    expect(list.body.items.length).toBeGreaterThanOrEqual(3);
    const text = JSON.stringify(list.body) + JSON.stringify((await t.as('ADMIN').get(`/api/v1/staff/${t.staff.ADMIN.id}`)).body);
    expect(text).not.toMatch(/argon2|passwordHash|password_hash/);
    const audit = await t.as('ADMIN').get('/api/v1/audit?entityType=staff&limit=100').expect(200);
    expect(JSON.stringify(audit.body)).not.toMatch(/argon2|passwordHash/);
  });

  it('refuses weak or oversized passwords and duplicate e-mails', async () => {
    const admin = t.as('ADMIN');
    const short = await admin.post('/api/v1/staff').send({ email: 'short@registry.test', displayName: 'S', role: 'ANALYST', password: 'short' }).expect(400);
    expect(short.body.errors[0].field).toBe('password');
    await admin.post('/api/v1/staff').send({ email: 'huge@registry.test', displayName: 'H', role: 'ANALYST', password: 'x'.repeat(1025) }).expect(400);
    await admin.post('/api/v1/staff').send({ email: 'OFFICER@registry.test', displayName: 'Dup', role: 'ANALYST', password: TEST_PASSWORD }).expect(409);
    await admin.post('/api/v1/staff').send({ email: 'x@registry.test', displayName: 'X', role: 'ROOT', password: TEST_PASSWORD }).expect(400);
  });

  it('the last active ADMIN cannot be demoted or deactivated (409 LAST_ADMIN); with a second ADMIN it can', async () => {
    const admin = t.as('ADMIN');
    const self = async () => (await admin.get(`/api/v1/staff/${t.staff.ADMIN.id}`).expect(200)).body;
    for (const change of [{ role: 'OFFICER' }, { active: false }]) {
      const me = await self();
      const res = await admin.patch(`/api/v1/staff/${me.id}`).set('If-Match', `"${me.version}"`).send(change).expect(409);
      expect(res.body).toMatchObject({ code: 'LAST_ADMIN', errors: [{ field: 'role' }] });
    }
    const me = await self();
    expect(me).toMatchObject({ role: 'ADMIN', active: true });
    const second = (await admin.post('/api/v1/staff').send({ email: 'second-admin@registry.test', displayName: 'Second', role: 'ADMIN', password: TEST_PASSWORD }).expect(201)).body;
    await admin.patch(`/api/v1/staff/${second.id}`).set('If-Match', `"${second.version}"`).send({ active: false }).expect(200); // another admin remains
    const again = (await admin.post('/api/v1/staff').send({ email: 'third-admin@registry.test', displayName: 'Third', role: 'ADMIN', password: TEST_PASSWORD }).expect(201)).body;
    const demoted = await admin.patch(`/api/v1/staff/${me.id}`).set('If-Match', `"${me.version}"`).send({ role: 'OFFICER' }).expect(200);
    expect(demoted.body.role).toBe('OFFICER');
    const third = t.anon.post('/api/v1/auth/login').send({ email: 'third-admin@registry.test', password: TEST_PASSWORD });
    const token = (await third.expect(200)).body.accessToken;
    await t.anon.patch(`/api/v1/staff/${me.id}`).set('Authorization', `Bearer ${token}`).set('If-Match', `"${demoted.body.version}"`).send({ role: 'ADMIN' }).expect(200);
    expect(again.role).toBe('ADMIN');
  });

  it('staff changes need If-Match and are audited', async () => {
    const admin = t.as('ADMIN');
    const user = (await admin.post('/api/v1/staff').send({ email: 'promote@registry.test', displayName: 'P', role: 'ANALYST', password: TEST_PASSWORD }).expect(201)).body;
    await admin.patch(`/api/v1/staff/${user.id}`).send({ role: 'OFFICER' }).expect(428);
    const changed = await expectStatus(patch({ ...t, http: admin, etag: async () => `"${user.version}"` }, `/api/v1/staff/${user.id}`, { role: 'OFFICER', reason: 'promotion' }), 200);
    expect(changed.body).toMatchObject({ role: 'OFFICER', version: 2 });
    const audit = await admin.get(`/api/v1/audit?entityType=staff&entityId=${user.id}`).expect(200);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['staff.updated', 'staff.created']);
    expect(audit.body.items[0]).toMatchObject({ actorId: t.staff.ADMIN.id, reason: 'promotion', before: { role: 'ANALYST' }, after: { role: 'OFFICER' } });
  });
});

describe('the first admin', () => {
  it('comes from BOOTSTRAP_ADMIN_EMAIL + BOOTSTRAP_ADMIN_PASSWORD when there is no staff, and can log in', async () => {
    const t = await startApp({ bootstrapAdmin: { email: 'Chief@Registry.Test', password: 'the very first passphrase' } });
    try {
      const login = await t.anon.post('/api/v1/auth/login').send({ email: 'chief@registry.test', password: 'the very first passphrase' }).expect(200);
      const me = await t.anon.get('/api/v1/auth/me').set('Authorization', `Bearer ${login.body.accessToken}`).expect(200);
      expect(me.body).toMatchObject({ email: 'chief@registry.test', role: 'ADMIN', active: true });
      const audit = await t.anon.get(`/api/v1/audit?entityType=staff&entityId=${me.body.id}`).set('Authorization', `Bearer ${login.body.accessToken}`).expect(200);
      expect(audit.body.items).toEqual([expect.objectContaining({ seq: 1, action: 'staff.created', actorId: null })]);
    } finally {
      await t.close();
    }
  });
});
