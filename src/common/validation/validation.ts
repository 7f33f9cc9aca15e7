import { Injectable, type PipeTransform, ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
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

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value);
}

/** Path parameter that must be a UUID: 400 naming the parameter otherwise. Lower-cases it. */
@Injectable()
export class UuidPipe implements PipeTransform<string, string> {
  constructor(private readonly name = 'id') {}

  transform(value: string): string {
    if (!isUuid(value)) throw Problem.validation([{ field: this.name, message: `must be a UUID; got ${JSON.stringify(value)}` }]);
    return value.toLowerCase();
  }
}
