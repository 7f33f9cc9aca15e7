import { Logger } from '@nestjs/common';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { companyNameKey, companySearchKey } from '../src/companies/company.entity.js';
import { licenseBrandsKey, licenseNumberKey } from '../src/licenses/license.entity.js';

/**
 * Re-keys names, brands and license numbers with the one identity key (src/common/text.ts: NFKC, case folding,
 * Urdu/Arabic letter and digit folding). Two rows whose keys now coincide are both kept: the older keeps the
 * key, each later one gets the key followed by " #" and its id, is logged, and is listed by
 * GET /api/v1/companies/look-alikes for staff to merge or rename. Nothing fails.
 */
export class IdentityKeys1765300000000 implements MigrationInterface {
  name = 'IdentityKeys1765300000000';

  async up(q: QueryRunner): Promise<void> {
    const logger = new Logger('Migration IdentityKeys');
    const p = (i: number) => (q.connection.options.type === 'postgres' ? `$${i}` : '?');
    // Every key first moves to a value no key can take (the row's id), so no row meets another's old key.
    const companies: { id: string; legalName: string; tradeName: string | null }[] = await q.query(
      'SELECT id, legal_name AS "legalName", trade_name AS "tradeName" FROM companies ORDER BY created_at, id',
    );
    await q.query('UPDATE companies SET legal_name_key = id');
    const names = new Map<string, string>();
    for (const c of companies) {
      let key = companyNameKey(c.legalName);
      const first = names.get(key);
      if (first) {
        logger.warn(`Company ${c.id} ("${c.legalName}") has the same name key as company ${first}; both are kept`);
        key = `${key} #${c.id}`;
      } else names.set(key, c.id);
      await q.query(`UPDATE companies SET legal_name_key = ${p(1)}, search_key = ${p(2)} WHERE id = ${p(3)}`, [key, companySearchKey(c.legalName, c.tradeName), c.id]);
    }
    const licenses: { id: string; licenseNumber: string; brands: string | string[] }[] = await q.query(
      'SELECT id, license_number AS "licenseNumber", brands FROM licenses ORDER BY created_at, id',
    );
    await q.query('UPDATE licenses SET license_number_key = id');
    const numbers = new Map<string, string>();
    for (const l of licenses) {
      let key = licenseNumberKey(l.licenseNumber);
      const first = numbers.get(key);
      if (first) {
        logger.warn(`License ${l.id} (${l.licenseNumber}) has the same number key as license ${first}; both are kept`);
        key = `${key} #${l.id}`;
      } else numbers.set(key, l.id);
      const brands: string[] = typeof l.brands === 'string' ? JSON.parse(l.brands) : l.brands;
      await q.query(`UPDATE licenses SET license_number_key = ${p(1)}, brands_key = ${p(2)} WHERE id = ${p(3)}`, [key, licenseBrandsKey(brands), l.id]);
    }
  }

  async down(): Promise<void> {
    // The keys are derived data: the earlier form (lower-cased, spaces collapsed) is not restored.
  }
}
