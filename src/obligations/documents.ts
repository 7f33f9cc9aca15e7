import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { open, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { isProcessRunning } from '../common/process.js';
import { ProblemException } from '../common/problem.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/config.js';
import type { StoredDocument } from './obligation-views.js';

/** The largest document a submission takes: 20 MiB (20 * 1024 * 1024 = 20,971,520 bytes). */
export const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

/** An upload that sends nothing for this long is abandoned (408). */
const STALL_SECONDS = 30;

/** The kinds of document taken, each recognised by its first bytes ("magic numbers"), never by a name or a declared type. */
export const DOCUMENT_TYPES = [
  { mediaType: 'application/pdf', extension: 'pdf', name: 'PDF', magic: Buffer.from('%PDF-', 'latin1') },
  { mediaType: 'image/png', extension: 'png', name: 'PNG', magic: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { mediaType: 'image/jpeg', extension: 'jpg', name: 'JPEG', magic: Buffer.from([0xff, 0xd8, 0xff]) },
] as const;

export type DocumentMediaType = (typeof DOCUMENT_TYPES)[number]['mediaType'];

/** The media type of a document from its first bytes (PDF `%PDF-`, PNG's 8-byte signature, JPEG `FF D8 FF`), or null. */
export function sniffDocumentType(head: Buffer): DocumentMediaType | null {
  return DOCUMENT_TYPES.find((t) => head.length >= t.magic.length && head.subarray(0, t.magic.length).equals(t.magic))?.mediaType ?? null;
}

/** The file extension of a media type the store takes (`application/pdf` -> `pdf`). */
export function extensionOf(mediaType: string): string {
  return DOCUMENT_TYPES.find((t) => t.mediaType === mediaType)?.extension ?? 'bin';
}

/** A document received whole into a temporary file of the store, checked, not yet in the store. */
export interface ReceivedDocument extends StoredDocument {
  /**
   * Puts it in the store under its SHA-256 by an atomic rename (the same content is one file, whoever sent it).
   * Called by the submission's transaction once every rule passed, just before it commits.
   */
  place(): Promise<void>;
  /** Removes the temporary file if it is still there (safe to call more than once, and after place()). */
  discard(): void;
}

/** 413 naming the field `document`. */
export function documentTooLarge(): ProblemException {
  return new ProblemException(413, 'DOCUMENT_TOO_LARGE', `document: the file is larger than 20 MiB (${MAX_DOCUMENT_BYTES} bytes); nothing was recorded`, [
    { field: 'document', message: `must be at most ${MAX_DOCUMENT_BYTES} bytes (20 MiB)` },
  ], { maxBytes: MAX_DOCUMENT_BYTES });
}

function notAccepted(bytes: number): ProblemException {
  const names = DOCUMENT_TYPES.map((t) => t.name).join(', ');
  return new ProblemException(
    415,
    'DOCUMENT_TYPE_NOT_ACCEPTED',
    `document: ${bytes ? 'the file is not' : 'an empty file is not'} a ${names.replace(/, (?=[^,]*$)/, ' or ')} file (recognised by its first bytes, not by its name or Content-Type); nothing was recorded`,
    [{ field: 'document', message: `must be a PDF, PNG or JPEG file (its content, whatever its name or declared type)` }],
    { accepted: DOCUMENT_TYPES.map((t) => t.mediaType) },
  );
}

const CUT_OFF_CODES = ['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'ABORT_ERR'];

/**
 * The documents submitted with license conditions, stored by content: `<DOCUMENTS_DIR>/<first 2 hex digits>/<sha256>`,
 * one file per distinct content, never changed or removed by the registry. A document is received into
 * `<DOCUMENTS_DIR>/.incoming/` (the same file system, so that the rename into place is atomic) while it is hashed
 * and measured; temporary files of stopped processes are removed at start.
 */
@Injectable()
export class DocumentStore implements OnApplicationBootstrap {
  private readonly logger = new Logger('DocumentStore');
  private readonly dir: string;
  private readonly incoming: string;

  constructor(@Inject(REGISTRY_CONFIG) config: RegistryConfig) {
    this.dir = config.documentsDir;
    this.incoming = join(this.dir, '.incoming');
  }

  onApplicationBootstrap(): void {
    let names: string[];
    try {
      names = readdirSync(this.incoming);
    } catch {
      return; // no directory yet
    }
    let removed = 0;
    for (const name of names) {
      const pid = Number(/^upload-(\d+)-/.exec(name)?.[1]);
      if (pid === process.pid || isProcessRunning(pid)) continue;
      rmSync(join(this.incoming, name), { force: true });
      removed++;
    }
    if (removed) this.logger.debug(`Removed ${removed} document upload(s) left by stopped processes`);
  }

  /**
   * Receives a document whole into a temporary file, hashing (SHA-256) and counting it as it arrives, and checks
   * it: at most MAX_DOCUMENT_BYTES (413 DOCUMENT_TOO_LARGE), a PDF, PNG or JPEG by its first bytes (415
   * DOCUMENT_TYPE_NOT_ACCEPTED), both naming the field `document`; 408 UPLOAD_STALLED after 30 seconds without
   * data, 400 BAD_UPLOAD when cut off. On every refusal the temporary file is removed.
   */
  async receive(input: Readable): Promise<ReceivedDocument> {
    mkdirSync(this.incoming, { recursive: true });
    const path = join(this.incoming, `upload-${process.pid}-${randomUUID()}`);
    const hash = createHash('sha256');
    let bytes = 0;
    let head = Buffer.alloc(0);
    let watchdog: NodeJS.Timeout | undefined;
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (bytes > MAX_DOCUMENT_BYTES) return done(documentTooLarge());
        if (head.length < 16) head = Buffer.concat([head, chunk.subarray(0, 16 - head.length)]);
        hash.update(chunk);
        clearTimeout(watchdog);
        watchdog = setTimeout(stalled, STALL_SECONDS * 1000);
        done(null, chunk);
      },
    });
    const stalled = () => tap.destroy(new ProblemException(408, 'UPLOAD_STALLED', `document: the upload stalled, no data for ${STALL_SECONDS} seconds`));
    watchdog = setTimeout(stalled, STALL_SECONDS * 1000);
    const discard = () => rmSync(path, { force: true });
    try {
      await pipeline(input, tap, createWriteStream(path));
      // busboy cuts a part at its size limit instead of failing it.
      if ((input as { truncated?: boolean }).truncated) throw documentTooLarge();
      const mediaType = sniffDocumentType(head);
      if (!mediaType) throw notAccepted(bytes);
      // On disk before it is named by a committed row.
      const file = await open(path, 'r+');
      await file.sync().finally(() => file.close());
      const sha256 = hash.digest('hex');
      const target = this.pathOf(sha256);
      let placed = false;
      return {
        sha256,
        mediaType,
        bytes,
        discard,
        place: async () => {
          if (placed) return;
          mkdirSync(join(target, '..'), { recursive: true });
          // Replaces an existing file of the same content with an identical one: still one file per hash.
          await rename(path, target);
          placed = true;
        },
      };
    } catch (e) {
      discard();
      if (e instanceof ProblemException) throw e;
      const code = (e as { code?: string }).code ?? '';
      if (code === 'FST_REQ_FILE_TOO_LARGE') throw documentTooLarge();
      if (CUT_OFF_CODES.includes(code) || /Unexpected end of (form|multipart)|aborted/i.test((e as Error).message)) {
        throw Object.assign(new ProblemException(400, 'BAD_UPLOAD', 'document: the upload was cut off before the end of the file; nothing was recorded'), { cause: e });
      }
      throw e;
    } finally {
      clearTimeout(watchdog);
    }
  }

  /**
   * A stored document's bytes and size, by its SHA-256. A document a submission names but the store lacks (lost
   * from DOCUMENTS_DIR) is a 500 DOCUMENT_MISSING: the store must be restored from its backup.
   */
  async read(sha256: string): Promise<{ bytes: number; open(): Readable }> {
    const path = this.pathOf(sha256);
    try {
      const info = await stat(path);
      return { bytes: info.size, open: () => createReadStream(path) };
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOENT') throw e;
      throw new ProblemException(500, 'DOCUMENT_MISSING', `The document ${sha256} is not in the document store (DOCUMENTS_DIR); restore the store from its backup`);
    }
  }

  private pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
    return join(this.dir, sha256.slice(0, 2), sha256);
  }
}
