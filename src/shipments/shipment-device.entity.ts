import { Column, Entity, PrimaryColumn } from 'typeorm';
import { instantTransformer } from '../database/columns.js';

/** One exported device (IMEI) of a shipment. A device is exported once: one unreleased row per IMEI. */
@Entity({ name: 'shipment_devices' })
export class ShipmentDevice {
  /** 15 digits, text (leading zeros kept). */
  @PrimaryColumn({ name: 'imei', type: 'varchar', length: 15 }) imei: string;
  @PrimaryColumn({ name: 'shipment_id', type: 'uuid' }) shipmentId: string;
  /** Type Allocation Code: the first 8 digits, naming the device model. */
  @Column({ name: 'tac', type: 'varchar', length: 8 }) tac: string;
  /** When the shipment was voided; the device may then be exported again. */
  @Column({ name: 'released_at', type: 'varchar', length: 32, nullable: true, transformer: instantTransformer }) releasedAt: Date | null;
}
