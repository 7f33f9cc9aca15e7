import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type CsvRow, type ImportError, readCsv } from '../../src/imports/csv-reader.js';
import { type ImeiLines, readCsvInThread, type ShipmentRow } from '../../src/imports/csv-thread.js';
import { IMEI_COLUMNS, REQUIRED_COLUMNS, SHIPMENT_COLUMNS, toShipmentInput } from '../../src/imports/shipment-rows.js';

// readCsvInThread must read exactly as readCsv does on this thread (csv-reader.spec.ts covers readCsv itself).

const header = 'licenseNumber,reference,shippedOn,destinationCountry,units,deviceCategory,fobValue\n';
function shipmentsFile(rows: number, bad: (i: number) => string | undefined = () => undefined): string {
  let text = header;
  for (let i = 0; i < rows; i++) text += bad(i) ?? `MDM-2021-0001,GD-${i},2021-08-13,AE,${(i % 50) + 1},SMARTPHONE,"1,${String(i % 1000).padStart(3, '0')}.50"\n`;
  return text;
}
/** Chunks of at most 1,000 bytes, as a stream would bring a file. */
const chunked = (text: string | Buffer) => {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 1000) chunks.push(bytes.subarray(i, i + 1000));
  return Readable.from(chunks);
};

/** What the import did before the thread: readCsv here, then toShipmentInput for each row of each batch. */
async function onThisThread(text: string, batchSize: number) {
  const errors: ImportError[] = [];
  const batches: ShipmentRow[][] = [];
  const fail = (e: ImportError) => void errors.push(e);
  const sha256 = await readCsv(chunked(text), 'shipments', SHIPMENT_COLUMNS, REQUIRED_COLUMNS, fail, async (rows: CsvRow[]) => {
    batches.push(rows.map(({ row, cells }) => ({ row, input: toShipmentInput(row, cells, fail) })));
  }, { batchSize });
  return { sha256, errors, batches: JSON.parse(JSON.stringify(batches)) };
}

async function inThread(text: string | Readable, batchSize: number, onBatch?: (rows: ShipmentRow[]) => Promise<void>) {
  const errors: ImportError[] = [];
  const batches: ShipmentRow[][] = [];
  // Errors and batches in one sequence: each batch's errors must come before the batch.
  const sequence: string[] = [];
  const sha256 = await readCsvInThread(typeof text === 'string' ? chunked(text) : text, 'shipments', (e) => (errors.push(e), sequence.push(`error ${e.row}`)), async (rows: ShipmentRow[]) => {
    sequence.push(`batch ${rows[0]?.row}`);
    batches.push(rows);
    await onBatch?.(rows);
  }, { batchSize });
  return { sha256, errors, batches: JSON.parse(JSON.stringify(batches)), sequence };
}

describe('readCsvInThread', () => {
  it('hands on the same batches, inputs, errors and SHA-256 as reading on this thread, each batch after its errors', async () => {
    const bad = (i: number) =>
      i === 3 ? 'MDM-2021-0001,GD-3,2021-02-30,AE,1,SMARTPHONE,1.00\n' : i === 7 ? 'MDM-2021-0001,GD-7,2021-08-13,UAE,0,PHONE,1.001\n' : i === 1200 ? ',GD-1200,2021-08-13,AE,1,SMARTPHONE,\n' : undefined;
    const text = shipmentsFile(2500, bad);
    const here = await onThisThread(text, 500);
    const there = await inThread(text, 500);
    expect(there.sha256).toBe(here.sha256);
    expect(there.errors).toEqual(here.errors);
    expect(there.batches).toEqual(here.batches);
    expect(here.errors.map((e) => e.row)).toEqual([5, 9, 9, 9, 9, 1202]);
    expect(there.sequence).toEqual(['error 5', 'error 9', 'error 9', 'error 9', 'error 9', 'batch 2', 'batch 502', 'error 1202', 'batch 1002', 'batch 1502', 'batch 2002']);
  });

  it('reports a fault of the file as readCsv does, and hands on no batch after it', async () => {
    const text = shipmentsFile(1200, (i) => (i === 1100 ? 'MDM-2021-0001,GD-1100,2021-08-13,AE,1,SMARTPHONE,1.00,extra\n' : undefined));
    const here = await onThisThread(text, 500);
    const there = await inThread(text, 500);
    expect(there).toMatchObject({ sha256: here.sha256, errors: here.errors, batches: here.batches });
    expect(there.errors).toEqual([expect.objectContaining({ row: 1102, message: expect.stringContaining('not readable as CSV') })]);
    expect(there.batches).toHaveLength(2);
    const header = await inThread('licenseNumber;reference\nMDM-1;GD-1\n', 500);
    expect(header.errors).toEqual([expect.objectContaining({ row: 1, message: expect.stringContaining('";" as its separator') })]);
  });

  it('hands on an IMEI file by column', async () => {
    const lines: ImeiLines[] = [];
    const errors: ImportError[] = [];
    await readCsvInThread(chunked('imei,reference\n356938035643809, GD-1\n\n"35693803564381",GD-2\n'), 'imeis', (e) => errors.push(e), async (b: ImeiLines) => void lines.push(b), { batchSize: 5000 });
    expect(errors).toEqual([]);
    expect(lines).toEqual([{ rows: [2, 4], imeis: ['356938035643809', '35693803564381'], references: [' GD-1', 'GD-2'] }]);
    expect(IMEI_COLUMNS).toEqual(['imei', 'reference']);
  });

  it('throws what the file stream throws, and what the batches throw, and reads the next file as before', async () => {
    const broken = new Readable({ read() {} });
    broken.push(Buffer.from(shipmentsFile(600)));
    setTimeout(() => broken.destroy(new Error('disk went away')), 50);
    await expect(inThread(broken, 500)).rejects.toThrow('disk went away');
    await expect(inThread(shipmentsFile(3000), 500, async () => Promise.reject(new Error('database went away')))).rejects.toThrow('database went away');
    const text = shipmentsFile(1000);
    expect(await inThread(text, 500)).toMatchObject(await onThisThread(text, 500));
  });

  it('reads a bounded distance ahead of the batches taken, whatever the file size', async () => {
    let pulled = 0;
    const text = Buffer.from(shipmentsFile(100_000)); // about 6.5 MB
    const file = Readable.from((function* () {
      for (let i = 0; i < text.length; i += 65_536) {
        pulled += Math.min(65_536, text.length - i);
        yield text.subarray(i, i + 65_536);
      }
    })());
    const ahead: number[] = [];
    let taken = 0;
    await readCsvInThread(file, 'shipments', () => undefined, async (rows: ShipmentRow[]) => {
      taken += rows.length;
      // Bytes pulled from the file beyond the rows taken so far (each row about 65 bytes).
      if (taken % 10_000 === 0) {
        await new Promise((resolve) => setTimeout(resolve, 200)); // a slow batch: the thread must wait, not read on
        ahead.push(pulled - taken * 65);
      }
    }, { batchSize: 500 });
    expect(taken).toBe(100_000);
    expect(ahead.length).toBeGreaterThan(5);
    for (const bytes of ahead) expect(bytes).toBeLessThan(3.5 * 2 ** 20); // 2 MiB sent ahead, the batches read ahead, a chunk
  });
});
