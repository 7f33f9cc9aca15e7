import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransparencyLog } from '../../src/audit/log/transparency-log.js';
import { startApp, type TestApp } from '../support/app.js';
import { rfcVerifyInclusion, sha256 } from '../support/rfc9162.js';
import { event, makeCompany, makeLicense, patch, shipmentBody } from '../support/factories.js';

const b64 = (s: string) => Buffer.from(s, 'base64');

interface AuditItem {
  seq: number;
  action: string;
  hash: string;
  logIndex: number;
}

interface PublicEvent {
  type: string;
  effectiveOn: string;
  expiresOn: string;
  logIndex: number | null;
}

/** A license's audit records (staff API), oldest first. */
async function auditOf(t: TestApp, licenseId: string): Promise<AuditItem[]> {
  return (await t.as('ADMIN').get('/api/v1/audit').query({ entityType: 'license', entityId: licenseId, sort: 'seq', limit: 100 }).expect(200)).body.items;
}

/** The audit record of each public lifecycle event: the k-th event of a type is the k-th `license.<type>` record. */
function recordsOf(history: PublicEvent[], audit: AuditItem[]): AuditItem[] {
  const seen = new Map<string, number>();
  return history.map((e) => {
    const action = `license.${e.type.toLowerCase()}`;
    const k = seen.get(action) ?? 0;
    seen.set(action, k + 1);
    const record = audit.filter((a) => a.action === action)[k];
    expect(record, `${e.type} #${k + 1}`).toBeDefined();
    return record;
  });
}

describe('the log index of each public lifecycle event', () => {
  let t: TestApp;
  let company: { id: string };
  let license: { id: string; licenseNumber: string };

  beforeAll(async () => {
    t = await startApp({ seed: true });
    company = await makeCompany(t, { legalName: 'Logged Devices (Private) Limited' });
    license = await makeLicense(t, { companyId: company.id, issuedOn: '2021-05-01', brands: ['Logtel'] });
    // Two events of the same type, an amendment (not public) and other records in between.
    await event(t, license.id, 'SUSPENDED', '2022-01-01').expect(201);
    await t.http.post('/api/v1/shipments').send(shipmentBody(license, { shippedOn: '2021-06-01' })).expect(201);
    await event(t, license.id, 'REINSTATED', '2022-02-01').expect(201);
    expect((await patch(t, `/api/v1/licenses/${license.id}`, { brands: ['Logtel', 'Logtel Pro'], reason: 'brand added' })).status).toBe(200);
    await makeCompany(t);
    await event(t, license.id, 'SUSPENDED', '2022-03-01').expect(201);
    await event(t, license.id, 'REINSTATED', '2022-04-01').expect(201);
    await event(t, license.id, 'RENEWED', '2022-05-01', { data: { expiresOn: '2036-04-30' } }).expect(201);
  });
  afterAll(() => t?.close());

  it("a license's public history has, for each lifecycle event, the log index of its audit record (seq - 1), which an inclusion proof proves", async () => {
    const history: PublicEvent[] = (await t.anon.get(`/public/v1/manufacturers/${company.id}`).expect(200)).body.licenses[0].history;
    expect(history.map((e) => e.type)).toEqual(['GRANTED', 'SUSPENDED', 'REINSTATED', 'SUSPENDED', 'REINSTATED', 'RENEWED']);
    const audit = await auditOf(t, license.id);
    expect(audit.map((a) => a.action)).toContain('license.amended'); // audited, never shown
    const records = recordsOf(history, audit);
    for (const [i, e] of history.entries()) {
      expect(e.logIndex, e.type).toBe(records[i].seq - 1);
      expect(e.logIndex).toBe(records[i].logIndex);
    }
    expect(new Set(history.map((e) => e.logIndex)).size).toBe(history.length);

    const checkpoint = (await t.app.get(TransparencyLog).issue())!;
    for (const [i, e] of history.entries()) {
      const proof = (await t.anon.get('/public/v1/log/proofs/inclusion').query({ index: e.logIndex, treeSize: checkpoint.size }).expect(200)).body;
      const leaf = sha256(Buffer.from([0]), Buffer.from(records[i].hash, 'hex'));
      expect(proof.leafHash).toBe(leaf.toString('base64'));
      expect(rfcVerifyInclusion(e.logIndex!, checkpoint.size, leaf, proof.hashes.map(b64), checkpoint.root)).toBe(true);
    }

    // The verification's last status change is the same event, with the same index.
    const verification = (await t.anon.get(`/public/v1/licenses/${encodeURIComponent(license.licenseNumber)}`).query({ on: '2022-03-15' }).expect(200)).body;
    expect(verification.lastStatusChange).toEqual(history[3]);
    const plain = (await t.anon.get(`/public/v1/licenses/${encodeURIComponent(license.licenseNumber)}`).expect(200)).body;
    expect(plain.lastStatusChange).toEqual(history[5]);
  });

  it("the seed's grants have their log index too (every license event is written through one function)", async () => {
    for (const q of ['inovi', 'lucky']) {
      const m = (await t.anon.get('/public/v1/manufacturers').query({ q }).expect(200)).body.items[0];
      const history: PublicEvent[] = (await t.anon.get(`/public/v1/manufacturers/${m.id}`).expect(200)).body.licenses[0].history;
      const licenseId = (await t.http.get('/api/v1/licenses').query({ companyId: m.id }).expect(200)).body.items[0].id;
      const [granted] = (await auditOf(t, licenseId)).filter((a) => a.action === 'license.granted');
      expect(history).toEqual([expect.objectContaining({ type: 'GRANTED', logIndex: granted.seq - 1 })]);
    }
  });
});
