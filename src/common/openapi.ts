import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'issuedOn' }) field: string;
  @ApiProperty({ example: 'must be a real calendar date YYYY-MM-DD; got "2021-02-30"' }) message: string;
}

/** RFC 9457 problem details (Content-Type: application/problem+json). */
export class ProblemDto {
  @ApiProperty({ example: 'urn:license-registry:problem:validation-failed' }) type: string;
  @ApiProperty({ example: 'Bad Request' }) title: string;
  @ApiProperty({ example: 400 }) status: number;
  @ApiProperty({ example: 'issuedOn: must be a real calendar date YYYY-MM-DD; got "2021-02-30"' }) detail: string;
  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'stable machine-readable code' }) code: string;
  @ApiPropertyOptional({ example: '/api/v1/licenses' }) instance?: string;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) errors?: FieldErrorDto[];
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed input: a field is missing, unknown or invalid (each named in `errors`)',
  401: 'No valid staff token (sign in at POST /api/v1/auth/login)',
  403: 'Your role may not do this',
  404: 'No such resource',
  409: 'Conflict with stored data (duplicate, or still referenced)',
  415: 'The body is in a media type or charset that is not read here (the detail names it)',
  422: 'A registry rule forbids it (the detail says which and why)',
  503: 'Not now: the database is busy (BUSY, with Retry-After), or the transparency log is damaged (LOG_DAMAGED, until it is repaired)',
};

/** Documents problem+json error responses. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Error', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } } }),
    ),
  );
}
