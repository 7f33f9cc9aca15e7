import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { addDays, type CalendarDate, isCalendarDate, LAST_CALENDAR_DATE } from '../common/calendar-date.js';
import { Clock } from '../common/clock.js';
import { countryName } from '../common/country.js';
import type { Lang } from '../common/i18n/lang.js';
import { centsToMoney, sumMoney } from '../common/money.js';
import { Problem } from '../common/problem.js';
import { Snapshots } from '../database/snapshots.js';
import { RegisterReader } from '../licenses/register.reader.js';
import { emptyCounts, ObligationsService } from '../obligations/obligations.service.js';
import type { ObligationsReportDto, ObligationsReportRowDto } from '../obligations/dto/obligation.dto.js';
import type { ObligationStatus } from '../obligations/obligation-rules.js';
import { type PendingProposals, ProposalsService } from '../proposals/proposals.service.js';
import { LICENSE_STATUSES, type LicenseStatus, statusOn, termEndOn } from '../licenses/lifecycle.js';
import { type ExportCell, ExportQueries, type ShipmentRow } from '../shipments/export-queries.js';
import { stackedBarChart } from './chart.js';
import { type ChartPeriod, type ChartStack, chartText, seriesLabel } from './chart-text.js';
import { discloseForPublic } from './disclosure-control.js';
import { fiscalYearLabel, zeroFill } from './periods.js';
import { compareRows, get, isTime, set } from './report-rows.js';
import { type Dimension, type ExportsReportDto, type ExportsRowDto } from './dto/reports.dto.js';

export interface ExportsRequest {
  groupBy: Dimension[];
  from?: CalendarDate;
  to?: CalendarDate;
  companyId?: string;
  destination?: string;
  deviceCategory?: string;
}


/**
 * Export statistics, aggregated in the database by the shipments module's read model (shipments/export-queries.ts:
 * the export rollup, and for a range that starts or ends inside a month those days' shipments), then labelled,
 * zero-filled, shared out and, for the public, put through disclosure control here. A report costs what the
 * rollup holds for its range, not what the shipments table does; shipments are never loaded into memory.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly queries: ExportQueries,
    private readonly register: RegisterReader,
    private readonly snapshots: Snapshots,
    private readonly clock: Clock,
    private readonly proposals: ProposalsService,
    private readonly obligations: ObligationsService,
  ) {}

  /**
   * Shipments, units, FOB value and share of units per group. When grouping by time only, every period in the
   * range appears, with zeros where nothing was exported (the range is from..to, or the data's own span).
   * Sorted by period, then by units descending.
   */
  async exports(request: ExportsRequest, m?: EntityManager): Promise<ExportsReportDto> {
    // Cells, span and totals from one snapshot of the committed data.
    if (!m) return this.snapshots.read((snapshot) => this.exports(request, snapshot));
    checkRange(request);
    const groupBy = request.groupBy.length ? request.groupBy : (['month'] as Dimension[]);
    return this.report(request, groupBy, await this.queries.cells(request, groupBy, m), m);
  }

  /** The report of `cells` grouped by `groupBy`: labelled, zero-filled over the range when by time only, shared out, sorted. */
  private async report(request: Omit<ExportsRequest, 'groupBy'>, groupBy: Dimension[], cells: ExportCell[], m: EntityManager): Promise<ExportsReportDto> {
    let rows: ExportsRowDto[] = cells.map((r) => this.toRow(r, groupBy));

    let { from, to } = request;
    if (groupBy.every(isTime)) {
      if (!from || !to) {
        const span = await this.queries.span(request, m);
        from ??= span.from;
        to ??= span.to;
      }
      if (from && to) {
        const months = (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7));
        if (months > MAX_FILLED_MONTHS) {
          throw Problem.validation([{ field: 'to', message: `the range spans ${months + 1} months; a report by period covers at most ${MAX_FILLED_MONTHS} (100 years)` }]);
        }
        rows = zeroFill(rows, groupBy, from, to);
      }
    }

    const totalUnits = rows.reduce((sum, r) => sum + (r.units ?? 0), 0);
    for (const r of rows) r.shareOfUnits = totalUnits ? Math.round(((r.units ?? 0) / totalUnits) * 10_000) / 10_000 : 0;
    rows.sort(compareRows(groupBy));
    const totals = {
      shipments: rows.reduce((s, r) => s + (r.shipments ?? 0), 0),
      units: totalUnits,
      fobValue: sumMoney(rows.map((r) => r.fobValue)),
      shipmentsWithFob: rows.reduce((s, r) => s + (r.shipmentsWithFob ?? 0), 0),
    };
    const filters: Record<string, string> = {};
    for (const [k, v] of Object.entries({ from, to, companyId: request.companyId, destination: request.destination, deviceCategory: request.deviceCategory })) {
      if (v) filters[k] = v;
    }
    return { groupBy, filters, rows, totals };
  }

  private toRow(r: ExportCell, groupBy: Dimension[]): ExportsRowDto {
    const row: ExportsRowDto = {
      shipments: Number(r.shipments),
      units: Number(r.units ?? 0),
      fobValue: r.fob === null ? null : centsToMoney(fobCents(r.fob)),
      shipmentsWithFob: Number(r.withFob),
      shareOfUnits: 0,
    };
    for (const d of groupBy) {
      if (d === 'fiscalYear') row.fiscalYear = fiscalYearLabel(Number(r.fiscalYear));
      else if (d === 'destination') {
        row.destination = String(r.destination);
        row.destinationName = countryName(String(r.destination)) ?? String(r.destination);
      } else if (d === 'company') {
        row.companyId = String(r.companyId);
        row.company = String(r.company);
      } else if (d === 'license') {
        row.licenseId = String(r.licenseId);
        row.licenseNumber = String(r.licenseNumber);
      } else if (d === 'technology') row.technology = r.technology === null ? null : String(r.technology);
      else set(row, d, String(r[d]));
    }
    return row;
  }

  /** The first export to each destination, and each company's first export (voided shipments excluded). */
  async firsts(): Promise<{ byDestination: FirstExport[]; byCompany: FirstExport[] }> {
    return this.snapshots.read(async (m) => ({ byDestination: toFirsts(await this.queries.firsts(m, 'destination')), byCompany: toFirsts(await this.queries.firsts(m, 'exporter')) }));
  }

  /** The same report for the public, after disclosure control (disclosure-control.ts). */
  async publicExports(request: ExportsRequest, m?: EntityManager): Promise<ExportsReportDto> {
    return discloseForPublic(await this.exports(request, m));
  }

  /**
   * Units by period, stacked by destination or device category (the 8 largest; the rest as "Other"), as SVG,
   * with its texts in English or Urdu (chart-text.ts).
   */
  async chart(
    request: Omit<ExportsRequest, 'groupBy'> & { period: ChartPeriod; stack: ChartStack; audience: 'public' | 'staff'; lang?: Lang },
  ): Promise<string> {
    const lang = request.lang ?? 'en';
    checkRange(request);
    // The bars (by period and series) and the totals (by period) from one query: the periods' cells are the sums
    // of their series' cells, exactly as the database would sum them.
    const [period, stack] = [request.period, request.stack];
    const reports = await this.snapshots.read(async (m) => {
      const cells = await this.queries.cells(request, [period, stack], m);
      return [await this.report(request, [period], sumCells(cells, period), m), await this.report(request, [period, stack], cells, m)];
    });
    const [byPeriod, byStack] = request.audience === 'public' ? reports.map(discloseForPublic) : reports;
    const periods = byPeriod.rows.map((r) => String(get(r, request.period)));
    const totalsByKey = new Map<string, number>();
    for (const r of byStack.rows) totalsByKey.set(String(get(r, request.stack)), (totalsByKey.get(String(get(r, request.stack))) ?? 0) + (r.units ?? 0));
    const ranked = [...totalsByKey.entries()].filter(([k]) => k !== 'OTHER').sort((a, b) => b[1] - a[1]).map(([k]) => k);
    const shown = new Set(ranked.slice(0, 8));
    const series = ranked.slice(0, 8).map((key) => ({ key, label: seriesLabel(lang, request.stack, key) }));
    if (ranked.length > 8 || totalsByKey.has('OTHER')) series.push({ key: 'OTHER', label: seriesLabel(lang, request.stack, 'OTHER') });
    const units = new Map<string, Map<string, number>>();
    for (const r of byStack.rows) {
      const period = String(get(r, request.period));
      const key = shown.has(String(get(r, request.stack))) ? String(get(r, request.stack)) : 'OTHER';
      const cell = units.get(period) ?? new Map<string, number>();
      cell.set(key, (cell.get(key) ?? 0) + (r.units ?? 0));
      units.set(period, cell);
    }
    const seriesUnits = (key: string) => (key === 'OTHER' ? [...totalsByKey.entries()].filter(([k]) => !shown.has(k)).reduce((n, [, v]) => n + v, 0) : (totalsByKey.get(key) ?? 0));
    const text = chartText(lang, { ...request, periods, totals: byPeriod.totals, series: series.map((s) => ({ label: s.label, units: seriesUnits(s.key) })) });
    return stackedBarChart({ lang, ...text, periods, series, units });
  }

  /**
   * The license register on a day: counts by status, licenses whose term ends within `withinDays`, shipments
   * recorded on a day their license was not ACTIVE (e.g. after a back-dated suspension), and the license decisions
   * waiting for a second person today (four eyes), by kind: what the register does not show yet.
   */
  async licensesReport(on: CalendarDate = this.clock.today(), withinDays = 180): Promise<LicensesReport> {
    const { entries, notActive, pendingProposals, obligations } = await this.snapshots.read(async (m) => ({
      entries: await this.register.all(m),
      notActive: await this.queries.whileNotActive(m),
      pendingProposals: await this.proposals.pendingCounts(m),
      obligations: await this.obligations.onDay(on, {}, m),
    }));
    const overdue = new Map<string, number>();
    for (const o of obligations) if (o.state.status === 'OVERDUE') overdue.set(o.license.id, (overdue.get(o.license.id) ?? 0) + 1);
    // Past 9999-12-31 addDays gives no calendar date (a five-digit year, which would compare as text before it).
    const end = addDays(on, withinDays);
    const until = isCalendarDate(end) ? end : LAST_CALENDAR_DATE;
    const counts = Object.fromEntries(LICENSE_STATUSES.map((st) => [st, 0])) as Record<LicenseStatus, number>;
    const rows: LicenseReportRow[] = entries.map(({ license: l, licensee, events }) => {
      const status = statusOn(events, on);
      counts[status]++;
      const expiresOn = termEndOn(events, on) ?? l.expiresOn;
      const live = status === 'ACTIVE' || status === 'SUSPENDED';
      return {
        licenseId: l.id,
        licenseNumber: l.licenseNumber,
        licensee,
        type: l.type,
        status,
        issuedOn: l.issuedOn,
        expiresOn,
        expiresWithinDays: live && expiresOn >= on && expiresOn <= until,
        daysLeft: live ? daysBetween(on, expiresOn) : null,
        shipmentsWhileNotActive: notActive.filter((x) => x.licenseId === l.id).length,
        overdueObligations: overdue.get(l.id) ?? 0,
        hasOverdueObligations: overdue.has(l.id),
      };
    });
    return {
      on,
      withinDays,
      countsByStatus: counts,
      expiring: rows.filter((r) => r.expiresWithinDays).sort((a, b) => a.expiresOn.localeCompare(b.expiresOn)),
      shipmentsWhileNotActive: notActive.map((x) => ({
        shipmentId: String(x.shipmentId),
        reference: String(x.reference),
        shippedOn: String(x.shippedOn),
        units: Number(x.units),
        licenseId: String(x.licenseId),
        licenseNumber: String(x.licenseNumber),
        licensee: String(x.licensee),
        statusOnShippedOn: String(x.statusOnShippedOn) as LicenseStatus,
      })),
      licenses: rows,
      licensesWithOverdueObligations: overdue.size,
      pendingProposals,
    };
  }

  /**
   * License conditions on a day, per license and condition (recurring reports: the periods begun by then), with
   * counts by status: OVERDUE first (most days overdue first), then by due date, license number and code.
   */
  async obligationsReport(on: CalendarDate = this.clock.today(), filter: { status?: ObligationStatus; companyId?: string } = {}): Promise<ObligationsReportDto> {
    const { entries, obligations } = await this.snapshots.read(async (m) => ({
      entries: await this.register.all(m),
      obligations: await this.obligations.onDay(on, { companyId: filter.companyId }, m),
    }));
    const licensee = new Map(entries.map((e) => [e.license.id, e.licensee]));
    const counts = emptyCounts();
    const rows: ObligationsReportRowDto[] = [];
    for (const { license, view, state } of obligations) {
      counts[state.status]++;
      if (filter.status && state.status !== filter.status) continue;
      rows.push({
        licenseId: license.id,
        licenseNumber: license.licenseNumber,
        companyId: license.companyId,
        licensee: licensee.get(license.id) ?? '',
        obligationId: view.obligation.id,
        code: view.template.code,
        title: view.template.titleEn,
        period: view.obligation.period,
        dueOn: state.dueOn,
        status: state.status,
        daysOverdue: state.daysOverdue,
        extendedUntil: state.extendedUntil,
      });
    }
    rows.sort(
      (a, b) =>
        Number(b.status === 'OVERDUE') - Number(a.status === 'OVERDUE') ||
        (b.daysOverdue ?? 0) - (a.daysOverdue ?? 0) ||
        a.dueOn.localeCompare(b.dueOn) ||
        a.licenseNumber.localeCompare(b.licenseNumber) ||
        a.code.localeCompare(b.code) ||
        a.period - b.period,
    );
    return { on, counts, rows };
  }

}

export interface LicenseReportRow {
  licenseId: string;
  licenseNumber: string;
  licensee: string;
  type: string;
  status: LicenseStatus;
  issuedOn: string;
  expiresOn: string;
  expiresWithinDays: boolean;
  daysLeft: number | null;
  shipmentsWhileNotActive: number;
  /** Conditions of the license OVERDUE on the day. */
  overdueObligations: number;
  hasOverdueObligations: boolean;
}

export interface LicensesReport {
  on: CalendarDate;
  withinDays: number;
  countsByStatus: Record<LicenseStatus, number>;
  expiring: LicenseReportRow[];
  shipmentsWhileNotActive: {
    shipmentId: string;
    reference: string;
    shippedOn: string;
    units: number;
    licenseId: string;
    licenseNumber: string;
    licensee: string;
    statusOnShippedOn: LicenseStatus;
  }[];
  licenses: LicenseReportRow[];
  /** How many licenses have a condition OVERDUE on the day. */
  licensesWithOverdueObligations: number;
  /** Proposals PENDING today (not lapsed), whatever `on` is. */
  pendingProposals: PendingProposals;
}

function daysBetween(a: CalendarDate, b: CalendarDate): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** Time-only reports list every period of the range: at most this many months of it. */
const MAX_FILLED_MONTHS = 1200;

/** A cell's FOB sum in cents: a string on PostgreSQL (SUM of bigint), read through BigInt so that no digit is lost. */
function fobCents(fob: string | number): bigint {
  return BigInt(typeof fob === 'number' ? Math.round(fob) : String(fob).split('.')[0]);
}

/** @throws ProblemException 400 naming `to` when the range ends before it starts. */
function checkRange(request: { from?: CalendarDate; to?: CalendarDate }): void {
  if (request.from && request.to && request.from > request.to) {
    throw Problem.validation([{ field: 'to', message: `must be on or after from (${request.from})` }]);
  }
}

/**
 * Cells grouped by `period` and more, summed by `period` alone: what `cells` would give grouped by the period
 * (FOB: null where no shipment carried a value, summed in BigInt cents so that no digit is lost).
 */
export function sumCells(cells: ExportCell[], period: Dimension): ExportCell[] {
  const sums = new Map<string | number | null, { shipments: number; units: number; fob: bigint; withFob: number }>();
  for (const c of cells) {
    const key = c[period];
    const sum = sums.get(key) ?? { shipments: 0, units: 0, fob: 0n, withFob: 0 };
    sum.shipments += Number(c.shipments);
    sum.units += Number(c.units ?? 0);
    if (c.fob !== null) sum.fob += fobCents(c.fob);
    sum.withFob += Number(c.withFob);
    sums.set(key, sum);
  }
  return [...sums].map(([key, sum]) => ({ [period]: key, shipments: sum.shipments, units: sum.units, fob: sum.withFob ? String(sum.fob) : null, withFob: sum.withFob }));
}



export interface FirstExport {
  shippedOn: string;
  destination: string;
  destinationName: string;
  units: number;
  companyId: string;
  licensee: string;
  licenseId: string;
  licenseNumber: string;
  shipmentId: string;
}

function toFirsts(rows: ShipmentRow[]): FirstExport[] {
  return rows.map((r) => ({
    shippedOn: String(r.shippedOn),
    destination: String(r.destination),
    destinationName: countryName(String(r.destination)) ?? String(r.destination),
    units: Number(r.units),
    companyId: String(r.companyId),
    licensee: String(r.licensee),
    licenseId: String(r.licenseId),
    licenseNumber: String(r.licenseNumber),
    shipmentId: String(r.shipmentId),
  }));
}
