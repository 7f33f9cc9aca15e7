import { MIMEType } from 'node:util';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Problem, ProblemException } from '../common/problem.js';
import { csvEncoding } from './csv-decoding.js';
import { MAX_FILE_BYTES, spool, type SpooledFile, STALL_SECONDS, sweepSpool, UploadError } from './upload-spool.js';

/** The files of an import upload, received whole. */
export interface ReceivedFiles {
  shipments: SpooledFile;
  imeis?: SpooledFile;
}

/**
 * Receives an import upload whole into temporary files (upload-spool.ts) before the import starts: the CSV as
 * the body (Content-Type: text/csv, file name from Content-Disposition), or multipart/form-data with the field
 * "file" and optionally "imeis", in that order, and nothing else. The files' charset, when named: the charset
 * of the body's Content-Type, or `charset` (the query's; for multipart the only way, since the multipart parser
 * does not pass on the parameters of a part's Content-Type). Throws 400 BAD_UPLOAD, 408 or 413 (UploadError),
 * and, before anything is received, 415 UNSUPPORTED_CHARSET for a charset that cannot be read and 400 when the
 * two name different ones; whatever was received is removed when it throws. Sweeps leftovers of crashed
 * processes at start.
 */
@Injectable()
export class Uploads implements OnApplicationBootstrap {
  private readonly logger = new Logger('Uploads');

  onApplicationBootstrap(): void {
    const removed = sweepSpool();
    if (removed) this.logger.debug(`Removed ${removed} upload file(s) left by stopped processes`);
  }

  async receive(request: FastifyRequest, options: { charset?: string } = {}): Promise<ReceivedFiles> {
    const charset = options.charset === undefined ? undefined : encodingOf(options.charset);
    if (!request.isMultipart()) {
      const body = request.body as NodeJS.ReadableStream | undefined;
      if (!body || typeof (body as { pipe?: unknown }).pipe !== 'function') throw badUpload('send the CSV as the body with Content-Type: text/csv, or as multipart/form-data');
      const label = charsetParameter(request.headers['content-type']);
      const declared = label === undefined ? undefined : encodingOf(label);
      if (declared && charset && declared !== charset) {
        throw Problem.validation([{ field: 'charset', message: `is ${charset}, but the Content-Type names ${declared}; name one charset` }]);
      }
      const name = request.headers['content-disposition']?.match(/filename="?([^";]+)"?/)?.[1] ?? null;
      return { shipments: { ...(await spool(body, name)), charset: declared ?? charset } };
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
        const file = { ...(await spool(value.file, value.filename || null)), charset };
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

/** The charset parameter of a Content-Type, if it has one. */
function charsetParameter(contentType: string | undefined): string | undefined {
  try {
    return new MIMEType(contentType ?? '').params.get('charset') ?? undefined;
  } catch {
    return undefined; // not a media type with parameters
  }
}

/** The encoding a charset label names, or 415 naming the label. */
function encodingOf(label: string): string {
  const encoding = csvEncoding(label);
  if (encoding) return encoding;
  const named = label.length > 40 ? `${label.slice(0, 39)}…` : label;
  throw new ProblemException(
    415,
    'UNSUPPORTED_CHARSET',
    `CSV files in the charset "${named}" cannot be read: send the file in UTF-8 ("CSV UTF-8"), or name the charset it is in, such as windows-1252`,
    [{ field: 'charset', message: `"${named}" is not a charset CSV files can be read in` }],
  );
}

function badUpload(detail: string): ProblemException {
  return new ProblemException(400, 'BAD_UPLOAD', detail);
}
