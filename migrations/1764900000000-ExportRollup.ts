import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/**
 * The export rollup: recorded shipments summed by month and by every dimension the export reports group or
 * filter by. Reports and public aggregates read it instead of the shipments (ranges that start or end inside a
 * month add those days from the shipments). Filled here from the shipments; afterwards kept by
 * shipments/export-rollup.ts in every transaction that writes shipments.
 */
export class ExportRollup1764900000000 implements MigrationInterface {
  name = 'ExportRollup1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'export_rollup',
        columns: [
          // YYYY-MM
          { name: 'month', type: 'varchar', length: '7', isPrimary: true },
          { name: 'company_id', type: 'uuid', isPrimary: true },
          { name: 'license_id', type: 'uuid', isPrimary: true },
          { name: 'destination_country', type: 'varchar', length: '2', isPrimary: true },
          { name: 'device_category', type: 'varchar', length: '20', isPrimary: true },
          // '' when the shipments gave no technology (a key column cannot be NULL)
          { name: 'technology', type: 'varchar', length: '4', isPrimary: true },
          { name: 'hs_code', type: 'varchar', length: '10', isPrimary: true },
          { name: 'shipments', type: 'integer', isNullable: false },
          { name: 'units', type: 'bigint', isNullable: false },
          { name: 'fob_value_cents', type: 'bigint', isNullable: false },
          { name: 'shipments_with_fob', type: 'integer', isNullable: false },
        ],
      }),
    );
    const month = q.connection.options.type === 'postgres' ? "to_char(shipped_on, 'YYYY-MM')" : 'substr(shipped_on, 1, 7)';
    await q.query(
      `INSERT INTO export_rollup (month, company_id, license_id, destination_country, device_category, technology, hs_code, shipments, units, fob_value_cents, shipments_with_fob)
       SELECT ${month}, company_id, license_id, destination_country, device_category, COALESCE(technology, ''), hs_code,
              COUNT(*), SUM(units), COALESCE(SUM(fob_value_cents), 0), COUNT(fob_value_cents)
       FROM shipments WHERE status = 'RECORDED'
       GROUP BY ${month}, company_id, license_id, destination_country, device_category, COALESCE(technology, ''), hs_code`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('export_rollup');
  }
}
