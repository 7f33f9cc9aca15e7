import { sumMoney } from '../common/money.js';
import type { Dimension, ExportsReportDto, ExportsRowDto } from './dto/reports.dto.js';
import { compareRows, get, isTime, set } from './report-rows.js';

// Statistical disclosure control of the public export figures: what the public sees never reveals one
// exporter's commercial figures (the practice of official trade statistics: no cell of fewer than three
// contributors, and secondary suppression so that a hidden cell cannot be recovered from a total).

/** Public aggregates show no cell with fewer shipments than this (no single company's figures). */
export const MIN_PUBLIC_SHIPMENTS = 3;

/** A row published without figures. */
function suppress(row: ExportsRowDto): ExportsRowDto {
  return { ...row, shipments: null, units: null, fobValue: null, shipmentsWithFob: null, shareOfUnits: null, suppressed: true };
}

/**
 * The same report for the public: cells of fewer than MIN_PUBLIC_SHIPMENTS shipments are merged, per period,
 * into "OTHER" (and, while "OTHER" is still too small, the next smallest cells with it), so that no single
 * company's commercial figures show; a period too small as a whole is published without figures
 * (`suppressed`). Totals and shares cover the published figures only.
 */
export function discloseForPublic(report: ExportsReportDto): ExportsReportDto {
  const time = report.groupBy.filter(isTime) as Dimension[];
  const other = report.groupBy.filter((d) => !isTime(d)) as Dimension[];
  const publish: ExportsRowDto[] = [];
  const byPeriod = new Map<string, ExportsRowDto[]>();
  for (const row of report.rows) {
    const key = time.map((d) => get(row, d)).join('|');
    byPeriod.set(key, [...(byPeriod.get(key) ?? []), row]);
  }
  for (const rows of byPeriod.values()) {
    if (!other.length) {
      for (const r of rows) publish.push(r.shipments !== null && r.shipments > 0 && r.shipments < MIN_PUBLIC_SHIPMENTS ? suppress(r) : r);
      continue;
    }
    // A real OTHER (device category) joins the merged cell, so that a period has one OTHER row.
    const isOther = (r: ExportsRowDto) => other.every((d) => get(r, d) === 'OTHER');
    const visible = rows.filter((r) => (r.shipments ?? 0) >= MIN_PUBLIC_SHIPMENTS && !isOther(r)).sort((a, b) => (a.units ?? 0) - (b.units ?? 0));
    const merged = rows.filter((r) => (r.shipments ?? 0) < MIN_PUBLIC_SHIPMENTS || isOther(r));
    const count = () => merged.reduce((n, r) => n + (r.shipments ?? 0), 0);
    while (merged.length && count() < MIN_PUBLIC_SHIPMENTS && visible.length) merged.push(visible.shift()!);
    publish.push(...visible);
    if (!merged.length || count() === 0) continue;
    const cell: ExportsRowDto = {
      shipments: count(),
      units: merged.reduce((n, r) => n + (r.units ?? 0), 0),
      fobValue: sumMoney(merged.map((r) => r.fobValue)),
      shipmentsWithFob: merged.reduce((n, r) => n + (r.shipmentsWithFob ?? 0), 0),
      shareOfUnits: 0,
    };
    for (const d of time) set(cell, d, get(rows[0], d));
    for (const d of other) set(cell, d, 'OTHER');
    if (other.includes('destination')) cell.destinationName = 'Other destinations';
    publish.push(cell.shipments! < MIN_PUBLIC_SHIPMENTS ? suppress(cell) : cell);
  }
  // A FOB figure made of fewer than 3 shipments' values would be one company's price.
  for (const r of publish) if ((r.shipmentsWithFob ?? 0) < MIN_PUBLIC_SHIPMENTS) r.fobValue = null;
  const units = publish.reduce((n, r) => n + (r.units ?? 0), 0);
  for (const r of publish) r.shareOfUnits = r.units === null ? null : units ? Math.round((r.units / units) * 10_000) / 10_000 : 0;
  publish.sort(compareRows(report.groupBy as Dimension[]));
  const withFob = publish.reduce((n, r) => n + (r.fobValue === null ? 0 : (r.shipmentsWithFob ?? 0)), 0);
  return {
    ...report,
    // The span of the data is not shown: the first and last export days would be single shipments' dates.
    filters: {},
    rows: publish,
    totals: {
      shipments: publish.reduce((n, r) => n + (r.shipments ?? 0), 0),
      units,
      fobValue: sumMoney(publish.map((r) => r.fobValue)),
      shipmentsWithFob: withFob,
    },
  };
}
