import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WRITER } from '../../src/database/writer.js';
import { startApp, type TestApp } from '../support/app.js';
import { makeLicense } from '../support/factories.js';
import { type Agent, auditOf, decide, grantApproved, proposeEvent } from '../support/proposals.js';

interface Obligation {
  id: string;
  code: string;
  period: number;
  status: string;
  dueOn: string;
  extendedUntil: string | null;
  version: number;
  submissions: { id: string }[];
  decisions: { decision: string; decidedOn: string; decidedBy: string | null; proposedBy: string | null; approvedBy: string | null }[];
}

const TODAY = '2022-04-10';

const listOf = async (t: TestApp, licenseId: string, on = TODAY) => (await t.http.get(`/api/v1/licenses/${licenseId}/obligations?on=${on}`).expect(200)).body.items as Obligation[];
const one = async (t: TestApp, licenseId: string, code: string, on = TODAY) => (await listOf(t, licenseId, on)).find((o) => o.code === code && o.period === 0)!;
/** A decision on a condition, as `agent`, at the condition's version given. */
const decision = (agent: Agent, licenseId: string, o: Obligation, body: Record<string, unknown>) =>
  agent.post(`/api/v1/licenses/${licenseId}/obligations/${o.id}/decisions`).set('If-Match', `"${o.version}"`).send(body);

describe('decisions on conditions under four eyes: proposed by one, approved by another ADMIN', () => {
  let t: TestApp;
  let licenseId: string;
  let admin2: Agent;
  beforeAll(async () => {
    t = await startApp({ fourEyes: true });
    t.setToday(TODAY);
    licenseId = (await grantApproved(t, { issuedOn: '2021-04-09' })).id;
    admin2 = (await t.addStaff('ADMIN')).http;
  });
  afterAll(async () => {
    t?.setToday(undefined);
    await t?.close();
  });

  it('an officer proposes an extension: 202 with the proposal, nothing changes; an ADMIN approves it: EXTENDED then, both named, every step audited', async () => {
    const chargers = await one(t, licenseId, 'Y1_CHARGERS');
    expect(chargers.status).toBe('OVERDUE');
    const proposed = await decision(t.http, licenseId, chargers, { decision: 'EXTEND', newDueOn: '2023-04-08', reason: 'Written justification received' }).expect(202);
    expect(proposed.headers.location).toBe(`/api/v1/proposals/${proposed.body.id}`);
    expect(proposed.headers.etag).toBe('"1"');
    expect(proposed.body).toMatchObject({
      kind: 'OBLIGATION_DECISION',
      status: 'PENDING',
      licenseId,
      licenseVersion: null,
      obligationId: chargers.id,
      obligationVersion: chargers.version,
      obligationDecisionId: null,
      proposedBy: t.staff.OFFICER.id,
      reason: 'Written justification received',
      payload: { decision: 'EXTEND', newDueOn: '2023-04-08', reason: 'Written justification received' },
      links: { obligations: `/api/v1/licenses/${licenseId}/obligations` },
    });
    expect(await one(t, licenseId, 'Y1_CHARGERS')).toMatchObject({ status: 'OVERDUE', version: chargers.version, decisions: [] });
    const pending = (await t.as('ADMIN').get(`/api/v1/proposals?status=PENDING&kind=OBLIGATION_DECISION&obligationId=${chargers.id}`).expect(200)).body;
    expect(pending.items.map((p: { id: string }) => p.id)).toEqual([proposed.body.id]);
    expect((await t.as('ANALYST').get(`/api/v1/reports/licenses?on=${TODAY}`).expect(200)).body.pendingProposals.byKind.OBLIGATION_DECISION).toBe(1);

    const approved = await decide(t.as('ADMIN'), proposed.body.id, 'approve', { note: 'Justification on file' }).expect(200);
    expect(approved.body).toMatchObject({ status: 'APPROVED', decidedBy: t.staff.ADMIN.id, obligationDecisionId: expect.any(String), licenseEventId: null });
    const after = await one(t, licenseId, 'Y1_CHARGERS');
    expect(after).toMatchObject({ status: 'EXTENDED', extendedUntil: '2023-04-08', version: chargers.version + 1 });
    expect(after.decisions).toEqual([
      expect.objectContaining({ decision: 'EXTEND', decidedOn: TODAY, decidedBy: t.staff.ADMIN.id, proposedBy: t.staff.OFFICER.id, approvedBy: t.staff.ADMIN.id }),
    ]);
    const trail = await auditOf(t, 'obligation', chargers.id);
    const extend = trail.find((a) => a.action === 'obligation.extend')!;
    expect(extend.after!.review).toEqual({ mode: 'APPROVED', proposalId: proposed.body.id, proposedBy: t.staff.OFFICER.id, approvedBy: t.staff.ADMIN.id });
    expect((await auditOf(t, 'proposal', proposed.body.id)).map((a) => a.action)).toEqual(['proposal.created', 'proposal.approved']);
  });

  it('refused when proposed for what applying it would refuse, and nothing is kept: the 2-year limit (422), a stale version (412), the fields (400), an analyst (403)', async () => {
    const pkg = await one(t, licenseId, 'Y1_PACKAGING');
    const before = (await t.as('ADMIN').get('/api/v1/proposals?kind=OBLIGATION_DECISION').expect(200)).body.total;
    const beyond = await decision(t.http, licenseId, pkg, { decision: 'EXTEND', newDueOn: '2024-04-09', reason: 'Two years and a day' }).expect(422);
    expect(beyond.body).toMatchObject({ code: 'EXTENSION_BEYOND_LIMIT', limit: '2024-04-08' });
    expect((await decision(t.http, licenseId, { ...pkg, version: pkg.version + 5 }, { decision: 'WAIVE', reason: 'x' }).expect(412)).body.code).toBe('VERSION_MISMATCH');
    await t.http.post(`/api/v1/licenses/${licenseId}/obligations/${pkg.id}/decisions`).send({ decision: 'WAIVE', reason: 'x' }).expect(428);
    expect((await decision(t.http, licenseId, pkg, { decision: 'EXTEND', reason: 'x' }).expect(400)).body.errors[0].field).toBe('newDueOn');
    expect((await decision(t.http, licenseId, pkg, { decision: 'ACCEPT', submissionId: '00000000-0000-4000-8000-000000000000', reason: 'x' }).expect(422)).body.code).toBe('SUBMISSION_NOT_FOUND');
    await decision(t.as('ANALYST'), licenseId, pkg, { decision: 'WAIVE', reason: 'x' }).expect(403);
    expect((await t.as('ADMIN').get('/api/v1/proposals?kind=OBLIGATION_DECISION').expect(200)).body.total).toBe(before);
  });

  it('an ADMIN proposes too, but never approves their own; an officer never approves; a rejection and a withdrawal change nothing', async () => {
    const hf = await one(t, licenseId, 'Y1_HANDS_FREE');
    const proposed = await decision(t.as('ADMIN'), licenseId, hf, { decision: 'WAIVE', reason: 'No hands-free sets are bundled' }).expect(202);
    expect((await decide(t.as('ADMIN'), proposed.body.id, 'approve').expect(403)).body.code).toBe('OWN_PROPOSAL');
    expect((await decide(t.http, proposed.body.id, 'approve').expect(403)).body.code).toBe('ROLE_NOT_ALLOWED');
    expect((await decide(admin2, proposed.body.id, 'reject', { reason: 'Bundled sets were found at inspection' }).expect(200)).body.status).toBe('REJECTED');
    const again = await decision(t.http, licenseId, hf, { decision: 'WAIVE', reason: 'Asked again' }).expect(202);
    expect((await decide(t.as('ADMIN'), again.body.id, 'withdraw').expect(403)).body.code).toBe('NOT_PROPOSER');
    expect((await decide(t.http, again.body.id, 'withdraw', { reason: 'Entered by mistake' }).expect(200)).body.status).toBe('WITHDRAWN');
    expect(await one(t, licenseId, 'Y1_HANDS_FREE')).toMatchObject({ status: 'OVERDUE', version: hf.version, decisions: [] });
    expect((await auditOf(t, 'proposal', proposed.body.id)).map((a) => a.action)).toEqual(['proposal.created', 'proposal.rejected']);
    expect((await auditOf(t, 'proposal', again.body.id)).map((a) => a.action)).toEqual(['proposal.created', 'proposal.withdrawn']);
  });

  it('every rule is checked again at approval: a later due date in force meanwhile (EXTENSION_NOT_LATER), the limit, a condition MET meanwhile; 409 PROPOSAL_CONFLICT, nothing written, still PENDING', async () => {
    const displays = await one(t, licenseId, 'Y2_DISPLAYS'); // due 2023-04-08, PENDING on TODAY
    const shorter = await decision(t.http, licenseId, displays, { decision: 'EXTEND', newDueOn: '2023-10-08', reason: 'Six months' }).expect(202);
    const longer = await decision(t.http, licenseId, displays, { decision: 'EXTEND', newDueOn: '2024-04-08', reason: 'A year' }).expect(202);
    await decide(t.as('ADMIN'), longer.body.id, 'approve').expect(200);
    const refused = await decide(t.as('ADMIN'), shorter.body.id, 'approve').expect(409);
    expect(refused.body).toMatchObject({ code: 'PROPOSAL_CONFLICT', rule: 'EXTENSION_NOT_LATER' });
    expect((await t.http.get(`/api/v1/proposals/${shorter.body.id}`).expect(200)).body.status).toBe('PENDING');
    expect(await one(t, licenseId, 'Y2_DISPLAYS')).toMatchObject({ dueOn: '2024-04-08', version: displays.version + 1 });

    // A payload that no longer passes the limit (as if the rule had changed): refused at approval, naming it.
    const batteries = await one(t, licenseId, 'Y2_BATTERIES');
    const proposed = await decision(t.http, licenseId, batteries, { decision: 'EXTEND', newDueOn: '2024-01-01', reason: 'Nine months' }).expect(202);
    const db = t.app.get<DataSource>(WRITER);
    const param = t.engine === 'postgres' ? ['$1', '$2'] : ['?', '?'];
    await db.query(`UPDATE proposals SET payload = ${param[0]} WHERE id = ${param[1]}`, [JSON.stringify({ decision: 'EXTEND', newDueOn: '2025-04-09', reason: 'Nine months' }), proposed.body.id]);
    const beyond = await decide(t.as('ADMIN'), proposed.body.id, 'approve').expect(409);
    expect(beyond.body).toMatchObject({ code: 'PROPOSAL_CONFLICT', rule: 'EXTENSION_BEYOND_LIMIT', limit: '2025-04-08' });
    expect(await one(t, licenseId, 'Y2_BATTERIES')).toMatchObject({ version: batteries.version, decisions: [] });

    // Evidence accepted through four eyes: MET; a second acceptance proposed before is refused, the condition being MET.
    const pcba = await one(t, licenseId, 'Y1_PCBA');
    const submitted = await t.http.post(`/api/v1/licenses/${licenseId}/obligations/${pcba.id}/submissions`).send({ submittedOn: '2022-04-01', reportedValue: '12' }).expect(201);
    const submissionId = submitted.body.submissions[0].id;
    const accept = await decision(t.http, licenseId, submitted.body, { decision: 'ACCEPT', submissionId, reason: 'Checked at inspection' }).expect(202);
    const twice = await decision(t.http, licenseId, submitted.body, { decision: 'ACCEPT', submissionId, reason: 'Checked again' }).expect(202);
    await decide(t.as('ADMIN'), accept.body.id, 'approve').expect(200);
    expect((await one(t, licenseId, 'Y1_PCBA')).status).toBe('MET');
    expect((await decide(t.as('ADMIN'), twice.body.id, 'approve').expect(409)).body).toMatchObject({ code: 'PROPOSAL_CONFLICT', rule: 'OBLIGATION_CLOSED' });
  });

  it('two ADMINs approving two proposals on one condition at once: exactly one is applied, the other is a 409 PROPOSAL_CONFLICT', async () => {
    const devices = await one(t, licenseId, 'Y2_DEVICES');
    const a = await decision(t.http, licenseId, devices, { decision: 'WAIVE', reason: 'Exempted by order A' }).expect(202);
    const b = await decision(t.http, licenseId, devices, { decision: 'EXTEND', newDueOn: '2024-01-01', reason: 'Order B' }).expect(202);
    const [ra, rb] = await Promise.all([decide(t.as('ADMIN'), a.body.id, 'approve'), decide(admin2, b.body.id, 'approve')]);
    expect([ra.status, rb.status].sort()).toEqual([200, 409]);
    const loser = ra.status === 409 ? ra : rb;
    expect(loser.body.code).toBe('PROPOSAL_CONFLICT');
    const after = await one(t, licenseId, 'Y2_DEVICES');
    expect(after.decisions).toHaveLength(1);
    expect(after.version).toBe(devices.version + 1);
  });

  it('a decision is dated the day it is approved, not the day it was proposed', async () => {
    const iso = await one(t, licenseId, 'ISO_9001'); // due 2023-04-08
    const proposed = await decision(t.http, licenseId, iso, { decision: 'EXTEND', newDueOn: '2024-04-08', reason: 'Audit scheduled' }).expect(202);
    t.setToday('2022-04-20');
    try {
      await decide(t.as('ADMIN'), proposed.body.id, 'approve').expect(200);
    } finally {
      t.setToday(TODAY);
    }
    const after = await one(t, licenseId, 'ISO_9001', '2022-04-20');
    expect(after.decisions).toEqual([expect.objectContaining({ decision: 'EXTEND', decidedOn: '2022-04-20' })]);
    expect((await one(t, licenseId, 'ISO_9001', '2022-04-19')).decisions).toEqual([]);
  });

  it('a renewal approved under four eyes adds the quarterly reports of the new term', async () => {
    const quarters = async () => (await listOf(t, licenseId, '2045-01-01')).filter((o) => o.code === 'QUARTERLY_REPORT');
    expect(await quarters()).toHaveLength(40);
    const proposed = await proposeEvent(t, licenseId, { type: 'RENEWED', effectiveOn: '2022-04-10' }).expect(202);
    expect(await quarters()).toHaveLength(40);
    await decide(t.as('ADMIN'), proposed.body.id, 'approve').expect(200);
    expect(await quarters()).toHaveLength(80);
  });
});

describe('decisions on conditions without four eyes (FOUR_EYES=false): an ADMIN alone, at once', () => {
  let t: TestApp;
  let licenseId: string;
  beforeAll(async () => {
    t = await startApp({ fourEyes: false });
    t.setToday(TODAY);
    licenseId = (await makeLicense(t, { issuedOn: '2021-04-09' })).id;
  });
  afterAll(async () => {
    t?.setToday(undefined);
    await t?.close();
  });

  it('an officer is refused (403 ROLE_NOT_ALLOWED); an ADMIN decides at once (201), audited as not reviewed; no proposal', async () => {
    const chargers = await one(t, licenseId, 'Y1_CHARGERS');
    expect((await decision(t.http, licenseId, chargers, { decision: 'WAIVE', reason: 'x' }).expect(403)).body.code).toBe('ROLE_NOT_ALLOWED');
    const made = await decision(t.as('ADMIN'), licenseId, chargers, { decision: 'EXTEND', newDueOn: '2023-04-08', reason: 'Justified' }).expect(201);
    expect(made.body).toMatchObject({ status: 'EXTENDED', version: chargers.version + 1 });
    expect(made.body.decisions[0]).toMatchObject({ decidedBy: t.staff.ADMIN.id, proposedBy: t.staff.ADMIN.id, approvedBy: null });
    const extend = (await auditOf(t, 'obligation', chargers.id)).find((a) => a.action === 'obligation.extend')!;
    expect(extend.after!.review).toEqual({ mode: 'NOT_REVIEWED', proposalId: null, proposedBy: t.staff.ADMIN.id, approvedBy: null });
    expect((await t.as('ADMIN').get('/api/v1/proposals').expect(200)).body.total).toBe(0);
  });

  it('two decisions at once with the same If-Match: exactly one is made, the other is 412 VERSION_MISMATCH', async () => {
    const pkg = await one(t, licenseId, 'Y1_PACKAGING');
    const [a, b] = await Promise.all([
      decision(t.as('ADMIN'), licenseId, pkg, { decision: 'WAIVE', reason: 'Order A' }),
      decision(t.as('ADMIN'), licenseId, pkg, { decision: 'EXTEND', newDueOn: '2023-01-01', reason: 'Order B' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 412]);
    expect((a.status === 412 ? a : b).body.code).toBe('VERSION_MISMATCH');
    const after = await one(t, licenseId, 'Y1_PACKAGING');
    expect(after.decisions).toHaveLength(1);
    expect(after.version).toBe(pkg.version + 1);
  });
});
