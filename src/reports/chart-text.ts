import { countryName } from '../common/country.js';
import { format } from '../common/i18n/format.js';
import type { Lang } from '../common/i18n/lang.js';
import { MESSAGES } from '../common/i18n/messages.js';
import type { DeviceCategory } from '../shipments/hs-codes.js';
import type { StackedBarData } from './chart.js';
import type { TIME_DIMENSIONS } from './dto/reports.dto.js';

export type ChartPeriod = (typeof TIME_DIMENSIONS)[number];
export type ChartStack = 'destination' | 'deviceCategory';

/** A legend label: the country (in the chart's language) with its code, or the device category; OTHER is "Other". */
export function seriesLabel(lang: Lang, stack: ChartStack, key: string): string {
  const t = MESSAGES[lang];
  if (key === 'OTHER') return t.other;
  if (stack === 'destination') return `${countryName(key, lang) ?? key} (${key})`;
  return t.deviceCategories[key as DeviceCategory] ?? key;
}

/** The chart's title, description (with the totals, for screen readers) and axis labels, from the catalog. */
export function chartText(
  lang: Lang,
  c: { period: ChartPeriod; stack: ChartStack; periods: string[]; totals: { units: number; shipments: number }; series: { label: string; units: number }[] },
): Pick<StackedBarData, 'title' | 'description' | 'xLabel' | 'yLabel'> {
  const t = MESSAGES[lang].chart;
  const f = format(lang);
  const period = t.periods[c.period];
  const by = t.stacks[c.stack];
  return {
    title: t.title(period, by),
    description: t.description({
      period,
      range: c.periods.length ? t.range(c.periods[0], c.periods[c.periods.length - 1]) : t.noExports,
      by,
      units: f.number(c.totals.units),
      shipments: f.number(c.totals.shipments),
      series: c.series.map((s) => t.seriesTotal(s.label, f.number(s.units))),
    }),
    xLabel: t.xLabel(period),
    yLabel: t.yLabel,
  };
}
