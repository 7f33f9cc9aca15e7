import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import pg from 'pg';
import type { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import { type DatabaseConfig, limitsOf } from '../config/config.js';
import { AuditEvent } from '../audit/audit-event.entity.js';
import { StaffUser } from '../auth/staff-user.entity.js';
import { IdempotencyKey } from '../idempotency/idempotency-key.entity.js';
import { Company } from '../companies/company.entity.js';
import { License } from '../licenses/license.entity.js';
import { LicenseEvent } from '../licenses/license-event.entity.js';
import { ImportRun } from '../imports/import-run.entity.js';
import { Obligation, ObligationCatalogVersion, ObligationDecision, ObligationSubmission, ObligationTemplate } from '../obligations/obligation.entity.js';
import { Proposal } from '../proposals/proposal.entity.js';
import { Device, DeviceRelease } from '../shipments/device.entity.js';
import { ExportRollupCell } from '../shipments/export-rollup.js';
import { Shipment } from '../shipments/shipment.entity.js';

export const entities = [Company, License, LicenseEvent, Shipment, Device, DeviceRelease, ExportRollupCell, StaffUser, AuditEvent, IdempotencyKey, ImportRun, Proposal, ObligationCatalogVersion, ObligationTemplate, Obligation, ObligationSubmission, ObligationDecision];

// PostgreSQL `date` (oid 1082) is read as the text it is: pg would otherwise make a local-midnight Date,
// which shifts the day in any time zone west of UTC.
pg.types.setTypeParser(1082, (value: string) => value);

/**
 * Which connection(s) the options are for. The registry reads and writes on separate connections, so that no
 * read ever sees a write that is not committed and reads never wait for writes:
 * - `reader`: every read outside a write transaction (TypeORM's default data source, the repositories, the
 *   prepared public reads). SQLite: its own connection with `query_only`, each statement (or snapshot, see
 *   database/snapshots.ts) a consistent view of what is committed (WAL). PostgreSQL: its own pool, sessions
 *   read-only by default.
 * - `writer`: the write transactions (database/transactions.ts) and the migrations. SQLite: the one writer
 *   connection; PostgreSQL: a smaller pool whose sessions carry the lock, statement and idle timeouts.
 * An in-memory SQLite database cannot be opened twice, so there one connection does both (no snapshot reads).
 */
export type ConnectionRole = 'reader' | 'writer';

/** True when reads and writes must share one connection (SQLite in memory). */
export function sharesOneConnection(database: DatabaseConfig): boolean {
  return database.engine === 'sqlite' && database.path === ':memory:';
}

/**
 * The one source of data-source options, for the app, the CLI and the tests. The schema comes
 * only from migrations: synchronize is off on every engine.
 */
export function buildDataSourceOptions(database: DatabaseConfig, role: ConnectionRole = 'writer'): DataSourceOptions {
  const common = { entities, migrations, synchronize: false, migrationsRun: false, logging: false } as const;
  const limits = limitsOf(database);
  if (database.engine === 'postgres') {
    // Session settings through the startup packet: every connection of the pool has them from its first query.
    const settings =
      role === 'writer'
        ? { lock_timeout: limits.writeWaitMs, statement_timeout: limits.statementTimeoutMs, idle_in_transaction_session_timeout: limits.idleInTransactionMs }
        : { default_transaction_read_only: 'on', statement_timeout: limits.statementTimeoutMs, idle_in_transaction_session_timeout: limits.idleInTransactionMs };
    const options = Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`).join(' ');
    return {
      ...common,
      type: 'postgres',
      url: database.url,
      // A writer that gets no connection within WRITE_WAIT_MS gives up (503 BUSY); a reader waits as long.
      extra: { max: role === 'writer' ? 5 : 10, connectionTimeoutMillis: limits.writeWaitMs, options },
    };
  }
  const memory = database.path === ':memory:';
  if (!memory) {
    ensureDirectory(dirname(database.path));
    if (isDirectory(database.path)) throw new Error(`the database path ${resolve(database.path)} is a directory; give a file path, e.g. sqlite:data/registry.sqlite`);
  }
  const reader = role === 'reader' && !memory;
  return {
    ...common,
    type: 'better-sqlite3',
    database: database.path,
    // The writer puts the file in WAL mode (it stays so); a reader must not try to change it.
    enableWAL: !memory && !reader,
    // Busy timeout: how long a statement waits for another process's lock (e.g. a CLI import beside the server).
    timeout: limits.writeWaitMs,
    // A reader reads the file through a memory map (up to SQLITE_READER_MMAP_BYTES): a page already in the OS
    // cache is read in place, without a system call and a copy (a random device lookup among millions: 8 pages).
    ...(reader ? { prepareDatabase: (db: { pragma(sql: string): unknown }) => void (db.pragma('query_only = ON'), db.pragma(`mmap_size = ${SQLITE_READER_MMAP_BYTES}`)) } : {}),
    // foreign_keys is switched on by the driver itself
  };
}

/** How much of a SQLite file a reader maps into memory: 1 GiB of address space (pages are mapped, not loaded). */
export const SQLITE_READER_MMAP_BYTES = 1024 ** 3;

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Makes the directory of a database file, one level at a time (a recursive mkdir under a path such as /proc
 * can spin for ever). Throws an Error naming the path when it is not a usable directory.
 */
export function ensureDirectory(dir: string): void {
  const path = resolve(dir);
  const missing: string[] = [];
  let at = path;
  for (;;) {
    try {
      if (!statSync(at).isDirectory()) throw new Error(`${at} is not a directory`);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot use the directory ${path}: ${(e as Error).message}`, { cause: e });
      const parent = dirname(at);
      if (parent === at) break;
      missing.unshift(at);
      at = parent;
    }
  }
  try {
    for (const d of missing) mkdirSync(d);
    accessSync(path, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`cannot use the directory ${path} for the database${code === 'EACCES' || code === 'EROFS' ? ': it is not writable' : `: ${(e as Error).message}`}`, { cause: e });
  }
}
