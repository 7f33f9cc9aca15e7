import { StreamableFile } from '@nestjs/common';
import { csvStream, fileName } from '../common/csv.js';
import type { Dimension, ExportsReportDto } from './dto/reports.dto.js';

// The CSV layout of an exports report, for the API (staff and public) and the CLI.

const MEASURES = ['shipments', 'units', 'fobValue', 'shipmentsWithFob', 'shareOfUnits'] as const;

/** The CSV columns of an exports report: the group columns (with their labels), then the measures. */
export function exportColumns(groupBy: Dimension[], suppressible = false): string[] {
  const expand: Partial<Record<Dimension, string[]>> = {
    destination: ['destination', 'destinationName'],
    company: ['companyId', 'company'],
    license: ['licenseId', 'licenseNumber'],
  };
  return [...groupBy.flatMap((d) => expand[d] ?? [d]), ...MEASURES, ...(suppressible ? ['suppressed'] : [])];
}

/** The report as a CSV download: the rows, then a TOTAL row. */
export function exportsCsv(report: ExportsReportDto, name: string, options: { bom?: boolean; suppressible?: boolean } = {}): StreamableFile {
  const columns = exportColumns(report.groupBy, options.suppressible);
  const total = { [columns[0]]: 'TOTAL', ...report.totals, shareOfUnits: 1 };
  const stream = csvStream(columns, [...(report.rows as unknown as Record<string, unknown>[]), total], { bom: options.bom });
  const range = report.filters.from || report.filters.to ? `${report.filters.from ?? 'start'}-to-${report.filters.to ?? 'end'}` : undefined;
  return new StreamableFile(stream, {
    type: 'text/csv; charset=utf-8; header=present',
    disposition: `attachment; filename="${fileName(name, 'by', report.groupBy.join('-'), range)}.csv"`,
  });
}
