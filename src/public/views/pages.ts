import type { LicenseStatus } from '../../licenses/lifecycle.js';
import type { ExportsReportDto, ExportsRowDto } from '../../reports/dto/reports.dto.js';
import type { ManufacturerDto, PublicLicenseDto, VerificationDto } from '../dto/public.dto.js';
import { html, query, type SafeHtml } from '../../common/html.js';
import { type Lang, MESSAGES, type Messages } from './i18n.js';

export interface PageContext {
  lang: Lang;
  /** The path and query of this page, for the language switch. */
  path: string;
  params: Record<string, string | undefined>;
}

function layout(ctx: PageContext, title: string, body: SafeHtml): string {
  const t = MESSAGES[ctx.lang];
  const other: Lang = ctx.lang === 'en' ? 'ur' : 'en';
  const here = (lang: Lang) => `${ctx.path}${query({ ...ctx.params, lang: lang === 'en' ? undefined : lang })}`;
  const link = (path: string) => `${path}${query({ lang: ctx.lang === 'en' ? undefined : ctx.lang })}`;
  return `<!doctype html>\n${html`<html lang="${ctx.lang}" dir="${t.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${t.site}</title>
<link rel="stylesheet" href="/assets/site.css">
</head>
<body>
<a class="skip" href="#main">${t.skip}</a>
<header class="site">
  <div class="wrap">
    <p class="brand"><a href="${link('/')}">${t.site}</a> <span>${t.tagline}</span></p>
    <nav aria-label="${t.site}">
      <ul>
        <li><a href="${link('/')}">${t.navHome}</a></li>
        <li><a href="${link('/verify')}">${t.navVerify}</a></li>
        <li><a href="${link('/exports')}">${t.navExports}</a></li>
        <li><a href="${here(other)}" hreflang="${other}" lang="${other}">${t.otherLang}</a></li>
      </ul>
    </nav>
  </div>
</header>
<main id="main" class="wrap">
${body}
</main>
<footer class="site">
  <div class="wrap">
    <h2>${t.openData}</h2>
    <ul>
      <li><a href="/public/v1/register.csv" download>${t.downloadCsv}</a></li>
      <li><a href="/public/v1/register.json">${t.downloadJson}</a></li>
      <li><a href="/public/v1/exports?groupBy=fiscalYear,destination&amp;format=csv" download>${t.downloadExports}</a></li>
      <li><a href="/docs">${t.apiDocs}</a></li>
    </ul>
    <p>${t.footer}</p>
  </div>
</footer>
</body>
</html>`.value}\n`;
}

function badge(t: Messages, status: LicenseStatus | 'VALID' | 'NOT_FOUND'): SafeHtml {
  const text = status === 'VALID' ? t.verdictValid : status === 'NOT_FOUND' ? t.verdictNotFound : t.statuses[status];
  return html`<span class="badge badge-${status.toLowerCase().replace(/_/g, '-')}">${text}</span>`;
}

/** The term line: "Valid until" while the license can be valid, "Term ended" once expired, nothing once revoked or surrendered. */
function termFact(t: Messages, status: LicenseStatus, expiresOn: string): SafeHtml | '' {
  if (status === 'REVOKED' || status === 'SURRENDERED') return '';
  const label = status === 'EXPIRED' ? t.termEnded : t.expiresOn;
  return html`<div><dt>${label}</dt><dd><time datetime="${expiresOn}">${expiresOn}</time></dd></div>`;
}

function licenseFacts(t: Messages, l: PublicLicenseDto): SafeHtml {
  return html`<dl class="facts">
    <div><dt>${t.licenseNumber}</dt><dd><bdi>${l.licenseNumber}</bdi></dd></div>
    <div><dt>${t.status}</dt><dd>${badge(t, l.status)}</dd></div>
    <div><dt>${t.issuedOn}</dt><dd><time datetime="${l.issuedOn}">${l.issuedOn}</time></dd></div>
    ${termFact(t, l.status, l.expiresOn)}
    ${l.brands.length ? html`<div><dt>${t.brands}</dt><dd>${l.brands.join(', ')}</dd></div>` : ''}
  </dl>`;
}

export function homePage(ctx: PageContext, result: { items: ManufacturerDto[]; total: number; limit: number; offset: number }, statuses: readonly LicenseStatus[]): string {
  const t = MESSAGES[ctx.lang];
  const { q, status } = ctx.params;
  const lang = ctx.lang === 'en' ? undefined : ctx.lang;
  const page = (offset: number) => `/${query({ q, status, lang, offset: offset || undefined })}`;
  const body = html`<h1>${t.homeTitle}</h1>
<p>${t.homeIntro}</p>
<form class="search" method="get" action="/" role="search">
  ${lang ? html`<input type="hidden" name="lang" value="${lang}">` : ''}
  <div class="field">
    <label for="q">${t.searchLabel}</label>
    <input id="q" name="q" type="search" value="${q ?? ''}" maxlength="200" autocomplete="off">
  </div>
  <div class="field">
    <label for="status">${t.statusLabel}</label>
    <select id="status" name="status">
      <option value="">${t.anyStatus}</option>
      ${statuses.map((s) => html`<option value="${s}"${s === status ? html` selected` : ''}>${t.statuses[s]}</option>`)}
    </select>
  </div>
  <button type="submit">${t.search}</button>
</form>
<p class="count" role="status">${t.results(result.total)}</p>
${result.items.length === 0 ? html`<p>${t.none}</p>` : ''}
<ul class="cards">
${result.items.map(
  (m) => html`<li class="card">
  <h2><a href="/manufacturers/${m.id}${query({ lang })}"><bdi>${m.legalName}</bdi></a></h2>
  ${m.tradeName || m.city ? html`<p class="meta">${[m.tradeName, m.city].filter(Boolean).map((v, i) => html`${i ? ' · ' : ''}<bdi>${v}</bdi>`)}</p>` : ''}
  ${m.licenses.map((l) => licenseFacts(t, l))}
</li>`,
)}
</ul>
<nav class="pager" aria-label="${t.results(result.total)}">
  ${result.offset > 0 ? html`<a href="${page(Math.max(0, result.offset - result.limit))}" rel="prev">${t.previous}</a>` : ''}
  ${result.offset + result.limit < result.total ? html`<a href="${page(result.offset + result.limit)}" rel="next">${t.next}</a>` : ''}
</nav>`;
  return layout(ctx, t.homeTitle, body);
}

export function manufacturerPage(ctx: PageContext, m: ManufacturerDto): string {
  const t = MESSAGES[ctx.lang];
  const body = html`<h1><bdi>${m.legalName}</bdi></h1>
<dl class="facts">
  ${m.tradeName ? html`<div><dt>${t.tradeName}</dt><dd><bdi>${m.tradeName}</bdi></dd></div>` : ''}
  ${m.city ? html`<div><dt>${t.city}</dt><dd><bdi>${[m.city, m.province].filter(Boolean).join(', ')}</bdi></dd></div>` : ''}
  ${m.website ? html`<div><dt>${t.website}</dt><dd><a href="${m.website}" rel="nofollow noopener">${m.website}</a></dd></div>` : ''}
</dl>
<h2>${t.licenses}</h2>
${m.licenses.map(
  (l, i) => html`<section class="card" aria-labelledby="license-${i + 1}">
  <h3 id="license-${i + 1}">${t.license} <bdi>${l.licenseNumber}</bdi> (${l.type})</h3>
  ${licenseFacts(t, l)}
  <h4>${t.history}</h4>
  <ol class="timeline">
    ${(l.history ?? []).map(
      (e) => html`<li><time datetime="${e.effectiveOn}">${e.effectiveOn}</time> <span class="event">${t.events[e.type] ?? e.type}</span>${
        e.type === 'GRANTED' || e.type === 'RENEWED' ? html` <span class="term">(${t.termEnds} <time datetime="${e.expiresOn}">${e.expiresOn}</time>)</span>` : ''
      }</li>`,
    )}
  </ol>
</section>`,
)}`;
  return layout(ctx, m.legalName, body);
}

export type Verdict = { kind: 'result'; result: VerificationDto } | { kind: 'not-found'; licenseNumber: string } | { kind: 'invalid'; field: string; message: string } | { kind: 'none' };

export function verifyPage(ctx: PageContext, verdict: Verdict): string {
  const t = MESSAGES[ctx.lang];
  const { licenseNumber, on } = ctx.params;
  const lang = ctx.lang === 'en' ? undefined : ctx.lang;
  const invalid = verdict.kind === 'invalid' ? verdict : undefined;
  let outcome: SafeHtml | '' = '';
  if (verdict.kind === 'result') {
    const r = verdict.result;
    outcome = html`<section class="verdict verdict-${r.valid ? 'valid' : 'invalid'}" aria-live="polite" aria-labelledby="verdict-title">
  <h2 id="verdict-title">${badge(t, r.valid ? 'VALID' : r.status)} <bdi>${r.licenseNumber}</bdi></h2>
  <dl class="facts">
    <div><dt>${t.onDate}</dt><dd><time datetime="${r.on}">${r.on}</time></dd></div>
    <div><dt>${t.status}</dt><dd>${t.statuses[r.status]}</dd></div>
    <div><dt>${t.holder}</dt><dd><a href="/manufacturers/${r.holder.id}${query({ lang })}"><bdi>${r.holder.legalName}</bdi></a></dd></div>
    <div><dt>${t.issuedOn}</dt><dd><time datetime="${r.issuedOn}">${r.issuedOn}</time></dd></div>
    ${termFact(t, r.status, r.expiresOn)}
    ${r.lastStatusChange ? html`<div><dt>${t.lastChange}</dt><dd>${t.events[r.lastStatusChange.type] ?? r.lastStatusChange.type}, <time datetime="${r.lastStatusChange.effectiveOn}">${r.lastStatusChange.effectiveOn}</time></dd></div>` : ''}
  </dl>
</section>`;
  } else if (verdict.kind === 'not-found') {
    outcome = html`<section class="verdict verdict-invalid" aria-live="polite" aria-labelledby="verdict-title">
  <h2 id="verdict-title">${badge(t, 'NOT_FOUND')} <bdi>${verdict.licenseNumber}</bdi></h2>
  <p>${t.notFoundText(verdict.licenseNumber)}</p>
</section>`;
  }
  const errorFor = (field: string) => (invalid?.field === field ? html`<p class="error" id="${field}-error">${invalid.message}</p>` : '');
  const describedBy = (field: string) => (invalid?.field === field ? html` aria-invalid="true" aria-describedby="${field}-error"` : '');
  const body = html`<h1>${t.verifyTitle}</h1>
<p>${t.verifyIntro}</p>
<form class="search" method="get" action="/verify">
  ${lang ? html`<input type="hidden" name="lang" value="${lang}">` : ''}
  <div class="field">
    <label for="licenseNumber">${t.licenseNumber}</label>
    <input id="licenseNumber" name="licenseNumber" type="text" value="${licenseNumber ?? ''}" maxlength="100" required autocomplete="off"${describedBy('licenseNumber')}>
    ${errorFor('licenseNumber')}
  </div>
  <div class="field">
    <label for="on">${t.dateLabel}</label>
    <input id="on" name="on" type="date" value="${on ?? ''}"${describedBy('on')}>
    ${errorFor('on')}
  </div>
  <button type="submit">${t.verify}</button>
</form>
${outcome}`;
  return layout(ctx, t.verifyTitle, body);
}

export function notFoundPage(ctx: PageContext): string {
  const t = MESSAGES[ctx.lang];
  return layout(ctx, t.notFoundPage, html`<h1>${t.notFoundPage}</h1><p>${t.notFoundPageText}</p>`);
}

export function exportsPage(
  ctx: PageContext,
  choice: { period: string; stack: string },
  report: ExportsReportDto,
  options: { stacks: readonly string[] },
): string {
  const t = MESSAGES[ctx.lang];
  const lang = ctx.lang === 'en' ? undefined : ctx.lang;
  const chart = `/public/v1/exports/chart.svg${query({ stack: choice.stack })}`;
  const fmt = (n: number | null) => (n === null ? t.withheld : n.toLocaleString('en-US'));
  const label = (row: ExportsRowDto) => {
    const key = String((row as unknown as Record<string, unknown>)[choice.stack] ?? '');
    if (key === 'OTHER') return t.statuses && (ctx.lang === 'ur' ? 'دیگر' : 'Other');
    return choice.stack === 'destination' ? `${row.destinationName} (${key})` : key.replace(/_/g, ' ');
  };
  const body = html`<h1>${t.exportsTitle}</h1>
<p>${t.exportsIntro}</p>
<form class="search" method="get" action="/exports">
  ${lang ? html`<input type="hidden" name="lang" value="${lang}">` : ''}
  <div class="field">
    <label for="stack">${t.stackLabel}</label>
    <select id="stack" name="stack">
      ${options.stacks.map((s) => html`<option value="${s}"${s === choice.stack ? html` selected` : ''}>${t.stacks[s] ?? s}</option>`)}
    </select>
  </div>
  <button type="submit">${t.show}</button>
</form>
<figure class="chart">
  <img src="${chart}" alt="${t.chartAlt}" width="960" height="480">
</figure>
<table class="data">
  <caption>${t.tableCaption}</caption>
  <thead><tr><th scope="col">${t.periods[choice.period] ?? choice.period}</th><th scope="col">${t.stacks[choice.stack] ?? choice.stack}</th><th scope="col" class="num">${t.shipments}</th><th scope="col" class="num">${t.units}</th></tr></thead>
  <tbody>
  ${report.rows.map(
    (r) => html`<tr><th scope="row">${String((r as unknown as Record<string, unknown>)[choice.period])}</th><td>${label(r)}</td><td class="num">${fmt(r.shipments)}</td><td class="num">${fmt(r.units)}</td></tr>`,
  )}
  </tbody>
  <tfoot><tr><th scope="row" colspan="2">${t.total}</th><td class="num">${fmt(report.totals.shipments)}</td><td class="num">${fmt(report.totals.units)}</td></tr></tfoot>
</table>`;
  return layout(ctx, t.exportsTitle, body);
}
