import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min, validateSync } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { LANGS, type Lang } from '../../common/i18n/lang.js';
import { LICENSE_STATUSES, type LicenseStatus } from '../../licenses/lifecycle.js';

// The queries of the public web pages, typed. A page never fails on its query: a parameter it does not know (a
// campaign tag, a typo) is ignored, and a value that does not fit is read as not given (the page shows its
// default), unlike the JSON API, which answers 400 naming the field.

/** A text parameter: its first value, trimmed, at most `max` characters; empty is not given. */
const text = (max: number) => Transform(({ value }) => (typeof value === 'string' ? value.trim().slice(0, max) || undefined : undefined));

class PageQuery {
  /** The page's language: `ur` for Urdu (right to left); English otherwise. */
  @IsOptional()
  @IsIn(LANGS)
  lang?: Lang;
}

/** `/`: the search of licensed manufacturers, as `GET /public/v1/manufacturers` (20 a page). */
export class HomePageQuery extends PageQuery {
  @text(200)
  @IsOptional()
  @IsString()
  q?: string;

  @IsOptional()
  @IsIn(LICENSE_STATUSES)
  status?: LicenseStatus;

  @Transform(({ value }) => (typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : undefined))
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(999_999)
  offset?: number;
}

/** `/manufacturers/{id}`. */
export class ManufacturerPageQuery extends PageQuery {}

/** `/verify`: a license number and, optionally, the day (checked by the page, which explains a wrong one). */
export class VerifyPageQuery extends PageQuery {
  @text(200)
  @IsOptional()
  @IsString()
  licenseNumber?: string;

  @text(100)
  @IsOptional()
  @IsString()
  on?: string;
}

/** `/exports`: the fiscal years, stacked by destination (default) or device category. */
export class ExportsPageQuery extends PageQuery {
  @IsOptional()
  @IsIn(['destination', 'deviceCategory'])
  stack?: 'destination' | 'deviceCategory';
}

/** `/log`: the transparency log. */
export class LogPageQuery extends PageQuery {}

/**
 * The page's query as `dto` (one of the classes above): repeated parameters give their first value, unknown ones
 * are dropped, and a value that fails its rule is removed. Used instead of @Query() (whose global pipe answers
 * 400, right for the API and wrong for a page someone followed a link to).
 */
export const PageParams = createParamDecorator((dto: new () => object, context: ExecutionContext) => {
  const query = (context.switchToHttp().getRequest<FastifyRequest>().query ?? {}) as Record<string, unknown>;
  const first = Object.fromEntries(Object.entries(query).map(([key, value]) => [key, Array.isArray(value) ? value[0] : value]));
  const page = plainToInstance(dto, first) as Record<string, unknown>;
  for (const error of validateSync(page, { whitelist: true })) delete page[error.property];
  return page;
});
