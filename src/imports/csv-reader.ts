import { createHash } from 'node:crypto';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, Parser } from 'csv-parse';
import { MAX_FILE_BYTES, UploadError } from './upload-spool.js';

/** Where a problem in an import file is: which file, the row as a spreadsheet numbers it (header = 1), the column. */
export interface ImportError {
  file: 'shipments' | 'imeis';
  /** The row as a spreadsheet numbers it: the header is row 1. */
  row: number;
  column: string;
  message: string;
}

/** One data row of a CSV file: its spreadsheet row number and its cells by column name. */
export interface CsvRow {
  row: number;
  cells: Record<string, string>;
}

/**
 * Streams a CSV file through csv-parse (UTF-8 with or without BOM, quoted fields with commas and newlines,
 * CRLF or LF), checks its header, and hands rows to `onBatch` in batches of `batchSize`. Returns the file's
 * SHA-256. The input is a local file (an upload is received whole first: upload-spool.ts); one over
 * MAX_FILE_BYTES throws UploadError 413. A file that is not CSV or has a bad header is reported through `fail`.
 */
export async function readCsv(
  input: NodeJS.ReadableStream,
  file: ImportError['file'],
  known: readonly string[],
  required: readonly string[],
  fail: (e: ImportError) => void,
  onBatch: (rows: CsvRow[]) => Promise<void>,
  options: { batchSize: number },
): Promise<string> {
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > MAX_FILE_BYTES) return done(new UploadError(413, `the file is larger than ${MAX_FILE_BYTES / 2 ** 20} MiB`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  // max_record_size: one record may not hold a whole huge file in memory.
  const parser = new NumberedParser({ bom: true, columns: false, skip_empty_lines: true, relax_column_count: false, max_record_size: 1_000_000 });
  // pipeline (not pipe): a broken stream ends the import with its error instead of leaving it waiting.
  const done = pipeline(input as NodeJS.ReadableStream & Readable, tap, parser).catch(() => undefined);
  let header: string[] | undefined;
  let batch: CsvRow[] = [];
  let record = 0;
  try {
    for await (const { values, line } of parser as AsyncIterable<NumberedRecord>) {
      record = line;
      if (!header) {
        header = values.map((h) => h.trim());
        const unknown = header.filter((h) => !known.includes(h));
        const missing = required.filter((r) => !header!.includes(r));
        const twice = header.filter((h, i) => header!.indexOf(h) !== i);
        for (const u of unknown) fail({ file, row: 1, column: u, message: `is not a column of this file; the columns are ${known.join(', ')}` });
        for (const r of missing) fail({ file, row: 1, column: r, message: 'is a required column and is missing' });
        for (const d of twice) fail({ file, row: 1, column: d, message: 'appears twice' });
        if (unknown.length || missing.length || twice.length) return drain(parser, hash);
        continue;
      }
      const cells: Record<string, string> = {};
      header.forEach((h, i) => (cells[h] = values[i] ?? ''));
      batch.push({ row: record, cells });
      if (batch.length >= options.batchSize) {
        await onBatch(batch);
        batch = [];
      }
    }
    if (batch.length) await onBatch(batch);
    if (!header) fail({ file, row: 1, column: '', message: 'the file is empty: it needs a header row' });
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    fail({ file, row: (e as CsvError & { lines?: number }).lines ?? record + 1, column: '', message: `not readable as CSV: ${csvFault(e)}` });
    return drain(parser, hash);
  } finally {
    await done;
  }
  return hash.digest('hex');
}

interface NumberedRecord {
  values: string[];
  /** The line on which the record ends (csv-parse's `info.lines` when it hands the record on). */
  line: number;
}

/**
 * csv-parse's stream, each record with the line it ends on. (Its `info: true` option copies the whole info
 * object for every record, which cost about a tenth of a large import; the parser's live `info` is read
 * instead, at the moment the record is handed on.)
 */
class NumberedParser extends Parser {
  override push(record: unknown): boolean {
    return super.push(record === null ? null : ({ values: record as string[], line: this.info.lines } satisfies NumberedRecord));
  }
}

/** What csv-parse says is wrong, without the value it quotes (for a binary file, the file itself). */
function csvFault(e: CsvError): string {
  return e.message.replace(/, value is [\s\S]*$/, '');
}

async function drain(parser: AsyncIterable<unknown>, hash: ReturnType<typeof createHash>): Promise<string> {
  try {
    for await (const _ of parser) void _;
  } catch {
    // the file is refused already
  }
  return hash.digest('hex');
}
