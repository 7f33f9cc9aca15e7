import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError } from 'typeorm';
import { errorPage, wantsErrorPage } from './error-page.js';
import { requestLang } from './i18n/lang.js';
import { type FieldError, type ProblemBody, ProblemException, problemType, titleFor } from './problem.js';
import { RETRY_AFTER_SECONDS, unavailability } from './unavailable.js';

/**
 * Unique indexes and the API field each one protects, by name (PostgreSQL reports the index name) and by
 * `table.column` (SQLite reports the columns). A database error is never shown to the client as text.
 */
const UNIQUE_FIELDS: Record<string, FieldError> = {
  uq_companies_legal_name_key: { field: 'legalName', message: 'a company with this legal name already exists' },
  'companies.legal_name_key': { field: 'legalName', message: 'a company with this legal name already exists' },
  uq_companies_registration_number: { field: 'registrationNumber', message: 'a company with this registration number already exists' },
  'companies.registration_number': { field: 'registrationNumber', message: 'a company with this registration number already exists' },
  uq_companies_ntn: { field: 'ntn', message: 'a company with this NTN already exists' },
  'companies.ntn': { field: 'ntn', message: 'a company with this NTN already exists' },
  uq_licenses_license_number_key: { field: 'licenseNumber', message: 'a license with this number already exists' },
  'licenses.license_number_key': { field: 'licenseNumber', message: 'a license with this number already exists' },
  uq_shipments_company_reference: { field: 'reference', message: 'this company already has a shipment with this reference' },
  'shipments.company_id, shipments.reference': { field: 'reference', message: 'this company already has a shipment with this reference' },
};

interface DriverError {
  code?: string;
  constraint?: string;
  message?: string;
}

/** Unique indexes that only a concurrent writer can hit: the request lost a race and may be retried. */
const RACE_INDEXES = ['uq_license_events_license_seq', 'license_events.license_id, license_events.seq'];

/** The unique index a database error violated (PostgreSQL: its name; SQLite: `table.column, ...`), if any. */
export function violatedUniqueIndex(error: unknown): string | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  const driver = (error as unknown as { driverError?: DriverError }).driverError ?? {};
  if (driver.code === '23505') return driver.constraint ?? '';
  if (driver.code === 'SQLITE_CONSTRAINT_UNIQUE' || driver.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return /constraint failed: (.+)$/.exec(driver.message ?? '')?.[1] ?? '';
  }
  return undefined;
}

/** Maps a database error to a problem, or undefined when it is a real server fault. */
export function problemFromDatabaseError(error: QueryFailedError): ProblemException | undefined {
  const driver = (error as unknown as { driverError?: DriverError }).driverError ?? {};
  const code = driver.code ?? '';
  const index = violatedUniqueIndex(error);
  if (index !== undefined) {
    if (RACE_INDEXES.includes(index)) {
      return new ProblemException(409, 'CONCURRENT_WRITE', 'The license was changed by another request at the same time; reload it and retry');
    }
    const field = UNIQUE_FIELDS[index];
    return new ProblemException(
      409,
      'DUPLICATE',
      field ? `${field.field}: ${field.message}` : 'A record with the same identifying values already exists (possibly written concurrently); reload and retry',
      field ? [field] : undefined,
    );
  }
  if (code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new ProblemException(409, 'REFERENCED', 'The record is referenced by other records, or refers to a record that does not exist');
  }
  if (code === '40001' || code === '40P01') {
    return new ProblemException(409, 'CONCURRENT_WRITE', 'The record was changed by another request at the same time; retry');
  }
  if (code.startsWith('22') || code === '23514' || code === 'SQLITE_CONSTRAINT_CHECK' || code === 'SQLITE_TOOBIG') {
    return new ProblemException(400, 'INVALID_VALUE', 'A value is outside what the registry can store');
  }
  return undefined;
}

/** Turns every error into RFC 9457 problem+json. Anything unexpected is logged and answered with a bare 500. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const body = this.toProblem(exception, request?.url);
    const retryAfter = (exception instanceof ProblemException ? exception.retryAfterSeconds : undefined) ?? RETRY_AFTER_SECONDS[body.code];
    if (retryAfter !== undefined) void reply.header('Retry-After', String(retryAfter));
    if (body.status >= 500 && retryAfter === undefined) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    if (request && wantsErrorPage(request.method, request.url, request.headers.accept)) {
      const lang = requestLang(request.url, request.headers['accept-language']);
      void reply
        .status(body.status)
        .header('Content-Type', 'text/html; charset=utf-8')
        .send(errorPage(body, lang));
      return;
    }
    sendProblem(reply, body);
  }

  toProblem(exception: unknown, instance?: string): ProblemBody {
    if (exception instanceof ProblemException) return exception.toBody(instance);
    // Busy or out of reach: 503 with Retry-After, whichever layer the error comes through.
    const unavailable = unavailability(exception);
    if (unavailable) return unavailable.toBody(instance);
    if (exception instanceof QueryFailedError) {
      const mapped = problemFromDatabaseError(exception);
      if (mapped) return mapped.toBody(instance);
      return serverError(instance);
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'object' && response && 'message' in response
          ? String((response as { message: unknown }).message)
          : exception.message;
      const code = status === 404 ? 'ROUTE_NOT_FOUND' : titleFor(status).toUpperCase().replace(/ /g, '_');
      // The health check's 503 (terminus): which checks failed, and why.
      if (status === 503 && typeof response === 'object' && response && 'error' in response) {
        return { ...bare(503, 'DATABASE_UNAVAILABLE', 'A health check failed: see checks', instance), checks: (response as { error: unknown }).error };
      }
      return status >= 500 ? serverError(instance) : bare(status, code, message, instance);
    }
    // Fastify's own client errors (bad JSON, wrong content type, body too large) carry statusCode 4xx.
    const fastifyError = exception as { statusCode?: number; code?: string; message?: string };
    if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      const code = (fastifyError.code ?? 'BAD_REQUEST').replace(/^FST_ERR_/, '');
      return bare(fastifyError.statusCode, code, fastifyError.message ?? titleFor(fastifyError.statusCode), instance);
    }
    return serverError(instance);
  }
}

function bare(status: number, code: string, detail: string, instance?: string): ProblemBody {
  return { type: problemType(code), title: titleFor(status), status, detail, code, ...(instance ? { instance } : {}) };
}

function serverError(instance?: string): ProblemBody {
  return bare(500, 'INTERNAL_ERROR', 'The registry could not complete the request; it has been logged', instance);
}

export function sendProblem(reply: FastifyReply, body: ProblemBody): void {
  void reply.status(body.status).header('Content-Type', 'application/problem+json; charset=utf-8').send(JSON.stringify(body));
}
