import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * What public answers are made of, each with its own version: `register` (companies, licenses and their
 * events) and `exports` (shipments and their devices).
 */
export const DATA_AREAS = ['register', 'exports'] as const;
export type DataArea = (typeof DATA_AREAS)[number];
export type DataVersionSet = Record<DataArea, string>;

interface SqliteStatement {
  all(): { area: string; version: string }[];
}
interface PgPool {
  query(q: { name: string; text: string }): Promise<{ rows: { area: string; version: string }[] }>;
}

const READ_SQL = 'SELECT area, version FROM data_versions';

/**
 * The version of each data area, kept in the database (table `data_versions`) so that every instance and
 * process sharing it (a CLI import beside the server) sees every change.
 *
 * A version is a random token, replaced by every write transaction that changes the area, inside that
 * transaction: it commits with the change, and a rolled-back transaction's token is never seen again, so a
 * response computed from uncommitted data can never be served later as current. Public ETags and the public
 * response cache are derived from these tokens (see public/public-cache.ts).
 */
@Injectable()
export class DataVersions {
  private sqliteRead?: SqliteStatement;

  constructor(private readonly dataSource: DataSource) {}

  /** Replaces the tokens of `areas`, inside the caller's write transaction. */
  async bump(m: EntityManager, areas: Iterable<DataArea>): Promise<void> {
    const list = [...new Set(areas)];
    if (!list.length) return;
    const postgres = m.connection.options.type === 'postgres';
    const marks = list.map((_, i) => (postgres ? `$${i + 2}` : '?')).join(', ');
    await m.query(`UPDATE data_versions SET version = ${postgres ? '$1' : '?'} WHERE area IN (${marks})`, [newToken(), ...list]);
  }

  /**
   * The current token of every area: one small query, run on the driver directly (a prepared statement on
   * SQLite, a named statement on PostgreSQL) because the public fast path runs it on every request.
   */
  async current(): Promise<DataVersionSet> {
    const rows = this.dataSource.options.type === 'postgres' ? (await this.pool().query({ name: 'data-versions', text: READ_SQL })).rows : this.statement().all();
    const set = {} as DataVersionSet;
    for (const r of rows) set[r.area as DataArea] = r.version;
    return set;
  }

  private statement(): SqliteStatement {
    this.sqliteRead ??= (this.dataSource.driver as unknown as { databaseConnection: { prepare(sql: string): SqliteStatement } }).databaseConnection.prepare(READ_SQL);
    return this.sqliteRead;
  }

  private pool(): PgPool {
    return (this.dataSource.driver as unknown as { master: PgPool }).master;
  }
}

function newToken(): string {
  return randomBytes(9).toString('base64url');
}
