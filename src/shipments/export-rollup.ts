import { Column, Entity, type EntityManager, PrimaryColumn } from 'typeorm';
import { bigintTransformer } from '../database/columns.js';
import type { Shipment } from './shipment.entity.js';

/**
 * One cell of the export rollup: the recorded (not voided) shipments of one month with the same exporter,
 * license, destination, device category, technology and HS code, summed. Export reports and the public
 * aggregates read these cells instead of the shipments, so their cost follows the number of cells.
 */
@Entity({ name: 'export_rollup' })
export class ExportRollupCell {
  /** YYYY-MM */
  @PrimaryColumn({ name: 'month', type: 'varchar', length: 7 }) month: string;
  @PrimaryColumn({ name: 'company_id', type: 'uuid' }) companyId: string;
  @PrimaryColumn({ name: 'license_id', type: 'uuid' }) licenseId: string;
  @PrimaryColumn({ name: 'destination_country', type: 'varchar', length: 2 }) destinationCountry: string;
  @PrimaryColumn({ name: 'device_category', type: 'varchar', length: 20 }) deviceCategory: string;
  /** '' when the shipments gave no technology. */
  @PrimaryColumn({ name: 'technology', type: 'varchar', length: 4 }) technology: string;
  @PrimaryColumn({ name: 'hs_code', type: 'varchar', length: 10 }) hsCode: string;
  @Column({ name: 'shipments', type: 'integer' }) shipments: number;
  /** Devices. */
  @Column({ name: 'units', type: 'bigint', transformer: bigintTransformer }) units: number;
  /** Sum of the known FOB values, USD cents (0 when none is known). */
  @Column({ name: 'fob_value_cents', type: 'bigint', transformer: bigintTransformer }) fobValueCents: number;
  @Column({ name: 'shipments_with_fob', type: 'integer' }) shipmentsWithFob: number;
}

const KEY = ['month', 'company_id', 'license_id', 'destination_country', 'device_category', 'technology', 'hs_code'] as const;
const MEASURES = ['shipments', 'units', 'fob_value_cents', 'shipments_with_fob'] as const;

/** The month of a shipment (`YYYY-MM`) in SQL, as the rollup keys it: the same text on both engines. */
export function shipmentMonthSql(postgres: boolean, column = 'shipped_on'): string {
  return postgres ? `to_char(${column}, 'YYYY-MM')` : `substr(${column}, 1, 7)`;
}

/** The rollup recomputed from the shipments (the definition the kept rollup must always equal). */
function recomputeSql(m: EntityManager): string {
  const month = shipmentMonthSql(m.connection.options.type === 'postgres');
  return `SELECT ${month} AS month, company_id, license_id, destination_country, device_category, COALESCE(technology, '') AS technology, hs_code,
      COUNT(*) AS shipments, SUM(units) AS units, COALESCE(SUM(fob_value_cents), 0) AS fob_value_cents, COUNT(fob_value_cents) AS shipments_with_fob
    FROM shipments WHERE status = 'RECORDED'
    GROUP BY ${month}, company_id, license_id, destination_country, device_category, COALESCE(technology, ''), hs_code`;
}

type Cell = Record<(typeof KEY)[number], string> & Record<(typeof MEASURES)[number], number>;

/**
 * Keeps the export rollup: the one function every write that adds or removes recorded shipments calls
 * (recording, importing, voiding), in the same transaction, with +1 for shipments that now count and -1 for
 * shipments that no longer do. Deltas are summed per cell first, then applied with one upsert per cell batch;
 * cells left with no shipment are deleted.
 */
export async function applyToRollup(m: EntityManager, shipments: readonly Shipment[], sign: 1 | -1): Promise<void> {
  if (!shipments.length) return;
  const cells = new Map<string, Cell>();
  for (const s of shipments) {
    const month = s.shippedOn.slice(0, 7);
    const technology = s.technology ?? '';
    // The cell's key, in KEY's order (the cells are sorted by it below).
    const id = `${month}|${s.companyId}|${s.licenseId}|${s.destinationCountry}|${s.deviceCategory}|${technology}|${s.hsCode}`;
    let cell = cells.get(id);
    if (!cell) {
      cell = {
        month,
        company_id: s.companyId,
        license_id: s.licenseId,
        destination_country: s.destinationCountry,
        device_category: s.deviceCategory,
        technology,
        hs_code: s.hsCode,
        shipments: 0,
        units: 0,
        fob_value_cents: 0,
        shipments_with_fob: 0,
      };
      cells.set(id, cell);
    }
    cell.shipments += sign;
    cell.units += sign * s.units;
    if (s.fobValueCents != null) {
      cell.fob_value_cents += sign * s.fobValueCents;
      cell.shipments_with_fob += sign;
    }
  }
  const postgres = m.connection.options.type === 'postgres';
  // In key order, so that concurrent writers lock shared cells in the same order (no deadlock on PostgreSQL).
  const list = [...cells.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, c]) => c);
  const columns = [...KEY, ...MEASURES];
  for (let i = 0; i < list.length; i += 1000) {
    const chunk = list.slice(i, i + 1000);
    const params: unknown[] = [];
    const rows = chunk.map((c) => `(${columns.map((col) => (params.push(c[col]), postgres ? `$${params.length}` : '?')).join(', ')})`);
    await m.query(
      `INSERT INTO export_rollup (${columns.join(', ')}) VALUES ${rows.join(', ')}
       ON CONFLICT (${KEY.join(', ')}) DO UPDATE SET ${MEASURES.map((col) => `${col} = export_rollup.${col} + excluded.${col}`).join(', ')}`,
      params,
    );
  }
  if (sign < 0) {
    for (const c of list) {
      const where = KEY.map((col, i) => `${col} = ${postgres ? `$${i + 1}` : '?'}`).join(' AND ');
      await m.query(`DELETE FROM export_rollup WHERE ${where} AND shipments = 0`, KEY.map((col) => c[col]));
    }
  }
}

export interface RollupDifference {
  cell: Record<(typeof KEY)[number], string>;
  kept: Record<(typeof MEASURES)[number], number> | null;
  recomputed: Record<(typeof MEASURES)[number], number> | null;
}

/** Recomputes the rollup from the shipments and lists every cell where the kept rollup differs (none: it is right). */
export async function verifyRollup(m: EntityManager): Promise<{ cells: number; differences: RollupDifference[] }> {
  const read = async (sql: string) => {
    const map = new Map<string, Cell>();
    for (const r of (await m.query(sql)) as Record<string, unknown>[]) {
      const cell = Object.fromEntries([...KEY.map((k) => [k, String(r[k])]), ...MEASURES.map((k) => [k, Number(r[k])])]) as Cell;
      map.set(KEY.map((k) => cell[k]).join('|'), cell);
    }
    return map;
  };
  const kept = await read('SELECT * FROM export_rollup');
  const recomputed = await read(recomputeSql(m));
  const measures = (c: Cell | undefined) => (c ? (Object.fromEntries(MEASURES.map((k) => [k, c[k]])) as Record<(typeof MEASURES)[number], number>) : null);
  const differences: RollupDifference[] = [];
  for (const id of new Set([...kept.keys(), ...recomputed.keys()])) {
    const a = kept.get(id);
    const b = recomputed.get(id);
    if (a && b && MEASURES.every((k) => a[k] === b[k])) continue;
    const c = (a ?? b)!;
    differences.push({ cell: Object.fromEntries(KEY.map((k) => [k, c[k]])) as RollupDifference['cell'], kept: measures(a), recomputed: measures(b) });
  }
  return { cells: recomputed.size, differences };
}

/** Rebuilds the rollup from the shipments (after a repair, or after loading shipments outside the registry). */
export async function rebuildRollup(m: EntityManager): Promise<void> {
  await m.query('DELETE FROM export_rollup');
  await m.query(`INSERT INTO export_rollup (${[...KEY, ...MEASURES].join(', ')}) ${recomputeSql(m)}`);
}
