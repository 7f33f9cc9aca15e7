import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type CsvRow, type ImportError, readCsv } from '../../src/imports/csv-reader.js';

async function rowsOf(text: string, batchSize = 2): Promise<{ rows: CsvRow[]; errors: ImportError[] }> {
  const rows: CsvRow[] = [];
  const errors: ImportError[] = [];
  await readCsv(Readable.from([Buffer.from(text)]), 'shipments', ['a', 'b'], ['a'], (e) => errors.push(e), async (batch) => void rows.push(...batch), { batchSize });
  return { rows, errors };
}

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
