import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source.options.js';
import { afterAll, describe, expect, it } from 'vitest';
import { engine } from '../support/app.js';

const ADMIN = { email: 'stop-admin@registry.test', password: 'Correct-Horse-Battery-9' };
const HEADER = 'licenseNumber,reference,shippedOn,destinationCountry,units,deviceCategory';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/** The built server (dist/src/main.js) on a SQLite file with the reference data; resolves once it listens. */
async function start(dir: string, env: Record<string, string> = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'registry.sqlite')}`, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password, ...env },
  });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; i < 300 && !out.includes(' is running on ') && child.exitCode === null; i++) await sleep(100);
  if (!out.includes(' is running on ')) throw new Error(`the server did not start: ${out}`);
  const base = `http://127.0.0.1:${port}`;
  const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(ADMIN) });
  const token = ((await login.json()) as { accessToken: string }).accessToken;
  return { child, port, token, exited, output: () => out };
}

/** POSTs a CSV import of `rows` rows a few at a time over `ms`, sending `signal` to `child` after the first part. */
function trickledImport(server: { child: ChildProcess; port: number; token: string }, rows: number, ms: number) {
  return new Promise<{ status: number; body: string } | { error: string }>((resolve) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: server.port, method: 'POST', path: '/api/v1/imports/shipments', headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'text/csv' } },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', (e) => resolve({ error: e.message }));
      },
    );
    req.on('error', (e) => resolve({ error: e.message }));
    void (async () => {
      req.write(`${HEADER}\n`);
      await sleep(100);
      server.child.kill('SIGTERM');
      const parts = 10;
      for (let p = 0; p < parts; p++) {
        const lines = Array.from({ length: rows / parts }, (_, i) => `MDM-2021-0001,STOP-${p}-${i},2021-08-13,AE,1,SMARTPHONE`);
        if (!req.destroyed) req.write(`${lines.join('\n')}\n`);
        await sleep(ms / parts);
      }
      if (!req.destroyed) req.end();
    })();
  });
}

describe.skipIf(engine === 'postgres')('a clean stop on SIGTERM (the built server)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lr-stop-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a request in flight is finished and answered, new connections are refused, and the process exits 0', async () => {
    const server = await start(mkdtempSync(join(dir, 'a-')));
    const importing = trickledImport(server, 200, 1500);
    await sleep(700); // the signal was sent at 100 ms
    const late = await fetch(`http://127.0.0.1:${server.port}/health`).then((r) => r.status, (e: Error) => e.message);
    expect(late).not.toBe(200);
    const result = await importing;
    expect(result, server.output()).toMatchObject({ status: 201 });
    expect(JSON.parse((result as { body: string }).body)).toMatchObject({ outcome: 'COMMITTED', rowsCreated: 200 });
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('License Registry is stopping (SIGTERM)');
    expect(server.output()).toContain('License Registry stopped');
  }, 60_000);

  it('past SHUTDOWN_GRACE_MS the connection is closed, nothing of the unfinished request is written, and the process exits 0', async () => {
    const where = mkdtempSync(join(dir, 'b-'));
    const server = await start(where, { SHUTDOWN_GRACE_MS: '300' });
    const began = Date.now();
    const result = await trickledImport(server, 200, 3000);
    expect(result).toHaveProperty('error');
    expect(await server.exited).toBe(0);
    expect(Date.now() - began).toBeLessThan(3000);
    const db = new DataSource({ ...buildDataSourceOptions({ engine: 'sqlite', path: join(where, 'registry.sqlite') }, 'reader'), entities: [], migrations: [] });
    await db.initialize();
    try {
      expect(await db.query("SELECT COUNT(*) AS n FROM shipments WHERE reference LIKE 'STOP-%'")).toEqual([{ n: 0 }]);
    } finally {
      await db.destroy();
    }
  }, 60_000);
});
