import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ProblemException } from './problem.js';

/** Parses `If-Match: "7"` (or `W/"7"`) into the version 7. */
export function parseIfMatch(header: string | string[] | undefined): number {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') {
    throw new ProblemException(428, 'IF_MATCH_REQUIRED', 'This change needs an If-Match header with the ETag of the version you read (GET the resource first)');
  }
  const m = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(value);
  if (!m) {
    throw new ProblemException(400, 'IF_MATCH_INVALID', `If-Match must be one ETag as returned by GET, e.g. "3"; got ${JSON.stringify(value.slice(0, 40))}`, [
      { field: 'If-Match', message: 'must be an ETag such as "3"' },
    ]);
  }
  return Number(m[1]);
}

const IfMatchParam = createParamDecorator((_: unknown, ctx: ExecutionContext) => parseIfMatch(ctx.switchToHttp().getRequest<FastifyRequest>().headers['if-match']));

/** The version the client read, from If-Match (428 when missing, 400 when malformed); documented in OpenAPI. */
export const IfMatch = (): ParameterDecorator => IfMatchParam();

export function ApiIfMatch(): MethodDecorator {
  return applyDecorators(
    ApiHeader({ name: 'If-Match', required: true, description: 'The ETag from your GET, e.g. "3": the change applies only to that version', example: '"1"' }),
    ApiResponse({ status: 412, description: 'Changed since you read it: GET it again', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } } }),
    ApiResponse({ status: 428, description: 'If-Match missing', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } } }),
  );
}
