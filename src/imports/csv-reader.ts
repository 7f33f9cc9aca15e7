import { createHash } from 'node:crypto';
import { type Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, Parser } from 'csv-parse';
import { CsvDecoder } from './csv-decoding.js';
import { MAX_FILE_BYTES, UploadError } from './upload-spool.js';

/** Where a problem in an import file is: which file, the row as a spreadsheet numbers it (header = 1), the column. */
export interface ImportError {
  file: 'shipments' | 'imeis';
  /**
   * The row as a spreadsheet numbers it: the line of the file on which the record ends. The header is row 1
   * (row 2 after a first line `sep=,`).
   */
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
 * Streams a CSV file through csv-parse (quoted fields with commas and newlines, CRLF or LF), checks its header,
 * and hands rows to `onBatch` in batches of `batchSize`, each cell decoded strictly and in NFC (csv-decoding.ts):
 * UTF-8 unless `charset` names another encoding (csvEncoding) or a byte order mark names UTF-8 or UTF-16. Returns
 * the SHA-256 of the file's bytes as they are. The input is a local file (an upload is received whole first:
 * upload-spool.ts); one over MAX_FILE_BYTES throws UploadError 413. Reported through `fail`, and then the file is
 * read no further: a file that is not CSV, bytes that are not valid in its encoding (the first, by row and
 * column), a bad header, a file separated by semicolons (a header of one cell with a `;`, or a first line
 * `sep=;`). A first line `sep=,` is skipped.
 */
export async function readCsv(
  input: NodeJS.ReadableStream,
  file: ImportError['file'],
  known: readonly string[],
  required: readonly string[],
  fail: (e: ImportError) => void,
  onBatch: (rows: CsvRow[]) => Promise<void>,
  options: { batchSize: number; charset?: string },
): Promise<string> {
  const hash = createHash('sha256');
  let bytes = 0;
  const decoder = new CsvDecoder(options.charset);
  // The parser splits bytes (commas, quotes and line ends are the same bytes in every encoding the decoder
  // passes on) and hands each cell on as 'latin1', one character per byte, for the decoder to read.
  // relax_column_count: a row of another length than the header is refused here, after the header is looked at
  // (so that a file separated by semicolons is refused as such, not for the decimal commas of its second line).
  // max_record_size: one record may not hold a whole huge file in memory.
  const parser = new NumberedParser({ bom: false, encoding: 'latin1', columns: false, skip_empty_lines: true, relax_column_count: true, max_record_size: 1_000_000 });
  // pipeline (not pipe): a fault ends both streams; the parser's own (CsvError) is met in the loop below.
  void pipeline(decoder, parser).catch(() => undefined);
  // Every byte is counted and hashed, also after the parser has stopped at a fault: the SHA-256 is of the whole file.
  const tap = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > MAX_FILE_BYTES) return done(new UploadError(413, `the file is larger than ${MAX_FILE_BYTES / 2 ** 20} MiB`));
      hash.update(chunk);
      if (decoder.destroyed || decoder.write(chunk)) return done();
      const go = () => (decoder.off('drain', go), decoder.off('close', go), done());
      decoder.on('drain', go).on('close', go);
    },
    final(done) {
      if (!decoder.destroyed) decoder.end();
      done();
    },
  });
  // A broken stream (or one too large) ends the parser with its error, and the import with it.
  const reading = pipeline(input as NodeJS.ReadableStream & Readable, tap).catch((e: unknown) => {
    parser.destroy(e as Error);
    throw e;
  });
  reading.catch(() => undefined);
  let header: string[] | undefined;
  let batch: CsvRow[] = [];
  let record = 0;
  try {
    // Not destroyed when left early: drain() reads the rest, so that the SHA-256 is of the whole file.
    for await (const { values, line } of parser.iterator({ destroyOnReturn: false }) as AsyncIterable<NumberedRecord>) {
      record = line;
      const undecodable = decoder.decodeRecord(values);
      if (!header) {
        if (undecodable >= 0) {
          fail({ file, row: line, column: '', message: `column ${undecodable + 1} of the header ${encodingFault(decoder.encoding)}` });
          return drain(parser, reading, hash);
        }
        if (line === 1 && values.length === 2 && values[0].toLowerCase() === 'sep=' && values[1] === '') continue;
        const separator = otherSeparator(values);
        if (separator) {
          fail({ file, row: line, column: '', message: `the file seems to use "${separator}" as its separator; save it as "CSV UTF-8 (comma delimited)"` });
          return drain(parser, reading, hash);
        }
        header = values.map((h) => h.trim());
        const unknown = header.filter((h) => !known.includes(h));
        const missing = required.filter((r) => !header!.includes(r));
        const twice = header.filter((h, i) => header!.indexOf(h) !== i);
        for (const u of unknown) fail({ file, row: line, column: u, message: `is not a column of this file; the columns are ${known.join(', ')}` });
        for (const r of missing) fail({ file, row: line, column: r, message: 'is a required column and is missing' });
        for (const d of twice) fail({ file, row: line, column: d, message: 'appears twice' });
        if (unknown.length || missing.length || twice.length) return drain(parser, reading, hash);
        continue;
      }
      if (undecodable >= 0) {
        fail({ file, row: line, column: header[undecodable] ?? '', message: encodingFault(decoder.encoding) });
        return drain(parser, reading, hash);
      }
      if (values.length !== header.length) {
        fail({ file, row: line, column: '', message: `not readable as CSV: the row has ${values.length} cells and the header ${header.length}` });
        return drain(parser, reading, hash);
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
    if (!(e instanceof CsvError)) {
      // A fault of the stream, or of the caller's batch: nothing more is read.
      parser.destroy();
      (input as NodeJS.ReadableStream & Readable).destroy();
      throw e;
    }
    fail({ file, row: (e as CsvError & { lines?: number }).lines ?? record + 1, column: '', message: `not readable as CSV: ${csvFault(e)}` });
    return drain(parser, reading, hash);
  }
  await reading;
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

/** What to say of bytes that are not valid in the file's encoding (WHATWG name), and what to do. */
function encodingFault(encoding: string): string {
  return encoding === 'utf-8'
    ? 'has bytes that are not valid UTF-8: save the file as "CSV UTF-8", or send its charset (such as charset=windows-1252)'
    : `has bytes that are not valid ${encoding.startsWith('utf-') ? encoding.toUpperCase() : encoding}: send the charset the file is in, or save it as "CSV UTF-8"`;
}

/** The separator of a file whose header is one cell: named by a first line `sep=X`, or a `;` in it. */
function otherSeparator(header: string[]): string | undefined {
  if (header.length !== 1) return undefined;
  return /^sep=(.)$/is.exec(header[0])?.[1] ?? (header[0].includes(';') ? ';' : undefined);
}

/** What csv-parse says is wrong, without the value it quotes (for a binary file, the file itself). */
function csvFault(e: CsvError): string {
  return e.message.replace(/, value is [\s\S]*$/, '');
}

/** Reads the rest of a file that is refused already (for its SHA-256); a fault of the stream no longer matters. */
async function drain(parser: AsyncIterable<unknown>, reading: Promise<void>, hash: ReturnType<typeof createHash>): Promise<string> {
  try {
    for await (const _ of parser) void _;
  } catch {
    // the parser stopped at a fault: the bytes after it are still read and hashed
  }
  await reading.catch(() => undefined);
  return hash.digest('hex');
}
