import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { instantTransformer } from '../database/columns.js';
import { License } from './license.entity.js';
import type { BaseStatus, LicenseEventType } from './lifecycle.js';

/**
 * One step of a license's lifecycle; append-only, the source of truth for status. `statusAfter` and
 * `expiresOnAfter` record the state the event left, so the status on any date is one indexed lookup.
 */
@Entity({ name: 'license_events' })
export class LicenseEvent {
  @PrimaryColumn('uuid') id: string;

  @Column({ name: 'license_id', type: 'uuid' }) licenseId: string;

  @ManyToOne(() => License, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'license_id' })
  license?: Relation<License>;

  /** 1, 2, 3... per license, in effective-date order (unique with licenseId). */
  @Column({ name: 'seq', type: 'integer' }) seq: number;

  @Column({ name: 'type', type: 'varchar', length: 20 }) type: LicenseEventType;
  @Column({ name: 'effective_on', type: 'date' }) effectiveOn: string;
  @Column({ name: 'reason', type: 'text', nullable: true }) reason: string | null;
  @Column({ name: 'data', type: 'simple-json', nullable: true }) data: Record<string, unknown> | null;
  @Column({ name: 'status_after', type: 'varchar', length: 20 }) statusAfter: BaseStatus;
  @Column({ name: 'expires_on_after', type: 'date' }) expiresOnAfter: string;
  @Column({ name: 'recorded_at', type: 'varchar', length: 32, transformer: instantTransformer }) recordedAt: Date;
  /** The staff member whose request wrote the event (under four eyes: the approver); null for the system (seed, CLI). */
  @Column({ name: 'recorded_by', type: 'varchar', length: 100, nullable: true }) recordedBy: string | null;
  /** The staff member who proposed the decision (the maker); null for the system. Events older than four eyes: their recorder. */
  @Column({ name: 'proposed_by', type: 'varchar', length: 100, nullable: true }) proposedBy: string | null;
  /** The ADMIN who approved the proposal (the checker); null when the decision was not reviewed (FOUR_EYES=false, the seed, events older than four eyes). */
  @Column({ name: 'approved_by', type: 'varchar', length: 100, nullable: true }) approvedBy: string | null;
  /**
   * The seq of the audit event that recorded this event, in the same transaction: its leaf index in the
   * transparency log is auditSeq - 1. Null when unknown (an event older than the audit trail).
   */
  @Column({ name: 'audit_seq', type: 'integer', nullable: true }) auditSeq: number | null;
}
