import { ProblemException } from './problem.js';

/** Seconds a client is asked to wait (Retry-After) before trying again, by problem code. */
export const RETRY_AFTER_SECONDS: Record<string, number> = { BUSY: 1, DATABASE_UNAVAILABLE: 5 };

/** The database is busy with other writes: nothing was written; the same request may be sent again. */
export function busy(detail = 'The registry is busy with other changes; nothing was written: retry in a moment'): ProblemException {
  return new ProblemException(503, 'BUSY', detail);
}

export function databaseUnavailable(): ProblemException {
  return new ProblemException(503, 'DATABASE_UNAVAILABLE', 'The registry cannot reach its database at the moment; nothing was written: retry in a moment');
}

// PostgreSQL SQLSTATEs (appendix A of its manual): 55P03 lock_not_available (lock_timeout), 57014
// query_canceled (statement_timeout), 25P03 idle_in_transaction_session_timeout.
const BUSY_CODES = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_TIMEOUT', 'SQLITE_LOCKED', '55P03', '57014', '25P03']);
// Class 08 connection exceptions; 57P01-57P03 the server shutting down or not yet accepting connections;
// 53300 too many connections; SQLite I/O and open faults; the socket errors of a server that is gone.
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300', 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'SQLITE_CANTOPEN', 'SQLITE_FULL']);
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/i,
  /Client has encountered a connection error and is not queryable/i,
  /Client was closed and is not queryable/i,
  /Cannot use a pool after calling end/i,
  /connect ECONNREFUSED/i,
];

/**
 * The 503 problem for an error that says the database is busy (a lock or a connection not had in time) or out
 * of reach, or undefined for any other error. Looks at the error and its driver error (TypeORM wraps them).
 */
export function unavailability(error: unknown): ProblemException | undefined {
  for (const e of [error, (error as { driverError?: unknown } | undefined)?.driverError]) {
    if (!e || typeof e !== 'object') continue;
    const code = String((e as { code?: unknown }).code ?? '');
    const message = String((e as { message?: unknown }).message ?? '');
    if (BUSY_CODES.has(code)) return busy();
    // pg's pool: no connection free within connectionTimeoutMillis.
    if (/timeout exceeded when trying to connect/i.test(message)) return busy();
    if (UNAVAILABLE_CODES.has(code) || code.startsWith('08') || code.startsWith('SQLITE_IOERR')) return databaseUnavailable();
    if (UNAVAILABLE_MESSAGES.some((re) => re.test(message))) return databaseUnavailable();
    if (e instanceof AggregateError && e.errors.some((inner) => unavailability(inner))) return databaseUnavailable();
  }
  return undefined;
}
