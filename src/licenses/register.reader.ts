import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, In, Repository } from 'typeorm';
import type { CalendarDate } from '../common/calendar-date.js';
import { likeContains, likeEscape } from '../common/pagination.js';
import { Company } from '../companies/company.entity.js';
import { PreparedReads } from '../database/prepared-reads.js';
import { lookedUpTogether } from '../database/together.js';
import { identityKey } from '../common/text.js';
import { License, licenseNumberKey } from './license.entity.js';
import { LicenseEvent } from './license-event.entity.js';
import type { LicenseStatus } from './lifecycle.js';
import { statusOnSql } from './status-sql.js';

export interface LicenseWithSteps {
  license: License;
  licensee: string;
  events: LicenseEvent[];
}

interface LicenseRow {
  id: string;
  licenseNumber: string;
  type: License['type'];
  issuedOn: string;
  expiresOn: string;
  brands: string;
  companyId: string;
  legalName: string;
  tradeName: string | null;
  city: string | null;
  province: string | null;
  website: string | null;
}

type EventRow = Pick<LicenseEvent, 'seq' | 'type' | 'effectiveOn' | 'statusAfter' | 'expiresOnAfter' | 'auditSeq'>;

/** A license's public fields with its holder's, by its number key (`WHERE` added by the caller). */
const LICENSE_SQL = `SELECT l.id, l.license_number AS "licenseNumber", l.type, l.issued_on AS "issuedOn", l.expires_on AS "expiresOn", l.brands,
       c.id AS "companyId", c.legal_name AS "legalName", c.trade_name AS "tradeName", c.city, c.province, c.website
FROM licenses l JOIN companies c ON c.id = l.company_id`;
/** A license's events, by its (license, seq) key (`WHERE` and order added by the caller). */
const EVENTS_SQL = 'SELECT seq, type, effective_on AS "effectiveOn", status_after AS "statusAfter", expires_on_after AS "expiresOnAfter", audit_seq AS "auditSeq" FROM license_events';

/**
 * PostgreSQL: licenses by their number keys, each with its events (in order) as JSON, in one statement (the same
 * index lookups: the unique number key, then the events' (license, seq) key).
 */
export const LICENSES_WITH_EVENTS_SQL = `${LICENSE_SQL.replace('SELECT ', 'SELECT l.license_number_key AS key, ev.events, ')},
  LATERAL (SELECT COALESCE(json_agg(json_build_object('seq', e.seq, 'type', e.type, 'effectiveOn', e.effective_on, 'statusAfter', e.status_after,
      'expiresOnAfter', e.expires_on_after, 'auditSeq', e.audit_seq) ORDER BY e.seq), '[]') AS events FROM license_events e WHERE e.license_id = l.id) ev
WHERE l.license_number_key = ANY($1)`;

/** The entities of a license check: the license's public fields only. */
function toEntry(row: LicenseRow, events: EventRow[]): LicenseWithSteps {
  const company = Object.assign(new Company(), { id: row.companyId, legalName: row.legalName, tradeName: row.tradeName, city: row.city, province: row.province, website: row.website });
  const license = Object.assign(new License(), {
    id: row.id,
    licenseNumber: row.licenseNumber,
    licenseNumberKey: licenseNumberKey(row.licenseNumber),
    type: row.type,
    issuedOn: row.issuedOn,
    expiresOn: row.expiresOn,
    brands: JSON.parse(row.brands) as string[],
    companyId: row.companyId,
    company,
  });
  return { license, licensee: company.legalName, events: events.map(({ seq, type, effectiveOn, statusAfter, expiresOnAfter, auditSeq }) => Object.assign(new LicenseEvent(), { seq, type, effectiveOn, statusAfter, expiresOnAfter, auditSeq, licenseId: row.id })) };
}

/** What a public search of license holders may ask (every part optional, all must hold). */
export interface HolderFilter {
  /** Part of the legal or trade name, a brand or a license number; case-insensitive, matched literally. */
  q?: string;
  /** Holding a license with this status on `on`. */
  status?: LicenseStatus;
  on: CalendarDate;
  city?: string;
  /** Holding a license for exactly this brand (case-insensitive). */
  brand?: string;
}

/**
 * Reads of the license register for the public side and reports: each reads only the licenses its answer
 * holds (by the unique number key, the company index, or one page of holders), with their events in one query.
 */
@Injectable()
export class RegisterReader {
  constructor(
    @InjectRepository(License) private readonly licenses: Repository<License>,
    private readonly reads: PreparedReads,
  ) {}

  /**
   * Every license with its holder and events, ordered by license number: the open-data files and the licenses
   * report. Two queries: give the manager of a snapshot (database/snapshots.ts) so that they agree.
   */
  async all(m: EntityManager = this.licenses.manager): Promise<LicenseWithSteps[]> {
    return this.withEvents(await m.find(License, { relations: { company: true }, order: { licenseNumberKey: 'ASC' } }), m);
  }

  /**
   * The license with this number (ignoring case and surrounding spaces) with its holder and events, or null:
   * one lookup on the unique key and one on the events' (license, seq) key, prepared (every license check; on
   * PostgreSQL one statement for the checks asked together, byKeyTogether). The entities carry the license's public
   * fields only.
   */
  async byNumber(licenseNumber: string): Promise<LicenseWithSteps | null> {
    const key = licenseNumberKey(licenseNumber);
    if (this.reads.postgres) return this.byKeyTogether.load(key);
    const [row] = await this.reads.all<LicenseRow>('license-by-number', `${LICENSE_SQL} WHERE l.license_number_key = $1`, [key]);
    if (!row) return null;
    return toEntry(row, await this.reads.all<EventRow>('license-events', `${EVENTS_SQL} WHERE license_id = $1 ORDER BY seq`, [row.id]));
  }

  /** PostgreSQL: the license checks asked in one turn of the event loop, by the same keys in one statement (lookedUpTogether). */
  private readonly byKeyTogether = lookedUpTogether<string, LicenseWithSteps | null>(async (keys) => {
    const rows = await this.reads.all<LicenseRow & { key: string; events: EventRow[] }>('licenses-by-number', LICENSES_WITH_EVENTS_SQL, [keys]);
    const byKey = new Map(rows.map((r) => [r.key, toEntry(r, r.events)]));
    return keys.map((k) => byKey.get(k) ?? null);
  });

  /** The licenses of these companies (index on licenses.company_id), ordered by license number. */
  async ofCompanies(companyIds: string[], m: EntityManager = this.licenses.manager): Promise<LicenseWithSteps[]> {
    if (!companyIds.length) return [];
    return this.withEvents(await m.find(License, { where: { companyId: In(companyIds) }, relations: { company: true }, order: { licenseNumberKey: 'ASC' } }), m);
  }

  /**
   * One page of companies holding at least one license and matching `filter`, ordered by name (lower-cased,
   * code-point order on both engines), and how many match in all. Status is computed in SQL for the candidate
   * licenses only (statusOnSql); nothing else is loaded.
   */
  async holders(filter: HolderFilter, page: { limit: number; offset: number }, m: EntityManager = this.licenses.manager): Promise<{ ids: string[]; total: number }> {
    const postgres = m.connection.options.type === 'postgres';
    const qb = m.createQueryBuilder(Company, 'c').where('EXISTS (SELECT 1 FROM licenses h WHERE h.company_id = c.id)');
    if (filter.q) {
      const pattern = likeContains(filter.q);
      qb.andWhere(
        `(c.search_key LIKE :pattern ESCAPE '\\' OR EXISTS (SELECT 1 FROM licenses q WHERE q.company_id = c.id AND (q.license_number_key LIKE :upper ESCAPE '\\' OR q.brands_key LIKE :pattern ESCAPE '\\')))`,
        { pattern, upper: pattern.toUpperCase() },
      );
    }
    if (filter.status) {
      qb.andWhere(`EXISTS (SELECT 1 FROM licenses s WHERE s.company_id = c.id AND ${statusOnSql('s.id', ':on')} = :status)`, { status: filter.status, on: filter.on });
    }
    if (filter.city) qb.andWhere('LOWER(c.city) = :city', { city: filter.city.toLowerCase() });
    if (filter.brand) {
      qb.andWhere(`EXISTS (SELECT 1 FROM licenses b WHERE b.company_id = c.id AND b.brands_key LIKE :brand ESCAPE '\\')`, { brand: `%\n${likeEscape(identityKey(filter.brand))}\n%` });
    }
    const total = await qb.getCount();
    const rows = await qb
      .select('c.id', 'id')
      .orderBy(postgres ? 'c.legal_name_key COLLATE "C"' : 'c.legal_name_key', 'ASC')
      .addOrderBy('c.id', 'ASC')
      .offset(page.offset)
      .limit(page.limit)
      .getRawMany<{ id: string }>();
    return { ids: rows.map((r) => r.id), total };
  }

  private async withEvents(licenses: License[], m: EntityManager = this.licenses.manager): Promise<LicenseWithSteps[]> {
    const events = await eventsOf(m, licenses.map((l) => l.id));
    return licenses.map((license) => ({ license, licensee: license.company!.legalName, events: events.get(license.id) ?? [] }));
  }
}

/** The events of these licenses, each license's in seq order (unique index on license_id, seq), in one query per 500. */
export async function eventsOf(m: EntityManager, ids: string[]): Promise<Map<string, LicenseEvent[]>> {
  const byLicense = new Map<string, LicenseEvent[]>();
  for (let i = 0; i < ids.length; i += 500) {
    const events = await m.find(LicenseEvent, { where: { licenseId: In(ids.slice(i, i + 500)) }, order: { licenseId: 'ASC', seq: 'ASC' } });
    for (const e of events) {
      const list = byLicense.get(e.licenseId);
      if (list) list.push(e);
      else byLicense.set(e.licenseId, [e]);
    }
  }
  return byLicense;
}
