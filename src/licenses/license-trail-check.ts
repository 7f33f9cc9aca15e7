import type { EntityManager } from 'typeorm';

/** At most this many disagreements are read (verify lists at most 1000 failures anyway). */
const LIMIT = 1000;

/**
 * The register's license history against the audit trail, which the transparency log seals: every license audit
 * record (`license.<type>`, written with its event by LicensesService) must have its event in `license_events`
 * (`audit_seq`), and every event with an `audit_seq` must name a record of the same license and type. So an event
 * deleted from the register (a suspension, say, making a license look valid), or one moved to another license or
 * type, is reported at the seq of its record. Licenses with events written before events kept their record's seq
 * (`audit_seq` null: see migration 1765500000000) are not checked in the first direction.
 */
export async function licenseEventsAgainstTrail(m: EntityManager): Promise<{ seq: number; problem: string }[]> {
  const missing: { seq: number | string; action: string; entity_id: string }[] = await m.query(
    `SELECT a.seq, a.action, a.entity_id FROM audit_events a
     WHERE a.entity_type = 'license'
       AND NOT EXISTS (SELECT 1 FROM license_events e WHERE e.audit_seq = a.seq)
       AND NOT EXISTS (SELECT 1 FROM license_events l WHERE CAST(l.license_id AS varchar(36)) = a.entity_id AND l.audit_seq IS NULL)
     ORDER BY a.seq LIMIT ${LIMIT}`,
  );
  const wrong: { audit_seq: number | string; type: string; license_id: string; action: string | null; entity_id: string | null }[] = await m.query(
    `SELECT e.audit_seq, e.type, e.license_id, a.action, a.entity_id FROM license_events e
     LEFT JOIN audit_events a ON a.seq = e.audit_seq AND a.entity_type = 'license'
     WHERE e.audit_seq IS NOT NULL
       AND (a.seq IS NULL OR a.entity_id <> CAST(e.license_id AS varchar(36)) OR a.action <> 'license.' || LOWER(e.type))
     ORDER BY e.audit_seq LIMIT ${LIMIT}`,
  );
  return [
    ...missing.map((r) => ({
      seq: Number(r.seq),
      problem: `the register has no license event for this audit record (${r.action} of license ${r.entity_id}): it was removed from license_events`,
    })),
    ...wrong.map((r) => ({
      seq: Number(r.audit_seq),
      problem: r.action
        ? `the license event ${r.type} of license ${r.license_id} names this audit record, which is ${r.action} of license ${r.entity_id}: the register was changed`
        : `the license event ${r.type} of license ${r.license_id} names audit record ${r.audit_seq}, which is not a license record: the register was changed`,
    })),
  ];
}
