import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { WRITER } from '../../src/database/writer.js';
import { runCli } from '../../src/cli/commands.js';
import { loadConfig } from '../../src/config/config.js';
import { sumCells } from '../../src/reports/reports.service.js';
import { TIME_DIMENSIONS } from '../../src/shipments/export-dimensions.js';
import { type ExportCell, ExportQueries } from '../../src/shipments/export-queries.js';
import { verifyRollup } from '../../src/shipments/export-rollup.js';
import { engine, startApp, type TestApp, testLogEnv } from '../support/app.js';
import { makeLicense, voidShipment } from '../support/factories.js';

/** A small deterministic generator (mulberry32), so that a failing sequence can be replayed from its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] };
}

const DESTINATIONS = ['AE', 'SA', 'GB', 'KE'] as const;
const CATEGORIES = ['SMARTPHONE', 'FEATURE_PHONE', 'TABLET', 'OTHER'] as const;

describe('the export rollup always equals the shipments it sums', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lr-rollup-'));
    t = engine === 'sqlite' ? await startApp({ sqliteFile: join(dir, 'registry.sqlite') }) : await startApp();
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('after random recordings, voids, imports (committed, validated and rejected) and refused writes', async () => {
    const seed = 20261129;
    const r = random(seed);
    const licenses = [await makeLicense(t, { licenseNumber: 'RU-1' }), await makeLicense(t, { licenseNumber: 'RU-2' }), await makeLicense(t, { licenseNumber: 'RU-3', issuedOn: '2022-03-01' })];
    const recorded: string[] = [];
    const seen = { recorded: 0, voided: 0, imported: 0, rejected: 0, validated: 0 };
    let n = 0;
    const day = () => `202${2 + r.int(2)}-${String(1 + r.int(12)).padStart(2, '0')}-${String(1 + r.int(28)).padStart(2, '0')}`;
    const row = () => {
      const fob = r.next() < 0.5 ? undefined : `${r.int(100000)}.${String(r.int(100)).padStart(2, '0')}`;
      return { reference: `RU-${++n}`, shippedOn: day(), destinationCountry: r.pick(DESTINATIONS), units: 1 + r.int(5000), deviceCategory: r.pick(CATEGORIES), technology: r.pick(['4G', '5G', undefined]), fobValue: fob };
    };
    const ds = t.app.get(DataSource);
    for (let step = 1; step <= 100; step++) {
      const choice = r.next();
      if (choice < 0.45) {
        const res = await t.http.post('/api/v1/shipments').send({ licenseId: r.pick(licenses).id, ...row() });
        expect([201, 409, 422], res.text).toContain(res.status);
        if (res.status === 201) {
          recorded.push(res.body.id);
          seen.recorded++;
        }
      } else if (choice < 0.6 && recorded.length) {
        const id = recorded.splice(r.int(recorded.length), 1)[0];
        expect((await voidShipment(t, id, { reason: `random void ${step}` })).status).toBe(200);
        seen.voided++;
      } else if (choice < 0.65 && recorded.length) {
        // Voiding twice is refused and changes nothing.
        const res = await t.http.get('/api/v1/shipments?status=VOIDED&limit=1').expect(200);
        if (res.body.items[0]) expect((await voidShipment(t, res.body.items[0].id, { reason: 'again' })).status).toBe(409);
      } else {
        const license = r.pick(licenses);
        const rows = Array.from({ length: 1 + r.int(6) }, row);
        const bad = r.next() < 0.25;
        const mode = r.next() < 0.35 ? 'validate' : 'commit';
        const csv = ['licenseNumber,reference,shippedOn,destinationCountry,units,deviceCategory,technology,fobValue']
          .concat(rows.map((x, i) => [license.licenseNumber, x.reference, x.shippedOn, x.destinationCountry, bad && i === rows.length - 1 ? 'many' : x.units, x.deviceCategory, x.technology ?? '', x.fobValue ?? ''].join(',')))
          .join('\n');
        const res = await t.http.post(`/api/v1/imports/shipments?mode=${mode}`).set('Content-Type', 'text/csv').send(`${csv}\n`);
        expect([200, 201, 422], res.text).toContain(res.status);
        if (res.status === 201) {
          seen.imported++;
          for (const id of (await t.http.get(`/api/v1/shipments?licenseId=${license.id}&limit=100`).expect(200)).body.items.filter((s: { status: string }) => s.status === 'RECORDED').map((s: { id: string }) => s.id)) {
            if (!recorded.includes(id)) recorded.push(id);
          }
        } else if (res.status === 422) seen.rejected++;
        else seen.validated++;
      }
      if (step % 20 === 0) expect((await verifyRollup(ds.manager)).differences, `seed ${seed}, step ${step}`).toEqual([]);
    }
    const { cells, differences } = await verifyRollup(ds.manager);
    expect(differences).toEqual([]);
    for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(0);
    expect(cells).toBeGreaterThan(10);
  });

  it("a chart's totals by period, summed from its cells by period and series, equal the cells the database sums by period", async () => {
    const queries = t.app.get(ExportQueries);
    const m = t.app.get(DataSource).manager;
    const r = random(20261130);
    const normal = (cells: ExportCell[], period: string) =>
      cells
        .map((c) => ({ period: String(c[period]), shipments: Number(c.shipments), units: Number(c.units), fob: c.fob === null ? null : String(c.fob).split('.')[0], withFob: Number(c.withFob) }))
        .sort((a, b) => a.period.localeCompare(b.period));
    const day = () => `202${2 + r.int(2)}-${String(1 + r.int(12)).padStart(2, '0')}-${String(1 + r.int(28)).padStart(2, '0')}`;
    let compared = 0;
    for (const period of TIME_DIMENSIONS) {
      for (const stack of ['destination', 'deviceCategory'] as const) {
        for (const range of [{}, { from: day() }, { to: day() }, { from: '2022-01-01', to: day() }, { destination: 'AE' }]) {
          const filter = 'from' in range && 'to' in range && range.from! > range.to! ? { from: range.to, to: range.from } : range;
          const coarse = normal(await queries.cells(filter, [period], m), period);
          expect(normal(sumCells(await queries.cells(filter, [period, stack], m), period), period), `${period} ${stack} ${JSON.stringify(filter)}`).toEqual(coarse);
          compared += coarse.length;
        }
      }
    }
    expect(compared).toBeGreaterThan(40);
  });

  it('npm run cli -- report:verify-rollup finds a tampered cell, and --rebuild repairs it', async () => {
    const config = loadConfig({ DATABASE_URL: t.database.engine === 'sqlite' ? `sqlite:${t.database.path}` : t.database.url, SEED: 'false', LOG_LEVEL: 'silent', ...testLogEnv() });
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), write: (l: string) => out.push(l), err: (l: string) => out.push(l), readSecret: async () => '' };
    expect(await runCli(['report:verify-rollup'], config, io)).toBe(0);
    expect(JSON.parse(out[0])).toMatchObject({ ok: true, differences: 0 });
    const ds = t.app.get<DataSource>(WRITER);
    await ds.query('UPDATE export_rollup SET units = units + 1 WHERE month = (SELECT MIN(month) FROM export_rollup)');
    out.length = 0;
    expect(await runCli(['report:verify-rollup'], config, io)).toBe(1);
    expect(JSON.parse(out[0])).toMatchObject({ ok: false });
    expect(out.join('\n')).toMatch(/--rebuild/);
    const before = await t.anon.get('/public/v1/exports').expect(200);
    expect(await runCli(['report:verify-rollup', '--rebuild'], config, io)).toBe(0);
    expect((await verifyRollup(ds.manager)).differences).toEqual([]);
    // The repair moved the exports version on: the public aggregates are recomputed.
    await t.anon.get('/public/v1/exports').set('If-None-Match', before.headers.etag).expect(200);
  });
});
