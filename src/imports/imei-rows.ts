import type { EntityManager } from 'typeorm';
import { normaliseImei } from '../common/imei.js';
import { addFreeDevices, deviceCounts, exportedIn } from '../shipments/shipment-devices.js';
import type { ImportError } from './csv-reader.js';
import type { ImeiLines } from './csv-thread.js';
import type { FileShipments } from './file-shipments.js';

// An import's IMEI file: one device a line (imei,reference), for shipments of the import's shipments file.

/**
 * One batch of `imei,reference` rows: normalise, find the shipment among this file's shipments (the IMEI file
 * cannot add devices to other shipments), add the devices, refuse a device already exported elsewhere (a refusal
 * fails the import, which then writes nothing).
 */
export async function imeiBatch(
  m: EntityManager,
  lines: ImeiLines,
  fail: (e: ImportError) => void,
  inFile: FileShipments,
): Promise<{ created: number; skipped: number }> {
  const parsed: { row: number; imei: string; reference: string; slot: number }[] = [];
  for (let i = 0; i < lines.rows.length; i++) {
    const row = lines.rows[i];
    const result = normaliseImei(lines.imeis[i]);
    const reference = lines.references[i].trim();
    const matches = inFile.find(reference);
    if ('error' in result) fail({ file: 'imeis', row, column: 'imei', message: result.error });
    else if (!reference) fail({ file: 'imeis', row, column: 'reference', message: 'is empty' });
    else if (matches.length === 0) fail({ file: 'imeis', row, column: 'reference', message: `no shipment with reference ${reference} in the shipments file of this import` });
    else if (matches.length > 1) fail({ file: 'imeis', row, column: 'reference', message: `reference ${reference} belongs to shipments of several exporters in this file; it cannot say which` });
    else parsed.push({ row, imei: result.imei, reference, slot: matches[0] });
  }
  // The first listing of each IMEI in the batch is added unless the device is on record already: one statement
  // checks and writes (addFreeDevices). Only what it did not add is looked up, to say where it was exported.
  const first = new Map<string, (typeof parsed)[number]>();
  for (const p of parsed) if (!first.has(p.imei)) first.set(p.imei, p);
  const added = await addFreeDevices(m, [...first.values()].map((p) => ({ imei: p.imei, shipmentNo: inFile.no(p.slot) })));
  const takenBy = new Map<string, { no: number; in: string; fresh: boolean }>();
  const onRecord = [...first.keys()].filter((imei) => !added.has(imei));
  if (onRecord.length) for (const t of await exportedIn(m, onRecord)) takenBy.set(t.imei, { no: t.shipmentNo, in: `shipment ${t.shipmentId}`, fresh: false });
  let created = 0;
  let skipped = 0;
  for (const p of parsed) {
    const no = inFile.no(p.slot);
    inFile.list(p.slot);
    if (first.get(p.imei) === p && added.has(p.imei)) {
      takenBy.set(p.imei, { no, in: `shipment ${p.reference} of this file`, fresh: true });
      created++;
      continue;
    }
    const owner = takenBy.get(p.imei);
    if (owner === undefined) {
      // Not added, yet not on record when looked up: written and removed by another transaction meanwhile.
      fail({ file: 'imeis', row: p.row, column: 'imei', message: `${p.imei} was being exported by another write at the same time; import the file again` });
    } else if (owner.no === no && !inFile.created(p.slot) && !owner.fresh) {
      skipped++; // the same device of the same stored shipment: a re-import
    } else if (owner.no === no) {
      fail({ file: 'imeis', row: p.row, column: 'imei', message: `${p.imei} is listed twice for shipment ${p.reference}` });
    } else {
      fail({ file: 'imeis', row: p.row, column: 'imei', message: `${p.imei} was already exported in ${owner.in}; a device is exported once` });
    }
  }
  return { created, skipped };
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
