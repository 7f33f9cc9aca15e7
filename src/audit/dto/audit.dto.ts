import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageDto, PageQuery } from '../../common/pagination.js';
import { IsCalendarDate, IsUuid } from '../../common/validation/decorators.js';

export const AUDIT_ENTITY_TYPES = ['company', 'license', 'shipment', 'staff', 'import', 'proposal', 'obligation', 'obligation_catalog'] as const;

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
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'null only when the stored time cannot be read (changed in the database: GET /api/v1/audit/verify names the event)' }) occurredAt: string | null;
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
  @ApiProperty({ example: 41, description: 'The event\'s leaf index in the transparency log (seq - 1): its data is the 32 bytes of `hash`; prove it with GET /public/v1/log/proofs/inclusion' })
  logIndex: number;
}

export class AuditPageDto extends PageDto {
  @ApiProperty({ type: [AuditEventDto] }) items: AuditEventDto[];
}

/** One event of the chain that does not verify. */
export class AuditFailureDto {
  @ApiProperty({ example: 42, description: 'seq of the event; for a gap or events removed from the end, the first missing seq; for a checkpoint the log contradicts, its tree size (0: the checkpoint file)' }) seq: number;
  @ApiProperty({ enum: ['chain', 'log', 'register'], description: 'chain: the event itself or its link; log: the transparency log (a checkpoint, the tree); register: a table of the register that disagrees with the records that wrote it' })
  kind: 'chain' | 'log' | 'register';
  @ApiProperty({ example: 'hash does not match the event: it was changed after it was written' }) problem: string;
}

export class AuditVerifyDto {
  @ApiProperty({ description: 'true when every event verifies (no failures)' }) ok: boolean;
  @ApiProperty({ description: 'Events read (the whole chain)' }) length: number;
  @ApiProperty({ description: 'Stored hash of the last event read (64 zeros for an empty chain)' }) head: string;
  @ApiProperty({ description: 'base64 root hash of the Merkle tree rebuilt from the events (RFC 9162)' }) rootHash: string;
  @ApiProperty({ description: 'Signed checkpoints compared with the rebuilt tree (database, checkpoint file, given), one per tree size and root' }) checkpointsChecked: number;
  @ApiPropertyOptional({ description: 'seq of the first failure (the same as failures[0].seq); absent when ok' }) failedAt?: number;
  @ApiPropertyOptional({ description: 'The first failure\'s problem (the same as failures[0].problem); absent when ok' }) problem?: string;
  @ApiProperty({
    type: [AuditFailureDto],
    description:
      'Every event that does not verify, in seq order (at most 1000; failuresTotal counts all). Each event is checked against what is ' +
      'stored: its hash against its own fields, its prevHash against the previous event\'s stored hash. An edited event is one failure; ' +
      'a rewritten hash is two (that event, and the next whose prevHash no longer matches it); a gap is one, at its first missing seq.',
  })
  failures: AuditFailureDto[];
  @ApiProperty({ description: 'How many events do not verify, listed or not' }) failuresTotal: number;
}
