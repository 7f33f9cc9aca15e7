import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { makeLicense, shipmentBody } from '../support/factories.js';

const HEADER = 'licenseNumber,reference,shippedOn,destinationCountry,units,deviceCategory';
const row = (ref: string, country = 'AE') => `SNAP-1,${ref},2022-03-01,${country},10,SMARTPHONE`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The three totals a reader sees: staff shipments list, staff exports report, public exports. */
type Seen = { list: number; report: number; public: number };

// Reads run on their own connection(s) and see only committed data: an import in progress (SQLite: the one
// writer connection holds its open transaction) is invisible until it commits, and then visible all at once.
describe('reads never see uncommitted writes', () => {
  let t: TestApp;
  let license: { id: string };
  let port: number;
  beforeAll(async () => {
    t = await startApp();
    license = await makeLicense(t, { licenseNumber: 'SNAP-1' });
    for (let i = 0; i < 5; i++) await t.http.post('/api/v1/shipments').send(shipmentBody(license, { reference: `BASE-${i}`, shippedOn: '2022-01-10', units: 100 })).expect(201);
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => t?.close());

  const seen = async (): Promise<Seen> => {
    const [list, report, pub] = await Promise.all([
      t.http.get(`/api/v1/shipments?licenseId=${license.id}&limit=1`).expect(200),
      t.as('ANALYST').get('/api/v1/reports/exports?groupBy=year').expect(200),
      t.anon.get('/public/v1/exports?groupBy=fiscalYear').expect(200),
    ]);
    return { list: list.body.total, report: report.body.totals.units, public: pub.body.totals.units };
  };

  /** POSTs a CSV a few rows at a time, `pauseMs` apart; resolves with the status and the parsed body. */
  const trickle = (rows: string[], pauseMs: number, perChunk: number) =>
    new Promise<{ status: number; body: { report?: { outcome: string } } }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, method: 'POST', path: '/api/v1/imports/shipments', headers: { Authorization: `Bearer ${t.staff.OFFICER.token}`, 'Content-Type': 'text/csv' } },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        },
      );
      req.on('error', reject);
      void (async () => {
        req.write(`${HEADER}\n`);
        for (let i = 0; i < rows.length; i += perChunk) {
          req.write(`${rows.slice(i, i + perChunk).join('\n')}\n`);
          await sleep(pauseMs);
        }
        req.end();
      })();
    });

  /**
   * Reads the totals in a loop until `work` ends; returns every value seen, in order. Paced (a read every 20 ms)
   * so the import, which runs at idle priority, still gets CPU when other processes share the machine.
   */
  const watch = async <T>(work: Promise<T>): Promise<{ result: T; values: Seen[] }> => {
    let done = false;
    const values: Seen[] = [];
    const reader = (async () => {
      while (!done) {
        values.push(await seen());
        await sleep(20);
      }
    })();
    const result = await work.finally(() => (done = true));
    await reader;
    values.push(await seen());
    return { result, values };
  };

  it('an import that fails on its last row, sent over two seconds, shows nothing at any moment', async () => {
    const before = await seen();
    expect(before).toEqual({ list: 5, report: 500, public: 500 });
    const rows = Array.from({ length: 1500 }, (_, i) => row(`FAIL-${i}`));
    rows.push(row('FAIL-LAST', 'XX'));
    const { result, values } = await watch(trickle(rows, 100, 75));
    expect(result.status).toBe(422);
    expect(result.body.report?.outcome).toBe('REJECTED');
    expect(values.length).toBeGreaterThan(3);
    for (const v of values) expect(v).toEqual(before);
  });

  it('an import that commits flips every read from the old totals to the new ones at once', async () => {
    const before = await seen();
    const rows = Array.from({ length: 1500 }, (_, i) => row(`OK-${i}`));
    const { result, values } = await watch(trickle(rows, 100, 75));
    expect(result.status).toBe(201);
    const after = { list: before.list + 1500, report: before.report + 15_000, public: before.public + 15_000 };
    // Each read (taken side by side, so the commit may fall between them) is the old total or the new one,
    // never one in between, and once a read has shown the new total it never shows the old one again.
    for (const key of ['list', 'report', 'public'] as const) {
      const seenOf = values.map((v) => v[key]);
      for (const x of seenOf) expect([before[key], after[key]]).toContain(x);
      const first = seenOf.indexOf(after[key]);
      expect(first).toBeGreaterThanOrEqual(0);
      expect(seenOf.slice(first).every((x) => x === after[key])).toBe(true);
    }
    expect(values.at(-1)).toEqual(after);
  });
});
