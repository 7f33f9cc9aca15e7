// Benchmark: the exports report grouped by month and destination over 1,000,000 shipments (read from the export
// rollup), next to the same aggregation as one raw SQL statement over the shipments on the same database, in the
// same run; and the public aggregates and chart (service level, no HTTP, no cache).
//
//   npm run bench:exports                                   # SQLite file /tmp/registry-bench.sqlite
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/registry_bench npm run bench:exports
//   BENCH_SHIPMENTS=200000 npm run bench:exports            # a smaller run
//
// Built code only (dist/); the data is made here and kept for the next run (delete the file / drop the database).
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { WRITER } from '../dist/src/database/writer.js';
import { AppModule } from '../dist/src/app.module.js';
import { loadConfig } from '../dist/src/config/config.js';
import { tuneRuntime } from '../dist/src/runtime.js';
import { ReportsService } from '../dist/src/reports/reports.service.js';
import { rebuildRollup } from '../dist/src/shipments/export-rollup.js';

const N = Number(process.env.BENCH_SHIPMENTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const url = process.env.BENCH_DATABASE_URL ?? 'sqlite:/tmp/registry-bench.sqlite';
tuneRuntime(); // as the registry's own processes run
const config = loadConfig({ DATABASE_URL: url, SEED: 'false', LOG_LEVEL: 'error', JWT_SECRET: 'x'.repeat(32) });

const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error'] });
// The writer connection: the default data source is the registry's read-only reader.
const ds = app.get(WRITER);
const pg = config.database.engine === 'postgres';
const param = (i) => (pg ? `$${i}` : '?');

async function load() {
  const [{ n }] = await ds.query(`SELECT COUNT(*) AS n FROM shipments`);
  if (Number(n) >= N) return Number(n);
  const now = new Date().toISOString();
  const companyId = randomUUID();
  const licenseId = randomUUID();
  await ds.query(
    `INSERT INTO companies (id, legal_name, legal_name_key, search_key, created_at, updated_at, version) VALUES (${[1, 2, 3, 4, 5, 6, 7].map(param)})`,
    [companyId, `Bench Devices ${companyId}`, `bench devices ${companyId}`, `bench devices ${companyId}`, now, now, 1],
  );
  await ds.query(
    `INSERT INTO licenses (id, license_number, license_number_key, company_id, type, issued_on, expires_on, brands, created_at, updated_at, version)
     VALUES (${[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map(param)})`,
    [licenseId, `BENCH-${companyId}`, `BENCH-${companyId}`.toUpperCase(), companyId, 'MDM', '2021-01-25', '2031-01-24', '[]', now, now, 1],
  );
  const destinations = ['AE', 'SA', 'GB', 'US', 'KE', 'NG', 'QA', 'OM', 'BH', 'KW', 'DE', 'FR', 'TR', 'EG', 'BD', 'LK'];
  const columns = ['id', 'no', 'company_id', 'license_id', 'reference', 'shipped_on', 'destination_country', 'units', 'device_category', 'hs_code', 'fob_value_cents', 'status', 'created_at', 'updated_at', 'version'];
  const batch = 1000;
  const started = Date.now();
  for (let from = Number(n); from < N; from += batch) {
    const rows = [];
    for (let i = from; i < Math.min(N, from + batch); i++) {
      const day = new Date(Date.UTC(2021, 1, 1) + (i % 1750) * 86_400_000).toISOString().slice(0, 10);
      rows.push([randomUUID(), i + 1, companyId, licenseId, `B-${i}`, day, destinations[i % destinations.length], 1 + (i % 5000), i % 4 ? 'SMARTPHONE' : 'FEATURE_PHONE', day < '2022-01-01' ? '8517.12' : '8517.13', i % 3 ? 10_000 + i : null, 'RECORDED', now, now, 1]);
    }
    let k = 0;
    const values = rows.map((r) => `(${r.map(() => param(++k)).join(', ')})`).join(', ');
    await ds.transaction((m) => m.query(`INSERT INTO shipments (${columns.join(', ')}) VALUES ${values}`, rows.flat()));
    if ((from / batch) % 100 === 0) process.stderr.write(`\rloading ${from.toLocaleString('en-US')} / ${N.toLocaleString('en-US')}`);
  }
  process.stderr.write(`\rloaded ${N.toLocaleString('en-US')} shipments in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  // Shipments written here bypass the registry: its rollup is rebuilt from them, as report:verify-rollup --rebuild does.
  await ds.query(`UPDATE counters SET value = ${N} WHERE name = 'shipment_no'`);
  await ds.transaction((m) => rebuildRollup(m));
  if (pg) await ds.query('ANALYZE shipments; ANALYZE export_rollup');
  return N;
}

async function time(fn) {
  const ms = [];
  let result;
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    result = await fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)], min: ms[0], max: ms[ms.length - 1], result };
}

const count = await load();
const reports = app.get(ReportsService);
const day = pg ? "to_char(shipped_on, 'YYYY-MM-DD')" : 'shipped_on';
const rawSql = `SELECT substr(${day}, 1, 7) AS month, destination_country AS destination, COUNT(*) AS shipments, SUM(units) AS units,
  SUM(fob_value_cents) AS fob, COUNT(fob_value_cents) AS with_fob FROM shipments WHERE status = 'RECORDED' GROUP BY 1, 2 ORDER BY 1, 4 DESC`;

const raw = await time(() => ds.query(rawSql));
const report = await time(() => reports.exports({ groupBy: ['month', 'destination'] }));
const units = (rows) => rows.reduce((s, r) => s + Number(r.units ?? 0), 0);
if (units(raw.result) !== units(report.result.rows)) throw new Error('the report and the raw SQL disagree');

const publicAggregates = await time(() => reports.publicExports({ groupBy: ['fiscalYear', 'destination'] }));
const chart = await time(() => reports.chart({ period: 'fiscalYear', stack: 'destination', audience: 'public' }));
const [{ cells }] = await ds.query('SELECT COUNT(*) AS cells FROM export_rollup');

const row = (name, t) => `${name.padEnd(44)} ${t.median.toFixed(0).padStart(8)} ms  (min ${t.min.toFixed(0)}, max ${t.max.toFixed(0)})`;
console.log(`\nExports report, groupBy=month,destination, ${count.toLocaleString('en-US')} shipments, ${config.database.engine}, median of ${RUNS}`);
console.log(row('raw SQL (GROUP BY on the database)', raw));
console.log(row('GET /api/v1/reports/exports (ReportsService)', report));
console.log(`rows: ${report.result.rows.length}; the report takes ${(report.median / raw.median).toFixed(3)}x the raw statement's time (goal: at most 0.1x); rollup cells: ${Number(cells).toLocaleString('en-US')}`);
console.log(row('public aggregates fiscalYear,destination', publicAggregates));
console.log(row('public chart.svg (two reports)', chart));
await app.close();
