import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';

// The "done when" checks, on the seeded reference data.
describe('reference data (seeded at first start)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ seed: true });
  });
  afterAll(() => t?.close());

  const byLicensee = (items: { licensee: string }[], name: string) => items.find((l) => l.licensee.startsWith(name));

  it('holds Inovi (issued 2021-04-09, 10-year term) and Lucky Motor (issued 2021-08-10, Samsung)', async () => {
    const res = await t.http.get('/api/v1/licenses').expect(200);
    expect(res.body.total).toBe(2);
    const inovi = byLicensee(res.body.items, 'Inovi');
    expect(inovi).toMatchObject({ licenseNumber: 'MDM-2021-0001', type: 'MDM', issuedOn: '2021-04-09', expiresOn: '2031-04-08', brands: ['Inovi'] });
    const lucky = byLicensee(res.body.items, 'Lucky Motor');
    expect(lucky).toMatchObject({ licenseNumber: 'MDM-2021-0002', issuedOn: '2021-08-10', expiresOn: '2031-08-09', brands: ['Samsung'] });
  });

  it('on 2021-08-13 both are ACTIVE; on 2021-08-09 Lucky Motor is NOT_YET_EFFECTIVE', async () => {
    const on13 = await t.http.get('/api/v1/licenses?on=2021-08-13').expect(200);
    expect(byLicensee(on13.body.items, 'Inovi')).toMatchObject({ status: 'ACTIVE', asOf: '2021-08-13' });
    expect(byLicensee(on13.body.items, 'Lucky Motor')).toMatchObject({ status: 'ACTIVE', asOf: '2021-08-13' });
    const on09 = await t.http.get('/api/v1/licenses?on=2021-08-09').expect(200);
    expect(byLicensee(on09.body.items, 'Inovi')).toMatchObject({ status: 'ACTIVE' });
    expect(byLicensee(on09.body.items, 'Lucky Motor')).toMatchObject({ status: 'NOT_YET_EFFECTIVE', asOf: '2021-08-09' });
    const nye = await t.http.get('/api/v1/licenses?on=2021-08-09&status=NOT_YET_EFFECTIVE').expect(200);
    expect(nye.body.items.map((l: { licensee: string }) => l.licensee)).toEqual(['Lucky Motor Corporation Limited']);
  });

  it('lists the 5,500-unit smartphone shipment to the UAE on 2021-08-13 under HS 8517.12', async () => {
    const res = await t.http.get('/api/v1/shipments?destination=AE').expect(200);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({
      licensee: 'Inovi Telecom (Private) Limited',
      licenseNumber: 'MDM-2021-0001',
      shippedOn: '2021-08-13',
      destinationCountry: 'AE',
      units: 5500,
      deviceCategory: 'SMARTPHONE',
      technology: '4G',
      hsCode: '8517.12',
      fobValue: null,
      status: 'RECORDED',
    });
  });

  it('refuses a Lucky Motor shipment dated 2021-08-09 (before its license) with 422 naming the license and its status', async () => {
    const licenses = await t.http.get('/api/v1/licenses').expect(200);
    const lucky = byLicensee(licenses.body.items, 'Lucky Motor') as unknown as { id: string; licenseNumber: string };
    const res = await t.http
      .post('/api/v1/shipments')
      .send({ licenseId: lucky.id, reference: 'LMC-0001', shippedOn: '2021-08-09', destinationCountry: 'AE', units: 100, deviceCategory: 'SMARTPHONE' })
      .expect(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 422, code: 'LICENSE_NOT_ACTIVE', licenseId: lucky.id, licenseNumber: 'MDM-2021-0002', statusOn: 'NOT_YET_EFFECTIVE', on: '2021-08-09' });
    expect(res.body.detail).toContain('MDM-2021-0002');
    expect(res.body.detail).toContain('NOT_YET_EFFECTIVE');
  });

  it("the UAE's first export is Inovi's 5,500 smartphones on 2021-08-13", async () => {
    const firsts = (await t.http.get('/api/v1/reports/firsts').expect(200)).body;
    expect(firsts.byDestination).toEqual([
      expect.objectContaining({ destination: 'AE', destinationName: 'United Arab Emirates', shippedOn: '2021-08-13', units: 5500, licensee: 'Inovi Telecom (Private) Limited', licenseNumber: 'MDM-2021-0001' }),
    ]);
    const fy = (await t.http.get('/api/v1/reports/exports?groupBy=fiscalYear,destination').expect(200)).body;
    expect(fy.rows).toEqual([expect.objectContaining({ fiscalYear: 'FY2021-22', destination: 'AE', shipments: 1, units: 5500, shareOfUnits: 1 })]);
  });

  it('seeding again creates nothing (idempotent)', async () => {
    const { SeedService } = await import('../../src/seed/seed.service.js');
    const result = await t.app.get(SeedService).seed();
    expect(result.created).toEqual({ companies: 0, licenses: 0, shipments: 0 });
    const res = await t.http.get('/api/v1/shipments').expect(200);
    expect(res.body.total).toBe(1);
  });

  it('GET /health checks the database', async () => {
    const res = await t.http.get('/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', details: { database: { status: 'up' } } });
  });

  it('serves OpenAPI 3 at /docs-json and the docs page at /docs', async () => {
    const json = await t.http.get('/docs-json').expect(200);
    expect(json.body.openapi).toMatch(/^3\./);
    for (const path of ['/api/v1/companies', '/api/v1/companies/{id}', '/api/v1/licenses', '/api/v1/licenses/{id}', '/api/v1/licenses/{id}/events', '/api/v1/shipments', '/api/v1/shipments/{id}', '/api/v1/shipments/{id}/void', '/health']) {
      expect(json.body.paths, path).toHaveProperty([path]);
    }
    expect(json.body.components.schemas).toHaveProperty('ProblemDto');
    const html = await t.http.get('/docs').redirects(1).expect(200);
    expect(html.text).toContain('swagger');
  });
});
