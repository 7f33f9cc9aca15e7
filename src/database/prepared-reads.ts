import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

interface SqliteStatement {
  all(...params: unknown[]): unknown[];
}
interface PgPool {
  query(q: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * Reads on the public side's hot paths, prepared once per process and run on the driver itself (SQLite: a
 * better-sqlite3 statement; PostgreSQL: a named prepared statement on the pool's connections), returning plain
 * rows: no query builder, no entity hydration, no query runner per request. For a few fixed statements only;
 * everything else goes through TypeORM.
 */
@Injectable()
export class PreparedReads {
  private readonly statements = new Map<string, SqliteStatement>();

  constructor(private readonly dataSource: DataSource) {}

  get postgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  /**
   * The rows of `sql`, written with `$1, $2...` placeholders, each used once and in order (on SQLite they
   * become `?`). `name` identifies the statement: one name, one text.
   */
  async all<T>(name: string, sql: string, params: unknown[] = []): Promise<T[]> {
    if (this.postgres) {
      const pool = (this.dataSource.driver as unknown as { master: PgPool }).master;
      return (await pool.query({ name, text: sql, values: params })).rows as T[];
    }
    let statement = this.statements.get(name);
    if (!statement) {
      const db = (this.dataSource.driver as unknown as { databaseConnection: { prepare(sql: string): SqliteStatement } }).databaseConnection;
      statement = db.prepare(sql.replace(/\$\d+/g, '?'));
      this.statements.set(name, statement);
    }
    return statement.all(...params) as T[];
  }
}
