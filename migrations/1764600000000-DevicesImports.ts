import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

const instant = (name: string, nullable = false) => ({ name, type: 'varchar', length: '32', isNullable: nullable });

/** Device-level traceability (IMEIs per shipment) and the record of CSV import runs. */
export class DevicesImports1764600000000 implements MigrationInterface {
  name = 'DevicesImports1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'shipment_devices',
        columns: [
          { name: 'imei', type: 'varchar', length: '15', isPrimary: true },
          { name: 'shipment_id', type: 'uuid', isPrimary: true },
          { name: 'tac', type: 'varchar', length: '8', isNullable: false },
          // Set when the shipment is voided: the device may then be exported in another shipment.
          instant('released_at', true),
        ],
        foreignKeys: [
          new TableForeignKey({ name: 'fk_shipment_devices_shipment', columnNames: ['shipment_id'], referencedTableName: 'shipments', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }),
        ],
        indices: [
          // A device is exported once: one unreleased row per IMEI.
          new TableIndex({ name: 'uq_shipment_devices_imei_active', columnNames: ['imei'], isUnique: true, where: '"released_at" IS NULL' }),
          new TableIndex({ name: 'ix_shipment_devices_shipment', columnNames: ['shipment_id'] }),
          new TableIndex({ name: 'ix_shipment_devices_tac', columnNames: ['tac'] }),
        ],
      }),
    );
    // The IMEI file of an import names shipments by reference alone.
    await q.createIndex('shipments', new TableIndex({ name: 'ix_shipments_reference', columnNames: ['reference'] }));
    await q.createTable(
      new Table({
        name: 'imports',
        columns: [
          { name: 'id', type: 'uuid', isPrimary: true },
          { name: 'kind', type: 'varchar', length: '20', isNullable: false },
          { name: 'mode', type: 'varchar', length: '10', isNullable: false },
          { name: 'outcome', type: 'varchar', length: '12', isNullable: false },
          { name: 'actor_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'file_name', type: 'varchar', length: '255', isNullable: true },
          { name: 'file_sha256', type: 'varchar', length: '64', isNullable: false },
          { name: 'imeis_file_sha256', type: 'varchar', length: '64', isNullable: true },
          { name: 'rows_read', type: 'integer', isNullable: false },
          { name: 'rows_valid', type: 'integer', isNullable: false },
          { name: 'rows_created', type: 'integer', isNullable: false },
          { name: 'rows_skipped', type: 'integer', isNullable: false },
          { name: 'rows_failed', type: 'integer', isNullable: false },
          { name: 'imeis_created', type: 'integer', isNullable: false },
          { name: 'errors', type: 'text', isNullable: true },
          instant('started_at'),
          instant('finished_at'),
        ],
        indices: [new TableIndex({ name: 'ix_imports_started_at', columnNames: ['started_at'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('imports');
    await q.dropIndex('shipments', 'ix_shipments_reference');
    await q.dropTable('shipment_devices');
  }
}
