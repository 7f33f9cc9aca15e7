import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { flattenValidationErrors } from '../common/validation/validation.js';
import { CreateShipmentDto } from '../shipments/dto/shipment.dto.js';
import type { ImportError } from './csv-reader.js';
import { parseDate, parseMoney, parseUnits } from './csv-values.js';

// A shipments CSV row as the API's input, and the row's terms for what the API says.

/** The columns of a shipments CSV: the API's field names, in any order. */
export const SHIPMENT_COLUMNS = ['licenseNumber', 'reference', 'shippedOn', 'destinationCountry', 'units', 'deviceCategory', 'technology', 'brand', 'model', 'hsCode', 'fobValue'] as const;
export const REQUIRED_COLUMNS = ['licenseNumber', 'reference', 'shippedOn', 'destinationCountry', 'units', 'deviceCategory'] as const;
/** The companion file: one device a line. */
export const IMEI_COLUMNS = ['imei', 'reference'] as const;

/** A row's cells as the API's CreateShipmentDto, validated the same way; undefined (with errors) when bad. */
export function toShipmentInput(row: number, cells: Record<string, string>, fail: (e: ImportError) => void): CreateShipmentDto | undefined {
  const errors: ImportError[] = [];
  const units = parseUnits(cells.units ?? '');
  const fob = parseMoney(cells.fobValue ?? '');
  const shippedOn = parseDate(cells.shippedOn ?? '');
  if ('error' in units) errors.push({ file: 'shipments', row, column: 'units', message: units.error });
  if ('error' in fob) errors.push({ file: 'shipments', row, column: 'fobValue', message: fob.error });
  if ('error' in shippedOn) errors.push({ file: 'shipments', row, column: 'shippedOn', message: shippedOn.error });
  const text = (c: string) => (cells[c] === undefined || cells[c].trim() === '' ? undefined : cells[c].trim());
  const plain = {
    licenseNumber: text('licenseNumber'),
    reference: cells.reference ?? '',
    shippedOn: 'value' in shippedOn ? shippedOn.value : undefined,
    destinationCountry: cells.destinationCountry?.trim(),
    units: 'value' in units ? units.value : undefined,
    deviceCategory: cells.deviceCategory?.trim(),
    technology: text('technology'),
    brand: text('brand'),
    model: text('model'),
    hsCode: text('hsCode'),
    fobValue: 'value' in fob ? fob.value : undefined,
  };
  const dto = plainToInstance(CreateShipmentDto, plain);
  for (const e of flattenValidationErrors(validateSync(dto, { whitelist: true, forbidNonWhitelisted: true }))) {
    if (!errors.some((x) => x.column === e.field)) errors.push({ file: 'shipments', row, column: e.field, message: e.message });
  }
  if (!plain.licenseNumber) errors.push({ file: 'shipments', row, column: 'licenseNumber', message: 'is empty' });
  errors.forEach(fail);
  return errors.length ? undefined : dto;
}

/** The CSV column of an API field (the file names the license by number). */
export function columnOf(field: string): string {
  if (field === 'licenseId') return 'licenseNumber';
  return field.replace(/\[\d+\]$/, '');
}
