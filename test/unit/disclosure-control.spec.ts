import { describe, expect, it } from 'vitest';
import { discloseForPublic, MIN_PUBLIC_SHIPMENTS } from '../../src/reports/disclosure-control.js';
import type { Dimension, ExportsReportDto, ExportsRowDto } from '../../src/reports/dto/reports.dto.js';

/** A staff report of these rows (totals as the staff report gives them). */
function report(groupBy: Dimension[], rows: Partial<ExportsRowDto>[]): ExportsReportDto {
  const full = rows.map((r) => ({ shipments: 0, units: 0, fobValue: null, shipmentsWithFob: 0, shareOfUnits: 0, ...r }) as ExportsRowDto);
  return {
    groupBy,
    filters: { from: '2021-07-01', to: '2022-06-30' },
    rows: full,
    totals: { shipments: full.reduce((n, r) => n + (r.shipments ?? 0), 0), units: full.reduce((n, r) => n + (r.units ?? 0), 0), fobValue: null, shipmentsWithFob: 0 },
  };
}

describe('disclosure control of the public export figures', () => {
  it('uses three shipments as the threshold', () => expect(MIN_PUBLIC_SHIPMENTS).toBe(3));

  it('a period of fewer than 3 shipments is published without figures; totals cover the published figures only', () => {
    const out = discloseForPublic(
      report(['fiscalYear'], [
        { fiscalYear: 'FY2021-22', shipments: 2, units: 7000, fobValue: '100.00', shipmentsWithFob: 2 },
        { fiscalYear: 'FY2022-23', shipments: 5, units: 1000, fobValue: '50.00', shipmentsWithFob: 4 },
      ]),
    );
    expect(out.rows[0]).toMatchObject({ fiscalYear: 'FY2021-22', suppressed: true, shipments: null, units: null, fobValue: null });
    expect(out.rows[1]).toMatchObject({ fiscalYear: 'FY2022-23', shipments: 5, units: 1000, fobValue: '50.00', shareOfUnits: 1 });
    expect(out.totals).toMatchObject({ shipments: 5, units: 1000 });
    expect(out.filters).toEqual({}); // the span would give single shipments' dates
  });

  it('small cells are merged per period into OTHER, with the next smallest until OTHER has 3 (secondary suppression)', () => {
    const out = discloseForPublic(
      report(['fiscalYear', 'destination'], [
        { fiscalYear: 'FY2021-22', destination: 'AE', destinationName: 'United Arab Emirates', shipments: 10, units: 5000 },
        { fiscalYear: 'FY2021-22', destination: 'SA', destinationName: 'Saudi Arabia', shipments: 4, units: 300 },
        { fiscalYear: 'FY2021-22', destination: 'QA', destinationName: 'Qatar', shipments: 1, units: 200 },
        { fiscalYear: 'FY2021-22', destination: 'OM', destinationName: 'Oman', shipments: 1, units: 100 },
      ]),
    );
    // QA + OM = 2 shipments: still too small, so the smallest visible cell (SA) joins them; AE alone stays.
    expect(out.rows.map((r) => [r.destination, r.shipments, r.units])).toEqual([
      ['AE', 10, 5000],
      ['OTHER', 6, 600],
    ]);
    expect(out.rows[1].destinationName).toBe('Other destinations');
    expect(out.totals).toMatchObject({ shipments: 16, units: 5600 });
  });

  it('a FOB figure made of fewer than 3 shipments with a known value is withheld, the other figures shown', () => {
    const out = discloseForPublic(
      report(['fiscalYear', 'destination'], [
        { fiscalYear: 'FY2021-22', destination: 'AE', shipments: 5, units: 500, fobValue: '1000.00', shipmentsWithFob: 2 },
        { fiscalYear: 'FY2021-22', destination: 'SA', shipments: 5, units: 400, fobValue: '900.00', shipmentsWithFob: 3 },
      ]),
    );
    const byDestination = Object.fromEntries(out.rows.map((r) => [r.destination, r]));
    expect(byDestination.AE).toMatchObject({ shipments: 5, units: 500, fobValue: null });
    expect(byDestination.SA).toMatchObject({ shipments: 5, units: 400, fobValue: '900.00' });
    expect(out.totals).toMatchObject({ fobValue: '900.00', shipmentsWithFob: 3 });
  });
});
