import { type EntityManager, In } from 'typeorm';
import { Shipment } from './shipment.entity.js';

// The shipments table's own bookkeeping, in the caller's transaction: numbers and look-ups by reference.

/**
 * Gives new shipments their numbers (Shipment.no), in order, from the `shipment_no` counter. The UPDATE takes
 * the counter's row lock (PostgreSQL) or the write lock (SQLite) until the transaction ends, so two
 * transactions never hand out the same number, across instances and processes too.
 */
export async function numberShipments(m: EntityManager, shipments: Shipment[]): Promise<void> {
  if (!shipments.length) return;
  const postgres = m.connection.options.type === 'postgres';
  const result: unknown = await m.query(`UPDATE counters SET value = value + ${postgres ? '$1' : '?'} WHERE name = 'shipment_no' RETURNING value`, [shipments.length]);
  // TypeORM answers an UPDATE ... RETURNING with its rows on SQLite and with [rows, count] on PostgreSQL.
  const rows = (postgres ? (result as [{ value: string }[], number])[0] : result) as { value: string | number }[];
  const last = Number(rows[0].value);
  shipments.forEach((s, i) => (s.no = last - shipments.length + 1 + i));
}

/** The stored shipments with these (exporter, reference) pairs, by `companyId|reference`. */
export async function storedByReference(m: EntityManager, shipments: Shipment[]): Promise<Map<string, Shipment>> {
  const byCompany = new Map<string, string[]>();
  for (const s of shipments) {
    const references = byCompany.get(s.companyId);
    if (references) references.push(s.reference);
    else byCompany.set(s.companyId, [s.reference]);
  }
  const stored = new Map<string, Shipment>();
  for (const [companyId, references] of byCompany) {
    for (let i = 0; i < references.length; i += 500) {
      for (const s of await m.find(Shipment, { where: { companyId, reference: In(references.slice(i, i + 500)) } })) stored.set(`${s.companyId}|${s.reference}`, s);
    }
  }
  return stored;
}
