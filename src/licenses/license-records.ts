import type { CalendarDate } from '../common/calendar-date.js';
import { historyLink } from '../common/pagination.js';
import type { LicenseDto, LicenseEventDto } from './dto/license.dto.js';
import type { License } from './license.entity.js';
import type { LicenseEvent } from './license-event.entity.js';
import { type LicenseStatus, statusOn, termEndOn } from './lifecycle.js';
import type { LicenseWithSteps } from './register.reader.js';

// A license as the audit trail keeps it and as the API shows it.

/** A license as the audit trail records it, with its status on the day of the change. */
export function toLicenseRecord(l: License, status: LicenseStatus) {
  return {
    id: l.id,
    licenseNumber: l.licenseNumber,
    companyId: l.companyId,
    type: l.type,
    issuedOn: l.issuedOn,
    expiresOn: l.expiresOn,
    brands: l.brands,
    plantLocation: l.plantLocation,
    conditions: l.conditions,
    status,
    version: l.version,
  };
}

/** Brands as stored: each trimmed (names are already NFC with plain spaces: IsNameText). */
export function normaliseBrands(brands: string[] | undefined): string[] {
  return (brands ?? []).map((b) => b.trim());
}

export function toEventDto(e: LicenseEvent): LicenseEventDto {
  return {
    id: e.id,
    seq: e.seq,
    type: e.type,
    effectiveOn: e.effectiveOn,
    reason: e.reason,
    data: e.data,
    statusAfter: e.statusAfter,
    expiresOnAfter: e.expiresOnAfter,
    recordedAt: e.recordedAt.toISOString(),
    recordedBy: e.recordedBy,
    proposedBy: e.proposedBy,
    approvedBy: e.approvedBy,
  };
}

/** A license as the API shows it on `asOf`: status and term end computed from its events. */
export function toLicenseDto({ license: l, licensee, events }: LicenseWithSteps, asOf: CalendarDate, withEvents = false): LicenseDto {
  return {
    id: l.id,
    licenseNumber: l.licenseNumber,
    companyId: l.companyId,
    licensee,
    type: l.type,
    issuedOn: l.issuedOn,
    expiresOn: termEndOn(events, asOf) ?? l.expiresOn,
    brands: l.brands,
    plantLocation: l.plantLocation,
    conditions: l.conditions,
    status: statusOn(events, asOf),
    asOf,
    createdAt: l.createdAt.toISOString(),
    updatedAt: l.updatedAt.toISOString(),
    version: l.version,
    links: { history: historyLink('license', l.id) },
    ...(withEvents ? { events: events.map(toEventDto) } : {}),
  };
}
