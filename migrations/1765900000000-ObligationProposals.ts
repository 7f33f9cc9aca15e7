import { type MigrationInterface, type QueryRunner, TableCheck, TableColumn, TableForeignKey, TableIndex } from 'typeorm';

const inList = (column: string, values: string[]) => `"${column}" IN (${values.map((v) => `'${v}'`).join(', ')})`;

const KINDS_BEFORE = ['GRANT', 'AMEND', 'LIFECYCLE'];
const KINDS = [...KINDS_BEFORE, 'OBLIGATION_DECISION'];
const LICENSE_BEFORE = `"kind" = 'GRANT' OR ("license_id" IS NOT NULL AND "license_version" IS NOT NULL)`;

/**
 * Four eyes over decisions on license conditions (docs/rules.md, "Four eyes"): a proposal may be of the kind
 * OBLIGATION_DECISION, naming the license, the obligation and the obligation's version its proposer read
 * (`obligation_id`, `obligation_version`; no license version) and, once approved, the decision it recorded
 * (`obligation_decision_id`). The kind and license checks are replaced to allow it (SQLite rebuilds the table for
 * that; PostgreSQL alters it).
 *
 * `obligation_decisions` gains `proposed_by` and `approved_by`, like license events: decisions made before were
 * made by an ADMIN alone, unreviewed, so their `proposed_by` is their `decided_by` and `approved_by` stays empty.
 */
export class ObligationProposals1765900000000 implements MigrationInterface {
  name = 'ObligationProposals1765900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE obligation_decisions ADD COLUMN proposed_by varchar(100)');
    await q.query('ALTER TABLE obligation_decisions ADD COLUMN approved_by varchar(100)');
    await q.query('UPDATE obligation_decisions SET proposed_by = decided_by');

    await q.addColumns('proposals', [
      new TableColumn({ name: 'obligation_id', type: 'uuid', isNullable: true }),
      new TableColumn({ name: 'obligation_version', type: 'integer', isNullable: true }),
      new TableColumn({ name: 'obligation_decision_id', type: 'uuid', isNullable: true }),
    ]);
    for (const name of ['ck_proposals_kind', 'ck_proposals_license']) await q.dropCheckConstraint('proposals', name);
    await q.createCheckConstraints('proposals', [
      new TableCheck({ name: 'ck_proposals_kind', expression: inList('kind', KINDS) }),
      new TableCheck({
        name: 'ck_proposals_license',
        expression: `"kind" = 'GRANT' OR ("license_id" IS NOT NULL AND ("license_version" IS NOT NULL OR "kind" = 'OBLIGATION_DECISION'))`,
      }),
      new TableCheck({ name: 'ck_proposals_obligation', expression: `("kind" = 'OBLIGATION_DECISION') = ("obligation_id" IS NOT NULL AND "obligation_version" IS NOT NULL)` }),
    ]);
    await q.createForeignKeys('proposals', [
      new TableForeignKey({ name: 'fk_proposals_obligation', columnNames: ['obligation_id'], referencedTableName: 'obligations', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }),
      new TableForeignKey({ name: 'fk_proposals_obligation_decision', columnNames: ['obligation_decision_id'], referencedTableName: 'obligation_decisions', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }),
    ]);
    await q.createIndex('proposals', new TableIndex({ name: 'ix_proposals_obligation_id', columnNames: ['obligation_id'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query("DELETE FROM proposals WHERE kind = 'OBLIGATION_DECISION'");
    await q.dropIndex('proposals', 'ix_proposals_obligation_id');
    for (const name of ['fk_proposals_obligation_decision', 'fk_proposals_obligation']) await q.dropForeignKey('proposals', name);
    for (const name of ['ck_proposals_obligation', 'ck_proposals_license', 'ck_proposals_kind']) await q.dropCheckConstraint('proposals', name);
    await q.createCheckConstraints('proposals', [new TableCheck({ name: 'ck_proposals_kind', expression: inList('kind', KINDS_BEFORE) }), new TableCheck({ name: 'ck_proposals_license', expression: LICENSE_BEFORE })]);
    await q.dropColumns('proposals', ['obligation_decision_id', 'obligation_version', 'obligation_id']);
    await q.query('ALTER TABLE obligation_decisions DROP COLUMN approved_by');
    await q.query('ALTER TABLE obligation_decisions DROP COLUMN proposed_by');
  }
}
