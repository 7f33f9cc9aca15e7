import { identityKey } from './text.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Query integers are plain digits: `1e2`, `0x10`, `+5` and `1.0` are refused. */
export const digits = () => Transform(({ value }) => (typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value));

/** `?limit=` (1..100, default 20) and `?offset=` (0..). */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @digits()
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @digits()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  offset?: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export function pageOf(query: PageQuery): { limit: number; offset: number } {
  return { limit: query.limit ?? 20, offset: query.offset ?? 0 };
}

/** OpenAPI shape of a page; subclasses declare `items`. */
export abstract class PageDto {
  @ApiProperty({ example: 1 }) total: number;
  @ApiProperty({ example: 20 }) limit: number;
  @ApiProperty({ example: 0 }) offset: number;
}

/** Escapes `%`, `_` and `\` so a term is matched literally in `LIKE ... ESCAPE '\'`. */
export function likeEscape(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A `LIKE ... ESCAPE '\'` pattern for identity keys (common/text.ts) containing the key of `term`, matched literally. */
export function likeContains(term: string): string {
  return `%${likeEscape(identityKey(term))}%`;
}

/** Links on a single resource: `history` is its audit trail. */
export class LinksDto {
  @ApiProperty({ example: '/api/v1/audit?entityType=license&entityId=0b9e...', description: 'The audit trail of this record' })
  history: string;
}

export function historyLink(entityType: string, id: string): string {
  return `/api/v1/audit?entityType=${entityType}&entityId=${id}`;
}
