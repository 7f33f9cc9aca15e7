import type { EntityManager } from 'typeorm';
import type { CalendarDate } from '../common/calendar-date.js';
import { License } from './license.entity.js';

/**
 * TYPE-YYYY-NNNN for the year of issue: one more than both the highest registry number of that year and the
 * count of licenses of that type issued that year (so a number renamed away is never handed out again).
 * Beyond 9999 the number simply grows a digit. Callers hold the numbering lock.
 */
export async function nextLicenseNumber(m: EntityManager, type: string, issuedOn: CalendarDate): Promise<string> {
  const year = issuedOn.slice(0, 4);
  const prefix = `${type}-${year}-`;
  const rows = await m
    .createQueryBuilder(License, 'l')
    .select('l.license_number_key', 'k')
    .where('l.license_number_key LIKE :p', { p: `${prefix}%` })
    .getRawMany<{ k: string }>();
  const highest = Math.max(0, ...rows.map((r) => r.k.slice(prefix.length)).filter((n) => /^\d{1,9}$/.test(n)).map(Number));
  const issued = await m
    .createQueryBuilder(License, 'l')
    .where('l.type = :type AND l.issued_on >= :from AND l.issued_on <= :to', { type, from: `${year}-01-01`, to: `${year}-12-31` })
    .getCount();
  return `${prefix}${String(Math.max(highest, issued) + 1).padStart(4, '0')}`;
}
