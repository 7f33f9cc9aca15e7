import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransparencyLog } from '../../src/audit/log/transparency-log.js';
import { startApp, type TestApp } from '../support/app.js';
import { event, makeCompany, makeLicense, shipmentBody } from '../support/factories.js';

const URDU = /[\u0600-\u06FF]/;

interface PublicEvent {
  type: string;
  logIndex: number | null;
}

describe('the transparency log page', () => {
  let t: TestApp;
  let company: { id: string };
  let license: { id: string; licenseNumber: string };

  beforeAll(async () => {
    t = await startApp({ seed: true });
    company = await makeCompany(t, { legalName: 'Logged Devices (Private) Limited' });
    license = await makeLicense(t, { companyId: company.id, issuedOn: '2021-05-01', brands: ['Logtel'] });
    await event(t, license.id, 'SUSPENDED', '2022-01-01').expect(201);
    await event(t, license.id, 'REINSTATED', '2022-02-01').expect(201);
  });
  afterAll(() => t?.close());

  it('/log before the first checkpoint says there is none yet, and still shows the key and the witness', async () => {
    const res = await t.anon.get('/log').expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('No checkpoint yet');
    expect(res.text).not.toContain('<pre class="note"');
    expect(res.text).toContain(t.app.get(TransparencyLog).verifierKey);
    expect(res.text).toContain('npm run cli -- log:witness --url https://&lt;registry&gt; --state &lt;dir&gt;');
  });

  it('the profile page shows each event\'s log index, linked to the log page, in both languages', async () => {
    const history: PublicEvent[] = (await t.anon.get(`/public/v1/manufacturers/${company.id}`).expect(200)).body.licenses[0].history;
    const en = (await t.anon.get(`/manufacturers/${company.id}`).expect(200)).text;
    const ur = (await t.anon.get(`/manufacturers/${company.id}?lang=ur`).expect(200)).text;
    expect(history.map((e) => e.type)).toEqual(['GRANTED', 'SUSPENDED', 'REINSTATED']);
    for (const e of history) {
      expect(e.logIndex).toEqual(expect.any(Number));
      expect(en).toContain(`<a class="log-index" href="/log">log #${e.logIndex}</a>`);
      expect(ur).toContain(`<a class="log-index" href="/log?lang=ur">لاگ نمبر ${e.logIndex}</a>`);
    }
  });

  it('/log shows the current checkpoint (size, root hash, the signed note), the key and the public endpoints; never a stale one', async () => {
    const log = t.app.get(TransparencyLog);
    const first = (await log.issue())!;
    const res = await t.anon.get('/log').expect(200);
    expect(res.headers['cache-control']).toBe('no-cache');
    const html = res.text;
    expect(html).toContain('<html lang="en" dir="ltr">');
    expect(html).toContain('<h1>Transparency log</h1>');
    expect(html).toContain(`<dd class="tree-size">${first.size}</dd>`);
    expect(html).toContain(`<code dir="ltr">${first.root.toString('base64')}</code>`);
    expect(html).toContain(`<pre class="note" dir="ltr"><code>${first.note.replace(/\n$/, '')}`);
    expect(html).toContain(log.verifierKey);
    for (const href of ['/public/v1/log/checkpoint', '/public/v1/log/key', `/public/v1/log/proofs/inclusion?index=0&amp;treeSize=${first.size}`, `/public/v1/log/proofs/consistency?from=1&amp;to=${first.size}`]) {
      expect(html).toContain(`href="${href}"`);
    }
    expect(html).toMatch(/only hashes are public/i);
    expect(html).toContain('npm run cli -- log:witness --url https://&lt;registry&gt; --state &lt;dir&gt;');
    expect(html.replace('>اردو</a>', '')).not.toMatch(URDU); // Urdu only in the language switch

    // A change the register's version does not follow (a shipment) still shows at once.
    await t.http.post('/api/v1/shipments').send(shipmentBody(license, { shippedOn: '2021-06-02' })).expect(201);
    const second = (await log.issue())!;
    expect(second.size).toBeGreaterThan(first.size);
    const again = await t.anon.get('/log').set('If-None-Match', res.headers.etag).expect(200);
    expect(again.text).toContain(`<dd class="tree-size">${second.size}</dd>`);
    // Unchanged, a revalidation is answered 304.
    await t.anon.get('/log').set('If-None-Match', again.headers.etag).expect(304);
  });

  it('/log?lang=ur is in Urdu, right to left, with the same checkpoint; the machine text stays left to right', async () => {
    const latest = (await t.app.get(TransparencyLog).issue())!;
    const html = (await t.anon.get('/log?lang=ur').expect(200)).text;
    expect(html).toContain('<html lang="ur" dir="rtl">');
    expect(html).toContain('<h1>شفافیت لاگ</h1>');
    expect(html).toContain(`<dd class="tree-size">${latest.size}</dd>`);
    expect(html).toContain(`<code dir="ltr">${latest.root.toString('base64')}</code>`);
    expect(html).toContain('<pre class="note" dir="ltr">');
    expect(html).toContain('صرف ہیش عوامی ہیں');
    expect(html).toContain('hreflang="en" lang="en">English</a>');
    expect(html).toContain('href="/log"'); // the language switch back to English
    expect(html).not.toMatch(/What it proves|No checkpoint yet/);
    // An unknown language or parameter is ignored, as on every page.
    expect((await t.anon.get('/log?lang=fr&x=1').expect(200)).text).toContain('<html lang="en" dir="ltr">');
  });

  it('every public page links to the log page, in its language', async () => {
    const pages = ['/', '/verify', `/verify?licenseNumber=${encodeURIComponent(license.licenseNumber)}`, '/exports', `/manufacturers/${company.id}`, '/log'];
    for (const path of pages) {
      for (const [lang, href] of [['en', '/log'], ['ur', '/log?lang=ur']]) {
        const url = lang === 'en' ? path : `${path}${path.includes('?') ? '&' : '?'}lang=ur`;
        const html = (await t.anon.get(url).expect(200)).text;
        expect(html, url).toContain(`<a href="${href}">${lang === 'en' ? 'Transparency log' : 'شفافیت لاگ'}</a>`);
      }
    }
    const notFound = (await t.anon.get('/manufacturers/6f1c2d3e-0000-4000-8000-000000000000').expect(404)).text;
    expect(notFound).toContain('<a href="/log">Transparency log</a>');
  });
});
