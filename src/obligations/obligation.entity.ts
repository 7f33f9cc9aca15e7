import { Column, Entity, PrimaryColumn } from 'typeorm';
import { instantTransformer } from '../database/columns.js';
import type { ObligationDecisionType, ObligationKind } from './obligation-rules.js';

/** One version of the catalog of license conditions: never edited, replaced by a newer version. */
@Entity({ name: 'obligation_catalog_versions' })
export class ObligationCatalogVersion {
  @PrimaryColumn({ name: 'version', type: 'integer' }) version: number;
  /** Licenses issued on or after this day (and before the next version's) get this version's conditions. */
  @Column({ name: 'effective_from', type: 'date' }) effectiveFrom: string;
  @Column({ name: 'note', type: 'text' }) note: string;
  @Column({ name: 'created_at', type: 'varchar', length: 32, transformer: instantTransformer }) createdAt: Date;
  /** The ADMIN who added it; null for the version the upgrade loaded. */
  @Column({ name: 'created_by', type: 'varchar', length: 100, nullable: true }) createdBy: string | null;
}

/** A condition of a catalog version. */
@Entity({ name: 'obligation_templates' })
export class ObligationTemplate {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'catalog_version', type: 'integer' }) catalogVersion: number;
  @Column({ name: 'sort_order', type: 'integer' }) sortOrder: number;
  @Column({ name: 'code', type: 'varchar', length: 50 }) code: string;
  @Column({ name: 'title_en', type: 'varchar', length: 300 }) titleEn: string;
  @Column({ name: 'title_ur', type: 'varchar', length: 300 }) titleUr: string;
  @Column({ name: 'kind', type: 'varchar', length: 20 }) kind: ObligationKind;
  /** PERCENT_TARGET: hundredths of a percent (10% = 1000) of `measuredItem` made locally. */
  @Column({ name: 'target_hundredths', type: 'integer', nullable: true }) targetHundredths: number | null;
  @Column({ name: 'measured_item', type: 'varchar', length: 200, nullable: true }) measuredItem: string | null;
  /** `P1Y`, `P2Y`; a RECURRING_REPORT's period (`P3M`): each report is due at the end of its period. */
  @Column({ name: 'due_offset', type: 'varchar', length: 10 }) dueOffset: string;
  @Column({ name: 'source', type: 'text' }) source: string;
  /** True when the source is a report of the rule (press summaries), not its text. */
  @Column({ name: 'as_reported', type: 'boolean' }) asReported: boolean;
}

/** One condition of one license (one per period for a recurring report), dated from the license's issue date. */
@Entity({ name: 'obligations' })
export class Obligation {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'license_id', type: 'uuid' }) licenseId: string;
  @Column({ name: 'template_id', type: 'uuid' }) templateId: string;
  /** 0 for a one-off condition; 1, 2, ... for the periods of a recurring report. */
  @Column({ name: 'period', type: 'integer' }) period: number;
  /** The day the condition starts to apply (the issue date, or the period's first day). */
  @Column({ name: 'starts_on', type: 'date' }) startsOn: string;
  /** The original due date (inclusive); extensions are decisions. */
  @Column({ name: 'due_on', type: 'date' }) dueOn: string;
  @Column({ name: 'created_at', type: 'varchar', length: 32, transformer: instantTransformer }) createdAt: Date;
  @Column({ name: 'version', type: 'integer' }) version: number;
}

/** Evidence submitted for an obligation (staff record it). */
@Entity({ name: 'obligation_submissions' })
export class ObligationSubmission {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'obligation_id', type: 'uuid' }) obligationId: string;
  @Column({ name: 'submitted_on', type: 'date' }) submittedOn: string;
  @Column({ name: 'value_hundredths', type: 'integer', nullable: true }) valueHundredths: number | null;
  @Column({ name: 'note', type: 'text', nullable: true }) note: string | null;
  /** The document's SHA-256 (its name in the document store), media type and size. */
  @Column({ name: 'document_sha256', type: 'varchar', length: 64, nullable: true }) documentSha256: string | null;
  @Column({ name: 'document_type', type: 'varchar', length: 50, nullable: true }) documentType: string | null;
  @Column({ name: 'document_bytes', type: 'integer', nullable: true }) documentBytes: number | null;
  @Column({ name: 'recorded_at', type: 'varchar', length: 32, transformer: instantTransformer }) recordedAt: Date;
  @Column({ name: 'recorded_by', type: 'varchar', length: 100, nullable: true }) recordedBy: string | null;
}

/** A decision on an obligation: a submission accepted or rejected, the due date extended, or the condition waived. */
@Entity({ name: 'obligation_decisions' })
export class ObligationDecision {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'obligation_id', type: 'uuid' }) obligationId: string;
  /** 1, 2, ... per obligation, in the order made. */
  @Column({ name: 'seq', type: 'integer' }) seq: number;
  @Column({ name: 'decision', type: 'varchar', length: 10 }) decision: ObligationDecisionType;
  @Column({ name: 'submission_id', type: 'uuid', nullable: true }) submissionId: string | null;
  @Column({ name: 'new_due_on', type: 'date', nullable: true }) newDueOn: string | null;
  @Column({ name: 'reason', type: 'text' }) reason: string;
  /** The registry's day it was made: it counts for the status from that day. */
  @Column({ name: 'decided_on', type: 'date' }) decidedOn: string;
  @Column({ name: 'decided_at', type: 'varchar', length: 32, transformer: instantTransformer }) decidedAt: Date;
  /** Whose request recorded it: the ADMIN deciding alone, or under four eyes the approver. */
  @Column({ name: 'decided_by', type: 'varchar', length: 100, nullable: true }) decidedBy: string | null;
  /** Who made it (four eyes: the proposer). */
  @Column({ name: 'proposed_by', type: 'varchar', length: 100, nullable: true }) proposedBy: string | null;
  /** The ADMIN who approved its proposal; null when it was made without review (FOUR_EYES=false, or before four eyes). */
  @Column({ name: 'approved_by', type: 'varchar', length: 100, nullable: true }) approvedBy: string | null;
}
