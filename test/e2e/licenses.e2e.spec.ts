import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LICENSE_STATUSES } from '../../src/licenses/lifecycle.js';
import { startApp, type TestApp } from '../support/app.js';
import { event, expectStatus, makeCompany, makeLicense, patch } from '../support/factories.js';

describe('licenses', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t?.close());
  afterEach(() => t?.setToday(undefined));

  it('grants with a GRANTED event, the default 10-year term, and a registry number MDM-YYYY-NNNN per year of issue', async () => {
    const company = await makeCompany(t);
    const a = await t.http.post('/api/v1/licenses').send({ companyId: company.id, issuedOn: '2021-04-09', brands: ['Inovi'] }).expect(201);
    expect(a.body).toMatchObject({ licenseNumber: 'MDM-2021-0001', type: 'MDM', issuedOn: '2021-04-09', expiresOn: '2031-04-08', licensee: company.legalName, brands: ['Inovi'] });
    expect(a.body.events).toEqual([expect.objectContaining({ seq: 1, type: 'GRANTED', effectiveOn: '2021-04-09', statusAfter: 'ACTIVE', expiresOnAfter: '2031-04-08' })]);
    const b = await makeLicense(t, { companyId: company.id, issuedOn: '2021-08-10' });
    expect(b.licenseNumber).toBe('MDM-2021-0002');
    const c = await makeLicense(t, { issuedOn: '2022-01-03' });
    expect(c.licenseNumber).toBe('MDM-2022-0001');
    const d = await makeLicense(t, { issuedOn: '2021-09-01', expiresOn: '2026-08-31' });
    expect(d).toMatchObject({ licenseNumber: 'MDM-2021-0003', expiresOn: '2026-08-31' });
  });

  it('registry numbers never repeat: past 9999, around odd numbers, and after a number is renamed away', async () => {
    const company = await makeCompany(t);
    await makeLicense(t, { companyId: company.id, issuedOn: '2023-02-01', licenseNumber: 'MDM-2023-9999' });
    expect((await makeLicense(t, { companyId: company.id, issuedOn: '2023-03-01' })).licenseNumber).toBe('MDM-2023-10000');
    expect((await makeLicense(t, { companyId: company.id, issuedOn: '2023-04-01' })).licenseNumber).toBe('MDM-2023-10001');
    await makeLicense(t, { companyId: company.id, issuedOn: '2025-02-01', licenseNumber: 'MDM-2025-1E03' });
    expect((await makeLicense(t, { companyId: company.id, issuedOn: '2025-03-01' })).licenseNumber).toBe('MDM-2025-0002');
    const first = await makeLicense(t, { companyId: company.id, issuedOn: '2024-01-10' });
    expect(first.licenseNumber).toBe('MDM-2024-0001');
    await expectStatus(patch(t, `/api/v1/licenses/${first.id}`, { licenseNumber: 'PTA/MDM/2024/01' }), 200);
    expect((await makeLicense(t, { companyId: company.id, issuedOn: '2024-05-01' })).licenseNumber).toBe('MDM-2024-0002');
  });

  it("keeps the regulator's own number (with /) and refuses it twice, ignoring case and spaces", async () => {
    const a = await makeLicense(t, { licenseNumber: 'PTA/MDM/2021/07' });
    expect(a.licenseNumber).toBe('PTA/MDM/2021/07');
    const company = await makeCompany(t);
    const res = await t.http.post('/api/v1/licenses').send({ companyId: company.id, issuedOn: '2021-05-01', licenseNumber: ' pta/mdm/2021/07 ' }).expect(409);
    expect(res.body).toMatchObject({ code: 'DUPLICATE', errors: [{ field: 'licenseNumber' }] });
    expect(JSON.stringify(res.body)).not.toMatch(/SQL|constraint|INSERT/i);
  });

  it('refuses an MDM license before the MDM Regulations 2021 came into force (2021-01-25)', async () => {
    const company = await makeCompany(t);
    const res = await t.http.post('/api/v1/licenses').send({ companyId: company.id, issuedOn: '2021-01-24' }).expect(422);
    expect(res.body).toMatchObject({ code: 'BEFORE_REGULATIONS', errors: [{ field: 'issuedOn' }] });
    await t.http.post('/api/v1/licenses').send({ companyId: company.id, issuedOn: '2021-01-25' }).expect(201);
  });

  it('refuses an end before the start, and an unknown company (422 on companyId)', async () => {
    const company = await makeCompany(t);
    const res = await t.http.post('/api/v1/licenses').send({ companyId: company.id, issuedOn: '2021-04-09', expiresOn: '2021-04-08' }).expect(400);
    expect(res.body.errors).toEqual([{ field: 'expiresOn', message: 'must be on or after issuedOn (2021-04-09)' }]);
    const unknown = await t.http.post('/api/v1/licenses').send({ companyId: '6f1c2d3e-0000-4000-8000-000000000000', issuedOn: '2021-04-09' }).expect(422);
    expect(unknown.body).toMatchObject({ code: 'COMPANY_NOT_FOUND', errors: [{ field: 'companyId' }] });
  });

  it('expiry is inclusive: ACTIVE on the last day of the term, EXPIRED the day after', async () => {
    const l = await makeLicense(t, { issuedOn: '2021-04-09' });
    const on = async (d: string) => (await t.http.get(`/api/v1/licenses/${l.id}?on=${d}`).expect(200)).body;
    expect(await on('2021-04-08')).toMatchObject({ status: 'NOT_YET_EFFECTIVE', asOf: '2021-04-08' });
    expect(await on('2021-04-09')).toMatchObject({ status: 'ACTIVE' });
    expect(await on('2031-04-08')).toMatchObject({ status: 'ACTIVE', expiresOn: '2031-04-08' });
    expect(await on('2031-04-09')).toMatchObject({ status: 'EXPIRED' });
  });

  it('status today uses the registry day; GET without ?on shows it', async () => {
    const l = await makeLicense(t, { issuedOn: '2021-04-09' });
    t.setToday('2031-04-09');
    try {
      expect((await t.http.get(`/api/v1/licenses/${l.id}`).expect(200)).body).toMatchObject({ status: 'EXPIRED', asOf: '2031-04-09' });
    } finally {
      t.setToday(undefined);
    }
  });

  it('suspends, reinstates, renews and revokes through events, with status on every date', async () => {
    t.setToday('2036-01-01'); // events are recorded on or after the day they take effect
    const l = await makeLicense(t, { issuedOn: '2021-04-09' });
    const s = await event(t, l.id, 'SUSPENDED', '2022-03-01').expect(201);
    expect(s.body.events.map((e: { type: string }) => e.type)).toEqual(['GRANTED', 'SUSPENDED']);
    await event(t, l.id, 'REINSTATED', '2022-04-01').expect(201);
    const renewed = await event(t, l.id, 'RENEWED', '2031-01-15').expect(201);
    expect(renewed.body.events[3]).toMatchObject({ type: 'RENEWED', data: { expiresOn: '2041-04-08' }, expiresOnAfter: '2041-04-08' });
    await event(t, l.id, 'REVOKED', '2035-06-30', { reason: 'Order 12/2035' }).expect(201);
    const on = async (d: string) => (await t.http.get(`/api/v1/licenses/${l.id}?on=${d}`).expect(200)).body;
    expect((await on('2022-02-28')).status).toBe('ACTIVE');
    expect((await on('2022-03-01')).status).toBe('SUSPENDED');
    expect((await on('2022-04-01')).status).toBe('ACTIVE');
    expect(await on('2031-04-09')).toMatchObject({ status: 'ACTIVE', expiresOn: '2041-04-08' });
    expect(await on('2030-01-01')).toMatchObject({ status: 'ACTIVE', expiresOn: '2031-04-08' });
    expect((await on('2035-06-30')).status).toBe('REVOKED');
    expect((await on('2045-01-01')).status).toBe('REVOKED');
    const events = await t.http.get(`/api/v1/licenses/${l.id}/events`).expect(200);
    expect(events.body.items.map((e: { seq: number; type: string }) => `${e.seq}:${e.type}`)).toEqual(['1:GRANTED', '2:SUSPENDED', '3:REINSTATED', '4:RENEWED', '5:REVOKED']);
    expect(events.body.items[4].reason).toBe('Order 12/2035');
    // Each event names the staff member who recorded it.
    expect(new Set(events.body.items.map((e: { recordedBy: string | null }) => e.recordedBy))).toEqual(new Set([t.staff.OFFICER.id]));
    t.setToday(undefined);
  });

  it('refuses an event dated after today (it would block every earlier action until its day)', async () => {
    const l = await makeLicense(t, { issuedOn: '2021-04-09' });
    t.setToday('2024-06-30');
    try {
      const res = await event(t, l.id, 'SUSPENDED', '2024-07-01').expect(422);
      expect(res.body).toMatchObject({ code: 'EFFECTIVE_ON_IN_FUTURE', errors: [{ field: 'effectiveOn' }] });
      await event(t, l.id, 'SUSPENDED', '2024-06-30').expect(201);
    } finally {
      t.setToday(undefined);
    }
  });

  it('an amendment (dated today) does not block a back-dated lifecycle event, and never changes the status', async () => {
    const l = await makeLicense(t, { issuedOn: '2021-04-09' });
    await expectStatus(patch(t, `/api/v1/licenses/${l.id}`, { conditions: 'Typo fixed' }), 200);
    await event(t, l.id, 'SUSPENDED', '2022-03-01').expect(201);
    const on = async (d: string) => (await t.http.get(`/api/v1/licenses/${l.id}?on=${d}`).expect(200)).body.status;
    expect(await on('2022-02-28')).toBe('ACTIVE');
    expect(await on('2022-03-01')).toBe('SUSPENDED');
    expect(await on('2026-12-31')).toBe('SUSPENDED');
    const suspended = await t.http.get(`/api/v1/licenses?status=SUSPENDED&on=2026-12-31&companyId=${l.companyId}`).expect(200);
    expect(suspended.body.total).toBe(1);
  });

  it('refuses a transition the table does not allow with 422 naming the status on that day', async () => {
    t.setToday('2032-01-01');
    const l = await makeLicense(t, { issuedOn: '2021-04-09' });
    const r1 = await event(t, l.id, 'REINSTATED', '2022-01-01').expect(422);
    expect(r1.body).toMatchObject({ code: 'TRANSITION_NOT_ALLOWED', statusOn: 'ACTIVE', on: '2022-01-01', licenseNumber: l.licenseNumber });
    expect(r1.body.detail).toContain('ACTIVE');
    const r2 = await event(t, l.id, 'SUSPENDED', '2021-04-08').expect(422);
    expect(r2.body).toMatchObject({ statusOn: 'NOT_YET_EFFECTIVE' });
    const r3 = await event(t, l.id, 'SUSPENDED', '2031-04-09').expect(422);
    expect(r3.body).toMatchObject({ statusOn: 'EXPIRED' });
    await event(t, l.id, 'SURRENDERED', '2023-01-01').expect(201);
    const r4 = await event(t, l.id, 'RENEWED', '2023-06-01').expect(422);
    expect(r4.body).toMatchObject({ statusOn: 'SURRENDERED' });
    const after = await t.http.get(`/api/v1/licenses/${l.id}/events`).expect(200);
    expect(after.body.items).toHaveLength(2); // nothing written by the refused requests
    t.setToday(undefined);
  });

  it('refuses an event dated before the last one, a renewal term that does not extend, and data on other events', async () => {
    const l = await makeLicense(t, { issuedOn: '2021-04-09' });
    await event(t, l.id, 'SUSPENDED', '2022-03-01').expect(201);
    const early = await event(t, l.id, 'REINSTATED', '2022-02-01').expect(422);
    expect(early.body).toMatchObject({ code: 'EVENT_OUT_OF_ORDER', errors: [{ field: 'effectiveOn' }] });
    const short = await event(t, l.id, 'RENEWED', '2022-03-05', { data: { expiresOn: '2030-01-01' } }).expect(422);
    expect(short.body).toMatchObject({ code: 'INVALID_TERM', errors: [{ field: 'data.expiresOn' }] });
    const data = await event(t, l.id, 'REINSTATED', '2022-04-01', { data: { expiresOn: '2040-01-01' } }).expect(400);
    expect(data.body.errors).toEqual([{ field: 'data', message: 'is only accepted for RENEWED, not REINSTATED' }]);
    const unknownData = await event(t, l.id, 'RENEWED', '2022-04-01', { data: { term: 10 } }).expect(400);
    expect(unknownData.body.errors).toEqual([{ field: 'data.term', message: 'is not a known field and is not accepted here' }]);
    const ok = await event(t, l.id, 'RENEWED', '2022-04-01', { data: { expiresOn: '2036-12-31' } }).expect(201);
    expect(ok.body).toMatchObject({ status: 'ACTIVE', expiresOn: '2036-12-31' }); // renewed while suspended: ACTIVE again
    expect((await t.http.get(`/api/v1/licenses/${l.id}?on=2022-03-31`).expect(200)).body).toMatchObject({ status: 'SUSPENDED', expiresOn: '2031-04-08' });
    expect((await t.http.get(`/api/v1/licenses/${l.id}?on=2035-01-01`).expect(200)).body).toMatchObject({ status: 'ACTIVE', expiresOn: '2036-12-31' });
  });

  it('requires a reason and a known action type', async () => {
    const l = await makeLicense(t);
    const noReason = await t.http.post(`/api/v1/licenses/${l.id}/events`).set('If-Match', '"1"').send({ type: 'SUSPENDED', effectiveOn: '2022-01-01' }).expect(400);
    expect(noReason.body.errors).toContainEqual({ field: 'reason', message: 'is required' });
    const blank = await t.http.post(`/api/v1/licenses/${l.id}/events`).set('If-Match', '"1"').send({ type: 'SUSPENDED', effectiveOn: '2022-01-01', reason: '   ' }).expect(400);
    expect(blank.body.errors).toContainEqual({ field: 'reason', message: 'is required' });
    for (const type of ['GRANTED', 'AMENDED', 'suspended', 'EXPIRED']) {
      const res = await t.http.post(`/api/v1/licenses/${l.id}/events`).set('If-Match', '"1"').send({ type, effectiveOn: '2022-01-01', reason: 'x' }).expect(400);
      expect(res.body.errors[0].field).toBe('type');
    }
  });

  it('amends descriptive fields as an AMENDED event listing each change; term and holder cannot be patched', async () => {
    const l = await makeLicense(t, { brands: ['Samsung'] });
    const res = await expectStatus(patch(t, `/api/v1/licenses/${l.id}`, { brands: ['Samsung', 'Galaxy'], plantLocation: 'Karachi', licenseNumber: 'PTA/MDM/2021/99', reason: 'Letter 5' }), 200);
    expect(res.body).toMatchObject({ brands: ['Samsung', 'Galaxy'], plantLocation: 'Karachi', licenseNumber: 'PTA/MDM/2021/99', status: 'ACTIVE', version: 2 });
    const amended = res.body.events[1];
    expect(amended).toMatchObject({ type: 'AMENDED', reason: 'Letter 5', statusAfter: 'ACTIVE' });
    expect(amended.data.changes).toEqual({
      licenseNumber: { from: l.licenseNumber, to: 'PTA/MDM/2021/99' },
      brands: { from: ['Samsung'], to: ['Samsung', 'Galaxy'] },
      plantLocation: { from: null, to: 'Karachi' },
    });
    const same = await expectStatus(patch(t, `/api/v1/licenses/${l.id}`, { brands: ['Samsung', 'Galaxy'] }), 200);
    expect(same.body.events).toHaveLength(2); // nothing changed, nothing recorded
    for (const field of ['issuedOn', 'expiresOn', 'companyId', 'status', 'type']) {
      const bad = await expectStatus(patch(t, `/api/v1/licenses/${l.id}`, { [field]: 'x' }), 400);
      expect(bad.body.errors).toContainEqual({ field, message: 'is not a known field and is not accepted here' });
    }
    await expectStatus(patch(t, `/api/v1/licenses/${l.id}`, { brands: null }), 400);
  });

  it('lists with filters by company, type and status on a date; the SQL status agrees with the lifecycle', async () => {
    const company = await makeCompany(t);
    const active = await makeLicense(t, { companyId: company.id, issuedOn: '2021-04-09' });
    const future = await makeLicense(t, { companyId: company.id, issuedOn: '2030-01-01' });
    const suspended = await makeLicense(t, { companyId: company.id, issuedOn: '2021-04-09' });
    await event(t, suspended.id, 'SUSPENDED', '2023-01-01').expect(201);
    const revoked = await makeLicense(t, { companyId: company.id, issuedOn: '2021-04-09' });
    await event(t, revoked.id, 'SUSPENDED', '2022-01-01').expect(201);
    await event(t, revoked.id, 'REVOKED', '2022-06-01').expect(201);
    const short = await makeLicense(t, { companyId: company.id, issuedOn: '2021-04-09', expiresOn: '2024-04-08' });
    const all = await t.http.get(`/api/v1/licenses?companyId=${company.id}`).expect(200);
    expect(all.body.total).toBe(5);
    for (const on of ['2021-04-08', '2021-12-31', '2022-03-01', '2023-06-01', '2024-04-09', '2030-01-01', '2032-01-01']) {
      const listed = await t.http.get(`/api/v1/licenses?companyId=${company.id}&on=${on}&limit=100`).expect(200);
      const statusById = Object.fromEntries(listed.body.items.map((l: { id: string; status: string }) => [l.id, l.status]));
      for (const status of LICENSE_STATUSES) {
        const filtered = await t.http.get(`/api/v1/licenses?companyId=${company.id}&on=${on}&status=${status}&limit=100`).expect(200);
        const ids = filtered.body.items.map((l: { id: string }) => l.id).sort();
        const expected = Object.keys(statusById).filter((id) => statusById[id] === status).sort();
        expect(ids, `${status} on ${on}`).toEqual(expected);
        expect(filtered.body.total).toBe(expected.length);
      }
    }
    const on2023 = await t.http.get(`/api/v1/licenses?companyId=${company.id}&on=2023-06-01&limit=100`).expect(200);
    const st = Object.fromEntries(on2023.body.items.map((l: { id: string; status: string }) => [l.id, l.status]));
    expect(st).toEqual({ [active.id]: 'ACTIVE', [future.id]: 'NOT_YET_EFFECTIVE', [suspended.id]: 'SUSPENDED', [revoked.id]: 'REVOKED', [short.id]: 'ACTIVE' });
    expect((await t.http.get(`/api/v1/licenses?companyId=${company.id}&type=MDM`).expect(200)).body.total).toBe(5);
    const sorted = await t.http.get(`/api/v1/licenses?companyId=${company.id}&sort=-issuedOn`).expect(200);
    expect(sorted.body.items[0].id).toBe(future.id);
  });

  it('answers 404 for an unknown license and 400 for a malformed id', async () => {
    const unknown = '6f1c2d3e-0000-4000-8000-000000000000';
    await t.http.get(`/api/v1/licenses/${unknown}`).expect(404);
    await t.http.get(`/api/v1/licenses/${unknown}/events`).expect(404);
    await expectStatus(patch(t, `/api/v1/licenses/${unknown}`, { brands: [] }), 404);
    await event(t, unknown, 'SUSPENDED', '2022-01-01').expect(404);
    for (const path of ['/api/v1/licenses/123', '/api/v1/licenses/123/events']) {
      const res = await t.http.get(path).expect(400);
      expect(res.body.errors[0].field).toBe('id');
    }
  });
});
