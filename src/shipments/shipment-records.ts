import { centsToMoney } from '../common/money.js';
import { historyLink } from '../common/pagination.js';
import type { ShipmentDto } from './dto/shipment.dto.js';
import type { Shipment } from './shipment.entity.js';

// A shipment as the audit trail keeps it, as the API shows it, and how two with one reference differ.

/** The stored record of a shipment, as the audit trail keeps it. */
export function toShipmentRecord(s: Shipment) {
  const { company: _c, license: _l, createdAt: _cr, updatedAt: _up, voidedAt, ...fields } = s;
  return { ...fields, voidedAt: voidedAt ? voidedAt.toISOString() : null };
}

export function toShipmentDto(s: Shipment): ShipmentDto {
  return {
    id: s.id,
    companyId: s.companyId,
    licensee: s.company!.legalName,
    licenseId: s.licenseId,
    licenseNumber: s.license!.licenseNumber,
    reference: s.reference,
    shippedOn: s.shippedOn,
    destinationCountry: s.destinationCountry,
    units: s.units,
    deviceCategory: s.deviceCategory,
    technology: s.technology,
    brand: s.brand,
    model: s.model,
    hsCode: s.hsCode,
    fobValue: s.fobValueCents == null ? null : centsToMoney(s.fobValueCents),
    status: s.status,
    voidReason: s.voidReason,
    voidedAt: s.voidedAt ? s.voidedAt.toISOString() : null,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    version: s.version,
    links: { history: historyLink('shipment', s.id) },
  };
}

/**
 * The first field in which a stored shipment differs from a new one with its (exporter, reference), named as
 * the API and the CSV columns name it (the license by licenseNumber); a voided stored one differs on reference.
 */
export function differs(stored: Shipment, given: Shipment): { field: string; storedValue: unknown; given: unknown } | undefined {
  const fields: [string, unknown, unknown][] = [
    ['licenseNumber', stored.licenseId, given.licenseId],
    ['shippedOn', stored.shippedOn, given.shippedOn],
    ['destinationCountry', stored.destinationCountry, given.destinationCountry],
    ['units', stored.units, given.units],
    ['deviceCategory', stored.deviceCategory, given.deviceCategory],
    ['technology', stored.technology, given.technology],
    ['brand', stored.brand, given.brand],
    ['model', stored.model, given.model],
    ['hsCode', stored.hsCode, given.hsCode],
    ['fobValue', stored.fobValueCents, given.fobValueCents],
  ];
  const found = fields.find(([, a, b]) => (a ?? null) !== (b ?? null));
  return found ? { field: found[0], storedValue: found[1], given: found[2] } : stored.status === 'VOIDED' ? { field: 'reference', storedValue: 'a voided shipment', given: 'a new one' } : undefined;
}
