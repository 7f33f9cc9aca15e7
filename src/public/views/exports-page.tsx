import { query } from '../../common/html.js';
import { countryName } from '../../common/country.js';
import type { Messages } from '../../common/i18n/messages.js';
import type { ExportsReportDto, ExportsRowDto } from '../../reports/dto/reports.dto.js';
import type { DeviceCategory } from '../../shipments/hs-codes.js';
import { Layout } from './layout.js';
import { langParam, type PageContext, wordsOf } from './page-context.js';

export type Period = keyof Messages['periods'];
export type Stack = keyof Messages['stacks'];

export interface ExportsProps {
  ctx: PageContext;
  choice: { period: Period; stack: Stack };
  report: ExportsReportDto;
  stacks: readonly Stack[];
}

const cell = (row: ExportsRowDto, key: string): string => String((row as unknown as Record<string, unknown>)[key] ?? '');

/** A row's stack label: the country (in the page's language) with its code, or the device category; "Other" for merged cells. */
function stackLabel(ctx: PageContext, t: Messages, stack: Stack, row: ExportsRowDto): string {
  const key = cell(row, stack);
  if (key === 'OTHER') return t.other;
  if (stack === 'destination') return `${countryName(key, ctx.lang) ?? row.destinationName ?? key} (${key})`;
  return t.deviceCategories[key as DeviceCategory] ?? key.replace(/_/g, ' ');
}

/** Public export statistics by fiscal year: the chart, and the same figures as a table. */
export function ExportsPage({ ctx, choice, report, stacks }: ExportsProps) {
  const { t, f } = wordsOf(ctx);
  const lang = langParam(ctx.lang);
  const chart = `/public/v1/exports/chart.svg${query({ stack: choice.stack, lang })}`;
  const figure = (n: number | null) => (n === null ? t.withheld : f.number(n));
  return (
    <Layout ctx={ctx} title={t.exportsTitle}>
      <h1>{t.exportsTitle}</h1>
      <p>{t.exportsIntro}</p>
      <form class="search" method="get" action="/exports">
        {lang && <input type="hidden" name="lang" value={lang} />}
        <div class="field">
          <label for="stack">{t.stackLabel}</label>
          <select id="stack" name="stack">
            {stacks.map((s) => (
              <option value={s} selected={s === choice.stack}>
                {t.stacks[s]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">{t.show}</button>
      </form>
      <figure class="chart">
        <img src={chart} alt={t.chartAlt} width="960" height="480" />
      </figure>
      <table class="data">
        <caption>{t.tableCaption}</caption>
        <thead>
          <tr>
            <th scope="col">{t.periods[choice.period]}</th>
            <th scope="col">{t.stacks[choice.stack]}</th>
            <th scope="col" class="num">
              {t.shipments}
            </th>
            <th scope="col" class="num">
              {t.units}
            </th>
          </tr>
        </thead>
        <tbody>
          {report.rows.map((r) => (
            <tr>
              <th scope="row">{cell(r, choice.period)}</th>
              <td>{stackLabel(ctx, t, choice.stack, r)}</td>
              <td class="num">{figure(r.shipments)}</td>
              <td class="num">{figure(r.units)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colspan={2}>
              {t.total}
            </th>
            <td class="num">{figure(report.totals.shipments)}</td>
            <td class="num">{figure(report.totals.units)}</td>
          </tr>
        </tfoot>
      </table>
    </Layout>
  );
}
