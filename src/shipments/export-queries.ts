import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CalendarDate } from '../common/calendar-date.js';
import { Transactions } from '../database/transactions.js';
import { statusOnSql } from '../licenses/status-sql.js';
import type { Dimension } from './export-dimensions.js';
import { dayInMonthSql, dimensionSql, type ExportFilter, exportSource, SqlParams, spanSql } from './export-source.js';
import { Shipment } from './shipment.entity.js';

/** One group of an exports query: sums (as the driver gives them) and the group's dimension values by alias. */
export interface ExportCell {
  [alias: string]: string | number | null;
  shipments: string | number;
  units: string | number | null;
  fob: string | number | null;
  withFob: string | number;
}

/** A recorded shipment with its exporter and license, as reports list them. */
export type ShipmentRow = Record<string, string | number>;

/**
 * The shipments module's read model for reports: what was exported, read from the export rollup (by month and
 * every dimension: export-rollup.ts) and, for the days of a range that starts or ends inside a month, from the
 * shipments (export-source.ts), in the caller's snapshot. Voided shipments count nowhere. The same SQL runs on
 * SQLite and PostgreSQL; days come out as `YYYY-MM-DD` text on both.
 */
@Injectable()
export class ExportQueries {
  constructor(private readonly tx: Transactions) {}

  /** The day as `YYYY-MM-DD` text on either engine (PostgreSQL's own text form follows DateStyle). */
  private get day(): string {
    return this.tx.engine === 'postgres' ? "to_char(s.shipped_on, 'YYYY-MM-DD')" : 's.shipped_on';
  }

  /** Shipments, units, FOB cents and shipments with a FOB value per group of `groupBy` (groups with shipments only). */
  async cells(filter: ExportFilter, groupBy: Dimension[], m: EntityManager): Promise<ExportCell[]> {
    const sql = new SqlParams(this.tx.engine === 'postgres');
    const select = ['SUM(r.shipments) AS shipments', 'SUM(r.units) AS units', 'CASE WHEN SUM(r.shipments_with_fob) = 0 THEN NULL ELSE SUM(r.fob_value_cents) END AS fob', 'SUM(r.shipments_with_fob) AS "withFob"'];
    const group: string[] = [];
    for (const d of groupBy) {
      const dim = dimensionSql(d);
      for (const [expr, alias] of dim.select) select.push(`${expr} AS "${alias}"`);
      group.push(...dim.group);
    }
    const joins = (groupBy.includes('company') ? ' JOIN companies c ON c.id = r.company_id' : '') + (groupBy.includes('license') ? ' JOIN licenses l ON l.id = r.license_id' : '');
    return m.query(`SELECT ${select.join(', ')} FROM (${exportSource(filter, sql)}) r${joins} GROUP BY ${group.join(', ')} HAVING SUM(r.shipments) > 0`, sql.values);
  }

  /** The first and last day with a recorded shipment matching the filter (undefined when none). */
  async span(filter: ExportFilter, m: EntityManager): Promise<{ from?: CalendarDate; to?: CalendarDate }> {
    const postgres = this.tx.engine === 'postgres';
    const months = new SqlParams(postgres);
    const [span] = await m.query(spanSql(filter, months), months.values);
    if (!span?.min) return {};
    const day = async (month: string, edge: 'MIN' | 'MAX') => {
      const sql = new SqlParams(postgres);
      const [row] = await m.query(dayInMonthSql(month, edge, filter, sql), sql.values);
      return dayText(row?.day);
    };
    return { from: await day(String(span.min), 'MIN'), to: await day(String(span.max), 'MAX') };
  }

  /** The first recorded shipment to each destination, or of each exporter, by day shipped (oldest first). */
  async firsts(m: EntityManager, of: 'destination' | 'exporter'): Promise<ShipmentRow[]> {
    const inner = m
      .createQueryBuilder(Shipment, 's')
      .innerJoin('s.company', 'c')
      .innerJoin('s.license', 'l')
      .select('s.id', 'shipmentId')
      .addSelect(`${this.day}`, 'shippedOn')
      .addSelect('s.destination_country', 'destination')
      .addSelect('s.units', 'units')
      .addSelect('s.company_id', 'companyId')
      .addSelect('c.legal_name', 'licensee')
      .addSelect('s.license_id', 'licenseId')
      .addSelect('l.license_number', 'licenseNumber')
      .addSelect(`ROW_NUMBER() OVER (PARTITION BY ${of === 'destination' ? 's.destination_country' : 's.company_id'} ORDER BY s.shipped_on, s.created_at, s.id)`, 'rn')
      .where("s.status = 'RECORDED'");
    return m
      .createQueryBuilder()
      .select('*')
      .from(`(${inner.getQuery()})`, 'x')
      .setParameters(inner.getParameters())
      .where('x.rn = 1')
      .orderBy('x."shippedOn"', 'ASC')
      .getRawMany<ShipmentRow>();
  }

  /** Recorded shipments made on a day their license was not ACTIVE (statusOnShippedOn), oldest first. */
  whileNotActive(m: EntityManager): Promise<ShipmentRow[]> {
    return m
      .createQueryBuilder(Shipment, 's')
      .innerJoin('s.license', 'l')
      .innerJoin('s.company', 'c')
      .select('s.id', 'shipmentId')
      .addSelect('s.reference', 'reference')
      .addSelect(this.day, 'shippedOn')
      .addSelect('s.units', 'units')
      .addSelect('s.license_id', 'licenseId')
      .addSelect('l.license_number', 'licenseNumber')
      .addSelect('c.legal_name', 'licensee')
      .addSelect(statusOnSql('s.license_id', 's.shipped_on'), 'statusOnShippedOn')
      .where("s.status = 'RECORDED'")
      .andWhere(`${statusOnSql('s.license_id', 's.shipped_on')} <> 'ACTIVE'`)
      .orderBy('s.shipped_on', 'ASC')
      .getRawMany<ShipmentRow>();
  }
}

function dayText(value: unknown): CalendarDate | undefined {
  if (value === null || value === undefined) return undefined;
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
}
