import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageDto, PageQuery } from '../../common/pagination.js';
import { IsCalendarDate, IsUuid } from '../../common/validation/decorators.js';

export const AUDIT_ENTITY_TYPES = ['company', 'license', 'shipment', 'staff', 'import'] as const;

export class ListAuditQuery extends PageQuery {
  @ApiPropertyOptional({ enum: AUDIT_ENTITY_TYPES })
  @IsOptional()
  @IsIn(AUDIT_ENTITY_TYPES)
  entityType?: string;

  @ApiPropertyOptional({ description: 'Id of the company, license, shipment or staff member' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  entityId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Staff id of who acted' })
  @IsOptional()
  @IsUuid()
  actorId?: string;

  @ApiPropertyOptional({ example: 'license.suspended' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  action?: string;

  @IsOptional()
  @IsCalendarDate({ required: false, description: 'Occurred on or after this UTC day' })
  from?: string;

  @IsOptional()
  @IsCalendarDate({ required: false, description: 'Occurred on or before this UTC day' })
  to?: string;

  @ApiPropertyOptional({ enum: ['seq', '-seq'], default: '-seq', description: 'Newest first by default' })
  @IsOptional()
  @IsIn(['seq', '-seq'])
  sort?: string;
}

export class AuditEventDto {
  @ApiProperty({ example: 42 }) seq: number;
  @ApiProperty({ format: 'date-time' }) occurredAt: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'Staff id; null for the system (seed, CLI)' }) actorId: string | null;
  @ApiProperty({ example: 'license.suspended' }) action: string;
  @ApiProperty({ enum: AUDIT_ENTITY_TYPES }) entityType: string;
  @ApiProperty() entityId: string;
  @ApiProperty({ nullable: true, type: String }) requestId: string | null;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty({ nullable: true, type: Object, description: 'The record before the write (null for a creation)' }) before: unknown;
  @ApiProperty({ nullable: true, type: Object, description: 'The record after the write (null for a deletion)' }) after: unknown;
  @ApiProperty({ example: '0'.repeat(64) }) prevHash: string;
  @ApiProperty({ description: 'SHA-256(prevHash + RFC 8785 canonical JSON of the event)' }) hash: string;
}

export class AuditPageDto extends PageDto {
  @ApiProperty({ type: [AuditEventDto] }) items: AuditEventDto[];
}

export class AuditVerifyDto {
  @ApiProperty() ok: boolean;
  @ApiProperty({ description: 'Events verified' }) length: number;
  @ApiProperty({ description: 'Hash of the last verified event' }) head: string;
  @ApiPropertyOptional({ description: 'seq of the first event that does not verify' }) failedAt?: number;
  @ApiPropertyOptional() problem?: string;
}
