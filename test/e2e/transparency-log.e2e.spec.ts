import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditService, hashOf } from '../../src/audit/audit.service.js';
import type { AuditEvent } from '../../src/audit/audit-event.entity.js';
import { appendLeaves, TreeAppender } from '../../src/audit/log/log-nodes.js';
import { splitNotes } from '../../src/audit/log/signed-note.js';
import { TransparencyLog } from '../../src/audit/log/transparency-log.js';
import { runCli } from '../../src/cli/commands.js';
import { loadConfig } from '../../src/config/config.js';
import { Transactions } from '../../src/database/transactions.js';
import { WRITER } from '../../src/database/writer.js';
import { startApp, type TestApp, testLogEnv } from '../support/app.js';
import { event, expectStatus, makeLicense } from '../support/factories.js';
import { mth, rfcVerifyConsistency, rfcVerifyInclusion, sha256 } from '../support/rfc9162.js';

const b64 = (s: string) => Buffer.from(s, 'base64');

/** Appends `n` audit events at once (as a CSV import does). */
async function addEvents(t: TestApp, n: number, from = 0): Promise<void> {
  const entries = Array.from({ length: n }, (_, i) => ({ action: 'company.updated', entityType: 'company' as const, entityId: `company-${from + i}`, after: { n: from + i } }));
  await t.app.get(Transactions).run((m) => t.app.get(AuditService).recordMany(m, entries));
}

/** The stored chain hash of every event, in seq order: the leaf data of the log. */
async function leafData(t: TestApp): Promise<Buffer[]> {
  const rows: { hash: string }[] = await t.app.get<DataSource>(WRITER).query('SELECT hash FROM audit_events ORDER BY seq');
  return rows.map((r) => Buffer.from(r.hash, 'hex'));
}

/** The checkpoint's parts, its signature checked here with Node's Ed25519 and the key id computed here (C2SP signed-note). */
function openIndependently(note: string, key: { name: string; verifierKey: string; publicKeyPem: string }): { origin: string; size: number; root: Buffer } {
  const [text, signatures] = [note.slice(0, note.indexOf('\n\n') + 1), note.slice(note.indexOf('\n\n') + 2)];
  const m = /^— (\S+) (\S+)\n$/u.exec(signatures);
  expect(m, signatures).not.toBeNull();
  expect(m![1]).toBe(key.name);
  const blob = b64(m![2]);
  const publicKey = createPublicKey(key.publicKeyPem);
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
  const id = createHash('sha256').update(`${key.name}\n`).update(Buffer.from([1])).update(raw).digest().subarray(0, 4);
  expect(blob.subarray(0, 4)).toEqual(id);
  expect(key.verifierKey).toBe(`${key.name}+${id.toString('hex')}+${Buffer.concat([Buffer.from([1]), raw]).toString('base64')}`);
  expect(verifySignature(null, Buffer.from(text), publicKey, blob.subarray(4))).toBe(true);
  const [origin, size, root] = text.split('\n');
  return { origin, size: Number(size), root: b64(root) };
}

/** What an attacker with the database does once the append-only triggers are out of the way. */
async function withoutTriggers(t: TestApp, work: (db: DataSource) => Promise<void>): Promise<void> {
  const db = t.app.get<DataSource>(WRITER);
  const tables = ['audit_events', 'audit_log_nodes', 'audit_log_checkpoints'];
  if (t.engine === 'postgres') {
    for (const table of tables) await db.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
  } else {
    for (const table of tables) for (const op of ['update', 'delete']) await db.query(`DROP TRIGGER IF EXISTS ${table}_no_${op}`);
  }
  await work(db);
}

/** Rewrites events from `first` on as a careful attacker would: every hash recomputed, the chain intact again, and the stored tree rebuilt to match. */
async function rehashFrom(t: TestApp, db: DataSource, first: number): Promise<void> {
  const postgres = t.engine === 'postgres';
  const events = await db.getRepository<AuditEvent>('AuditEvent').find({ order: { seq: 'ASC' } });
  let prevHash = first === 1 ? '0'.repeat(64) : events.find((e) => e.seq === first - 1)!.hash;
  for (const e of events.filter((x) => x.seq >= first)) {
    const hash = hashOf({ ...e, prevHash });
    await db.query(`UPDATE audit_events SET prev_hash = ${postgres ? '$1' : '?'}, hash = ${postgres ? '$2' : '?'} WHERE seq = ${postgres ? '$3' : '?'}`, [prevHash, hash, e.seq]);
    prevHash = hash;
  }
  await db.query('DELETE FROM audit_log_nodes');
  await appendLeaves((sql, params) => db.query(sql, params), postgres, 0, await leafData(t));
}

describe('transparency log: checkpoints and proofs', () => {
  let t: TestApp;
  let key: { name: string; verifierKey: string; publicKeyPem: string };
  beforeAll(async () => {
    t = await startApp();
    key = (await t.anon.get('/public/v1/log/key').expect(200)).body;
  });
  afterAll(() => t?.close());

  it('has no checkpoint before the first is issued (404), then a signed checkpoint of every event, text/plain', async () => {
    await t.anon.get('/public/v1/log/checkpoint').expect(404).expect('content-type', /problem\+json/);
    await addEvents(t, 30);
    const issued = await t.app.get(TransparencyLog).issue();
    const res = await t.anon.get('/public/v1/log/checkpoint').expect(200).expect('content-type', 'text/plain; charset=utf-8');
    expect(res.text).toBe(issued!.note);
    const c = openIndependently(res.text, key);
    const leaves = await leafData(t);
    expect(c).toEqual({ origin: 'registry.test/audit', size: leaves.length, root: mth(leaves) });
    expect(key.name).toBe('registry.test/audit');
    // Nothing new: no new checkpoint; the file holds each checkpoint once.
    await t.app.get(TransparencyLog).issue();
    expect(readFileSync(join(t.checkpointDir, 'checkpoints'), 'utf8')).toBe(res.text);
  });

  it('staff audit items carry their log index (seq - 1) and every inclusion proof checks out against the checkpoint', async () => {
    const c = openIndependently((await t.anon.get('/public/v1/log/checkpoint').expect(200)).text, key);
    const items = (await t.http.get(`/api/v1/audit?sort=seq&limit=100`).expect(200)).body.items;
    expect(items.length).toBe(c.size);
    for (const item of items) {
      expect(item.logIndex).toBe(item.seq - 1);
      const proof = (await t.anon.get(`/public/v1/log/proofs/inclusion?index=${item.logIndex}&treeSize=${c.size}`).expect(200)).body;
      const leaf = sha256(Buffer.from([0]), Buffer.from(item.hash, 'hex'));
      expect(proof).toMatchObject({ index: item.logIndex, treeSize: c.size, leafHash: leaf.toString('base64'), rootHash: c.root.toString('base64') });
      expect(rfcVerifyInclusion(item.logIndex, c.size, leaf, proof.hashes.map(b64), c.root)).toBe(true);
    }
  });

  it('every consistency proof between tree sizes 1..33 checks out, and random ones in a log of 3,000 events', async () => {
    const leaves = await leafData(t);
    for (let to = 1; to <= leaves.length; to++) {
      for (let from = 1; from <= to; from++) {
        const proof = (await t.anon.get(`/public/v1/log/proofs/consistency?from=${from}&to=${to}`).expect(200)).body;
        expect(proof).toMatchObject({ from, to, fromRoot: mth(leaves.slice(0, from)).toString('base64'), toRoot: mth(leaves.slice(0, to)).toString('base64') });
        if (from < to) expect(rfcVerifyConsistency(from, to, b64(proof.fromRoot), b64(proof.toRoot), proof.hashes.map(b64)), `${from} -> ${to}`).toBe(true);
        else expect(proof.hashes).toEqual([]);
      }
    }
    await addEvents(t, 3000 - leaves.length, 100);
    const all = await leafData(t);
    const roots = new Map<number, Buffer>();
    const root = (n: number) => roots.get(n) ?? roots.set(n, mth(all.slice(0, n))).get(n)!;
    for (let i = 0; i < 40; i++) {
      const to = 1 + Math.floor(Math.random() * all.length);
      const from = 1 + Math.floor(Math.random() * to);
      const index = Math.floor(Math.random() * to);
      const consistency = (await t.anon.get(`/public/v1/log/proofs/consistency?from=${from}&to=${to}`).expect(200)).body;
      if (from < to) expect(rfcVerifyConsistency(from, to, root(from), root(to), consistency.hashes.map(b64))).toBe(true);
      const inclusion = (await t.anon.get(`/public/v1/log/proofs/inclusion?index=${index}&treeSize=${to}`).expect(200)).body;
      expect(rfcVerifyInclusion(index, to, sha256(Buffer.from([0]), all[index]), inclusion.hashes.map(b64), root(to))).toBe(true);
    }
  });

  it('refuses indexes and sizes outside the log with 400 naming the field, never 500', async () => {
    const size = (await leafData(t)).length;
    const cases: [string, string][] = [
      [`index=${size}&treeSize=${size}`, 'index'],
      [`index=0&treeSize=${size + 1}`, 'treeSize'],
      ['index=0&treeSize=0', 'treeSize'],
      ['index=-1&treeSize=5', 'index'],
      ['index=1.5&treeSize=5', 'index'],
      ['index=1e3&treeSize=5000', 'index'],
      ['treeSize=5', 'index'],
      ['index=0&treeSize=99999999999999999999', 'treeSize'],
    ];
    for (const [query, field] of cases) {
      const res = await t.anon.get(`/public/v1/log/proofs/inclusion?${query}`).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field), query).toContain(field);
    }
    for (const [query, field] of [[`from=5&to=4`, 'from'], [`from=0&to=4`, 'from'], [`from=1&to=${size + 1}`, 'to'], ['from=a&to=4', 'from']]) {
      const res = await t.anon.get(`/public/v1/log/proofs/consistency?${query}`).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field), query).toContain(field);
    }
  });

  it('audit verify rebuilds the tree and checks it against every checkpoint: ok while nothing was changed', async () => {
    await t.app.get(TransparencyLog).issue();
    const result = (await t.http.get('/api/v1/audit/verify').expect(200)).body;
    expect(result).toMatchObject({ ok: true, failuresTotal: 0, checkpointsChecked: 2, rootHash: mth(await leafData(t)).toString('base64') });
  });
});

describe('transparency log: rewriting history is caught', () => {
  let t: TestApp;
  const verify = async () => (await t.http.get('/api/v1/audit/verify').expect(200)).body;

  /** A registry with 3 staff events and 20 more, checkpoints at 13 and 23, and 5 events after the last checkpoint. */
  async function history(): Promise<void> {
    await t?.close();
    t = await startApp();
    await addEvents(t, 10);
    await t.app.get(TransparencyLog).issue();
    await addEvents(t, 10, 10);
    await t.app.get(TransparencyLog).issue();
    await addEvents(t, 5, 20);
    expect((await t.app.get(TransparencyLog).all()).map((c) => c.size)).toEqual([13, 23]);
    expect(await verify()).toMatchObject({ ok: true, checkpointsChecked: 2 });
  }
  afterAll(() => t?.close());

  it('deleting the newest events (and their tree nodes) contradicts the checkpoint they were in, and the log will not sign again', async () => {
    await history();
    await withoutTriggers(t, async (db) => {
      await db.query('DELETE FROM audit_events WHERE seq > 20');
      await db.query('DELETE FROM audit_log_nodes');
      await appendLeaves((sql, params) => db.query(sql, params), t.engine === 'postgres', 0, await leafData(t));
    });
    const result = await verify();
    expect(result).toMatchObject({ ok: false, length: 20, failedAt: 21, failuresTotal: 1 });
    expect(result.problem).toBe('the log has 20 events but the checkpoint of size 23 (database, checkpoint file) was signed over 23: events were removed, at least 21..23 (the checkpoint of size 13 still matches: the events after it may have been replaced too)');
    expect(await t.app.get(TransparencyLog).issue()).toBeNull();
    expect(t.app.get(TransparencyLog).refused).toMatch(/the log has 20 events, fewer than the 23 of the checkpoint of that size in the (database|checkpoint file)/);
  });

  it('rewriting one event and rehashing every later one (chain and tree rebuilt) contradicts each checkpoint after it', async () => {
    await history();
    await withoutTriggers(t, async (db) => {
      await db.query(`UPDATE audit_events SET reason = 'never happened' WHERE seq = 17`);
      await rehashFrom(t, db, 17);
    });
    const result = await verify();
    expect(result).toMatchObject({ ok: false, length: 28, failedAt: 23, failuresTotal: 1 });
    expect(result.problem).toBe(
      'the tree of events 1..23 does not have the root signed in the checkpoint of size 23 (database, checkpoint file): events up to 23 were changed, rehashed or renumbered after it was signed; the checkpoint of size 13 (database, checkpoint file) still matches, so the change is in events 14..23',
    );
    expect(await t.app.get(TransparencyLog).issue()).toBeNull();
    expect(t.app.get(TransparencyLog).refused).toMatch(/no longer has the root signed in the checkpoint of that size/);
  });

  it('deleting an event and renumbering the rest is caught; so is it when the database checkpoints are deleted too (the file keeps them)', async () => {
    await history();
    await withoutTriggers(t, async (db) => {
      await db.query('DELETE FROM audit_events WHERE seq = 5');
      await db.query('UPDATE audit_events SET seq = seq - 1 WHERE seq > 5');
      await rehashFrom(t, db, 5);
      await db.query('DELETE FROM audit_log_checkpoints');
    });
    const result = await verify();
    expect(result).toMatchObject({ ok: false, length: 27, failedAt: 13, failuresTotal: 2 });
    expect(result.failures.map((f: { problem: string }) => f.problem)).toEqual([
      expect.stringMatching(/^the tree of events 1..13 does not have the root signed in the checkpoint of size 13 \(checkpoint file\)/),
      expect.stringMatching(/^the tree of events 1..23 does not have the root signed in the checkpoint of size 23 \(checkpoint file\)/),
    ]);
  });

  it('a forged checkpoint in the database (not signed by the log\'s key) is a failure', async () => {
    await history();
    await withoutTriggers(t, async (db) => {
      const p = t.engine === 'postgres' ? ['$1', '$2'] : ['?', '?'];
      const forged = readFileSync(join(t.checkpointDir, 'checkpoints'), 'utf8').split('\n\n')[0].replace('\n13\n', '\n28\n');
      await db.query(`INSERT INTO audit_log_checkpoints (tree_size, root_hash, issued_at, note) VALUES (28, ${p[0]}, '2026-01-01T00:00:00.000Z', ${p[1]})`, ['AAAA', `${forged}\n\n— registry.test/audit AAAAAAAA\n`]);
    });
    const result = await verify();
    expect(result).toMatchObject({ ok: false, failedAt: 28, failuresTotal: 1 });
    expect(result.problem).toMatch(/^a checkpoint \(database, size 28\) does not verify: the note has no signature by registry.test\/audit/);
  });
});

describe('audit:verify --checkpoint FILE', () => {
  it('checks the log against a checkpoint kept elsewhere', async () => {
    const t = await startApp();
    try {
      await addEvents(t, 8);
      const kept = (await t.app.get(TransparencyLog).issue())!.note;
      const file = join(t.checkpointDir, 'kept-by-an-auditor');
      writeFileSync(file, kept);
      expect(await t.app.get(AuditService).verify({ checkpoints: [{ source: file, note: kept }] })).toMatchObject({ ok: true, checkpointsChecked: 1 });
      await withoutTriggers(t, async (db) => {
        await db.query('DELETE FROM audit_events WHERE seq > 9');
        await db.query('DELETE FROM audit_log_checkpoints');
        writeFileSync(join(t.checkpointDir, 'checkpoints'), '');
      });
      const result = await t.app.get(AuditService).verify({ checkpoints: [{ source: file, note: kept }] });
      expect(result).toMatchObject({ ok: false, failedAt: 10 });
      expect(result.problem).toBe(`the log has 9 events but the checkpoint of size 11 (${file}) was signed over 11: events were removed, at least 10..11`);
    } finally {
      await t.close();
    }
  });
});

describe('npm run cli -- log:witness', () => {
  let t: TestApp;
  let url: string;
  let state: string;
  const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), write: (l: string) => out.push(l), err: (l: string) => err.push(l), readSecret: async () => '' };
    const code = await runCli(args, loadConfig({ LOG_LEVEL: 'silent', ...testLogEnv() }), io);
    return { code, out, err };
  };
  const witnessRun = () => run(['log:witness', '--url', url, '--state', state]);
  beforeAll(async () => {
    t = await startApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    state = mkdtempSync(join(tmpdir(), 'lr_witness_'));
  });
  afterAll(async () => {
    await t?.close();
    rmSync(state, { recursive: true, force: true });
  });

  it('keeps the key and the first checkpoint, then accepts a log that grew consistently', async () => {
    await addEvents(t, 12);
    await t.app.get(TransparencyLog).issue();
    expect(await witnessRun()).toMatchObject({ code: 0, out: [expect.stringMatching(/^ok: registry.test\/audit has 15 events; first checkpoint kept, key kept: registry.test\/audit\+[0-9a-f]{8}\+/)] });
    expect(await witnessRun()).toMatchObject({ code: 0, out: ['ok: registry.test/audit still has 15 events, the same root as the checkpoint kept here'] });
    await addEvents(t, 9, 100);
    await t.app.get(TransparencyLog).issue();
    expect(await witnessRun()).toMatchObject({ code: 0, out: ['ok: registry.test/audit grew from 15 to 24 events, consistent with the checkpoint kept here'] });
    expect(splitNotes(readFileSync(join(state, 'checkpoints'), 'utf8')).length).toBe(3);
  });

  it('fails when the history was rewritten and signed again (the registry had lost its checkpoints), and keeps nothing from that run', async () => {
    const kept = readFileSync(join(state, 'checkpoint'), 'utf8');
    await withoutTriggers(t, async (db) => {
      await db.query(`UPDATE audit_events SET reason = 'rewritten' WHERE seq = 7`);
      await rehashFrom(t, db, 7);
      await db.query('DELETE FROM audit_log_checkpoints');
      writeFileSync(join(t.checkpointDir, 'checkpoints'), ''); // and the file outside the database
    });
    await addEvents(t, 2, 200);
    expect(await t.app.get(TransparencyLog).issue()).toMatchObject({ size: 26 }); // nothing left to compare with: signed
    const result = await witnessRun();
    expect(result).toMatchObject({ code: 1, err: ['FAILED: the log is not consistent with the checkpoint kept here: the tree of 26 events does not extend the tree of 24 events (its past was rewritten)'] });
    expect(readFileSync(join(state, 'checkpoint'), 'utf8')).toBe(kept);
    // The auditor's checkpoints, given to audit:verify, name what was changed.
    const verify = await t.app.get(AuditService).verify({ checkpoints: splitNotes(readFileSync(join(state, 'checkpoints'), 'utf8')).map((note) => ({ source: 'witness', note })) });
    expect(verify).toMatchObject({ ok: false, failedAt: 15 });
  });

  it('fails when the newest events were deleted, or one deleted and the rest renumbered, and signed again', async () => {
    for (const attack of ['delete the newest', 'renumber'] as const) {
      const other = await startApp();
      try {
        await other.app.listen({ port: 0, host: '127.0.0.1' });
        const otherUrl = `http://127.0.0.1:${(other.app.getHttpServer().address() as AddressInfo).port}`;
        const otherState = mkdtempSync(join(tmpdir(), 'lr_witness_'));
        await addEvents(other, 10);
        await other.app.get(TransparencyLog).issue();
        expect((await run(['log:witness', '--url', otherUrl, '--state', otherState])).code).toBe(0);
        await withoutTriggers(other, async (db) => {
          if (attack === 'delete the newest') {
            await db.query('DELETE FROM audit_events WHERE seq > 10');
            await db.query('DELETE FROM audit_log_nodes');
            await appendLeaves((sql, params) => db.query(sql, params), other.engine === 'postgres', 0, await leafData(other));
          } else {
            await db.query('DELETE FROM audit_events WHERE seq = 4');
            await db.query('UPDATE audit_events SET seq = seq - 1 WHERE seq > 4');
            await rehashFrom(other, db, 4);
            await addEvents(other, 3, 300); // the log is longer than before
          }
          await db.query('DELETE FROM audit_log_checkpoints');
          writeFileSync(join(other.checkpointDir, 'checkpoints'), '');
        });
        await other.app.get(TransparencyLog).issue();
        const result = await run(['log:witness', '--url', otherUrl, '--state', otherState]);
        expect(result.code, attack).toBe(1);
        expect(result.err[0], attack).toMatch(
          attack === 'delete the newest' ? /^FAILED: the log shrank: it now has 10 events, the checkpoint kept here has 13$/ : /^FAILED: the log is not consistent with the checkpoint kept here: the tree of 15 events does not extend the tree of 13 events/,
        );
        rmSync(otherState, { recursive: true, force: true });
      } finally {
        await other.close();
      }
    }
  });

  it('fails on a checkpoint that does not verify with the key it kept, and on a changed key', async () => {
    const proxy = createServer((req, res) => {
      void fetch(`${url}${req.url}`).then(async (r) => {
        const body = await r.text();
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'text/plain' });
        res.end(req.url === '/public/v1/log/checkpoint' ? body.replace(/\n\d+\n/, '\n999\n') : body);
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const proxied = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const result = await run(['log:witness', '--url', proxied, '--state', state]);
      expect(result).toMatchObject({ code: 1, err: ['FAILED: the checkpoint does not verify with the log\'s key: the signature by registry.test/audit does not verify'] });
    } finally {
      proxy.close();
    }
    writeFileSync(join(state, 'key'), 'registry.test/audit+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\n');
    expect(await witnessRun()).toMatchObject({ code: 1, err: [expect.stringMatching(/^FAILED: the log's key changed: kept registry.test\/audit\+c74f20a3.*witness it from a new --state directory/)] });
    expect(await run(['log:witness', '--url', 'http://127.0.0.1:9', '--state', state])).toMatchObject({ code: 1, err: [expect.stringMatching(/^FAILED: could not reach http:\/\/127.0.0.1:9\/public\/v1\/log\/key/)] });
  });

  it('fails when the registry serves a checkpoint it can no longer prove (newest events deleted, or its tree changed), with the registry\'s reason', async () => {
    const other = await startApp();
    try {
      await other.app.listen({ port: 0, host: '127.0.0.1' });
      const otherUrl = `http://127.0.0.1:${(other.app.getHttpServer().address() as AddressInfo).port}`;
      const otherState = mkdtempSync(join(tmpdir(), 'lr_witness_'));
      await addEvents(other, 37);
      await other.app.get(TransparencyLog).issue();
      expect((await run(['log:witness', '--url', otherUrl, '--state', otherState])).code).toBe(0);
      await withoutTriggers(other, async (db) => {
        const p = other.engine === 'postgres' ? '$1' : '?';
        await db.query(`UPDATE audit_log_nodes SET hash = ${p} WHERE node_id = ${1 * 64 + 4}`, [Buffer.alloc(32, 7)]); // level 4, index 1: events 17..32
      });
      const changed = await run(['log:witness', '--url', otherUrl, '--state', otherState]);
      expect(changed).toMatchObject({ code: 1, err: ['FAILED: the log cannot prove its own checkpoint: the inclusion proof of event 40 does not lead to the signed root of 40 events (its tree was changed)'] });
      await withoutTriggers(other, async (db) => {
        await db.query('DELETE FROM audit_events WHERE seq > 38');
      });
      const deleted = await run(['log:witness', '--url', otherUrl, '--state', otherState]);
      expect(deleted.code).toBe(1);
      expect(deleted.err[0]).toMatch(/^FAILED: http:.*\/public\/v1\/log\/proofs\/inclusion\?index=39&treeSize=40 answered 400: OUTSIDE_LOG: treeSize must be at most the log's size, 38 events; got 40$/);
      rmSync(otherState, { recursive: true, force: true });
    } finally {
      await other.close();
    }
  });

  it('log:keygen writes a key once and prints its verifier key; audit:verify --checkpoint reads a witness file', async () => {
    const file = join(state, 'new-key.pem');
    const first = await run(['log:keygen', file]);
    expect(first.code).toBe(0);
    expect(first.out[0]).toMatch(new RegExp(`^Wrote ${file}; its verifier key for LOG_ORIGIN=.+: .+\\+[0-9a-f]{8}\\+`));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await run(['log:keygen', file])).toMatchObject({ code: 1, err: [`${file} already exists: not replaced`] });
    expect((await run(['audit:verify', '--checkpoint', join(state, 'no-such-file')])).code).toBe(2);
  });
});

describe('checkpoints are issued at start and after writes, at most one a second', () => {
  it('issues one at once, then one within about a second of new events, and none while nothing changes', async () => {
    const t = await startApp();
    try {
      const log = t.app.get(TransparencyLog);
      log.startIssuing();
      await expect.poll(async () => (await log.latest())?.size, { timeout: 5000 }).toBe(3);
      await addEvents(t, 4);
      const asked = Date.now();
      await expect.poll(async () => (await log.latest())?.size, { timeout: 5000, interval: 50 }).toBe(7);
      expect(Date.now() - asked).toBeLessThan(2500);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect((await log.all()).map((c) => c.size)).toEqual([3, 7]);
    } finally {
      await t.close();
    }
  });
});

describe('the tree stays right when appends are rolled back or come from another instance', () => {
  it('a rolled-back append leaves no trace in the tree; the next append reads the frontier again', async () => {
    const t = await startApp();
    try {
      await addEvents(t, 5);
      const failing = t.app.get(Transactions).run(async (m) => {
        await t.app.get(AuditService).recordMany(m, Array.from({ length: 7 }, (_, i) => ({ action: 'company.updated', entityType: 'company' as const, entityId: `rolled-back-${i}` })));
        throw new Error('the write fails after its audit events');
      });
      await expect(failing).rejects.toThrow(/fails after/);
      for (let i = 0; i < 20; i++) await addEvents(t, 1 + (i % 3), 1000 + i * 10);
      const leaves = await leafData(t);
      expect(await t.app.get(TransparencyLog).root(leaves.length)).toEqual(mth(leaves));
      expect((await t.http.get('/api/v1/audit/verify').expect(200)).body).toMatchObject({ ok: true });
    } finally {
      await t.close();
    }
  });

  it.runIf(process.env.TEST_DATABASE_URL?.startsWith('postgres'))('two instances appending in turn to one PostgreSQL database keep one tree', async () => {
    const a = await startApp();
    const b = await startApp({ shareDatabaseWith: a });
    try {
      for (let i = 0; i < 12; i++) await addEvents(i % 2 ? b : a, 1 + (i % 5), i * 10);
      await Promise.all(Array.from({ length: 10 }, (_, i) => addEvents(i % 2 ? b : a, 3, 500 + i * 10)));
      const leaves = await leafData(a);
      expect(await a.app.get(TransparencyLog).root(leaves.length)).toEqual(mth(leaves));
      expect((await b.http.get('/api/v1/audit/verify').expect(200)).body).toMatchObject({ ok: true, length: leaves.length });
    } finally {
      await b.close();
      await a.close();
    }
  });
});

describe('the public fast path does not keep log answers', () => {
  it('a new checkpoint is served at once, though no public data changed (staff events move no data version)', async () => {
    const t = await startApp();
    try {
      const staffEvents = (n: number) =>
        t.app.get(Transactions).run((m) => t.app.get(AuditService).recordMany(m, Array.from({ length: n }, (_, i) => ({ action: 'staff.updated', entityType: 'staff' as const, entityId: `staff-${i}` }))));
      await t.app.get(TransparencyLog).issue();
      const first = await t.anon.get('/public/v1/log/checkpoint').expect(200);
      expect(first.text.split('\n')[1]).toBe('3');
      await t.anon.get('/public/v1/log/proofs/inclusion?index=3&treeSize=4').expect(400);
      await staffEvents(2);
      await t.app.get(TransparencyLog).issue();
      const second = await t.anon.get('/public/v1/log/checkpoint').set('If-None-Match', first.headers.etag ?? '"none"').expect(200);
      expect(second.text.split('\n')[1]).toBe('5');
      await t.anon.get('/public/v1/log/proofs/inclusion?index=3&treeSize=4').expect(200);
    } finally {
      await t.close();
    }
  });
});

describe('the registry never signs over what it signed before, and says why', () => {
  it('database checkpoints deleted and history rewritten: the checkpoint file still holds the last one, so no second signature (no fork)', async () => {
    const t = await startApp();
    try {
      await addEvents(t, 10);
      const first = await t.app.get(TransparencyLog).issue();
      await withoutTriggers(t, async (db) => {
        await db.query(`UPDATE audit_events SET reason = 'rewritten' WHERE seq = 4`);
        await rehashFrom(t, db, 4);
        await db.query('DELETE FROM audit_log_checkpoints');
      });
      expect(await t.app.get(TransparencyLog).issue()).toBeNull();
      expect(t.app.get(TransparencyLog).refused).toMatch(/the stored tree of the first 13 events no longer has the root signed in the checkpoint of that size in the checkpoint file/);
      // Still serving, and saying so: /health is 200 with the log degraded and why.
      const health = (await t.anon.get('/health').expect(200)).body;
      expect(health).toMatchObject({ status: 'degraded', details: { database: { status: 'up' }, transparencyLog: { status: 'degraded', signing: false, problem: t.app.get(TransparencyLog).refused } } });
      expect(readFileSync(join(t.checkpointDir, 'checkpoints'), 'utf8')).toBe(first!.note);
      // Edited unsigned columns do not count: only what was signed.
      await withoutTriggers(t, async (db) => {
        const p = t.engine === 'postgres' ? ['$1', '$2'] : ['?', '?'];
        await db.query(`INSERT INTO audit_log_checkpoints (tree_size, root_hash, issued_at, note) VALUES (13, ${p[0]}, '2026-01-01T00:00:00.000Z', ${p[1]})`, [mth(await leafData(t)).toString('base64'), first!.note]);
      });
      expect(await t.app.get(TransparencyLog).issue()).toBeNull();
      expect(t.app.get(TransparencyLog).refused).toMatch(/no longer has the root signed in the checkpoint of that size in the database/);
    } finally {
      await t.close();
    }
  });

  it('a row that is not a checkpoint of this log is never served; a damaged tree answers 503 LOG_DAMAGED, for proofs and writes', async () => {
    const t = await startApp();
    try {
      await addEvents(t, 40);
      const good = await t.app.get(TransparencyLog).issue();
      await withoutTriggers(t, async (db) => {
        await db.query(`INSERT INTO audit_log_checkpoints (tree_size, root_hash, issued_at, note) VALUES (1000, 'AAAA', '2026-01-01T00:00:00.000Z', 'garbage')`);
      });
      expect((await t.anon.get('/public/v1/log/checkpoint').expect(200)).text).toBe(good!.note);
      await withoutTriggers(t, async (db) => {
        await db.query(`DELETE FROM audit_log_nodes WHERE node_id = ${1 * 64 + 4}`); // level 4, index 1: events 17..32
      });
      const proof = await t.anon.get('/public/v1/log/proofs/inclusion?index=20&treeSize=43').expect(503);
      expect(proof.body).toMatchObject({ code: 'LOG_DAMAGED' });
      expect(proof.headers['cache-control'] ?? '').not.toMatch(/immutable/);
      // As after a restart: the tree's edge is read from the database again.
      (t.app.get(AuditService) as unknown as { tree: TreeAppender }).tree = new TreeAppender();
      const write = await t.http.post('/api/v1/companies').send({ legalName: 'After The Damage Ltd' });
      expect(write.status, JSON.stringify(write.body)).toBe(503);
      expect(write.body).toMatchObject({ code: 'LOG_DAMAGED' });
      expect((await t.http.get('/api/v1/companies?q=after%20the%20damage').expect(200)).body.total).toBe(0);
      expect(await t.app.get(TransparencyLog).issue()).toBeNull();
      expect(t.app.get(TransparencyLog).refused).toMatch(/no node at level 4, index 1/);
      const ok = await t.anon.get('/public/v1/log/proofs/inclusion?index=2&treeSize=3').expect(200);
      expect(ok.headers['cache-control']).toMatch(/immutable/);
    } finally {
      await t.close();
    }
  });

  it('verify reports an event whose time was rewritten as the same instant (moving it between days) or as no time, and a record that is not JSON; nothing answers 500', async () => {
    const t = await startApp();
    try {
      await addEvents(t, 5);
      await withoutTriggers(t, async (db) => {
        const [{ occurred_at }] = await db.query('SELECT occurred_at FROM audit_events WHERE seq = 4');
        const instant = new Date(occurred_at);
        const shifted = new Date(instant.getTime() + 23 * 3600_000 + 59 * 60_000).toISOString().replace('Z', '+23:59');
        expect(new Date(shifted).getTime()).toBe(instant.getTime());
        await db.query(`UPDATE audit_events SET occurred_at = '${shifted}' WHERE seq = 4`);
        await db.query(`UPDATE audit_events SET occurred_at = 'not a date' WHERE seq = 6`);
        await db.query(`UPDATE audit_events SET after = '{' WHERE seq = 7`);
      });
      const result = (await t.http.get('/api/v1/audit/verify').expect(200)).body;
      expect(result).toMatchObject({ ok: false, failuresTotal: 3 });
      expect(result.failures).toEqual([
        { seq: 4, kind: 'chain', problem: expect.stringMatching(/^occurred_at ".*\+23:59" is not stored as written \(.*Z\): the event was changed after it was written$/) },
        { seq: 6, kind: 'chain', problem: 'occurred_at "not a date" is not a time: the event was changed after it was written' },
        { seq: 7, kind: 'chain', problem: 'hash does not match the event: it was changed after it was written' },
      ]);
      const listed = (await t.http.get('/api/v1/audit?sort=seq&limit=10').expect(200)).body.items;
      expect(listed.find((e: { seq: number }) => e.seq === 7).after).toBe('{');
    } finally {
      await t.close();
    }
  });
});

describe('the register against the trail', () => {
  it('a lifecycle event deleted from the register (the license then looks valid), or moved to another license, is reported at its audit record', async () => {
    const t = await startApp();
    try {
      const license = await makeLicense(t, { issuedOn: '2021-04-09' });
      const other = await makeLicense(t, { issuedOn: '2021-05-01' });
      await expectStatus(event(t, license.id, 'SUSPENDED', '2022-03-01', { reason: 'Show-cause notice unanswered' }), 201);
      expect((await t.http.get('/api/v1/audit/verify').expect(200)).body).toMatchObject({ ok: true });
      const record = (await t.http.get(`/api/v1/audit?entityType=license&entityId=${license.id}&action=license.suspended`).expect(200)).body.items[0];
      await withoutTriggers(t, async (db) => {
        await db.query(`DELETE FROM license_events WHERE type = 'SUSPENDED'`);
      });
      expect((await t.anon.get(`/public/v1/licenses/${license.licenseNumber}?on=2022-06-01`).expect(200)).body).toMatchObject({ status: 'ACTIVE' });
      const result = (await t.http.get('/api/v1/audit/verify').expect(200)).body;
      expect(result).toMatchObject({ ok: false, failuresTotal: 1, failedAt: record.seq });
      expect(result.failures).toEqual([
        { seq: record.seq, kind: 'register', problem: `the register has no license event for this audit record (license.suspended of license ${license.id}): it was removed from license_events` },
      ]);
      const otherGrant = (await t.http.get(`/api/v1/audit?entityType=license&entityId=${other.id}&action=license.granted`).expect(200)).body.items[0];
      const [p1, p2] = t.engine === 'postgres' ? ['$1', '$2'] : ['?', '?'];
      await t.app.get<DataSource>(WRITER).query(`UPDATE license_events SET audit_seq = ${p1} WHERE license_id = ${p2} AND type = 'GRANTED'`, [otherGrant.seq, license.id]);
      const moved = (await t.http.get('/api/v1/audit/verify').expect(200)).body;
      expect(moved.failures.map((f: { problem: string }) => f.problem)).toContainEqual(`the license event GRANTED of license ${license.id} names this audit record, which is license.granted of license ${other.id}: the register was changed`);
    } finally {
      await t.close();
    }
  });
});
