import { describe, expect, it } from 'vitest';
import { errorPage } from '../../src/common/error-page.js';
import { markup, renderPage } from '../../src/common/html.js';
import { format } from '../../src/common/i18n/format.js';
import { type Lang, LANGS, requestLang } from '../../src/common/i18n/lang.js';
import { MESSAGES } from '../../src/common/i18n/messages.js';
import type { ManufacturerDto, PublicLicenseDto } from '../../src/public/dto/public.dto.js';
import { ExportsPage } from '../../src/public/views/exports-page.js';
import { HomePage } from '../../src/public/views/home-page.js';
import { type LogCheckpoint, LogPage } from '../../src/public/views/log-page.js';
import { Badge } from '../../src/public/views/license-facts.js';
import { ManufacturerPage } from '../../src/public/views/manufacturer-page.js';
import { NotFoundPage } from '../../src/public/views/not-found-page.js';
import type { PageContext } from '../../src/public/views/page-context.js';
import { VerifyPage } from '../../src/public/views/verify-page.js';
import { stackedBarChart } from '../../src/reports/chart.js';
import { chartText, seriesLabel } from '../../src/reports/chart-text.js';
import type { ExportsReportDto } from '../../src/reports/dto/reports.dto.js';

/** A name, a query and a website someone typed, with markup and quotes in them. */
const HOSTILE = '<script>alert("x")</script> & Sons';
const HOSTILE_ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons';

const license: PublicLicenseDto = {
  licenseNumber: 'MDM-2021-0001',
  type: 'MDM',
  status: 'ACTIVE',
  asOf: '2024-01-01',
  issuedOn: '2021-04-09',
  expiresOn: '2031-04-08',
  brands: ['Inovi', 'Brand "B"'],
  history: [
    { type: 'GRANTED', effectiveOn: '2021-04-09', expiresOn: '2031-04-08', logIndex: null },
    { type: 'SUSPENDED', effectiveOn: '2022-01-01', expiresOn: '2031-04-08', logIndex: 41 },
  ],
};
const manufacturer: ManufacturerDto = {
  id: '6f1c2d3e-0000-4000-8000-000000000001',
  legalName: HOSTILE,
  tradeName: 'Trade "T"',
  city: 'Lahore',
  province: 'Punjab',
  website: 'https://example.pk/?a="b"&c=<d>',
  licenses: [license],
};
const report = {
  groupBy: ['fiscalYear', 'destination'],
  filters: {},
  rows: [
    { fiscalYear: 'FY2021-22', destination: 'AE', destinationName: 'United Arab Emirates', shipments: 3, units: 1100 },
    { fiscalYear: 'FY2021-22', destination: 'OTHER', shipments: null, units: null },
  ],
  totals: { shipments: 6, units: 1234567, fobValue: null, shipmentsWithFob: 0 },
} as unknown as ExportsReportDto;

const checkpoint: LogCheckpoint = {
  size: 1234,
  rootHash: 'rQDn2sw3Ij4pRkTm5B1bFVv5ixIEBloMKKqPCJI9FZs=',
  note: 'registry.test/audit\n1234\nrQDn2sw3Ij4pRkTm5B1bFVv5ixIEBloMKKqPCJI9FZs=\n\n— registry.test/audit stgtuX3rMjsvK7wdMzQm<b>\n',
};
const VERIFIER_KEY = 'registry.test/audit+b6d82db9+AeD5kZ2B0y+KpQYW3xjPHOnMC3Ht5C5nOYqlc3ztR1tV';

const ctxOf = (lang: Lang, path: string, params: Record<string, string | undefined> = {}): PageContext => ({ lang, path, params });

/** Every page component, rendered as the controller renders it. */
function pages(lang: Lang): Record<string, string> {
  return {
    home: renderPage(HomePage, { ctx: ctxOf(lang, '/', { q: HOSTILE }), result: { items: [manufacturer], total: 21, limit: 20, offset: 0 }, statuses: ['ACTIVE', 'SUSPENDED'] }),
    manufacturer: renderPage(ManufacturerPage, { ctx: ctxOf(lang, `/manufacturers/${manufacturer.id}`), m: manufacturer }),
    verify: renderPage(VerifyPage, {
      ctx: ctxOf(lang, '/verify', { licenseNumber: HOSTILE }),
      verdict: {
        kind: 'result',
        result: {
          found: true,
          licenseNumber: 'MDM-2021-0001',
          type: 'MDM',
          status: 'ACTIVE',
          valid: true,
          on: '2024-05-01',
          holder: { id: manufacturer.id, legalName: HOSTILE, tradeName: null, city: null },
          issuedOn: '2021-04-09',
          expiresOn: '2031-04-08',
          brands: [],
          lastStatusChange: { type: 'GRANTED', effectiveOn: '2021-04-09', expiresOn: '2031-04-08', logIndex: 1 },
        },
      },
    }),
    'verify, not found': renderPage(VerifyPage, { ctx: ctxOf(lang, '/verify', { licenseNumber: HOSTILE }), verdict: { kind: 'not-found', licenseNumber: HOSTILE } }),
    exports: renderPage(ExportsPage, { ctx: ctxOf(lang, '/exports'), choice: { period: 'fiscalYear', stack: 'destination' }, report, stacks: ['destination', 'deviceCategory'] }),
    log: renderPage(LogPage, { ctx: ctxOf(lang, '/log'), checkpoint, verifierKey: VERIFIER_KEY }),
    'log, no checkpoint yet': renderPage(LogPage, { ctx: ctxOf(lang, '/log'), checkpoint: null, verifierKey: VERIFIER_KEY }),
    'not found': renderPage(NotFoundPage, { ctx: ctxOf(lang, `/manufacturers/${encodeURIComponent(HOSTILE)}`) }),
  };
}

describe('the public pages as components', () => {
  for (const lang of LANGS) {
    const t = MESSAGES[lang];
    for (const [name, html] of Object.entries(pages(lang))) {
      it(`${name} (${lang}): one document in the page's language and direction, with the skip link and landmarks`, () => {
        expect(html.startsWith('<!doctype html>\n<html')).toBe(true);
        expect(html).toContain(`<html lang="${lang}" dir="${lang === 'ur' ? 'rtl' : 'ltr'}">`);
        expect(html).toContain(`<a class="skip" href="#main">${t.skip}</a>`);
        for (const landmark of ['<header class="site">', '<nav aria-label=', '<main id="main" class="wrap">', '<footer class="site">']) expect(html).toContain(landmark);
        expect(html).toContain(`<link rel="stylesheet" href="/assets/site.css"/>`);
        expect(html).not.toMatch(/<script/i);
        // the other language, as a link to this very page
        const other = lang === 'en' ? 'ur' : 'en';
        expect(html).toContain(`hreflang="${other}" lang="${other}">${MESSAGES[other].langName}</a>`);
      });
    }

    it(`escapes a user-provided name with <script> and " in text and in attributes (${lang})`, () => {
      const all = pages(lang);
      for (const html of Object.values(all)) expect(html).not.toContain('<script>alert');
      expect(all.home).toContain(`<bdi>${HOSTILE_ESCAPED}</bdi>`);
      expect(all.home).toContain(`value="${HOSTILE_ESCAPED}"`); // the search box keeps what was typed
      expect(all.manufacturer).toContain(`<title>${HOSTILE_ESCAPED} · ${t.site}</title>`);
      expect(all.manufacturer).toContain('href="https://example.pk/?a=&quot;b&quot;&amp;c=&lt;d&gt;"');
      expect(all.manufacturer).toContain('<bdi>Trade &quot;T&quot;</bdi>');
      expect(all.verify).toContain(`id="licenseNumber" name="licenseNumber" type="text" value="${HOSTILE_ESCAPED}"`);
      expect(all['verify, not found']).toContain(`<bdi>${HOSTILE_ESCAPED}</bdi>`);
      // the language switch carries the query, percent-encoded
      expect(all.home).toContain(`href="/?${new URLSearchParams({ q: HOSTILE })}`);
    });

    it(`writes numbers and dates with Intl for the language (${lang})`, () => {
      const f = format(lang);
      const all = pages(lang);
      expect(all.manufacturer).toContain(`<time datetime="2021-04-09">${f.date('2021-04-09')}</time>`);
      expect(all.exports).toContain(`<td class="num">${f.number(1234567)}</td>`);
      expect(all.home).toContain(`<p class="count" role="status">${t.results(21, f.number(21))}</p>`);
    });
  }

  it('English and Urdu: the same HTML, the words from each catalog; Urdu dates, list commas and country names', () => {
    const { manufacturer: en, exports: enExports } = pages('en');
    const { manufacturer: ur, exports: urExports } = pages('ur');
    expect(en).toContain('<time datetime="2021-04-09">9 April 2021</time>');
    expect(ur).toContain('<time datetime="2021-04-09">9 اپریل، 2021</time>');
    expect(en).toContain('<dd>Inovi, Brand &quot;B&quot;</dd>');
    expect(ur).toContain('<dd>Inovi، Brand &quot;B&quot;</dd>');
    expect(enExports).toContain('<td>United Arab Emirates (AE)</td><td class="num">3</td><td class="num">1,100</td>');
    expect(urExports).toContain('<td>متحدہ عرب امارات (AE)</td>');
    expect(enExports).toContain('<td>Other</td>');
    expect(urExports).toContain('<td>دیگر</td>');
    expect(urExports).toContain('src="/public/v1/exports/chart.svg?stack=destination&amp;lang=ur"');
    // the element structure is the same: only text differs
    const tags = (html: string) => [...html.matchAll(/<([a-z0-9]+)[\s>/]/g)].map((m) => m[1]).join(' ');
    expect(tags(ur)).toBe(tags(en));
  });

  it('the log page: its checkpoint (size, root, the note left to right and escaped), the key, the routes and the witness; or none yet', () => {
    for (const lang of LANGS) {
      const t = MESSAGES[lang];
      const { log, 'log, no checkpoint yet': none } = pages(lang);
      expect(log).toContain(`<h1>${t.log.title}</h1>`);
      expect(log).toContain(`<dd class="tree-size">${format(lang).number(1234)}</dd>`);
      expect(log).toContain(`<dd><code dir="ltr">${checkpoint.rootHash}</code></dd>`);
      expect(log).toContain('<pre class="note" dir="ltr"><code>registry.test/audit\n1234\nrQDn2sw3Ij4pRkTm5B1bFVv5ixIEBloMKKqPCJI9FZs=\n\n— registry.test/audit stgtuX3rMjsvK7wdMzQm&lt;b&gt;</code></pre>');
      expect(log).toContain(`<pre dir="ltr"><code>${VERIFIER_KEY}</code></pre>`);
      expect(log).toContain('<pre dir="ltr"><code>npm run cli -- log:witness --url https://&lt;registry&gt; --state &lt;dir&gt;</code></pre>');
      expect(log).toContain('href="/public/v1/log/proofs/inclusion?index=0&amp;treeSize=1234"');
      expect(log).toContain('href="/public/v1/log/proofs/consistency?from=1&amp;to=1234"');
      expect(log).not.toContain(t.log.noCheckpoint);
      expect(none).toContain(`<p role="status">${t.log.noCheckpoint}</p>`);
      expect(none).not.toContain('class="note"');
      expect(none).not.toContain('href="/public/v1/log/proofs/');
      expect(none).toContain(VERIFIER_KEY);
    }
  });

  it("a license's history gives each event's log index, linked to the log page; none when unknown", () => {
    expect(pages('en').manufacturer).toContain('<a class="log-index" href="/log">log #41</a>');
    expect(pages('ur').manufacturer).toContain('<a class="log-index" href="/log?lang=ur">لاگ نمبر 41</a>');
    expect(pages('en').manufacturer.match(/class="log-index"/g)).toHaveLength(1);
  });

  it('a badge names the status in the catalog', () => {
    expect(markup(<Badge ctx={ctxOf('ur', '/')} status="NOT_YET_EFFECTIVE" />)).toBe('<span class="badge badge-not-yet-effective">ابھی مؤثر نہیں</span>');
  });
});

describe('numbers and dates (common/i18n/format.ts)', () => {
  it('en-PK and ur-PK both write Western digits with thousands separators, and the calendar day given', () => {
    expect(format('en').number(1234567)).toBe('1,234,567');
    expect(format('ur').number(1234567)).toBe('1,234,567');
    expect(format('en').date('2031-12-31')).toBe('31 December 2031');
    expect(format('ur').date('2031-12-31')).toBe('31 دسمبر، 2031');
  });
});

describe('the chart in Urdu', () => {
  const series = [
    { key: 'AE', label: seriesLabel('ur', 'destination', 'AE') },
    { key: 'OTHER', label: seriesLabel('ur', 'destination', 'OTHER') },
  ];
  const units = new Map([['FY2021-22', new Map([['AE', 1100], ['OTHER', 950]])]]);
  const text = chartText('ur', { period: 'fiscalYear', stack: 'destination', periods: ['FY2021-22'], totals: { units: 2050, shipments: 6 }, series: [{ label: series[0].label, units: 1100 }, { label: series[1].label, units: 950 }] });
  const svg = stackedBarChart({ lang: 'ur', ...text, periods: ['FY2021-22'], series, units });

  it('has its title, description, axis labels, legend and segment titles from the Urdu catalog', () => {
    const t = MESSAGES.ur.chart;
    expect(svg).toContain('lang="ur"');
    expect(svg).toContain(`<title id="chart-title">${t.title(t.periods.fiscalYear, t.stacks.destination)}</title>`);
    expect(svg).toContain('کل 2,050 یونٹس، 6 کھیپوں میں');
    expect(svg).toContain(`>${t.yLabel}</text>`);
    expect(svg).toContain(`>${t.xLabel(t.periods.fiscalYear)}</text>`);
    expect(svg).toContain('>متحدہ عرب امارات (AE)</text>');
    expect(svg).toContain('>دیگر</text>');
    expect(svg).toContain('<title>FY2021-22، متحدہ عرب امارات (AE): 1,100 یونٹس</title>');
    expect(svg).toContain('direction="rtl"');
    expect(svg).not.toMatch(/\bunits\b|Other|Period/);
  });

  it('in English reads as before', () => {
    const en = chartText('en', { period: 'fiscalYear', stack: 'deviceCategory', periods: [], totals: { units: 0, shipments: 0 }, series: [] });
    expect(en).toEqual({
      title: 'Mobile devices exported by fiscal year (July-June), by device category',
      description: 'Stacked bars: units exported per fiscal year (July-June), no exports, split by device category. Total 0 units in 0 shipments. .',
      xLabel: 'Period (fiscal year (July-June))',
      yLabel: 'Units (devices)',
    });
    expect(seriesLabel('en', 'deviceCategory', 'FEATURE_PHONE')).toBe('Feature phone');
  });
});

describe('the error page', () => {
  const problem = { type: 'urn:x', title: 'Not Found', status: 404, detail: 'Cannot GET /<x>', code: 'ROUTE_NOT_FOUND' };

  it('in Urdu: right to left, with the Urdu title and text; the API detail marked as English and escaped', () => {
    const html = errorPage(problem, 'ur');
    expect(html).toContain('<html lang="ur" dir="rtl">');
    expect(html).toContain('<h1>404 نہیں ملا</h1>');
    expect(html).toContain(MESSAGES.ur.error.texts[404]);
    expect(html).toContain('<bdi lang="en">Cannot GET /&lt;x&gt;</bdi>');
    expect(html).toContain('href="/?lang=ur"');
  });

  it('in English, and for a status without its own wording', () => {
    expect(errorPage(problem, 'en')).toContain('<h1>404 Not Found</h1>');
    expect(errorPage({ ...problem, status: 418, title: "I'm a teapot" }, 'ur')).toContain(`<h1>418 ${MESSAGES.ur.error.clientError}</h1>`);
    expect(errorPage({ ...problem, status: 502 }, 'en')).toContain('<h1>502 Server Error</h1>');
  });

  it('takes ?lang= first, then Accept-Language (q-values, regional tags), then English', () => {
    expect(requestLang('/x?lang=ur', undefined)).toBe('ur');
    expect(requestLang('/x?lang=en', 'ur')).toBe('en');
    expect(requestLang('/x?lang=fr', 'ur-PK,ur;q=0.9,en;q=0.8')).toBe('ur');
    expect(requestLang('/x', 'en-GB,en;q=0.9,ur;q=0.5')).toBe('en');
    expect(requestLang('/x', 'fr, ur;q=0.3')).toBe('ur');
    expect(requestLang('/x', 'fr')).toBe('en');
    expect(requestLang('/x', undefined)).toBe('en');
    expect(requestLang('/x?lang=%E0%A4', '')).toBe('en');
  });
});
