import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asciiDigits, plainSpaces } from '../../src/common/text.js';
import { TransparencyLog } from '../../src/audit/log/transparency-log.js';
import { startApp, type TestApp } from '../support/app.js';
import { makeLicense, shipmentBody } from '../support/factories.js';

/** Any UTF-16 code unit: lone surrogates included, as JSON can carry them. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
/** Strings people and programs might send: any code points, any code units, and the troublesome ones mixed in. */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: codeUnit, maxLength: 30 }),
  fc.string({ unit: fc.constantFrom('e', '\u0301', '\u00e9', '\u200b', '\u00ad', '\u00a0', '\uff21', '\u0643', '\u06a9', '\u06f2', '\ud800', '\udc00', ' ', '=', '\u202e', '\0'), maxLength: 30 }),
);

/** License numbers as typed: ASCII, Urdu and Arabic-Indic digits, full-width digits, odd spaces, and anything else. */
const licenseNumberText = fc.oneof(text, fc.string({ unit: fc.constantFrom('M', 'D', '-', '/', '1', '\u0662', '\u06f2', '\uff11', ' ', '\u00a0'), minLength: 1, maxLength: 12 }));

const NAME = (sent: string) => plainSpaces(sent.normalize('NFC'));
const TRIMMED = (sent: string) => sent.normalize('NFC').trim();

/** How each text field is stored (common/text.ts, docs/rules.md "Text and numbers"): NFC, and for names plain spaces. */
const FIELDS = {
  company: { legalName: NAME, tradeName: NAME, registrationNumber: NAME, city: NAME, province: NAME, address: TRIMMED },
  license: { plantLocation: NAME, conditions: TRIMMED, licenseNumber: (s: string) => plainSpaces(asciiDigits(s.normalize('NFC'))) },
  shipment: { reference: NAME, brand: NAME, model: NAME },
} as const;

/**
 * Arbitrary Unicode in every text field of companies, licenses, lifecycle events and shipments: never a 5xx;
 * what is stored reads back as the NFC of what was sent (names with plain spaces, trimmed), or the request was
 * refused with a 4xx naming a field; the audit chain verifies after the run.
 */
describe('arbitrary Unicode in every text field', () => {
  let t: TestApp;
  let license: { id: string; version: number };
  /** Shipments go under a license of their own (the events test suspends and reinstates the other). */
  let shipping: { id: string };
  let n = 0;
  /** How many requests of each field were stored (each field must see both outcomes for the test to mean anything). */
  const outcomes = new Map<string, { stored: number; refused: number }>();
  const count = (field: string, status: number) => {
    const o = outcomes.get(field) ?? { stored: 0, refused: 0 };
    if (status < 300) o.stored++;
    else o.refused++;
    outcomes.set(field, o);
  };
  beforeAll(async () => {
    t = await startApp();
    license = await makeLicense(t);
    shipping = await makeLicense(t);
    await t.app.get(TransparencyLog).issue();
  });
  afterAll(() => t?.close());

  const refusedOrStored = async (field: string, res: { status: number; body: Record<string, unknown>; headers: Record<string, string> }, read: () => Promise<unknown>, expected: string, sent: string) => {
    count(field, res.status);
    expect(res.status, `${JSON.stringify(sent)}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
    if (res.status >= 400) {
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      return;
    }
    expect(await read(), JSON.stringify(sent)).toBe(expected);
  };

  it.each(Object.keys(FIELDS.company))('companies: %s', async (field) => {
    const expected = FIELDS.company[field as keyof typeof FIELDS.company];
    await fc.assert(
      fc.asyncProperty(text, async (sent) => {
        const body = { legalName: `Property ${++n} Ltd`, [field]: sent };
        const res = await t.http.post('/api/v1/companies').send(body);
        await refusedOrStored(field, res, async () => (await t.http.get(`/api/v1/companies/${res.body.id}`).expect(200)).body[field], expected(sent), sent);
      }),
      { numRuns: 40 },
    );
  });

  it.each(Object.keys(FIELDS.license))('licenses: %s', async (field) => {
    const expected = FIELDS.license[field as keyof typeof FIELDS.license];
    const companyId = (await t.http.get(`/api/v1/licenses/${license.id}`).expect(200)).body.companyId;
    await fc.assert(
      fc.asyncProperty(field === 'licenseNumber' ? licenseNumberText : text, async (sent) => {
        const res = await t.http.post('/api/v1/licenses').send({ companyId, issuedOn: '2021-04-09', [field]: sent });
        await refusedOrStored(field, res, async () => (await t.http.get(`/api/v1/licenses/${res.body.id}`).expect(200)).body[field], expected(sent), sent);
      }),
      { numRuns: 40 },
    );
  });

  it('licenses: brands', async () => {
    const companyId = (await t.http.get(`/api/v1/licenses/${license.id}`).expect(200)).body.companyId;
    await fc.assert(
      fc.asyncProperty(fc.array(text, { maxLength: 3 }), async (sent) => {
        const res = await t.http.post('/api/v1/licenses').send({ companyId, issuedOn: '2021-04-09', brands: sent });
        expect(res.status, JSON.stringify(sent)).toBeLessThan(500);
        count('brands', res.status);
        if (res.status === 201) expect((await t.http.get(`/api/v1/licenses/${res.body.id}`).expect(200)).body.brands).toEqual(sent.map(NAME));
      }),
      { numRuns: 40 },
    );
  });

  it("lifecycle events: reason (suspended and reinstated, one day after another)", async () => {
    let day = Date.UTC(2021, 5, 1);
    let suspended = false;
    await fc.assert(
      fc.asyncProperty(text, async (sent) => {
        const current = (await t.http.get(`/api/v1/licenses/${license.id}`).expect(200)).body;
        const effectiveOn = new Date((day += 86_400_000)).toISOString().slice(0, 10);
        const res = await t.http
          .post(`/api/v1/licenses/${license.id}/events`)
          .set('If-Match', `"${current.version}"`)
          .send({ type: suspended ? 'REINSTATED' : 'SUSPENDED', effectiveOn, reason: sent });
        expect(res.status, `${JSON.stringify(sent)}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
        count('reason', res.status);
        if (res.status !== 201) return;
        suspended = !suspended;
        const { items } = (await t.http.get(`/api/v1/licenses/${license.id}/events`).expect(200)).body; // oldest first
        expect(items.at(-1).reason).toBe(TRIMMED(sent));
      }),
      { numRuns: 40 },
    );
  });

  it.each(Object.keys(FIELDS.shipment))('shipments: %s', async (field) => {
    const expected = FIELDS.shipment[field as keyof typeof FIELDS.shipment];
    await fc.assert(
      fc.asyncProperty(text, async (sent) => {
        const res = await t.http.post('/api/v1/shipments').send(shipmentBody(shipping, { [field]: sent }));
        await refusedOrStored(field, res, async () => (await t.http.get(`/api/v1/shipments/${res.body.id}`).expect(200)).body[field], expected(sent), sent);
      }),
      { numRuns: 40 },
    );
  });

  it('the audit chain and its transparency log verify after all of it (checkpoints before and after), and every field saw values stored and values refused', async () => {
    for (const [field, o] of outcomes) {
      expect(o.stored, field).toBeGreaterThan(0);
      expect(o.refused, field).toBeGreaterThan(0);
    }
    expect(outcomes.size).toBe(Object.values(FIELDS).reduce((sum, f) => sum + Object.keys(f).length, 0) + 2);
    const after = await t.app.get(TransparencyLog).issue();
    expect(after!.size).toBeGreaterThan(100);
    expect((await t.as('ADMIN').get('/api/v1/audit/verify').expect(200)).body).toMatchObject({ ok: true, length: after!.size, checkpointsChecked: 2 });
  });
});
