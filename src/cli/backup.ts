import { spawn } from 'node:child_process';
import { copyFile, rm, stat } from 'node:fs/promises';
import { DataSource } from 'typeorm';
import type { AuditVerifyDto } from '../audit/dto/audit.dto.js';
import type { DatabaseConfig } from '../config/config.js';
import { buildDataSourceOptions } from '../database/data-source.options.js';

// Backups that are proven (`npm run cli -- backup --to FILE`, `restore --from FILE`). SQLite: the online backup
// API (readers and writers carry on), then the copy's integrity_check and its audit chain; PostgreSQL: pg_dump's
// custom format, checked by pg_restore --list, restored by pg_restore. A restore goes into an empty database only.

/** Checks the audit chain of the database `database` (an app context on it: cli/commands.ts). */
export type VerifyAudit = (database: DatabaseConfig) => Promise<AuditVerifyDto>;

interface SqliteConnection {
  backup(destination: string): Promise<unknown>;
}

/** Writes a backup of `database` to `file` and proves it; returns the lines to print and whether it is good. */
export async function backup(database: DatabaseConfig, file: string, verifyAudit: VerifyAudit): Promise<{ ok: boolean; lines: string[] }> {
  if (database.engine === 'postgres') {
    await run('pg_dump', ['--format=custom', '--no-owner', `--file=${file}`, `--dbname=${database.url}`]);
    const listed = await run('pg_restore', ['--list', file]);
    const tables = listed.split('\n').filter((l) => / TABLE DATA /.test(l)).length;
    return { ok: tables > 0, lines: [`backup written: ${file} (pg_dump custom format, ${(await stat(file)).size} bytes, ${tables} tables with data)`] };
  }
  const source = await open(database.path, 'writer');
  try {
    await (source.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection.backup(file);
  } finally {
    await source.destroy();
  }
  return prove(file, verifyAudit);
}

/** Restores `file` into `database`, which must be empty (no tables on PostgreSQL; no file or no records on SQLite). */
export async function restore(database: DatabaseConfig, file: string, verifyAudit: VerifyAudit): Promise<{ ok: boolean; lines: string[] }> {
  if (database.engine === 'postgres') {
    const target = new DataSource({ ...buildDataSourceOptions(database, 'writer'), entities: [], migrations: [] });
    await target.initialize();
    try {
      const [{ n }] = await target.query("SELECT COUNT(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'");
      if (n > 0) return { ok: false, lines: [`refused: the database in DATABASE_URL is not empty (${n} tables); restore into a new, empty database`] };
    } finally {
      await target.destroy();
    }
    await run('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', `--dbname=${database.url}`, file]);
  } else {
    if (await hasRecords(database.path)) return { ok: false, lines: [`refused: ${database.path} is not empty; restore into a new file (DATABASE_URL=sqlite:NEW_FILE)`] };
    const checked = await prove(file, verifyAudit);
    if (!checked.ok) return { ok: false, lines: [...checked.lines, 'refused: the backup does not verify'] };
    for (const suffix of ['-wal', '-shm']) await rm(`${database.path}${suffix}`, { force: true });
    await copyFile(file, database.path);
  }
  const audit = await verifyAudit(database);
  return { ok: audit.ok, lines: [`restored ${file} into ${database.engine === 'sqlite' ? database.path : 'the database in DATABASE_URL'}`, auditLine(audit)] };
}

/** A SQLite copy's integrity_check and audit chain, printed. */
async function prove(file: string, verifyAudit: VerifyAudit): Promise<{ ok: boolean; lines: string[] }> {
  const copy = await open(file, 'reader');
  let integrity: string;
  try {
    integrity = (await copy.query('PRAGMA integrity_check')).map((r: { integrity_check: string }) => r.integrity_check).join('; ');
  } finally {
    await copy.destroy();
  }
  const audit = await verifyAudit({ engine: 'sqlite', path: file });
  return { ok: integrity === 'ok' && audit.ok, lines: [`backup: ${file} (SQLite, ${(await stat(file)).size} bytes)`, `integrity_check: ${integrity}`, auditLine(audit)] };
}

function auditLine(audit: AuditVerifyDto): string {
  return audit.ok ? `audit chain: ok, ${audit.length} events, head ${audit.head}` : `audit chain: BROKEN at event ${audit.failedAt}: ${audit.problem}`;
}

async function open(path: string, role: 'reader' | 'writer'): Promise<DataSource> {
  return new DataSource({ ...buildDataSourceOptions({ engine: 'sqlite', path }, role), entities: [], migrations: [] }).initialize();
}

/** Whether a SQLite file exists and holds any staff account or audit event. */
async function hasRecords(path: string): Promise<boolean> {
  if (!(await stat(path).catch(() => null))?.size) return false;
  const db = await open(path, 'reader');
  try {
    const tables: { name: string }[] = await db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('audit_events', 'staff_users')");
    for (const { name } of tables) if ((await db.query(`SELECT 1 FROM ${name} LIMIT 1`)).length) return true;
    return false;
  } finally {
    await db.destroy();
  }
}

/** Runs a PostgreSQL client program; resolves with its stdout, rejects with its stderr. */
function run(program: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', (e) => reject(new Error(`${program} could not run: ${e.message} (install the PostgreSQL client programs)`)));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${program} failed: ${err.trim().split('\n').slice(-3).join(' ')}`))));
  });
}
