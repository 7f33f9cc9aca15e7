import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { LANGS, type Lang } from '../../common/i18n/lang.js';
import { IsCalendarDate, IsUuid, IsReportFormat, type ReportFormat } from '../../common/validation/decorators.js';
import { ShipmentFilters } from '../../shipments/dto/shipment.dto.js';

import { DIMENSIONS, type Dimension, TIME_DIMENSIONS } from '../../shipments/export-dimensions.js';

export { DIMENSIONS, type Dimension, TIME_DIMENSIONS };
/**
 * What the public may group by: no company or license, and one time granularity only, the fiscal year in which
 * national statistics are kept. Offering months, quarters or calendar years too would let differences between
 * groupings (or between date ranges) reveal the cells that are withheld.
 */
export const PUBLIC_DIMENSIONS = ['fiscalYear', 'destination', 'deviceCategory', 'technology', 'hsCode'] as const;

const list = () =>
  Transform(({ value }) =>
    value === undefined ? undefined : [value].flat().flatMap((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : [v])),
  );
const bool = () => Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));

export class ExportsReportQuery extends ShipmentFilters {
  @ApiPropertyOptional({
    description: `Comma-separated, any of: ${DIMENSIONS.join(', ')} (default month). fiscalYear is Pakistan's, July-June, labelled FY2021-22`,
    example: 'fiscalYear,destination',
    type: String,
  })
  @IsOptional()
  @list()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5)
  @ArrayUnique()
  @IsIn(DIMENSIONS, { each: true, message: `each must be one of ${DIMENSIONS.join(', ')}` })
  groupBy?: Dimension[];

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUuid()
  companyId?: string;

  @IsReportFormat()
  format?: ReportFormat;

  @ApiPropertyOptional({ type: Boolean, default: false, description: 'CSV only: start with a UTF-8 byte-order mark, for Excel' })
  @IsOptional()
  @bool()
  @IsBoolean()
  bom?: boolean;
}

/** Public aggregates take no date range or filters: sliding a range by a day would isolate one shipment. */
export class PublicExportsQuery {
  @ApiPropertyOptional({ description: `Comma-separated, any of: ${PUBLIC_DIMENSIONS.join(', ')} (default fiscalYear)`, example: 'fiscalYear,destination', type: String })
  @IsOptional()
  @list()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(4)
  @ArrayUnique()
  @IsIn(PUBLIC_DIMENSIONS, { each: true, message: `each must be one of ${PUBLIC_DIMENSIONS.join(', ')}` })
  groupBy?: Dimension[];

  @IsReportFormat()
  format?: ReportFormat;
}

export class PublicChartQuery {
  @ApiPropertyOptional({ enum: ['destination', 'deviceCategory'], default: 'destination', description: 'What each fiscal year\'s bar is stacked by' })
  @IsOptional()
  @IsIn(['destination', 'deviceCategory'])
  stack?: 'destination' | 'deviceCategory';

  @ApiPropertyOptional({ enum: LANGS, default: 'en', description: 'Language of the title, labels, legend and description: English, or Urdu (right to left)' })
  @IsOptional()
  @IsIn(LANGS)
  lang?: Lang;
}

export class ChartQuery extends ShipmentFilters {
  @ApiPropertyOptional({ enum: TIME_DIMENSIONS, default: 'month', description: 'The period of each bar' })
  @IsOptional()
  @IsIn(TIME_DIMENSIONS)
  groupBy?: (typeof TIME_DIMENSIONS)[number];

  @ApiPropertyOptional({ enum: ['destination', 'deviceCategory'], default: 'destination', description: 'What each bar is stacked by' })
  @IsOptional()
  @IsIn(['destination', 'deviceCategory'])
  stack?: 'destination' | 'deviceCategory';
}

export class LicensesReportQuery {
  @IsOptional()
  @IsCalendarDate({ required: false, description: "Status as of this day (default today in the registry's time zone)" })
  on?: string;

  @ApiPropertyOptional({ default: 180, minimum: 1, maximum: 3660, description: 'Licenses whose term ends within this many days of `on`' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : value))
  @IsInt()
  @Min(1)
  @Max(3660)
  withinDays?: number;

  @IsReportFormat()
  format?: ReportFormat;
}

export class ExportsRowDto {
  @ApiPropertyOptional({ example: '2021-08' }) month?: string;
  @ApiPropertyOptional({ example: '2021-Q3' }) quarter?: string;
  @ApiPropertyOptional({ example: '2021' }) year?: string;
  @ApiPropertyOptional({ example: 'FY2021-22' }) fiscalYear?: string;
  @ApiPropertyOptional({ example: 'AE', description: 'ISO 3166-1 alpha-2, or OTHER in public aggregates' }) destination?: string;
  @ApiPropertyOptional({ example: 'United Arab Emirates' }) destinationName?: string;
  @ApiPropertyOptional({ format: 'uuid' }) companyId?: string;
  @ApiPropertyOptional() company?: string;
  @ApiPropertyOptional({ format: 'uuid' }) licenseId?: string;
  @ApiPropertyOptional() licenseNumber?: string;
  @ApiPropertyOptional() deviceCategory?: string;
  @ApiPropertyOptional({ nullable: true, type: String }) technology?: string | null;
  @ApiPropertyOptional() hsCode?: string;
  @ApiProperty({ description: 'Number of shipments (null when suppressed)', nullable: true, type: Number }) shipments: number | null;
  @ApiProperty({ description: 'Devices exported (null when suppressed)', nullable: true, type: Number }) units: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'Sum of known FOB values, USD decimal string; null when none is known or suppressed' }) fobValue: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Shipments whose FOB value is known' }) shipmentsWithFob: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 0.4231, description: "This row's share of all units (0..1, 4 decimals)" }) shareOfUnits: number | null;
  @ApiPropertyOptional({ description: 'Public aggregates: true when the cell has fewer than 3 shipments and its figures are withheld' }) suppressed?: boolean;
}

export class ExportsTotalsDto {
  @ApiProperty() shipments: number;
  @ApiProperty() units: number;
  @ApiProperty({ nullable: true, type: String }) fobValue: string | null;
  @ApiProperty() shipmentsWithFob: number;
}

export class ExportsReportDto {
  @ApiProperty({ type: [String], example: ["fiscalYear", "destination"] }) groupBy: Dimension[];
  @ApiProperty({ description: 'The filters applied (from/to: the range the periods cover)' }) filters: Record<string, string>;
  @ApiProperty({ type: [ExportsRowDto] }) rows: ExportsRowDto[];
  @ApiProperty({ type: ExportsTotalsDto }) totals: ExportsTotalsDto;
}
