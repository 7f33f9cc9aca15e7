import { HttpException, HttpStatus } from '@nestjs/common';

/** One field-level error in a problem response: `field` is the JSON path of the input (`data.expiresOn`). */
export interface FieldError {
  field: string;
  message: string;
}

/** RFC 9457 problem details, as sent with `Content-Type: application/problem+json`. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Stable machine-readable code, e.g. `LICENSE_NOT_ACTIVE`. */
  code: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function titleFor(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

/** The problem `type` URI for a code: documented under /docs. */
export function problemType(code: string): string {
  return `urn:license-registry:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}

/**
 * The one exception the registry's own code throws for a client error. The ProblemFilter turns it into
 * problem+json; `extensions` are extra members (e.g. `licenseId`, `statusOn`).
 */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail, status);
  }

  /** Seconds the client should wait before trying again, sent as Retry-After (when not fixed by code). */
  retryAfterSeconds?: number;

  /** This problem with a Retry-After of `seconds` (at least 1). */
  retryAfter(seconds: number): this {
    this.retryAfterSeconds = Math.max(1, Math.ceil(seconds));
    return this;
  }

  toBody(instance?: string): ProblemBody {
    const status = this.getStatus();
    return {
      type: problemType(this.code),
      title: titleFor(status),
      status,
      detail: this.detail,
      code: this.code,
      ...(instance ? { instance } : {}),
      ...(this.errors?.length ? { errors: this.errors } : {}),
      ...this.extensions,
    };
  }
}

/** Constructors for the problems every module raises. */
export const Problem = {
  validation(errors: FieldError[]): ProblemException {
    const fields = [...new Set(errors.map((e) => e.field))];
    const detail =
      errors.length === 1
        ? `${errors[0].field}: ${errors[0].message}`
        : fields.length === 1
          ? `${fields[0]}: ${errors.map((e) => e.message).join('; ')}`
          : `${fields.length} fields are invalid: ${fields.join(', ')}`;
    return new ProblemException(HttpStatus.BAD_REQUEST, 'VALIDATION_FAILED', detail, errors);
  },
  notFound(entity: string, id: string): ProblemException {
    return new ProblemException(HttpStatus.NOT_FOUND, `${entity.toUpperCase()}_NOT_FOUND`, `No ${entity} with id ${id}`);
  },
  conflict(code: string, detail: string, errors?: FieldError[], extensions?: Record<string, unknown>): ProblemException {
    return new ProblemException(HttpStatus.CONFLICT, code, detail, errors, extensions);
  },
  /** A business rule is broken (422). */
  rule(code: string, detail: string, errors?: FieldError[], extensions?: Record<string, unknown>): ProblemException {
    return new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, code, detail, errors, extensions);
  },
};
