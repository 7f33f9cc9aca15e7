import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { LinksDto, PageDto, PageQuery } from '../../common/pagination.js';
import { IsCalendarDate, IsCountryCode, IsMoney, IsNameText, IsUuid, IsReason } from '../../common/validation/decorators.js';
import { DEVICE_CATEGORIES, type DeviceCategory, SHIPMENT_STATUSES, type ShipmentStatus, TECHNOLOGIES, type Technology } from '../hs-codes.js';

export class CreateShipmentDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'The license the export is made under (this or licenseNumber)' })
  @IsOptional()
  @IsUuid()
  licenseId?: string;

  @ApiPropertyOptional({ example: 'MDM-2021-0001', description: 'The license by number, ignoring case (this or licenseId)' })
  @IsOptional()
  @IsNameText({ digits: true })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  licenseNumber?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "The exporter; must hold the license (default: the license's holder)" })
  @IsOptional()
  @IsUuid()
  companyId?: string;

  @ApiProperty({ description: "Exporter's goods-declaration or invoice number; unique per company", example: 'GD-KHI-2021-0813', maxLength: 100 })
  @IsNameText()
  @IsString()
  @IsNotEmpty({ message: 'is required' })
  @MaxLength(100)
  reference: string;

  @IsCalendarDate({ description: 'Day the goods were shipped; not in the future', example: '2021-08-13' })
  shippedOn: string;

  @IsCountryCode({ description: 'Destination, ISO 3166-1 alpha-2 (UAE is AE, UK is GB)' })
  destinationCountry: string;

  @ApiProperty({ description: 'Number of devices (a JSON integer)', minimum: 1, maximum: 10_000_000, example: 5500 })
  @IsInt({ message: 'must be a whole number of devices (a JSON integer)' })
  @Min(1)
  @Max(10_000_000)
  units: number;

  @ApiProperty({ enum: DEVICE_CATEGORIES, example: 'SMARTPHONE' })
  @IsIn(DEVICE_CATEGORIES, { message: `must be one of ${DEVICE_CATEGORIES.join(', ')}` })
  deviceCategory: DeviceCategory;

  @ApiPropertyOptional({ enum: TECHNOLOGIES, example: '4G' })
  @IsOptional()
  @IsIn(TECHNOLOGIES, { message: `must be one of ${TECHNOLOGIES.join(', ')}` })
  technology?: Technology;

  @ApiPropertyOptional({ example: 'Inovi', maxLength: 100 })
  @IsOptional()
  @IsNameText()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  brand?: string;

  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsNameText()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  model?: string;

  @ApiPropertyOptional({
    description:
      'HS subheading in the edition in force on shippedOn: 8517.12 until 2021-12-31 (HS 2017); 8517.13 smartphones or 8517.14 other phones from 2022-01-01 (HS 2022). ' +
      'Default: derived from shippedOn and deviceCategory (required for TABLET and OTHER from 2022).',
    example: '8517.12',
    pattern: '^\\d{4}\\.\\d{2}$',
  })
  @IsOptional()
  @IsString()
  @Matches(/^\d{4}\.\d{2}$/, { message: 'must be an HS subheading NNNN.NN, e.g. 8517.13' })
  hsCode?: string;

  @IsOptional()
  @IsMoney({ required: false, description: 'FOB value in USD, a decimal string', nullable: true })
  fobValue?: string;

  @ApiPropertyOptional({
    type: [String],
    description:
      'The IMEIs of the devices, as many as units: 15 digits with a valid check digit (14 digits get it appended; a 16-digit IMEISV keeps its first 14 and gets it). A device is exported once.',
    example: ['356938035643809'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100_000)
  @IsString({ each: true })
  imeis?: string[];
}

export class VoidShipmentDto {
  @IsReason({ required: true, description: 'Why the shipment is voided', example: 'Recorded twice; duplicate of GD-KHI-2021-0813' })
  reason: string;
}

/** Which shipments: shipped in a date range (inclusive), to a destination, of a category. Lists and reports share it. */
export class ShipmentFilters {
  @IsOptional()
  @IsCalendarDate({ required: false, description: 'Shipped on or after (inclusive)' })
  from?: string;

  @IsOptional()
  @IsCalendarDate({ required: false, description: 'Shipped on or before (inclusive)' })
  to?: string;

  @IsOptional()
  @IsCountryCode({ required: false, description: 'Destination country, ISO 3166-1 alpha-2' })
  destination?: string;

  @ApiPropertyOptional({ enum: DEVICE_CATEGORIES })
  @IsOptional()
  @IsIn(DEVICE_CATEGORIES)
  deviceCategory?: DeviceCategory;
}

export class ListShipmentsQuery extends IntersectionType(PageQuery, ShipmentFilters) {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUuid()
  companyId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUuid()
  licenseId?: string;

  @ApiPropertyOptional({ enum: SHIPMENT_STATUSES, description: 'Default: both' })
  @IsOptional()
  @IsIn(SHIPMENT_STATUSES)
  status?: ShipmentStatus;

  @ApiPropertyOptional({ enum: ['shippedOn', '-shippedOn', 'units', '-units'], default: '-shippedOn' })
  @IsOptional()
  @IsIn(['shippedOn', '-shippedOn', 'units', '-units'])
  sort?: string;
}

export class ShipmentDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) companyId: string;
  @ApiProperty({ example: 'Inovi Telecom (Private) Limited' }) licensee: string;
  @ApiProperty({ format: 'uuid' }) licenseId: string;
  @ApiProperty({ example: 'MDM-2021-0001' }) licenseNumber: string;
  @ApiProperty({ example: 'GD-KHI-2021-0813' }) reference: string;
  @ApiProperty({ format: 'date', example: '2021-08-13' }) shippedOn: string;
  @ApiProperty({ example: 'AE' }) destinationCountry: string;
  @ApiProperty({ example: 5500, description: 'devices' }) units: number;
  @ApiProperty({ enum: DEVICE_CATEGORIES }) deviceCategory: DeviceCategory;
  @ApiProperty({ enum: TECHNOLOGIES, nullable: true }) technology: Technology | null;
  @ApiProperty({ nullable: true, type: String }) brand: string | null;
  @ApiProperty({ nullable: true, type: String }) model: string | null;
  @ApiProperty({ example: '8517.12' }) hsCode: string;
  @ApiProperty({ nullable: true, type: String, example: '27500.00', description: 'USD, decimal string' }) fobValue: string | null;
  @ApiProperty({ enum: SHIPMENT_STATUSES }) status: ShipmentStatus;
  @ApiProperty({ nullable: true, type: String }) voidReason: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) voidedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ example: 1, description: 'Incremented on every change; the ETag' }) version: number;
  @ApiProperty({ type: LinksDto }) links: LinksDto;
}

export class ShipmentPageDto extends PageDto {
  @ApiProperty({ type: [ShipmentDto] }) items: ShipmentDto[];
}
