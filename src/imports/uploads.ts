import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ProblemException } from '../common/problem.js';
import { MAX_FILE_BYTES, spool, type SpooledFile, STALL_SECONDS, sweepSpool, UploadError } from './upload-spool.js';

/** The files of an import upload, received whole. */
export interface ReceivedFiles {
  shipments: SpooledFile;
  imeis?: SpooledFile;
}

/**
 * Receives an import upload whole into temporary files (upload-spool.ts) before the import starts: the CSV as
 * the body (Content-Type: text/csv, file name from Content-Disposition), or multipart/form-data with the field
 * "file" and optionally "imeis", in that order, and nothing else. Throws 400 BAD_UPLOAD, 408 or 413
 * (UploadError); whatever was received is removed when it throws. Sweeps leftovers of crashed processes at start.
 */
@Injectable()
export class Uploads implements OnApplicationBootstrap {
  private readonly logger = new Logger('Uploads');

  onApplicationBootstrap(): void {
    const removed = sweepSpool();
    if (removed) this.logger.log(`Removed ${removed} upload file(s) left by stopped processes`);
  }

  async receive(request: FastifyRequest): Promise<ReceivedFiles> {
    if (!request.isMultipart()) {
      const body = request.body as NodeJS.ReadableStream | undefined;
      if (!body || typeof (body as { pipe?: unknown }).pipe !== 'function') throw badUpload('send the CSV as the body with Content-Type: text/csv, or as multipart/form-data');
      const name = request.headers['content-disposition']?.match(/filename="?([^";]+)"?/)?.[1] ?? null;
      return { shipments: await spool(body, name) };
    }
    let parts: ReturnType<FastifyRequest['files']>;
    try {
      parts = request.files({ limits: { fileSize: MAX_FILE_BYTES, files: 3 } });
    } catch (e) {
      throw badUpload(`the multipart body cannot be read: ${(e as Error).message}`);
    }
    const received: SpooledFile[] = [];
    try {
      const next = async (field: string): Promise<SpooledFile | undefined> => {
        const { value, done } = await nextPart(parts);
        if (done || !value) return undefined;
        if (value.fieldname !== field) throw badUpload(`expected the multipart field "${field}" ${field === 'file' ? 'first' : 'after "file"'}; got "${value.fieldname}"`);
        const file = await spool(value.file, value.filename || null);
        received.push(file);
        return file;
      };
      const shipments = await next('file');
      if (!shipments) throw badUpload('the multipart body has no "file" field with the shipments CSV');
      const imeis = await next('imeis');
      if (imeis && !(await nextPart(parts)).done) throw badUpload('the multipart body has more than the fields "file" and "imeis"');
      return { shipments, imeis };
    } catch (e) {
      for (const file of received) file.remove();
      throw e;
    }
  }
}

/** The next multipart part, or 408 when the client sends nothing for STALL_SECONDS between parts. */
async function nextPart(parts: ReturnType<FastifyRequest['files']>) {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UploadError(408, 'the upload stalled between its files')), STALL_SECONDS * 1000);
  });
  try {
    return await Promise.race([parts.next(), stalled]);
  } catch (e) {
    if (e instanceof ProblemException) throw e;
    throw badUpload(`the multipart body cannot be read: ${(e as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

function badUpload(detail: string): ProblemException {
  return new ProblemException(400, 'BAD_UPLOAD', detail);
}
