import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { event, expectStatus, makeCompany, makeLicense, shipmentBody, voidShipment } from '../support/factories.js';

describe('shipments', () => {
  let t: TestApp;
  let license: { id: string; companyId: string; licenseNumber: string };
  beforeAll(async () => {
    t = await startApp();
    license = await makeLicense(t, { issuedOn: '2021-04-09' });
  });
  afterAll(() => t?.close());

  it('records a shipment; FOB value is exact (decimal string in, integer cents stored, same string out)', async () => {
    const res = await t.http.post('/api/v1/shipments').send(shipmentBody(license, { fobValue: '1234567.89', brand: 'Inovi', model: 'A1' })).expect(201);
    expect(res.body).toMatchObject({
      companyId: license.companyId,
      licenseId: license.id,
      licenseNumber: license.licenseNumber,
      shippedOn: '2021-08-13',
      destinationCountry: 'AE',
      units: 5500,
      deviceCategory: 'SMARTPHONE',
      technology: '4G',
      hsCode: '8517.12',
      fobValue: '1234567.89',
      status: 'RECORDED',
      version: 1,
    });
    const got = await t.http.get(`/api/v1/shipments/${res.body.id}`).expect(200);
    expect(got.body).toEqual(res.body);
    for (const [given, shown] of [['0.1', '0.10'], ['27500', '27500.00'], ['9999999999999.99', '9999999999999.99'], ['0', '0.00']]) {
      const r = await t.http.post('/api/v1/shipments').send(shipmentBody(license, { fobValue: given })).expect(201);
      expect(r.body.fobValue).toBe(shown);
    }
  });

  it('keeps dates exactly as given on every engine (no time-zone shift)', async () => {
    for (const shippedOn of ['2021-04-09', '2021-12-31', '2022-01-01', '2024-02-29']) {
      const hsCode = shippedOn < '2022-01-01' ? '8517.12' : '8517.13';
      const r = await t.http.post('/api/v1/shipments').send(shipmentBody(license, { shippedOn, hsCode })).expect(201);
      expect(r.body.shippedOn).toBe(shippedOn);
      const listed = await t.http.get(`/api/v1/shipments?from=${shippedOn}&to=${shippedOn}&licenseId=${license.id}`).expect(200);
      expect(listed.body.items.map((s: { id: string }) => s.id)).toContain(r.body.id);
    }
  });

  it('accepts the license by number, ignoring case and spaces; refuses both or neither', async () => {
    const r = await t.http.post('/api/v1/shipments').send({ ...shipmentBody(license), licenseId: undefined, licenseNumber: ` ${license.licenseNumber.toLowerCase()} ` }).expect(201);
    expect(r.body.licenseId).toBe(license.id);
    const both = await t.http.post('/api/v1/shipments').send({ ...shipmentBody(license), licenseNumber: license.licenseNumber }).expect(400);
    expect(both.body.errors[0].field).toBe('licenseNumber');
    const neither = await t.http.post('/api/v1/shipments').send({ ...shipmentBody(license), licenseId: undefined }).expect(400);
    expect(neither.body.errors[0].field).toBe('licenseId');
    const unknown = await t.http.post('/api/v1/shipments').send({ ...shipmentBody(license), licenseId: undefined, licenseNumber: 'MDM-1999-0001' }).expect(422);
    expect(unknown.body).toMatchObject({ code: 'LICENSE_NOT_FOUND', errors: [{ field: 'licenseNumber' }] });
    const unknownId = await t.http.post('/api/v1/shipments').send(shipmentBody({ id: '6f1c2d3e-0000-4000-8000-000000000000' })).expect(422);
    expect(unknownId.body).toMatchObject({ code: 'LICENSE_NOT_FOUND', errors: [{ field: 'licenseId' }] });
  });

  it("refuses a license of another company (422)", async () => {
    const other = await makeCompany(t);
    const res = await t.http.post('/api/v1/shipments').send(shipmentBody(license, { companyId: other.id })).expect(422);
    expect(res.body).toMatchObject({ code: 'LICENSE_OF_OTHER_COMPANY', licenseId: license.id, errors: [{ field: 'companyId' }] });
    await t.http.post('/api/v1/shipments').send(shipmentBody(license, { companyId: license.companyId })).expect(201);
  });

  it('needs the license ACTIVE on shippedOn: 422 names the license and its status that day', async () => {
    const l = await makeLicense(t, { issuedOn: '2021-04-09', expiresOn: '2025-04-08' });
    await event(t, l.id, 'SUSPENDED', '2022-03-01').expect(201);
    await event(t, l.id, 'REINSTATED', '2022-04-01').expect(201);
    const cases: [string, string][] = [
      ['2021-04-08', 'NOT_YET_EFFECTIVE'],
      ['2022-03-01', 'SUSPENDED'],
      ['2022-03-31', 'SUSPENDED'],
      ['2025-04-09', 'EXPIRED'],
    ];
    for (const [shippedOn, status] of cases) {
      const hsCode = shippedOn < '2022-01-01' ? '8517.12' : '8517.13';
      const res = await t.http.post('/api/v1/shipments').send(shipmentBody(l, { shippedOn, hsCode })).expect(422);
      expect(res.body).toMatchObject({ code: 'LICENSE_NOT_ACTIVE', licenseId: l.id, licenseNumber: l.licenseNumber, statusOn: status, on: shippedOn });
      expect(res.body.detail).toContain(status);
    }
    for (const shippedOn of ['2021-04-09', '2022-02-28', '2022-04-01', '2025-04-08']) {
      const hsCode = shippedOn < '2022-01-01' ? '8517.12' : '8517.13';
      await t.http.post('/api/v1/shipments').send(shipmentBody(l, { shippedOn, hsCode })).expect(201);
    }
    await event(t, l.id, 'REVOKED', '2023-01-01').expect(201);
    const revoked = await t.http.post('/api/v1/shipments').send(shipmentBody(l, { shippedOn: '2023-01-01', hsCode: '8517.13' })).expect(422);
    expect(revoked.body.statusOn).toBe('REVOKED');
  });

  it('refuses a shipment dated after today', async () => {
    t.setToday('2024-06-30');
    try {
      const res = await t.http.post('/api/v1/shipments').send(shipmentBody(license, { shippedOn: '2024-07-01', hsCode: '8517.13' })).expect(422);
      expect(res.body).toMatchObject({ code: 'SHIPPED_ON_IN_FUTURE', errors: [{ field: 'shippedOn' }] });
      await t.http.post('/api/v1/shipments').send(shipmentBody(license, { shippedOn: '2024-06-30', hsCode: '8517.13' })).expect(201);
    } finally {
      t.setToday(undefined);
    }
  });

  it('checks the HS code against the edition in force on shippedOn, and derives it when omitted', async () => {
    const refuse = async (overrides: Record<string, unknown>) => {
      const res = await t.http.post('/api/v1/shipments').send(shipmentBody(license, overrides)).expect(422);
      expect(res.body).toMatchObject({ code: 'HS_CODE_INVALID', errors: [{ field: 'hsCode' }] });
      return res.body;
    };
    expect((await refuse({ shippedOn: '2021-12-31', hsCode: '8517.13' })).detail).toContain('HS 2017');
    expect((await refuse({ shippedOn: '2022-01-01', hsCode: '8517.12' })).detail).toContain('HS 2022');
    await refuse({ shippedOn: '2022-01-01', hsCode: '8517.14', deviceCategory: 'SMARTPHONE' });
    await refuse({ shippedOn: '2022-01-01', hsCode: '8471.30' });
    await refuse({ shippedOn: '2022-06-01', hsCode: undefined, deviceCategory: 'TABLET' });
    const derive = async (shippedOn: string, deviceCategory: string) =>
      (await t.http.post('/api/v1/shipments').send(shipmentBody(license, { shippedOn, deviceCategory, hsCode: undefined })).expect(201)).body.hsCode;
    expect(await derive('2021-12-31', 'FEATURE_PHONE')).toBe('8517.12');
    expect(await derive('2022-01-01', 'SMARTPHONE')).toBe('8517.13');
    expect(await derive('2022-01-01', 'FEATURE_PHONE')).toBe('8517.14');
    const bad = await t.http.post('/api/v1/shipments').send(shipmentBody(license, { hsCode: '851712' })).expect(400);
    expect(bad.body.errors[0].field).toBe('hsCode');
  });

  it('refuses a duplicate reference for the same exporter (409); another exporter may reuse it', async () => {
    await t.http.post('/api/v1/shipments').send(shipmentBody(license, { reference: 'GD-DUP-1' })).expect(201);
    const res = await t.http.post('/api/v1/shipments').send(shipmentBody(license, { reference: 'GD-DUP-1', units: 1 })).expect(409);
    expect(res.body).toMatchObject({ code: 'DUPLICATE', errors: [{ field: 'reference' }] });
    const other = await makeLicense(t);
    await t.http.post('/api/v1/shipments').send(shipmentBody(other, { reference: 'GD-DUP-1' })).expect(201);
  });

  it('lists with filters: company, license, destination, date range, category, status', async () => {
    const l = await makeLicense(t, { issuedOn: '2021-04-09' });
    const mk = (o: Record<string, unknown>) => t.http.post('/api/v1/shipments').send(shipmentBody(l, o)).expect(201);
    const a = (await mk({ shippedOn: '2021-08-13', destinationCountry: 'AE', units: 5500 })).body;
    const b = (await mk({ shippedOn: '2021-09-25', destinationCountry: 'GB', units: 1500, deviceCategory: 'FEATURE_PHONE' })).body;
    const c = (await mk({ shippedOn: '2022-02-01', destinationCountry: 'AE', units: 100, hsCode: '8517.13' })).body;
    const ids = async (q: string) => (await t.http.get(`/api/v1/shipments?licenseId=${l.id}&${q}`).expect(200)).body.items.map((s: { id: string }) => s.id);
    expect(await ids('')).toEqual([c.id, b.id, a.id]); // newest first
    expect(await ids('destination=AE')).toEqual([c.id, a.id]);
    expect(await ids('from=2021-09-25&to=2022-01-31')).toEqual([b.id]);
    expect(await ids('from=2021-08-13&to=2021-08-13')).toEqual([a.id]);
    expect(await ids('deviceCategory=FEATURE_PHONE')).toEqual([b.id]);
    expect(await ids('sort=units')).toEqual([c.id, b.id, a.id]);
    expect((await t.http.get(`/api/v1/shipments?companyId=${l.companyId}`).expect(200)).body.total).toBe(3);
    const bad = await t.http.get('/api/v1/shipments?from=2022-01-01&to=2021-12-31').expect(400);
    expect(bad.body.errors[0].field).toBe('to');
    await expectStatus(voidShipment(t, b.id, { reason: 'entered twice' }), 200);
    expect(await ids('status=VOIDED')).toEqual([b.id]);
    expect(await ids('status=RECORDED')).toEqual([c.id, a.id]);
  });

  it('voids with a reason; a voided shipment cannot be voided again', async () => {
    const s = (await t.http.post('/api/v1/shipments').send(shipmentBody(license)).expect(201)).body;
    const noReason = await expectStatus(voidShipment(t, s.id, {}), 400);
    expect(noReason.body.errors).toContainEqual({ field: 'reason', message: 'is required' });
    const voided = await expectStatus(voidShipment(t, s.id, { reason: 'Recorded twice' }), 200);
    expect(voided.body).toMatchObject({ status: 'VOIDED', voidReason: 'Recorded twice', version: 2 });
    expect(voided.body.voidedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const again = await expectStatus(voidShipment(t, s.id, { reason: 'again' }), 409);
    expect(again.body.code).toBe('ALREADY_VOIDED');
    await t.http.post('/api/v1/shipments/6f1c2d3e-0000-4000-8000-000000000000/void').set('If-Match', '"1"').send({ reason: 'x' }).expect(404);
    await t.http.get('/api/v1/shipments/6f1c2d3e-0000-4000-8000-000000000000').expect(404);
    await t.http.get('/api/v1/shipments/xyz').expect(400);
  });
});
