import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An index on `license_events.audit_seq`: audit verify checks that every license audit record has its event and
 * every event its record (licenses/license-trail-check.ts), one lookup per record.
 */
export class LicenseEventAuditSeqIndex1765700000000 implements MigrationInterface {
  name = 'LicenseEventAuditSeqIndex1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX ix_license_events_audit_seq ON license_events (audit_seq)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX ix_license_events_audit_seq');
  }
}
