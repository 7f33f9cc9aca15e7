import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `shipments.import_id`: the CSV import that recorded a shipment (imports.id), null for one recorded through the
 * API or the seed. An import tells the rows it has itself stored (a reference twice in its file) from rows that
 * were there before by it, not by their creation time.
 */
export class ShipmentImportId1765200000000 implements MigrationInterface {
  name = 'ShipmentImportId1765200000000';

  async up(q: QueryRunner): Promise<void> {
    // Plain ALTER TABLE on both engines: TypeORM's addColumn rebuilds the whole table on SQLite.
    await q.query('ALTER TABLE shipments ADD COLUMN import_id varchar(36)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE shipments DROP COLUMN import_id');
  }
}
