import { Body, Controller, Get, Param, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Roles } from '../auth/auth.decorators.js';
import { ApiProblems } from '../common/openapi.js';
import { UuidPipe } from '../common/validation/validation.js';
import { Idempotent } from '../idempotency/idempotency.js';
import { DocumentStore, extensionOf } from './documents.js';
import { CatalogListDto, CatalogVersionDto, CreateCatalogVersionDto, ObligationDto, ObligationListDto, ObligationsQuery } from './dto/obligation.dto.js';
import { ObligationsService } from './obligations.service.js';
import { readSubmission } from './submission-input.js';

export const STATUS_RULES =
  'Status on the day: WAIVED once waived; MET once a submission meeting it is accepted (a PERCENT_TARGET: the reported value reaches the target); ' +
  'otherwise PENDING up to the due date (inclusive: P1Y from 2021-04-09 is due 2022-04-08), EXTENDED up to an extension\'s new due date, OVERDUE after it. ' +
  'Only decisions made on or before the day count, so `on` works into the past and the future.';

/** The body of a submission, JSON or multipart (the same fields, and the file). */
const SUBMISSION_BODY = {
  type: 'object',
  required: ['submittedOn'],
  properties: {
    submittedOn: { type: 'string', format: 'date', description: 'The day the holder submitted the evidence (not after today)' },
    reportedValue: { type: 'string', example: '12', description: 'PERCENT_TARGET (required there, refused elsewhere): percent, 0 to 100 with at most 2 decimals' },
    note: { type: 'string', maxLength: 2000 },
    document: { type: 'string', format: 'binary', description: 'multipart only: a PDF, PNG or JPEG file, at most 20 MiB (20971520 bytes)' },
  },
};

@ApiTags('obligations')
@ApiBearerAuth()
@Controller('api/v1')
export class ObligationsController {
  constructor(
    private readonly obligations: ObligationsService,
    private readonly documents: DocumentStore,
  ) {}

  @Get('licenses/:id/obligations')
  @ApiOperation({ summary: "A license's conditions with their status on a date (default today) and their evidence", description: STATUS_RULES })
  @ApiOkResponse({ type: ObligationListDto })
  @ApiProblems(400, 401, 404)
  list(@Param('id', new UuidPipe()) id: string, @Query() query: ObligationsQuery): Promise<ObligationListDto> {
    return this.obligations.list(id, query.on);
  }

  @Post('licenses/:id/obligations/:obligationId/submissions')
  @Idempotent()
  @ApiOperation({
    summary: 'Record evidence submitted for a condition, with a document (PDF, PNG or JPEG, at most 20 MiB) or without',
    description:
      'JSON `{ submittedOn, reportedValue?, note? }`, or multipart/form-data with those as form fields and the file part `document`. A PERCENT_TARGET needs ' +
      'reportedValue, other kinds refuse it. The document is recognised by its first bytes (`%PDF-`, the PNG signature, JPEG `FF D8 FF`), not by its name or ' +
      'Content-Type, and is at most 20 MiB (20971520 bytes): anything else is refused naming the field `document`, **415 DOCUMENT_TYPE_NOT_ACCEPTED** or ' +
      '**413 DOCUMENT_TOO_LARGE**, and nothing is recorded. It is kept once per content under its SHA-256; the submission (and its audit record) names its ' +
      'sha256, mediaType and size in bytes; staff read it at `.../submissions/{submissionId}/document`. Never public. ' +
      'Idempotency-Key is honoured for JSON bodies; a multipart submission with one is refused (400 IDEMPOTENCY_KEY_NOT_SUPPORTED).',
  })
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({ description: 'CreateSubmissionDto as JSON, or its fields as form fields plus the file `document`', schema: SUBMISSION_BODY })
  @ApiCreatedResponse({ type: ObligationDto, description: 'The condition with its status today' })
  @ApiProblems(400, 401, 403, 404, 413, 415, 422)
  async submit(@Param('id', new UuidPipe()) id: string, @Param('obligationId', new UuidPipe()) obligationId: string, @Req() request: FastifyRequest): Promise<ObligationDto> {
    const { input, document } = await readSubmission(request, this.documents);
    try {
      return await this.obligations.submit(id, obligationId, input, document);
    } finally {
      document?.discard();
    }
  }

  @Get('licenses/:id/obligations/:obligationId/submissions/:submissionId/document')
  @ApiOperation({ summary: "A submission's document (staff only), with its media type; its SHA-256 is the ETag and the submission's `document.sha256`" })
  @ApiProduces('application/pdf', 'image/png', 'image/jpeg')
  @ApiOkResponse({ description: 'The document as submitted', schema: { type: 'string', format: 'binary' } })
  @ApiProblems(400, 401, 404)
  async document(
    @Param('id', new UuidPipe()) id: string,
    @Param('obligationId', new UuidPipe('obligationId')) obligationId: string,
    @Param('submissionId', new UuidPipe('submissionId')) submissionId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const doc = await this.obligations.document(id, obligationId, submissionId);
    void reply.header('ETag', `"${doc.sha256}"`).header('X-Content-SHA256', doc.sha256);
    return new StreamableFile(doc.open(), { type: doc.mediaType, length: doc.bytes, disposition: `attachment; filename="${doc.sha256}.${extensionOf(doc.mediaType)}"` });
  }

  @Get('obligation-catalog')
  @ApiOperation({ summary: 'The catalog of license conditions, every version with its conditions and sources' })
  @ApiOkResponse({ type: CatalogListDto })
  @ApiProblems(401)
  async catalog(): Promise<CatalogListDto> {
    return { items: await this.obligations.catalog() };
  }

  @Post('obligation-catalog')
  @Roles('ADMIN')
  @ApiOperation({ summary: 'Add a catalog version (ADMIN): licenses issued from its effectiveFrom get its conditions; no version is ever edited' })
  @ApiCreatedResponse({ type: CatalogVersionDto })
  @ApiProblems(400, 401, 403, 422)
  addVersion(@Body() body: CreateCatalogVersionDto): Promise<CatalogVersionDto> {
    return this.obligations.addVersion(body);
  }
}
