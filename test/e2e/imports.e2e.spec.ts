import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { runCli } from '../../src/cli/commands.js';
import { luhnCheckDigit } from '../../src/common/imei.js';
import { loadConfig } from '../../src/config/config.js';
import { startApp, type TestApp, testLogEnv } from '../support/app.js';
import { makeLicense, shipmentBody, voidShipment } from '../support/factories.js';

const HEADER = 'licenseNumber,reference,shippedOn,destinationCountry,units,deviceCategory,technology,brand,model,hsCode,fobValue';
/** A valid IMEI from a 14-digit body. */
const imei = (n: number) => {
  const body = `35693803${String(n).padStart(6, '0')}`;
  return `${body}${luhnCheckDigit(body)}`;
};

describe('CSV import of shipments', () => {
  let t: TestApp;
  let license: { id: string; licenseNumber: string; companyId: string };
  beforeAll(async () => {
    t = await startApp({ seed: true });
    license = await makeLicense(t, { issuedOn: '2021-04-09', licenseNumber: 'IMP-1' });
  });
  afterAll(() => t?.close());

  const post = (csv: string | Buffer, mode?: string) =>
    t.http.post(`/api/v1/imports/shipments${mode ? `?mode=${mode}` : ''}`).set('Content-Type', 'text/csv').send(typeof csv === 'string' ? Buffer.from(csv) : csv);
  const count = async () => (await t.http.get(`/api/v1/shipments?licenseId=${license.id}`).expect(200)).body.total;
  const row = (ref: string, o: Partial<Record<string, string>> = {}) => {
    const v: Record<string, string | undefined> = { licenseNumber: 'IMP-1', reference: ref, shippedOn: '2021-08-13', destinationCountry: 'AE', units: '100', deviceCategory: 'SMARTPHONE', technology: '4G', brand: '', model: '', hsCode: '', fobValue: '', ...o };
    return HEADER.split(',').map((c) => (/[",\n]/.test(v[c] ?? '') ? `"${(v[c] ?? '').replace(/"/g, '""')}"` : (v[c] ?? ''))).join(',');
  };

  it('imports the sample file in the repo (with its IMEIs) on the reference data', async () => {
    const res = await t.http
      .post('/api/v1/imports/shipments')
      .attach('file', readFileSync('test/fixtures/shipments-sample.csv'), 'shipments-sample.csv')
      .attach('imeis', readFileSync('test/fixtures/shipments-sample-imeis.csv'), 'shipments-sample-imeis.csv')
      .expect(201);
    expect(res.body).toMatchObject({ outcome: 'COMMITTED', fileName: 'shipments-sample.csv', rowsRead: 3, rowsValid: 3, rowsCreated: 3, rowsFailed: 0, imeis: { read: 3, created: 3, failed: 0 }, errors: [] });
    expect(res.body.fileSha256).toMatch(/^[0-9a-f]{64}$/);
    const listed = (await t.http.get('/api/v1/shipments?limit=100').expect(200)).body.items;
    const sample = listed.find((s: { reference: string }) => s.reference === 'SAMPLE-INOVI-2021-09-01');
    expect(sample).toMatchObject({ units: 1200, fobValue: '27500.00', model: 'A1, 64 GB', hsCode: '8517.12', licenseNumber: 'MDM-2021-0001' });
    const lucky = listed.find((s: { reference: string }) => s.reference === 'SAMPLE-LUCKY-2022-03-10');
    expect(lucky).toMatchObject({ units: 3, model: 'Galaxy A03\n(export batch)', hsCode: '8517.13' });
    const trace = (await t.http.get('/api/v1/devices/356938035643809').expect(200)).body;
    expect(trace).toMatchObject({ tac: '35693803', shipment: { reference: 'SAMPLE-LUCKY-2022-03-10', destinationCountry: 'AE' }, license: { licenseNumber: 'MDM-2021-0002' } });
  });

  it('reads numbers only when they are unambiguous, and names each bad value', async () => {
    const good = [row('N-1', { units: '5500' }), row('N-2', { units: '5,500' }), row('N-3', { fobValue: '1234.56' }), row('N-4', { fobValue: '1,234.56' })];
    const res = await post([HEADER, ...good].join('\n'), 'validate').expect(200);
    expect(res.body).toMatchObject({ outcome: 'VALIDATED', rowsRead: 4, rowsValid: 4, rowsFailed: 0 });
    const bad: [string, Partial<Record<string, string>>, string][] = [
      ['units', { units: '55,00' }, '"55,00"'],
      ['units', { units: '5.500' }, '"5.500"'],
      ['units', { units: '5500.0' }, '"5500.0"'],
      ['units', { units: '5.5e3' }, '"5.5e3"'],
      ['units', { units: '-5' }, '"-5"'],
      ['units', { units: '0,500' }, '"0,500"'],
      ['units', { units: '005500' }, '"005500"'],
      ['units', { units: '' }, 'empty'],
      ['fobValue', { fobValue: '1.234,56' }, '"1.234,56"'],
      ['shippedOn', { shippedOn: '13/08/2021' }, '"13/08/2021"'],
      ['shippedOn', { shippedOn: '08/13/2021' }, '"08/13/2021"'],
      ['shippedOn', { shippedOn: '44421' }, 'spreadsheet date serial'],
    ];
    const csv = [HEADER, ...bad.map(([, o], i) => row(`B-${i}`, o))].join('\n');
    const rejected = await post(csv, 'validate').expect(422);
    expect(rejected.headers['content-type']).toMatch(/problem\+json/);
    const { report } = rejected.body;
    expect(report).toMatchObject({ outcome: 'REJECTED', rowsRead: bad.length, rowsValid: 0, rowsFailed: bad.length });
    bad.forEach(([column, , shown], i) => {
      expect(report.errors[i], `${column} ${shown}`).toMatchObject({ file: 'shipments', row: i + 2, column });
      expect(report.errors[i].message).toContain(shown);
    });
  });

  it('reads UTF-8 with a BOM, CRLF line ends, and quoted fields with commas and newlines', async () => {
    const csv = `\uFEFF${HEADER}\r\n${row('Q-1', { model: 'Model "X", 2 SIM\r\nsecond line', brand: 'Ünïbrand' })}\r\n`;
    const res = await post(csv).expect(201);
    expect(res.body).toMatchObject({ rowsCreated: 1 });
    const stored = (await t.http.get(`/api/v1/shipments?licenseId=${license.id}&limit=100`).expect(200)).body.items.find((s: { reference: string }) => s.reference === 'Q-1');
    expect(stored).toMatchObject({ model: 'Model "X", 2 SIM\r\nsecond line', brand: 'Ünïbrand' });
  });

  it('is all or nothing: one bad row in the middle writes nothing, and the report says which', async () => {
    const before = await count();
    const rows = Array.from({ length: 1200 }, (_, i) => row(`AON-${i}`, i === 600 ? { destinationCountry: 'UAE' } : {}));
    const res = await post([HEADER, ...rows].join('\n')).expect(422);
    expect(res.body.report).toMatchObject({ outcome: 'REJECTED', rowsRead: 1200, rowsValid: 1199, rowsFailed: 1, rowsCreated: 0 });
    expect(res.body.report.errors).toEqual([expect.objectContaining({ row: 602, column: 'destinationCountry', message: expect.stringContaining('use "AE"') })]);
    expect(await count()).toBe(before);
    const rules = await post([HEADER, row('R-1', { shippedOn: '2021-04-08' }), row('R-2', { licenseNumber: 'NOPE-1' }), row('R-3', { hsCode: '8517.13' })].join('\n'), 'validate').expect(422);
    expect(rules.body.report.errors.map((e: { row: number; column: string }) => `${e.row}:${e.column}`)).toEqual(['2:shippedOn', '3:licenseNumber', '4:hsCode']);
    expect(rules.body.report.errors[0].message).toContain('NOT_YET_EFFECTIVE');
  });

  it('validate mode writes nothing; commit writes every row in one go', async () => {
    const before = await count();
    const csv = [HEADER, row('V-1'), row('V-2')].join('\n');
    await post(csv, 'validate').expect(200);
    expect(await count()).toBe(before);
    await post(csv, 'commit').expect(201);
    expect(await count()).toBe(before + 2);
  });

  it('re-importing the same file skips identical rows; a conflicting row is an error; a duplicate in the file too', async () => {
    const csv = [HEADER, row('RI-1', { units: '10' }), row('RI-2', { units: '20' })].join('\n');
    expect((await post(csv).expect(201)).body).toMatchObject({ rowsCreated: 2, rowsSkipped: 0 });
    const again = await post(csv).expect(201);
    expect(again.body).toMatchObject({ outcome: 'COMMITTED', rowsCreated: 0, rowsSkipped: 2, rowsValid: 2 });
    const conflict = await post([HEADER, row('RI-1', { units: '11' })].join('\n')).expect(422);
    expect(conflict.body.report.errors[0]).toMatchObject({ row: 2, column: 'units' });
    expect(conflict.body.report.errors[0].message).toContain('already recorded');
    const twice = await post([HEADER, row('DUP-1'), row('DUP-1')].join('\n')).expect(422);
    expect(twice.body.report.errors[0]).toMatchObject({ row: 3, column: 'reference' });
  });

  it('a reference twice in one file is found in another batch too (by the import that stored it); its shipments name the import', async () => {
    const rows = [row('FAR-0', { units: '1' }), ...Array.from({ length: 600 }, (_, i) => row(`FAR-${i + 1}`, { units: '1' })), row('FAR-0', { units: '1' })];
    const far = await post([HEADER, ...rows].join('\n')).expect(422);
    expect(far.body.report.errors).toEqual([expect.objectContaining({ row: 603, column: 'reference', message: 'FAR-0 appears twice in this file for the same exporter' })]);
    const ok = await post([HEADER, row('NAMED-1', { units: '1' })].join('\n')).expect(201);
    const [stored] = await t.app.get(DataSource).query(`SELECT import_id AS "importId" FROM shipments WHERE reference = 'NAMED-1'`);
    expect(stored.importId).toBe(ok.body.importId);
  });

  it('reads a file in the charset its Content-Type names; the same bytes without it are refused naming row and column, nothing written', async () => {
    // Saved by Excel as plain "CSV" on Windows: Windows-1252, é and ñ one byte each.
    const latin = Buffer.from([HEADER, row('ENC-1'), row('ENC-2', { brand: 'Café', model: 'Señal 5' })].join('\r\n'), 'latin1');
    const before = await count();
    for (const mode of ['commit', 'validate']) {
      const refused = await post(latin, mode).expect(422);
      expect(refused.headers['content-type']).toMatch(/problem\+json/);
      expect(refused.body.code).toBe('IMPORT_REJECTED');
      expect(refused.body.report.errors).toEqual([{ file: 'shipments', row: 3, column: 'brand', message: expect.stringContaining('"CSV UTF-8"') }]);
      expect(refused.body.report.errors[0].message).toContain('charset');
      expect(refused.body.detail).toContain('brand');
    }
    // Past the first batch of rows too, the answer names the fault rather than counting valid rows.
    const late = Buffer.concat([Buffer.from([HEADER, ...Array.from({ length: 600 }, (_, i) => row(`ENC-L${i}`)), ''].join('\n')), Buffer.from(row('ENC-L600', { brand: 'Café' }), 'latin1')]);
    const lateRefused = await post(late, 'validate').expect(422);
    expect(lateRefused.body.report.errors).toEqual([expect.objectContaining({ row: 602, column: 'brand' })]);
    expect(lateRefused.body.detail).toContain('brand: has bytes that are not valid UTF-8');
    expect(await count()).toBe(before);
    const res = await t.http.post('/api/v1/imports/shipments').set('Content-Type', 'text/csv; charset=windows-1252').send(latin).expect(201);
    expect(res.body).toMatchObject({ rowsCreated: 2, errors: [] });
    const stored = (await t.http.get(`/api/v1/shipments?licenseId=${license.id}&limit=100`).expect(200)).body.items.find((s: { reference: string }) => s.reference === 'ENC-2');
    expect(stored).toMatchObject({ brand: 'Café', model: 'Señal 5' });
    expect((await t.http.get(`/api/v1/shipments/${stored.id}`).expect(200)).body.brand).toBe('Café');
    // UTF-16 with its BOM, as sent: no charset needed.
    const utf16 = Buffer.from(`\uFEFF${[HEADER, row('ENC-3', { brand: 'Ünïbrand' })].join('\r\n')}`, 'utf16le');
    await post(utf16).expect(201);
    expect((await t.http.get(`/api/v1/shipments?licenseId=${license.id}&limit=100`).expect(200)).body.items.find((s: { reference: string }) => s.reference === 'ENC-3').brand).toBe('Ünïbrand');
  });

  it('multipart: the charset parameter names the files\' charset (the parser does not pass on a part\'s own); without it the bytes are refused, never stored wrong', async () => {
    const latin = Buffer.from([HEADER, row('ENC-M1', { brand: 'Crème' })].join('\n'), 'latin1');
    const part = { filename: 'latin.csv', contentType: 'text/csv; charset=windows-1252' };
    const refused = await t.http.post('/api/v1/imports/shipments').attach('file', latin, part).expect(422);
    expect(refused.body.report.errors).toEqual([expect.objectContaining({ row: 2, column: 'brand', message: expect.stringContaining('"CSV UTF-8"') })]);
    await t.http.post('/api/v1/imports/shipments?charset=windows-1252').attach('file', latin, part).expect(201);
    const stored = (await t.http.get(`/api/v1/shipments?licenseId=${license.id}&limit=100`).expect(200)).body.items.find((s: { reference: string }) => s.reference === 'ENC-M1');
    expect(stored.brand).toBe('Crème');
  });

  it('an unknown charset is a 415 naming it, before the file is read; two charsets that disagree are a 400', async () => {
    const csv = Buffer.from([HEADER, row('ENC-X')].join('\n'));
    const header = await t.http.post('/api/v1/imports/shipments').set('Content-Type', 'text/csv; charset=klingon').send(csv).expect(415);
    expect(header.headers['content-type']).toMatch(/problem\+json/);
    expect(header.body).toMatchObject({ code: 'UNSUPPORTED_CHARSET', errors: [{ field: 'charset' }] });
    expect(header.body.detail).toContain('"klingon"');
    const query = await t.http.post('/api/v1/imports/shipments?charset=klingon').attach('file', csv, 'a.csv').expect(415);
    expect(query.body.detail).toContain('"klingon"');
    const both = await t.http.post('/api/v1/imports/shipments?charset=utf-8').set('Content-Type', 'text/csv; charset=windows-1252').send(csv).expect(400);
    expect(both.body.errors).toEqual([expect.objectContaining({ field: 'charset' })]);
    expect((await t.http.get('/api/v1/shipments?limit=100').expect(200)).body.items.some((s: { reference: string }) => s.reference === 'ENC-X')).toBe(false);
  });

  it('npm run cli -- import shipments FILE --charset windows-1252', async () => {
    const file = join(tmpdir(), `import-cli-${process.pid}.csv`);
    writeFileSync(file, Buffer.from([HEADER, row('ENC-CLI', { brand: 'Ñandú' })].join('\n'), 'latin1'));
    const config = loadConfig({ DATABASE_URL: t.database.engine === 'sqlite' ? `sqlite:${t.database.path}` : t.database.url, SEED: 'false', LOG_LEVEL: 'silent', ...testLogEnv() });
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), write: (l: string) => out.push(l), err: (l: string) => out.push(l), readSecret: async () => '' };
    try {
      expect(await runCli(['import', 'shipments', file, '--mode', 'validate'], config, io)).toBe(1);
      expect(out.join('\n')).toContain('CSV UTF-8');
      expect(await runCli(['import', 'shipments', file, '--charset', 'klingon'], config, io)).toBe(2);
      expect(out.at(-1)).toContain('klingon');
      expect(await runCli(['import', 'shipments', file, '--charset', 'windows-1252'], config, io)).toBe(0);
    } finally {
      rmSync(file, { force: true });
    }
    const stored = (await t.http.get(`/api/v1/shipments?licenseId=${license.id}&limit=100`).expect(200)).body.items.find((s: { reference: string }) => s.reference === 'ENC-CLI');
    expect(stored.brand).toBe('Ñandú');
  });

  it('refuses unknown or missing columns, and an empty file', async () => {
    const res = await post('licenseNumber,reference,shippedOn,units,color\nIMP-1,X,2021-08-13,1,red\n', 'validate').expect(422);
    expect(res.body.report.errors.map((e: { column: string }) => e.column).sort()).toEqual(['color', 'destinationCountry', 'deviceCategory']);
    await post('', 'validate').expect(422);
    await t.http.post('/api/v1/imports/shipments').set('Content-Type', 'application/json').send({ a: 1 }).expect(400);
  });

  it('IMEIs: 15 digits checked, 14 completed, 16 (IMEISV) cut; scientific notation, letters and wrong check digits refused', async () => {
    const imeis = [imei(1), imei(2).slice(0, 14), `${imei(3).slice(0, 14)}07`, '3.56938E+14', '35693803ABCDEF1', `${imei(4).slice(0, 14)}${(Number(imei(4)[14]) + 1) % 10}`];
    const shipments = [HEADER, row('IM-1', { units: '3' })].join('\n');
    const file = ['imei,reference', ...imeis.map((i) => `${i},IM-1`)].join('\n');
    const res = await t.http.post('/api/v1/imports/shipments?mode=validate').attach('file', Buffer.from(shipments), 's.csv').attach('imeis', Buffer.from(file), 'i.csv').expect(422);
    const errors = res.body.report.errors;
    expect(errors.map((e: { row: number; column: string }) => `${e.row}:${e.column}`)).toEqual(['5:imei', '6:imei', '7:imei']);
    expect(errors[0].message).toContain('scientific notation');
    expect(errors[1].message).toContain('digits only');
    expect(errors[2].message).toContain('wrong check digit');
    const ok = await t.http.post('/api/v1/imports/shipments').attach('file', Buffer.from(shipments), 's.csv').attach('imeis', Buffer.from(['imei,reference', ...imeis.slice(0, 3).map((i) => `${i},IM-1`)].join('\n')), 'i.csv').expect(201);
    expect(ok.body.imeis).toMatchObject({ read: 3, created: 3 });
    for (const n of [1, 2, 3]) expect((await t.http.get(`/api/v1/devices/${imei(n)}`).expect(200)).body.shipment.reference).toBe('IM-1');
  });

  it('a device is exported once: an IMEI of another shipment, across files, is a conflict naming it; counts must equal units', async () => {
    const first = await t.http.post('/api/v1/imports/shipments').attach('file', Buffer.from([HEADER, row('IC-1', { units: '1' })].join('\n')), 'a.csv').attach('imeis', Buffer.from(`imei,reference\n${imei(10)},IC-1\n`), 'a-imeis.csv').expect(201);
    expect(first.body.imeis.created).toBe(1);
    const owner = (await t.http.get(`/api/v1/devices/${imei(10)}`).expect(200)).body.shipment.id;
    const second = await t.http.post('/api/v1/imports/shipments').attach('file', Buffer.from([HEADER, row('IC-2', { units: '1' })].join('\n')), 'b.csv').attach('imeis', Buffer.from(`imei,reference\n${imei(10)},IC-2\n`), 'b-imeis.csv').expect(422);
    expect(second.body.report.errors[0]).toMatchObject({ file: 'imeis', row: 2, column: 'imei' });
    expect(second.body.report.errors[0].message).toContain(owner);
    const short = await t.http.post('/api/v1/imports/shipments').attach('file', Buffer.from([HEADER, row('IC-3', { units: '2' })].join('\n')), 'c.csv').attach('imeis', Buffer.from(`imei,reference\n${imei(11)},IC-3\n`), 'c-imeis.csv').expect(422);
    expect(short.body.report.errors[0].message).toContain('would have 1 IMEIs but has 2 units');
    // the IMEI file names only shipments of its own shipments file
    const other = await t.http.post('/api/v1/imports/shipments').attach('file', Buffer.from(HEADER), 'h.csv').attach('imeis', Buffer.from(`imei,reference\n${imei(12)},SEED-INOVI-2021-08-13-AE\n`), 'h-imeis.csv').expect(422);
    expect(other.body.report.errors[0].message).toContain('in the shipments file of this import');
    // re-importing a stored shipment with extra IMEIs breaks its count: refused
    const extra = await t.http.post('/api/v1/imports/shipments').attach('file', Buffer.from([HEADER, row('IC-1', { units: '1' })].join('\n')), 'a.csv').attach('imeis', Buffer.from(`imei,reference\n${imei(10)},IC-1\n${imei(13)},IC-1\n`), 'a2.csv').expect(422);
    expect(extra.body.report.errors[0].message).toContain('would have 2 IMEIs but has 1 units');
    const same = await t.http.post('/api/v1/imports/shipments').attach('file', Buffer.from([HEADER, row('IC-1', { units: '1' })].join('\n')), 'a.csv').attach('imeis', Buffer.from(`imei,reference\n${imei(10)},IC-1\n`), 'a-imeis.csv').expect(201);
    expect(same.body).toMatchObject({ rowsSkipped: 1, imeis: { skipped: 1, created: 0 } });
  });

  it('an IMEI twice in the IMEI file: for one shipment "listed twice", for another shipment of the file the second row names the first; across batches too; nothing written', async () => {
    const attach = (shipments: string[], imeis: string[], mode = 'commit') =>
      t.http.post(`/api/v1/imports/shipments?mode=${mode}`).attach('file', Buffer.from([HEADER, ...shipments].join('\n')), 's.csv').attach('imeis', Buffer.from(['imei,reference', ...imeis].join('\n')), 'i.csv');
    const res = await attach([row('ID-1', { units: '2' }), row('ID-2', { units: '1' })], [`${imei(30)},ID-1`, `${imei(30)},ID-1`, `${imei(31)},ID-1`, `${imei(31)},ID-2`]).expect(422);
    const errors = res.body.report.errors.map((e: { row: number; column: string; message: string }) => `${e.row}:${e.column}:${e.message}`);
    expect(errors).toEqual([
      `3:imei:${imei(30)} is listed twice for shipment ID-1`,
      `5:imei:${imei(31)} was already exported in shipment ID-1 of this file; a device is exported once`,
      '0:reference:shipment ID-1 would have 3 IMEIs but has 2 units; they must be equal (row 0: the file as a whole)',
    ]);
    await t.http.get(`/api/v1/devices/${imei(30)}`).expect(404);
    // The second listing 5,000 lines later (another batch): the same answer.
    const many = Array.from({ length: 5000 }, (_, k) => `${imei(100_000 + k)},ID-3`);
    const across = await attach([row('ID-3', { units: '5001' })], [`${imei(32)},ID-3`, ...many, `${imei(32)},ID-3`], 'validate').expect(422);
    expect(across.body.report.errors.map((e: { row: number; message: string }) => `${e.row}:${e.message}`)).toEqual([
      `5003:${imei(32)} is listed twice for shipment ID-3`,
      '0:shipment ID-3 would have 5002 IMEIs but has 5001 units; they must be equal (row 0: the file as a whole)',
    ]);
    await t.http.get(`/api/v1/devices/${imei(32)}`).expect(404);
  });

  it('POST /shipments takes IMEIs too: count must equal units, a device only once; voiding releases them', async () => {
    const body = shipmentBody(license, { units: 2, imeis: [imei(20), imei(21).slice(0, 14)] });
    const created = (await t.http.post('/api/v1/shipments').send(body).expect(201)).body;
    expect((await t.http.get(`/api/v1/devices/${imei(21)}`).expect(200)).body.shipment.id).toBe(created.id);
    const mismatch = await t.http.post('/api/v1/shipments').send(shipmentBody(license, { units: 3, imeis: [imei(22)] })).expect(400);
    expect(mismatch.body.errors[0].field).toBe('imeis');
    const bad = await t.http.post('/api/v1/shipments').send(shipmentBody(license, { units: 1, imeis: ['3.56938E+14'] })).expect(400);
    expect(bad.body.errors[0]).toMatchObject({ field: 'imeis[0]' });
    const taken = await t.http.post('/api/v1/shipments').send(shipmentBody(license, { units: 1, imeis: [imei(20)] })).expect(409);
    expect(taken.body).toMatchObject({ code: 'IMEI_ALREADY_EXPORTED', shipmentId: created.id });
    await voidShipment(t, created.id, { reason: 'wrong destination' });
    const again = (await t.http.post('/api/v1/shipments').send(shipmentBody(license, { units: 1, imeis: [imei(20)] })).expect(201)).body;
    const trace = (await t.http.get(`/api/v1/devices/${imei(20)}`).expect(200)).body;
    expect(trace.shipment.id).toBe(again.id);
    expect(trace.history).toEqual([expect.objectContaining({ shipmentId: created.id })]);
  });

  it('the public device check says only whether and when', async () => {
    const res = await t.anon.get(`/public/v1/devices/${imei(1)}`).expect(200);
    expect(res.body).toEqual({ imei: imei(1), exported: true, shippedOn: '2021-08-13', byLicensedManufacturer: true });
    const missing = await t.anon.get(`/public/v1/devices/${imei(999)}`).expect(404);
    expect(missing.body).toMatchObject({ code: 'DEVICE_NOT_FOUND', exported: false });
    await t.anon.get('/public/v1/devices/12345').expect(400);
  });

  it('an upload cut off half-way ends the import (nothing written) and never blocks later writes', async () => {
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    for (const contentType of ['text/csv', 'multipart/form-data; boundary=XX']) {
      await new Promise<void>((resolve) => {
        const req = httpRequest({
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/v1/imports/shipments',
          headers: { Authorization: `Bearer ${t.staff.OFFICER.token}`, 'Content-Type': contentType, 'Content-Length': '100000' },
        });
        req.on('error', () => resolve());
        req.write(contentType === 'text/csv' ? `${HEADER}\n${row('CUT-1')}\n` : `--XX\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n${HEADER}\n`);
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 200);
      });
    }
    // the next write goes through at once
    const started = Date.now();
    await t.http.post('/api/v1/shipments').send(shipmentBody(license, { reference: 'AFTER-CUT' })).expect(201);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await t.http.get('/api/v1/shipments?limit=100').expect(200)).body.items.some((x: { reference: string }) => x.reference === 'CUT-1')).toBe(false);
  });

  it('malformed CSV and multipart bodies are 4xx with a report, never 500', async () => {
    const quote = await post([HEADER, row('QQ-1').replace(',4G,', ',4G" LTE,')].join('\n'), 'validate').expect(422);
    expect(quote.body.report.errors[0].message).toMatch(/not readable as CSV/);
    // A binary file: the message names the fault in a line, without echoing the file (no control characters).
    const binary = Buffer.concat([Buffer.from('x'), Buffer.alloc(30_000, 0x00), Buffer.from('"y\n')]);
    const refused = await post(Buffer.concat([Buffer.from(`${HEADER}\n`), binary]), 'validate').expect(422);
    const message: string = refused.body.report.errors[0].message;
    expect(message).toMatch(/not readable as CSV/);
    expect(message.length).toBeLessThan(300);
    expect(message).not.toMatch(/\p{Cc}/u);
    expect(refused.body.detail.length).toBeLessThan(400);
    // ... and a huge cell quoted by a message is cut to a line.
    const huge = await post([HEADER, row('HUGE-1', { units: '9'.repeat(200_000) + 'x' })].join('\n'), 'validate').expect(422);
    for (const e of huge.body.report.errors) expect(e.message.length).toBeLessThanOrEqual(300);
    await post(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe, 0x00, 0x22, 0x0a, 0x22]), 'validate').expect(422);
    await t.http.post('/api/v1/imports/shipments').set('Content-Type', 'multipart/form-data').send('nothing').expect(400);
    const third = await t.http
      .post('/api/v1/imports/shipments?mode=validate')
      .attach('file', Buffer.from([HEADER, row('T3-1', { units: '1' })].join('\n')), 'a.csv')
      .attach('imeis', Buffer.from(`imei,reference\n${imei(500)},T3-1\n`), 'b.csv')
      .attach('extra', Buffer.from('x'), 'c.csv');
    expect(third.status).toBe(400);
  });

  it('Idempotency-Key on imports follows the files: same files replay, other files are refused; concurrent imports count once', async () => {
    const a = [HEADER, row('IK-A', { units: '10' })].join('\n');
    const b = [HEADER, row('IK-B', { units: '90' })].join('\n');
    expect(a.length).toBe(b.length);
    const first = await post(a).set('Idempotency-Key', 'imp-key-1').expect(201);
    const again = await post(a).set('Idempotency-Key', 'imp-key-1').expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    const other = await post(b).set('Idempotency-Key', 'imp-key-1').expect(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const multi = () => t.http.post('/api/v1/imports/shipments').set('Idempotency-Key', 'imp-key-2').attach('file', Buffer.from(b), 'b.csv');
    await multi().expect(201);
    expect((await multi().expect(201)).headers['idempotent-replayed']).toBe('true'); // a new multipart boundary, the same file
    const c = [HEADER, ...Array.from({ length: 300 }, (_, i) => row(`CC-${i}`, { units: '2' }))].join('\n');
    const results = await Promise.all([post(c), post(c), post(c)]);
    expect(results.filter((r) => r.status === 201)).not.toHaveLength(0);
    for (const r of results) expect([201, 422]).toContain(r.status);
    const stored = (await t.http.get(`/api/v1/reports/exports?groupBy=year&companyId=${license.companyId}&from=2021-08-13&to=2021-08-13`).expect(200)).body;
    expect(stored.totals.units).toBeGreaterThanOrEqual(600);
    const audit = (await t.http.get(`/api/v1/audit?entityType=shipment&action=shipment.recorded&limit=1`).expect(200)).body;
    expect(audit.items[0].reason).toMatch(/^import /);
    expect((await t.http.get('/api/v1/audit/verify').expect(200)).body.ok).toBe(true);
  });

  it('lists import runs: who, when, file, hash, counts and outcome; a committed import is audited', async () => {
    const runs = (await t.http.get('/api/v1/imports?limit=100').expect(200)).body;
    expect(runs.total).toBeGreaterThan(5);
    expect(runs.items.map((r: { outcome: string }) => r.outcome)).toEqual(expect.arrayContaining(['COMMITTED', 'REJECTED', 'VALIDATED']));
    expect(runs.items.find((r: { outcome: string }) => r.outcome === 'COMMITTED')).toMatchObject({ actorId: t.staff.OFFICER.id, kind: 'shipments', fileSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const audit = (await t.http.get('/api/v1/audit?entityType=import').expect(200)).body;
    expect(audit.items[0]).toMatchObject({ action: 'import.committed', actorId: t.staff.OFFICER.id });
    await t.as('ANALYST').post('/api/v1/imports/shipments').set('Content-Type', 'text/csv').send(HEADER).expect(403);
  });
});
