import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';

/**
 * Formula injection (CWE-1236): a text cell starting with = + - @, their full-width forms, a tab or a carriage
 * return would run as a formula in a spreadsheet; csv-stringify's `escape_formulas` prefixes it with an
 * apostrophe, which spreadsheets show as text. Numbers are left as plain numbers.
 */
const CSV_OPTIONS = { header: true, record_delimiter: '\r\n', quoted_match: /[",\r\n]/, escape_formulas: true } as const;

/**
 * What `escape_formulas` does not see: a formula behind invisible characters (spaces, no-break space, zero-width
 * and format characters such as U+200B, U+200D, U+FEFF and bidi marks), which some spreadsheets skip; such a
 * cell gets the apostrophe here. Also writes null as empty and booleans as true/false.
 */
export function spreadsheetSafe(value: unknown): unknown {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value !== 'string') return value;
  return /^[\s\p{Cf}]+[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/u.test(value) ? `'${value}` : value;
}

/**
 * RFC 4180 CSV (csv-stringify), UTF-8, CRLF, as a stream: a header row, then each record's `columns` in order.
 * `bom` starts it with a UTF-8 byte-order mark, which Excel needs to read UTF-8.
 */
export function csvStream(columns: readonly string[], records: Iterable<Record<string, unknown>>, options: { bom?: boolean } = {}): Readable {
  const stringifier = stringify({ ...CSV_OPTIONS, columns: [...columns], bom: options.bom ?? false });
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
    { ...CSV_OPTIONS, columns: [...columns], bom: options.bom ?? false },
  );
}
