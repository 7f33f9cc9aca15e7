import { type MigrationInterface, type QueryRunner, Table, TableCheck, TableIndex, TableUnique } from 'typeorm';

const instant = (name: string, nullable = false) => ({ name, type: 'varchar', length: '32', isNullable: nullable });
const varchar = (name: string, length: number, nullable = false) => ({ name, type: 'varchar', length: String(length), isNullable: nullable });

/**
 * Staff accounts, the hash-chained audit trail and idempotency keys.
 * The append-only triggers are the one engine-specific part: SQLite and PostgreSQL write triggers differently.
 */
export class StaffAuditIdempotency1764500000000 implements MigrationInterface {
  name = 'StaffAuditIdempotency1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'staff_users',
        columns: [
          { name: 'id', type: 'uuid', isPrimary: true },
          varchar('email', 254),
          varchar('display_name', 200),
          varchar('role', 10),
          varchar('password_hash', 255),
          { name: 'active', type: 'boolean', isNullable: false },
          instant('tokens_valid_after', true),
          instant('last_login_at', true),
          instant('created_at'),
          instant('updated_at'),
          { name: 'version', type: 'integer', isNullable: false },
        ],
        uniques: [new TableUnique({ name: 'uq_staff_users_email', columnNames: ['email'] })],
        checks: [new TableCheck({ name: 'ck_staff_users_role', expression: `"role" IN ('ADMIN', 'OFFICER', 'ANALYST')` })],
      }),
    );

    await q.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          { name: 'seq', type: 'integer', isPrimary: true },
          instant('occurred_at'),
          varchar('actor_id', 36, true),
          varchar('action', 40),
          varchar('entity_type', 30),
          varchar('entity_id', 100),
          varchar('request_id', 100, true),
          { name: 'reason', type: 'text', isNullable: true },
          { name: 'before', type: 'text', isNullable: true },
          { name: 'after', type: 'text', isNullable: true },
          varchar('prev_hash', 64),
          varchar('hash', 64),
        ],
        indices: [
          new TableIndex({ name: 'ix_audit_events_entity', columnNames: ['entity_type', 'entity_id'] }),
          new TableIndex({ name: 'ix_audit_events_actor', columnNames: ['actor_id'] }),
          new TableIndex({ name: 'ix_audit_events_occurred_at', columnNames: ['occurred_at'] }),
        ],
      }),
    );

    if (q.connection.options.type === 'postgres') {
      await q.query(`CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP; END $$`);
      await q.query(`CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
      await q.query(`CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);
    } else {
      await q.query(`CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END`);
      await q.query(`CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END`);
    }

    await q.createTable(
      new Table({
        name: 'idempotency_keys',
        columns: [
          { name: 'actor_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'key', type: 'varchar', length: '200', isPrimary: true },
          varchar('method', 10),
          varchar('path', 300),
          varchar('request_hash', 64),
          { name: 'response_status', type: 'integer', isNullable: true },
          { name: 'response_body', type: 'text', isNullable: true },
          instant('created_at'),
        ],
        indices: [new TableIndex({ name: 'ix_idempotency_keys_created_at', columnNames: ['created_at'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('idempotency_keys');
    if (q.connection.options.type === 'postgres') {
      await q.query('DROP TRIGGER audit_events_no_truncate ON audit_events');
      await q.query('DROP TRIGGER audit_events_no_update ON audit_events');
      await q.query('DROP FUNCTION audit_events_append_only()');
    }
    await q.dropTable('audit_events');
    await q.dropTable('staff_users');
  }
}
