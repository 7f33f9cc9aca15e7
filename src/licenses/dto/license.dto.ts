import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { LinksDto, PageDto, PageQuery } from '../../common/pagination.js';
import { IsCalendarDate, IsUuid, IsReason, IsNameText } from '../../common/validation/decorators.js';
import { Trim } from '../../common/validation/transforms.js';
import {
  LICENSE_EVENT_TYPES,
  LICENSE_STATUSES,
  LICENSE_TYPES,
  LIFECYCLE_ACTIONS,
  type LicenseEventType,
  type LicenseStatus,
  type LicenseType,
  type LifecycleAction,
} from '../lifecycle.js';
import { LICENSE_NUMBER_MESSAGE, LICENSE_NUMBER_RE } from '../license-number.js';
import { identityKey } from '../../common/text.js';


class LicenseFields {
  @ApiPropertyOptional({ type: [String], example: ['Samsung'], description: 'Brands the licensee may manufacture (at most 50)' })
  @IsOptional()
  @IsNameText({ each: true })
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique((b: unknown) => (typeof b === 'string' ? identityKey(b) : b), { message: 'must not list a brand twice' })
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(100, { each: true })
  @Matches(/^[^;]*$/, { each: true, message: 'a brand must not contain ";" (the open-data files list brands separated by "; ")' })
  brands?: string[];

  @ApiPropertyOptional({ example: 'Sundar Industrial Estate, Lahore', maxLength: 300, nullable: true, type: String })
  @IsOptional()
  @IsNameText()
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  plantLocation?: string | null;

  @ApiPropertyOptional({ description: 'Conditions attached to the license', maxLength: 10000, nullable: true, type: String })
  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(10000)
  conditions?: string | null;
}

export class GrantLicenseDto extends LicenseFields {
  @ApiProperty({ format: 'uuid', description: 'The licensee' })
  @IsUuid()
  companyId: string;

  @ApiPropertyOptional({ enum: LICENSE_TYPES, default: 'MDM' })
  @IsOptional()
  @IsIn(LICENSE_TYPES)
  type?: LicenseType;

  @ApiPropertyOptional({
    description: "The regulator's license number as issued (may contain `/`); when omitted the registry assigns TYPE-YYYY-NNNN",
    example: 'MDM-2021-0001',
    maxLength: 100,
  })
  @IsOptional()
  @IsNameText({ digits: true })
  @IsString()
  @Matches(LICENSE_NUMBER_RE, { message: LICENSE_NUMBER_MESSAGE })
  licenseNumber?: string;

  @IsCalendarDate({ description: 'Day the license takes effect' })
  issuedOn: string;

  @IsOptional()
  @IsCalendarDate({ required: false, description: 'Last day of the term (inclusive); default issuedOn + 10 years - 1 day (MDM Regulations 2021)', example: '2031-04-08' })
  expiresOn?: string;

  @IsReason({ required: false, description: 'Why it was granted (recorded on the GRANTED event)' })
  reason?: string;
}

/** An amendment: the fields to change, recorded as an AMENDED event. Term and holder change only through events. */
export class AmendLicenseDto extends LicenseFields {
  @ApiPropertyOptional({ description: "Correct or enter the regulator's number", example: 'PTA/MDM/2021/07', maxLength: 100 })
  @IsOptional()
  @IsNameText({ digits: true })
  @IsString()
  @Matches(LICENSE_NUMBER_RE, { message: LICENSE_NUMBER_MESSAGE })
  licenseNumber?: string;

  @IsReason({ required: false, description: 'Why it was amended' })
  reason?: string;
}

export class RenewalDataDto {
  @IsOptional()
  @IsCalendarDate({ required: false, description: 'New last day of the term; default: the next 10-year term', example: '2041-04-08' })
  expiresOn?: string;
}

export class CreateLicenseEventDto {
  @ApiProperty({ enum: LIFECYCLE_ACTIONS, example: 'SUSPENDED' })
  @IsIn(LIFECYCLE_ACTIONS, { message: `must be one of ${LIFECYCLE_ACTIONS.join(', ')}` })
  type: LifecycleAction;

  @IsCalendarDate({ description: 'Day the action takes effect; not before the last event', example: '2022-03-01' })
  effectiveOn: string;

  @IsReason({ required: true, description: 'Why (e.g. the order or letter number)', example: 'Show-cause notice 12/2022 unanswered' })
  reason: string;

  @ApiPropertyOptional({ type: RenewalDataDto, description: 'Only for RENEWED' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RenewalDataDto)
  data?: RenewalDataDto;
}

export class ListLicensesQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUuid()
  companyId?: string;

  @ApiPropertyOptional({ enum: LICENSE_STATUSES, description: 'Status on the `on` date' })
  @IsOptional()
  @IsIn(LICENSE_STATUSES)
  status?: LicenseStatus;

  @ApiPropertyOptional({ enum: LICENSE_TYPES })
  @IsOptional()
  @IsIn(LICENSE_TYPES)
  type?: LicenseType;

  @IsOptional()
  @IsCalendarDate({ required: false, description: "Compute status as of this day (default: today in the registry's time zone)" })
  on?: string;

  @ApiPropertyOptional({ enum: ['licenseNumber', '-licenseNumber', 'issuedOn', '-issuedOn'], default: 'licenseNumber' })
  @IsOptional()
  @IsIn(['licenseNumber', '-licenseNumber', 'issuedOn', '-issuedOn'])
  sort?: string;
}

export class AsOfQuery {
  @IsOptional()
  @IsCalendarDate({ required: false, description: "Compute status as of this day (default: today in the registry's time zone)" })
  on?: string;
}

export class LicenseEventDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 1, description: 'Order within the license' }) seq: number;
  @ApiProperty({ enum: LICENSE_EVENT_TYPES }) type: LicenseEventType;
  @ApiProperty({ format: 'date', example: '2021-04-09' }) effectiveOn: string;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty({ nullable: true, type: Object, description: 'RENEWED: {expiresOn}; AMENDED: {changes: {field: {from, to}}}' }) data: Record<string, unknown> | null;
  @ApiProperty({ enum: ['ACTIVE', 'SUSPENDED', 'REVOKED', 'SURRENDERED'], description: 'Status the event left (before any expiry)' }) statusAfter: string;
  @ApiProperty({ format: 'date', description: 'Term end in force after the event' }) expiresOnAfter: string;
  @ApiProperty({ format: 'date-time' }) recordedAt: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'Staff id whose request wrote it (under four eyes: the approver); null for the system (seed)' }) recordedBy: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'Staff id of who proposed the decision; null for the system (seed)' }) proposedBy: string | null;
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'Staff id of the ADMIN who approved it (four eyes); null when it was applied without review (FOUR_EYES=false, the seed, events recorded before four eyes)',
  })
  approvedBy: string | null;
}

export class LicenseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'MDM-2021-0001' }) licenseNumber: string;
  @ApiProperty({ format: 'uuid' }) companyId: string;
  @ApiProperty({ example: 'Inovi Telecom (Private) Limited', description: 'Legal name of the licensee' }) licensee: string;
  @ApiProperty({ enum: LICENSE_TYPES }) type: LicenseType;
  @ApiProperty({ format: 'date', example: '2021-04-09' }) issuedOn: string;
  @ApiProperty({ format: 'date', example: '2031-04-08', description: 'Last day of the term in force on asOf (inclusive)' }) expiresOn: string;
  @ApiProperty({ type: [String], example: ['Inovi'] }) brands: string[];
  @ApiProperty({ nullable: true, type: String }) plantLocation: string | null;
  @ApiProperty({ nullable: true, type: String }) conditions: string | null;
  @ApiProperty({ enum: LICENSE_STATUSES, description: 'Status on asOf' }) status: LicenseStatus;
  @ApiProperty({ format: 'date', description: 'The day status is computed for' }) asOf: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ example: 1, description: 'Incremented on every change; the ETag' }) version: number;
  @ApiProperty({ type: LinksDto }) links: LinksDto;
  @ApiPropertyOptional({ type: [LicenseEventDto], description: 'Lifecycle history, oldest first (single-license responses)' })
  events?: LicenseEventDto[];
}

export class LicensePageDto extends PageDto {
  @ApiProperty({ type: [LicenseDto] }) items: LicenseDto[];
}

export class LicenseEventListDto {
  @ApiProperty({ type: [LicenseEventDto] }) items: LicenseEventDto[];
}
