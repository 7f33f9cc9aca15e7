import { existsSync, readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPOOL_DIR } from '../../src/imports/upload-spool.js';
import { createDatabase, engine, startApp, TEST_PASSWORD, type TestApp } from '../support/app.js';
import { makeLicense, shipmentBody } from '../support/factories.js';

const HEADER = 'licenseNumber,reference,shippedOn,destinationCountry,units,deviceCategory';
/** Rows of the long import: long enough to hold the writer for a few seconds on either engine. */
const LONG = 30_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Listens on a port (0: a free one) for `t`'s HTTP server; returns the port. */
async function listen(t: TestApp): Promise<number> {
  const server = t.app.getHttpServer();
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Starts a POST of a CSV that sends `rows` one at a time, `pauseMs` apart. */
function trickle(port: number, token: string, rows: string[], pauseMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: 'POST', path: '/api/v1/imports/shipments', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    void (async () => {
      req.write(`${HEADER}\n`);
      for (const r of rows) {
        await sleep(pauseMs);
        req.write(`${r}\n`);
      }
      req.end();
    })();
  });
}

/** Milliseconds `work` takes. */
async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  await work();
  return Date.now() - started;
}

describe('writes wait a bounded time, and a slow upload holds no transaction', () => {
  let t: TestApp;
  let license: { id: string; licenseNumber: string };
  let port: number;
  beforeAll(async () => {
    t = await startApp({ limits: { writeWaitMs: 300 } });
    license = await makeLicense(t, { licenseNumber: 'BUSY-1' });
    port = await listen(t);
  });
  afterAll(() => t?.close());

  it('while an upload trickles in (a row every 2 s), writes, a login, /health and public reads each answer within 1 s', async () => {
    const upload = trickle(port, t.staff.OFFICER.token, [`BUSY-1,TR-1,2022-03-01,AE,10,SMARTPHONE`, `BUSY-1,TR-2,2022-03-01,AE,10,SMARTPHONE`], 2000);
    await sleep(500);
    const times = {
      company: await timed(() => t.http.post('/api/v1/companies').send({ legalName: 'Trickle Test (Private) Limited' }).expect(201)),
      login: await timed(() => t.anon.post('/api/v1/auth/login').send({ email: 'analyst@registry.test', password: TEST_PASSWORD }).expect(200)),
      health: await timed(() => t.anon.get('/health').expect(200)),
      publicCheck: await timed(() => t.anon.get(`/public/v1/licenses/${license.licenseNumber}`).expect(200)),
      shipment: await timed(() => t.http.post('/api/v1/shipments').send(shipmentBody(license, { reference: 'BESIDE-TRICKLE' })).expect(201)),
    };
    for (const [what, ms] of Object.entries(times)) expect(ms, what).toBeLessThan(1000);
    expect(await upload).toBe(201);
    // The upload's temporary file is gone.
    expect(existsSync(SPOOL_DIR) ? readdirSync(SPOOL_DIR).filter((f) => f.startsWith(`upload-${process.pid}-`)) : []).toEqual([]);
  });

  it('20 concurrent writes beside a trickling upload leave /health and the public reads at 200', async () => {
    const upload = trickle(port, t.staff.OFFICER.token, ['BUSY-1,TR-20,2022-03-01,AE,10,SMARTPHONE'], 1500);
    const writes = Promise.all(Array.from({ length: 20 }, (_, i) => t.http.post('/api/v1/companies').send({ legalName: `Concurrent ${i} (Private) Limited` })));
    const reads = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        await sleep(i * 50);
        return [(await t.anon.get('/health')).status, (await t.anon.get(`/public/v1/licenses/${license.licenseNumber}`)).status];
      }),
    );
    expect(reads.flat()).toEqual(Array(20).fill(200));
    // Writes may wait for each other (and answer 503 BUSY past WRITE_WAIT_MS); none fails otherwise.
    for (const w of await writes) expect([201, 503]).toContain(w.status);
    expect(await upload).toBe(201);
  });

  it('a write behind a long import waits at most WRITE_WAIT_MS, then answers 503 BUSY with Retry-After and writes nothing', async () => {
    const rows = Array.from({ length: LONG }, (_, i) => `BUSY-1,LONG-${i},2022-04-01,AE,10,SMARTPHONE`);
    const importing = t.http.post('/api/v1/imports/shipments').set('Content-Type', 'text/csv').send(Buffer.from([HEADER, ...rows].join('\n')));
    const sent = importing.then((r) => r);
    // The run is listed as RUNNING before its transaction starts.
    for (let i = 0; i < 200; i++) {
      const runs = await t.http.get('/api/v1/imports?limit=1').expect(200);
      if (runs.body.items[0]?.outcome === 'RUNNING') break;
      await sleep(10);
    }
    // Writes sent before the import takes its first lock go through; the next one waits, then gives up.
    let written = 0;
    let blocked: { status: number; headers: Record<string, string>; body: Record<string, unknown>; waited: number; reference: string } | undefined;
    for (let i = 0; i < 100 && !blocked; i++) {
      const reference = `BEHIND-IMPORT-${i}`;
      const started = Date.now();
      const res = await t.http.post('/api/v1/shipments').send(shipmentBody(license, { reference }));
      if (res.status === 503) blocked = { status: res.status, headers: res.headers, body: res.body, waited: Date.now() - started, reference };
      else {
        expect(res.status).toBe(201);
        written++;
        await sleep(20);
      }
    }
    expect(blocked).toBeDefined();
    expect(blocked!.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(blocked!.headers['retry-after']).toBe('1');
    expect(blocked!.body).toMatchObject({ status: 503, code: 'BUSY' });
    expect(blocked!.waited).toBeGreaterThanOrEqual(250);
    expect(blocked!.waited).toBeLessThan(3000);
    expect((await sent).status).toBe(201);
    const after = await t.http.get(`/api/v1/shipments?licenseId=${license.id}&limit=1`).expect(200);
    // BESIDE-TRICKLE, the three trickled rows, the writes before the import's lock and the import: not the blocked one.
    expect(after.body.total).toBe(1 + 3 + written + LONG);
    // ... and it goes through once the import is done.
    await t.http.post('/api/v1/shipments').send(shipmentBody(license, { reference: blocked!.reference })).expect(201);
  });
});

describe.runIf(engine === 'postgres')('PostgreSQL out of reach', () => {
  let t: TestApp;
  let proxy: Server | undefined;
  const sockets = new Set<Socket>();
  let proxyPort = 0;
  const openProxy = () =>
    new Promise<void>((resolve) => {
      proxy = createServer((client) => {
        const upstream = connect(5432, '127.0.0.1');
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
      });
      proxy.listen(proxyPort, '127.0.0.1', () => {
        proxyPort = (proxy!.address() as AddressInfo).port;
        resolve();
      });
    });
  const closeProxy = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      proxy!.close(() => resolve());
    });

  beforeAll(async () => {
    await openProxy();
    const db = await createDatabase();
    const url = new URL((db.database as { url: string }).url);
    url.port = String(proxyPort);
    t = await startApp({ database: { database: { engine: 'postgres', url: url.toString() }, drop: db.drop }, limits: { writeWaitMs: 1000 } });
  });
  afterAll(async () => {
    if (proxy?.listening) await closeProxy();
    await openProxy();
    await t?.close();
    await closeProxy();
  });

  it('answers 503 with Retry-After (health, API, public) while the database is unreachable, and 200 again once it is back, without a restart', async () => {
    await t.anon.get('/health').expect(200);
    await closeProxy();
    const health = await t.anon.get('/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' });
    expect(health.headers['retry-after']).toBeDefined();
    for (const res of [await t.http.get('/api/v1/companies'), await t.http.post('/api/v1/companies').send({ legalName: 'Unreachable (Private) Limited' }), await t.anon.get('/public/v1/manufacturers')]) {
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
      expect(['DATABASE_UNAVAILABLE', 'BUSY']).toContain(res.body.code);
    }
    await openProxy();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await t.anon.get('/health')).status;
      if (status !== 200) await sleep(100);
    }
    expect(status).toBe(200);
    await t.http.get('/api/v1/companies').expect(200);
    await t.http.post('/api/v1/companies').send({ legalName: 'Reachable Again (Private) Limited' }).expect(201);
  });
});
