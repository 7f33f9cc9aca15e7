import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WRITER } from '../../src/database/writer.js';
import { SPOOL_DIR } from '../../src/imports/upload-spool.js';
import { startApp, type TestApp } from '../support/app.js';
import { makeLicense } from '../support/factories.js';

const HEADER = 'licenseNumber,reference,shippedOn,destinationCountry,units,deviceCategory';
/** A process id that is not running (above Linux's pid_max). */
const DEAD_PID = 4_194_999;

interface Run {
  id: string;
  outcome: string;
  failure: string | null;
  finishedAt: string | null;
  rowsCreated: number;
}

describe('every import leaves a record', () => {
  let t: TestApp;
  let writer: DataSource;
  beforeAll(async () => {
    t = await startApp();
    writer = t.app.get<DataSource>(WRITER);
    await makeLicense(t, { licenseNumber: 'RUN-1' });
  });
  afterAll(() => t?.close());

  const runs = async (): Promise<Run[]> => (await t.http.get('/api/v1/imports?limit=100').expect(200)).body.items;

  it('an import ended by a database error is listed as FAILED with the reason, and wrote nothing', async () => {
    // A fault the registry cannot foresee: the database refuses one row.
    if (t.engine === 'postgres') {
      await writer.query(`CREATE FUNCTION refuse_boom() RETURNS trigger AS $$ BEGIN IF NEW.reference = 'BOOM' THEN RAISE EXCEPTION 'refused' USING ERRCODE = 'XX000'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
      await writer.query('CREATE TRIGGER refuse_boom BEFORE INSERT ON shipments FOR EACH ROW EXECUTE FUNCTION refuse_boom()');
    } else {
      await writer.query(`CREATE TRIGGER refuse_boom BEFORE INSERT ON shipments WHEN NEW.reference = 'BOOM' BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    }
    const csv = [HEADER, 'RUN-1,FINE-1,2022-03-01,AE,10,SMARTPHONE', 'RUN-1,BOOM,2022-03-01,AE,10,SMARTPHONE'].join('\n');
    const res = await t.http.post('/api/v1/imports/shipments').set('Content-Type', 'text/csv').send(Buffer.from(csv));
    expect(res.status).toBe(500);
    const [run] = await runs();
    expect(run).toMatchObject({ outcome: 'FAILED', rowsCreated: 0 });
    expect(run.failure).toMatch(/database error/);
    expect(run.finishedAt).not.toBeNull();
    expect((await t.http.get('/api/v1/shipments?limit=1').expect(200)).body.total).toBe(0);
    await writer.query('DROP TRIGGER refuse_boom' + (t.engine === 'postgres' ? ' ON shipments' : ''));
  });

  it('an import cut off by its process stopping shows INTERRUPTED after the next start; uploads it left are removed', async () => {
    const id = '6f1c2a4e-0000-4000-8000-000000000001';
    await writer.query(
      `INSERT INTO imports (id, kind, mode, outcome, actor_id, file_name, file_sha256, rows_read, rows_valid, rows_created, rows_skipped, rows_failed, imeis_created, started_at, runner)
       VALUES ('${id}', 'shipments', 'commit', 'RUNNING', NULL, 'crashed.csv', '', 0, 0, 0, 0, 0, 0, '2026-01-01T00:00:00.000Z', '${hostname()}/${DEAD_PID}')`,
    );
    mkdirSync(SPOOL_DIR, { recursive: true });
    const left = join(SPOOL_DIR, `upload-${DEAD_PID}-left-behind`);
    writeFileSync(left, 'licenseNumber\n');
    expect((await runs()).find((r) => r.id === id)?.outcome).toBe('RUNNING');
    // The next start (a second app on the same database) finds it.
    const next = await startApp({ shareDatabaseWith: t });
    try {
      const run = (await runs()).find((r) => r.id === id)!;
      expect(run.outcome).toBe('INTERRUPTED');
      expect(run.failure).toMatch(/stopped/);
      expect(run.finishedAt).not.toBeNull();
      expect(existsSync(left)).toBe(false);
    } finally {
      await next.close();
    }
  });

  it('an import whose worker process is killed mid-way is listed INTERRUPTED at once, and wrote nothing', async () => {
    const before = (await t.http.get('/api/v1/shipments?limit=1').expect(200)).body.total;
    const rows = Array.from({ length: 30_000 }, (_, i) => `RUN-1,KILL-${i},2022-03-01,AE,10,SMARTPHONE`);
    const sent = t.http.post('/api/v1/imports/shipments').set('Content-Type', 'text/csv').send(Buffer.from([HEADER, ...rows].join('\n'))).then((r) => r);
    let runner: string | undefined;
    for (let i = 0; i < 500 && !runner; i++) {
      const [row] = await writer.query("SELECT runner FROM imports WHERE outcome = 'RUNNING' AND runner LIKE $1".replace('$1', t.engine === 'postgres' ? '$1' : '?'), [`${hostname()}/%`]);
      runner = row?.runner;
      if (!runner) await new Promise((r) => setTimeout(r, 10));
    }
    expect(runner).toBeDefined();
    const pid = Number(runner!.split('/')[1]);
    expect(pid).not.toBe(process.pid);
    process.kill(pid, 'SIGKILL');
    expect((await sent).status).toBe(500);
    let run: Run | undefined;
    for (let i = 0; i < 100; i++) {
      run = (await runs())[0];
      if (run.outcome !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(run).toMatchObject({ outcome: 'INTERRUPTED', rowsCreated: 0 });
    expect((await t.http.get('/api/v1/shipments?limit=1').expect(200)).body.total).toBe(before);
    // The next import gets a new worker.
    await t.http.post('/api/v1/imports/shipments').set('Content-Type', 'text/csv').send(Buffer.from([HEADER, 'RUN-1,AFTER-KILL,2022-03-01,AE,10,SMARTPHONE'].join('\n'))).expect(201);
  });

  it('a running import is listed as RUNNING by a live process and left alone by another start', async () => {
    const id = '6f1c2a4e-0000-4000-8000-000000000002';
    await writer.query(
      `INSERT INTO imports (id, kind, mode, outcome, actor_id, file_name, file_sha256, rows_read, rows_valid, rows_created, rows_skipped, rows_failed, imeis_created, started_at, runner)
       VALUES ('${id}', 'shipments', 'commit', 'RUNNING', NULL, 'live.csv', '', 0, 0, 0, 0, 0, 0, '2026-01-01T00:00:01.000Z', '${hostname()}/${process.pid}')`,
    );
    const next = await startApp({ shareDatabaseWith: t });
    await next.close();
    expect((await runs()).find((r) => r.id === id)?.outcome).toBe('RUNNING');
  });
});
