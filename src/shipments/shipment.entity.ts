import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Company } from '../companies/company.entity.js';
import { bigintTransformer, instantTransformer } from '../database/columns.js';
import { License } from '../licenses/license.entity.js';
import { shipmentNoTransformer } from './device.entity.js';
import type { DeviceCategory, ShipmentStatus, Technology } from './hs-codes.js';

/** An export shipment made under a license. Never deleted: voided with a reason. */
@Entity({ name: 'shipments' })
export class Shipment {
  @PrimaryColumn('uuid') id: string;

  /** The shipment's integer number (1, 2, 3... in the order recorded): the compact key its devices refer to. */
  @Column({ name: 'no', type: 'bigint', transformer: shipmentNoTransformer }) no: number;

  @Column({ name: 'company_id', type: 'uuid' }) companyId: string;

  @ManyToOne(() => Company, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'company_id' })
  company?: Relation<Company>;

  @Column({ name: 'license_id', type: 'uuid' }) licenseId: string;

  @ManyToOne(() => License, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'license_id' })
  license?: Relation<License>;

  /** The exporter's goods-declaration or invoice number; unique per company. */
  @Column({ name: 'reference', type: 'varchar', length: 100 }) reference: string;

  @Column({ name: 'shipped_on', type: 'date' }) shippedOn: string;

  /** ISO 3166-1 alpha-2. */
  @Column({ name: 'destination_country', type: 'varchar', length: 2 }) destinationCountry: string;

  /** Number of devices, 1..10,000,000. */
  @Column({ name: 'units', type: 'integer' }) units: number;

  @Column({ name: 'device_category', type: 'varchar', length: 20 }) deviceCategory: DeviceCategory;
  @Column({ name: 'technology', type: 'varchar', length: 4, nullable: true }) technology: Technology | null;
  @Column({ name: 'brand', type: 'varchar', length: 100, nullable: true }) brand: string | null;
  @Column({ name: 'model', type: 'varchar', length: 100, nullable: true }) model: string | null;

  /** HS subheading in the edition in force on shippedOn, e.g. 8517.12 (HS 2017) or 8517.13 (HS 2022). */
  @Column({ name: 'hs_code', type: 'varchar', length: 10 }) hsCode: string;

  /** FOB value in USD cents; exchanged as a decimal string. */
  @Column({ name: 'fob_value_cents', type: 'bigint', nullable: true, transformer: bigintTransformer }) fobValueCents: number | null;

  @Column({ name: 'status', type: 'varchar', length: 10 }) status: ShipmentStatus;
  @Column({ name: 'void_reason', type: 'text', nullable: true }) voidReason: string | null;
  @Column({ name: 'voided_at', type: 'varchar', length: 32, nullable: true, transformer: instantTransformer }) voidedAt: Date | null;
  /** The CSV import that recorded it (imports.id); null when recorded through the API or the seed. */
  @Column({ name: 'import_id', type: 'varchar', length: 36, nullable: true }) importId: string | null;

  @Column({ name: 'created_at', type: 'varchar', length: 32, transformer: instantTransformer }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'varchar', length: 32, transformer: instantTransformer }) updatedAt: Date;
  /** Incremented on every change; sent as the ETag, required back in If-Match. */
  @Column({ name: 'version', type: 'integer' }) version: number;
}
