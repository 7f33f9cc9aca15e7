import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops `licenses.status`: a status written "for today" when a license changed, stale from the next day on.
 * A license's status on a day is computed from its lifecycle events, in one place (licenses/lifecycle.ts, and
 * its SQL mirror licenses/status-sql.ts for filtering): nothing read the column.
 */
export class DropLicenseStatus1765100000000 implements MigrationInterface {
  name = 'DropLicenseStatus1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE licenses DROP COLUMN status');
  }

  async down(q: QueryRunner): Promise<void> {
    // The column comes back filled with a placeholder: what it held was only ever right on the day it was written.
    await q.query("ALTER TABLE licenses ADD COLUMN status varchar(20) NOT NULL DEFAULT 'ACTIVE'");
  }
}
