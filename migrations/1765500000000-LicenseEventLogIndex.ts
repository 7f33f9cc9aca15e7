import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `license_events.audit_seq`: the seq of the audit event that recorded the license event (written in the same
 * transaction), so that the public history can give each event's leaf index in the transparency log
 * (audit_seq - 1) with the rows it reads anyway. Null when unknown.
 *
 * Existing events are paired with their audit events per license and type: the k-th event of a type with the
 * k-th audit event of that license whose action is `license.<type>` (both in seq order). Where a license has
 * not as many events of a type as such audit events (e.g. events written before there was an audit trail),
 * the pairing cannot be known: those events are left null and counted in a warning, never guessed.
 * The register's data version moves on, since every public history now reads differently.
 */
export class LicenseEventLogIndex1765500000000 implements MigrationInterface {
  name = 'LicenseEventLogIndex1765500000000';

  async up(q: QueryRunner): Promise<void> {
    const postgres = q.connection.options.type === 'postgres';
    // Plain ALTER TABLE on both engines: TypeORM's addColumn rebuilds the whole table on SQLite.
    await q.query('ALTER TABLE license_events ADD COLUMN audit_seq integer');
    await q.query(`
      WITH e AS (
        SELECT id, CAST(license_id AS varchar(36)) AS license_id, 'license.' || LOWER(type) AS action,
               ROW_NUMBER() OVER (PARTITION BY license_id, type ORDER BY seq) AS k,
               COUNT(*) OVER (PARTITION BY license_id, type) AS n
        FROM license_events
      ),
      a AS (
        SELECT seq, entity_id, action,
               ROW_NUMBER() OVER (PARTITION BY entity_id, action ORDER BY seq) AS k,
               COUNT(*) OVER (PARTITION BY entity_id, action) AS n
        FROM audit_events WHERE entity_type = 'license' AND action LIKE 'license.%'
      ),
      pairs AS (
        SELECT e.id, a.seq FROM e JOIN a ON a.entity_id = e.license_id AND a.action = e.action AND a.k = e.k AND a.n = e.n
      )
      UPDATE license_events SET audit_seq = pairs.seq FROM pairs WHERE license_events.id = pairs.id`);
    const [{ unknown }] = await q.query('SELECT COUNT(*) AS unknown FROM license_events WHERE audit_seq IS NULL');
    if (Number(unknown) > 0) {
      new Logger('Migration LicenseEventLogIndex').warn(
        `${unknown} license event(s) could not be paired one to one with an audit event of their license and type: their log index stays unknown (null)`,
      );
    }
    await q.query(`UPDATE data_versions SET version = ${postgres ? '$1' : '?'} WHERE area = 'register'`, [randomBytes(9).toString('base64url')]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX IF EXISTS ix_license_events_audit_seq'); // a later migration's, on this column
    await q.query('ALTER TABLE license_events DROP COLUMN audit_seq');
  }
}
