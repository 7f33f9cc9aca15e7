import { type MigrationInterface, type QueryRunner, Table, TableCheck, TableForeignKey, TableIndex, TableUnique } from 'typeorm';

// Portable across SQLite and PostgreSQL: written with the QueryRunner schema API, no engine-specific SQL.
// Instants are ISO-8601 UTC text (varchar 32); calendar dates are `date`; money is bigint cents.
const instant = (name: string, nullable = false) => ({ name, type: 'varchar', length: '32', isNullable: nullable });
const text = (name: string, length: number | null, nullable = true) =>
  length ? { name, type: 'varchar', length: String(length), isNullable: nullable } : { name, type: 'text', isNullable: nullable };
const inList = (column: string, values: string[]) => `"${column}" IN (${values.map((v) => `'${v}'`).join(', ')})`;

export class RegistryCore1764400000000 implements MigrationInterface {
  name = 'RegistryCore1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'companies',
        columns: [
          { name: 'id', type: 'uuid', isPrimary: true },
          text('legal_name', 300, false),
          text('legal_name_key', 300, false),
          text('search_key', 510, false),
          text('trade_name', 200),
          text('registration_number', 50),
          text('ntn', 20),
          text('city', 100),
          text('province', 100),
          text('address', 500),
          text('website', 300),
          text('contact_email', 254),
          instant('created_at'),
          instant('updated_at'),
          { name: 'version', type: 'integer', isNullable: false },
        ],
        uniques: [
          new TableUnique({ name: 'uq_companies_legal_name_key', columnNames: ['legal_name_key'] }),
          new TableUnique({ name: 'uq_companies_registration_number', columnNames: ['registration_number'] }),
          new TableUnique({ name: 'uq_companies_ntn', columnNames: ['ntn'] }),
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'licenses',
        columns: [
          { name: 'id', type: 'uuid', isPrimary: true },
          text('license_number', 100, false),
          text('license_number_key', 100, false),
          { name: 'company_id', type: 'uuid', isNullable: false },
          text('type', 20, false),
          { name: 'issued_on', type: 'date', isNullable: false },
          { name: 'expires_on', type: 'date', isNullable: false },
          text('brands', null, false),
          text('plant_location', 300),
          text('conditions', null),
          text('status', 20, false),
          instant('created_at'),
          instant('updated_at'),
          { name: 'version', type: 'integer', isNullable: false },
        ],
        uniques: [new TableUnique({ name: 'uq_licenses_license_number_key', columnNames: ['license_number_key'] })],
        checks: [
          new TableCheck({ name: 'ck_licenses_type', expression: inList('type', ['MDM']) }),
          new TableCheck({ name: 'ck_licenses_term', expression: '"expires_on" >= "issued_on"' }),
        ],
        foreignKeys: [
          new TableForeignKey({ name: 'fk_licenses_company', columnNames: ['company_id'], referencedTableName: 'companies', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }),
        ],
        indices: [new TableIndex({ name: 'ix_licenses_company', columnNames: ['company_id'] })],
      }),
    );

    await q.createTable(
      new Table({
        name: 'license_events',
        columns: [
          { name: 'id', type: 'uuid', isPrimary: true },
          { name: 'license_id', type: 'uuid', isNullable: false },
          { name: 'seq', type: 'integer', isNullable: false },
          text('type', 20, false),
          { name: 'effective_on', type: 'date', isNullable: false },
          text('reason', null),
          text('data', null),
          text('status_after', 20, false),
          { name: 'expires_on_after', type: 'date', isNullable: false },
          instant('recorded_at'),
          text('recorded_by', 100),
        ],
        uniques: [new TableUnique({ name: 'uq_license_events_license_seq', columnNames: ['license_id', 'seq'] })],
        checks: [
          new TableCheck({ name: 'ck_license_events_type', expression: inList('type', ['GRANTED', 'AMENDED', 'SUSPENDED', 'REINSTATED', 'RENEWED', 'REVOKED', 'SURRENDERED']) }),
          new TableCheck({ name: 'ck_license_events_status', expression: inList('status_after', ['ACTIVE', 'SUSPENDED', 'REVOKED', 'SURRENDERED']) }),
        ],
        foreignKeys: [
          new TableForeignKey({ name: 'fk_license_events_license', columnNames: ['license_id'], referencedTableName: 'licenses', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }),
        ],
        indices: [new TableIndex({ name: 'ix_license_events_license_effective', columnNames: ['license_id', 'effective_on'] })],
      }),
    );

    await q.createTable(
      new Table({
        name: 'shipments',
        columns: [
          { name: 'id', type: 'uuid', isPrimary: true },
          { name: 'company_id', type: 'uuid', isNullable: false },
          { name: 'license_id', type: 'uuid', isNullable: false },
          text('reference', 100, false),
          { name: 'shipped_on', type: 'date', isNullable: false },
          text('destination_country', 2, false),
          { name: 'units', type: 'integer', isNullable: false },
          text('device_category', 20, false),
          text('technology', 4),
          text('brand', 100),
          text('model', 100),
          text('hs_code', 10, false),
          { name: 'fob_value_cents', type: 'bigint', isNullable: true },
          text('status', 10, false),
          text('void_reason', null),
          instant('voided_at', true),
          instant('created_at'),
          instant('updated_at'),
          { name: 'version', type: 'integer', isNullable: false },
        ],
        uniques: [new TableUnique({ name: 'uq_shipments_company_reference', columnNames: ['company_id', 'reference'] })],
        checks: [
          new TableCheck({ name: 'ck_shipments_units', expression: '"units" BETWEEN 1 AND 10000000' }),
          new TableCheck({ name: 'ck_shipments_fob', expression: '"fob_value_cents" IS NULL OR "fob_value_cents" >= 0' }),
          new TableCheck({ name: 'ck_shipments_status', expression: inList('status', ['RECORDED', 'VOIDED']) }),
          new TableCheck({ name: 'ck_shipments_category', expression: inList('device_category', ['SMARTPHONE', 'FEATURE_PHONE', 'TABLET', 'OTHER']) }),
        ],
        foreignKeys: [
          new TableForeignKey({ name: 'fk_shipments_company', columnNames: ['company_id'], referencedTableName: 'companies', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }),
          new TableForeignKey({ name: 'fk_shipments_license', columnNames: ['license_id'], referencedTableName: 'licenses', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }),
        ],
        indices: [
          new TableIndex({ name: 'ix_shipments_shipped_on', columnNames: ['shipped_on'] }),
          new TableIndex({ name: 'ix_shipments_license', columnNames: ['license_id', 'shipped_on'] }),
          new TableIndex({ name: 'ix_shipments_destination', columnNames: ['destination_country', 'shipped_on'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('shipments');
    await q.dropTable('license_events');
    await q.dropTable('licenses');
    await q.dropTable('companies');
  }
}
