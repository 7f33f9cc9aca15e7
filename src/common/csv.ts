import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';

/**
 * Formula injection (CWE-1236): a text cell starting with = + - @ (or tab / carriage return) would run as a
 * formula in a spreadsheet; it is prefixed with an apostrophe, which spreadsheets show as text. Numbers are
 * left as plain numbers.
 */
export function spreadsheetSafe(value: unknown): unknown {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value !== 'string') return value;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * RFC 4180 CSV (csv-stringify), UTF-8, CRLF, as a stream: a header row, then each record's `columns` in order.
 * `bom` starts it with a UTF-8 byte-order mark, which Excel needs to read UTF-8.
 */
export function csvStream(columns: readonly string[], records: Iterable<Record<string, unknown>>, options: { bom?: boolean } = {}): Readable {
  const stringifier = stringify({ header: true, columns: [...columns], record_delimiter: '\r\n', bom: options.bom ?? false, quoted_match: /[",\r\n]/ });
  Readable.from(
    (function* () {
      for (const record of records) yield columns.map((c) => spreadsheetSafe(record[c]));
    })(),
  ).pipe(stringifier);
  return stringifier;
}

/** A file name made of safe characters. */
export function fileName(...parts: (string | undefined)[]): string {
  return parts
    .filter(Boolean)
    .join('-')
    .replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** The same CSV as one string, for small documents (it can then carry an ETag). */
export function csvString(columns: readonly string[], records: Iterable<Record<string, unknown>>, options: { bom?: boolean } = {}): string {
  return stringifySync(
    [...records].map((record) => columns.map((c) => spreadsheetSafe(record[c]))),
    { header: true, columns: [...columns], record_delimiter: '\r\n', bom: options.bom ?? false, quoted_match: /[",\r\n]/ },
  );
}
