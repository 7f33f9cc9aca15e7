import { type MigrationInterface, type QueryRunner, Table, TableCheck, TableForeignKey, TableIndex, TableUnique } from 'typeorm';

const instant = (name: string, nullable = false) => ({ name, type: 'varchar', length: '32', isNullable: nullable });
const inList = (column: string, values: string[]) => `"${column}" IN (${values.map((v) => `'${v}'`).join(', ')})`;

const SOURCE =
  'MDM Regulations 2021, as reported: ProPakistani, 30 Jan 2021; readsblog, "PTA notifies MDM Regulations 2021"';
const SOURCE_DUE_PRACTICE = `${SOURCE}; the due date (end of year 1) is the registry's practice, none was reported`;

/** The first catalog version, as the press summaries of the MDM Regulations 2021 report it. Frozen: later versions are added through the API. */
const CATALOG_V1 = [
  ['5be4f91a-ba21-4359-ad5e-8919281f134e', 'Y1_PACKAGING', 'Locally made packaging: at least 2% of devices by the end of year 1', 'مقامی طور پر تیار شدہ پیکنگ: پہلے سال کے اختتام تک کم از کم 2% آلات', 'PERCENT_TARGET', 200, 'packaging', 'P1Y', SOURCE],
  ['1189e34d-89be-4016-a793-222cc907d16c', 'Y1_CHARGERS', 'Locally made chargers: at least 2% by the end of year 1', 'مقامی طور پر تیار شدہ چارجر: پہلے سال کے اختتام تک کم از کم 2%', 'PERCENT_TARGET', 200, 'chargers', 'P1Y', SOURCE],
  ['249592e9-3d18-412b-8894-03a516bced97', 'Y1_HANDS_FREE', 'Locally made hands-free sets: at least 1% by the end of year 1', 'مقامی طور پر تیار شدہ ہینڈز فری: پہلے سال کے اختتام تک کم از کم 1%', 'PERCENT_TARGET', 100, 'hands-free sets', 'P1Y', SOURCE],
  ['adb8580e-8a8a-4667-80b0-352e46cb27fe', 'Y1_PCBA', 'Locally made motherboards (PCBA): at least 10% by the end of year 1', 'مقامی طور پر تیار شدہ مدر بورڈ (PCBA): پہلے سال کے اختتام تک کم از کم 10%', 'PERCENT_TARGET', 1000, 'motherboards (PCBA)', 'P1Y', SOURCE],
  ['617543e8-d9f4-4753-95df-75546d3ef0db', 'Y2_DEVICES', 'Device-level local production: at least 8% by the end of year 2', 'آلات کی سطح پر مقامی پیداوار: دوسرے سال کے اختتام تک کم از کم 8%', 'PERCENT_TARGET', 800, 'devices (device-level local production)', 'P2Y', SOURCE],
  ['4e3d8cd9-902a-4aaf-858a-1c034229d24e', 'Y2_DISPLAYS', 'Locally made displays: at least 8% by the end of year 2', 'مقامی طور پر تیار شدہ ڈسپلے: دوسرے سال کے اختتام تک کم از کم 8%', 'PERCENT_TARGET', 800, 'displays', 'P2Y', SOURCE],
  ['f6711ed1-1e66-4d33-9e43-f65664766c49', 'Y2_BATTERIES', 'Locally made batteries: at least 10% by the end of year 2', 'مقامی طور پر تیار شدہ بیٹریاں: دوسرے سال کے اختتام تک کم از کم 10%', 'PERCENT_TARGET', 1000, 'batteries', 'P2Y', SOURCE],
  ['9d59715d-79e2-4077-8a2e-f2d536616de2', 'ISO_9001', 'ISO 9001 certification within 2 years', 'دو سال کے اندر ISO 9001 سرٹیفکیشن', 'CERTIFICATE', null, null, 'P2Y', SOURCE],
  ['3545c0d0-1652-4c0b-99ed-6455d2b59715', 'QUARTERLY_REPORT', 'Quarterly report', 'سہ ماہی رپورٹ', 'RECURRING_REPORT', null, null, 'P3M', SOURCE],
  ['effb0813-4013-4ba4-9d4f-2924babdbe07', 'LABEL_MADE_IN_PAKISTAN', 'Devices labelled "Manufactured in Pakistan"', 'آلات پر "پاکستان میں تیار کردہ" کا لیبل', 'DECLARATION', null, null, 'P1Y', SOURCE_DUE_PRACTICE],
  ['4649af22-772b-47ec-ac18-18e2c08aa692', 'SERIAL_RECORD', 'An online searchable record of serial numbers and IMEIs, shared with PTA', 'سیریل نمبروں اور IMEI کا آن لائن قابلِ تلاش ریکارڈ، پی ٹی اے کے ساتھ شریک', 'DECLARATION', null, null, 'P1Y', SOURCE_DUE_PRACTICE],
] as const;

/**
 * License conditions (docs/rules.md, "License conditions"): a versioned catalog (`obligation_catalog_versions`,
 * `obligation_templates`, version 1 loaded here from the reported MDM Regulations 2021, in force 2021-01-25),
 * each license's obligations, the evidence submitted and the decisions on them. Licenses that exist already get
 * their obligations at the next start (ObligationsService, audited) or from `npm run cli -- obligations:create`.
 */
export class Obligations1765800000000 implements MigrationInterface {
  name = 'Obligations1765800000000';

  async up(q: QueryRunner): Promise<void> {
    const postgres = q.connection.options.type === 'postgres';
    await q.createTable(
      new Table({
        name: 'obligation_catalog_versions',
        columns: [
          { name: 'version', type: 'integer', isPrimary: true },
          { name: 'effective_from', type: 'date', isNullable: false },
          { name: 'note', type: 'text', isNullable: false },
          instant('created_at'),
          { name: 'created_by', type: 'varchar', length: '100', isNullable: true },
        ],
        uniques: [new TableUnique({ name: 'uq_obligation_catalog_effective_from', columnNames: ['effective_from'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'obligation_templates',
        columns: [
          { name: 'id', type: 'uuid', isPrimary: true },
          { name: 'catalog_version', type: 'integer', isNullable: false },
          { name: 'sort_order', type: 'integer', isNullable: false },
          { name: 'code', type: 'varchar', length: '50', isNullable: false },
          { name: 'title_en', type: 'varchar', length: '300', isNullable: false },
          { name: 'title_ur', type: 'varchar', length: '300', isNullable: false },
          { name: 'kind', type: 'varchar', length: '20', isNullable: false },
          { name: 'target_hundredths', type: 'integer', isNullable: true },
          { name: 'measured_item', type: 'varchar', length: '200', isNullable: true },
          { name: 'due_offset', type: 'varchar', length: '10', isNullable: false },
          { name: 'source', type: 'text', isNullable: false },
          { name: 'as_reported', type: 'boolean', isNullable: false },
        ],
        checks: [
          new TableCheck({ name: 'ck_obligation_templates_kind', expression: inList('kind', ['PERCENT_TARGET', 'CERTIFICATE', 'RECURRING_REPORT', 'DECLARATION']) }),
          new TableCheck({ name: 'ck_obligation_templates_target', expression: `("kind" = 'PERCENT_TARGET') = ("target_hundredths" IS NOT NULL)` }),
        ],
        uniques: [new TableUnique({ name: 'uq_obligation_templates_code', columnNames: ['catalog_version', 'code'] })],
        foreignKeys: [
          new TableForeignKey({ name: 'fk_obligation_templates_version', columnNames: ['catalog_version'], referencedTableName: 'obligation_catalog_versions', referencedColumnNames: ['version'], onDelete: 'RESTRICT' }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'obligations',
        columns: [
          { name: 'id', type: 'uuid', isPrimary: true },
          { name: 'license_id', type: 'uuid', isNullable: false },
          { name: 'template_id', type: 'uuid', isNullable: false },
          { name: 'period', type: 'integer', isNullable: false },
          { name: 'starts_on', type: 'date', isNullable: false },
          { name: 'due_on', type: 'date', isNullable: false },
          instant('created_at'),
          { name: 'version', type: 'integer', isNullable: false },
        ],
        uniques: [new TableUnique({ name: 'uq_obligations_license_template_period', columnNames: ['license_id', 'template_id', 'period'] })],
        foreignKeys: [
          new TableForeignKey({ name: 'fk_obligations_license', columnNames: ['license_id'], referencedTableName: 'licenses', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }),
          new TableForeignKey({ name: 'fk_obligations_template', columnNames: ['template_id'], referencedTableName: 'obligation_templates', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }),
        ],
        indices: [new TableIndex({ name: 'ix_obligations_due_on', columnNames: ['due_on'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'obligation_submissions',
        columns: [
          { name: 'id', type: 'uuid', isPrimary: true },
          { name: 'obligation_id', type: 'uuid', isNullable: false },
          { name: 'submitted_on', type: 'date', isNullable: false },
          { name: 'value_hundredths', type: 'integer', isNullable: true },
          { name: 'note', type: 'text', isNullable: true },
          { name: 'document_sha256', type: 'varchar', length: '64', isNullable: true },
          { name: 'document_type', type: 'varchar', length: '50', isNullable: true },
          { name: 'document_bytes', type: 'integer', isNullable: true },
          instant('recorded_at'),
          { name: 'recorded_by', type: 'varchar', length: '100', isNullable: true },
        ],
        foreignKeys: [
          new TableForeignKey({ name: 'fk_obligation_submissions_obligation', columnNames: ['obligation_id'], referencedTableName: 'obligations', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }),
        ],
        indices: [new TableIndex({ name: 'ix_obligation_submissions_obligation', columnNames: ['obligation_id'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'obligation_decisions',
        columns: [
          { name: 'id', type: 'uuid', isPrimary: true },
          { name: 'obligation_id', type: 'uuid', isNullable: false },
          { name: 'seq', type: 'integer', isNullable: false },
          { name: 'decision', type: 'varchar', length: '10', isNullable: false },
          { name: 'submission_id', type: 'uuid', isNullable: true },
          { name: 'new_due_on', type: 'date', isNullable: true },
          { name: 'reason', type: 'text', isNullable: false },
          { name: 'decided_on', type: 'date', isNullable: false },
          instant('decided_at'),
          { name: 'decided_by', type: 'varchar', length: '100', isNullable: true },
        ],
        checks: [
          new TableCheck({ name: 'ck_obligation_decisions_decision', expression: inList('decision', ['ACCEPT', 'REJECT', 'EXTEND', 'WAIVE']) }),
          new TableCheck({ name: 'ck_obligation_decisions_extend', expression: `("decision" = 'EXTEND') = ("new_due_on" IS NOT NULL)` }),
          new TableCheck({ name: 'ck_obligation_decisions_submission', expression: `("decision" IN ('ACCEPT', 'REJECT')) = ("submission_id" IS NOT NULL)` }),
        ],
        uniques: [new TableUnique({ name: 'uq_obligation_decisions_seq', columnNames: ['obligation_id', 'seq'] })],
        foreignKeys: [
          new TableForeignKey({ name: 'fk_obligation_decisions_obligation', columnNames: ['obligation_id'], referencedTableName: 'obligations', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }),
          new TableForeignKey({ name: 'fk_obligation_decisions_submission', columnNames: ['submission_id'], referencedTableName: 'obligation_submissions', referencedColumnNames: ['id'], onDelete: 'RESTRICT' }),
        ],
      }),
    );
    const p = (n: number) => Array.from({ length: n }, (_, i) => (postgres ? `$${i + 1}` : '?')).join(', ');
    await q.query(`INSERT INTO obligation_catalog_versions (version, effective_from, note, created_at, created_by) VALUES (${p(5)})`, [
      1,
      '2021-01-25',
      'MDM Regulations 2021 (in force 25 January 2021), as reported by the press summaries',
      new Date().toISOString(),
      null,
    ]);
    let order = 0;
    for (const [id, code, titleEn, titleUr, kind, target, item, offset, source] of CATALOG_V1) {
      await q.query(
        `INSERT INTO obligation_templates (id, catalog_version, sort_order, code, title_en, title_ur, kind, target_hundredths, measured_item, due_offset, source, as_reported) VALUES (${p(12)})`,
        [id, 1, ++order, code, titleEn, titleUr, kind, target, item, offset, source, postgres ? true : 1],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['obligation_decisions', 'obligation_submissions', 'obligations', 'obligation_templates', 'obligation_catalog_versions']) await q.dropTable(table);
  }
}
