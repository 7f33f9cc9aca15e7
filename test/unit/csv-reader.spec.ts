import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { csvEncoding } from '../../src/imports/csv-decoding.js';
import { type CsvRow, type ImportError, readCsv } from '../../src/imports/csv-reader.js';

/** Reads `input` (text, bytes, or bytes in the chunks given) as a file with the columns a and b. */
async function rowsOf(input: string | Buffer | Buffer[], options: { batchSize?: number; charset?: string } = {}): Promise<{ rows: CsvRow[]; errors: ImportError[]; sha256: string }> {
  const rows: CsvRow[] = [];
  const errors: ImportError[] = [];
  const chunks = Array.isArray(input) ? input : [Buffer.from(input)];
  const sha256 = await readCsv(Readable.from(chunks), 'shipments', ['a', 'b'], ['a'], (e) => errors.push(e), async (batch) => void rows.push(...batch), {
    batchSize: options.batchSize ?? 2,
    charset: options.charset,
  });
  return { rows, errors, sha256 };
}

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();

describe('readCsv', () => {
  it('numbers each row by the line it ends on, across quoted line breaks, blank lines and CRLF', async () => {
    const { rows, errors } = await rowsOf('a,b\r\n1,x\r\n"2\nstill 2",y\r\n\r\n3,z\r\n');
    expect(errors).toEqual([]);
    expect(rows).toEqual([
      { row: 2, cells: { a: '1', b: 'x' } },
      { row: 4, cells: { a: '2\nstill 2', b: 'y' } },
      { row: 6, cells: { a: '3', b: 'z' } },
    ]);
  });

  it('names the line of a record with too many cells', async () => {
    const { rows, errors } = await rowsOf('a,b\n1,x\n2,y,extra\n');
    expect(rows).toEqual([]); // the batch of one row before the fault is not handed on: the file is refused
    expect(errors).toEqual([expect.objectContaining({ row: 3, column: '', message: expect.stringContaining('not readable as CSV') })]);
  });
});

describe('readCsv decodes strictly', () => {
  // "café" saved by Excel as plain "CSV" on Windows: é is the single byte 0xE9.
  const windows1252 = bytes('a,b\r\n1,x\r\n2,caf', [0xe9], '\r\n');

  it('refuses bytes that are not UTF-8, naming the row and column and what to do', async () => {
    const { rows, errors } = await rowsOf(windows1252, { batchSize: 10 });
    expect(rows).toEqual([]);
    expect(errors).toEqual([{ file: 'shipments', row: 3, column: 'b', message: expect.stringContaining('"CSV UTF-8"') }]);
    expect(errors[0].message).toMatch(/not valid UTF-8/);
    expect(errors[0].message).toMatch(/charset/);
  });

  it('names the row a record ends on and the column, inside a quoted cell with a line break; and in the header', async () => {
    const { errors } = await rowsOf(bytes('a,b\n1,"line one\nline tw', [0xf6], '"\n'));
    expect(errors).toEqual([expect.objectContaining({ row: 3, column: 'b' })]);
    const header = await rowsOf(bytes('a,b', [0xe9], '\n1,x\n'));
    expect(header.errors).toEqual([expect.objectContaining({ row: 1, column: '', message: expect.stringMatching(/^column 2 of the header has bytes that are not valid UTF-8/) })]);
    expect(header.rows).toEqual([]);
  });

  it('reads the same bytes with the charset declared: é stays é', async () => {
    const { rows, errors } = await rowsOf(windows1252, { charset: 'windows-1252' });
    expect(errors).toEqual([]);
    expect(rows).toEqual([
      { row: 2, cells: { a: '1', b: 'x' } },
      { row: 3, cells: { a: '2', b: 'café' } },
    ]);
  });

  it('refuses a byte the declared charset does not have, naming it', async () => {
    const { errors } = await rowsOf(bytes('a,b\n1,', [0xd2], '\n'), { charset: 'windows-1253' });
    expect(errors).toEqual([expect.objectContaining({ row: 2, column: 'b', message: expect.stringContaining('windows-1253') })]);
  });

  it('reads UTF-8 with a BOM (which names the encoding even when another charset is declared)', async () => {
    for (const charset of [undefined, 'windows-1252']) {
      const { rows, errors } = await rowsOf(bytes([0xef, 0xbb, 0xbf], 'a,b\n1,é\n'), { charset });
      expect(errors).toEqual([]);
      expect(rows).toEqual([{ row: 2, cells: { a: '1', b: 'é' } }]);
    }
  });

  it('keeps a U+FFFD that is really in the file (correctly encoded), and a U+FEFF inside it', async () => {
    const { rows, errors } = await rowsOf('a,b\n1,x\uFFFDy\n2,\uFEFFz\n');
    expect(errors).toEqual([]);
    expect(rows.map((r) => r.cells.b)).toEqual(['x\uFFFDy', '\uFEFFz']);
  });

  it('reads a character whose bytes arrive in two chunks', async () => {
    const text = Buffer.from('a,b\n1,Ünïbrand €\n');
    const at = text.indexOf(Buffer.from('€')) + 1;
    const { rows, errors } = await rowsOf([text.subarray(0, at), text.subarray(at)]);
    expect(errors).toEqual([]);
    expect(rows).toEqual([{ row: 2, cells: { a: '1', b: 'Ünïbrand €' } }]);
  });

  it('reads UTF-16 LE and BE files by their BOM, in chunks of any size; the SHA-256 is over the bytes as sent', async () => {
    const text = '\uFEFFa,b\r\n1,"café, 😀"\r\n2,ок \uFFFD\r\n';
    for (const file of [Buffer.from(text, 'utf16le'), utf16be(text)]) {
      for (const size of [file.length, 3, 1]) {
        const chunks = Array.from({ length: Math.ceil(file.length / size) }, (_, i) => file.subarray(i * size, (i + 1) * size));
        const { rows, errors, sha256 } = await rowsOf(chunks);
        expect(errors).toEqual([]);
        expect(rows).toEqual([
          { row: 2, cells: { a: '1', b: 'café, 😀' } },
          { row: 3, cells: { a: '2', b: 'ок \uFFFD' } },
        ]);
        expect(sha256).toBe(createHash('sha256').update(file).digest('hex'));
      }
    }
  });

  it('refuses a UTF-16 file with a lone surrogate, naming its row and column', async () => {
    const file = Buffer.concat([Buffer.from('\uFEFFa,b\n1,x\n2,y', 'utf16le'), Buffer.from([0x00, 0xd8]), Buffer.from('z\n', 'utf16le')]);
    const { errors } = await rowsOf([file.subarray(0, 15), file.subarray(15)]);
    expect(errors).toEqual([expect.objectContaining({ row: 3, column: 'b', message: expect.stringContaining('UTF-16LE') })]);
  });

  it('reads files shorter than a byte order mark', async () => {
    expect(await rowsOf('a')).toMatchObject({ rows: [], errors: [] });
    expect((await rowsOf('')).errors).toEqual([expect.objectContaining({ row: 1, message: expect.stringContaining('empty') })]);
    expect((await rowsOf(Buffer.from([0xff, 0xfe]))).errors).toEqual([expect.objectContaining({ row: 1, message: expect.stringContaining('empty') })]);
    expect(await rowsOf(Buffer.from('a\n', 'utf16le'), { charset: 'utf-16le' })).toMatchObject({ rows: [], errors: [] });
  });

  it('hands each cell on in NFC: letters with combining marks are composed', async () => {
    const { rows } = await rowsOf('a,b\n1,cafe\u0301 Ko\u0308ln\n');
    expect(rows[0].cells.b).toBe('caf\u00e9 K\u00f6ln');
  });
});

describe('readCsv and separators', () => {
  const semicolon = expect.objectContaining({ row: 1, column: '', message: expect.stringMatching(/";" as its separator.*"CSV UTF-8 \(comma delimited\)"/) });

  it('refuses a file separated by semicolons (one error on row 1), also when its numbers have decimal commas', async () => {
    for (const text of ['a;b\n1;x\n', 'a;b\n1,5;x\n2;y\n']) {
      const { rows, errors } = await rowsOf(text);
      expect(errors).toEqual([semicolon]);
      expect(rows).toEqual([]);
    }
  });

  it('refuses a file whose first line is sep=;', async () => {
    const { rows, errors } = await rowsOf('sep=;\na;b\n1,5;x\n');
    expect(errors).toEqual([semicolon]);
    expect(rows).toEqual([]);
  });

  it('skips a first line sep=, and numbers rows as lines of the file: the header is then row 2', async () => {
    const { rows, errors } = await rowsOf('sep=,\r\na,b\r\n1,x\r\n');
    expect(errors).toEqual([]);
    expect(rows).toEqual([{ row: 3, cells: { a: '1', b: 'x' } }]);
    const unknown = await rowsOf('sep=,\na,c\n1,x\n');
    expect(unknown.errors).toEqual([expect.objectContaining({ row: 2, column: 'c', message: expect.stringContaining('is not a column') })]);
  });
});

describe('csvEncoding', () => {
  it('names the encoding of a charset label the import reads, and nothing for one it does not', () => {
    expect(csvEncoding('Windows-1252')).toBe('windows-1252');
    expect(csvEncoding('iso-8859-1')).toBe('windows-1252'); // as browsers read it
    expect(csvEncoding('utf8')).toBe('utf-8');
    expect(csvEncoding('UTF-16')).toBe('utf-16le');
    expect(csvEncoding('gbk')).toBe('gbk');
    expect(csvEncoding('klingon')).toBeUndefined();
    expect(csvEncoding('iso-2022-jp')).toBeUndefined(); // its bytes for letters include those of commas and quotes
  });
});

describe('readCsv on a file it refuses', () => {
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const refused = {
    'a row of another length': 'a,b\n1,x\n2,y,extra\n' + '3,z\n'.repeat(300_000),
    'a bad header': 'a,c\n' + '1,x\n'.repeat(300_000),
    'bytes that are not UTF-8': Buffer.concat([Buffer.from('a,b\n1,x\n2,'), Buffer.from([0xff]), Buffer.from('\n' + '3,z\n'.repeat(300_000))]),
    'a quote in the middle of a cell': 'a,b\n1,x\n2,y"y\n' + '3,z\n'.repeat(300_000),
    'a quote never closed': 'a,b\n1,x\n"2,y\n' + '3,z\n'.repeat(300_000),
  };
  for (const [fault, text] of Object.entries(refused)) {
    it(`answers the SHA-256 of all its bytes, in any chunks: ${fault}`, async () => {
      const file = Buffer.from(text);
      for (const size of [1000, 65_536, file.length]) {
        const chunks: Buffer[] = [];
        for (let i = 0; i < file.length; i += size) chunks.push(file.subarray(i, i + size));
        const { errors, sha256 } = await rowsOf(chunks, { batchSize: 2 });
        expect(errors.length).toBeGreaterThan(0);
        expect(sha256).toBe(sha(file));
      }
    });
  }
});

describe('readCsv when a batch fails', () => {
  it('throws the batch error at once and stops reading the file', async () => {
    const file = Readable.from((function* () {
      yield Buffer.from('a,b\n');
      for (let i = 0; i < 100_000; i++) yield Buffer.from(`${i},x\n`);
    })());
    const failing = readCsv(file, 'shipments', ['a', 'b'], ['a'], () => undefined, async () => Promise.reject(new Error('database went away')), { batchSize: 10 });
    await expect(failing).rejects.toThrow('database went away');
    expect(file.destroyed).toBe(true);
  });
});
