import { Worker } from 'node:worker_threads';
import { builtModule } from '../common/process.js';
import type { CreateShipmentDto } from '../shipments/dto/shipment.dto.js';
import type { ImportError } from './csv-reader.js';
import { UploadError } from './upload-spool.js';

/** A row of a shipments file as read: its row number and the API's input (undefined when the row was refused). */
export interface ShipmentRow {
  row: number;
  input: CreateShipmentDto | undefined;
}
/** Lines of an IMEI file as read, by column (a million objects would cost more to pass between threads than to read). */
export interface ImeiLines {
  rows: number[];
  imeis: string[];
  references: string[];
}
/** A batch as read: shipments rows, or IMEI lines. */
export type ReadBatch = ShipmentRow[] | ImeiLines;

/** Messages to the CSV thread: read a file, its bytes (sent ahead, see READ_AHEAD_BYTES), their end, one more batch may come. */
export type ToCsvThread =
  | { type: 'read'; file: 'shipments' | 'imeis'; batchSize: number; charset?: string; ahead: number }
  | { type: 'bytes'; chunk: Uint8Array }
  | { type: 'end' }
  | { type: 'next' };
/** Messages from it: bytes it has read; a batch of rows (and the errors found before them); the file's end; a failure. */
export type FromCsvThread =
  | { type: 'took'; bytes: number }
  | { type: 'batch'; batch: ReadBatch; errors: ImportError[] }
  | { type: 'done'; sha256: string; errors: ImportError[] }
  | { type: 'failed'; upload?: { status: number; detail: string }; message: string };

/** Batches the thread may read ahead of the one being imported: enough to keep both threads busy, few enough to keep memory flat. */
const AHEAD = 8;
/**
 * Bytes sent to the thread before it has read them: enough that it goes on reading while this thread runs a long
 * statement (one chunk per request, answered between statements, left it waiting a third of the time).
 */
const READ_AHEAD_BYTES = 2 * 2 ** 20;
/**
 * The thread's young generation (where V8 first puts what it allocates: here each row's cells, short-lived). V8's
 * default lets it grow to 48 MiB, which with the thread's own copy of the validation modules (about 50 MiB) took a
 * 200,000-row import to 323-327 MiB of RSS; at 12 MiB, 298-301 MiB as fast (277-296 MiB with the heap growing 1.5x,
 * runtime.ts). Not a limit on the heap: the old generation grows as far as the thread needs.
 */
const YOUNG_GENERATION_MB = 12;
/** An idle thread ends after this long. */
const IDLE_MS = 30_000;

const idle: { thread: Worker; timer: NodeJS.Timeout }[] = [];

/**
 * Reads an import file as readCsv (csv-reader.ts) does, with the same checks, errors and batches, and for a shipments
 * file turns each row into the API's input (toShipmentInput), in a thread of its own (csv-thread-worker.ts): reading
 * and validating a row then overlaps with writing the rows before it, and an import takes about a third less time
 * on two cores. The thread reads at most AHEAD batches ahead of `onBatch` and is sent at most READ_AHEAD_BYTES of
 * the file beyond what it has read, so memory stays flat in the file size. Errors reach `fail` in the order readCsv finds them, each batch's
 * before `onBatch` gets it. Returns the SHA-256 of the file's bytes; throws what reading `input` throws, and
 * UploadError for a file over MAX_FILE_BYTES. Threads are kept for the next file and end after IDLE_MS unused.
 */
export async function readCsvInThread<Batch extends ReadBatch>(
  input: NodeJS.ReadableStream,
  file: 'shipments' | 'imeis',
  fail: (e: ImportError) => void,
  onBatch: (batch: Batch) => Promise<void>,
  options: { batchSize: number; charset?: string },
): Promise<string> {
  const taken = idle.pop();
  if (taken) clearTimeout(taken.timer);
  const thread = taken?.thread ?? startThread();
  const bytes = (input as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  const inbox: Exclude<FromCsvThread, { type: 'took' }>[] = [];
  let wake: (() => void) | undefined;
  let broken: { error: unknown } | undefined;
  let unread = 0;
  let feeding = false;
  let fed = false;
  const feed = async () => {
    if (feeding || fed) return;
    feeding = true;
    try {
      while (unread < READ_AHEAD_BYTES && !broken) {
        const next = await bytes.next();
        if (next.done) {
          fed = true;
          thread.postMessage({ type: 'end' } satisfies ToCsvThread);
          break;
        }
        const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
        unread += chunk.length;
        thread.postMessage({ type: 'bytes', chunk } satisfies ToCsvThread);
      }
    } catch (error) {
      broken ??= { error };
      wake?.();
    } finally {
      feeding = false;
    }
  };
  const onMessage = (m: FromCsvThread) => {
    if (m.type === 'took') {
      unread -= m.bytes;
      return void feed();
    }
    inbox.push(m);
    wake?.();
  };
  const onError = (error: Error) => {
    broken ??= { error };
    wake?.();
  };
  const onExit = (code: number) => onError(new Error(`the CSV thread stopped (exit code ${code})`));
  thread.on('message', onMessage);
  thread.on('error', onError);
  thread.on('exit', onExit);
  thread.ref(); // while it reads, the thread keeps this process running
  let reusable = false;
  try {
    thread.postMessage({ type: 'read', file, batchSize: options.batchSize, charset: options.charset, ahead: AHEAD } satisfies ToCsvThread);
    void feed();
    for (;;) {
      while (!inbox.length && !broken) await new Promise<void>((resolve) => (wake = resolve));
      if (broken) throw broken.error;
      const m = inbox.shift()!;
      if (m.type === 'failed') throw m.upload ? new UploadError(m.upload.status, m.upload.detail) : new Error(`reading the CSV file failed: ${m.message}`);
      m.errors.forEach(fail);
      if (m.type === 'done') {
        reusable = true;
        return m.sha256;
      }
      await onBatch(m.batch as Batch);
      thread.postMessage({ type: 'next' } satisfies ToCsvThread);
    }
  } finally {
    thread.off('message', onMessage);
    thread.off('error', onError);
    thread.off('exit', onExit);
    thread.unref();
    if (reusable) {
      const timer = setTimeout(() => {
        const at = idle.findIndex((t) => t.thread === thread);
        if (at >= 0) idle.splice(at, 1);
        void thread.terminate();
      }, IDLE_MS);
      timer.unref();
      idle.push({ thread, timer });
    } else {
      // Ended early (a failure here or there): the thread may be midway through the file.
      void thread.terminate();
      (input as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    }
  }
}

function startThread(): Worker {
  const thread = new Worker(builtModule('./csv-thread-worker.js', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
  thread.unref();
  // A thread that ends is never handed out again; a failure while reading is the reader's to throw (above).
  thread.on('error', () => undefined);
  thread.once('exit', () => {
    const at = idle.findIndex((t) => t.thread === thread);
    if (at >= 0) idle.splice(at, 1).forEach((t) => clearTimeout(t.timer));
  });
  return thread;
}
