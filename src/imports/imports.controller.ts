import { Controller, Get, HttpStatus, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Idempotent } from '../idempotency/idempotency.js';
import { ApiProblems } from '../common/openapi.js';
import { PageQuery } from '../common/pagination.js';
import { ProblemException } from '../common/problem.js';
import { ImportRunner } from './import-runner.js';
import { ImportRuns } from './import-runs.js';
import type { ImportReport } from './import-report.js';
import { SHIPMENT_COLUMNS } from './shipment-rows.js';
import { Uploads } from './uploads.js';

export class ImportModeQuery {
  @ApiPropertyOptional({ enum: ['validate', 'commit'], default: 'commit', description: 'validate: a dry run that writes nothing' })
  @IsOptional()
  @IsIn(['validate', 'commit'])
  mode?: 'validate' | 'commit';

  @ApiPropertyOptional({
    description: "The charset of the CSV files, e.g. windows-1252 (default UTF-8). For multipart uploads (a part's own Content-Type parameters are not read); a body's Content-Type may name it instead",
    example: 'windows-1252',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  charset?: string;
}

@ApiTags('imports')
@ApiBearerAuth()
@Controller('api/v1/imports')
export class ImportsController {
  constructor(
    private readonly runs: ImportRuns,
    private readonly runner: ImportRunner,
    private readonly uploads: Uploads,
  ) {}

  @Post('shipments')
  @Idempotent()
  @ApiOperation({
    summary: 'Import shipments from CSV (all rows or none), with an optional companion CSV of IMEIs',
    description:
      `Send the CSV as the body (Content-Type: text/csv) or as multipart/form-data with the field "file" and, optionally, "imeis" ` +
      `(columns imei,reference). Shipment columns, any order, header names as the API fields: ${SHIPMENT_COLUMNS.join(', ')}. ` +
      'Each row is validated like POST /api/v1/shipments. Units 5500 or 5,500; money 1234.56 or 1,234.56; dates YYYY-MM-DD; ' +
      'anything ambiguous is an error naming the row, column and value. Rows are keyed by (exporter, reference): identical rows are skipped. ' +
      'Files are read as UTF-8 ("CSV UTF-8", with or without BOM) or UTF-16 with its BOM, or in the charset named (Content-Type: text/csv; charset=windows-1252, or ?charset=), ' +
      'strictly: bytes not valid there are an error naming the row and column; files separated by semicolons are refused. ' +
      'Answers 201 with the report when committed, 200 for mode=validate, 422 (problem+json with the report) when any row is bad.',
  })
  @ApiQuery({ name: 'mode', required: false, enum: ['validate', 'commit'] })
  @ApiConsumes('text/csv', 'multipart/form-data')
  @ApiBody({ description: 'CSV text, or multipart with "file" and optional "imeis"', schema: { type: 'string', example: 'licenseNumber,reference,shippedOn,destinationCountry,units,deviceCategory\nMDM-2021-0001,GD-1,2021-08-13,AE,"5,500",SMARTPHONE\n' } })
  @ApiOkResponse({ description: 'The import report: rows read, valid, created, skipped, failed, IMEIs, errors [{file, row, column, message}]' })
  @ApiProblems(400, 401, 403, 415, 422)
  async importShipments(@Query() query: ImportModeQuery, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<ImportReport> {
    const mode = query.mode ?? 'commit';
    const header = request.headers['idempotency-key'];
    const idempotencyKey = Array.isArray(header) ? header[0] : header;
    // Received whole (spooled, hashed) before the import opens its transaction, imported in a worker process;
    // removed whatever happens.
    const files = await this.uploads.receive(request, { charset: query.charset });
    let report: ImportReport & { replayed?: boolean };
    try {
      report = await this.runner.importShipments(mode, files, { idempotencyKey });
    } finally {
      files.shipments.remove();
      files.imeis?.remove();
    }
    if (report.outcome === 'REJECTED') {
      const first = report.errors[0];
      const detail = report.rowsFailed || report.imeis.failed
        ? `${report.rowsFailed} of ${report.rowsRead} rows (and ${report.imeis.failed} IMEIs) are not valid; nothing was written`
        : `the file cannot be imported${first ? ` (${first.column ? `${first.column}: ` : ''}${first.message})` : ''}; nothing was written`;
      throw new ProblemException(422, 'IMPORT_REJECTED', detail, undefined, { report });
    }
    void reply.status(report.outcome === 'COMMITTED' ? HttpStatus.CREATED : HttpStatus.OK);
    if (report.replayed) void reply.header('Idempotent-Replayed', 'true');
    const { replayed: _replayed, ...body } = report;
    return body;
  }

  @Get()
  @ApiOperation({ summary: 'Import runs, newest first: who, when, which file (SHA-256), counts and outcome' })
  @ApiProblems(400, 401)
  list(@Query() query: PageQuery) {
    return this.runs.list(query);
  }
}


