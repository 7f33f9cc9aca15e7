import { Column, Entity, PrimaryColumn } from 'typeorm';
import { identityKey } from '../common/text.js';
import { instantTransformer } from '../database/columns.js';

/** A company the regulator licenses (the licensee). */
@Entity({ name: 'companies' })
export class Company {
  @PrimaryColumn('uuid') id: string;

  @Column({ name: 'legal_name', type: 'varchar', length: 300 }) legalName: string;

  /** legalName's identity key (common/text.ts): the unique key, and the order of lists by name. */
  @Column({ name: 'legal_name_key', type: 'varchar', length: 300 }) legalNameKey: string;

  /**
   * The identity keys of the legal and trade names, one per line, computed by the application (SQLite's LOWER()
   * knows only ASCII): what a name search matches.
   */
  @Column({ name: 'search_key', type: 'varchar', length: 510 }) searchKey: string;

  @Column({ name: 'trade_name', type: 'varchar', length: 200, nullable: true }) tradeName: string | null;

  /** SECP corporate registration number, unique when present. */
  @Column({ name: 'registration_number', type: 'varchar', length: 50, nullable: true }) registrationNumber: string | null;

  /** National Tax Number, unique when present. */
  @Column({ name: 'ntn', type: 'varchar', length: 20, nullable: true }) ntn: string | null;

  @Column({ name: 'city', type: 'varchar', length: 100, nullable: true }) city: string | null;
  @Column({ name: 'province', type: 'varchar', length: 100, nullable: true }) province: string | null;
  @Column({ name: 'address', type: 'varchar', length: 500, nullable: true }) address: string | null;
  @Column({ name: 'website', type: 'varchar', length: 300, nullable: true }) website: string | null;

  /** Staff-only: never in a public response. */
  @Column({ name: 'contact_email', type: 'varchar', length: 254, nullable: true }) contactEmail: string | null;

  @Column({ name: 'created_at', type: 'varchar', length: 32, transformer: instantTransformer }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'varchar', length: 32, transformer: instantTransformer }) updatedAt: Date;
  /** Incremented on every change; sent as the ETag, required back in If-Match. */
  @Column({ name: 'version', type: 'integer' }) version: number;
}

/** The unique key of a legal name (identityKey): two companies whose names differ only in form collide. */
export function companyNameKey(legalName: string): string {
  return identityKey(legalName);
}

/** What a name search matches: the identity keys of the legal and trade names, one per line. */
export function companySearchKey(legalName: string, tradeName: string | null): string {
  return [companyNameKey(legalName), tradeName ? identityKey(tradeName) : ''].filter(Boolean).join('\n');
}
