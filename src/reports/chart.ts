import { scaleBand, scaleLinear, scaleOrdinal } from 'd3-scale';
import { schemeTableau10 } from 'd3-scale-chromatic';
import { html } from '../common/html.js';

export interface StackedBarData {
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
 * an e-mail and a report. Every segment has a <title> with its figure.
 */
export function stackedBarChart(data: StackedBarData): string {
  const plotW = WIDTH - M.left - M.right;
  const plotH = HEIGHT - M.top - M.bottom;
  const x = scaleBand<string>().domain(data.periods).range([0, plotW]).paddingInner(0.15).paddingOuter(0.05);
  const totals = data.periods.map((p) => [...(data.units.get(p)?.values() ?? [])].reduce((a, b) => a + b, 0));
  const y = scaleLinear().domain([0, Math.max(1, ...totals)]).nice().range([plotH, 0]);
  const colour = scaleOrdinal<string, string>().domain(data.series.map((s) => s.key)).range(schemeTableau10);
  const fmt = (n: number) => n.toLocaleString('en-US');
  // At most ~24 period labels; in between, ticks without text.
  const every = Math.max(1, Math.ceil(data.periods.length / 24));

  const bars = data.periods.map((period) => {
    let base = 0;
    return data.series.map((s) => {
      const value = data.units.get(period)?.get(s.key) ?? 0;
      if (!value) return '';
      const y0 = y(base);
      base += value;
      const y1 = y(base);
      return html`<rect x="${(x(period) ?? 0).toFixed(1)}" y="${y1.toFixed(1)}" width="${x.bandwidth().toFixed(1)}" height="${Math.max(0, y0 - y1).toFixed(1)}" fill="${colour(s.key)}"><title>${period}, ${s.label}: ${fmt(value)} units</title></rect>`;
    });
  });
  const yTicks = y.ticks(6).map(
    (t) => html`<g transform="translate(0,${y(t).toFixed(1)})"><line x2="${plotW}" stroke="#d0d7de"/><text x="-8" dy="0.32em" text-anchor="end">${fmt(t)}</text></g>`,
  );
  const xTicks = data.periods.map((p, i) =>
    i % every
      ? ''
      : html`<g transform="translate(${((x(p) ?? 0) + x.bandwidth() / 2).toFixed(1)},${plotH})"><line y2="5" stroke="#57606a"/><text y="9" dy="0.71em" text-anchor="end" transform="rotate(-40)">${p}</text></g>`,
  );
  const legend = data.series.map(
    (s, i) => html`<g transform="translate(0,${i * 22})"><rect width="14" height="14" fill="${colour(s.key)}"/><text x="20" y="7" dy="0.32em">${s.label}</text></g>`,
  );
  return html`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="chart-title chart-desc" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="13" fill="#1b1f24">
<title id="chart-title">${data.title}</title>
<desc id="chart-desc">${data.description}</desc>
<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>
<text x="${M.left}" y="30" font-size="18" font-weight="700">${data.title}</text>
<g transform="translate(${M.left},${M.top})">
  <g class="y-axis">${yTicks}</g>
  <g class="bars">${bars}</g>
  <line y1="${plotH}" y2="${plotH}" x2="${plotW}" stroke="#57606a"/>
  <g class="x-axis">${xTicks}</g>
  <text transform="translate(-64,${(plotH / 2).toFixed(1)}) rotate(-90)" text-anchor="middle" font-weight="600">${data.yLabel}</text>
  <text x="${(plotW / 2).toFixed(1)}" y="${plotH + 74}" text-anchor="middle" font-weight="600">${data.xLabel}</text>
</g>
<g class="legend" transform="translate(${WIDTH - M.right + 20},${M.top})">${legend}</g>
</svg>`.value;
}
