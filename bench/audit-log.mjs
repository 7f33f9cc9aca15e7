// Benchmark: the transparency log. (1) Appends to the audit trail with the Merkle tree kept in the same
// transaction, against the hash chain alone (the tree's append switched off), in the same run, interleaved: one
// event per transaction (a staff write) and 1,000 per transaction (an import). (2) Proof latency over HTTP
// with a log of 1,000,000 events: inclusion and consistency proofs at random sizes and indexes, and the checkpoint.
//
//   npm run bench:log                                          # SQLite file /tmp/registry-log-bench.sqlite
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/registry_log_bench npm run bench:log
//   BENCH_EVENTS=200000 npm run bench:log                      # a smaller log
//   BENCH_ROUNDS=7 npm run bench:log                           # more rounds (PostgreSQL's commits vary a lot)
//
// Built code only (dist/); the log is made here and kept for the next run (delete the file / drop the database).
import 'reflect-metadata';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditService } from '../dist/src/audit/audit.service.js';
import { TransparencyLog } from '../dist/src/audit/log/transparency-log.js';
import { createApp } from '../dist/src/bootstrap.js';
import { loadConfig } from '../dist/src/config/config.js';
import { Transactions } from '../dist/src/database/transactions.js';
import { WRITER } from '../dist/src/database/writer.js';
import { tuneRuntime } from '../dist/src/runtime.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const ROUNDS = process.env.BENCH_ONLY === 'proofs' ? 0 : Number(process.env.BENCH_ROUNDS ?? 3); // BENCH_ONLY=proofs: the proofs only
const url = process.env.BENCH_DATABASE_URL ?? 'sqlite:/tmp/registry-log-bench.sqlite';
tuneRuntime();
const config = loadConfig({
  DATABASE_URL: url, SEED: 'false', LOG_LEVEL: 'error', JWT_SECRET: 'x'.repeat(32), PUBLIC_RATE_LIMIT: '100000000',
  LOG_SIGNING_KEY_FILE: '/tmp/registry-log-bench-key.pem', LOG_CHECKPOINT_DIR: '/tmp/registry-log-bench-checkpoints',
});
if (!(await import('node:fs')).existsSync('/tmp/registry-log-bench-key.pem')) (await import('../dist/src/audit/log/signing-key.js')).writeSigningKey('/tmp/registry-log-bench-key.pem');
const app = await createApp({ ...config, port: 0, host: '127.0.0.1' });
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${app.getHttpServer().address().port}`;
const audit = app.get(AuditService);
const tx = app.get(Transactions);
const log = app.get(TransparencyLog);
const appendToLog = audit.appendToLog;
const chainOnly = async () => {};

let made = 0;
const entries = (n) => Array.from({ length: n }, () => ({ action: 'company.updated', entityType: 'company', entityId: `bench-${made++}`, after: { n: made, name: 'Bench Devices (Private) Limited' } }));
const append = (n) => tx.run((m) => audit.recordMany(m, entries(n)));

/** Events a second, appending `total` events `perTx` at a time. */
async function rate(total, perTx) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < total; i += perTx) await append(perTx);
  return total / (Number(process.hrtime.bigint() - start) / 1e9);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

const ds = app.get(WRITER);
const pg = config.database.engine === 'postgres';
const { appendLeaves } = await import('../dist/src/audit/log/log-nodes.js');
/** The events appended with the tree switched off have no leaves: rebuilds the tree from the events (as the migration does). */
async function rebuildTree() {
  await ds.query(pg ? 'ALTER TABLE audit_log_nodes DISABLE TRIGGER USER' : 'DROP TRIGGER IF EXISTS audit_log_nodes_no_delete');
  await ds.query('DELETE FROM audit_log_nodes');
  for (let size = 0; ; ) {
    const rows = await ds.query(`SELECT hash FROM audit_events WHERE seq > ${pg ? '$1' : '?'} ORDER BY seq LIMIT 20000`, [size]);
    if (!rows.length) break;
    await appendLeaves((sql, params) => ds.query(sql, params), pg, size, rows.map((r) => Buffer.from(r.hash, 'hex')));
    size += rows.length;
  }
  if (pg) await ds.query('ALTER TABLE audit_log_nodes ENABLE TRIGGER USER');
}

// (1) Appends, interleaved (the order swapped each round).
const results = { single: { tree: [], chain: [] }, batch: { tree: [], chain: [] } };
for (let round = 0; round < ROUNDS; round++) {
  const modes = [['tree', appendToLog], ['chain', chainOnly]];
  for (const [mode, fn] of round % 2 ? modes.reverse() : modes) {
    audit.appendToLog = fn;
    results.single[mode].push(await rate(2000, 1));
    results.batch[mode].push(await rate(50_000, 1000));
    audit.appendToLog = appendToLog;
    if (mode === 'chain') await rebuildTree();
  }
}
await ds.query('DELETE FROM audit_log_checkpoints').catch(() => undefined);

// (2) Fill to EVENTS, then proofs over HTTP.
let size = await log.size();
const fillStart = Date.now();
while (size < EVENTS) {
  await append(Math.min(5000, EVENTS - size));
  size = await log.size();
}
if (Date.now() - fillStart > 1000) console.error(`filled the log to ${size} events in ${((Date.now() - fillStart) / 1000).toFixed(0)} s`);
await log.issue();
const timeGet = async (path) => {
  const start = process.hrtime.bigint();
  const res = await fetch(`${base}${path}`);
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
};
const rand = (n) => 1 + Math.floor(Math.random() * n);
const latencies = { inclusion: [], consistency: [], checkpoint: [] };
for (let i = 0; i < 50; i++) await timeGet(`/public/v1/log/proofs/inclusion?index=${rand(size) - 1}&treeSize=${size}`); // warm-up
for (let i = 0; i < 500; i++) {
  const to = rand(size);
  latencies.inclusion.push(await timeGet(`/public/v1/log/proofs/inclusion?index=${rand(to) - 1}&treeSize=${to}`));
  latencies.consistency.push(await timeGet(`/public/v1/log/proofs/consistency?from=${rand(to)}&to=${to}`));
  latencies.checkpoint.push(await timeGet('/public/v1/log/checkpoint'));
}
// The same proofs without HTTP: what the log itself costs.
const direct = { inclusion: [], consistency: [] };
for (let i = 0; i < 500; i++) {
  const to = rand(size);
  let start = process.hrtime.bigint();
  await log.inclusion(rand(to) - 1, to);
  direct.inclusion.push(Number(process.hrtime.bigint() - start) / 1e6);
  start = process.hrtime.bigint();
  await log.consistency(rand(to), to);
  direct.consistency.push(Number(process.hrtime.bigint() - start) / 1e6);
}
// With wrk on PATH: the same proofs from another process (1 connection, 5 s each), so the client's own work and
// garbage are not in the server's latency.
const byWrk = {};
const hasWrk = spawnSync('wrk', ['--version']).error === undefined;
if (hasWrk) {
  const lua = (path) => `math.randomseed(os.time())
request = function()
  local to = math.random(1, ${size})
  return wrk.format(nil, string.format("${path}", math.random(1, to) - 1, to))
end
`;
  const dir = mkdtempSync(join(tmpdir(), 'registry-log-bench-'));
  for (const [name, path] of [['inclusion', '/public/v1/log/proofs/inclusion?index=%d&treeSize=%d'], ['consistency', '/public/v1/log/proofs/consistency?from=%d&to=%d']]) {
    const script = join(dir, `${name}.lua`);
    writeFileSync(script, lua(path.replace('from=%d', 'from=%d').replace('index=%d', 'index=%d')).replace('math.random(1, to) - 1, to', name === 'consistency' ? 'math.random(1, to), to' : 'math.random(1, to) - 1, to'));
    const out = await new Promise((resolve, reject) => execFile('wrk', ['-t', '1', '-c', '1', '-d', '5s', '--latency', '-s', script, base], (e, stdout) => (e ? reject(e) : resolve(stdout))));
    const ms = (re) => {
      const m = re.exec(out);
      return m ? Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]] : NaN;
    };
    const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
    if (non2xx) throw new Error(`wrk ${name}: ${non2xx} answers were not 200`);
    byWrk[name] = { p50: ms(/^\s+50%\s+([\d.]+)(us|ms|s)\s*$/m), p99: ms(/^\s+99%\s+([\d.]+)(us|ms|s)\s*$/m), rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]) };
  }
}
const f = (x) => x.toFixed(x < 10 ? 2 : 0);
console.log(`engine ${config.database.engine}; log of ${size} events; ${ROUNDS} interleaved rounds, medians`);
console.log('| append | with the tree (events/s) | chain alone (events/s) | ratio |');
console.log('|---|---|---|---|');
for (const [name, label] of (ROUNDS ? [['single', 'one event a transaction (2,000)'], ['batch', '1,000 events a transaction (50,000)']] : [])) {
  const tree = median(results[name].tree);
  const chain = median(results[name].chain);
  console.log(`| ${label} | ${f(tree)} | ${f(chain)} | ${(tree / chain).toFixed(2)}x |`);
}
console.log(`| proof over HTTP, ${size} events (500 each) | p50 ms | p99 ms | max ms |`);
console.log('|---|---|---|---|');
for (const [name, xs] of Object.entries(latencies)) console.log(`| ${name} | ${f(pct(xs, 0.5))} | ${f(pct(xs, 0.99))} | ${f(Math.max(...xs))} |`);
for (const [name, r] of Object.entries(byWrk)) console.log(`| ${name}, wrk (1 connection, 5 s: ${r.rps.toFixed(0)} req/s) | ${f(r.p50)} | ${f(r.p99)} | |`);
for (const [name, xs] of Object.entries(direct)) console.log(`| ${name}, no HTTP (TransparencyLog) | ${f(pct(xs, 0.5))} | ${f(pct(xs, 0.99))} | ${f(Math.max(...xs))} |`);
await app.close();
