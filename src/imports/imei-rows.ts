import type { EntityManager } from 'typeorm';
import { normaliseImei } from '../common/imei.js';
import { addDevices, deviceCounts, exportedIn } from '../shipments/shipment-devices.js';
import type { CsvRow, ImportError } from './csv-reader.js';
import type { FileShipments } from './file-shipments.js';

// An import's IMEI file: one device a line (imei,reference), for shipments of the import's shipments file.

/**
 * One batch of `imei,reference` rows: normalise, find the shipment among this file's shipments (the IMEI file
 * cannot add devices to other shipments), refuse a device already exported elsewhere.
 */
export async function imeiBatch(
  m: EntityManager,
  rows: CsvRow[],
  fail: (e: ImportError) => void,
  inFile: FileShipments,
): Promise<{ created: number; skipped: number }> {
  const parsed: { row: number; imei: string; reference: string; slot: number }[] = [];
  for (const { row, cells } of rows) {
    const result = normaliseImei(cells.imei ?? '');
    const reference = (cells.reference ?? '').trim();
    const matches = inFile.find(reference);
    if ('error' in result) fail({ file: 'imeis', row, column: 'imei', message: result.error });
    else if (!reference) fail({ file: 'imeis', row, column: 'reference', message: 'is empty' });
    else if (matches.length === 0) fail({ file: 'imeis', row, column: 'reference', message: `no shipment with reference ${reference} in the shipments file of this import` });
    else if (matches.length > 1) fail({ file: 'imeis', row, column: 'reference', message: `reference ${reference} belongs to shipments of several exporters in this file; it cannot say which` });
    else parsed.push({ row, imei: result.imei, reference, slot: matches[0] });
  }
  const takenBy = new Map<string, { no: number; in: string }>();
  for (const t of await exportedIn(m, parsed.map((p) => p.imei))) takenBy.set(t.imei, { no: t.shipmentNo, in: `shipment ${t.shipmentId}` });
  const fresh: { imei: string; shipmentNo: number }[] = [];
  const freshImeis = new Set<string>();
  let skipped = 0;
  for (const p of parsed) {
    const owner = takenBy.get(p.imei);
    const no = inFile.no(p.slot);
    inFile.list(p.slot);
    if (owner === undefined) {
      takenBy.set(p.imei, { no, in: `shipment ${p.reference} of this file` });
      freshImeis.add(p.imei);
      fresh.push({ imei: p.imei, shipmentNo: no });
    } else if (owner.no === no && !inFile.created(p.slot) && !freshImeis.has(p.imei)) {
      skipped++; // the same device of the same stored shipment: a re-import
    } else if (owner.no === no) {
      fail({ file: 'imeis', row: p.row, column: 'imei', message: `${p.imei} is listed twice for shipment ${p.reference}` });
    } else {
      fail({ file: 'imeis', row: p.row, column: 'imei', message: `${p.imei} was already exported in ${owner.in}; a device is exported once` });
    }
  }
  await addDevices(m, fresh);
  return { created: fresh.length, skipped };
}

/**
 * Every shipment of the file that got IMEIs must end with exactly as many as its units. A shipment this import
 * created has just the devices listed for it (counted here); a stored one is counted in the database.
 */
export async function checkDeviceCounts(m: EntityManager, inFile: FileShipments, fail: (e: ImportError) => void): Promise<void> {
  const mismatch = (s: { reference: string; units: number }, devices: number) =>
    fail({ file: 'imeis', row: 0, column: 'reference', message: `shipment ${s.reference} would have ${devices} IMEIs but has ${s.units} units; they must be equal (row 0: the file as a whole)` });
  let stored: { reference: string; no: number; units: number }[] = [];
  const countStored = async () => {
    const counts = await deviceCounts(m, stored.map((s) => s.no));
    for (const s of stored) {
      const devices = counts.get(s.no) ?? 0;
      if (devices !== s.units) mismatch(s, devices);
    }
    stored = [];
  };
  for (const s of inFile.named()) {
    if (s.created) {
      if (s.listed !== s.units) mismatch(s, s.listed);
      continue;
    }
    stored.push(s);
    if (stored.length === 500) await countStored();
  }
  if (stored.length) await countStored();
}
