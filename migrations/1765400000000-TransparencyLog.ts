import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appendLeaves, type Query } from '../src/audit/log/log-nodes.js';

/**
 * The transparency log over the audit events (docs/transparency-log.md): the Merkle tree's complete subtrees
 * (`audit_log_nodes`, append-only like the events) and the signed checkpoints issued (`audit_log_checkpoints`).
 * The tree of the events already written is built here, in seq order.
 */
export class TransparencyLog1765400000000 implements MigrationInterface {
  name = 'TransparencyLog1765400000000';

  async up(q: QueryRunner): Promise<void> {
    const postgres = q.connection.options.type === 'postgres';
    const blob = postgres ? 'bytea' : 'blob';
    const big = postgres ? 'bigint' : 'integer';
    await q.query(`CREATE TABLE audit_log_nodes (node_id ${big} PRIMARY KEY, hash ${blob} NOT NULL)`);
    await q.query(
      `CREATE TABLE audit_log_checkpoints (tree_size ${big} PRIMARY KEY, root_hash varchar(44) NOT NULL, issued_at varchar(32) NOT NULL, note text NOT NULL)`,
    );
    if (postgres) {
      await q.query(`CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP; END $$`);
      for (const table of ['audit_log_nodes', 'audit_log_checkpoints']) {
        await q.query(`CREATE TRIGGER ${table}_no_update BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
        await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);
      }
    } else {
      for (const table of ['audit_log_nodes', 'audit_log_checkpoints']) {
        await q.query(`CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table} BEGIN SELECT RAISE(ABORT, '${table} is append-only: UPDATE refused'); END`);
        await q.query(`CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table} BEGIN SELECT RAISE(ABORT, '${table} is append-only: DELETE refused'); END`);
      }
    }
    const query: Query = (sql, params) => q.query(sql, params);
    const p = postgres ? '$1' : '?';
    let size = 0;
    for (;;) {
      const rows: { seq: number; hash: string }[] = await q.query(`SELECT seq, hash FROM audit_events WHERE seq > ${p} ORDER BY seq LIMIT 5000`, [size]);
      if (!rows.length) break;
      rows.forEach((r, i) => {
        if (Number(r.seq) !== size + i + 1) throw new Error(`audit event ${size + i + 1} is missing: the transparency log needs an unbroken chain (npm run cli -- audit:verify)`);
      });
      await appendLeaves(query, postgres, size, rows.map((r) => Buffer.from(r.hash, 'hex')));
      size += rows.length;
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE audit_log_checkpoints');
    await q.query('DROP TABLE audit_log_nodes');
    if (q.connection.options.type === 'postgres') await q.query('DROP FUNCTION audit_log_append_only()');
  }
}
