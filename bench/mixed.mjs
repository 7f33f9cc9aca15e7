// Benchmark: public reads while the registry writes. The registry (built code, dist/) on a fresh database with
// the reference data answers two public requests under steady load, first idle, then while a 100,000-row CSV
// import commits and 20 staff writes run; p50/p99 and errors of each, side by side.
//
//   npm run build && node bench/mixed.mjs                       # SQLite file /tmp/registry-bench-mixed.sqlite
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/registry_bench_mixed node bench/mixed.mjs
//   BENCH_ROWS=20000 node bench/mixed.mjs                       # a smaller import
//
// Load (wrk, one process per request, -t1, BENCH_CONNECTIONS/2 connections each, 50 in all): each connection
// waits BENCH_PACE_MS (default 25) after each answer, so the offered load stays below what the server can
// answer and latency shows the server's own delay, not a queue that the load generator made:
//   GET /public/v1/licenses/MDM-2021-0001               the license check
//   GET /public/v1/exports?groupBy=fiscalYear,destination   public aggregates
// Idle: BENCH_DURATION seconds (default 15) of that load alone. Busy: the same load while the import (POST
// /api/v1/imports/shipments, text/csv) and 20 POST /api/v1/companies run; the load lasts until both are done.
// Goal: busy p99 at most 2x idle p99, no errors. Output: markdown on stdout and in artifacts/bench-mixed-<engine>.md.
import { execFile, execSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.mjs';
import pg from 'pg';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ARTIFACTS = join(ROOT, 'artifacts');
mkdirSync(ARTIFACTS, { recursive: true });
const env = process.env;
const ROWS = Number(env.BENCH_ROWS ?? 100_000);
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 50);
const PACE_MS = Number(env.BENCH_PACE_MS ?? 25);
const DURATION = Number(env.BENCH_DURATION ?? 15);
const URL_ = env.BENCH_DATABASE_URL ?? 'sqlite:/tmp/registry-bench-mixed.sqlite';
const postgres = URL_.startsWith('postgres');
const ADMIN = { email: 'bench-admin@registry.test', password: 'a benchmark passphrase, long enough' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freshDatabase() {
  if (!postgres) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${URL_.slice('sqlite:'.length)}${suffix}`, { force: true });
    return;
  }
  const url = new URL(URL_);
  const name = url.pathname.slice(1);
  if (!/^registry_bench_/.test(name)) throw new Error(`refusing to recreate ${name}: the database name must start with registry_bench_`);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
}

async function startRegistry() {
  const port = await freePort();
  const logFile = join(ARTIFACTS, 'bench-mixed-registry.log');
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: ROOT,
    env: { ...env, DATABASE_URL: URL_, SEED: 'true', LOG_LEVEL: 'warn', PUBLIC_RATE_LIMIT: '100000000', PORT: String(port), HOST: '127.0.0.1', BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  process.on('exit', () => child.kill('SIGKILL'));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the registry exited (code ${child.exitCode}); see ${logFile}`);
    try {
      if ((await fetch(`${base}/health`)).status === 200) return { child, base };
    } catch {
      // not up yet
    }
    await sleep(200);
  }
  throw new Error(`the registry did not start; see ${logFile}`);
}

function paceScript(path) {
  const dir = join(tmpdir(), 'registry-bench-mixed');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${path.replace(/\W+/g, '_')}.lua`);
  writeFileSync(file, `request = function() return wrk.format(nil, "${path}") end\ndelay = function() return ${PACE_MS} end\n`);
  return file;
}

const toMs = (v, unit) => Number(v) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 }[unit] ?? NaN);
/** Runs wrk for `seconds` on one path (paced); resolves with its figures. */
function wrk(base, path, seconds) {
  const args = ['-t', '1', '-c', String(CONNECTIONS / 2), '-d', `${seconds}s`, '--latency', '--timeout', '10s', '-s', paceScript(path), base];
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { encoding: 'utf8', timeout: (seconds + 60) * 1000 }, (error, out) => {
      if (error) return reject(error);
      const pct = (p) => {
        const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out);
        return m ? toMs(m[1], m[2]) : NaN;
      };
      const socket = /Socket errors:\s+connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      resolve({
        rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
        requests: Number(/(\d+) requests in/.exec(out)?.[1]),
        p50: pct(50),
        p99: pct(99),
        errors: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0) + (socket ? socket.slice(1).reduce((s, v) => s + Number(v), 0) : 0),
      });
    });
  });
}

const LICENSE_PATH = '/public/v1/licenses/MDM-2021-0001';
const EXPORTS_PATH = '/public/v1/exports?groupBy=fiscalYear,destination';

function importCsv() {
  const lines = ['licenseNumber,reference,shippedOn,destinationCountry,units,deviceCategory,technology'];
  const countries = ['AE', 'SA', 'QA', 'OM', 'KW', 'BH', 'GB', 'DE'];
  for (let i = 0; i < ROWS; i++) {
    const day = new Date(Date.UTC(2022, 0, 1) + (i % 1000) * 86_400_000).toISOString().slice(0, 10);
    lines.push(`MDM-2021-0001,MIX-${i},${day},${countries[i % countries.length]},${1 + (i % 500)},SMARTPHONE,4G`);
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

await freshDatabase();
const { child, base } = await startRegistry();
const token = (await (await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) })).json()).accessToken;
if (!token) throw new Error('could not log in as the bootstrap admin');
const auth = { authorization: `Bearer ${token}` };
const csv = importCsv();

// Warm-up, then idle.
await Promise.all([wrk(base, LICENSE_PATH, 3), wrk(base, EXPORTS_PATH, 3)]);
const idle = await Promise.all([wrk(base, LICENSE_PATH, DURATION), wrk(base, EXPORTS_PATH, DURATION)]);

// Busy: the load runs while the import and the staff writes do (started 1 s into it).
const busySeconds = Math.max(DURATION, 10) + 60;
const loads = [wrk(base, LICENSE_PATH, busySeconds), wrk(base, EXPORTS_PATH, busySeconds)];
await sleep(1000);
const started = Date.now();
const importing = fetch(`${base}/api/v1/imports/shipments`, { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: csv }).then(async (r) => ({ status: r.status, ms: Date.now() - started, body: await r.json() }));
const writes = Promise.all(
  Array.from({ length: 20 }, async (_, i) => {
    await sleep(i * 100);
    const t0 = Date.now();
    const r = await fetch(`${base}/api/v1/companies`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ legalName: `Mixed Bench ${i} (Private) Limited` }) });
    await r.arrayBuffer();
    return { status: r.status, ms: Date.now() - t0 };
  }),
);
const [imported, written] = await Promise.all([importing, writes]);
// The load was started for longer than needed: stop it now (wrk prints its figures on SIGINT).
const busyMs = Date.now() - started;
execSync('pkill -INT -x wrk || true');
const busy = await Promise.all(loads);
child.kill('SIGTERM');

const statuses = (list) => Object.entries(list.reduce((m, w) => ({ ...m, [w.status]: (m[w.status] ?? 0) + 1 }), {})).map(([s, n]) => `${n} x ${s}`).join(', ');
const fmt = (v) => (Number.isFinite(v) ? v.toFixed(2) : 'n/a');
const rows = [
  ['license check', idle[0], busy[0]],
  ['public exports', idle[1], busy[1]],
];
const report = [
  `# Mixed load (${postgres ? 'PostgreSQL' : 'SQLite'})`,
  '',
  `${new Date().toISOString()}, node ${process.version}; ${CONNECTIONS} connections (${CONNECTIONS / 2} per request), each pausing ${PACE_MS} ms between requests; ` +
    `idle ${DURATION} s; busy: while a ${ROWS.toLocaleString('en-US')}-row import and 20 staff writes ran (${(busyMs / 1000).toFixed(1)} s).`,
  '',
  '| request | idle req/s | idle p50 ms | idle p99 ms | busy req/s | busy p50 ms | busy p99 ms | busy p99 / idle p99 | errors (idle, busy) |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(([name, a, b]) => `| ${name} | ${fmt(a.rps)} | ${fmt(a.p50)} | ${fmt(a.p99)} | ${fmt(b.rps)} | ${fmt(b.p50)} | ${fmt(b.p99)} | ${fmt(b.p99 / a.p99)}x | ${a.errors}, ${b.errors} |`),
  '',
  `- import: ${imported.status}, ${imported.body.rowsCreated ?? imported.body.report?.rowsCreated ?? '?'} rows created in ${(imported.ms / 1000).toFixed(1)} s (${Math.round(ROWS / (imported.ms / 1000)).toLocaleString('en-US')} rows/s)`,
  `- staff writes: ${statuses(written)}; slowest ${Math.max(...written.map((w) => w.ms))} ms`,
  '',
];
const text = report.join('\n');
process.stdout.write(text);
writeFileSync(join(ARTIFACTS, `bench-mixed-${postgres ? 'postgres' : 'sqlite'}.md`), text);
process.exit(0);
