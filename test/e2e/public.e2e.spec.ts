import { parse } from 'csv-parse/sync';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_CSP, SITE_CSP } from '../../src/common/csp.js';
import { startApp, type TestApp } from '../support/app.js';
import { event, expectStatus, makeCompany, makeLicense, patch } from '../support/factories.js';

describe('public register (JSON API)', () => {
  let t: TestApp;
  let inovi: { id: string; licenseNumber: string; companyId: string };
  let lucky: { id: string; licenseNumber: string; companyId: string };
  beforeAll(async () => {
    t = await startApp({ seed: true });
    const licenses = (await t.http.get('/api/v1/licenses').expect(200)).body.items;
    inovi = licenses.find((l: { licensee: string }) => l.licensee.startsWith('Inovi'));
    lucky = licenses.find((l: { licensee: string }) => l.licensee.startsWith('Lucky'));
  });
  afterAll(() => t?.close());
  afterEach(() => t?.setToday(undefined));

  it('finds Inovi by "inovi", "INOVI", its license number, and a brand; an empty q lists all', async () => {
    for (const q of ['inovi', 'INOVI', ' Inovi Telecom ', inovi.licenseNumber.toLowerCase()]) {
      const res = await t.anon.get('/public/v1/manufacturers').query({ q }).expect(200);
      expect(res.body.items.map((m: { legalName: string }) => m.legalName), q).toEqual(['Inovi Telecom (Private) Limited']);
      expect(res.body.items[0].licenses[0]).toMatchObject({ licenseNumber: inovi.licenseNumber, type: 'MDM', status: 'ACTIVE', issuedOn: '2021-04-09', expiresOn: '2031-04-08', brands: ['Inovi'] });
    }
    expect((await t.anon.get('/public/v1/manufacturers?q=samsung').expect(200)).body.items[0].legalName).toBe('Lucky Motor Corporation Limited');
    expect((await t.anon.get('/public/v1/manufacturers?q=').expect(200)).body.total).toBe(2);
    expect((await t.anon.get('/public/v1/manufacturers?q=%25').expect(200)).body.total).toBe(0);
    expect((await t.anon.get('/public/v1/manufacturers?q=_').expect(200)).body.total).toBe(0);
    expect((await t.anon.get('/public/v1/manufacturers?brand=SAMSUNG').expect(200)).body.total).toBe(1);
    expect((await t.anon.get('/public/v1/manufacturers?status=SUSPENDED').expect(200)).body.total).toBe(0);
  });

  it('shows only public fields: no e-mails, staff ids, reasons, notes or FOB values', async () => {
    const company = await makeCompany(t, { legalName: 'Private Parts Ltd', contactEmail: 'secret@example.pk', ntn: '9999999-9' });
    const l = await makeLicense(t, { companyId: company.id, conditions: 'Staff note: inspect plant', reason: 'internal memo 7' });
    await event(t, l.id, 'SUSPENDED', '2022-01-01', { reason: 'confidential investigation' }).expect(201);
    const bodies = [
      (await t.anon.get('/public/v1/manufacturers?limit=100').expect(200)).text,
      (await t.anon.get(`/public/v1/manufacturers/${company.id}`).expect(200)).text,
      (await t.anon.get(`/public/v1/licenses/${encodeURIComponent(l.licenseNumber)}`).expect(200)).text,
      (await t.anon.get('/public/v1/register.json').expect(200)).text,
      (await t.anon.get('/public/v1/register.csv').expect(200)).text,
    ];
    for (const text of bodies) {
      expect(text).not.toMatch(/secret@example|9999999-9|inspect plant|internal memo|confidential|recordedBy|contactEmail|fobValue|version|staff/i);
      expect(text).not.toContain(t.staff.OFFICER.id);
    }
  });

  it('a profile has every license with its public lifecycle history; unknown or unlicensed is 404', async () => {
    const res = await t.anon.get(`/public/v1/manufacturers/${inovi.companyId}`).expect(200);
    expect(res.body.licenses[0].history).toEqual([{ type: 'GRANTED', effectiveOn: '2021-04-09', expiresOn: '2031-04-08', logIndex: expect.any(Number) }]);
    const unlicensed = await makeCompany(t);
    await t.anon.get(`/public/v1/manufacturers/${unlicensed.id}`).expect(404);
    await t.anon.get('/public/v1/manufacturers/6f1c2d3e-0000-4000-8000-000000000000').expect(404);
    await t.anon.get('/public/v1/manufacturers/nope').expect(400);
  });

  describe('verification answers for every status, before, inside and after the term', () => {
    const verify = async (number: string, on?: string) => (await t.anon.get(`/public/v1/licenses/${encodeURIComponent(number)}`).query(on ? { on } : {}).expect(200)).body;

    it('Lucky Motor on 2021-08-09 is NOT_YET_EFFECTIVE; on 2021-08-10 ACTIVE; the last term day ACTIVE; the day after EXPIRED', async () => {
      expect(await verify(lucky.licenseNumber, '2021-08-09')).toMatchObject({ found: true, status: 'NOT_YET_EFFECTIVE', valid: false, on: '2021-08-09', lastStatusChange: null });
      const on10 = await verify(lucky.licenseNumber, '2021-08-10');
      expect(on10).toMatchObject({ status: 'ACTIVE', valid: true, issuedOn: '2021-08-10', expiresOn: '2031-08-09', brands: ['Samsung'] });
      expect(on10.holder).toMatchObject({ legalName: 'Lucky Motor Corporation Limited', tradeName: 'Lucky Motor' });
      expect(on10.lastStatusChange).toEqual({ type: 'GRANTED', effectiveOn: '2021-08-10', expiresOn: '2031-08-09', logIndex: expect.any(Number) });
      expect(await verify(lucky.licenseNumber, '2031-08-09')).toMatchObject({ status: 'ACTIVE', valid: true });
      expect(await verify(lucky.licenseNumber, '2031-08-10')).toMatchObject({ status: 'EXPIRED', valid: false });
    });

    it('defaults to today in the registry time zone', async () => {
      t.setToday('2031-04-09');
      expect(await verify(inovi.licenseNumber)).toMatchObject({ status: 'EXPIRED', on: '2031-04-09' });
    });

    it('a suspended and a revoked license, with the dates', async () => {
      const l = await makeLicense(t, { issuedOn: '2021-05-01', licenseNumber: 'PTA/MDM/2021/05' });
      await event(t, l.id, 'SUSPENDED', '2022-03-01').expect(201);
      await event(t, l.id, 'REINSTATED', '2022-04-15').expect(201);
      await event(t, l.id, 'REVOKED', '2023-06-30').expect(201);
      expect(await verify('PTA/MDM/2021/05', '2021-04-30')).toMatchObject({ status: 'NOT_YET_EFFECTIVE', valid: false });
      expect(await verify('PTA/MDM/2021/05', '2022-02-28')).toMatchObject({ status: 'ACTIVE', valid: true });
      expect(await verify('PTA/MDM/2021/05', '2022-03-01')).toMatchObject({ status: 'SUSPENDED', valid: false, lastStatusChange: { type: 'SUSPENDED', effectiveOn: '2022-03-01' } });
      expect(await verify('PTA/MDM/2021/05', '2022-04-15')).toMatchObject({ status: 'ACTIVE', lastStatusChange: { type: 'REINSTATED', effectiveOn: '2022-04-15' } });
      expect(await verify('PTA/MDM/2021/05', '2023-06-30')).toMatchObject({ status: 'REVOKED', valid: false, lastStatusChange: { type: 'REVOKED', effectiveOn: '2023-06-30' } });
      expect(await verify('PTA/MDM/2021/05', '2035-01-01')).toMatchObject({ status: 'REVOKED' });
    });

    it('a surrendered and a renewed license', async () => {
      const s = await makeLicense(t, { issuedOn: '2021-06-01', licenseNumber: 'SURR-1' });
      await event(t, s.id, 'SURRENDERED', '2024-01-31').expect(201);
      expect(await verify('surr-1', '2024-01-31')).toMatchObject({ status: 'SURRENDERED', valid: false });
      const r = await makeLicense(t, { issuedOn: '2021-06-01', expiresOn: '2023-05-31', licenseNumber: 'RENEW-1' });
      expect(await verify('RENEW-1', '2023-06-01')).toMatchObject({ status: 'EXPIRED' });
      await event(t, r.id, 'RENEWED', '2023-07-01').expect(201);
      expect(await verify('RENEW-1', '2023-06-15')).toMatchObject({ status: 'EXPIRED' });
      expect(await verify('RENEW-1', '2023-07-01')).toMatchObject({ status: 'ACTIVE', valid: true, expiresOn: '2033-06-30' });
    });

    it('matches ignoring case and surrounding spaces; a / works URL-encoded', async () => {
      await makeLicense(t, { issuedOn: '2021-05-01', licenseNumber: 'PTA/MDM/2022/09' });
      for (const n of ['pta/mdm/2022/09', '  PTA/MDM/2022/09  ']) {
        expect((await t.anon.get(`/public/v1/licenses/${encodeURIComponent(n)}`).expect(200)).body.licenseNumber).toBe('PTA/MDM/2022/09');
      }
    });

    it('unknown number: 404 with a clear problem; malformed number or date: 400', async () => {
      const unknown = await t.anon.get('/public/v1/licenses/MDM-1999-0001').expect(404);
      expect(unknown.headers['content-type']).toMatch(/problem\+json/);
      expect(unknown.body).toMatchObject({ code: 'LICENSE_NOT_FOUND', found: false, licenseNumber: 'MDM-1999-0001' });
      expect(unknown.body.detail).toContain('MDM-1999-0001');
      const bad = await t.anon.get(`/public/v1/licenses/${encodeURIComponent('<script>')}`).expect(400);
      expect(bad.body.errors[0].field).toBe('licenseNumber');
      const badDate = await t.anon.get(`/public/v1/licenses/${inovi.licenseNumber}?on=2021-02-30`).expect(400);
      expect(badDate.body.errors[0].field).toBe('on');
    });
  });

  it('open data: the CSV parses back (RFC 4180) to the JSON rows; text cells cannot run as formulas', async () => {
    await makeLicense(t, { companyId: (await makeCompany(t, { legalName: '=HYPERLINK("http://evil")', tradeName: '+cmd|calc', city: 'Lahore, "Punjab"' })).id, brands: ['@SUM(1)', 'Plain'] });
    await makeLicense(t, { companyId: (await makeCompany(t, { legalName: '-2+3 Devices', tradeName: 'Multi\nLine' })).id });
    const json = (await t.anon.get('/public/v1/register.json').expect(200)).body;
    const csv = await t.anon.get('/public/v1/register.csv').buffer(true).parse((res, cb) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => cb(null, data));
    }).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="license-register-\d{4}-\d{2}-\d{2}\.csv"$/);
    const text = csv.body as string;
    expect(text.split('\r\n')[0]).toBe(json.columns.join(','));
    const rows = parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
    expect(rows).toHaveLength(json.licenses.length);
    const unformula = (v: string) => (/^'[=+\-@\t\r]/.test(v) ? v.slice(1) : v);
    json.licenses.forEach((row: Record<string, string | null>, i: number) => {
      for (const c of json.columns) expect(unformula(rows[i][c]), `${i}.${c}`).toBe(row[c] ?? '');
    });
    const evil = rows.find((r) => r.licensee.includes('HYPERLINK'))!;
    expect(evil.licensee).toBe(`'=HYPERLINK("http://evil")`);
    expect(evil.tradeName).toBe(`'+cmd|calc`);
    expect(evil.city).toBe('Lahore, "Punjab"');
    expect(evil.brands).toBe(`'@SUM(1); Plain`);
    expect(rows.find((r) => r.licensee.includes('Devices'))!.licensee).toBe(`'-2+3 Devices`);
    expect(rows.find((r) => r.licensee.includes('Devices'))!.tradeName).toBe('Multi\nLine');
    for (const r of rows) expect(Object.values(r).every((v) => !/^[=+\-@]/.test(v))).toBe(true);
  });

  it('carries ETag and Cache-Control; If-None-Match gives 304', async () => {
    for (const path of ['/public/v1/manufacturers', '/public/v1/register.json', '/public/v1/register.csv', `/public/v1/licenses/${inovi.licenseNumber}`]) {
      const first = await t.anon.get(path).expect(200);
      expect(first.headers['cache-control']).toBe('public, max-age=60');
      expect(first.headers.etag).toBeTruthy();
      const again = await t.anon.get(path).set('If-None-Match', first.headers.etag).expect(304);
      expect(again.text ?? '').toBe('');
    }
    expect((await t.http.get('/api/v1/companies').expect(200)).headers['cache-control']).toBe('no-store');
  });

  it('follows RFC 9110 for If-None-Match: lists, *, weak tags; never a 304 for an error', async () => {
    const first = await t.anon.get('/public/v1/manufacturers').expect(200);
    const tag = first.headers.etag;
    const listed = await t.anon.get('/public/v1/manufacturers').set('If-None-Match', `"other", ${tag}`).expect(304);
    expect(listed.headers['content-length']).toBeUndefined();
    await t.anon.get('/public/v1/manufacturers').set('If-None-Match', '*').expect(304);
    await t.anon.get('/public/v1/manufacturers').set('If-None-Match', `W/${tag}`).expect(304);
    await t.anon.get('/public/v1/manufacturers').set('If-None-Match', '"nope"').expect(200);
    const missing = await t.anon.get('/public/v1/licenses/NOPE').expect(404);
    await t.anon.get('/public/v1/licenses/NOPE').set('If-None-Match', missing.headers.etag ?? '*').expect(404);
  });

  it('malformed URLs and over-long parameters get problem+json too', async () => {
    for (const path of ['/public/v1/licenses/%E0%A4', '/public/v1/manufacturers/%E0%A4', `/public/v1/licenses/${'A'.repeat(2000)}`]) {
      const res = await t.anon.get(path).expect(400);
      expect(res.headers['content-type'], path).toMatch(/^application\/problem\+json/);
    }
  });

  it('the open-data row of a license not yet in force has no status change yet; the CSV can start with a BOM', async () => {
    await makeLicense(t, { issuedOn: '2099-01-01', licenseNumber: 'FUT/2099/1' });
    const row = (await t.anon.get('/public/v1/register.json').expect(200)).body.licenses.find((r: { licenseNumber: string }) => r.licenseNumber === 'FUT/2099/1');
    expect(row).toMatchObject({ status: 'NOT_YET_EFFECTIVE', lastStatusChange: null, lastStatusChangeOn: null });
    const bom = await t.anon.get('/public/v1/register.csv?bom=true').buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    expect([...(bom.body as Buffer).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    await t.anon.get('/public/v1/register.csv?x=1').expect(400);
    const semi = await t.http.post('/api/v1/licenses').send({ companyId: inovi.companyId, issuedOn: '2022-01-01', brands: ['x; y'] }).expect(400);
    expect(semi.body.errors[0].field).toBe('brands');
  });

  it('answers with problem+json for bad queries', async () => {
    await t.anon.get('/public/v1/manufacturers?status=GOOD').expect(400);
    await t.anon.get('/public/v1/manufacturers?limit=1000').expect(400);
    await t.anon.get('/public/v1/manufacturers?email=x').expect(400);
  });
});

describe('open data for other sites (CORS)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ seed: true });
  });
  afterAll(() => t?.close());
  const ORIGIN = 'https://data.example.org';

  it('the public API and files answer any origin, also from the fast path and for a preflight', async () => {
    for (const path of ['/public/v1/manufacturers', '/public/v1/register.csv', '/public/v1/licenses/MDM-2021-0001', '/public/v1/licenses/MDM-2021-0001']) {
      const res = await t.anon.get(path).set('Origin', ORIGIN).expect(200);
      expect(res.headers['access-control-allow-origin'], path).toBe('*');
    }
    const preflight = await t.anon.options('/public/v1/register.json').set('Origin', ORIGIN).set('Access-Control-Request-Method', 'GET');
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers).toMatchObject({ 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, HEAD' });
  });

  it('the staff API and the pages send no CORS header', async () => {
    for (const req of [t.http.get('/api/v1/companies'), t.anon.get('/'), t.anon.options('/api/v1/companies').set('Access-Control-Request-Method', 'POST')]) {
      const res = await req.set('Origin', ORIGIN);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
  });
});

describe('public rate limit', () => {
  it('behind a trusted proxy (TRUST_PROXY) each client behind it has its own count; X-Forwarded-For from anyone else is ignored', async () => {
    const from = (t: TestApp, client: string, path = '/public/v1/manufacturers') => t.anon.get(path).set('X-Forwarded-For', client);
    const proxied = await startApp({ publicRateLimit: 3, trustProxy: { addresses: ['loopback'] } });
    const direct = await startApp({ publicRateLimit: 3 });
    try {
      // The tests' requests come from 127.0.0.1: a trusted proxy for the first app, a client for the second.
      for (const path of ['/public/v1/manufacturers', '/public/v1/licenses/NONE-1', '/']) {
        expect((await from(proxied, '203.0.113.7', path)).status).not.toBe(429);
      }
      expect((await from(proxied, '203.0.113.7')).status).toBe(429); // the fast path and Fastify count one client
      expect((await from(proxied, '198.51.100.9')).status).toBe(200); // another client behind the proxy
      // A client cannot escape its count by sending an X-Forwarded-For of its own: the address the proxy saw counts.
      expect((await from(proxied, '192.0.2.55, 203.0.113.7')).status).toBe(429);
      expect((await from(direct, '203.0.113.7')).status).toBe(200);
      expect((await from(direct, '198.51.100.9')).status).toBe(200);
      expect((await from(direct, '192.0.2.1')).status).toBe(200);
      expect((await from(direct, '192.0.2.2')).status).toBe(429); // one peer, whatever the header says
    } finally {
      await proxied.close();
      await direct.close();
    }
  });

  it('answers 429 with Retry-After past the limit per client address', async () => {
    const t = await startApp({ publicRateLimit: 5 });
    try {
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await t.anon.get('/public/v1/manufacturers')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      const limited = await t.anon.get('/public/v1/register.json').expect(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.body).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS' });
      await t.anon.get('/').expect(429);
      await t.http.get('/api/v1/companies').expect(200); // staff routes are not limited by it
    } finally {
      await t.close();
    }
  });
});

describe('public pages (HTML, without JavaScript)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ seed: true });
  });
  afterAll(() => t?.close());

  it('the home page searches and lists manufacturers with status badges, with security headers', async () => {
    const res = await t.anon.get('/?q=inovi').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['content-security-policy']).not.toMatch(/unsafe-inline|script-src/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.text).toContain('<html lang="en" dir="ltr">');
    expect(res.text).toContain('Inovi Telecom (Private) Limited');
    expect(res.text).toMatch(/badge-active">ACTIVE</);
    expect(res.text).not.toContain('Lucky Motor');
    expect(res.text).not.toMatch(/<script/i);
    for (const link of ['/public/v1/register.csv', '/public/v1/register.json', '/docs']) expect(res.text).toContain(`href="${link}"`);
    for (const q of ['INOVI', 'mdm-2021-0001']) {
      const page = await t.anon.get('/').query({ q }).expect(200);
      expect(page.text, q).toContain('Inovi Telecom (Private) Limited');
      expect(page.text, q).not.toContain('Lucky Motor Corporation');
    }
  });

  it('in Urdu, right to left, with a language switch that is a link', async () => {
    const res = await t.anon.get('/?lang=ur').expect(200);
    expect(res.text).toContain('<html lang="ur" dir="rtl">');
    expect(res.text).toContain('href="/" hreflang="en"');
    expect(res.text).toContain('لائسنس یافتہ');
    const en = await t.anon.get('/').expect(200);
    expect(en.text).toContain('href="/?lang=ur" hreflang="ur"');
  });

  it('verify: VALID, NOT YET EFFECTIVE, NOT FOUND, and a clear error for a bad date', async () => {
    const lucky = (await t.anon.get('/public/v1/manufacturers?q=lucky').expect(200)).body.items[0].licenses[0].licenseNumber;
    const valid = await t.anon.get('/verify').query({ licenseNumber: lucky, on: '2021-08-10' }).expect(200);
    expect(valid.text).toMatch(/badge-valid">VALID</);
    const early = await t.anon.get('/verify').query({ licenseNumber: lucky.toLowerCase(), on: '2021-08-09' }).expect(200);
    expect(early.text).toMatch(/badge-not-yet-effective">NOT YET EFFECTIVE</);
    const missing = await t.anon.get('/verify').query({ licenseNumber: 'MDM-1999-0001' }).expect(200);
    expect(missing.text).toMatch(/badge-not-found">NOT FOUND</);
    const bad = await t.anon.get('/verify').query({ licenseNumber: lucky, on: '2021-02-30' }).expect(400);
    expect(bad.text).toContain('aria-invalid="true"');
  });

  it('a page never fails on its query: unknown parameters are ignored and a value that does not fit is read as not given', async () => {
    const tagged = await t.anon.get('/').query({ q: 'inovi', utm_source: 'newsletter', 'status[]': 'x' }).expect(200);
    expect(tagged.text).toContain('Inovi Telecom (Private) Limited');
    expect(tagged.text).not.toContain('Lucky Motor Corporation');
    const odd = await t.anon.get('/').query({ status: 'NOT-A-STATUS', offset: '-5', lang: 'fr' }).expect(200);
    expect(odd.text).toContain('<html lang="en" dir="ltr">');
    expect(odd.text).toContain('Lucky Motor Corporation');
    const twice = await t.anon.get('/?q=lucky&q=inovi').expect(200); // the first value counts
    expect(twice.text).toContain('Lucky Motor Corporation');
    await t.anon.get('/exports').query({ stack: 'company', lang: 'ur' }).expect(200);
    const verify = await t.anon.get('/verify').query({ licenseNumber: '   ', ref: 'x' }).expect(200);
    expect(verify.text).not.toContain('aria-invalid="true"');
  });

  it('one Content-Security-Policy for every response; /docs gets exactly what Swagger UI needs besides', async () => {
    for (const [path, accept] of [['/', 'text/html'], ['/verify?on=x', 'text/html'], ['/?q=%00', 'text/html'], ['/public/v1/exports/chart.svg', '*/*'], ['/public/v1/manufacturers', '*/*'], ['/public/v1/licenses/MDM-2021-0001', '*/*'], ['/assets/site.css', '*/*']]) {
      const res = await t.anon.get(path).set('Accept', accept);
      expect(res.headers['content-security-policy'], path).toBe(SITE_CSP);
    }
    expect(SITE_CSP).not.toMatch(/script-src|unsafe/);
    const docs = await t.anon.get('/docs').expect(200);
    expect(docs.headers['content-security-policy']).toBe(DOCS_CSP);
    expect(DOCS_CSP).toContain("script-src 'self'");
    expect(DOCS_CSP).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
  });

  it('a manufacturer page shows the timeline; an unknown one is a 404 page', async () => {
    const id = (await t.anon.get('/public/v1/manufacturers?q=inovi').expect(200)).body.items[0].id;
    const res = await t.anon.get(`/manufacturers/${id}`).expect(200);
    expect(res.text).toContain('<ol class="timeline">');
    expect(res.text).toContain('Granted');
    await t.anon.get('/manufacturers/6f1c2d3e-0000-4000-8000-000000000000').expect(404);
    await t.anon.get('/manufacturers/<x>').expect(404);
  });

  it('shows errors to browsers as HTML pages, in the page language', async () => {
    const bad = await t.anon.get('/?q=%00').set('Accept', 'text/html').expect(400);
    expect(bad.headers['content-type']).toMatch(/^text\/html/);
    expect(bad.text).toContain('<h1>400 Bad Request</h1>');
    const missing = await t.anon.get('/index.html?lang=ur').set('Accept', 'text/html,application/xhtml+xml').expect(404);
    expect(missing.text).toContain('dir="rtl"');
    const api = await t.anon.get('/public/v1/nothing').set('Accept', 'text/html').expect(404);
    expect(api.headers['content-type']).toMatch(/problem\+json/);
  });

  it('a revoked license shows no "Valid until"; an expired one says when its term ended; ids are unique', async () => {
    const company = await makeCompany(t, { legalName: 'Dup Numbers Ltd' });
    const a = await makeLicense(t, { companyId: company.id, licenseNumber: 'DUP/1', issuedOn: '2021-04-09' });
    await makeLicense(t, { companyId: company.id, licenseNumber: 'DUP-1', issuedOn: '2021-04-09', expiresOn: '2022-04-08' });
    await event(t, a.id, 'REVOKED', '2023-01-01').expect(201);
    const revoked = await t.anon.get('/verify').query({ licenseNumber: 'DUP/1' }).expect(200);
    expect(revoked.text).toMatch(/badge-revoked/);
    expect(revoked.text).not.toContain('Valid until');
    const expired = await t.anon.get('/verify').query({ licenseNumber: 'DUP-1' }).expect(200);
    expect(expired.text).toContain('Term ended on');
    const profile = await t.anon.get(`/manufacturers/${company.id}`).expect(200);
    const ids = [...profile.text.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('the stylesheet and fonts do not count against the rate limit', async () => {
    for (let i = 0; i < 3; i++) await t.anon.get('/assets/site.css').expect(200);
    const font = await t.anon.get('/assets/fonts/noto-nastaliq-urdu-arabic-400-normal.woff2').expect(200);
    expect(font.headers['content-type']).toBe('font/woff2');
    await t.anon.get('/assets/fonts/..%2F..%2Fpackage.json').expect(404);
  });

  it('escapes every value from the register', async () => {
    const company = await makeCompany(t, { legalName: '<img src=x onerror=alert(1)> Ltd' });
    await makeLicense(t, { companyId: company.id });
    const res = await t.anon.get('/?q=onerror').expect(200);
    expect(res.text).toContain('&lt;img src=x onerror=alert(1)&gt; Ltd');
    expect(res.text).not.toContain('<img src=x');
    await expectStatus(patch(t, `/api/v1/companies/${company.id}`, { website: 'https://example.pk/?a="b"' }), 200);
    const profile = await t.anon.get(`/manufacturers/${company.id}`).expect(200);
    expect(profile.text).toContain('href="https://example.pk/?a=&quot;b&quot;"');
  });
});
