import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength, ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';
import { isCalendarDate } from '../calendar-date.js';
import { countryCodeProblem } from '../country.js';
import { isMoney, MONEY_FORMAT } from '../money.js';
import { asciiDigits, codePointName, invisibleIn, plainSpaces } from '../text.js';

type DocOptions = Omit<ApiPropertyOptions, 'type'> & { required?: boolean };

/** A real calendar date `YYYY-MM-DD` (`2021-02-30` and `2024` are refused). */
export function IsCalendarDate(doc: DocOptions = {}, options?: ValidationOptions): PropertyDecorator {
  return applyDecorators(
    ValidateBy(
      {
        name: 'isCalendarDate',
        validator: {
          validate: (value) => isCalendarDate(value),
          defaultMessage: (args) => `must be a real calendar date YYYY-MM-DD; got ${JSON.stringify(args?.value)}`,
        },
      },
      options,
    ),
    ApiProperty({ type: String, format: 'date', example: '2021-04-09', ...doc }),
  );
}

/** An ISO 3166-1 alpha-2 country code in capitals; a wrong one is refused with a hint (`UAE` -> `AE`). */
export function IsCountryCode(doc: DocOptions = {}, options?: ValidationOptions): PropertyDecorator {
  return applyDecorators(
    ValidateBy(
      {
        name: 'isCountryCode',
        validator: {
          validate: (value) => countryCodeProblem(value) === undefined,
          defaultMessage: (args) => countryCodeProblem(args?.value) ?? 'must be an ISO 3166-1 alpha-2 code',
        },
      },
      options,
    ),
    ApiProperty({ type: String, pattern: '^[A-Z]{2}$', example: 'AE', description: 'ISO 3166-1 alpha-2 country code', ...doc }),
  );
}

/** USD as a decimal string with at most 2 decimals; stored as integer cents. */
export function IsMoney(doc: DocOptions = {}, options?: ValidationOptions): PropertyDecorator {
  return applyDecorators(
    ValidateBy(
      {
        name: 'isMoney',
        validator: {
          validate: (value) => isMoney(value),
          defaultMessage: (args) => `must be ${MONEY_FORMAT}; got ${JSON.stringify(args?.value)}`,
        },
      },
      options,
    ),
    ApiProperty({ type: String, pattern: '^(0|[1-9]\\d{0,12})(\\.\\d{1,2})?$', example: '27500.00', ...doc }),
  );
}

/** A UUID in any case, lower-cased (ids are stored lower-case; SQLite compares text case-sensitively). */
export function IsUuid(options?: ValidationOptions): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value)),
    IsUUID('all', { message: 'must be a UUID', ...options }),
  );
}

/**
 * The `reason` of a change, kept in the audit trail: 1-2000 characters after trimming. Required for
 * lifecycle events, voids and deletions, optional elsewhere.
 */
export function IsReason(doc: { required: boolean; description: string; example?: string }): PropertyDecorator {
  const messages = { message: 'is required' };
  return applyDecorators(
    ...(doc.required ? [] : [IsOptional()]),
    Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)),
    IsString(),
    IsNotEmpty(messages),
    MaxLength(2000),
    ApiProperty({ required: doc.required, maxLength: 2000, description: doc.description, example: doc.example }),
  );
}

/**
 * A field that may be left out but not sent as null (a PATCH field that cannot be removed): null goes on to the
 * field's other rules, which refuse it with a 400 naming the field. (`IsOptional` would let null through.)
 */
export function IsOmittable(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined, options);
}

/**
 * A name or identifier (legal and trade names, brands, license numbers, references, models, e-mails, places):
 * every space separator becomes a plain space and surrounding spaces are trimmed (plainSpaces); an invisible
 * character (zero-width space or joiner, soft hyphen, BOM, word joiner...) is refused naming it (U+XXXX), since
 * it would make two look-alike names differ. `digits`: Arabic-Indic and Urdu digits are read as ASCII digits
 * (license numbers). `each`: for every string of an array. Other types are left for the field's other rules.
 */
export function IsNameText(options: { each?: boolean; digits?: boolean } = {}): PropertyDecorator {
  const clean = (v: unknown) => (typeof v === 'string' ? plainSpaces(options.digits ? asciiDigits(v) : v) : v);
  const firstInvisible = (v: unknown): string | undefined => {
    for (const s of Array.isArray(v) ? v : [v]) {
      const found = typeof s === 'string' ? invisibleIn(s) : undefined;
      if (found) return found;
    }
    return undefined;
  };
  return applyDecorators(
    Transform(({ value }) => (options.each && Array.isArray(value) ? value.map(clean) : clean(value))),
    ValidateBy(
      {
        name: 'isNameText',
        validator: {
          validate: (value) => typeof value !== 'string' || invisibleIn(value) === undefined,
          defaultMessage: (args) => `must not contain the invisible character ${codePointName(firstInvisible(args?.value) ?? ' ')}; type the name without it`,
        },
      },
      { each: options.each },
    ),
  );
}

/** The formats a report is answered in: JSON (the default) or CSV. */
export const REPORT_FORMATS = ['json', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** A report's optional `format` query parameter (REPORT_FORMATS; JSON when absent). */
export function IsReportFormat(): PropertyDecorator {
  return applyDecorators(ApiPropertyOptional({ enum: REPORT_FORMATS, default: 'json' }), IsOptional(), IsIn([...REPORT_FORMATS]));
}
