import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsCalendarDate, IsReason, IsUuid, IsReportFormat, type ReportFormat } from '../../common/validation/decorators.js';
import { Trim } from '../../common/validation/transforms.js';
import { OBLIGATION_DECISIONS, OBLIGATION_KINDS, OBLIGATION_STATUSES, type ObligationDecisionType, type ObligationKind, type ObligationStatus } from '../obligation-rules.js';

const PERCENT_RE = /^(0|[1-9]\d{0,2})(\.\d{1,2})?$/;
const PERCENT_MESSAGE = 'must be a percentage as a decimal string, 0 to 100 with at most 2 decimals (e.g. "12.5")';

export class ObligationsQuery {
  @IsOptional()
  @IsCalendarDate({ required: false, description: "Status on this day (default: today in the registry's time zone); recurring reports are listed up to the period that day falls in" })
  on?: string;
}

export class ObligationSubmissionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'date' }) submittedOn: string;
  @ApiProperty({ nullable: true, type: String, example: '12', description: 'PERCENT_TARGET: the share reported, percent' }) reportedValue: string | null;
  @ApiProperty({ nullable: true, type: String }) note: string | null;
  @ApiProperty({
    nullable: true,
    type: Object,
    description: 'The document, if one was submitted: `{ sha256, mediaType, bytes }` (its SHA-256 in hex, application/pdf, image/png or image/jpeg, its size in bytes); read it at `.../submissions/{id}/document`',
    example: { sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', mediaType: 'application/pdf', bytes: 183204 },
  })
  document: { sha256: string; mediaType: string; bytes: number } | null;
  @ApiProperty({ format: 'date-time' }) recordedAt: string;
  @ApiProperty({ nullable: true, type: String }) recordedBy: string | null;
}

export class ObligationDecisionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: OBLIGATION_DECISIONS }) decision: ObligationDecisionType;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) submissionId: string | null;
  @ApiProperty({ format: 'date', nullable: true, type: String }) newDueOn: string | null;
  @ApiProperty() reason: string;
  @ApiProperty({ format: 'date', description: "The registry's day it was made (under four eyes: approved)" }) decidedOn: string;
  @ApiProperty({ nullable: true, type: String, description: 'Staff id of whoever recorded it (under four eyes: the approver)' }) decidedBy: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Staff id of whoever made it (under four eyes: the proposer)' }) proposedBy: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Staff id of the ADMIN who approved its proposal; null when made without review' }) approvedBy: string | null;
}

export class ObligationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Y1_PCBA' }) code: string;
  @ApiProperty({ example: 'Locally made motherboards (PCBA): at least 10% by the end of year 1' }) title: string;
  @ApiProperty() titleUr: string;
  @ApiProperty({ enum: OBLIGATION_KINDS }) kind: ObligationKind;
  @ApiProperty({ nullable: true, type: String, example: '10', description: 'PERCENT_TARGET: the target, percent' }) target: string | null;
  @ApiProperty({ nullable: true, type: String }) measuredItem: string | null;
  @ApiProperty({ example: 0, description: '0 for a one-off condition; the period number of a recurring report' }) period: number;
  @ApiProperty({ format: 'date' }) startsOn: string;
  @ApiProperty({ format: 'date', description: 'The due date in force on the day (inclusive: the last day to meet it)' }) dueOn: string;
  @ApiProperty({ format: 'date', description: 'The due date the catalog gave' }) originalDueOn: string;
  @ApiProperty({ enum: OBLIGATION_STATUSES, description: 'Status on the day' }) status: ObligationStatus;
  @ApiProperty({ format: 'date', nullable: true, type: String }) extendedUntil: string | null;
  @ApiProperty({ nullable: true, type: Number }) daysOverdue: number | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'MET: the accepted submission that met it' }) metBy: string | null;
  @ApiProperty() source: string;
  @ApiProperty({ description: 'True when the source reports the rule (press summaries) rather than being its text' }) asReported: boolean;
  @ApiProperty({ example: 1, description: 'Sent as If-Match with a decision' }) version: number;
  @ApiProperty({ type: [ObligationSubmissionDto], description: 'Evidence submitted on or before the day' }) submissions: ObligationSubmissionDto[];
  @ApiProperty({ type: [ObligationDecisionDto], description: 'Decisions made on or before the day' }) decisions: ObligationDecisionDto[];
}

export class ObligationListDto {
  @ApiProperty({ format: 'uuid' }) licenseId: string;
  @ApiProperty() licenseNumber: string;
  @ApiProperty({ format: 'date' }) on: string;
  @ApiProperty({ type: Object, example: { PENDING: 3, MET: 1, OVERDUE: 0, EXTENDED: 0, WAIVED: 0 } }) counts: Record<ObligationStatus, number>;
  @ApiProperty({ type: [ObligationDto] }) items: ObligationDto[];
}

export class CreateSubmissionDto {
  @IsCalendarDate({ required: true, description: 'The day the holder submitted the evidence (not after today)' })
  submittedOn: string;

  @ApiPropertyOptional({ type: String, example: '12', description: `PERCENT_TARGET (required there, refused elsewhere): ${PERCENT_MESSAGE}` })
  @IsOptional()
  @IsString()
  @Matches(PERCENT_RE, { message: PERCENT_MESSAGE })
  reportedValue?: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  note?: string;
}

export class CreateDecisionDto {
  @ApiProperty({ enum: OBLIGATION_DECISIONS })
  @IsIn(OBLIGATION_DECISIONS)
  decision: ObligationDecisionType;

  @IsReason({ required: true, description: 'Why (kept in the audit trail)' })
  reason: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'ACCEPT and REJECT (required there, refused elsewhere): the submission decided' })
  @IsOptional()
  @IsUuid()
  submissionId?: string;

  @IsOptional()
  @IsCalendarDate({ required: false, description: 'EXTEND (required there, refused elsewhere): the new due date, at most 2 years after the original one' })
  newDueOn?: string;
}

export class CatalogTemplateInput {
  @ApiProperty({ example: 'Y1_PCBA', pattern: '^[A-Z][A-Z0-9_]{0,49}$' })
  @IsString()
  @Matches(/^[A-Z][A-Z0-9_]{0,49}$/, { message: 'must be 1-50 capital letters, digits and _, starting with a letter' })
  code: string;

  @ApiProperty({ maxLength: 300 })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  titleEn: string;

  @ApiProperty({ maxLength: 300 })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  titleUr: string;

  @ApiProperty({ enum: OBLIGATION_KINDS })
  @IsIn(OBLIGATION_KINDS)
  kind: ObligationKind;

  @ApiPropertyOptional({ type: String, example: '10', description: `PERCENT_TARGET (required there, refused elsewhere): ${PERCENT_MESSAGE}` })
  @IsOptional()
  @IsString()
  @Matches(PERCENT_RE, { message: PERCENT_MESSAGE })
  targetPercent?: string;

  @ApiPropertyOptional({ maxLength: 200, example: 'motherboards (PCBA)' })
  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  measuredItem?: string;

  @ApiProperty({ example: 'P1Y', pattern: '^P[1-9][0-9]?[YM]$', description: "Due offset from the license's issue date (P1Y, P2Y, P18M); a RECURRING_REPORT's period (P3M)" })
  @IsString()
  @Matches(/^P[1-9]\d?[YM]$/, { message: 'must be PnY or PnM, n from 1 to 99 (e.g. P1Y, P3M)' })
  dueOffset: string;

  @ApiProperty({ maxLength: 2000 })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  source: string;

  @ApiProperty({ description: 'True when the source reports the rule rather than being its text' })
  @IsBoolean()
  asReported: boolean;
}

export class CreateCatalogVersionDto {
  @IsCalendarDate({ required: true, description: 'Licenses issued on or after this day get this version (not before today, after the newest version)' })
  effectiveFrom: string;

  @IsReason({ required: true, description: 'What changed and why' })
  note: string;

  @ApiProperty({ type: [CatalogTemplateInput] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => CatalogTemplateInput)
  templates: CatalogTemplateInput[];
}

export class CatalogTemplateDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() code: string;
  @ApiProperty() titleEn: string;
  @ApiProperty() titleUr: string;
  @ApiProperty({ enum: OBLIGATION_KINDS }) kind: ObligationKind;
  @ApiProperty({ nullable: true, type: String }) targetPercent: string | null;
  @ApiProperty({ nullable: true, type: String }) measuredItem: string | null;
  @ApiProperty() dueOffset: string;
  @ApiProperty() source: string;
  @ApiProperty() asReported: boolean;
}

export class CatalogVersionDto {
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date' }) effectiveFrom: string;
  @ApiProperty() note: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ nullable: true, type: String }) createdBy: string | null;
  @ApiProperty({ type: [CatalogTemplateDto] }) templates: CatalogTemplateDto[];
}

export class CatalogListDto {
  @ApiProperty({ type: [CatalogVersionDto] }) items: CatalogVersionDto[];
}

export class ObligationsReportQuery {
  @IsOptional()
  @IsCalendarDate({ required: false, description: "The day (default: today in the registry's time zone)" })
  on?: string;

  @ApiPropertyOptional({ enum: OBLIGATION_STATUSES })
  @IsOptional()
  @IsIn(OBLIGATION_STATUSES)
  status?: ObligationStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUuid()
  companyId?: string;

  @IsReportFormat()
  format?: ReportFormat;
}

export class ObligationsReportRowDto {
  @ApiProperty({ format: 'uuid' }) licenseId: string;
  @ApiProperty() licenseNumber: string;
  @ApiProperty({ format: 'uuid' }) companyId: string;
  @ApiProperty() licensee: string;
  @ApiProperty({ format: 'uuid' }) obligationId: string;
  @ApiProperty() code: string;
  @ApiProperty() title: string;
  @ApiProperty() period: number;
  @ApiProperty({ format: 'date' }) dueOn: string;
  @ApiProperty({ enum: OBLIGATION_STATUSES }) status: ObligationStatus;
  @ApiProperty({ nullable: true, type: Number }) daysOverdue: number | null;
  @ApiProperty({ format: 'date', nullable: true, type: String }) extendedUntil: string | null;
}

export class ObligationsReportDto {
  @ApiProperty({ format: 'date' }) on: string;
  @ApiProperty({ type: Object, example: { PENDING: 3, MET: 1, OVERDUE: 2, EXTENDED: 0, WAIVED: 0 } }) counts: Record<ObligationStatus, number>;
  @ApiProperty({ type: [ObligationsReportRowDto], description: 'OVERDUE first (most days overdue first), then by due date, license number and code' }) rows: ObligationsReportRowDto[];
}
