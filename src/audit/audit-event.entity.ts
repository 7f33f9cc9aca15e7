import { Column, Entity, PrimaryColumn } from 'typeorm';
import { instantTransformer } from '../database/columns.js';

/**
 * One write to the register, append-only and hash-chained: hash = SHA-256(prevHash + canonical JSON of the
 * event's other fields). The database refuses UPDATE and DELETE on the table.
 */
@Entity({ name: 'audit_events' })
export class AuditEvent {
  /** 1, 2, 3...: the chain's order. */
  @PrimaryColumn({ name: 'seq', type: 'integer' }) seq: number;
  @Column({ name: 'occurred_at', type: 'varchar', length: 32, transformer: instantTransformer }) occurredAt: Date;
  /** Staff id; null for the system (seed, migrations, CLI without an account). */
  @Column({ name: 'actor_id', type: 'varchar', length: 36, nullable: true }) actorId: string | null;
  /** e.g. `license.granted`, `shipment.voided`. */
  @Column({ name: 'action', type: 'varchar', length: 40 }) action: string;
  @Column({ name: 'entity_type', type: 'varchar', length: 30 }) entityType: string;
  @Column({ name: 'entity_id', type: 'varchar', length: 100 }) entityId: string;
  @Column({ name: 'request_id', type: 'varchar', length: 100, nullable: true }) requestId: string | null;
  @Column({ name: 'reason', type: 'text', nullable: true }) reason: string | null;
  /** JSON text of the entity before and after (null for a creation / a deletion). */
  @Column({ name: 'before', type: 'text', nullable: true }) before: string | null;
  @Column({ name: 'after', type: 'text', nullable: true }) after: string | null;
  @Column({ name: 'prev_hash', type: 'varchar', length: 64 }) prevHash: string;
  @Column({ name: 'hash', type: 'varchar', length: 64 }) hash: string;
}
