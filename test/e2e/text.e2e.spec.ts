import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { luhnCheckDigit } from '../../src/common/imei.js';
import { startApp, type TestApp } from '../support/app.js';

const NFC = 'Caf\u00e9 Mobile (Private) Limited';
const NFD = 'Cafe\u0301 Mobile (Private) Limited';
const URDU = '\u06a9\u06cc\u0648 \u0645\u0648\u0628\u0627\u0626\u0644'; // کیو موبائل: keheh, Farsi yeh
const ARABIC_KEYBOARD = '\u0643\u064a\u0648 \u0645\u0648\u0628\u0627\u0626\u0644'; // the same typed with Arabic kaf and yeh
const toUrduDigits = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d)));

/** Text means one thing: stored in NFC, names without invisible characters, matched by one identity key. */
describe('text in English and Urdu, as people type it', () => {
  let t: TestApp;
  let cafe: { id: string };
  let licenseNumber: string;
  let imei: string;
  beforeAll(async () => {
    t = await startApp();
    cafe = (await t.http.post('/api/v1/companies').send({ legalName: NFD, tradeName: URDU }).expect(201)).body;
    const license = (await t.http.post('/api/v1/licenses').send({ companyId: cafe.id, issuedOn: '2021-04-09', brands: ['Q\u00a0Mobile'] }).expect(201)).body;
    licenseNumber = license.licenseNumber;
    const body = '35693803564380';
    imei = `${body}${luhnCheckDigit(body)}`;
    await t.http.post('/api/v1/shipments').send({ licenseNumber, reference: 'GD-\u0031', shippedOn: '2021-08-13', destinationCountry: 'AE', units: 1, deviceCategory: 'SMARTPHONE', imeis: [imei] }).expect(201);
  });
  afterAll(() => t?.close());

  it('stores NFC whatever form was sent, and reads it back exactly', async () => {
    const { body } = await t.http.get(`/api/v1/companies/${cafe.id}`).expect(200);
    expect(body.legalName).toBe(NFC);
    expect(body.tradeName).toBe(URDU);
  });

  it.each([
    ['the other normal form', NFC],
    ['capitals', NFC.toUpperCase()],
    ['a full-width letter', `\uff23${NFC.slice(1)}`],
    ['a no-break space', NFC.replace(' ', '\u00a0')],
  ])('a company named again in %s is the same name: 409', async (_name, legalName) => {
    const res = await t.http.post('/api/v1/companies').send({ legalName }).expect(409);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'legalName' })]);
  });

  it.each([
    ['U+200B', '\u200b'],
    ['U+200C', '\u200c'],
    ['U+200D', '\u200d'],
    ['U+2060', '\u2060'],
    ['U+00AD', '\u00ad'],
    ['U+FEFF', '\ufeff'],
  ])('an invisible %s in a name is refused, naming the field and the character', async (code, char) => {
    const res = await t.http.post('/api/v1/companies').send({ legalName: `Airlink${char} Communication Limited` }).expect(400);
    expect(res.body.errors).toEqual([{ field: 'legalName', message: expect.stringContaining(code) }]);
  });

  it.each([
    ['brands', (c: string) => ({ companyId: cafe.id, issuedOn: '2022-01-01', brands: [`Sam${c}sung`] }), '/api/v1/licenses', 'brands'],
    ['staff e-mail', (c: string) => ({ email: `a${c}@registry.test`, displayName: 'A', role: 'ANALYST', password: 'Correct-Horse-9' }), '/api/v1/staff', 'email'],
    ['shipment reference', (c: string) => ({ licenseNumber, reference: `GD${c}-2`, shippedOn: '2021-08-13', destinationCountry: 'AE', units: 1, deviceCategory: 'SMARTPHONE' }), '/api/v1/shipments', 'reference'],
  ])('an invisible character in %s is refused', async (_name, body, path, field) => {
    const res = await t.as('ADMIN').post(path).send(body('\u200b')).expect(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([{ field: expect.stringContaining(field), message: expect.stringContaining('U+200B') }]));
  });

  it('spaces of other kinds become plain spaces; a brand is stored as typed otherwise', async () => {
    const company = (await t.http.post('/api/v1/companies').send({ legalName: '\u3000Airlink\u00a0Communication\u202fLimited ' }).expect(201)).body;
    expect(company.legalName).toBe('Airlink Communication Limited');
    const { body } = await t.anon.get('/public/v1/manufacturers').query({ q: 'q mobile' }).expect(200);
    expect(body.items.map((m: { legalName: string }) => m.legalName)).toEqual([NFC]);
  });

  it.each([
    ['the other normal form', NFD.slice(0, 12)],
    ['an Arabic keyboard', ARABIC_KEYBOARD],
    ['Arabic presentation forms', '\ufedb\ufef4\u0648'],
  ])('search finds the company typed in %s (staff and public)', async (_name, q) => {
    const staff = await t.http.get('/api/v1/companies').query({ q }).expect(200);
    expect(staff.body.items.map((c: { id: string }) => c.id)).toEqual([cafe.id]);
    const open = await t.anon.get('/public/v1/manufacturers').query({ q }).expect(200);
    expect(open.body.items.map((c: { legalName: string }) => c.legalName)).toEqual([NFC]);
  });

  it('a license number and an IMEI typed with Urdu digits are the same number', async () => {
    const check = await t.anon.get(`/public/v1/licenses/${encodeURIComponent(toUrduDigits(licenseNumber))}`).expect(200);
    expect(check.body).toMatchObject({ found: true, licenseNumber });
    const device = await t.anon.get(`/public/v1/devices/${encodeURIComponent(toUrduDigits(imei))}`).expect(200);
    expect(device.body.imei).toBe(imei);
    const shipment = await t.http.post('/api/v1/shipments').send({ licenseNumber: toUrduDigits(licenseNumber), reference: 'GD-3', shippedOn: '2021-08-14', destinationCountry: 'AE', units: 1, deviceCategory: 'SMARTPHONE' }).expect(201);
    expect(shipment.body.licenseNumber).toBe(licenseNumber);
  });

  it.each([
    ['an e-mail', '/api/v1/staff', { email: 'x\ud800@registry.test', displayName: 'X', role: 'ANALYST', password: 'Correct-Horse-9' }, 'email'],
    ['a name', '/api/v1/companies', { legalName: 'Lone \udc00 Surrogate Ltd' }, 'legalName'],
    ['a nested value', '/api/v1/licenses', { companyId: '00000000-0000-4000-8000-000000000000', issuedOn: '2021-01-01', brands: ['ok', '\ud800'] }, 'brands[1]'],
  ])('a lone surrogate in %s is 400 naming the field, before anything else sees it', async (_name, path, body, field) => {
    const res = await t.as('ADMIN').post(path).set('Content-Type', 'application/json').send(JSON.stringify(body)).expect(400);
    expect(res.body.errors).toEqual([{ field, message: expect.stringContaining('lone surrogate') }]);
  });

  it("a lone surrogate in a lifecycle event's reason is refused, and the audit chain still verifies", async () => {
    const license = (await t.http.get('/api/v1/licenses').query({ companyId: cafe.id }).expect(200)).body.items[0];
    const res = await t.http
      .post(`/api/v1/licenses/${license.id}/events`)
      .set('If-Match', `"${license.version}"`)
      .set('Content-Type', 'application/json')
      .send('{"type":"SUSPENDED","effectiveOn":"2022-01-01","reason":"inspection \\ud800"}')
      .expect(400);
    expect(res.body.errors).toEqual([{ field: 'reason', message: expect.stringContaining('lone surrogate') }]);
    await t.http.post(`/api/v1/licenses/${license.id}/events`).set('If-Match', `"${license.version}"`).send({ type: 'SUSPENDED', effectiveOn: '2022-01-01', reason: 'Cafe\u0301 inspection' }).expect(201);
    const history = await t.as('ADMIN').get('/api/v1/audit').query({ entityId: license.id }).expect(200);
    expect(JSON.stringify(history.body)).toContain('Caf\u00e9 inspection');
    expect((await t.as('ADMIN').get('/api/v1/audit/verify').expect(200)).body).toMatchObject({ ok: true });
  });
});
