// Benchmark: the PUBLIC read side of the registry (built code, dist/) under load, next to a bare server
// (bench/bare-server.mjs: Fastify + the driver, the fewest queries) answering the same requests from the same
// database, in the same run.
//
//   npm run build && node bench/public.mjs                    # SQLite file /tmp/registry-bench-public.sqlite
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/registry_bench_public node bench/public.mjs
//   BENCH_DEVICES=1000000 BENCH_SHIPMENTS=100000 node bench/public.mjs   # a smaller data set
//   BENCH_PROFILE=1 node bench/public.mjs                     # + a CPU profile of the license check (artifacts/profiles)
//   BENCH_PROFILE=device node bench/public.mjs                # ... of another request (uncached|device|search|home)
//
// Measures (wrk, BENCH_CONNECTIONS=50 connections, BENCH_THREADS=2 threads, BENCH_DURATION=10 s a round,
// BENCH_ROUNDS=3 interleaved rounds registry/bare after a BENCH_WARMUP=2 s warm-up of each; median req/s and p99;
// BENCH_ONLY=license,uncached,device,search,home runs only those; BENCH_DRAIN=N (default 0) waits until the registry
// has had N s without load before each of its rounds: 61 for builds before e6630d9, whose rate limiter slowed
// down as its one-minute window filled):
//   GET /public/v1/licenses/{number}   a random license of the BENCH_LICENSES (chosen per request by a wrk Lua script)
//   GET /public/v1/licenses/{number}?on={day}   the same with a random day: (almost) never in the response cache
//   GET /public/v1/devices/{imei}      a random IMEI of those loaded (chosen per request by a wrk Lua script)
//   GET /public/v1/manufacturers?q=    one query (BENCH_QUERY, default a word in 1 in 40 company names)
//   GET /                              the home page
// then the public aggregates (uncached after a data-version change, cached 200, 304), the registry's RSS before
// any load and after every round, and the bytes a device (IMEI) takes on disk.
//
// The data is made here and kept for the next run (only what is missing is loaded): delete
// /tmp/registry-bench-public.sqlite* or drop the database to start again. wrk must be on PATH.
// Output: a markdown report on stdout and in artifacts/bench-public.md (and artifacts/bench-public-<engine>.md).
import 'reflect-metadata';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.mjs';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../dist/src/app.module.js';
import { loadConfig } from '../dist/src/config/config.js';
import { luhnCheckDigit } from '../dist/src/common/imei.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const env = process.env;
const num = (name, fallback) => {
  const v = env[name] === undefined || env[name] === '' ? fallback : Number(env[name]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a number; got "${env[name]}"`);
  return v;
};
const N_LICENSES = Math.max(1, num('BENCH_LICENSES', 5000));
const N_SHIPMENTS = Math.max(1, num('BENCH_SHIPMENTS', 1_000_000));
const N_DEVICES = num('BENCH_DEVICES', 10_000_000);
const DURATION = Math.max(1, num('BENCH_DURATION', 10));
const WARMUP = num('BENCH_WARMUP', 2);
const ROUNDS = Math.max(1, num('BENCH_ROUNDS', 3));
const CONNECTIONS = Math.max(1, num('BENCH_CONNECTIONS', 50));
const THREADS = Math.max(1, num('BENCH_THREADS', 2));
const AGG_RUNS = Math.max(1, num('BENCH_AGG_RUNS', 25));
// Seconds without registry load before each measured registry round (and before the aggregates). Before
// e6630d9 the public rate limiter kept every hit of the last minute per client address and filtered them on every
// request (all of wrk's come from 127.0.0.1), so a round was slower the more load the minute before had seen.
const DRAIN = num('BENCH_DRAIN', 0);
// BENCH_PROFILE=1 profiles the license check; BENCH_PROFILE=uncached|device|search|home profiles that request instead.
const PROFILE_AS = String(env.BENCH_PROFILE ?? '').toLowerCase();
const PROFILE = PROFILE_AS !== '' && !['0', 'false', 'no'].includes(PROFILE_AS);
const TARGET_KEYS = ['license', 'uncached', 'device', 'search', 'home'];
const PROFILE_TARGET = Math.max(0, TARGET_KEYS.indexOf(PROFILE_AS));
// BENCH_ONLY=license,device: only these request loads (the aggregates, memory and disk are always measured).
const ONLY = env.BENCH_ONLY ? new Set(env.BENCH_ONLY.split(',').map((k) => k.trim().toLowerCase())) : null;
if (ONLY) for (const k of ONLY) if (!TARGET_KEYS.includes(k)) throw new Error(`BENCH_ONLY: ${k} is none of ${TARGET_KEYS.join(', ')}`);
// BENCH_PIN (default 1 where `taskset` is installed and there are 2 or more CPUs): each server (registry, bare) on the
// last CPU, wrk on the others. Unpinned, the scheduler moves the server and wrk's threads over the same cores, and the
// same build's throughput moved by up to a third from one process start to the next (device check: 10,000-14,700
// req/s); pinned, by a few percent. wrk needs under half of its CPU to load the bare server, so the servers are measured
// by what one core of theirs answers. BENCH_PIN=0 runs everything unpinned.
const CPUS = availableParallelism();
const PIN = !['0', 'false', 'no'].includes(String(env.BENCH_PIN ?? '1').toLowerCase()) && CPUS >= 2 && spawnSync('taskset', ['-V']).status === 0;
const SERVER_CPU = String(CPUS - 1);
const WRK_CPUS = CPUS === 2 ? '0' : `0-${CPUS - 2}`;
const URL_ = env.BENCH_DATABASE_URL || 'sqlite:/tmp/registry-bench-public.sqlite';
const JWT_SECRET = 'bench-public-secret-'.padEnd(40, 'x');

const config = loadConfig({ DATABASE_URL: URL_, SEED: 'false', LOG_LEVEL: 'error', JWT_SECRET });
const PG = config.database.engine === 'postgres';
const ENGINE = PG ? 'postgres' : 'sqlite';
const ARTIFACTS = join(ROOT, 'artifacts');
mkdirSync(ARTIFACTS, { recursive: true });
const STATE_FILE = PG ? join(tmpdir(), `registry-bench-public-pg-${new URL(URL_).pathname.slice(1)}.json`) : `${config.database.path}.bench.json`;

// The data made here: names, numbers and IMEIs are functions of the row's index, so a later run finds them again.
const WORDS = ['Orion', 'Falcon', 'Indus', 'Karakoram', 'Zephyr', 'Cobalt', 'Nimbus', 'Kestrel', 'Saffron', 'Quasar', 'Tundra', 'Vertex', 'Lyra', 'Marlin', 'Onyx', 'Pioneer', 'Ravi', 'Sutlej', 'Jhelum', 'Chenab', 'Helix', 'Astra', 'Borealis', 'Citadel', 'Delta', 'Ember', 'Fjord', 'Granite', 'Harbor', 'Ion', 'Jade', 'Kinetic', 'Lumen', 'Meridian', 'Nova', 'Opal', 'Prism', 'Quartz', 'Summit', 'Titan'];
const CITIES = ['Karachi', 'Lahore', 'Islamabad', 'Faisalabad', 'Rawalpindi', 'Multan', 'Hyderabad', 'Sialkot'];
const DESTINATIONS = ['AE', 'SA', 'GB', 'US', 'KE', 'NG', 'QA', 'OM', 'BH', 'KW', 'DE', 'FR', 'TR', 'EG', 'BD', 'LK'];
const QUERY = env.BENCH_QUERY || WORDS[7].toLowerCase();
const pad = (n, width) => String(n).padStart(width, '0');
const licenseNumber = (i) => `PTA-MDM-B${pad(i, 6)}`;
const FIRST_TAC = 35693803;
/** The k-th IMEI (ascending in k): TAC 35693803 + floor(k / 10^6), serial k mod 10^6, Luhn check digit. */
function imeiOf(k) {
  const body = `${FIRST_TAC + Math.floor(k / 1e6)}${pad(k % 1e6, 6)}`;
  return `${body}${luhnCheckDigit(body)}`;
}
const addDays = (iso, days) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const log = (s) => process.stderr.write(`${s}\n`);
const seconds = (t0) => (Number(process.hrtime.bigint() - t0) / 1e9);
const fmtInt = (n) => Math.round(n).toLocaleString('en-US');

// ---------------------------------------------------------------- database access (the bench's own connection)

/** A thin connection: all(sql, params) with ? placeholders (numbered for PostgreSQL), exec(sql). */
async function openDb() {
  if (PG) {
    const { default: pg } = await import('pg');
    pg.types.setTypeParser(1082, (v) => v);
    const client = new pg.Client({ connectionString: URL_ });
    await client.connect();
    const numbered = (sql) => {
      let i = 0;
      return sql.replace(/\?/g, () => `$${++i}`);
    };
    return {
      all: async (sql, params = []) => (await client.query(numbered(sql), params)).rows,
      exec: async (sql) => void (await client.query(sql)),
      raw: client,
      close: () => client.end(),
    };
  }
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(config.database.path);
  db.pragma('busy_timeout = 10000');
  return {
    all: async (sql, params = []) => {
      const statement = db.prepare(sql);
      return statement.reader ? statement.all(...params) : (statement.run(...params), []);
    },
    exec: async (sql) => void db.exec(sql),
    raw: db,
    close: async () => db.close(),
  };
}

async function tableColumns(db, table) {
  const rows = PG
    ? await db.all(`SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?`, [table])
    : await db.all(`SELECT name FROM pragma_table_info(?)`, [table]);
  return new Set(rows.map((r) => r.name));
}

const count = async (db, sql, params) => Number((await db.all(sql, params))[0].n);

/**
 * Inserts rows (arrays in `columns` order): SQLite one prepared statement in a loop inside one transaction per
 * call; PostgreSQL multi-row INSERTs (as many rows a statement as 60,000 parameters allow) inside one transaction.
 */
async function insertRows(db, table, columns, rows) {
  if (!rows.length) return;
  const list = columns.join(', ');
  if (!PG) {
    const insert = db.raw.prepare(`INSERT INTO ${table} (${list}) VALUES (${columns.map(() => '?').join(', ')})`);
    db.raw.transaction(() => {
      for (const r of rows) insert.run(...r);
    })();
    return;
  }
  const per = Math.max(1, Math.floor(60_000 / columns.length));
  await db.exec('BEGIN');
  try {
    for (let i = 0; i < rows.length; i += per) {
      const chunk = rows.slice(i, i + per);
      let k = 0;
      const values = chunk.map((r) => `(${r.map(() => `$${++k}`).join(', ')})`).join(', ');
      await db.raw.query(`INSERT INTO ${table} (${list}) VALUES ${values}`, chunk.flat());
    }
    await db.exec('COMMIT');
  } catch (e) {
    await db.exec('ROLLBACK');
    throw e;
  }
}

function readState() {
  try {
    return JSON.parse(readFileSync(STATE_FILE, 'utf8'));
  } catch {
    return {};
  }
}
const state = readState();
const saveState = () => writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);

function sqliteFileBytes() {
  let total = 0;
  for (const suffix of ['', '-wal']) {
    const p = `${config.database.path}${suffix}`;
    if (existsSync(p)) total += statSync(p).size;
  }
  return total;
}

// ---------------------------------------------------------------- loading

async function migrate() {
  // The app context runs the migrations (AppModule.forRoot: migrationsRun), as bench/exports-report.mjs does.
  const t0 = process.hrtime.bigint();
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error'] });
  await app.close();
  log(`schema migrated (${seconds(t0).toFixed(1)} s)`);
}

async function loadLicenses(db) {
  const have = await count(db, `SELECT COUNT(*) AS n FROM licenses WHERE license_number_key LIKE 'PTA-MDM-B%'`);
  if (have >= N_LICENSES) return { have, loaded: 0 };
  const licenseCols = await tableColumns(db, 'licenses');
  const now = new Date().toISOString();
  const t0 = process.hrtime.bigint();
  const companies = [];
  const licenses = [];
  const events = [];
  for (let i = have; i < N_LICENSES; i++) {
    const word = WORDS[i % WORDS.length];
    const legalName = `${word} Devices ${pad(i, 6)} (Pvt) Ltd`;
    const tradeName = `${word} ${i}`;
    const companyId = randomUUID();
    const licenseId = randomUUID();
    const issuedOn = addDays('2020-01-01', i % 900);
    const expiresOn = addDays(addDays(issuedOn, 3653), -1);
    const brand = `${word}${i}`;
    companies.push([companyId, legalName, legalName.toLowerCase(), `${legalName.toLowerCase()}\n${tradeName.toLowerCase()}`, tradeName, CITIES[i % CITIES.length], 'Sindh', now, now, 1]);
    const license = [licenseId, licenseNumber(i), licenseNumber(i).toUpperCase(), companyId, 'MDM', issuedOn, expiresOn, JSON.stringify([brand]), now, now, 1];
    if (licenseCols.has('brands_key')) license.push(`\n${brand.toLowerCase()}\n`);
    if (licenseCols.has('status')) license.push('ACTIVE'); // databases made before the column was dropped
    licenses.push(license);
    events.push([randomUUID(), licenseId, 1, 'GRANTED', issuedOn, 'Benchmark data', 'ACTIVE', expiresOn, now]);
  }
  await insertRows(db, 'companies', ['id', 'legal_name', 'legal_name_key', 'search_key', 'trade_name', 'city', 'province', 'created_at', 'updated_at', 'version'], companies);
  const lcols = ['id', 'license_number', 'license_number_key', 'company_id', 'type', 'issued_on', 'expires_on', 'brands', 'created_at', 'updated_at', 'version'];
  if (licenseCols.has('brands_key')) lcols.push('brands_key');
  if (licenseCols.has('status')) lcols.push('status');
  await insertRows(db, 'licenses', lcols, licenses);
  await insertRows(db, 'license_events', ['id', 'license_id', 'seq', 'type', 'effective_on', 'reason', 'status_after', 'expires_on_after', 'recorded_at'], events);
  const s = seconds(t0);
  log(`loaded ${fmtInt(N_LICENSES - have)} companies + licenses + GRANTED events in ${s.toFixed(1)} s`);
  return { have: N_LICENSES, loaded: N_LICENSES - have, seconds: s };
}

/** Devices per shipment: every shipment carries as many units as it has IMEIs. */
const PER_SHIPMENT = Math.max(1, Math.ceil(N_DEVICES / N_SHIPMENTS));

async function loadShipments(db) {
  const have = await count(db, `SELECT COUNT(*) AS n FROM shipments`);
  if (have >= N_SHIPMENTS) return { have, loaded: 0 };
  const cols = await tableColumns(db, 'shipments');
  const withNo = cols.has('no');
  // Exporters: the first 300 bench licenses (a few hundred manufacturers export; most never do).
  const exporters = await db.all(`SELECT id, company_id FROM licenses WHERE license_number_key LIKE 'PTA-MDM-B%' ORDER BY license_number_key LIMIT 300`);
  const columns = ['id', 'company_id', 'license_id', 'reference', 'shipped_on', 'destination_country', 'units', 'device_category', 'hs_code', 'fob_value_cents', 'status', 'created_at', 'updated_at', 'version'];
  if (withNo) columns.push('no');
  const now = new Date().toISOString();
  const t0 = process.hrtime.bigint();
  const batch = PG ? 50_000 : 100_000;
  let startNo = 0;
  if (withNo) startNo = Number((await db.all(`SELECT COALESCE(MAX(no), 0) AS n FROM shipments`))[0].n);
  for (let from = have; from < N_SHIPMENTS; from += batch) {
    const rows = [];
    for (let i = from; i < Math.min(N_SHIPMENTS, from + batch); i++) {
      const e = exporters[i % exporters.length];
      const day = addDays('2021-07-01', i % 1600);
      const row = [randomUUID(), e.company_id, e.id, `BP-${i}`, day, DESTINATIONS[(i * 7) % DESTINATIONS.length], PER_SHIPMENT, i % 4 ? 'SMARTPHONE' : 'FEATURE_PHONE', day < '2022-01-01' ? '8517.12' : '8517.13', i % 3 ? 10_000 + i : null, 'RECORDED', now, now, 1];
      // `no`: the row counter (1, 2, 3...), so that device k belongs to shipment floor(k / PER_SHIPMENT) + 1.
      if (withNo) row.push(startNo + (i - have) + 1);
      rows.push(row);
    }
    await insertRows(db, 'shipments', columns, rows);
    process.stderr.write(`\rshipments ${fmtInt(Math.min(N_SHIPMENTS, from + batch))} / ${fmtInt(N_SHIPMENTS)}`);
  }
  const s = seconds(t0);
  process.stderr.write(`\rloaded ${fmtInt(N_SHIPMENTS - have)} shipments in ${s.toFixed(1)} s${' '.repeat(20)}\n`);
  if (withNo && (await tableColumns(db, 'counters')).size) {
    // The registry allocates the next shipment number from counters.shipment_no: keep it past ours.
    const max = Number((await db.all(`SELECT MAX(no) AS n FROM shipments`))[0].n);
    const updated = await db.all(`UPDATE counters SET value = ? WHERE name = 'shipment_no' RETURNING name`, [max]);
    if (!updated.length) await db.all(`INSERT INTO counters (name, value) VALUES ('shipment_no', ?)`, [max]);
  }
  if (PG) await db.exec('ANALYZE shipments');
  return { have: N_SHIPMENTS, loaded: N_SHIPMENTS - have, seconds: s };
}

/** The devices table as the migrations made it: null when there is none yet (the schema before CompactDevices). */
async function devicesSchema(db) {
  const cols = await tableColumns(db, 'devices');
  if (!cols.has('imei') || !cols.has('shipment_no')) return null;
  return cols;
}

async function loadDevices(db) {
  if (!(await devicesSchema(db))) return { have: 0, loaded: 0, missing: true };
  const have = await count(db, `SELECT COUNT(*) AS n FROM devices`);
  if (have >= N_DEVICES) return { have, loaded: 0 };
  const shipments = Number((await db.all(`SELECT COALESCE(MAX(no), 0) AS n FROM shipments`))[0].n);
  if (Math.floor((N_DEVICES - 1) / PER_SHIPMENT) + 1 > shipments) throw new Error(`${fmtInt(N_DEVICES)} devices need ${fmtInt(Math.ceil(N_DEVICES / PER_SHIPMENT))} shipments numbered 1..; the highest shipment no is ${shipments}`);
  if (have) {
    const [{ m }] = await db.all(`SELECT MAX(imei) AS m FROM devices`);
    if (String(m).padStart(15, '0') !== imeiOf(have - 1)) throw new Error(`the devices table holds ${fmtInt(have)} rows that are not this benchmark's first ${fmtInt(have)} IMEIs: delete the database to start again`);
  }
  const t0 = process.hrtime.bigint();
  let bytesBefore = 0;
  if (!PG) {
    db.raw.pragma('wal_checkpoint(TRUNCATE)');
    bytesBefore = sqliteFileBytes();
    // Only in this connection, only while loading: the rows are consistent by construction.
    db.raw.pragma('synchronous = OFF');
    db.raw.pragma('foreign_keys = OFF');
    db.raw.pragma('cache_size = -1000000');
    const ROWS = 500; // one multi-row statement of 500 (imei, shipment_no) pairs
    const many = db.raw.prepare(`INSERT INTO devices (imei, shipment_no) VALUES ${Array.from({ length: ROWS }, () => '(?, ?)').join(', ')}`);
    const one = db.raw.prepare(`INSERT INTO devices (imei, shipment_no) VALUES (?, ?)`);
    const TX = 1_000_000;
    const params = new Array(ROWS * 2);
    for (let from = have; from < N_DEVICES; from += TX) {
      const to = Math.min(N_DEVICES, from + TX);
      db.raw.transaction(() => {
        let k = from;
        for (; k + ROWS <= to; k += ROWS) {
          for (let j = 0; j < ROWS; j++) {
            params[2 * j] = Number(imeiOf(k + j));
            params[2 * j + 1] = Math.floor((k + j) / PER_SHIPMENT) + 1;
          }
          many.run(params);
        }
        for (; k < to; k++) one.run(Number(imeiOf(k)), Math.floor(k / PER_SHIPMENT) + 1);
      })();
      process.stderr.write(`\rdevices ${fmtInt(to)} / ${fmtInt(N_DEVICES)} (${seconds(t0).toFixed(0)} s)`);
    }
    db.raw.pragma('synchronous = NORMAL');
    db.raw.pragma('foreign_keys = ON');
    db.raw.pragma('wal_checkpoint(TRUNCATE)');
  } else {
    // Multi-row INSERTs of 100,000 rows (two arrays unnested), 1,000,000 rows a transaction. The foreign key
    // triggers are skipped while loading (session_replication_role = replica, this session only): every
    // shipment_no exists by construction, checked above.
    await db.exec('SET session_replication_role = replica');
    const ROWS = 100_000;
    const TX = 1_000_000;
    for (let from = have; from < N_DEVICES; from += TX) {
      const to = Math.min(N_DEVICES, from + TX);
      await db.exec('BEGIN');
      for (let k = from; k < to; k += ROWS) {
        const imeis = [];
        const nos = [];
        for (let j = k; j < Math.min(to, k + ROWS); j++) {
          imeis.push(imeiOf(j));
          nos.push(Math.floor(j / PER_SHIPMENT) + 1);
        }
        await db.raw.query(`INSERT INTO devices (imei, shipment_no) SELECT * FROM unnest($1::bigint[], $2::bigint[])`, [imeis, nos]);
      }
      await db.exec('COMMIT');
      process.stderr.write(`\rdevices ${fmtInt(to)} / ${fmtInt(N_DEVICES)} (${seconds(t0).toFixed(0)} s)`);
    }
    await db.exec('SET session_replication_role = DEFAULT');
    await db.exec('VACUUM ANALYZE devices');
  }
  const s = seconds(t0);
  process.stderr.write(`\rloaded ${fmtInt(N_DEVICES - have)} devices in ${s.toFixed(1)} s${' '.repeat(20)}\n`);
  const result = { have: N_DEVICES, loaded: N_DEVICES - have, seconds: s };
  if (!PG) result.fileBytesDelta = sqliteFileBytes() - bytesBefore;
  return result;
}

/** Marks every public area changed (what an audited write does), so no ETag or cached answer from before is current. */
async function bumpVersions(db, areas) {
  const cols = await tableColumns(db, 'data_versions');
  if (!cols.size) return;
  for (const area of areas) await db.all(`UPDATE data_versions SET version = ? WHERE area = ?`, [randomBytes(9).toString('base64url'), area]);
}

/**
 * The export rollup (aggregates of shipments) must be rebuilt after shipments are inserted in SQL.
 * ROLLUP CALL SITE: `cli report:rebuild-rollup` when this build has it, else `cli report:verify-rollup --rebuild`
 * (recomputes and repairs); skipped, and said, when the build has neither (no rollup yet).
 */
function rebuildRollup() {
  const cli = join(ROOT, 'dist/src/cli/commands.js');
  const text = existsSync(cli) ? readFileSync(cli, 'utf8') : '';
  const args = text.includes("'report:rebuild-rollup'") ? ['report:rebuild-rollup'] : text.includes("'report:verify-rollup'") ? ['report:verify-rollup', '--rebuild'] : null;
  if (!args) {
    log('ROLLUP: SKIPPED: this build has no `report:rebuild-rollup` (or `report:verify-rollup --rebuild`) command yet');
    return { skipped: true };
  }
  const t0 = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/cli.js'), ...args], {
    cwd: ROOT,
    env: { ...env, DATABASE_URL: URL_, SEED: 'false', LOG_LEVEL: 'error', JWT_SECRET },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const s = seconds(t0);
  if (run.status !== 0) throw new Error(`cli ${args.join(' ')} exited ${run.status}:\n${run.stderr}\n${run.stdout.slice(0, 2000)}`);
  log(`export rollup: cli ${args.join(' ')} in ${s.toFixed(1)} s${run.stderr.trim() ? `: ${run.stderr.trim()}` : ''}`);
  return { seconds: s, command: args.join(' ') };
}

async function diskPerImei(db) {
  if (!(await devicesSchema(db))) return null;
  const devices = await count(db, `SELECT COUNT(*) AS n FROM devices`);
  if (!devices) return null;
  if (PG) {
    const [r] = await db.all(`SELECT pg_total_relation_size('devices') AS total, pg_relation_size('devices') AS heap, pg_indexes_size('devices') AS indexes`);
    const idx = await db.all(`SELECT indexrelid::regclass::text AS name, pg_relation_size(indexrelid) AS bytes FROM pg_index WHERE indrelid = 'devices'::regclass ORDER BY 1`);
    return { devices, lines: [
      `pg_total_relation_size('devices') / devices = ${fmtInt(r.total)} / ${fmtInt(devices)} = **${(r.total / devices).toFixed(1)} bytes per IMEI**`,
      `heap ${(r.heap / devices).toFixed(1)} B/IMEI; indexes ${(r.indexes / devices).toFixed(1)} B/IMEI (${idx.map((i) => `${i.name} ${(i.bytes / devices).toFixed(1)}`).join(', ')})`,
    ] };
  }
  const lines = [];
  if (state.devicesFileBytesDelta && state.devicesLoadedMeasured) {
    lines.push(`file growth while loading / devices loaded = ${fmtInt(state.devicesFileBytesDelta)} / ${fmtInt(state.devicesLoadedMeasured)} = **${(state.devicesFileBytesDelta / state.devicesLoadedMeasured).toFixed(1)} bytes per IMEI** (database file + WAL after a checkpoint)`);
  }
  const names = (await db.all(`SELECT name FROM sqlite_master WHERE tbl_name = 'devices' AND type IN ('table', 'index')`)).map((r) => r.name);
  try {
    const rows = await db.all(`SELECT name, SUM(pgsize) AS bytes FROM dbstat WHERE name IN (${names.map(() => '?').join(', ')}) GROUP BY name ORDER BY name`, names);
    const total = rows.reduce((s, r) => s + Number(r.bytes), 0);
    lines.push(`dbstat: SUM(pgsize) of ${names.join(', ')} / devices = ${fmtInt(total)} / ${fmtInt(devices)} = **${(total / devices).toFixed(1)} bytes per IMEI** (${rows.map((r) => `${r.name} ${(r.bytes / devices).toFixed(1)}`).join(', ')})`);
  } catch (e) {
    lines.push(`dbstat not available: ${e.message}`);
  }
  return { devices, lines };
}

// ---------------------------------------------------------------- servers

const children = new Set();
function startChild(name, args, extraEnv) {
  const logFile = join(ARTIFACTS, `bench-public-${name}.log`);
  const fd = openSync(logFile, 'w');
  // taskset execs node in its own process: the child's pid is the server's.
  const [command, argv] = PIN ? ['taskset', ['-c', SERVER_CPU, process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(command, argv, { cwd: ROOT, env: { ...env, ...extraEnv }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  children.add(child);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => { children.delete(child); resolve({ code, signal }); }));
  return { name, child, logFile, exited };
}
async function stopChild(server) {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return server.exited;
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 15_000);
  const result = await server.exited;
  clearTimeout(timer);
  return result;
}
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

async function waitHealthy(server, base, timeoutMs = 180_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (server.child.exitCode !== null) throw new Error(`${server.name} exited (code ${server.child.exitCode}); see ${server.logFile}:\n${readFileSync(server.logFile, 'utf8').slice(-2000)}`);
    try {
      const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${server.name} did not answer ${base}/health with 200 within ${timeoutMs / 1000} s; see ${server.logFile}`);
}

async function startRegistry(port, profile = false) {
  const args = profile
    ? ['--import', join(ROOT, 'bench/exit-on-signal.mjs'), '--cpu-prof', `--cpu-prof-dir=${join(ARTIFACTS, 'profiles')}`, 'dist/src/main.js']
    : ['dist/src/main.js'];
  const server = startChild(profile ? 'registry-profiled' : 'registry', args, {
    DATABASE_URL: URL_, SEED: 'false', LOG_LEVEL: 'silent', PUBLIC_RATE_LIMIT: '100000000', JWT_SECRET, PORT: String(port), HOST: '127.0.0.1',
  });
  server.base = `http://127.0.0.1:${port}`;
  await waitHealthy(server, server.base);
  return server;
}

async function startBare(port) {
  const server = startChild('bare', [join(ROOT, 'bench/bare-server.mjs')], { BARE_DATABASE_URL: URL_, PORT: String(port), HOST: '127.0.0.1' });
  server.base = `http://127.0.0.1:${port}`;
  await waitHealthy(server, server.base);
  return server;
}

/**
 * The registry's resident memory (kB): VmRSS, and its parts RssAnon (the process's own memory: heap, stacks,
 * buffers) and RssFile (mapped files: the program, and the database pages its SQLite readers map, which are the
 * OS page cache shared with every process reading the file, and given back under memory pressure).
 */
function rssKb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
    return { total: field('VmRSS'), anon: field('RssAnon'), file: field('RssFile') };
  } catch {
    return { total: NaN, anon: NaN, file: NaN };
  }
}
const mib = (kb) => `${(kb / 1024).toFixed(1)} MiB`;

// ---------------------------------------------------------------- wrk

const LUA_RANDOM_SEED = `
local counter = 0
function setup(thread) thread:set("tid", counter); counter = counter + 1 end
function init(args) math.randomseed(os.time() * 1000 + tid * 7919 + math.floor(os.clock() * 1000000)) end
`;
/** wrk script: a random license of the N made here per request (PTA-MDM-B000000 ... ). */
const licenseLua = (n) => `${LUA_RANDOM_SEED}
request = function()
  return wrk.format(nil, string.format("/public/v1/licenses/PTA-MDM-B%06d", math.random(0, ${n - 1})))
end
`;
/**
 * wrk script: a random license and a random day (?on=, 2021-2030) per request: 5,000 x 3,360 distinct URLs,
 * so the registry's response cache almost never has the answer (the cost of computing a verification).
 */
const licenseOnLua = (n) => `${LUA_RANDOM_SEED}
request = function()
  return wrk.format(nil, string.format("/public/v1/licenses/PTA-MDM-B%06d?on=%04d-%02d-%02d", math.random(0, ${n - 1}), math.random(2021, 2030), math.random(1, 12), math.random(1, 28)))
end
`;
/** wrk script: a random IMEI of the N loaded (the same function as imeiOf, Luhn digit included) per request. */
const deviceLua = (n) => `${LUA_RANDOM_SEED}
local function luhn(s)
  local sum = 0
  for i = 1, 14 do
    local d = s:byte(i) - 48
    if i % 2 == 0 then d = d * 2; if d > 9 then d = d - 9 end end
    sum = sum + d
  end
  return (10 - sum % 10) % 10
end
request = function()
  local k = math.random(0, ${n - 1})
  local body = string.format("%08d%06d", ${FIRST_TAC} + math.floor(k / 1000000), k % 1000000)
  return wrk.format(nil, "/public/v1/devices/" .. body .. luhn(body))
end
`;

function writeLua(name, text) {
  const dir = join(tmpdir(), 'registry-bench-public');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.lua`);
  writeFileSync(file, text);
  return file;
}

const toMs = (v, unit) => Number(v) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 }[unit] ?? NaN);
function wrk(base, target, seconds_) {
  const args = ['-t', String(THREADS), '-c', String(CONNECTIONS), '-d', `${seconds_}s`, '--latency', '--timeout', '10s'];
  if (target.script) args.push('-s', target.script, base);
  else args.push(`${base}${target.path}`);
  const out = execFileSync(PIN ? 'taskset' : 'wrk', PIN ? ['-c', WRK_CPUS, 'wrk', ...args] : args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: (seconds_ + 60) * 1000 });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p = /^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(out);
  const p50 = /^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(out);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors:\s+connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = socket ? socket.slice(1).reduce((s, v) => s + Number(v), 0) : 0;
  return { rps, p99: p ? toMs(p[1], p[2]) : NaN, p50: p50 ? toMs(p50[1], p50[2]) : NaN, requests, non2xx, socketErrors, out };
}

let lastRegistryLoad = 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Waits until DRAIN seconds have passed since the last load on the registry ended (its rate-limit window is empty). */
async function drain() {
  const wait = lastRegistryLoad + DRAIN * 1000 - Date.now();
  if (DRAIN > 0 && wait > 0) {
    log(`  (waiting ${(wait / 1000).toFixed(0)} s for the registry's one-minute rate-limit window to empty)`);
    await sleep(wait);
  }
}
function wrkRegistry(base, target, seconds_) {
  try {
    return wrk(base, target, seconds_);
  } finally {
    lastRegistryLoad = Date.now();
  }
}

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// ---------------------------------------------------------------- CPU profile aggregation

/** Self time per function over the last `windowS` seconds of a .cpuprofile (the load, not the start-up). */
function topSelfTime(file, windowS, top = 15) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const times = [];
  let t = profile.startTime;
  for (const d of profile.timeDeltas) times.push((t += d));
  const end = profile.endTime;
  const from = end - windowS * 1e6;
  const self = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    if (times[i] < from) continue;
    const dt = (i + 1 < times.length ? times[i + 1] : end) - times[i];
    const { callFrame: f } = byId.get(profile.samples[i]);
    const where = f.url ? `${f.url.replace(/^file:\/\//, '').replace(`${ROOT}`, '').replace(/^.*node_modules\//, '~/')}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  }
  const byPackage = new Map();
  for (const [key, us] of self) {
    const m = / (\S+):\d+$/.exec(key);
    const where = m ? m[1] : '';
    const pkg = !where ? key : where.startsWith('~/') ? where.slice(2).split('/').slice(0, where.startsWith('~/@') ? 2 : 1).join('/') : where.startsWith('node:') ? 'node: (core)' : where.startsWith('dist/') ? 'dist/ (the registry)' : where;
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  return { total, rows: [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top), packages: [...byPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10) };
}

// ---------------------------------------------------------------- main

const report = [];
const out = (line = '') => {
  report.push(line);
  console.log(line);
};

const db = await openDb();
let commit = '';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
} catch {
  // not a git checkout
}

await migrate();
const loads = {};
loads.licenses = await loadLicenses(db);
loads.shipments = await loadShipments(db);
let devices = await loadDevices(db);
if (devices.missing) log('DEVICES: this schema has no devices (imei, shipment_no) table yet: the device lookup and bytes per IMEI are skipped');
if (devices.loaded && devices.fileBytesDelta !== undefined) {
  state.devicesFileBytesDelta = (state.devicesFileBytesDelta ?? 0) + devices.fileBytesDelta;
  state.devicesLoadedMeasured = (state.devicesLoadedMeasured ?? 0) + devices.loaded;
}
for (const [k, v] of Object.entries(loads)) if (v.loaded) state[`${k}LoadSeconds`] = v.seconds;
if (devices.loaded) state.devicesLoadSeconds = devices.seconds;
let rollupRanNow = false;
if (loads.shipments.loaded || devices.loaded || state.rollupPending) {
  const rollup = rebuildRollup();
  rollupRanNow = !rollup.skipped;
  if (rollupRanNow && PG) await db.exec('ANALYZE export_rollup');
  state.rollupPending = Boolean(rollup.skipped);
  if (!rollup.skipped) Object.assign(state, { rollupSeconds: rollup.seconds, rollupCommand: rollup.command });
}
if (loads.licenses.loaded || loads.shipments.loaded || devices.loaded) await bumpVersions(db, ['register', 'exports']);
saveState();

const nDevices = devices.missing ? 0 : await count(db, `SELECT COUNT(*) AS n FROM devices`);
const nLicenses = await count(db, `SELECT COUNT(*) AS n FROM licenses WHERE license_number_key LIKE 'PTA-MDM-B%'`);
const nShipments = await count(db, `SELECT COUNT(*) AS n FROM shipments`);
const disk = await diskPerImei(db);

// Both servers read the same pages: bring the database's files into the OS page cache first, so that neither
// pays for cold reads the other does not (a first run right after loading, another right after a reboot).
async function prewarm() {
  const t0 = process.hrtime.bigint();
  if (!PG) {
    const { openSync: open, readSync, closeSync: close } = await import('node:fs');
    const buffer = Buffer.allocUnsafe(8 * 1024 * 1024);
    let bytes = 0;
    for (const suffix of ['', '-wal']) {
      const p = `${config.database.path}${suffix}`;
      if (!existsSync(p)) continue;
      const fd = open(p, 'r');
      for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) bytes += n;
      close(fd);
    }
    log(`page cache: read ${fmtInt(bytes / 1048576)} MiB of the database file in ${seconds(t0).toFixed(1)} s`);
    return;
  }
  try {
    await db.exec('CREATE EXTENSION IF NOT EXISTS pg_prewarm');
    const rels = await db.all(`SELECT c.oid::regclass::text AS name FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'i') AND c.relname NOT LIKE 'pg_%'`);
    let blocks = 0;
    for (const r of rels) blocks += Number((await db.all(`SELECT pg_prewarm(?::regclass, 'read') AS n`, [r.name]))[0].n);
    log(`page cache: pg_prewarm read ${fmtInt((blocks * 8192) / 1048576)} MiB (${rels.length} relations) in ${seconds(t0).toFixed(1)} s`);
  } catch (e) {
    log(`page cache: pg_prewarm unavailable (${e.message}); not prewarmed`);
  }
}
await prewarm();

const registryPort = env.BENCH_PORT ? Number(env.BENCH_PORT) : await freePort();
const barePort = env.BENCH_PORT ? Number(env.BENCH_PORT) + 1 : await freePort();
const registry = await startRegistry(registryPort);
const bare = await startBare(barePort);
log(`registry (pid ${registry.child.pid}) on ${registry.base}, bare (pid ${bare.child.pid}) on ${bare.base}`);

const targets = [
  { name: 'license check', label: `GET /public/v1/licenses/{number} (random of ${fmtInt(nLicenses)})`, script: writeLua('license', licenseLua(nLicenses)), sample: `/public/v1/licenses/${licenseNumber(nLicenses - 1)}`, rss: true },
  { name: 'license check, uncached', label: `GET /public/v1/licenses/{number}?on={day} (random of ${fmtInt(nLicenses)} x 3,360 days)`, script: writeLua('license-on', licenseOnLua(nLicenses)), sample: `/public/v1/licenses/${licenseNumber(0)}?on=2024-02-29` },
  { name: 'device lookup', label: `GET /public/v1/devices/{imei} (random of ${fmtInt(nDevices)})`, script: nDevices ? writeLua('device', deviceLua(nDevices)) : null, sample: nDevices ? `/public/v1/devices/${imeiOf(nDevices - 1)}` : null },
  { name: 'manufacturer search', label: `GET /public/v1/manufacturers?q=${QUERY}`, path: `/public/v1/manufacturers?q=${encodeURIComponent(QUERY)}`, sample: `/public/v1/manufacturers?q=${encodeURIComponent(QUERY)}` },
  { name: 'home page', label: 'GET / (HTML)', path: '/', sample: '/' },
];

// One request of each to both servers first: status, size, and that they agree on what they found.
const problems = [];
const checks = [];
for (const t of targets) {
  if (!t.sample) continue;
  for (const s of [registry, bare]) {
    const res = await fetch(`${s.base}${t.sample}`);
    const body = await res.text();
    checks.push(`${s.name} ${t.sample}: ${res.status}, ${fmtInt(Buffer.byteLength(body))} bytes${res.headers.get('etag') ? `, ETag ${res.headers.get('etag')}` : ''}`);
    if (res.status !== 200) problems.push(`${s.name} answered ${res.status} to GET ${t.sample}: ${body.slice(0, 300)}`);
    t[`${s.name}Body`] = body;
  }
}
// The two servers must agree on what they answer (the registry's answer has a few more fields).
for (const t of targets.filter((x) => x.name.startsWith('license check'))) {
  if (!t.registryBody || !t.bareBody) continue;
  try {
    const a = JSON.parse(t.registryBody);
    const b = JSON.parse(t.bareBody);
    for (const k of ['licenseNumber', 'status', 'valid', 'issuedOn', 'expiresOn']) {
      if (a[k] !== b[k]) problems.push(`${t.name}: GET ${t.sample}: the registry says ${k} = ${JSON.stringify(a[k])}, the bare server ${JSON.stringify(b[k])}`);
    }
  } catch {
    // reported above by status
  }
}
const devTarget = targets.find((t) => t.name === 'device lookup');
if (devTarget.registryBody && devTarget.bareBody) {
  try {
    const a = JSON.parse(devTarget.registryBody);
    const b = JSON.parse(devTarget.bareBody);
    if (a.shippedOn !== b.shippedOn || a.imei !== b.imei) problems.push(`device lookup: the registry says ${devTarget.registryBody}, the bare server ${devTarget.bareBody}`);
  } catch {
    // reported above by status
  }
}

const rss = [{ when: 'after start (before any load)', kb: rssKb(registry.child.pid) }];
const results = [];
targets.forEach((t, i) => (t.key = TARGET_KEYS[i]));
for (const t of targets) {
  if (!t.script && !t.path) {
    results.push({ t, skipped: 'no devices table in this schema' });
    continue;
  }
  if (ONLY && !ONLY.has(t.key)) {
    results.push({ t, skipped: 'not run (BENCH_ONLY)' });
    continue;
  }
  log(`${t.name}: warm-up ${WARMUP} s each, then ${ROUNDS} rounds of ${DURATION} s (registry, bare, ...)`);
  if (WARMUP > 0) {
    wrkRegistry(registry.base, t, WARMUP);
    wrk(bare.base, t, WARMUP);
  }
  const r = { t, registry: [], bare: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    await drain();
    if (t.rss && round === 1) rss.push({ when: `before the license-check rounds (after ${WARMUP} s warm-up)`, kb: rssKb(registry.child.pid) });
    const a = wrkRegistry(registry.base, t, DURATION);
    r.registry.push(a);
    rss.push({ when: `after ${t.name} round ${round}`, kb: rssKb(registry.child.pid) });
    const b = wrk(bare.base, t, DURATION);
    r.bare.push(b);
    log(`  round ${round} (load average ${loadavg()[0].toFixed(2)}): registry ${a.rps.toFixed(0)} req/s p99 ${a.p99.toFixed(2)} ms | bare ${b.rps.toFixed(0)} req/s p99 ${b.p99.toFixed(2)} ms`);
    for (const [who, x] of [['registry', a], ['bare', b]]) {
      if (x.non2xx || x.socketErrors) problems.push(`${t.name}, round ${round}, ${who}: ${x.non2xx} non-2xx/3xx answers, ${x.socketErrors} socket errors of ${x.requests} requests`);
    }
  }
  results.push(r);
}
rss.push({ when: 'after all request loads', kb: rssKb(registry.child.pid) });

// Public aggregates: uncached (the first request after a data-version change), cached 200, 304.
// wrk runs synchronously (execFileSync): fetch's kept-alive sockets may have been closed by the server meanwhile
// without this process noticing; a request that fails on such a socket before any answer is sent once more.
async function timed(url, headers = {}, retry = true) {
  const t0 = process.hrtime.bigint();
  let res;
  try {
    res = await fetch(url, { headers });
  } catch (e) {
    if (retry && ['EPIPE', 'ECONNRESET', 'UND_ERR_SOCKET'].includes(e.cause?.code)) return timed(url, headers, false);
    throw e;
  }
  const body = await res.arrayBuffer();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, status: res.status, etag: res.headers.get('etag'), bytes: body.byteLength };
}
const aggregates = [];
// One request at a time from this process: the registry gets every CPU back (its garbage collector's helper
// threads run beside the main one), as a server would have.
if (PIN) spawnSync('taskset', ['-a', '-p', '-c', `0-${CPUS - 1}`, String(registry.child.pid)]);
await drain();
await sleep(500); // let fetch see the sockets the server closed while wrk ran
for (const path of ['/public/v1/exports?groupBy=fiscalYear,destination', '/exports', '/public/v1/exports/chart.svg']) {
  const uncached = [];
  const cached = [];
  const notModified = [];
  let bytes = 0;
  const statuses = new Set();
  for (let run = 0; run < AGG_RUNS; run++) {
    await bumpVersions(db, ['exports']);
    const first = await timed(`${registry.base}${path}`);
    uncached.push(first.ms);
    bytes = first.bytes;
    statuses.add(first.status);
    for (let i = 0; i < 4; i++) {
      const c = await timed(`${registry.base}${path}`);
      cached.push(c.ms);
      statuses.add(c.status);
      const n = await timed(`${registry.base}${path}`, first.etag ? { 'If-None-Match': first.etag } : {});
      notModified.push(n.ms);
      if (n.status !== 304) problems.push(`${path}: If-None-Match with the ETag received answered ${n.status}, not 304`);
    }
  }
  if ([...statuses].some((s) => s !== 200)) problems.push(`${path}: answered ${[...statuses].join(', ')}`);
  aggregates.push({ path, uncached, cached, notModified, bytes });
}

// CPU profile of the license-check load (a separate registry started with --cpu-prof, the same load).
let profileSummary = null;
if (PROFILE) {
  await stopChild(registry);
  const dir = join(ARTIFACTS, 'profiles');
  mkdirSync(dir, { recursive: true });
  const before = new Set(readdirSync(dir));
  const profiled = await startRegistry(await freePort(), true);
  const target = targets[PROFILE_TARGET];
  if (!target.script && !target.path) throw new Error(`BENCH_PROFILE: ${target.name} cannot be run on this schema`);
  if (WARMUP > 0) wrk(profiled.base, target, WARMUP);
  lastRegistryLoad = Date.now();
  await drain();
  const load = wrk(profiled.base, target, DURATION);
  await stopChild(profiled);
  const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f)).map((f) => join(dir, f)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (!file) problems.push(`BENCH_PROFILE: no .cpuprofile was written in ${dir}`);
  else profileSummary = { file, load, target, ...topSelfTime(file, DURATION) };
}

await stopChild(bare);
await stopChild(registry);
// The start-up banner (stdout, printed whatever LOG_LEVEL) is not a problem; anything else is.
const registryLog = readFileSync(registry.logFile, 'utf8').split('\n').filter((l) => l.trim() && !/^License Registry is running on |^ {2}(licenses on|shipments:|API docs:|health:)/.test(l)).join('\n');
if (registryLog) problems.push(`the registry wrote to stdout/stderr (${registry.logFile}):\n${registryLog.split('\n').slice(0, 20).join('\n')}`);
const bareLog = readFileSync(bare.logFile, 'utf8').trim().split('\n').filter((l) => !l.startsWith('listening')).join('\n');
if (bareLog) problems.push(`the bare server wrote (${bare.logFile}):\n${bareLog.slice(0, 2000)}`);
await db.close();

// ---------------------------------------------------------------- report

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
out(`# Public read side: registry vs bare server (${ENGINE})`);
out();
out(`${new Date().toISOString()}, commit ${commit || '?'}, node ${process.version}, ${ENGINE}${PG ? '' : ` ${config.database.path}`}; ` +
  `${fmtInt(nLicenses)} licenses, ${fmtInt(nShipments)} shipments, ${fmtInt(nDevices)} devices. ` +
  `wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION}s, ${ROUNDS} interleaved rounds (registry, bare, ...) after a ${WARMUP} s warm-up of each; median of the rounds. ` +
  `The license number and the IMEI are chosen at random per request (wrk Lua); the search and the home page are one URL. ` +
  (PIN ? `Each server on CPU ${SERVER_CPU}, wrk on CPU ${WRK_CPUS} (BENCH_PIN). ` : 'Servers and wrk unpinned (BENCH_PIN=0). ') +
  (DRAIN > 0 ? `Each registry round starts after ${DRAIN} s without load on the registry (BENCH_DRAIN).` : 'No pause between rounds (BENCH_DRAIN=0).'));
out();
out('| request | registry req/s | p99 | bare req/s | p99 | ratio |');
out('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const r of results) {
  if (r.skipped) {
    out(`| ${r.t.label} | — | — | — | — | ${r.skipped} |`);
    continue;
  }
  const a = median(r.registry.map((x) => x.rps));
  const b = median(r.bare.map((x) => x.rps));
  out(`| ${r.t.label} | ${fmtInt(a)} | ${f2(median(r.registry.map((x) => x.p99)))} ms | ${fmtInt(b)} | ${f2(median(r.bare.map((x) => x.p99)))} ms | ${f2(a / b)} |`);
}
out();
out('Rounds (req/s): ' + results.filter((r) => !r.skipped).map((r) => `${r.t.name}: registry ${r.registry.map((x) => fmtInt(x.rps)).join(' / ')}, bare ${r.bare.map((x) => fmtInt(x.rps)).join(' / ')}`).join('; '));
out();
out(`## Public aggregates (registry only; ms per request from this process, median of ${AGG_RUNS} uncached and ${AGG_RUNS * 4} cached / 304)`);
out();
out('| request | uncached (first after a write) | min–max | cached 200 | 304 (If-None-Match) | body |');
out('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const a of aggregates) {
  out(`| GET ${a.path} | ${f1(median(a.uncached))} ms | ${f1(Math.min(...a.uncached))}–${f1(Math.max(...a.uncached))} | ${f2(median(a.cached))} ms | ${f2(median(a.notModified))} ms | ${fmtInt(a.bytes)} B |`);
}
out();
out(`"A write" here is what every audited write does to the public cache: a new \`data_versions\` token for the exports area (set in SQL by the benchmark).`);
out();
out('## Registry memory (VmRSS = RssAnon, its own, + RssFile, mapped files)');
out();
out('The database pages the SQLite readers map (RssFile) are the OS page cache of the database file, shared and given back under memory pressure; RssAnon is what the process itself holds.');
out();
for (const r of rss) out(`- ${r.when}: ${mib(r.kb.total)} (RssAnon ${mib(r.kb.anon)}, RssFile ${mib(r.kb.file)})`);
out();
out('## Disk per IMEI');
out();
if (!disk) out(devices.missing ? '- skipped: no devices table in this schema' : '- no devices loaded');
else for (const l of disk.lines) out(`- ${l}`);
out();
out('## Load times (this database; kept between runs)');
out();
const lt = (name, s, loadedNow) => `- ${name}: ${s !== undefined ? `${f1(s)} s` : 'loaded before these timings were kept'}${loadedNow ? ' (this run)' : ' (an earlier run)'}`;
out(lt(`${fmtInt(nLicenses)} companies + licenses + events`, state.licensesLoadSeconds, loads.licenses.loaded));
out(lt(`${fmtInt(nShipments)} shipments`, state.shipmentsLoadSeconds, loads.shipments.loaded));
if (!devices.missing) out(lt(`${fmtInt(nDevices)} devices`, state.devicesLoadSeconds, devices.loaded));
out(`- export rollup: ${state.rollupPending ? 'NOT rebuilt (no rollup command in this build)' : state.rollupSeconds !== undefined ? `cli ${state.rollupCommand} in ${f1(state.rollupSeconds)} s${rollupRanNow ? ' (this run)' : ' (an earlier run)'}` : 'nothing to rebuild'}`);
if (profileSummary) {
  out();
  out(`## CPU profile: ${profileSummary.target.name}, top 15 self time (last ${DURATION} s of ${profileSummary.file.replace(ROOT, '')}; ${fmtInt(profileSummary.load.rps)} req/s while profiled)`);
  out();
  out('| function | self ms | % |');
  out('| --- | ---: | ---: |');
  for (const [name, us] of profileSummary.rows) out(`| \`${name.replace(/\|/g, '\\|')}\` | ${fmtInt(us / 1000)} | ${((100 * us) / profileSummary.total).toFixed(1)} |`);
  out();
  out('Self time by package (top 10):');
  out();
  out('| package | self ms | % |');
  out('| --- | ---: | ---: |');
  for (const [name, us] of profileSummary.packages) out(`| ${name} | ${fmtInt(us / 1000)} | ${((100 * us) / profileSummary.total).toFixed(1)} |`);
}
out();
out('## Checks');
out();
for (const c of checks) out(`- ${c}`);
if (problems.length) {
  out();
  out('## Problems seen');
  out();
  for (const p of problems) out(`- ${p.replace(/\n/g, '\n  ')}`);
}
const md = `${report.join('\n')}\n`;
writeFileSync(join(ARTIFACTS, 'bench-public.md'), md);
writeFileSync(join(ARTIFACTS, `bench-public-${ENGINE}.md`), md);
log(`written: artifacts/bench-public.md, artifacts/bench-public-${ENGINE}.md`);
process.exit(0);
