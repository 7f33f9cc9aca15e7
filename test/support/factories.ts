import type { TestApp } from './app.js';

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(++counter).toString(36)}`;

/** Creates a company through the API; overrides win. Returns the response body. */
export async function makeCompany(t: TestApp, overrides: Record<string, unknown> = {}) {
  const res = await t.http.post('/api/v1/companies').send({ legalName: `Test Devices ${unique()} (Private) Limited`, city: 'Lahore', ...overrides });
  if (res.status !== 201) throw new Error(`makeCompany: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Grants a license (to a new company unless companyId is given), issued 2021-04-09 by default. */
export async function makeLicense(t: TestApp, overrides: Record<string, unknown> = {}) {
  const companyId = overrides.companyId ?? (await makeCompany(t)).id;
  const res = await t.http.post('/api/v1/licenses').send({ companyId, issuedOn: '2021-04-09', brands: ['Testo'], ...overrides });
  if (res.status !== 201) throw new Error(`makeLicense: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A valid shipment body for a license. */
export function shipmentBody(license: { id: string }, overrides: Record<string, unknown> = {}) {
  return {
    licenseId: license.id,
    reference: `GD-${unique()}`,
    shippedOn: '2021-08-13',
    destinationCountry: 'AE',
    units: 5500,
    deviceCategory: 'SMARTPHONE',
    technology: '4G',
    ...overrides,
  };
}

/**
 * Posts a lifecycle event with the license's current ETag in If-Match. Await it for the response, or call
 * `.expect(status)` to also check the status.
 */
export function event(t: TestApp, licenseId: string, type: string, effectiveOn: string, extra: Record<string, unknown> = {}) {
  const response = (async () =>
    t.http
      .post(`/api/v1/licenses/${licenseId}/events`)
      .set('If-Match', await t.etag(`/api/v1/licenses/${licenseId}`))
      .send({ type, effectiveOn, reason: `test ${type}`, ...extra }))();
  return Object.assign(response, {
    expect: async (status: number) => {
      const res = await response;
      if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
      return res;
    },
  });
}

/** PATCHes with the resource's current ETag in If-Match. */
export async function patch(t: TestApp, path: string, body: Record<string, unknown>) {
  return t.http.patch(path).set('If-Match', await t.etag(path)).send(body);
}

/** Voids a shipment with its current ETag in If-Match. */
export async function voidShipment(t: TestApp, id: string, body: Record<string, unknown>) {
  return t.http.post(`/api/v1/shipments/${id}/void`).set('If-Match', await t.etag(`/api/v1/shipments/${id}`)).send(body);
}

/** Awaits a response and checks its status (for helpers that are not supertest chains). */
export async function expectStatus<R extends { status: number; text: string }>(response: Promise<R>, status: number): Promise<R> {
  const res = await response;
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
  return res;
}
