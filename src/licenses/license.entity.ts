import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Company } from '../companies/company.entity.js';
import { identityKey } from '../common/text.js';
import { instantTransformer } from '../database/columns.js';
import type { BaseStatus, LicenseType } from './lifecycle.js';

/** A license (a PTA "MDM authorization" is a license of type MDM). Its status comes from its events. */
@Entity({ name: 'licenses' })
export class License {
  @PrimaryColumn('uuid') id: string;

  /** The regulator's number as issued (may contain `/`), or the registry's own `MDM-2021-0001`. */
  @Column({ name: 'license_number', type: 'varchar', length: 100 }) licenseNumber: string;

  /** licenseNumber trimmed and upper-cased: the unique key, so lookups ignore case and surrounding spaces. */
  @Column({ name: 'license_number_key', type: 'varchar', length: 100 }) licenseNumberKey: string;

  @Column({ name: 'company_id', type: 'uuid' }) companyId: string;

  @ManyToOne(() => Company, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'company_id' })
  company?: Relation<Company>;

  @Column({ name: 'type', type: 'varchar', length: 20 }) type: LicenseType;
  @Column({ name: 'issued_on', type: 'date' }) issuedOn: string;

  /** End of the current term, inclusive (the last day the license is valid). */
  @Column({ name: 'expires_on', type: 'date' }) expiresOn: string;

  /** Brands the licensee may manufacture, e.g. ["Samsung"]. */
  @Column({ name: 'brands', type: 'simple-json' }) brands: string[];

  /** The brands lower-cased, each between line feeds (`\nsamsung\n`): what brand searches match in SQL. */
  @Column({ name: 'brands_key', type: 'varchar', length: 2000 }) brandsKey: string;

  @Column({ name: 'plant_location', type: 'varchar', length: 300, nullable: true }) plantLocation: string | null;
  @Column({ name: 'conditions', type: 'text', nullable: true }) conditions: string | null;

  /** Projection of the events for today (the regulator's day), kept in the same transaction as each event. */

  @Column({ name: 'created_at', type: 'varchar', length: 32, transformer: instantTransformer }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'varchar', length: 32, transformer: instantTransformer }) updatedAt: Date;
  /** Incremented on every change; sent as the ETag, required back in If-Match. */
  @Column({ name: 'version', type: 'integer' }) version: number;
}

/** The search key of a license's brands (see License.brandsKey). */
export function licenseBrandsKey(brands: readonly string[]): string {
  return brands.length ? `\n${brands.map(identityKey).join('\n')}\n` : '';
}


/** The unique key of a license number: its identity key (common/text.ts) in capitals, as numbers are written. */
export function licenseNumberKey(licenseNumber: string): string {
  return identityKey(licenseNumber).toUpperCase();
}

export type { BaseStatus };
