import { Column, Entity, PrimaryColumn } from 'typeorm';
import { instantTransformer } from '../database/columns.js';
import { LICENSE_CHANGE_KINDS } from '../licenses/license-change.js';

/** What a proposal decides: a license decision (GRANT, AMEND, LIFECYCLE) or a decision on a license condition. */
export const PROPOSAL_KINDS = [...LICENSE_CHANGE_KINDS, 'OBLIGATION_DECISION'] as const;
export type ProposalKind = (typeof PROPOSAL_KINDS)[number];

/** What became of a proposal, as stored: PENDING until decided or withdrawn; EXPIRED once its lapse is recorded. */
export const STORED_PROPOSAL_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'WITHDRAWN', 'EXPIRED'] as const;
export type ProposalStatus = (typeof STORED_PROPOSAL_STATUSES)[number];

/**
 * A license decision, or a decision on a license condition, waiting for a second person (four eyes): proposed by
 * one staff member, approved or rejected by an ADMIN who is not the proposer, or withdrawn by the proposer, within
 * PROPOSAL_TTL_DAYS. Approval applies it through LicensesService.apply() or ObligationDecisionsService.apply() in
 * the same transaction.
 */
@Entity({ name: 'proposals' })
export class Proposal {
  @PrimaryColumn('uuid') id: string;

  @Column({ name: 'kind', type: 'varchar', length: 20 }) kind: ProposalKind;

  /** The license changed; for a grant, null until approval creates it. */
  @Column({ name: 'license_id', type: 'uuid', nullable: true }) licenseId: string | null;

  /** The license version the proposer read (If-Match), to which approval applies the change; null for a grant and an OBLIGATION_DECISION. */
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

  /** OBLIGATION_DECISION: the condition decided, and its version the proposer read (If-Match), to which approval applies the decision. */
  @Column({ name: 'obligation_id', type: 'uuid', nullable: true }) obligationId: string | null;
  @Column({ name: 'obligation_version', type: 'integer', nullable: true }) obligationVersion: number | null;
  /** OBLIGATION_DECISION: the decision its approval recorded. */
  @Column({ name: 'obligation_decision_id', type: 'uuid', nullable: true }) obligationDecisionId: string | null;

  /** Incremented on every change; sent as the ETag, required back in If-Match. */
  @Column({ name: 'version', type: 'integer' }) version: number;
}
