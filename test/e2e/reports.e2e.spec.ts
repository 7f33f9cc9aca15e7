import { parse } from 'csv-parse/sync';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, startApp, type TestApp } from '../support/app.js';
import { makeLicense } from '../support/factories.js';
import { loadFixture } from '../support/fixtures.js';

/** SVG arrives as a buffer (an image type). */
const svgText = (res: { text?: string; body: unknown }) => res.text ?? Buffer.from(res.body as Buffer).toString('utf8');
const report = async (t: TestApp, query: string) => (await t.http.get(`/api/v1/reports/exports?${query}`).expect(200)).body;
const pick = (rows: Record<string, unknown>[], keys: string[]) => rows.map((r) => Object.fromEntries(keys.map((k) => [k, r[k]])));

describe('export reports', () => {
  let t: TestApp;
  let fx: Awaited<ReturnType<typeof loadFixture>>;
  beforeAll(async () => {
    t = await startApp();
    fx = await loadFixture(t);
  });
  afterAll(() => t?.close());

  it('by fiscal year: 2021-06-30 is FY2020-21, 2021-07-01 is FY2021-22; voided shipments excluded; FOB exact', async () => {
    const r = await report(t, 'groupBy=fiscalYear');
    expect(pick(r.rows, ['fiscalYear', 'shipments', 'units', 'fobValue', 'shipmentsWithFob'])).toEqual([
      { fiscalYear: 'FY2020-21', shipments: 1, units: 100, fobValue: '1000.00', shipmentsWithFob: 1 },
      { fiscalYear: 'FY2021-22', shipments: 6, units: 2050, fobValue: '2000.50', shipmentsWithFob: 1 },
      { fiscalYear: 'FY2022-23', shipments: 1, units: 700, fobValue: '0.25', shipmentsWithFob: 1 },
    ]);
    expect(r.totals).toEqual({ shipments: 8, units: 2850, fobValue: '3000.75', shipmentsWithFob: 3 });
    expect(r.rows.map((x: { shareOfUnits: number }) => x.shareOfUnits)).toEqual([0.0351, 0.7193, 0.2456]);
  });

  it('by month: every month of the range, zeros where nothing was exported', async () => {
    const r = await report(t, 'groupBy=month&from=2021-06-01&to=2022-07-31');
    expect(r.rows.map((x: { month: string }) => x.month)).toEqual([
      '2021-06', '2021-07', '2021-08', '2021-09', '2021-10', '2021-11', '2021-12',
      '2022-01', '2022-02', '2022-03', '2022-04', '2022-05', '2022-06', '2022-07',
    ]);
    const units = Object.fromEntries(r.rows.map((x: { month: string; units: number }) => [x.month, x.units]));
    expect(units).toMatchObject({ '2021-06': 100, '2021-07': 500, '2021-08': 0, '2021-09': 450, '2021-10': 0, '2022-01': 500, '2022-06': 600, '2022-07': 700 });
    expect(r.filters).toEqual({ from: '2021-06-01', to: '2022-07-31' });
    // without a range, the span of the data
    const span = await report(t, 'groupBy=month');
    expect(span.rows[0].month).toBe('2021-06');
    expect(span.rows.at(-1).month).toBe('2022-07');
    expect(span.rows).toHaveLength(14);
  });

  it('by quarter and by calendar year', async () => {
    const q = await report(t, 'groupBy=quarter&from=2021-04-01&to=2022-09-30');
    expect(pick(q.rows, ['quarter', 'units'])).toEqual([
      { quarter: '2021-Q2', units: 100 },
      { quarter: '2021-Q3', units: 950 },
      { quarter: '2021-Q4', units: 0 },
      { quarter: '2022-Q1', units: 500 },
      { quarter: '2022-Q2', units: 600 },
      { quarter: '2022-Q3', units: 700 },
    ]);
    const y = await report(t, 'groupBy=year');
    expect(pick(y.rows, ['year', 'shipments', 'units'])).toEqual([
      { year: '2021', shipments: 5, units: 1050 },
      { year: '2022', shipments: 3, units: 1800 },
    ]);
  });

  it('by fiscal year and destination: sorted by period, then units descending', async () => {
    const r = await report(t, 'groupBy=fiscalYear,destination');
    expect(pick(r.rows, ['fiscalYear', 'destination', 'destinationName', 'units'])).toEqual([
      { fiscalYear: 'FY2020-21', destination: 'AE', destinationName: 'United Arab Emirates', units: 100 },
      { fiscalYear: 'FY2021-22', destination: 'AE', destinationName: 'United Arab Emirates', units: 1100 },
      { fiscalYear: 'FY2021-22', destination: 'GB', destinationName: 'United Kingdom', units: 900 },
      { fiscalYear: 'FY2021-22', destination: 'US', destinationName: 'United States of America', units: 50 },
      { fiscalYear: 'FY2022-23', destination: 'AE', destinationName: 'United Arab Emirates', units: 700 },
    ]);
  });

  it('by company, license, device category, technology and HS code', async () => {
    expect(pick((await report(t, 'groupBy=company')).rows, ['company', 'units'])).toEqual([
      { company: 'Alpha Devices Ltd', units: 1900 },
      { company: 'Beta Mobile Ltd', units: 950 },
    ]);
    expect(pick((await report(t, 'groupBy=license')).rows, ['licenseNumber', 'shipments'])).toEqual([
      { licenseNumber: 'LIC-A', shipments: 5 },
      { licenseNumber: 'LIC-B', shipments: 3 },
    ]);
    expect(pick((await report(t, 'groupBy=deviceCategory')).rows, ['deviceCategory', 'units'])).toEqual([
      { deviceCategory: 'SMARTPHONE', units: 1950 },
      { deviceCategory: 'FEATURE_PHONE', units: 900 },
    ]);
    expect(pick((await report(t, 'groupBy=technology')).rows, ['technology', 'units'])).toEqual([
      { technology: '5G', units: 1200 },
      { technology: '2G', units: 900 },
      { technology: '4G', units: 700 },
      { technology: null, units: 50 },
    ]);
    expect(pick((await report(t, 'groupBy=hsCode')).rows, ['hsCode', 'units'])).toEqual([
      { hsCode: '8517.13', units: 1200 },
      { hsCode: '8517.12', units: 1050 },
      { hsCode: '8517.14', units: 600 },
    ]);
  });

  it('filters by dates (inclusive), company, destination and category', async () => {
    expect((await report(t, 'groupBy=year&from=2021-07-01&to=2021-07-01')).totals.units).toBe(200);
    expect((await report(t, `groupBy=year&companyId=${fx.b.id.toUpperCase()}`)).totals.units).toBe(950);
    expect((await report(t, 'groupBy=year&destination=GB')).totals.units).toBe(900);
    expect((await report(t, 'groupBy=year&deviceCategory=FEATURE_PHONE')).totals.units).toBe(900);
    await t.http.get('/api/v1/reports/exports?groupBy=planet').expect(400);
    await t.http.get('/api/v1/reports/exports?groupBy=month,month').expect(400);
    await t.http.get('/api/v1/reports/exports?from=2022-01-01&to=2021-01-01').expect(400);
    await t.http.get('/api/v1/reports/exports?destination=UAE').expect(400);
    await t.as('ANALYST').get('/api/v1/reports/exports').expect(200);
    await t.anon.get('/api/v1/reports/exports').expect(401);
  });

  it('as CSV: parses back to the JSON rows, with a TOTAL row, plain numbers and an optional BOM', async () => {
    const json = await report(t, 'groupBy=fiscalYear,destination');
    const res = await t.http.get('/api/v1/reports/exports?groupBy=fiscalYear,destination&format=csv&bom=true').buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="exports-by-fiscalYear-destination.csv"');
    const bytes = res.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(bytes.subarray(3).toString('utf8'), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual(['fiscalYear', 'destination', 'destinationName', 'shipments', 'units', 'fobValue', 'shipmentsWithFob', 'shareOfUnits']);
    expect(rows).toHaveLength(json.rows.length + 1);
    json.rows.forEach((r: Record<string, unknown>, i: number) => {
      expect(rows[i]).toMatchObject({ fiscalYear: r.fiscalYear, destination: r.destination, units: String(r.units), shipments: String(r.shipments), fobValue: r.fobValue ?? '' });
    });
    expect(rows.at(-1)).toMatchObject({ fiscalYear: 'TOTAL', units: '2850', shipments: '8', fobValue: '3000.75', shareOfUnits: '1' });
    const noBom = await t.http.get('/api/v1/reports/exports?groupBy=month&from=2021-06-01&to=2021-06-30&format=csv').expect(200);
    expect(noBom.text.startsWith('month,shipments')).toBe(true);
    expect(noBom.headers['content-disposition']).toContain('exports-by-month-2021-06-01-to-2021-06-30.csv');
  });

  it('milestones: the first export to each destination and each company’s first', async () => {
    const firsts = (await t.http.get('/api/v1/reports/firsts').expect(200)).body;
    expect(pick(firsts.byDestination, ['destination', 'shippedOn', 'units', 'licenseNumber'])).toEqual([
      { destination: 'AE', shippedOn: '2021-06-30', units: 100, licenseNumber: 'LIC-A' },
      { destination: 'GB', shippedOn: '2021-07-15', units: 300, licenseNumber: 'LIC-B' },
      { destination: 'US', shippedOn: '2021-09-20', units: 50, licenseNumber: 'LIC-B' },
    ]);
    expect(pick(firsts.byCompany, ['licensee', 'shippedOn', 'units'])).toEqual([
      { licensee: 'Alpha Devices Ltd', shippedOn: '2021-06-30', units: 100 },
      { licensee: 'Beta Mobile Ltd', shippedOn: '2021-07-15', units: 300 },
    ]);
  });

  it('the license register: counts by status, terms ending soon, shipments made while not ACTIVE', async () => {
    const r = (await t.http.get('/api/v1/reports/licenses?on=2031-01-01&withinDays=120').expect(200)).body;
    expect(r.countsByStatus).toMatchObject({ ACTIVE: 2, SUSPENDED: 0 });
    expect(r.expiring.map((l: { licenseNumber: string; daysLeft: number }) => [l.licenseNumber, l.daysLeft])).toEqual([
      ['LIC-A', 97],
      ['LIC-B', 97],
    ]);
    expect(r.shipmentsWhileNotActive).toEqual([expect.objectContaining({ shipmentId: fx.s5.id, shippedOn: '2021-09-20', licenseNumber: 'LIC-B', statusOnShippedOn: 'SUSPENDED', units: 50 })]);
    expect((await t.http.get('/api/v1/reports/licenses?on=2021-10-01').expect(200)).body.countsByStatus).toMatchObject({ ACTIVE: 1, SUSPENDED: 1 });
    const csv = await t.http.get('/api/v1/reports/licenses?on=2031-01-01&format=csv').expect(200);
    const rows = parse(csv.text, { columns: true }) as Record<string, string>[];
    expect(rows.find((x) => x.licenseNumber === 'LIC-B')).toMatchObject({ status: 'ACTIVE', shipmentsWhileNotActive: '1' });
  });

  it('public aggregates merge cells of fewer than 3 shipments into OTHER and show no single firm', async () => {
    const r = (await t.anon.get('/public/v1/exports?groupBy=fiscalYear,destination').expect(200)).body;
    expect(pick(r.rows, ['fiscalYear', 'destination', 'shipments', 'units', 'suppressed'])).toEqual([
      { fiscalYear: 'FY2020-21', destination: 'OTHER', shipments: null, units: null, suppressed: true },
      { fiscalYear: 'FY2021-22', destination: 'AE', shipments: 3, units: 1100, suppressed: undefined },
      { fiscalYear: 'FY2021-22', destination: 'OTHER', shipments: 3, units: 950, suppressed: undefined },
      { fiscalYear: 'FY2022-23', destination: 'OTHER', shipments: null, units: null, suppressed: true },
    ]);
    expect(r.totals).toMatchObject({ shipments: 6, units: 2050, fobValue: null, shipmentsWithFob: 0 }); // one FOB value only: withheld
    await t.anon.get('/public/v1/exports?groupBy=company').expect(400);
    // one time granularity, no ranges or filters: nothing to take differences between
    for (const q of ['groupBy=month', 'groupBy=year', 'groupBy=quarter', 'from=2021-08-13', 'to=2022-06-30', 'destination=AE', 'deviceCategory=SMARTPHONE']) {
      await t.anon.get(`/public/v1/exports?${q}`).expect(400);
    }
    expect(r.filters).toEqual({});
    const csv = await t.anon.get('/public/v1/exports?groupBy=fiscalYear&format=csv').expect(200);
    expect(csv.headers.etag).toBeTruthy();
    expect(parse(csv.text, { columns: true })).toHaveLength(4); // 3 fiscal years + TOTAL
  });

  it('draws the chart as SVG: title, description, axis labels, legend and the expected bars', async () => {
    for (const path of ['/api/v1/reports/exports/chart.svg?groupBy=fiscalYear&stack=destination', '/public/v1/exports/chart.svg?stack=deviceCategory']) {
      const agent = path.startsWith('/public') ? t.anon : t.http;
      const res = await agent.get(path).expect(200);
      expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
      const svg = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['g', 'rect', 'text'].includes(name) }).parse(svgText(res)).svg;
      expect(svg['@_role']).toBe('img');
      expect(svg.title['#text'] ?? svg.title).toMatch(/Mobile devices exported by fiscal year/);
      expect(String(svg.desc['#text'] ?? svg.desc)).toMatch(/units/);
    }
    const staff = svgText(await t.http.get('/api/v1/reports/exports/chart.svg?groupBy=fiscalYear&stack=destination').expect(200));
    const bars = [...staff.matchAll(/<rect [^>]*><title>([^<]+)<\/title><\/rect>/g)].map((m) => m[1]);
    expect(bars).toEqual([
      'FY2020-21, United Arab Emirates (AE): 100 units',
      'FY2021-22, United Arab Emirates (AE): 1,100 units',
      'FY2021-22, United Kingdom (GB): 900 units',
      'FY2021-22, United States of America (US): 50 units',
      'FY2022-23, United Arab Emirates (AE): 700 units',
    ]);
    for (const label of ['Units (devices)', 'Period (fiscal year (July-June))', 'FY2021-22']) expect(staff).toContain(label);
  });
  it('sums FOB values exactly however large (bigint cents)', async () => {
    const big = await makeLicense(t, { issuedOn: '2021-04-09', licenseNumber: 'BIG-1' });
    for (const [ref, fobValue] of [['BIG-A', '9999999999999.99'], ['BIG-B', '9999999999999.99'], ['BIG-C', '0.03']]) {
      await t.http.post('/api/v1/shipments').send({ licenseId: big.id, reference: ref, shippedOn: '2023-03-01', destinationCountry: 'KE', units: 1, deviceCategory: 'SMARTPHONE', fobValue }).expect(201);
    }
    const r = await report(t, `groupBy=year&destination=KE`);
    expect(r.rows).toEqual([expect.objectContaining({ year: '2023', fobValue: '20000000000000.01', shipmentsWithFob: 3 })]);
    await t.http.get('/api/v1/reports/exports?groupBy=month&from=2022-01-01&to=9999-12-31').expect(400);
    await t.anon.get('/public/v1/exports').expect(200);
  });

});

describe.skipIf(engine !== 'postgres')('the same reports on SQLite and PostgreSQL', () => {
  it('are identical on the same data', async () => {
    const pg = await startApp();
    const lite = await startApp({ engine: 'sqlite' });
    try {
      await loadFixture(pg);
      await loadFixture(lite);
      const strip = (r: { rows: Record<string, unknown>[] }) => r.rows.map(({ companyId: _c, licenseId: _l, ...rest }) => rest);
      for (const q of ['groupBy=month', 'groupBy=quarter', 'groupBy=year', 'groupBy=fiscalYear,destination', 'groupBy=company,deviceCategory', 'groupBy=license,technology,hsCode', 'groupBy=month,destination&from=2021-01-01&to=2022-12-31']) {
        const [a, b] = [await report(pg, q), await report(lite, q)];
        expect(strip(a), q).toEqual(strip(b));
        expect(a.totals, q).toEqual(b.totals);
      }
      const pub = async (x: TestApp) => (await x.anon.get('/public/v1/exports?groupBy=fiscalYear,destination').expect(200)).body;
      expect((await pub(pg)).rows).toEqual((await pub(lite)).rows);
    } finally {
      await lite.close();
      await pg.close();
    }
  });
});
