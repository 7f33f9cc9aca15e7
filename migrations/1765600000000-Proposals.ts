import { type MigrationInterface, type QueryRunner, Table, TableCheck, TableForeignKey, TableIndex } from 'typeorm';

const instant = (name: string, nullable = false) => ({ name, type: 'varchar', length: '32', isNullable: nullable });
const inList = (column: string, values: string[]) => `"${column}" IN (${values.map((v) => `'${v}'`).join(', ')})`;

/**
 * Four eyes (docs/rules.md, "Four eyes"): `proposals` holds each license decision (grant, amendment, lifecycle
 * action) proposed by one staff member until an ADMIN other than the proposer approves or rejects it, the proposer
 * withdraws it, or it lapses. `payload` is the request body of the decision's route, as JSON text.
 *
 * `license_events` gains `proposed_by` and `approved_by`. Events written before four eyes were decided by the
 * staff member who recorded them, unreviewed: their `proposed_by` is their `recorded_by`, `approved_by` null.
 */
export class Proposals1765600000000 implements MigrationInterface {
  name = 'Proposals1765600000000';

  async up(q: QueryRunner): Promise<void> {
    // Plain ALTER TABLE on both engines: TypeORM's addColumn rebuilds the whole table on SQLite.
    await q.query('ALTER TABLE license_events ADD COLUMN proposed_by varchar(100)');
    await q.query('ALTER TABLE license_events ADD COLUMN approved_by varchar(100)');
    await q.query('UPDATE license_events SET proposed_by = recorded_by');
    await q.createTable(
      new Table({
        name: 'proposals',
        columns: [
          { name: 'id', type: 'uuid', isPrimary: true },
          { name: 'kind', type: 'varchar', length: '20', isNullable: false },
          // The license changed; a grant's only once approved (the license it created).
          { name: 'license_id', type: 'uuid', isNullable: true },
          // The license's version the proposer read (If-Match): approval applies the change to that version only.
          { name: 'license_version', type: 'integer', isNullable: true },
          { name: 'payload', type: 'text', isNullable: false },
          // PENDING, or how it ended; EXPIRED once a lapse is recorded (a PENDING one past expires_on reads EXPIRED before).
          { name: 'status', type: 'varchar', length: '20', isNullable: false },
          { name: 'proposed_by', type: 'varchar', length: '100', isNullable: false },
          instant('proposed_at'),
          // The regulator's day it was proposed, and the last day it may be decided (proposed_on + PROPOSAL_TTL_DAYS).
          { name: 'proposed_on', type: 'date', isNullable: false },
          { name: 'expires_on', type: 'date', isNullable: false },
          { name: 'decided_by', type: 'varchar', length: '100', isNullable: true },
          instant('decided_at', true),
          { name: 'decision_note', type: 'text', isNullable: true },
          // The license event an approval wrote (none for an amendment that changed nothing).
          { name: 'license_event_id', type: 'uuid', isNullable: true },
          { name: 'version', type: 'integer', isNullable: false },
        ],
        checks: [
          new TableCheck({ name: 'ck_proposals_kind', expression: inList('kind', ['GRANT', 'AMEND', 'LIFECYCLE']) }),
          new TableCheck({ name: 'ck_proposals_status', expression: inList('status', ['PENDING', 'APPROVED', 'REJECTED', 'WITHDRAWN', 'EXPIRED']) }),
          new TableCheck({ name: 'ck_proposals_license', expression: `"kind" = 'GRANT' OR ("license_id" IS NOT NULL AND "license_version" IS NOT NULL)` }),
          new TableCheck({ name: 'ck_proposals_decided', expression: `"status" = 'PENDING' OR "decided_at" IS NOT NULL` }),
          new TableCheck({ name: 'ck_proposals_applied', expression: `"status" <> 'APPROVED' OR "license_id" IS NOT NULL` }),
        ],
        foreignKeys: [
          new TableForeignKey({ name: 'fk_proposals_license', columnNames: ['license_id'], referencedTableName: 'licenses', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }),
          new TableForeignKey({ name: 'fk_proposals_license_event', columnNames: ['license_event_id'], referencedTableName: 'license_events', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }),
        ],
        indices: [
          new TableIndex({ name: 'ix_proposals_status_expires_on', columnNames: ['status', 'expires_on'] }),
          new TableIndex({ name: 'ix_proposals_license_id', columnNames: ['license_id'] }),
          new TableIndex({ name: 'ix_proposals_proposed_by', columnNames: ['proposed_by'] }),
          new TableIndex({ name: 'ix_proposals_proposed_at', columnNames: ['proposed_at'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('proposals');
    await q.query('ALTER TABLE license_events DROP COLUMN approved_by');
    await q.query('ALTER TABLE license_events DROP COLUMN proposed_by');
  }
}
