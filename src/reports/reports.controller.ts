import { Controller, Get, Header, Query, Res, StreamableFile, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators.js';
import { PUBLIC_AGGREGATES_CACHE } from '../common/conditional.js';
import { csvStream, fileName } from '../common/csv.js';
import { ApiProblems } from '../common/openapi.js';
import { PublicThrottlerGuard } from '../common/throttling.js';
import { ChartQuery, DIMENSIONS, ExportsReportDto, ExportsReportQuery, LicensesReportQuery, PublicChartQuery, PublicExportsQuery } from './dto/reports.dto.js';
import { exportsCsv } from './exports-csv.js';
import { ObligationsReportDto, ObligationsReportQuery } from '../obligations/dto/obligation.dto.js';
import { type LicensesReport, ReportsService } from './reports.service.js';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/v1/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('exports')
  @ApiOperation({
    summary: 'Exports by period, destination, company, license, device category, technology or HS code',
    description:
      `groupBy: any of ${DIMENSIONS.join(', ')}. Measures: shipments, units, FOB value (USD, exact), share of units. ` +
      'Voided shipments are excluded. Grouped by time only, every period of the range appears (zeros included). ' +
      'format=csv streams RFC 4180 CSV (bom=true for Excel) ending with a TOTAL row.',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: ExportsReportDto })
  @ApiProblems(400, 401)
  async exports(@Query() q: ExportsReportQuery): Promise<ExportsReportDto | StreamableFile> {
    const report = await this.reports.exports({ ...q, groupBy: q.groupBy ?? ['month'] });
    return q.format === 'csv' ? exportsCsv(report, 'exports', { bom: q.bom }) : report;
  }

  @Get('exports/chart.svg')
  @Header('Content-Type', 'image/svg+xml; charset=utf-8')
  @ApiOperation({ summary: 'Units by period, stacked by destination or device category, as an SVG chart' })
  @ApiProduces('image/svg+xml')
  @ApiOkResponse({ description: 'SVG', content: { 'image/svg+xml': { schema: { type: 'string' } } } })
  @ApiProblems(400, 401)
  chart(@Query() q: ChartQuery): Promise<string> {
    return this.reports.chart({ ...q, period: q.groupBy ?? 'month', stack: q.stack ?? 'destination', audience: 'staff' });
  }

  @Get('firsts')
  @ApiOperation({ summary: 'Milestones: the first export to each destination, and each company’s first export' })
  @ApiOkResponse({ description: '{ byDestination: [...], byCompany: [...] } with date, units, license and licensee' })
  @ApiProblems(401)
  firsts(): ReturnType<ReportsService['firsts']> {
    return this.reports.firsts();
  }

  @Get('licenses')
  @ApiOperation({
    summary: 'The license register on a day: counts by status, terms ending soon, shipments recorded while not ACTIVE, licenses with a condition overdue, decisions pending',
    description: 'pendingProposals: the license decisions and decisions on conditions waiting for an approver today (four eyes), `{ total, byKind: { GRANT, AMEND, LIFECYCLE, OBLIGATION_DECISION } }`. format=csv gives one row per license.',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ description: '{ on, withinDays, countsByStatus, expiring, shipmentsWhileNotActive, licenses (each with overdueObligations, hasOverdueObligations), licensesWithOverdueObligations, pendingProposals }' })
  @ApiProblems(400, 401)
  async licenses(@Query() q: LicensesReportQuery): Promise<LicensesReport | StreamableFile> {
    const report = await this.reports.licensesReport(q.on, q.withinDays);
    if (q.format !== 'csv') return report;
    const columns = ['licenseNumber', 'licensee', 'type', 'status', 'issuedOn', 'expiresOn', 'expiresWithinDays', 'daysLeft', 'shipmentsWhileNotActive', 'overdueObligations', 'licenseId'];
    return new StreamableFile(csvStream(columns, report.licenses as unknown as Record<string, unknown>[]), {
      type: 'text/csv; charset=utf-8; header=present',
      disposition: `attachment; filename="${fileName('licenses', report.on)}.csv"`,
    });
  }

  @Get('obligations')
  @ApiOperation({
    summary: 'License conditions on a day, per license and condition, with counts by status; OVERDUE first with days overdue',
    description: 'Recurring reports: the periods begun by the day. `status` and `companyId` filter the rows (counts are of the company, every status). format=csv gives the rows.',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: ObligationsReportDto })
  @ApiProblems(400, 401)
  async obligations(@Query() q: ObligationsReportQuery): Promise<ObligationsReportDto | StreamableFile> {
    const report = await this.reports.obligationsReport(q.on, { status: q.status, companyId: q.companyId });
    if (q.format !== 'csv') return report;
    const columns = ['licenseNumber', 'licensee', 'code', 'title', 'period', 'dueOn', 'status', 'daysOverdue', 'extendedUntil', 'licenseId', 'companyId', 'obligationId'];
    return new StreamableFile(csvStream(columns, report.rows as unknown as Record<string, unknown>[]), {
      type: 'text/csv; charset=utf-8; header=present',
      disposition: `attachment; filename="${fileName('obligations', report.on)}.csv"`,
    });
  }
}

/** Public aggregates and chart: no account; small cells merged so no single company's figures show. */
@ApiTags('public register')
@Public()
@UseGuards(PublicThrottlerGuard)
@Controller('public/v1/exports')
export class PublicExportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get()
  @Header('Cache-Control', PUBLIC_AGGREGATES_CACHE)
  @ApiOperation({
    summary: 'Export statistics for the public, by fiscal year (aggregates of at least 3 shipments a cell)',
    description:
      'Cells of fewer than 3 shipments are merged, per fiscal year, into OTHER; a year too small as a whole is shown without figures (suppressed). ' +
      'FOB values show only where at least 3 shipments have one. No date range or filters: they would isolate single shipments.',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: ExportsReportDto })
  @ApiProblems(400, 429)
  async exports(@Query() q: PublicExportsQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<ExportsReportDto | string> {
    const report = await this.reports.publicExports({ groupBy: q.groupBy ?? ['fiscalYear'] });
    if (q.format !== 'csv') return report;
    // As one string (the aggregates are small), so that it carries an ETag like every public response.
    const file = exportsCsv(report, 'exports', { suppressible: true });
    void reply.header('Content-Type', 'text/csv; charset=utf-8; header=present').header('Content-Disposition', file.getHeaders().disposition!);
    const chunks: Buffer[] = [];
    for await (const chunk of file.getStream()) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString('utf8');
  }

  @Get('chart.svg')
  @Header('Content-Type', 'image/svg+xml; charset=utf-8')
  @Header('Cache-Control', PUBLIC_AGGREGATES_CACHE)
  @ApiOperation({ summary: 'Units exported by period, stacked by destination or device category (public aggregates), as SVG' })
  @ApiProduces('image/svg+xml')
  @ApiOkResponse({ description: 'SVG', content: { 'image/svg+xml': { schema: { type: 'string' } } } })
  @ApiProblems(400, 429)
  chart(@Query() q: PublicChartQuery): Promise<string> {
    return this.reports.chart({ period: 'fiscalYear', stack: q.stack ?? 'destination', audience: 'public', lang: q.lang });
  }
}
