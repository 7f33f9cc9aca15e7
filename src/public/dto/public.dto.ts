import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageDto, PageQuery } from '../../common/pagination.js';
import { IsCalendarDate } from '../../common/validation/decorators.js';
import { LICENSE_STATUSES, type LicenseStatus } from '../../licenses/lifecycle.js';
import { OBLIGATION_STATUSES, type ObligationStatus } from '../../obligations/obligation-rules.js';

const trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

export class ManufacturersQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Part of the company name, trade name, a brand or a license number; case-insensitive, % and _ literal; empty lists all' })
  @IsOptional()
  @trim()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ enum: LICENSE_STATUSES, description: 'Manufacturers holding a license with this status today' })
  @IsOptional()
  @IsIn(LICENSE_STATUSES)
  status?: LicenseStatus;

  @ApiPropertyOptional({ example: 'Lahore' })
  @IsOptional()
  @trim()
  @IsString()
  @MaxLength(100)
  city?: string;

  @ApiPropertyOptional({ example: 'Samsung' })
  @IsOptional()
  @trim()
  @IsString()
  @MaxLength(100)
  brand?: string;
}

export class RegisterCsvQuery {
  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Start with a UTF-8 byte-order mark, so that Excel reads Urdu and other non-Latin names' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  bom?: boolean;
}

export class VerifyQuery {
  @IsOptional()
  @IsCalendarDate({ required: false, description: "The day to verify for (default: today in the registry's time zone)" })
  on?: string;
}

export class PublicEventDto {
  @ApiProperty({ enum: ['GRANTED', 'SUSPENDED', 'REINSTATED', 'RENEWED', 'REVOKED', 'SURRENDERED'] }) type: string;
  @ApiProperty({ format: 'date' }) effectiveOn: string;
  @ApiProperty({ format: 'date', description: 'Last day of the term after this event' }) expiresOn: string;
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    nullable: true,
    example: 41,
    description: "Leaf index of this event's audit record in the transparency log: prove it with GET /public/v1/log/proofs/inclusion (null when unknown, for an event older than the audit trail)",
  })
  logIndex: number | null;
}

export class PublicConditionDto {
  @ApiProperty({ example: 'Y1_PCBA' }) code: string;
  @ApiProperty({ description: 'Title in English', example: 'Locally made motherboards (PCBA): at least 10% by the end of year 1' }) title: string;
  @ApiProperty({ description: 'Title in Urdu' }) titleUr: string;
  @ApiProperty({ enum: OBLIGATION_STATUSES, description: 'Status on asOf' }) status: ObligationStatus;
  @ApiProperty({ format: 'date', description: 'Last day to meet it, the due date in force on asOf (an extension moves it)' }) dueOn: string;
  @ApiPropertyOptional({ format: 'date', description: 'EXTENDED only: extended until this day (inclusive)' }) extendedUntil?: string;
}

export class PublicLicenseDto {
  @ApiProperty({ example: 'MDM-2021-0001' }) licenseNumber: string;
  @ApiProperty({ example: 'MDM' }) type: string;
  @ApiProperty({ enum: LICENSE_STATUSES, description: 'Status on asOf' }) status: LicenseStatus;
  @ApiProperty({ format: 'date' }) asOf: string;
  @ApiProperty({ format: 'date' }) issuedOn: string;
  @ApiProperty({ format: 'date', description: 'Last day of the term in force on asOf (inclusive)' }) expiresOn: string;
  @ApiProperty({ type: [String], example: ['Inovi'] }) brands: string[];
  @ApiPropertyOptional({ type: [PublicEventDto], description: 'Public lifecycle history, oldest first (profiles only)' }) history?: PublicEventDto[];
  @ApiPropertyOptional({
    type: [PublicConditionDto],
    description:
      'License conditions and their status on asOf, in catalog order (profiles only; absent when PUBLIC_CONDITIONS=false). ' +
      'A recurring report shows its current period only. Never reported values, notes, documents or decisions.',
  })
  conditions?: PublicConditionDto[];
}

export class ManufacturerDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Inovi Telecom (Private) Limited' }) legalName: string;
  @ApiProperty({ nullable: true, type: String, example: 'Inovi' }) tradeName: string | null;
  @ApiProperty({ nullable: true, type: String }) city: string | null;
  @ApiProperty({ nullable: true, type: String }) province: string | null;
  @ApiProperty({ nullable: true, type: String }) website: string | null;
  @ApiProperty({ type: [PublicLicenseDto] }) licenses: PublicLicenseDto[];
}

export class ManufacturerPageDto extends PageDto {
  @ApiProperty({ type: [ManufacturerDto] }) items: ManufacturerDto[];
}

export class HolderDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() legalName: string;
  @ApiProperty({ nullable: true, type: String }) tradeName: string | null;
  @ApiProperty({ nullable: true, type: String }) city: string | null;
}

export class VerificationDto {
  @ApiProperty({ example: true }) found: boolean;
  @ApiProperty({ example: 'MDM-2021-0001' }) licenseNumber: string;
  @ApiProperty({ example: 'MDM' }) type: string;
  @ApiProperty({ enum: LICENSE_STATUSES, description: 'Status on the day asked' }) status: LicenseStatus;
  @ApiProperty({ description: 'true only when ACTIVE on that day' }) valid: boolean;
  @ApiProperty({ format: 'date' }) on: string;
  @ApiProperty({ type: HolderDto }) holder: HolderDto;
  @ApiProperty({ format: 'date' }) issuedOn: string;
  @ApiProperty({ format: 'date', description: 'Last day of the term in force that day' }) expiresOn: string;
  @ApiProperty({ type: [String] }) brands: string[];
  @ApiProperty({ type: PublicEventDto, nullable: true, description: 'The last change of status on or before that day (null before issue)' })
  lastStatusChange: PublicEventDto | null;
}

/** One row per license in the open-data downloads; the CSV has these columns in this order. */
export const REGISTER_COLUMNS = [
  'licenseNumber',
  'type',
  'status',
  'statusAsOf',
  'issuedOn',
  'expiresOn',
  'licensee',
  'tradeName',
  'city',
  'province',
  'brands',
  'lastStatusChange',
  'lastStatusChangeOn',
  'manufacturerId',
] as const;

export class RegisterRowDto {
  @ApiProperty() licenseNumber: string;
  @ApiProperty() type: string;
  @ApiProperty({ enum: LICENSE_STATUSES }) status: LicenseStatus;
  @ApiProperty({ format: 'date' }) statusAsOf: string;
  @ApiProperty({ format: 'date' }) issuedOn: string;
  @ApiProperty({ format: 'date' }) expiresOn: string;
  @ApiProperty({ description: 'Legal name of the holder' }) licensee: string;
  @ApiProperty({ nullable: true, type: String }) tradeName: string | null;
  @ApiProperty({ nullable: true, type: String }) city: string | null;
  @ApiProperty({ nullable: true, type: String }) province: string | null;
  @ApiProperty({ description: 'Brands separated by "; "' }) brands: string;
  @ApiProperty({ nullable: true, type: String, description: 'GRANTED, SUSPENDED, REINSTATED, RENEWED, REVOKED or SURRENDERED; null before the license takes effect' })
  lastStatusChange: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) lastStatusChangeOn: string | null;
  @ApiProperty({ format: 'uuid' }) manufacturerId: string;
}

export class RegisterDto {
  @ApiProperty({ description: 'What the columns mean and where the data comes from' }) about: string;
  @ApiProperty({ format: 'date' }) asOf: string;
  @ApiProperty({ type: [String], example: REGISTER_COLUMNS }) columns: string[];
  @ApiProperty({ type: [RegisterRowDto] }) licenses: RegisterRowDto[];
}
