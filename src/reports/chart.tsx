import { scaleBand, scaleLinear, scaleOrdinal } from 'd3-scale';
import { schemeTableau10 } from 'd3-scale-chromatic';
import { markup } from '../common/html.js';
import { format } from '../common/i18n/format.js';
import type { Lang } from '../common/i18n/lang.js';
import { MESSAGES } from '../common/i18n/messages.js';

export interface StackedBarData {
  /** The language of the texts below and of the figures (numbers, segment titles). */
  lang: Lang;
  title: string;
  /** Read by screen readers: what the chart shows, with the totals. */
  description: string;
  xLabel: string;
  yLabel: string;
  /** The periods, in order (every bar, zeros included). */
  periods: string[];
  /** Stack segments, bottom to top, with their legend labels. */
  series: { key: string; label: string }[];
  /** units[period][seriesKey] */
  units: Map<string, Map<string, number>>;
}

const WIDTH = 960;
const HEIGHT = 480;
const M = { top: 56, right: 190, bottom: 86, left: 86 };

/**
 * A stacked bar chart as standalone SVG (scales and ticks from d3-scale; colours from d3-scale-chromatic's
 * Tableau 10), with a title, a description, axis labels and a legend, so that it reads the same in a web page,
 * an e-mail and a report. Every segment has a <title> with its figure. In a right-to-left language the texts
 * run right to left where they stand (the anchors swap with the direction); the axes keep their places.
 */
export function stackedBarChart(data: StackedBarData): string {
  const t = MESSAGES[data.lang];
  const f = format(data.lang);
  const rtl = t.dir === 'rtl';
  // Text that starts at its x: with direction rtl, "end" is the left edge.
  const lineStart = rtl ? { direction: 'rtl', 'text-anchor': 'end' } : {};
  const centred = rtl ? { direction: 'rtl' } : {};
  const plotW = WIDTH - M.left - M.right;
  const plotH = HEIGHT - M.top - M.bottom;
  const x = scaleBand<string>().domain(data.periods).range([0, plotW]).paddingInner(0.15).paddingOuter(0.05);
  const totals = data.periods.map((p) => [...(data.units.get(p)?.values() ?? [])].reduce((a, b) => a + b, 0));
  const y = scaleLinear().domain([0, Math.max(1, ...totals)]).nice().range([plotH, 0]);
  const colour = scaleOrdinal<string, string>().domain(data.series.map((s) => s.key)).range(schemeTableau10);
  // At most ~24 period labels; in between, ticks without text.
  const every = Math.max(1, Math.ceil(data.periods.length / 24));

  const bars = data.periods.map((period) => {
    let base = 0;
    return data.series.map((s) => {
      const value = data.units.get(period)?.get(s.key) ?? 0;
      if (!value) return null;
      const y0 = y(base);
      base += value;
      const y1 = y(base);
      return (
        <rect x={(x(period) ?? 0).toFixed(1)} y={y1.toFixed(1)} width={x.bandwidth().toFixed(1)} height={Math.max(0, y0 - y1).toFixed(1)} fill={colour(s.key)}>
          <title>{t.chart.segment(period, s.label, f.number(value))}</title>
        </rect>
      );
    });
  });
  const yTicks = y.ticks(6).map((tick) => (
    <g transform={`translate(0,${y(tick).toFixed(1)})`}>
      <line x2={plotW} stroke="#d0d7de" />
      <text x="-8" dy="0.32em" text-anchor="end">
        {f.number(tick)}
      </text>
    </g>
  ));
  const xTicks = data.periods.map((p, i) =>
    i % every ? null : (
      <g transform={`translate(${((x(p) ?? 0) + x.bandwidth() / 2).toFixed(1)},${plotH})`}>
        <line y2="5" stroke="#57606a" />
        <text y="9" dy="0.71em" text-anchor="end" transform="rotate(-40)">
          {p}
        </text>
      </g>
    ),
  );
  const legend = data.series.map((s, i) => (
    <g transform={`translate(0,${i * 22})`}>
      <rect width="14" height="14" fill={colour(s.key)} />
      <text x="20" y="7" dy="0.32em" {...lineStart}>
        {s.label}
      </text>
    </g>
  ));
  return markup(
    <svg
      xmlns="http://www.w3.org/2000/svg"
      lang={data.lang}
      width={WIDTH}
      height={HEIGHT}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-labelledby="chart-title chart-desc"
      font-family="system-ui, -apple-system, 'Segoe UI', sans-serif"
      font-size="13"
      fill="#1b1f24"
    >
      <title id="chart-title">{data.title}</title>
      <desc id="chart-desc">{data.description}</desc>
      <rect width={WIDTH} height={HEIGHT} fill="#ffffff" />
      <text x={M.left} y="30" font-size="18" font-weight="700" {...lineStart}>
        {data.title}
      </text>
      <g transform={`translate(${M.left},${M.top})`}>
        <g class="y-axis">{yTicks}</g>
        <g class="bars">{bars}</g>
        <line y1={plotH} y2={plotH} x2={plotW} stroke="#57606a" />
        <g class="x-axis">{xTicks}</g>
        <text transform={`translate(-64,${(plotH / 2).toFixed(1)}) rotate(-90)`} text-anchor="middle" font-weight="600" {...centred}>
          {data.yLabel}
        </text>
        <text x={(plotW / 2).toFixed(1)} y={plotH + 74} text-anchor="middle" font-weight="600" {...centred}>
          {data.xLabel}
        </text>
      </g>
      <g class="legend" transform={`translate(${WIDTH - M.right + 20},${M.top})`}>
        {legend}
      </g>
    </svg>,
  );
}
