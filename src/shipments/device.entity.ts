import { Column, Entity, PrimaryColumn, type ValueTransformer } from 'typeorm';
import { instantTransformer } from '../database/columns.js';

/** IMEIs are 15 digits, stored as an integer (below 2^53, exact in JavaScript) and read back zero-padded. */
export const imeiTransformer: ValueTransformer = {
  to: (value: string | number | null | undefined) => (value == null ? value : Number(value)),
  from: (value: string | number | null) => (value == null ? null : String(value).padStart(15, '0')),
};

/** Shipment numbers: bigint on PostgreSQL (read as a string), integer on SQLite. */
export const shipmentNoTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value == null ? null : Number(value)),
};

/** A device exported and not released: one row per IMEI (a device is exported once). */
@Entity({ name: 'devices' })
export class Device {
  /** 15 digits (the TAC is the first 8). */
  @PrimaryColumn({ name: 'imei', type: 'bigint', transformer: imeiTransformer }) imei: string;
  /** The shipment's number (Shipment.no). */
  @Column({ name: 'shipment_no', type: 'bigint', transformer: shipmentNoTransformer }) shipmentNo: number;
}

/** A device of a shipment that was voided: kept as history; the device may be exported again. */
@Entity({ name: 'device_releases' })
export class DeviceRelease {
  @PrimaryColumn({ name: 'imei', type: 'bigint', transformer: imeiTransformer }) imei: string;
  @PrimaryColumn({ name: 'shipment_no', type: 'bigint', transformer: shipmentNoTransformer }) shipmentNo: number;
  @Column({ name: 'released_at', type: 'varchar', length: 32, transformer: instantTransformer }) releasedAt: Date;
}
