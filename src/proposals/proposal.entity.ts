import { Column, Entity, PrimaryColumn } from 'typeorm';
import { instantTransformer } from '../database/columns.js';
import type { LicenseChangeKind } from '../licenses/license-change.js';

/** What became of a proposal, as stored: PENDING until decided or withdrawn; EXPIRED once its lapse is recorded. */
export const STORED_PROPOSAL_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'WITHDRAWN', 'EXPIRED'] as const;
export type ProposalStatus = (typeof STORED_PROPOSAL_STATUSES)[number];

/**
 * A license decision waiting for a second person (four eyes): proposed by one staff member, approved or rejected
 * by an ADMIN who is not the proposer, or withdrawn by the proposer, within PROPOSAL_TTL_DAYS. Approval applies
 * it through LicensesService.apply() in the same transaction.
 */
@Entity({ name: 'proposals' })
export class Proposal {
  @PrimaryColumn('uuid') id: string;

  @Column({ name: 'kind', type: 'varchar', length: 20 }) kind: LicenseChangeKind;

  /** The license changed; for a grant, null until approval creates it. */
  @Column({ name: 'license_id', type: 'uuid', nullable: true }) licenseId: string | null;

  /** The license version the proposer read (If-Match), to which approval applies the change; null for a grant. */
  @Column({ name: 'license_version', type: 'integer', nullable: true }) licenseVersion: number | null;

  /** The request body of the decision's route, as validated by its DTO. */
  @Column({ name: 'payload', type: 'simple-json' }) payload: Record<string, unknown>;

  /** The stored status: a PENDING one past expiresOn reads EXPIRED (proposalStatus()) until its lapse is recorded. */
  @Column({ name: 'status', type: 'varchar', length: 20 }) status: ProposalStatus;

  @Column({ name: 'proposed_by', type: 'varchar', length: 100 }) proposedBy: string;
  @Column({ name: 'proposed_at', type: 'varchar', length: 32, transformer: instantTransformer }) proposedAt: Date;
  /** The regulator's day it was proposed. */
  @Column({ name: 'proposed_on', type: 'date' }) proposedOn: string;
  /** The last day it may be decided: proposedOn + PROPOSAL_TTL_DAYS (the setting when it was proposed). */
  @Column({ name: 'expires_on', type: 'date' }) expiresOn: string;

  /** Who approved, rejected or withdrew it; null while pending and for a lapse. */
  @Column({ name: 'decided_by', type: 'varchar', length: 100, nullable: true }) decidedBy: string | null;
  @Column({ name: 'decided_at', type: 'varchar', length: 32, nullable: true, transformer: instantTransformer }) decidedAt: Date | null;
  @Column({ name: 'decision_note', type: 'text', nullable: true }) decisionNote: string | null;

  /** The license event the approval wrote; null otherwise (and for an amendment that changed nothing). */
  @Column({ name: 'license_event_id', type: 'uuid', nullable: true }) licenseEventId: string | null;

  /** Incremented on every change; sent as the ETag, required back in If-Match. */
  @Column({ name: 'version', type: 'integer' }) version: number;
}
