import type { TestApp } from './app.js';
import { event, makeCompany, makeLicense, voidShipment } from './factories.js';

/**
 * A fixture of shipments across months, fiscal years (2021-06-30 is FY2020-21, 2021-07-01 FY2021-22),
 * destinations and categories, with one voided shipment that must count nowhere.
 */
export async function loadFixture(t: TestApp) {
  const a = await makeCompany(t, { legalName: 'Alpha Devices Ltd' });
  const b = await makeCompany(t, { legalName: 'Beta Mobile Ltd' });
  const la = await makeLicense(t, { companyId: a.id, issuedOn: '2021-04-09', licenseNumber: 'LIC-A' });
  const lb = await makeLicense(t, { companyId: b.id, issuedOn: '2021-04-09', licenseNumber: 'LIC-B' });
  const ship = async (license: { id: string }, n: number, shippedOn: string, destinationCountry: string, units: number, deviceCategory: string, extra: Record<string, unknown> = {}) =>
    (await t.http.post('/api/v1/shipments').send({ licenseId: license.id, reference: `FX-${n}`, shippedOn, destinationCountry, units, deviceCategory, ...extra }).expect(201)).body;
  await ship(la, 1, '2021-06-30', 'AE', 100, 'SMARTPHONE', { technology: '4G', fobValue: '1000.00' });
  await ship(la, 2, '2021-07-01', 'AE', 200, 'SMARTPHONE', { technology: '4G', fobValue: '2000.50' });
  await ship(lb, 3, '2021-07-15', 'GB', 300, 'FEATURE_PHONE', { technology: '2G' });
  await ship(la, 4, '2021-09-10', 'AE', 400, 'SMARTPHONE', { technology: '4G' });
  const s5 = await ship(lb, 5, '2021-09-20', 'US', 50, 'SMARTPHONE');
  await ship(la, 6, '2022-01-05', 'AE', 500, 'SMARTPHONE', { technology: '5G' });
  await ship(lb, 7, '2022-06-30', 'GB', 600, 'FEATURE_PHONE', { technology: '2G' });
  await ship(la, 8, '2022-07-01', 'AE', 700, 'SMARTPHONE', { technology: '5G', fobValue: '0.25' });
  const voided = await ship(la, 9, '2021-08-01', 'AE', 999, 'SMARTPHONE');
  await voidShipment(t, voided.id, { reason: 'entered twice' });
  // A back-dated suspension of B's license: shipment 5 (2021-09-20) was then made while SUSPENDED.
  await event(t, lb.id, 'SUSPENDED', '2021-09-15').expect(201);
  await event(t, lb.id, 'REINSTATED', '2022-01-01').expect(201);
  return { a, b, la, lb, s5 };
}

/** Many shipments over two fiscal years to several destinations, for charts that look like real data. */
export async function loadChartFixture(t: TestApp): Promise<void> {
  const company = await makeCompany(t, { legalName: 'Chart Devices Ltd' });
  const license = await makeLicense(t, { companyId: company.id, issuedOn: '2021-04-09' });
  const destinations = ['AE', 'AE', 'SA', 'GB', 'AE', 'KE', 'SA', 'NG'];
  let n = 0;
  for (let month = 0; month < 24; month++) {
    const y = 2021 + Math.floor((month + 6) / 12);
    const m = ((month + 6) % 12) + 1;
    for (let k = 0; k < 3 + (month % 3); k++) {
      n++;
      await t.http
        .post('/api/v1/shipments')
        .send({
          licenseId: license.id,
          reference: `CH-${n}`,
          shippedOn: `${y}-${String(m).padStart(2, '0')}-${String(5 + k * 6).padStart(2, '0')}`,
          destinationCountry: destinations[(month + k) % destinations.length],
          units: 500 + ((month * 37 + k * 211) % 2500),
          deviceCategory: k % 3 === 2 ? 'FEATURE_PHONE' : 'SMARTPHONE',
        })
        .expect(201);
    }
  }
}
