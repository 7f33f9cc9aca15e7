import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * Every import leaves a record from its start: `imports.outcome` may be RUNNING (until it ends), FAILED (a
 * database error; `failure` says which) or INTERRUPTED (its process stopped; set at the next start).
 * `runner` names the process (host/pid) that runs it; `finished_at` is empty while it runs.
 */
export class ImportRuns1765000000000 implements MigrationInterface {
  name = 'ImportRuns1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('imports', [
      new TableColumn({ name: 'runner', type: 'varchar', length: '160', isNullable: true }),
      new TableColumn({ name: 'failure', type: 'varchar', length: '500', isNullable: true }),
    ]);
    await q.changeColumn('imports', 'finished_at', new TableColumn({ name: 'finished_at', type: 'varchar', length: '32', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query("UPDATE imports SET finished_at = started_at WHERE finished_at IS NULL");
    await q.changeColumn('imports', 'finished_at', new TableColumn({ name: 'finished_at', type: 'varchar', length: '32', isNullable: false }));
    await q.dropColumns('imports', ['runner', 'failure']);
  }
}
