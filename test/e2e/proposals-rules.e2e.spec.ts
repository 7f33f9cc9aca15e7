import type { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ObligationProposals1765900000000 } from '../../migrations/1765900000000-ObligationProposals.js';
import { Proposals1765600000000 } from '../../migrations/1765600000000-Proposals.js';
import { WRITER } from '../../src/database/writer.js';
import { createDatabase, startApp, type TestApp } from '../support/app.js';
import { makeCompany, makeLicense } from '../support/factories.js';
import { auditOf, decide, etagOf, grantApproved, proposeEvent } from '../support/proposals.js';

interface License {
  id: string;
  companyId: string;
  licensee: string;
  licenseNumber: string;
}
const byLicensee = (items: License[], name: string) => items.find((l) => l.licensee.startsWith(name))!;

describe('four eyes on the reference data: a suspension of Lucky Motor proposed by an officer, approved by an admin', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ seed: true, fourEyes: true });
  });
  afterAll(() => t?.close());

  it('the seed writes its licenses directly, marked as loaded by the registry (no proposal, no reviewer)', async () => {
    const licenses = (await t.http.get('/api/v1/licenses').expect(200)).body.items;
    expect(licenses).toHaveLength(2);
    const lucky = byLicensee(licenses, 'Lucky Motor');
    const events = (await t.http.get(`/api/v1/licenses/${lucky.id}/events`).expect(200)).body.items;
    expect(events).toEqual([expect.objectContaining({ type: 'GRANTED', recordedBy: null, proposedBy: null, approvedBy: null })]);
    const [granted] = await auditOf(t, 'license', lucky.id);
    expect(granted).toMatchObject({ action: 'license.granted', actorId: null });
    expect(granted.after!.review).toEqual({ mode: 'SYSTEM', proposalId: null, proposedBy: null, approvedBy: null });
    expect((await t.http.get('/api/v1/proposals').expect(200)).body.total).toBe(0);
  });

  it('stays ACTIVE everywhere until approved; the officer, an analyst and the approval; SUSPENDED from effectiveOn then, on the public register too', async () => {
    const lucky = byLicensee((await t.http.get('/api/v1/licenses').expect(200)).body.items, 'Lucky Motor');
    expect(lucky.licenseNumber).toBe('MDM-2021-0002');
    const proposed = await proposeEvent(t, lucky.id, { type: 'SUSPENDED', effectiveOn: '2022-03-01', reason: 'Show-cause notice 12/2022 unanswered' }).expect(202);
    expect(proposed.body).toMatchObject({ kind: 'LIFECYCLE', status: 'PENDING', licenseId: lucky.id, reason: 'Show-cause notice 12/2022 unanswered' });

    const report = async () => (await t.as('ANALYST').get('/api/v1/reports/licenses?on=2022-03-01').expect(200)).body;
    expect((await report()).pendingProposals).toEqual({ total: 1, byKind: { GRANT: 0, AMEND: 0, LIFECYCLE: 1, OBLIGATION_DECISION: 0 } });
    expect((await report()).countsByStatus).toMatchObject({ ACTIVE: 2, SUSPENDED: 0 });
    expect((await t.http.get(`/api/v1/licenses/${lucky.id}?on=2022-03-01`).expect(200)).body).toMatchObject({ status: 'ACTIVE', version: 1 });
    const check = () => t.anon.get('/public/v1/licenses/MDM-2021-0002?on=2022-03-01').expect(200);
    expect((await check()).body).toMatchObject({ status: 'ACTIVE', valid: true });

    expect((await decide(t.http, proposed.body.id, 'approve').expect(403)).body.code).toBe('OWN_PROPOSAL');
    expect((await decide(t.as('ANALYST'), proposed.body.id, 'approve').expect(403)).body.code).toBe('ROLE_NOT_ALLOWED');
    await decide(t.as('ADMIN'), proposed.body.id, 'approve', { note: 'Notice on file' }).expect(200);

    const on = async (day: string) => (await t.http.get(`/api/v1/licenses/${lucky.id}?on=${day}`).expect(200)).body;
    expect((await on('2022-02-28')).status).toBe('ACTIVE');
    expect(await on('2022-03-01')).toMatchObject({ status: 'SUSPENDED', version: 2 });
    expect((await check()).body).toMatchObject({ status: 'SUSPENDED', valid: false, lastStatusChange: { type: 'SUSPENDED', effectiveOn: '2022-03-01' } });
    const profile = (await t.anon.get(`/public/v1/manufacturers/${lucky.companyId}`).expect(200)).body;
    expect(profile.licenses[0].history.map((e: { type: string }) => e.type)).toEqual(['GRANTED', 'SUSPENDED']);
    expect((await on('2022-03-01')).events[1]).toMatchObject({ type: 'SUSPENDED', proposedBy: t.staff.OFFICER.id, approvedBy: t.staff.ADMIN.id });
    expect((await report()).pendingProposals.total).toBe(0);
    expect((await report()).countsByStatus).toMatchObject({ ACTIVE: 1, SUSPENDED: 1 });
  });
});

describe('a proposal is refused for exactly what the direct write refuses', () => {
  let direct: TestApp;
  let t: TestApp;
  const licenses = new Map<TestApp, { id: string; companyId: string; version: number }>();
  beforeAll(async () => {
    [direct, t] = await Promise.all([startApp(), startApp({ fourEyes: true })]);
    licenses.set(direct, await makeLicense(direct, { licenseNumber: 'PTA/MDM/2021/01' }));
    licenses.set(t, await grantApproved(t, { licenseNumber: 'PTA/MDM/2021/01' }));
    await makeLicense(direct, { licenseNumber: 'PTA/MDM/2021/02' });
    await grantApproved(t, { licenseNumber: 'PTA/MDM/2021/02' });
  });
  afterAll(async () => {
    await direct?.close();
    await t?.close();
  });

  type Request = (app: TestApp, license: { id: string; companyId: string; version: number }) => Promise<{ status: number; body: Record<string, unknown> }>;
  const grant = (body: Record<string, unknown>): Request => async (app, l) => app.http.post('/api/v1/licenses').send({ companyId: l.companyId, ...body });
  const amend = (body: Record<string, unknown>, ifMatch?: string): Request => async (app, l) => {
    const req = app.http.patch(`/api/v1/licenses/${l.id}`);
    return ifMatch === '' ? req.send(body) : req.set('If-Match', ifMatch ?? `"${l.version}"`).send(body);
  };
  const lifecycle = (body: Record<string, unknown>): Request => async (app, l) => app.http.post(`/api/v1/licenses/${l.id}/events`).set('If-Match', `"${l.version}"`).send(body);

  it.each<[string, Request]>([
    ['an impossible date', grant({ issuedOn: '2021-02-30' })],
    ['an unknown field', grant({ issuedOn: '2021-04-09', colour: 'red' })],
    ['a brand twice', grant({ issuedOn: '2021-04-09', brands: ['Inovi', 'INOVI'] })],
    ['an MDM license before 2021-01-25', grant({ issuedOn: '2021-01-24' })],
    ['an end before the start', grant({ issuedOn: '2021-04-09', expiresOn: '2021-04-08' })],
    ['an unknown company', async (app) => app.http.post('/api/v1/licenses').send({ companyId: '6f1c2d3e-0000-4000-8000-000000000000', issuedOn: '2021-04-09' })],
    ['a number already used (ignoring case and spaces)', grant({ issuedOn: '2021-04-09', licenseNumber: ' pta/mdm/2021/01 ' })],
    ['a 10-year term past 9999-12-31', grant({ issuedOn: '9995-01-01' })],
    ['an amendment without If-Match', amend({ conditions: 'x' }, '')],
    ['an amendment of a version not read', amend({ conditions: 'x' }, '"9"')],
    ['an amendment removing the number', amend({ licenseNumber: null })],
    ["an amendment to another license's number", amend({ licenseNumber: 'PTA/MDM/2021/02' })],
    ['an amendment of an unknown license', async (app) => app.http.patch('/api/v1/licenses/6f1c2d3e-0000-4000-8000-000000000000').set('If-Match', '"1"').send({ conditions: 'x' })],
    ['a transition the table does not allow', lifecycle({ type: 'REINSTATED', effectiveOn: '2022-01-01', reason: 'x' })],
    ['an action before the license takes effect', lifecycle({ type: 'SUSPENDED', effectiveOn: '2021-04-08', reason: 'x' })],
    ['an action dated after today', lifecycle({ type: 'SUSPENDED', effectiveOn: '2999-01-01', reason: 'x' })],
    ['an action without a reason', lifecycle({ type: 'SUSPENDED', effectiveOn: '2022-01-01' })],
    ['data on a suspension', lifecycle({ type: 'SUSPENDED', effectiveOn: '2022-01-01', reason: 'x', data: { expiresOn: '2040-01-01' } })],
    ['a renewal ending before the current term', lifecycle({ type: 'RENEWED', effectiveOn: '2022-01-01', reason: 'x', data: { expiresOn: '2030-01-01' } })],
    ['an unknown action', lifecycle({ type: 'PAUSED', effectiveOn: '2022-01-01', reason: 'x' })],
  ])('%s', async (_, send) => {
    const pendingBefore = (await t.http.get('/api/v1/proposals').expect(200)).body.total;
    const [a, b] = [await send(direct, licenses.get(direct)!), await send(t, licenses.get(t)!)];
    expect(a.status).toBeGreaterThanOrEqual(400);
    const shape = (r: typeof a) => ({
      status: r.status,
      code: r.body.code,
      fields: ((r.body.errors as { field: string }[] | undefined) ?? []).map((e) => e.field),
      statusOn: r.body.statusOn,
    });
    expect(shape(b)).toEqual(shape(a));
    expect((await t.http.get('/api/v1/proposals').expect(200)).body.total).toBe(pendingBefore);
  });
});

describe('every rule is checked again at approval: 409 PROPOSAL_CONFLICT naming the one that no longer holds; nothing written, still PENDING', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ fourEyes: true });
  });
  afterAll(() => t?.close());
  afterEach(() => t?.setToday(undefined));

  /** Approving `id` fails with PROPOSAL_CONFLICT on `rule`; the proposal and the audit trail are as they were. */
  async function refused(id: string, rule: string) {
    const auditBefore = (await t.as('ADMIN').get('/api/v1/audit?limit=1').expect(200)).body.total;
    const res = await decide(t.as('ADMIN'), id, 'approve').expect(409);
    expect(res.body).toMatchObject({ status: 409, code: 'PROPOSAL_CONFLICT', rule });
    expect(res.body.detail).toContain(rule);
    expect((await t.http.get(`/api/v1/proposals/${id}`).expect(200)).body).toMatchObject({ status: 'PENDING', version: 1, decidedBy: null });
    expect((await t.as('ADMIN').get('/api/v1/audit?limit=1').expect(200)).body.total).toBe(auditBefore);
    return res.body;
  }

  it('a license suspended meanwhile cannot be suspended again (TRANSITION_NOT_ALLOWED, with its status on the day); the proposal can still be rejected', async () => {
    const license = await grantApproved(t);
    const first = await proposeEvent(t, license.id, { type: 'SUSPENDED', effectiveOn: '2022-03-01' }).expect(202);
    const second = await proposeEvent(t, license.id, { type: 'SUSPENDED', effectiveOn: '2022-03-01' }, (await t.addStaff('OFFICER')).http).expect(202);
    await decide(t.as('ADMIN'), first.body.id, 'approve').expect(200);
    const body = await refused(second.body.id, 'TRANSITION_NOT_ALLOWED');
    expect(body).toMatchObject({ statusOn: 'SUSPENDED', on: '2022-03-01', licenseNumber: license.licenseNumber });
    await decide(t.as('ADMIN'), second.body.id, 'reject', { reason: 'Already suspended' }).expect(200);
  });

  it('an action dated before one recorded meanwhile (EVENT_OUT_OF_ORDER)', async () => {
    const license = await grantApproved(t);
    const late = await proposeEvent(t, license.id, { type: 'SUSPENDED', effectiveOn: '2022-03-01' }).expect(202);
    const revoke = await proposeEvent(t, license.id, { type: 'REVOKED', effectiveOn: '2022-05-01' }).expect(202);
    await decide(t.as('ADMIN'), revoke.body.id, 'approve').expect(200);
    await refused(late.body.id, 'EVENT_OUT_OF_ORDER');
  });

  it('a second renewal, valid by the rules, is not applied over the first: the license changed since it was proposed (VERSION_MISMATCH)', async () => {
    const license = await grantApproved(t);
    const renew = () => proposeEvent(t, license.id, { type: 'RENEWED', effectiveOn: '2025-01-01' }).expect(202);
    const [a, b] = [await renew(), await renew()];
    await decide(t.as('ADMIN'), a.body.id, 'approve').expect(200);
    expect(await refused(b.body.id, 'VERSION_MISMATCH')).toMatchObject({ licenseVersion: 1, currentVersion: 2 });
    expect((await t.http.get(`/api/v1/licenses/${license.id}`).expect(200)).body.expiresOn).toBe('2041-04-08');
  });

  it('an amendment over another one (VERSION_MISMATCH): the approver never overwrites a change its proposer did not see', async () => {
    const license = await grantApproved(t);
    const amend = (brands: string[]) => t.http.patch(`/api/v1/licenses/${license.id}`).set('If-Match', '"1"').send({ brands }).expect(202);
    const [a, b] = [await amend(['Testo', 'Nova']), await amend(['Testo', 'Orbit'])];
    await decide(t.as('ADMIN'), b.body.id, 'approve').expect(200);
    await refused(a.body.id, 'VERSION_MISMATCH');
    expect((await t.http.get(`/api/v1/licenses/${license.id}`).expect(200)).body.brands).toEqual(['Testo', 'Orbit']);
  });

  it('a number taken meanwhile (DUPLICATE), a company deleted meanwhile (COMPANY_NOT_FOUND)', async () => {
    const company = await makeCompany(t);
    const propose = (body: Record<string, unknown>) => t.http.post('/api/v1/licenses').send({ issuedOn: '2022-01-10', ...body }).expect(202);
    const a = await propose({ companyId: company.id, licenseNumber: 'PTA/MDM/2022/09' });
    const b = await propose({ companyId: company.id, licenseNumber: 'pta/mdm/2022/09' });
    await decide(t.as('ADMIN'), b.body.id, 'approve').expect(200);
    expect(await refused(a.body.id, 'DUPLICATE')).toMatchObject({ errors: [{ field: 'licenseNumber' }] });

    const gone = await makeCompany(t);
    const c = await propose({ companyId: gone.id });
    await t.http.delete(`/api/v1/companies/${gone.id}`).query({ reason: 'registered twice' }).expect(204);
    expect(await refused(c.body.id, 'COMPANY_NOT_FOUND')).toMatchObject({ errors: [{ field: 'companyId' }] });
  });

  it('an approval applies to the license as it is: an amendment meanwhile moved the version, so a suspension is refused, not applied blind', async () => {
    const license = await grantApproved(t);
    const suspend = await proposeEvent(t, license.id, { type: 'SUSPENDED', effectiveOn: '2022-03-01' }).expect(202);
    const amend = await t.http.patch(`/api/v1/licenses/${license.id}`).set('If-Match', await etagOf(t.http, `/api/v1/licenses/${license.id}`)).send({ conditions: 'Quarterly returns' }).expect(202);
    await decide(t.as('ADMIN'), amend.body.id, 'approve').expect(200);
    await refused(suspend.body.id, 'VERSION_MISMATCH');
  });
});

describe('FOUR_EYES=false: decisions apply at once, recorded as not reviewed', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ fourEyes: false });
  });
  afterAll(() => t?.close());

  it('a grant and a suspension are answered with the license (201), the events name their recorder only, the audit says not reviewed', async () => {
    const license = await makeLicense(t);
    const suspended = await t.http.post(`/api/v1/licenses/${license.id}/events`).set('If-Match', '"1"').send({ type: 'SUSPENDED', effectiveOn: '2022-03-01', reason: 'x' }).expect(201);
    expect(suspended.body).toMatchObject({ id: license.id, version: 2 });
    for (const e of suspended.body.events) expect(e).toMatchObject({ recordedBy: t.staff.OFFICER.id, proposedBy: t.staff.OFFICER.id, approvedBy: null });
    for (const record of await auditOf(t, 'license', license.id)) {
      expect(record.after!.review).toEqual({ mode: 'NOT_REVIEWED', proposalId: null, proposedBy: t.staff.OFFICER.id, approvedBy: null });
    }
    expect((await t.http.get('/api/v1/proposals').expect(200)).body.total).toBe(0);
  });
});

describe('upgrading a database: events recorded before four eyes were proposed by their recorder, not reviewed', () => {
  let t: TestApp;
  let drop: () => Promise<void> = async () => {};
  let licenseId = '';
  beforeAll(async () => {
    const created = await createDatabase();
    drop = created.drop;
    const before = await startApp({ database: { database: created.database, drop: async () => {} } });
    try {
      const license = await makeLicense(before);
      licenseId = license.id;
      await before.http.post(`/api/v1/licenses/${license.id}/events`).set('If-Match', '"1"').send({ type: 'SUSPENDED', effectiveOn: '2022-03-01', reason: 'x' }).expect(201);
      // Back to the release before four eyes: no proposals, no proposed_by or approved_by, the migration not run.
      const db = before.app.get<DataSource>(WRITER);
      const runner = db.createQueryRunner();
      try {
        // The later migration that extends the proposals table first.
        await new ObligationProposals1765900000000().down(runner);
        await new Proposals1765600000000().down(runner);
      } finally {
        await runner.release();
      }
      await db.query("DELETE FROM migrations WHERE name IN ('Proposals1765600000000', 'ObligationProposals1765900000000')");
    } finally {
      await before.close();
    }
    t = await startApp({ shareDatabaseWith: before, fourEyes: true });
  });
  afterAll(async () => {
    await t?.close();
    await drop();
  });

  it('gives each existing event its recorder as proposer and no approver; four eyes works on the upgraded database', async () => {
    const events = (await t.http.get(`/api/v1/licenses/${licenseId}/events`).expect(200)).body.items;
    expect(events).toHaveLength(2);
    for (const e of events) expect(e).toMatchObject({ recordedBy: t.staff.OFFICER.id, proposedBy: t.staff.OFFICER.id, approvedBy: null });
    const proposed = await proposeEvent(t, licenseId, { type: 'REINSTATED', effectiveOn: '2022-04-01' }).expect(202);
    await decide(t.as('ADMIN'), proposed.body.id, 'approve').expect(200);
    expect((await t.http.get(`/api/v1/licenses/${licenseId}/events`).expect(200)).body.items[2]).toMatchObject({ proposedBy: t.staff.OFFICER.id, approvedBy: t.staff.ADMIN.id });
  });
});
