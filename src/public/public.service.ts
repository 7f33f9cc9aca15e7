import { Inject, Injectable } from '@nestjs/common';
import type { CalendarDate } from '../common/calendar-date.js';
import { Clock } from '../common/clock.js';
import { csvString } from '../common/csv.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/config.js';
import { type PublicCondition, ObligationsService } from '../obligations/obligations.service.js';
import { type Page, pageOf } from '../common/pagination.js';
import { Problem, ProblemException } from '../common/problem.js';
import type { LicenseEvent } from '../licenses/license-event.entity.js';
import { Snapshots } from '../database/snapshots.js';
import { type LicenseWithSteps, RegisterReader } from '../licenses/register.reader.js';
import { isLicenseNumber, LICENSE_NUMBER_MESSAGE } from '../licenses/license-number.js';
import { asciiDigits } from '../common/text.js';
import { statusOn, stepOn, termEndOn } from '../licenses/lifecycle.js';
import {
  type ManufacturerDto,
  type ManufacturersQuery,
  type PublicConditionDto,
  type PublicEventDto,
  type PublicLicenseDto,
  REGISTER_COLUMNS,
  type RegisterDto,
  type RegisterRowDto,
  type VerificationDto,
} from './dto/public.dto.js';


/**
 * The public register: only public fields, mapped here field by field (never contact e-mails, staff notes or
 * ids, reasons, IMEIs, or figures of single shipments).
 */
@Injectable()
export class PublicService {
  constructor(
    private readonly licenses: RegisterReader,
    private readonly snapshots: Snapshots,
    private readonly clock: Clock,
    private readonly obligations: ObligationsService,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {}

  /**
   * Licensed manufacturers (companies holding at least one license) matching the query, a page at a time, with
   * their licenses' status today. Only the page's companies and their licenses are read.
   */
  async manufacturers(query: ManufacturersQuery): Promise<Page<ManufacturerDto>> {
    const { limit, offset } = pageOf(query);
    const today = this.clock.today();
    const filter = { q: query.q || undefined, status: query.status, on: today, city: query.city || undefined, brand: query.brand || undefined };
    // The page, its total and the page's licenses from one snapshot.
    const { ids, total, licenses } = await this.snapshots.read(async (m) => {
      const page = await this.licenses.holders(filter, { limit, offset }, m);
      return { ...page, licenses: await this.licenses.ofCompanies(page.ids, m) };
    });
    const byId = new Map(this.group(licenses, today).map((m) => [m.id, m]));
    return { items: ids.map((id) => byId.get(id)!), total, limit, offset };
  }

  /** One manufacturer with every license and its public lifecycle history; 404 when unknown or unlicensed. */
  async manufacturer(id: string): Promise<ManufacturerDto> {
    const found = await this.findManufacturer(id);
    if (!found) throw new ProblemException(404, 'MANUFACTURER_NOT_FOUND', `No licensed manufacturer with id ${id}`);
    return found;
  }

  /** The manufacturer `id` (a lower-case UUID) as manufacturer() gives it, or null when unknown or unlicensed. */
  async findManufacturer(id: string): Promise<ManufacturerDto | null> {
    const today = this.clock.today();
    // The licenses and, when public, their conditions (a few queries for all of them) from one snapshot.
    const { entries, conditions } = await this.snapshots.read(async (m) => {
      const entries = await this.licenses.ofCompanies([id], m);
      const conditions = this.config.publicConditions && entries.length ? await this.obligations.publicOn(entries.map((e) => e.license.id), today, m) : undefined;
      return { entries, conditions };
    });
    const [found] = this.group(entries, today, true);
    if (found && conditions) {
      entries.forEach((e, i) => {
        found.licenses[i].conditions = (conditions.get(e.license.id) ?? []).map(toPublicCondition);
      });
    }
    return found ?? null;
  }

  /**
   * Verifies a license number on a day (default today): found or not, status, holder, term, last status change.
   * The number matches ignoring case and surrounding spaces. 400 for a malformed number, 404 when unknown.
   */
  async verify(licenseNumber: string, on?: CalendarDate): Promise<VerificationDto> {
    const check = await this.check(licenseNumber, on);
    if (check.kind === 'malformed') throw Problem.validation([{ field: 'licenseNumber', message: LICENSE_NUMBER_MESSAGE }]);
    if (check.kind === 'not-found') {
      throw new ProblemException(404, 'LICENSE_NOT_FOUND', `No license numbered ${check.licenseNumber} is on the register`, undefined, { found: false, licenseNumber: check.licenseNumber });
    }
    return check.result;
  }

  /** verify() without exceptions (for the pages): the verification, or why there is none. */
  async check(licenseNumber: string, on?: CalendarDate): Promise<LicenseCheck> {
    // As typed: full-width forms (NFKC) and Urdu or Arabic-Indic digits are read as the ASCII they stand for.
    const number = asciiDigits(licenseNumber.normalize('NFKC')).trim();
    if (!isLicenseNumber(number)) return { kind: 'malformed' };
    const day = on ?? this.clock.today();
    const entry = await this.licenses.byNumber(number);
    if (!entry) return { kind: 'not-found', licenseNumber: number };
    return { kind: 'found', result: toVerification(entry, day) };
  }

  /** The whole public register, one row per license, status today. */
  async register(): Promise<RegisterDto> {
    const asOf = this.clock.today();
    const rows = (await this.snapshots.read((m) => this.licenses.all(m))).map((e) => toRegisterRow(e, asOf));
    return {
      about:
        'Licenses to manufacture mobile devices (MDM) on the public register, one row per license, status as of asOf. ' +
        'Columns: ' + REGISTER_COLUMNS.join(', ') + '. Dates are YYYY-MM-DD; expiresOn is the last day of the term (inclusive).',
      asOf,
      columns: [...REGISTER_COLUMNS],
      licenses: rows,
    };
  }

  /** The register as RFC 4180 CSV (UTF-8, CRLF), text cells made safe for spreadsheets, with its day. */
  async registerCsv(options: { bom?: boolean } = {}): Promise<{ asOf: CalendarDate; csv: string }> {
    const { licenses, asOf } = await this.register();
    return { asOf, csv: csvString(REGISTER_COLUMNS, licenses as unknown as Record<string, unknown>[], options) };
  }

  private group(entries: LicenseWithSteps[], today: CalendarDate, withHistory = false): ManufacturerDto[] {
    const byCompany = new Map<string, ManufacturerDto>();
    for (const e of entries) {
      const c = e.license.company!;
      let m = byCompany.get(c.id);
      if (!m) {
        m = { id: c.id, legalName: c.legalName, tradeName: c.tradeName, city: c.city, province: c.province, website: c.website, licenses: [] };
        byCompany.set(c.id, m);
      }
      m.licenses.push(toPublicLicense(e, today, withHistory));
    }
    return [...byCompany.values()];
  }
}

function toPublicEvent(e: LicenseEvent): PublicEventDto {
  return { type: e.type, effectiveOn: e.effectiveOn, expiresOn: e.expiresOnAfter, logIndex: e.auditSeq == null ? null : Number(e.auditSeq) - 1 };
}

/** Field by field: nothing else of a condition is public. */
function toPublicCondition(c: PublicCondition): PublicConditionDto {
  return { code: c.code, title: c.title, titleUr: c.titleUr, status: c.status, dueOn: c.dueOn, ...(c.extendedUntil ? { extendedUntil: c.extendedUntil } : {}) };
}

function toPublicLicense({ license: l, events }: LicenseWithSteps, asOf: CalendarDate, withHistory: boolean): PublicLicenseDto {
  return {
    licenseNumber: l.licenseNumber,
    type: l.type,
    status: statusOn(events, asOf),
    asOf,
    issuedOn: l.issuedOn,
    expiresOn: termEndOn(events, asOf) ?? l.expiresOn,
    brands: l.brands,
    // AMENDED events are staff corrections, not lifecycle: the public history shows status changes only.
    ...(withHistory ? { history: events.filter((e) => e.type !== 'AMENDED').map(toPublicEvent) } : {}),
  };
}

function toRegisterRow(e: LicenseWithSteps, asOf: CalendarDate): RegisterRowDto {
  const pub = toPublicLicense(e, asOf, false);
  const last = stepOn(e.events, asOf) as LicenseEvent | undefined; // none before the license takes effect
  const c = e.license.company!;
  return {
    licenseNumber: pub.licenseNumber,
    type: pub.type,
    status: pub.status,
    statusAsOf: asOf,
    issuedOn: pub.issuedOn,
    expiresOn: pub.expiresOn,
    licensee: c.legalName,
    tradeName: c.tradeName,
    city: c.city,
    province: c.province,
    brands: pub.brands.join('; '),
    lastStatusChange: last?.type ?? null,
    lastStatusChangeOn: last?.effectiveOn ?? null,
    manufacturerId: c.id,
  };
}

/** The public verification of a license (with its events) on `day`. */
function toVerification({ license: l, events }: LicenseWithSteps, day: CalendarDate): VerificationDto {
  const status = statusOn(events, day);
  const last = stepOn(events, day) as LicenseEvent | undefined;
  return {
    found: true,
    licenseNumber: l.licenseNumber,
    type: l.type,
    status,
    valid: status === 'ACTIVE',
    on: day,
    holder: { id: l.company!.id, legalName: l.company!.legalName, tradeName: l.company!.tradeName, city: l.company!.city },
    issuedOn: l.issuedOn,
    expiresOn: termEndOn(events, day) ?? l.expiresOn,
    brands: l.brands,
    lastStatusChange: last ? toPublicEvent(last) : null,
  };
}

/** What a license check found: the verification, no such license, or a number that cannot be one. */
export type LicenseCheck = { kind: 'found'; result: VerificationDto } | { kind: 'not-found'; licenseNumber: string } | { kind: 'malformed' };
