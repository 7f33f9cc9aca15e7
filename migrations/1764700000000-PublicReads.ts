import { type MigrationInterface, type QueryRunner, Table, TableColumn } from 'typeorm';
import { randomBytes } from 'node:crypto';

/**
 * Public reads that cost what their answer needs: a version per data area (public ETags and the response
 * cache come from it), and each license's brands as a lower-cased search key, so that a search by brand is
 * answered in SQL instead of by loading the whole register.
 */
export class PublicReads1764700000000 implements MigrationInterface {
  name = 'PublicReads1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'data_versions',
        columns: [
          { name: 'area', type: 'varchar', length: '20', isPrimary: true },
          { name: 'version', type: 'varchar', length: '40', isNullable: false },
        ],
      }),
    );
    const postgres = q.connection.options.type === 'postgres';
    for (const area of ['register', 'exports']) {
      await q.query(`INSERT INTO data_versions (area, version) VALUES (${postgres ? '$1, $2' : '?, ?'})`, [area, randomBytes(9).toString('base64url')]);
    }
    // The public list of manufacturers is ordered by name in code-point order on both engines (COLLATE "C" on
    // PostgreSQL, SQLite's own); this index gives PostgreSQL that order without sorting every company.
    if (postgres) await q.query('CREATE INDEX ix_companies_legal_name_key_c ON companies (legal_name_key COLLATE "C", id)');
    await q.addColumn('licenses', new TableColumn({ name: 'brands_key', type: 'varchar', length: '2000', isNullable: false, default: "''" }));
    const rows: { id: string; brands: string }[] = await q.query('SELECT id, brands FROM licenses');
    for (const r of rows) {
      const key = brandsKey(JSON.parse(r.brands) as string[]);
      await q.query(`UPDATE licenses SET brands_key = ${postgres ? '$1' : '?'} WHERE id = ${postgres ? '$2' : '?'}`, [key, r.id]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'postgres') await q.query('DROP INDEX ix_companies_legal_name_key_c');
    await q.dropColumn('licenses', 'brands_key');
    await q.dropTable('data_versions');
  }
}

/** The same rule as licenses/license.entity.ts licenseBrandsKey (a migration keeps its own copy: it must not change later). */
function brandsKey(brands: string[]): string {
  return brands.length ? `\n${brands.map((b) => b.trim().toLowerCase()).join('\n')}\n` : '';
}
