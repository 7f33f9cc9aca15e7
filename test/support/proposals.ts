import type { Response } from 'supertest';
import type { TestApp } from './app.js';
import { expectStatus, makeCompany } from './factories.js';

// Four eyes in tests: proposing, deciding, and granting through both.

export type Agent = TestApp['http'];

/** The ETag of a resource, read by `agent`. */
export const etagOf = async (agent: Agent, path: string) => (await agent.get(path).expect(200)).headers.etag as string;

/** A response still to come, with `.expect(status)` that awaits it and checks its status. */
export function expecting(response: Promise<Response>) {
  return Object.assign(response, { expect: (status: number) => expectStatus(response, status) });
}

/** approve, reject or withdraw a proposal as `agent`, with the proposal's current ETag in If-Match. */
export const decide = (agent: Agent, id: string, action: 'approve' | 'reject' | 'withdraw', body: Record<string, unknown> = {}) =>
  expecting((async () => agent.post(`/api/v1/proposals/${id}/${action}`).set('If-Match', await etagOf(agent, `/api/v1/proposals/${id}`)).send(body))());

/** A license proposed by the officer and approved by the admin: the way a license is granted under four eyes. */
export async function grantApproved(t: TestApp, overrides: Record<string, unknown> = {}) {
  const companyId = overrides.companyId ?? (await makeCompany(t)).id;
  const proposed = await t.http.post('/api/v1/licenses').send({ companyId, issuedOn: '2021-04-09', brands: ['Testo'], ...overrides }).expect(202);
  const approved = await decide(t.as('ADMIN'), proposed.body.id, 'approve').expect(200);
  return (await t.http.get(`/api/v1/licenses/${approved.body.licenseId}`).expect(200)).body;
}

/** Proposes a lifecycle action on a license as `agent` (the officer by default), with the license's current ETag. */
export function proposeEvent(t: TestApp, licenseId: string, body: Record<string, unknown>, agent: Agent = t.http) {
  return expecting(
    (async () =>
      agent
        .post(`/api/v1/licenses/${licenseId}/events`)
        .set('If-Match', await etagOf(agent, `/api/v1/licenses/${licenseId}`))
        .send({ reason: `test ${String(body.type)}`, ...body }))(),
  );
}

export const auditOf = async (t: TestApp, entityType: string, entityId: string) =>
  (await t.as('ADMIN').get(`/api/v1/audit?entityType=${entityType}&entityId=${entityId}&sort=seq&limit=100`).expect(200)).body.items as {
    action: string;
    actorId: string | null;
    reason: string | null;
    after: Record<string, unknown> | null;
  }[];
