import type { FastifyRequest } from 'fastify';
import { isStream } from '../common/input-guard.js';
import { Problem, ProblemException } from '../common/problem.js';
import { canonicalInput } from '../common/text.js';
import { createValidationPipe } from '../common/validation/validation.js';
import { MAX_DOCUMENT_BYTES, type DocumentStore, documentTooLarge, type ReceivedDocument } from './documents.js';
import { CreateSubmissionDto } from './dto/obligation.dto.js';

const validation = createValidationPipe();

/** The form fields a multipart submission may have besides its `document`. */
const FIELDS = ['submittedOn', 'reportedValue', 'note'];

/** A submission as received: its fields validated by CreateSubmissionDto, and its document when one came. */
export interface SubmissionInput {
  input: CreateSubmissionDto;
  document?: ReceivedDocument;
}

/**
 * Reads the body of POST .../submissions: JSON (`{ submittedOn, reportedValue?, note? }`), or multipart/form-data
 * with those as form fields and at most one file part, `document` (DocumentStore.receive: a PDF, PNG or JPEG of at
 * most 20 MiB). Either way the fields are validated by the same DTO (400 VALIDATION_FAILED naming each field; a
 * form field is put in Unicode NFC like a JSON string). Other bodies: 415. Refusals of the multipart form itself
 * (another file field, two documents, a repeated or unknown field) are 400 naming the field. When it throws, the
 * document received is removed; when it returns one, the caller discards it once the submission is written. An
 * Idempotency-Key is honoured for JSON (the interceptor of the route) and refused with multipart (400
 * IDEMPOTENCY_KEY_NOT_SUPPORTED): the key's record is of the JSON body, and a multipart one is not read before the
 * interceptor decides.
 */
export async function readSubmission(request: FastifyRequest, store: DocumentStore): Promise<SubmissionInput> {
  if (!request.isMultipart()) {
    if (isStream(request.body)) {
      throw new ProblemException(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the submission as application/json, or as multipart/form-data with a "document" file');
    }
    return { input: await validate(request.body) };
  }
  if (request.headers['idempotency-key'] !== undefined) {
    // The key's request hash is of the JSON body (idempotency.ts); a multipart body is not hashed before it is read.
    throw new ProblemException(400, 'IDEMPOTENCY_KEY_NOT_SUPPORTED', 'Idempotency-Key is not supported with a multipart submission: send it without the header (or the fields as JSON, without a document)', [
      { field: 'Idempotency-Key', message: 'is not supported with multipart/form-data here' },
    ]);
  }
  const fields = new Map<string, string>();
  let document: ReceivedDocument | undefined;
  try {
    const parts = request.parts({ limits: { fileSize: MAX_DOCUMENT_BYTES, files: 1, fields: FIELDS.length, fieldSize: 8192, parts: FIELDS.length + 1 } });
    for await (const part of parts) {
      if (part.type === 'file') {
        if (part.fieldname !== 'document') {
          part.file.resume(); // read and dropped, so that the answer follows the whole request
          throw Problem.validation([{ field: part.fieldname, message: 'is not a known file field: the one file of a submission is "document"' }]);
        }
        document = await store.receive(part.file);
        continue;
      }
      if (fields.has(part.fieldname)) throw Problem.validation([{ field: part.fieldname, message: 'is given more than once' }]);
      if (part.valueTruncated) throw Problem.validation([{ field: part.fieldname, message: 'is too long' }]);
      fields.set(part.fieldname, String(part.value));
    }
    const body = Object.fromEntries(fields);
    const problem = canonicalInput(body);
    if (problem) throw Problem.validation([problem]);
    return { input: await validate(body), document };
  } catch (e) {
    document?.discard();
    throw multipartProblem(e);
  }
}

async function validate(body: unknown): Promise<CreateSubmissionDto> {
  return (await validation.transform(body, { type: 'body', metatype: CreateSubmissionDto })) as CreateSubmissionDto;
}

/** The multipart parser's own refusals as problems naming what was wrong. */
function multipartProblem(e: unknown): unknown {
  if (e instanceof ProblemException) return e;
  const code = (e as { code?: string }).code ?? '';
  if (code === 'FST_REQ_FILE_TOO_LARGE') return documentTooLarge();
  if (code === 'FST_FILES_LIMIT') return Problem.validation([{ field: 'document', message: 'is given more than once: a submission has one document' }]);
  if (code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT') {
    return Problem.validation([{ field: 'body', message: `has too many parts: the form fields are ${FIELDS.join(', ')} and the file "document"` }]);
  }
  if (code.startsWith('FST_') || /multipart|boundary/i.test((e as Error).message ?? '')) {
    return new ProblemException(400, 'BAD_UPLOAD', `The multipart body cannot be read: ${(e as Error).message}`);
  }
  return e;
}
