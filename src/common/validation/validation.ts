import { type ArgumentMetadata, Injectable, ParseUUIDPipe, ValidationPipe } from '@nestjs/common';
import { isUUID, type ValidationError } from 'class-validator';
import { type FieldError, Problem } from '../problem.js';

/** Flattens class-validator errors into `{ field, message }` with dotted paths (`data.expiresOn`). */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    for (const [rule, message] of Object.entries(error.constraints ?? {})) {
      out.push({
        field,
        message: rule === 'whitelistValidation' ? 'is not a known field and is not accepted here' : stripField(message, error.property),
      });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

// class-validator messages start with the property name ("units must not be less than 1"); the field is already named.
function stripField(message: string, property: string): string {
  return message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
}

/**
 * The global pipe: unknown properties are refused (never stored), types are converted only where a DTO
 * asks for it, every failure is a 400 problem naming each field.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => Problem.validation(flattenValidationErrors(errors)),
  });
}

/** A UUID as RFC 9562 writes it (versions 1-8 with the RFC variant, or the nil and max UUIDs), any case. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && isUUID(value, 'all');
}

/**
 * Path parameter that must be a UUID, checked by Nest's ParseUUIDPipe (the same rule as `isUuid` and the DTOs'
 * `IsUUID('all')`): a 400 problem naming the parameter and the value otherwise. Lower-cases it (SQLite compares
 * text by case).
 */
@Injectable()
export class UuidPipe extends ParseUUIDPipe {
  constructor(private readonly name = 'id') {
    super({ version: 'all' });
  }

  override async transform(value: string, metadata: ArgumentMetadata): Promise<string> {
    try {
      return String(await super.transform(value, metadata)).toLowerCase();
    } catch {
      throw Problem.validation([{ field: this.name, message: `must be a UUID; got ${JSON.stringify(value)}` }]);
    }
  }
}
