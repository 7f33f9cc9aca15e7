// The CSV reading thread (see csv-thread.ts): reads one import file at a time, its bytes sent by the thread that
// imports, through readCsv (csv-reader.ts) and, for a shipments file, each row through the API's validation
// (toShipmentInput), and posts the rows back in batches, with the errors found on the way.
import 'reflect-metadata';
import { Transform } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { type CsvRow, type ImportError, readCsv } from './csv-reader.js';
import type { FromCsvThread, ReadBatch, ToCsvThread } from './csv-thread.js';
import { IMEI_COLUMNS, REQUIRED_COLUMNS, SHIPMENT_COLUMNS, toShipmentInput } from './shipment-rows.js';
import { UploadError } from './upload-spool.js';

const port = parentPort!;
/** The bytes read are reported to the importing thread (which then sends more) this many at a time. */
const REPORT_BYTES = 256 * 2 ** 10;
const post = (message: FromCsvThread) => port.postMessage(message);

/** The file being read: its bytes as they arrive, the batches the importing thread may still take. */
let source: Transform | undefined;
let credit = 0;
let granted: (() => void) | undefined;

port.on('message', (m: ToCsvThread) => {
  switch (m.type) {
    case 'read':
      void read(m);
      break;
    case 'bytes':
      source?.write(Buffer.from(m.chunk.buffer, m.chunk.byteOffset, m.chunk.byteLength));
      break;
    case 'end':
      source?.end();
      break;
    case 'next':
      credit++;
      granted?.();
      break;
  }
});

async function read(job: Extract<ToCsvThread, { type: 'read' }>): Promise<void> {
  // The importing thread sends bytes ahead (csv-thread.ts); the reader says how many it has taken.
  let taken = 0;
  source = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      taken += chunk.length;
      if (taken >= REPORT_BYTES) {
        post({ type: 'took', bytes: taken });
        taken = 0;
      }
      done(null, chunk);
    },
  });
  credit = job.ahead;
  let errors: ImportError[] = [];
  const fail = (e: ImportError) => void errors.push(e);
  const shipments = job.file === 'shipments';
  try {
    const sha256 = await readCsv(source, job.file, shipments ? SHIPMENT_COLUMNS : IMEI_COLUMNS, shipments ? REQUIRED_COLUMNS : IMEI_COLUMNS, fail, async (rows: CsvRow[]) => {
      const batch: ReadBatch = shipments
        ? rows.map(({ row, cells }) => ({ row, input: toShipmentInput(row, cells, fail) }))
        : { rows: rows.map((r) => r.row), imeis: rows.map((r) => r.cells.imei ?? ''), references: rows.map((r) => r.cells.reference ?? '') };
      while (credit === 0) await new Promise<void>((resolve) => (granted = resolve));
      credit--;
      post({ type: 'batch', batch, errors });
      errors = [];
    }, { batchSize: job.batchSize, charset: job.charset });
    post({ type: 'done', sha256, errors });
  } catch (e) {
    post({ type: 'failed', upload: e instanceof UploadError ? { status: e.getStatus(), detail: e.detail } : undefined, message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  } finally {
    source = undefined;
    granted = undefined;
  }
}
