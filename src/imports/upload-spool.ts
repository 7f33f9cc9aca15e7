import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isProcessRunning } from '../common/process.js';
import { ProblemException } from '../common/problem.js';

/** The upload itself failed (too large, stalled, cut off): the import ends with this status, nothing written. */
export class UploadError extends ProblemException {
  constructor(status: number, detail: string) {
    super(status, status === 413 ? 'UPLOAD_TOO_LARGE' : status === 408 ? 'UPLOAD_STALLED' : 'BAD_UPLOAD', detail);
  }
}

/** An upload that sends nothing for this long is abandoned. */
export const STALL_SECONDS = 30;
export const MAX_FILE_BYTES = 512 * 2 ** 20;

/** Where uploads wait, received whole, until their import has run: one file per upload, named by the process. */
export const SPOOL_DIR = join(tmpdir(), 'license-registry-uploads');

/** An upload received whole into a local file, with its size and SHA-256. */
export interface SpooledFile {
  name: string | null;
  path: string;
  bytes: number;
  sha256: string;
  /** The encoding the upload named for the file (csvEncoding), if it named one. */
  charset?: string;
  /** A new stream of the file's bytes. */
  open(): Readable;
  /** Deletes the file (safe to call more than once). */
  remove(): void;
}

const CUT_OFF_CODES = ['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'ABORT_ERR', 'FST_REQ_FILE_TOO_LARGE'];

/**
 * Receives an upload whole before any transaction opens (a slow client then holds only a temporary file,
 * never the database): at most MAX_FILE_BYTES, abandoned after STALL_SECONDS without data, its SHA-256 computed
 * as it arrives. Throws UploadError (413, 408, or 400 when cut off); the file is removed on every failure.
 */
export async function spool(input: NodeJS.ReadableStream, name: string | null, limits: { maxBytes?: number; stallSeconds?: number } = {}): Promise<SpooledFile> {
  const maxBytes = limits.maxBytes ?? MAX_FILE_BYTES;
  const stallMs = (limits.stallSeconds ?? STALL_SECONDS) * 1000;
  mkdirSync(SPOOL_DIR, { recursive: true });
  const path = join(SPOOL_DIR, `upload-${process.pid}-${randomUUID()}`);
  const hash = createHash('sha256');
  let bytes = 0;
  let watchdog: NodeJS.Timeout | undefined;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) return done(new UploadError(413, `the file is larger than ${maxBytes / 2 ** 20} MiB`));
      hash.update(chunk);
      clearTimeout(watchdog);
      watchdog = setTimeout(stalled, stallMs);
      done(null, chunk);
    },
  });
  const stalled = () => tap.destroy(new UploadError(408, `the upload stalled: no data for ${stallMs / 1000} seconds`));
  watchdog = setTimeout(stalled, stallMs);
  const remove = () => rmSync(path, { force: true });
  try {
    await pipeline(input as NodeJS.ReadableStream & Readable, tap, createWriteStream(path));
    // busboy marks a part cut at its size limit instead of failing it.
    if ((input as { truncated?: boolean }).truncated) throw new UploadError(413, `the file is larger than ${maxBytes / 2 ** 20} MiB`);
  } catch (e) {
    remove();
    if (e instanceof UploadError) throw e;
    const code = (e as { code?: string }).code ?? '';
    if (CUT_OFF_CODES.includes(code) || /Unexpected end of (form|multipart)|aborted/i.test((e as Error).message)) {
      throw Object.assign(new UploadError(400, 'the upload was cut off before the end of the file'), { cause: e });
    }
    throw e;
  } finally {
    clearTimeout(watchdog);
  }
  return { name, path, bytes, sha256: hash.digest('hex'), open: () => createReadStream(path), remove };
}

/**
 * Removes what a crashed process left in SPOOL_DIR: files of processes that no longer run (several instances
 * may share the directory, so a live process's uploads are left alone). Run at start.
 */
export function sweepSpool(): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(SPOOL_DIR);
  } catch {
    return 0; // no directory yet
  }
  for (const name of names) {
    const pid = Number(/^upload-(\d+)-/.exec(name)?.[1]);
    if (pid === process.pid || isProcessRunning(pid)) continue;
    rmSync(join(SPOOL_DIR, name), { force: true });
    removed++;
  }
  return removed;
}
