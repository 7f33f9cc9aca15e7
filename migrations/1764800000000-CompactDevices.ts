import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/**
 * Devices stored close to their data. A device exported today is one row of two integers keyed by its IMEI
 * (`devices`: the IMEI as a 15-digit integer, the shipment's integer number), instead of a 15-character text
 * IMEI, a 36-character shipment id, its TAC (the IMEI's first 8 digits) and three indexes. Shipments get an
 * integer number (`no`, allocated from `counters`). Devices of voided shipments move to `device_releases`,
 * the history a trace shows.
 */
export class CompactDevices1764800000000 implements MigrationInterface {
  name = 'CompactDevices1764800000000';

  async up(q: QueryRunner): Promise<void> {
    const postgres = q.connection.options.type === 'postgres';
    await q.createTable(
      new Table({
        name: 'counters',
        columns: [
          { name: 'name', type: 'varchar', length: '40', isPrimary: true },
          { name: 'value', type: 'bigint', isNullable: false },
        ],
      }),
    );
    // Every shipment gets its number, in the order they were recorded; 0 is no number (refused by the unique index).
    await q.query('ALTER TABLE shipments ADD COLUMN no bigint NOT NULL DEFAULT 0');
    const ids: { id: string }[] = await q.query('SELECT id FROM shipments ORDER BY created_at, id');
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const cases = chunk.map((_, k) => (postgres ? `WHEN $${2 * k + 1}::uuid THEN $${2 * k + 2}::bigint` : 'WHEN ? THEN ?')).join(' ');
      const marks = chunk.map((_, k) => (postgres ? `$${2 * chunk.length + k + 1}::uuid` : '?')).join(', ');
      await q.query(`UPDATE shipments SET no = CASE id ${cases} END WHERE id IN (${marks})`, [...chunk.flatMap((r, k) => [r.id, i + k + 1]), ...chunk.map((r) => r.id)]);
    }
    await q.createIndex('shipments', new TableIndex({ name: 'uq_shipments_no', columnNames: ['no'], isUnique: true }));
    await q.query(`INSERT INTO counters (name, value) VALUES ('shipment_no', ${ids.length})`);

    // SQLite's INTEGER PRIMARY KEY is the row id itself (no second copy of the IMEI); PostgreSQL's is an index.
    const integer = postgres ? 'bigint' : 'INTEGER';
    await q.query(
      `CREATE TABLE devices (imei ${integer} PRIMARY KEY NOT NULL, shipment_no ${integer} NOT NULL, ` +
        'CONSTRAINT fk_devices_shipment FOREIGN KEY (shipment_no) REFERENCES shipments (no) ON DELETE RESTRICT)',
    );
    await q.query('CREATE INDEX ix_devices_shipment ON devices (shipment_no)');
    await q.createTable(
      new Table({
        name: 'device_releases',
        columns: [
          { name: 'imei', type: 'bigint', isPrimary: true },
          { name: 'shipment_no', type: 'bigint', isPrimary: true },
          { name: 'released_at', type: 'varchar', length: '32', isNullable: false },
        ],
        foreignKeys: [new TableForeignKey({ name: 'fk_device_releases_shipment', columnNames: ['shipment_no'], referencedTableName: 'shipments', referencedColumnNames: ['no'], onDelete: 'RESTRICT' })],
      }),
    );
    const cast = postgres ? 'CAST(d.imei AS bigint)' : 'CAST(d.imei AS INTEGER)';
    await q.query(`INSERT INTO devices (imei, shipment_no) SELECT ${cast}, s.no FROM shipment_devices d JOIN shipments s ON s.id = d.shipment_id WHERE d.released_at IS NULL ORDER BY 1`);
    await q.query(`INSERT INTO device_releases (imei, shipment_no, released_at) SELECT ${cast}, s.no, d.released_at FROM shipment_devices d JOIN shipments s ON s.id = d.shipment_id WHERE d.released_at IS NOT NULL`);
    await q.dropTable('shipment_devices');
  }

  async down(): Promise<void> {
    throw new Error('CompactDevices cannot be reverted: restore the backup taken before the upgrade');
  }
}
