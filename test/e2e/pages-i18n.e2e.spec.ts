import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { loadChartFixture } from '../support/fixtures.js';

const svgText = (res: { text?: string; body: unknown }) => res.text ?? Buffer.from(res.body as Buffer).toString('utf8');
const URDU = /[\u0600-\u06FF]/;

describe('the chart, the pages and the error pages in Urdu', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ seed: true });
    await loadChartFixture(t);
  });
  afterAll(() => t?.close());

  it('/public/v1/exports/chart.svg?lang=ur: title, description, axis labels and legend in Urdu, right to left', async () => {
    const res = await t.anon.get('/public/v1/exports/chart.svg?stack=destination&lang=ur').expect(200);
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
    const text = svgText(res);
    const svg = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['g', 'rect', 'text'].includes(name) }).parse(text).svg;
    expect(svg['@_lang']).toBe('ur');
    expect(svg.title['#text'] ?? svg.title).toBe('ہر مالی سال (جولائی تا جون) برآمد کی گئی موبائل ڈیوائسز، منزل کے لحاظ سے');
    expect(String(svg.desc['#text'] ?? svg.desc)).toMatch(/یونٹس/);
    for (const label of ['یونٹس (ڈیوائسز)', 'مدت (مالی سال (جولائی تا جون))', 'متحدہ عرب امارات (AE)', 'FY2021-22']) expect(text).toContain(label);
    expect(text).toContain('direction="rtl"');
    expect(text).not.toMatch(/\bunits\b|Mobile devices|Period/);
    // numbers as Intl writes them for ur-PK: Western digits, grouped
    expect(text).toMatch(/: \d{1,3}(,\d{3})* یونٹس<\/title>/);

    const english = svgText(await t.anon.get('/public/v1/exports/chart.svg?stack=destination').expect(200));
    expect(english).toContain('Mobile devices exported by fiscal year');
    expect(english).not.toMatch(URDU);
    await t.anon.get('/public/v1/exports/chart.svg?lang=fr').expect(400);
  });

  it('the Urdu exports page shows the Urdu chart, and its table in Urdu', async () => {
    const res = await t.anon.get('/exports?lang=ur').expect(200);
    expect(res.text).toContain('src="/public/v1/exports/chart.svg?stack=destination&amp;lang=ur"');
    expect(res.text).toContain('<td>متحدہ عرب امارات (AE)</td>');
    const byCategory = await t.anon.get('/exports?lang=ur&stack=deviceCategory').expect(200);
    expect(byCategory.text).toContain('<td>اسمارٹ فون</td>');
  });

  it('dates are written for the page language, the machine date kept in datetime', async () => {
    const id = (await t.anon.get('/public/v1/manufacturers?q=inovi').expect(200)).body.items[0].id;
    expect((await t.anon.get(`/manufacturers/${id}`).expect(200)).text).toContain('<time datetime="2021-04-09">9 April 2021</time>');
    expect((await t.anon.get(`/manufacturers/${id}?lang=ur`).expect(200)).text).toContain('<time datetime="2021-04-09">9 اپریل، 2021</time>');
  });

  it('an HTML error page with Accept-Language: ur is in Urdu; ?lang= wins over the header; English otherwise', async () => {
    for (const acceptLanguage of ['ur', 'ur-PK,ur;q=0.9,en;q=0.8', 'fr, ur;q=0.5']) {
      const res = await t.anon.get('/no-such-page').set('Accept', 'text/html').set('Accept-Language', acceptLanguage).expect(404);
      expect(res.headers['content-type'], acceptLanguage).toMatch(/^text\/html/);
      expect(res.text, acceptLanguage).toContain('<html lang="ur" dir="rtl">');
      expect(res.text, acceptLanguage).toContain('<h1>404 نہیں ملا</h1>');
      expect(res.text, acceptLanguage).toContain('اس پتے پر کوئی صفحہ موجود نہیں۔');
    }
    const bad = await t.anon.get('/?q=%00').set('Accept', 'text/html').set('Accept-Language', 'ur').expect(400);
    expect(bad.text).toContain('<h1>400 غلط درخواست</h1>');
    const named = await t.anon.get('/no-such-page?lang=en').set('Accept', 'text/html').set('Accept-Language', 'ur').expect(404);
    expect(named.text).toContain('<html lang="en" dir="ltr">');
    for (const acceptLanguage of ['en-GB,en;q=0.9', 'fr', '']) {
      const res = await t.anon.get('/no-such-page').set('Accept', 'text/html').set('Accept-Language', acceptLanguage).expect(404);
      expect(res.text, acceptLanguage).toContain('<h1>404 Not Found</h1>');
      expect(res.text, acceptLanguage).not.toMatch(URDU);
    }
    // machines still get problem+json, whatever the language
    const api = await t.anon.get('/public/v1/nothing').set('Accept', 'text/html').set('Accept-Language', 'ur').expect(404);
    expect(api.headers['content-type']).toMatch(/problem\+json/);
  });
});
