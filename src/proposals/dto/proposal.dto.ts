import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageDto, PageQuery } from '../../common/pagination.js';
import { IsReason, IsUuid } from '../../common/validation/decorators.js';
import { AmendLicenseDto, CreateLicenseEventDto, GrantLicenseDto } from '../../licenses/dto/license.dto.js';
import { CreateDecisionDto } from '../../obligations/dto/obligation.dto.js';
import { PROPOSAL_KINDS, type ProposalKind, type ProposalStatus, STORED_PROPOSAL_STATUSES } from '../proposal.entity.js';

/** The OpenAPI description of the proposals tag: the four-eyes flow, by example. */
export const PROPOSALS_TAG_DESCRIPTION = [
  'Four eyes over license decisions (FOUR_EYES, on by default): a grant, amendment or lifecycle action is proposed by one staff member and applied only when an ADMIN ' +
    'who is not the proposer approves it. For example, a suspension:',
  '1. An officer proposes it: `POST /api/v1/licenses/{id}/events` with `If-Match: "3"` and ' +
    '`{"type": "SUSPENDED", "effectiveOn": "2022-03-01", "reason": "Show-cause notice 12/2022 unanswered"}`. Every rule of the direct write is checked now; the answer is ' +
    '**202 Accepted** with the proposal (`status: PENDING`, `licenseVersion: 3`, `expiresOn`), `Location: /api/v1/proposals/{pid}` and `ETag: "1"`. The license is unchanged.',
  '2. An ADMIN lists what waits (`GET /api/v1/proposals?status=PENDING`) and approves it: `POST /api/v1/proposals/{pid}/approve` with `If-Match: "1"` and ' +
    '`{"note": "Order on file"}`. The suspension is applied then, every rule checked again, in the same transaction: **200** with the proposal `APPROVED`, its ' +
    '`licenseId` and `licenseEventId`; the license\'s SUSPENDED event names its proposer and approver (`proposedBy`, `approvedBy`), and so does its audit record. Had a rule stopped holding ' +
    'meanwhile (say, the license was suspended by another proposal), the answer would be **409 PROPOSAL_CONFLICT** naming it (`rule: TRANSITION_NOT_ALLOWED`), nothing written, the proposal still PENDING.',
  '3. Or the ADMIN rejects it (`POST .../reject`, a reason required), or the officer withdraws it (`POST .../withdraw`). Not decided by `expiresOn` ' +
    '(PROPOSAL_TTL_DAYS, default 30, after the day it was proposed), it is EXPIRED.',
  'Decisions on license conditions (`POST /api/v1/licenses/{id}/obligations/{obligationId}/decisions`: ACCEPT, REJECT, EXTEND, WAIVE) go the same way, as proposals ' +
    'of the kind `OBLIGATION_DECISION` naming the condition (`obligationId`) and the version its proposer read (`obligationVersion`); approved, the decision is made ' +
    'then (`obligationDecisionId`), every rule checked again (e.g. an extension past the 2-year limit, a condition MET meanwhile: **409 PROPOSAL_CONFLICT** with `rule`).',
].join('\n\n');

/** A proposal's status as read: the stored one, or EXPIRED for a PENDING one past its last day. */
export const PROPOSAL_STATUSES = STORED_PROPOSAL_STATUSES;

export class ListProposalsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: PROPOSAL_STATUSES, description: "Status today (a PENDING proposal past its last day is EXPIRED)" })
  @IsOptional()
  @IsIn(PROPOSAL_STATUSES)
  status?: ProposalStatus;

  @ApiPropertyOptional({ enum: PROPOSAL_KINDS })
  @IsOptional()
  @IsIn(PROPOSAL_KINDS)
  kind?: ProposalKind;

  @ApiPropertyOptional({ format: 'uuid', description: 'Proposals about this license (a grant: once approved)' })
  @IsOptional()
  @IsUuid()
  licenseId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Proposals of decisions on this license condition (OBLIGATION_DECISION)' })
  @IsOptional()
  @IsUuid()
  obligationId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Staff id of the proposer' })
  @IsOptional()
  @IsUuid()
  proposedBy?: string;
}

export class ApproveProposalDto {
  @IsReason({ required: false, description: 'A note on the approval (kept in the audit trail)', example: 'Checked against the order on file' })
  note?: string;
}

export class RejectProposalDto {
  @IsReason({ required: true, description: 'Why it is refused (kept in the audit trail)', example: 'The suspension order is not signed yet' })
  reason: string;
}

export class WithdrawProposalDto {
  @IsReason({ required: false, description: 'Why it is withdrawn (kept in the audit trail)', example: 'Entered against the wrong license' })
  reason?: string;
}

export class ProposalLinksDto {
  @ApiProperty({ example: '/api/v1/proposals/5b0d6f0e-3c2a-4c1e-9a51-0c1f3e2d4b6a' }) self: string;
  @ApiProperty({ nullable: true, type: String, example: '/api/v1/licenses/0b9e4d2a-8f3c-4e51-a2d7-6c5b4a3f2e1d', description: 'The license (a grant: once approved)' })
  license: string | null;
  @ApiProperty({ example: '/api/v1/audit?entityType=proposal&entityId=5b0d6f0e-3c2a-4c1e-9a51-0c1f3e2d4b6a', description: 'The audit trail of this proposal' })
  @ApiProperty({ nullable: true, type: String, example: '/api/v1/licenses/0b9e4d2a-8f3c-4e51-a2d7-6c5b4a3f2e1d/obligations', description: "OBLIGATION_DECISION: the license's conditions" })
  obligations: string | null;
  history: string;
}

export class ProposalDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({
    enum: PROPOSAL_KINDS,
    example: 'LIFECYCLE',
    description: 'GRANT (POST /licenses), AMEND (PATCH /licenses/{id}), LIFECYCLE (POST /licenses/{id}/events) or OBLIGATION_DECISION (POST /licenses/{id}/obligations/{obligationId}/decisions)',
  })
  kind: ProposalKind;
  @ApiProperty({ enum: PROPOSAL_STATUSES, example: 'PENDING', description: 'EXPIRED: not decided by expiresOn' }) status: ProposalStatus;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The license; for a grant, null until approved' }) licenseId: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 3, description: 'The license version it was proposed against (If-Match); approval applies it to that version only. Null for a grant and an OBLIGATION_DECISION' })
  licenseVersion: number | null;
  @ApiProperty({
    description: 'The request body of the route it stands for, as validated there',
    oneOf: [{ $ref: getSchemaPath(GrantLicenseDto) }, { $ref: getSchemaPath(AmendLicenseDto) }, { $ref: getSchemaPath(CreateLicenseEventDto) }, { $ref: getSchemaPath(CreateDecisionDto) }],
    example: { type: 'SUSPENDED', effectiveOn: '2022-03-01', reason: 'Show-cause notice 12/2022 unanswered' },
  })
  payload: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String, example: 'Show-cause notice 12/2022 unanswered', description: "The proposer's reason: the payload's `reason`" }) reason: string | null;
  @ApiProperty({ format: 'uuid', description: 'Staff id of the proposer' }) proposedBy: string;
  @ApiProperty({ format: 'date-time' }) proposedAt: string;
  @ApiProperty({ format: 'date', example: '2022-03-02', description: "The regulator's day it was proposed" }) proposedOn: string;
  @ApiProperty({ format: 'date', example: '2022-04-01', description: 'The last day it may be decided (proposedOn + PROPOSAL_TTL_DAYS); EXPIRED from the day after' }) expiresOn: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'Who approved, rejected or withdrew it' }) decidedBy: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When it was decided, withdrawn, or its lapse recorded' }) decidedAt: string | null;
  @ApiProperty({ nullable: true, type: String, description: "The approver's note, the rejection's reason or the withdrawal's reason" }) decisionNote: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The license event its approval recorded (none for an amendment that changed nothing)' })
  licenseEventId: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'OBLIGATION_DECISION: the license condition decided' }) obligationId: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 2, description: "OBLIGATION_DECISION: the condition's version it was proposed against (If-Match); approval applies it to that version only" })
  obligationVersion: number | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'OBLIGATION_DECISION: the decision its approval recorded' }) obligationDecisionId: string | null;
  @ApiProperty({ example: 1, description: 'Incremented on every change; the ETag' }) version: number;
  @ApiProperty({ type: ProposalLinksDto }) links: ProposalLinksDto;
}

export class ProposalPageDto extends PageDto {
  @ApiProperty({ type: [ProposalDto] }) items: ProposalDto[];
}
