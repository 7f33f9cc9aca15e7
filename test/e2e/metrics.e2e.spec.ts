import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, startApp, type TestApp } from '../support/app.js';
import { makeLicense } from '../support/factories.js';

const TOKEN = 'metrics-token-0123456789abcdef0123456789';

/** The value of a sample line `name{labels} value` in Prometheus text, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_:]+)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[4]);
  }
  return undefined;
}

describe('GET /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ metricsToken: TOKEN });
  });
  afterAll(() => t?.close());
  const read = async () => (await t.anon.get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200)).text;

  it('is 404 without METRICS_TOKEN, and 401 without the token or with another', async () => {
    const plain = await startApp();
    try {
      await plain.anon.get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(404);
    } finally {
      await plain.close();
    }
    await t.anon.get('/metrics').expect(401);
    await t.anon.get('/metrics').set('Authorization', `Bearer ${TOKEN.slice(1)}x`).expect(401);
    await t.anon.get('/metrics').set('Authorization', `Bearer ${t.staff.ADMIN.token}`).expect(401); // a staff token is not it
  });

  it('counts requests by route template and status (also those the public fast path answers), writes, audit events and refusals', async () => {
    const license = await makeLicense(t, { licenseNumber: 'METRIC-1' });
    await t.http.get('/api/v1/companies').expect(200);
    await t.http.get(`/api/v1/licenses/${license.id}`).expect(200);
    for (let i = 0; i < 3; i++) await t.anon.get('/public/v1/licenses/METRIC-1').expect(200); // the later ones from the fast path
    for (let i = 0; i < 6; i++) await t.anon.post('/api/v1/auth/login').send({ email: 'nobody@registry.test', password: 'guess guess' });
    const text = await read();
    expect(text).toContain('# TYPE http_server_request_duration_seconds histogram');
    expect(sample(text, 'http_server_request_duration_seconds_count', { http_request_method: 'GET', http_route: '/api/v1/companies', http_response_status_code: '200' })).toBe(1);
    expect(sample(text, 'http_server_request_duration_seconds_count', { http_route: '/api/v1/licenses/:id', http_response_status_code: '200' })).toBe(1);
    expect(sample(text, 'http_server_request_duration_seconds_count', { http_route: '/public/v1/licenses/:licenseNumber', http_response_status_code: '200' })).toBe(3);
    expect(text).not.toContain('METRIC-1'); // templates, never raw paths
    expect(sample(text, 'registry_rate_limit_refusals_total', { limit: 'login' })).toBe(1);
    expect(sample(text, 'registry_audit_events_appended_total')).toBeGreaterThanOrEqual(2); // the company and the license
    expect(sample(text, 'registry_write_wait_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'http_server_active_requests')).toBe(1); // this one
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    if (engine === 'postgres') expect(sample(text, 'registry_db_pool_connections', { pool: 'writer', state: 'total' })).toBeGreaterThan(0);
  });

  it('counts imports by outcome and their rows', async () => {
    await makeLicense(t, { licenseNumber: 'METRIC-2' });
    const csv = 'licenseNumber,reference,shippedOn,destinationCountry,units,deviceCategory\nMETRIC-2,M-1,2021-08-13,AE,10,SMARTPHONE\nMETRIC-2,M-2,2021-08-13,AE,5,SMARTPHONE\n';
    await t.http.post('/api/v1/imports/shipments').set('Content-Type', 'text/csv').send(csv).expect(201);
    await t.http.post('/api/v1/imports/shipments').set('Content-Type', 'text/csv').send(csv).expect(201); // skipped the second time
    const text = await read();
    expect(sample(text, 'registry_imports_total', { outcome: 'COMMITTED' })).toBe(2);
    expect(sample(text, 'registry_import_rows_total', { result: 'created' })).toBe(2);
    expect(sample(text, 'registry_import_rows_total', { result: 'skipped' })).toBe(2);
  });
});
