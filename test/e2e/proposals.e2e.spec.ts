import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/commands.js';
import { loadConfig } from '../../src/config/config.js';
import { startApp, testLogEnv, type TestApp } from '../support/app.js';
import { makeCompany } from '../support/factories.js';
import { auditOf, decide, grantApproved, proposeEvent } from '../support/proposals.js';

describe('four eyes: license decisions are proposed, then approved by another ADMIN', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ fourEyes: true, logLevel: 'error' });
  });
  afterAll(() => t?.close());
  afterEach(() => t?.setToday(undefined));

  it('a grant is answered 202 with the proposal, its Location and ETag; nothing is granted until an ADMIN approves it', async () => {
    const company = await makeCompany(t);
    const res = await t.http.post('/api/v1/licenses').send({ companyId: company.id, issuedOn: '2021-04-09', brands: ['Inovi'], reason: 'Board decision 4/2021' }).expect(202);
    expect(res.headers.location).toBe(`/api/v1/proposals/${res.body.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(res.body).toMatchObject({
      kind: 'GRANT',
      status: 'PENDING',
      reason: 'Board decision 4/2021',
      licenseId: null,
      licenseVersion: null,
      payload: { companyId: company.id, issuedOn: '2021-04-09', brands: ['Inovi'], reason: 'Board decision 4/2021' },
      proposedBy: t.staff.OFFICER.id,
      decidedBy: null,
      version: 1,
      links: { self: `/api/v1/proposals/${res.body.id}`, license: null },
    });
    expect((await t.http.get(`/api/v1/licenses?companyId=${company.id}`).expect(200)).body.total).toBe(0);
    expect((await t.http.get(res.headers.location).expect(200)).body).toEqual(res.body);
    expect((await auditOf(t, 'proposal', res.body.id)).map((a) => [a.action, a.actorId, a.reason])).toEqual([['proposal.created', t.staff.OFFICER.id, 'Board decision 4/2021']]);

    const approved = await decide(t.as('ADMIN'), res.body.id, 'approve', { note: 'Order on file' }).expect(200);
    expect(approved.body).toMatchObject({ status: 'APPROVED', decidedBy: t.staff.ADMIN.id, decisionNote: 'Order on file', version: 2 });
    expect(approved.headers.etag).toBe('"2"');
    const license = (await t.http.get(`/api/v1/licenses/${approved.body.licenseId}`).expect(200)).body;
    // The registry's number is chosen when the grant is applied.
    expect(license).toMatchObject({ companyId: company.id, licenseNumber: 'MDM-2021-0001', status: 'ACTIVE', brands: ['Inovi'] });
    expect(license.events).toEqual([
      expect.objectContaining({ id: approved.body.licenseEventId, type: 'GRANTED', reason: 'Board decision 4/2021', proposedBy: t.staff.OFFICER.id, approvedBy: t.staff.ADMIN.id, recordedBy: t.staff.ADMIN.id }),
    ]);
  });

  it("the applied event's audit record names the proposal, its proposer and its approver; the proposal's trail shows who did what", async () => {
    const license = await grantApproved(t);
    const proposed = await proposeEvent(t, license.id, { type: 'SUSPENDED', effectiveOn: '2022-03-01', reason: 'Show-cause notice unanswered' }).expect(202);
    expect(proposed.body).toMatchObject({ kind: 'LIFECYCLE', licenseId: license.id, licenseVersion: license.version, links: { license: `/api/v1/licenses/${license.id}` } });
    const approved = await decide(t.as('ADMIN'), proposed.body.id, 'approve').expect(200);
    const records = await auditOf(t, 'license', license.id);
    const suspended = records.find((a) => a.action === 'license.suspended')!;
    expect(suspended).toMatchObject({ actorId: t.staff.ADMIN.id, reason: 'Show-cause notice unanswered' });
    expect(suspended.after!.review).toEqual({ mode: 'APPROVED', proposalId: proposed.body.id, proposedBy: t.staff.OFFICER.id, approvedBy: t.staff.ADMIN.id });
    expect((await auditOf(t, 'proposal', proposed.body.id)).map((a) => [a.action, a.actorId])).toEqual([
      ['proposal.created', t.staff.OFFICER.id],
      ['proposal.approved', t.staff.ADMIN.id],
    ]);
    const events = (await t.as('ANALYST').get(`/api/v1/licenses/${license.id}/events`).expect(200)).body.items;
    expect(events[1]).toMatchObject({ id: approved.body.licenseEventId, type: 'SUSPENDED', proposedBy: t.staff.OFFICER.id, approvedBy: t.staff.ADMIN.id });
    expect((await t.http.get('/api/v1/audit/verify').expect(200)).body.ok).toBe(true);
  });

  it('the public history shows the event, never who proposed or approved it', async () => {
    const license = await grantApproved(t, { licenseNumber: 'PTA/MDM/2021/44' });
    const proposed = await proposeEvent(t, license.id, { type: 'SUSPENDED', effectiveOn: '2022-03-01' }).expect(202);
    await decide(t.as('ADMIN'), proposed.body.id, 'approve').expect(200);
    const profile = await t.anon.get(`/public/v1/manufacturers/${license.companyId}`).expect(200);
    expect(profile.body.licenses[0].history.map((e: { type: string }) => e.type)).toEqual(['GRANTED', 'SUSPENDED']);
    const page = await t.anon.get(`/manufacturers/${license.companyId}`).expect(200);
    const check = await t.anon.get('/public/v1/licenses/PTA%2FMDM%2F2021%2F44').expect(200);
    for (const text of [JSON.stringify(profile.body), page.text, JSON.stringify(check.body)]) {
      expect(text).not.toContain(t.staff.OFFICER.id);
      expect(text).not.toContain(t.staff.ADMIN.id);
      expect(text).not.toContain(proposed.body.id);
      expect(text).not.toMatch(/proposedBy|approvedBy|proposal/i);
    }
  });

  it('only an ADMIN other than the proposer approves or rejects; only the proposer withdraws', async () => {
    const license = await grantApproved(t);
    const byOfficer = await proposeEvent(t, license.id, { type: 'SUSPENDED', effectiveOn: '2022-03-01' }).expect(202);
    for (const action of ['approve', 'reject'] as const) {
      // Its proposer is told the rule that holds for everyone; another officer, the role it needs; an analyst, at the door.
      const body = action === 'approve' ? {} : { reason: 'x' };
      expect((await decide(t.http, byOfficer.body.id, action, body).expect(403)).body.code).toBe('OWN_PROPOSAL');
      const other = await t.addStaff('OFFICER');
      expect((await decide(other.http, byOfficer.body.id, action, body).expect(403)).body).toMatchObject({ code: 'ROLE_NOT_ALLOWED', detail: expect.stringContaining('ADMIN') });
      expect((await decide(t.as('ANALYST'), byOfficer.body.id, action, body).expect(403)).body.code).toBe('ROLE_NOT_ALLOWED');
    }
    await decide(t.as('ANALYST'), byOfficer.body.id, 'withdraw').expect(403);
    const other = await t.addStaff('OFFICER');
    expect((await decide(other.http, byOfficer.body.id, 'withdraw').expect(403)).body.code).toBe('NOT_PROPOSER');
    expect((await decide(t.as('ADMIN'), byOfficer.body.id, 'withdraw').expect(403)).body.code).toBe('NOT_PROPOSER');
    const withdrawn = await decide(t.http, byOfficer.body.id, 'withdraw', { reason: 'Wrong license' }).expect(200);
    expect(withdrawn.body).toMatchObject({ status: 'WITHDRAWN', decidedBy: t.staff.OFFICER.id, decisionNote: 'Wrong license', licenseEventId: null });

    // An ADMIN's own proposal waits for another ADMIN.
    const byAdmin = await proposeEvent(t, license.id, { type: 'SUSPENDED', effectiveOn: '2022-03-01' }, t.as('ADMIN')).expect(202);
    for (const action of ['approve', 'reject'] as const) {
      const own = await decide(t.as('ADMIN'), byAdmin.body.id, action, action === 'approve' ? { note: 'mine' } : { reason: 'mine' }).expect(403);
      expect(own.body).toMatchObject({ code: 'OWN_PROPOSAL', status: 403 });
    }
    expect((await t.http.get(`/api/v1/proposals/${byAdmin.body.id}`).expect(200)).body).toMatchObject({ status: 'PENDING', version: 1 });
    const second = await t.addStaff('ADMIN');
    await decide(second.http, byAdmin.body.id, 'approve').expect(200);
    const events = (await t.http.get(`/api/v1/licenses/${license.id}/events`).expect(200)).body.items;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['GRANTED', 'SUSPENDED']);
    expect(events[1]).toMatchObject({ proposedBy: t.staff.ADMIN.id, approvedBy: second.id });
  });

  it('a rejection needs a reason and applies nothing; a decided proposal cannot be decided again (409 PROPOSAL_DECIDED)', async () => {
    const license = await grantApproved(t);
    const proposed = await proposeEvent(t, license.id, { type: 'REVOKED', effectiveOn: '2022-05-01' }).expect(202);
    const noReason = await decide(t.as('ADMIN'), proposed.body.id, 'reject').expect(400);
    expect(noReason.body.code).toBe('VALIDATION_FAILED');
    expect(new Set(noReason.body.errors.map((e: { field: string }) => e.field))).toEqual(new Set(['reason']));
    const rejected = await decide(t.as('ADMIN'), proposed.body.id, 'reject', { reason: 'The order is not signed' }).expect(200);
    expect(rejected.body).toMatchObject({ status: 'REJECTED', decidedBy: t.staff.ADMIN.id, decisionNote: 'The order is not signed', licenseEventId: null });
    expect((await t.http.get(`/api/v1/licenses/${license.id}`).expect(200)).body).toMatchObject({ status: 'ACTIVE', version: license.version });
    for (const [agent, action] of [[t.as('ADMIN'), 'approve'], [t.as('ADMIN'), 'reject'], [t.http, 'withdraw']] as const) {
      const again = await decide(agent, proposed.body.id, action, action === 'approve' ? { note: 'again' } : { reason: 'again' }).expect(409);
      expect(again.body).toMatchObject({ status: 409, code: 'PROPOSAL_DECIDED', proposalStatus: 'REJECTED', decidedBy: t.staff.ADMIN.id });
    }
    expect((await auditOf(t, 'proposal', proposed.body.id)).map((a) => a.action)).toEqual(['proposal.created', 'proposal.rejected']);
  });

  it("a decision needs the proposal's version (If-Match: 428 without, 412 when stale); an empty body is fine", async () => {
    const license = await grantApproved(t);
    const proposed = await proposeEvent(t, license.id, { type: 'SUSPENDED', effectiveOn: '2022-03-01' }).expect(202);
    const path = `/api/v1/proposals/${proposed.body.id}/approve`;
    expect((await t.as('ADMIN').post(path).send({}).expect(428)).body.code).toBe('IF_MATCH_REQUIRED');
    expect((await t.as('ADMIN').post(path).set('If-Match', '"7"').send({}).expect(412)).body).toMatchObject({ code: 'VERSION_MISMATCH', currentVersion: 1 });
    expect((await t.as('ADMIN').post('/api/v1/proposals/6f1c2d3e-0000-4000-8000-000000000000/approve').set('If-Match', '"1"').send({}).expect(404)).body.code).toBe('PROPOSAL_NOT_FOUND');
    await t.as('ADMIN').post(path).set('If-Match', '"1"').expect(200);
  });

  it('an amendment is applied on approval, dated the day it is approved; a renewal keeps its new term', async () => {
    const license = await grantApproved(t);
    t.setToday('2030-01-10');
    const amend = await t.http.patch(`/api/v1/licenses/${license.id}`).set('If-Match', `"${license.version}"`).send({ conditions: 'Quarterly returns', reason: 'Condition added' }).expect(202);
    expect(amend.body).toMatchObject({ kind: 'AMEND', licenseVersion: license.version, payload: { conditions: 'Quarterly returns', reason: 'Condition added' } });
    t.setToday('2030-01-12');
    await decide(t.as('ADMIN'), amend.body.id, 'approve').expect(200);
    const amended = (await t.http.get(`/api/v1/licenses/${license.id}`).expect(200)).body;
    expect(amended).toMatchObject({ conditions: 'Quarterly returns', version: license.version + 1 });
    expect(amended.events[1]).toMatchObject({ type: 'AMENDED', effectiveOn: '2030-01-12', data: { changes: { conditions: { from: null, to: 'Quarterly returns' } } } });

    const renew = await proposeEvent(t, license.id, { type: 'RENEWED', effectiveOn: '2030-01-12', data: { expiresOn: '2041-04-08' } }).expect(202);
    expect(renew.body.payload).toEqual({ type: 'RENEWED', effectiveOn: '2030-01-12', reason: 'test RENEWED', data: { expiresOn: '2041-04-08' } });
    await decide(t.as('ADMIN'), renew.body.id, 'approve').expect(200);
    expect((await t.http.get(`/api/v1/licenses/${license.id}?on=2035-01-01`).expect(200)).body).toMatchObject({ status: 'ACTIVE', expiresOn: '2041-04-08' });
  });

  it('a proposal not decided by its last day (proposedOn + PROPOSAL_TTL_DAYS) reads EXPIRED; a decision then records its lapse, once', async () => {
    const license = await grantApproved(t);
    t.setToday('2030-01-01');
    const proposed = await proposeEvent(t, license.id, { type: 'SUSPENDED', effectiveOn: '2030-01-01' }).expect(202);
    expect(proposed.body).toMatchObject({ proposedOn: '2030-01-01', expiresOn: '2030-01-31' });
    const listed = async (status: string) =>
      (await t.http.get(`/api/v1/proposals?status=${status}&licenseId=${license.id}`).expect(200)).body.items.map((p: { id: string }) => p.id);
    t.setToday('2030-01-31'); // the last day: still pending
    expect((await t.http.get(`/api/v1/proposals/${proposed.body.id}`).expect(200)).body.status).toBe('PENDING');
    expect(await listed('PENDING')).toEqual([proposed.body.id]);
    t.setToday('2030-02-01');
    expect((await t.http.get(`/api/v1/proposals/${proposed.body.id}`).expect(200)).body).toMatchObject({ status: 'EXPIRED', version: 1 });
    expect(await listed('PENDING')).toEqual([]);
    expect(await listed('EXPIRED')).toEqual([proposed.body.id]);

    const late = await decide(t.as('ADMIN'), proposed.body.id, 'approve').expect(409);
    expect(late.body).toMatchObject({ status: 409, code: 'PROPOSAL_EXPIRED', proposalStatus: 'EXPIRED', expiresOn: '2030-01-31' });
    const stored = (await t.http.get(`/api/v1/proposals/${proposed.body.id}`).expect(200)).body;
    expect(stored).toMatchObject({ status: 'EXPIRED', decidedBy: null, version: 2 });
    expect(stored.decidedAt).toMatch(/^\d{4}-/);
    expect((await decide(t.http, proposed.body.id, 'withdraw').expect(409)).body.code).toBe('PROPOSAL_EXPIRED');
    const trail = await auditOf(t, 'proposal', proposed.body.id);
    expect(trail.map((a) => [a.action, a.actorId])).toEqual([
      ['proposal.created', t.staff.OFFICER.id],
      ['proposal.lapsed', null], // the registry's doing, not the caller's
    ]);
    expect((await t.http.get(`/api/v1/licenses/${license.id}`).expect(200)).body.events).toHaveLength(1);
    expect(await listed('EXPIRED')).toEqual([proposed.body.id]);
  });

  it('npm run cli -- proposals:lapse records the lapse of every proposal past its last day', async () => {
    const license = await grantApproved(t);
    t.setToday('2022-01-01'); // the CLI's today is the real one, years later
    const a = await proposeEvent(t, license.id, { type: 'SUSPENDED', effectiveOn: '2022-01-01' }).expect(202);
    const b = await t.http.patch(`/api/v1/licenses/${license.id}`).set('If-Match', `"${license.version}"`).send({ conditions: 'x' }).expect(202);
    t.setToday(undefined);
    const current = await proposeEvent(t, license.id, { type: 'SUSPENDED', effectiveOn: '2022-01-01' }).expect(202);
    const database = t.database.engine === 'sqlite' ? `sqlite:${t.database.path}` : t.database.url;
    const out: string[] = [];
    const code = await runCli(['proposals:lapse'], loadConfig({ DATABASE_URL: database, LOG_LEVEL: 'silent', ...testLogEnv() }), {
      out: (l) => out.push(l),
      write: (l) => out.push(l),
      err: (l) => out.push(l),
      readSecret: async () => '',
    });
    expect(code, out.join('\n')).toBe(0);
    expect(out.join('\n')).toMatch(/^Recorded the lapse of [2-9]\d* proposals?/m);
    for (const p of [a.body, b.body]) {
      expect((await t.http.get(`/api/v1/proposals/${p.id}`).expect(200)).body).toMatchObject({ status: 'EXPIRED', version: 2 });
      expect((await auditOf(t, 'proposal', p.id)).map((r) => [r.action, r.actorId])).toEqual([
        ['proposal.created', t.staff.OFFICER.id],
        ['proposal.lapsed', null],
      ]);
    }
    expect((await t.http.get(`/api/v1/proposals/${current.body.id}`).expect(200)).body).toMatchObject({ status: 'PENDING', version: 1 });
  });

  it('lists proposals newest first, by status, kind, license and proposer', async () => {
    const license = await grantApproved(t);
    const admin2 = await t.addStaff('ADMIN');
    const tick = () => new Promise((r) => setTimeout(r, 2)); // newest first is by the instant proposed (milliseconds)
    const one = await proposeEvent(t, license.id, { type: 'SUSPENDED', effectiveOn: '2022-03-01' }).expect(202);
    await tick();
    const two = await t.http.patch(`/api/v1/licenses/${license.id}`).set('If-Match', `"${license.version}"`).send({ brands: ['Testo', 'Nova'] }).expect(202);
    await tick();
    const three = await proposeEvent(t, license.id, { type: 'REVOKED', effectiveOn: '2022-03-01' }, admin2.http).expect(202);
    const ids = async (query: string) => (await t.as('ANALYST').get(`/api/v1/proposals?licenseId=${license.id}&${query}`).expect(200)).body.items.map((p: { id: string }) => p.id);
    const all = await ids('');
    expect(all).toEqual([three.body.id, two.body.id, one.body.id, expect.any(String)]);
    const grant = all[3]; // the license's own grant, approved: its proposal names the license it created
    expect(await ids('kind=AMEND')).toEqual([two.body.id]);
    expect(await ids(`proposedBy=${admin2.id.toUpperCase()}`)).toEqual([three.body.id]);
    expect(await ids('status=PENDING&limit=2')).toEqual([three.body.id, two.body.id]);
    await decide(t.http, one.body.id, 'withdraw').expect(200);
    expect(await ids('status=WITHDRAWN')).toEqual([one.body.id]);
    expect(await ids('status=APPROVED')).toEqual([grant]);
    expect(await ids('kind=GRANT')).toEqual([grant]);
    const page = (await t.http.get(`/api/v1/proposals?licenseId=${license.id}&limit=1&offset=1`).expect(200)).body;
    expect(page).toMatchObject({ total: 4, limit: 1, offset: 1, items: [{ id: two.body.id }] });
    for (const bad of ['status=OPEN', 'kind=DELETE', 'licenseId=7', 'proposedBy=me', 'limit=0', 'color=red']) {
      expect((await t.http.get(`/api/v1/proposals?${bad}`).expect(400)).body.code, bad).toBe('VALIDATION_FAILED');
    }
  });

  it('Idempotency-Key: a retried grant is proposed once and answered 202 again', async () => {
    const company = await makeCompany(t);
    const body = { companyId: company.id, issuedOn: '2022-02-02' };
    const first = await t.http.post('/api/v1/licenses').set('Idempotency-Key', `grant-${company.id}`).send(body).expect(202);
    const retry = await t.http.post('/api/v1/licenses').set('Idempotency-Key', `grant-${company.id}`).send(body).expect(202);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body.id).toBe(first.body.id);
    const mine = (await t.http.get(`/api/v1/proposals?kind=GRANT&proposedBy=${t.staff.OFFICER.id}&limit=100`).expect(200)).body.items;
    expect(mine.filter((p: { payload: { companyId: string } }) => p.payload.companyId === company.id)).toHaveLength(1);
  });

  it('two ADMINs deciding at once with the same If-Match: exactly one wins, the license gets one event', async () => {
    const admins = [t.as('ADMIN'), (await t.addStaff('ADMIN')).http, (await t.addStaff('ADMIN')).http];
    for (let round = 0; round < 4; round++) {
      const license = await grantApproved(t);
      const proposed = await proposeEvent(t, license.id, { type: 'SUSPENDED', effectiveOn: '2022-03-01' }).expect(202);
      const path = (action: string) => `/api/v1/proposals/${proposed.body.id}/${action}`;
      const results = await Promise.all([
        admins[0].post(path('approve')).set('If-Match', '"1"').send({}),
        admins[1].post(path('approve')).set('If-Match', '"1"').send({}),
        round % 2 ? admins[2].post(path('reject')).set('If-Match', '"1"').send({ reason: 'race' }) : admins[2].post(path('approve')).set('If-Match', '"1"').send({ note: 'race' }),
        t.http.post(path('withdraw')).set('If-Match', '"1"').send({}),
      ]);
      expect(results.map((r) => r.status).sort(), JSON.stringify(results.map((r) => r.body))).toEqual([200, 409, 409, 409]);
      for (const r of results.filter((x) => x.status === 409)) expect(r.body.code).toBe('PROPOSAL_DECIDED');
      const winner = results.find((r) => r.status === 200)!.body;
      const events = (await t.http.get(`/api/v1/licenses/${license.id}/events`).expect(200)).body.items;
      expect(events.map((e: { type: string }) => e.type)).toEqual(winner.status === 'APPROVED' ? ['GRANTED', 'SUSPENDED'] : ['GRANTED']);
      expect((await auditOf(t, 'proposal', proposed.body.id)).map((a) => a.action)).toEqual(['proposal.created', `proposal.${winner.status.toLowerCase()}`]);
    }
    expect((await t.http.get('/api/v1/audit/verify').expect(200)).body.ok).toBe(true);
  });
});
