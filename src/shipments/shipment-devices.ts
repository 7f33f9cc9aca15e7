import type { EntityManager } from 'typeorm';
import { normaliseImei } from '../common/imei.js';
import { Problem } from '../common/problem.js';
import type { CreateShipmentDto } from './dto/shipment.dto.js';
import { bulkInsert } from '../database/bulk-insert.js';
import { Device } from './device.entity.js';

// The devices of shipments (devices: IMEI -> shipment number; device_releases: a voided shipment's devices), in
// the caller's transaction. A device is exported once: in at most one unvoided shipment.

/** 409 IMEI_ALREADY_EXPORTED naming the shipment, when a device is already in another (unvoided) shipment. */
export async function assertDevicesFree(m: EntityManager, imeis: string[]): Promise<void> {
  const [taken] = await exportedIn(m, imeis);
  if (taken) {
    throw Problem.conflict('IMEI_ALREADY_EXPORTED', `IMEI ${taken.imei} was already exported in shipment ${taken.shipmentId}; a device is exported once`, [
      { field: 'imeis', message: `${taken.imei} is in shipment ${taken.shipmentId}` },
    ], { imei: taken.imei, shipmentId: taken.shipmentId });
  }
}

/**
 * Which of these IMEIs are exported now, and in which shipment: primary-key lookups, 5,000 per statement; the
 * shipments' ids are then read only for the devices found (usually none), so no join is planned per batch.
 */
export async function exportedIn(m: EntityManager, imeis: string[]): Promise<{ imei: string; shipmentId: string; shipmentNo: number }[]> {
  const postgres = m.connection.options.type === 'postgres';
  const marks = (n: number) => Array.from({ length: n }, (_, k) => (postgres ? `$${k + 1}` : '?')).join(', ');
  const taken: { imei: string; no: number }[] = [];
  for (let i = 0; i < imeis.length; i += 5000) {
    const chunk = imeis.slice(i, i + 5000);
    const rows: { imei: string | number; no: string | number }[] = await m.query(`SELECT imei, shipment_no AS no FROM devices WHERE imei IN (${marks(chunk.length)})`, chunk.map(Number));
    for (const r of rows) taken.push({ imei: String(r.imei).padStart(15, '0'), no: Number(r.no) });
  }
  if (!taken.length) return [];
  const ids = new Map<number, string>();
  const nos = [...new Set(taken.map((t) => t.no))];
  for (let i = 0; i < nos.length; i += 5000) {
    const chunk = nos.slice(i, i + 5000);
    const rows: { id: string; no: string | number }[] = await m.query(`SELECT id, no FROM shipments WHERE no IN (${marks(chunk.length)})`, chunk);
    for (const r of rows) ids.set(Number(r.no), r.id);
  }
  return taken.map((t) => ({ imei: t.imei, shipmentNo: t.no, shipmentId: ids.get(t.no)! }));
}

/**
 * Adds the devices not on record yet to their shipments (by number) and answers which were added: the insert
 * checks each IMEI by the primary key it writes (`ON CONFLICT (imei) DO NOTHING`), so no device needs a lookup of
 * its own before. On PostgreSQL the rows go as two arrays (`unnest`) and the insert returns the IMEIs it added. On
 * SQLite the rows go as multi-row VALUES inside a savepoint, and the number of rows written says whether all were
 * added (an import's usual case); when some were not, the savepoint is rolled back and the insert made again
 * returning the IMEIs it adds (returning a million IMEIs cost a third of the insert's time). The caller passes
 * each IMEI once.
 */
export async function addFreeDevices(m: EntityManager, devices: { imei: string; shipmentNo: number }[]): Promise<Set<string>> {
  const added = new Set<string>();
  const postgres = m.connection.options.type === 'postgres';
  const perStatement = postgres ? 10_000 : 15_000;
  for (let i = 0; i < devices.length; i += perStatement) {
    const chunk = devices.slice(i, i + perStatement);
    if (postgres) {
      const rows: { imei: string }[] = await m.query('INSERT INTO devices (imei, shipment_no) SELECT * FROM unnest($1::bigint[], $2::bigint[]) ON CONFLICT (imei) DO NOTHING RETURNING imei', [
        `{${chunk.map((d) => Number(d.imei)).join(',')}}`,
        `{${chunk.map((d) => d.shipmentNo).join(',')}}`,
      ]);
      for (const r of rows) added.add(String(r.imei).padStart(15, '0'));
      continue;
    }
    const params: number[] = [];
    for (const d of chunk) params.push(Number(d.imei), d.shipmentNo);
    const insert = `INSERT INTO devices (imei, shipment_no) VALUES ${'(?, ?), '.repeat(chunk.length - 1)}(?, ?) ON CONFLICT (imei) DO NOTHING`;
    await m.query('SAVEPOINT add_free_devices');
    const written = await m.queryRunner!.query(insert, params, true);
    if (written.affected === chunk.length) {
      for (const d of chunk) added.add(d.imei);
    } else {
      await m.query('ROLLBACK TO add_free_devices');
      const rows: { imei: number }[] = await m.query(`${insert} RETURNING imei`, params);
      for (const r of rows) added.add(String(r.imei).padStart(15, '0'));
    }
    await m.query('RELEASE add_free_devices');
  }
  return added;
}

/** How many devices each of these shipments (by number) has, by number (0 when none). */
export async function deviceCounts(m: EntityManager, nos: number[]): Promise<Map<number, number>> {
  const counts = new Map<number, number>(nos.map((no) => [no, 0]));
  for (let i = 0; i < nos.length; i += 500) {
    const rows = await m
      .createQueryBuilder(Device, 'd')
      .select('d.shipment_no', 'no')
      .addSelect('COUNT(*)', 'devices')
      .where('d.shipment_no IN (:...nos)', { nos: nos.slice(i, i + 500) })
      .groupBy('d.shipment_no')
      .getRawMany<{ no: string | number; devices: string | number }>();
    for (const r of rows) counts.set(Number(r.no), Number(r.devices));
  }
  return counts;
}

/** Records the devices of a shipment (by its number), in multi-row inserts. */
export async function insertDevices(m: EntityManager, shipmentNo: number, devices: { imei: string }[]): Promise<void> {
  await bulkInsert(m, Device, devices.map((d) => Object.assign(new Device(), { imei: d.imei, shipmentNo })));
}

/** Moves a voided shipment's devices to device_releases (stamped `at`). */
export async function releaseDevices(m: EntityManager, shipmentNo: number, at: Date): Promise<void> {
  const p = (i: number) => (m.connection.options.type === 'postgres' ? `$${i}` : '?');
  await m.query(`INSERT INTO device_releases (imei, shipment_no, released_at) SELECT imei, shipment_no, ${p(1)} FROM devices WHERE shipment_no = ${p(2)}`, [at.toISOString(), shipmentNo]);
  await m.query(`DELETE FROM devices WHERE shipment_no = ${p(1)}`, [shipmentNo]);
}

/** IMEIs normalised (see common/imei.ts), distinct, and as many as the units; 400 naming the first bad one. */
export function devicesOf(input: Pick<CreateShipmentDto, 'imeis' | 'units'>): { imei: string; tac: string }[] {
  if (!input.imeis) return [];
  const devices: { imei: string; tac: string }[] = [];
  const seen = new Set<string>();
  input.imeis.forEach((raw, i) => {
    const result = normaliseImei(raw);
    if ('error' in result) throw Problem.validation([{ field: `imeis[${i}]`, message: result.error }]);
    if (seen.has(result.imei)) throw Problem.validation([{ field: `imeis[${i}]`, message: `${result.imei} is listed twice` }]);
    seen.add(result.imei);
    devices.push(result);
  });
  if (devices.length !== input.units) {
    throw Problem.validation([{ field: 'imeis', message: `lists ${devices.length} devices but units is ${input.units}; they must be equal` }]);
  }
  return devices;
}
