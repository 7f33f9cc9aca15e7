/// <reference lib="dom" />
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransparencyLog } from '../../src/audit/log/transparency-log.js';
import { startApp, type TestApp } from '../support/app.js';
import { loadChartFixture } from '../support/fixtures.js';

/**
 * The public pages in headless Chromium (Debian's package; .ci/run installs it when missing). Skipped, with a
 * note, on a machine without /usr/bin/chromium. Screenshots go to artifacts/screenshots (not committed).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = 'artifacts/screenshots';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`Browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

describe.skipIf(!haveChromium)('public pages in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let luckyNumber: string;
  let inoviId: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    t = await startApp({ seed: true });
    await loadChartFixture(t);
    await t.app.get(TransparencyLog).issue(); // the log page with a checkpoint
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    const manufacturers = (await t.anon.get('/public/v1/manufacturers').expect(200)).body.items;
    luckyNumber = manufacturers.find((m: { legalName: string }) => m.legalName.startsWith('Lucky')).licenses[0].licenseNumber;
    inoviId = manufacturers.find((m: { legalName: string }) => m.legalName.startsWith('Inovi')).id;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function open(path: string): Promise<Page> {
    // axe-core needs a page of an explicit browser context
    const page = await (await browser.newContext({ viewport: { width: 1000, height: 900 } })).newPage();
    const response = await page.goto(`${base}${path}`);
    expect(response?.status(), path).toBeLessThan(500);
    return page;
  }

  async function expectAccessible(page: Page, name: string): Promise<void> {
    const result = await new AxeBuilder({ page }).analyze();
    const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`), name).toEqual([]);
  }

  it('search "inovi" and see Inovi\'s license ACTIVE', async () => {
    const page = await open('/');
    await page.getByLabel('Company, brand or license number').fill('inovi');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=inovi/);
    const card = page.locator('li.card', { hasText: 'Inovi Telecom (Private) Limited' });
    await expect.poll(() => card.count()).toBe(1);
    expect(await card.locator('.badge').first().innerText()).toBe('ACTIVE');
    expect(await page.locator('li.card').count()).toBe(1);
    await page.screenshot({ path: `${SHOTS}/home-search-inovi.png`, fullPage: true });
    await expectAccessible(page, 'home with results');
    await page.close();
  });

  it("verify Lucky Motor's number on 2021-08-09 and see NOT YET EFFECTIVE", async () => {
    const page = await open('/verify');
    await page.getByLabel('License number').fill(luckyNumber);
    await page.getByLabel('Date (optional, YYYY-MM-DD)').fill('2021-08-09');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(/licenseNumber=/);
    expect(await page.locator('.verdict .badge').innerText()).toBe('NOT YET EFFECTIVE');
    await page.screenshot({ path: `${SHOTS}/verify-lucky-2021-08-09.png`, fullPage: true });
    await expectAccessible(page, 'verify verdict');
    await page.getByLabel('Date (optional, YYYY-MM-DD)').fill('2021-08-10');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(/on=2021-08-10/);
    expect(await page.locator('.verdict .badge').innerText()).toBe('VALID');
    await page.close();
  });

  it('switch to Urdu and see the page right to left', async () => {
    const page = await open('/');
    await page.getByRole('link', { name: 'اردو' }).click();
    await page.waitForURL(/lang=ur/);
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    expect(await page.locator('html').getAttribute('lang')).toBe('ur');
    expect(await page.evaluate(() => getComputedStyle(document.body).direction)).toBe('rtl');
    await page.screenshot({ path: `${SHOTS}/home-urdu.png`, fullPage: true });
    await expectAccessible(page, 'home in Urdu');
    await page.close();
  });

  it('works from the keyboard: the skip link and the search form', async () => {
    const page = await open('/');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    await page.getByLabel('Company, brand or license number').focus();
    await page.keyboard.type('samsung');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=samsung/);
    expect(await page.locator('li.card h2').innerText()).toBe('Lucky Motor Corporation Limited');
    await page.close();
  });

  it('every page has no serious or critical accessibility violation (axe-core), in English and Urdu', async () => {
    const paths = [
      '/',
      '/?q=nothing-matches',
      '/verify',
      `/verify?licenseNumber=${encodeURIComponent(luckyNumber)}&on=2021-08-10`,
      '/verify?licenseNumber=MDM-1999-0001',
      '/verify?licenseNumber=x&on=2021-02-30',
      `/manufacturers/${inoviId}`,
      '/manufacturers/6f1c2d3e-0000-4000-8000-000000000000',
      '/exports',
      '/log',
    ];
    for (const path of paths) {
      for (const lang of ['en', 'ur']) {
        const url = lang === 'en' ? path : `${path}${path.includes('?') ? '&' : '?'}lang=ur`;
        const page = await open(url);
        await expectAccessible(page, url);
        if (path === `/manufacturers/${inoviId}`) await page.screenshot({ path: `${SHOTS}/manufacturer-inovi-${lang}.png`, fullPage: true });
        await page.close();
      }
    }
  }, 120_000); // 20 pages through axe: about 22 s on a quiet machine

  it('the exports page shows the chart (an SVG image) with the table beneath', async () => {
    const page = await open('/exports?stack=destination');
    const img = page.locator('figure.chart img');
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    expect(await page.locator('table.data tbody tr').count()).toBeGreaterThan(3);
    await page.screenshot({ path: `${SHOTS}/exports-by-fiscal-year.png`, fullPage: true });
    await expectAccessible(page, 'exports page');
    const chart = await (await browser.newContext({ viewport: { width: 960, height: 480 } })).newPage();
    await chart.goto(`${base}/public/v1/exports/chart.svg?stack=deviceCategory`);
    await chart.screenshot({ path: `${SHOTS}/chart-fiscal-year-by-category.png` });
    await chart.close();
    await page.close();
  });

  it('is usable on a phone-sized screen', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
    await page.goto(`${base}/?q=inovi`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SHOTS}/home-mobile.png`, fullPage: true });
    // The log page's hashes, signed note and key wrap instead of widening the page.
    for (const path of ['/log', '/log?lang=ur']) {
      await page.goto(`${base}${path}`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), path).toBeLessThanOrEqual(0);
    }
    await page.screenshot({ path: `${SHOTS}/log-mobile-ur.png`, fullPage: true });
    await page.close();
  });

  it('no page breaks the Content-Security-Policy, and Swagger UI at /docs works under its own', async () => {
    const violations: string[] = [];
    const context = await browser.newContext();
    context.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(`${message.location().url}: ${message.text()}`);
    });
    const page = await context.newPage();
    for (const path of ['/', '/?lang=ur', `/verify?licenseNumber=${encodeURIComponent(luckyNumber)}`, `/manufacturers/${inoviId}`, '/exports', '/log', '/nowhere', '/public/v1/exports/chart.svg']) {
      await page.goto(`${base}${path}`);
    }
    await page.goto(`${base}/docs`);
    await expect.poll(() => page.locator('.swagger-ui .info .title').textContent(), { timeout: 15_000 }).toContain('License Registry API');
    await page.screenshot({ path: `${SHOTS}/docs.png` });
    expect(violations).toEqual([]);
    await context.close();
  });
});
