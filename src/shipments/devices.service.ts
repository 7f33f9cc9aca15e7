import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { normaliseImei } from '../common/imei.js';
import { Problem, ProblemException } from '../common/problem.js';
import { PreparedReads } from '../database/prepared-reads.js';
import { Device, DeviceRelease } from './device.entity.js';
import { Shipment } from './shipment.entity.js';

export interface DeviceTrace {
  imei: string;
  tac: string;
  shipment: { id: string; reference: string; shippedOn: string; destinationCountry: string; status: string };
  company: { id: string; legalName: string };
  license: { id: string; licenseNumber: string };
  /** Earlier shipments the device was in, since voided. */
  history: { shipmentId: string; reference: string; shippedOn: string; releasedAt: string | null }[];
}

export interface PublicDeviceAnswer {
  imei: string;
  exported: true;
  shippedOn: string;
  byLicensedManufacturer: true;
}

/**
 * Device-level traceability: which shipment exported an IMEI (DIRBS-style per-device registration). Each
 * answer is one primary-key lookup of the IMEI (devices; device_releases for the history) and its shipment.
 */
@Injectable()
export class DevicesService {
  constructor(
    @InjectRepository(Device) private readonly devices: Repository<Device>,
    private readonly reads: PreparedReads,
  ) {}

  async trace(raw: string): Promise<DeviceTrace> {
    const imei = this.imeiOf(raw);
    const m = this.devices.manager;
    const current = await m
      .createQueryBuilder(Device, 'd')
      .innerJoinAndMapOne('d.shipment', Shipment, 's', 's.no = d.shipment_no')
      .leftJoinAndSelect('s.company', 'c')
      .leftJoinAndSelect('s.license', 'l')
      .where('d.imei = :imei', { imei: Number(imei) })
      .getOne();
    if (!current) throw this.notFound(imei);
    const s = (current as Device & { shipment: Shipment }).shipment;
    const released = await m
      .createQueryBuilder(DeviceRelease, 'r')
      .innerJoinAndMapOne('r.shipment', Shipment, 's', 's.no = r.shipment_no')
      .where('r.imei = :imei', { imei: Number(imei) })
      .orderBy('r.released_at', 'ASC')
      .getMany();
    return {
      imei,
      tac: imei.slice(0, 8),
      shipment: { id: s.id, reference: s.reference, shippedOn: s.shippedOn, destinationCountry: s.destinationCountry, status: s.status },
      company: { id: s.company!.id, legalName: s.company!.legalName },
      license: { id: s.license!.id, licenseNumber: s.license!.licenseNumber },
      history: (released as (DeviceRelease & { shipment: Shipment })[]).map((r) => ({
        shipmentId: r.shipment.id,
        reference: r.shipment.reference,
        shippedOn: r.shipment.shippedOn,
        releasedAt: r.releasedAt.toISOString(),
      })),
    };
  }

  /** Only whether and when: no exporter, destination, reference or value. One primary-key lookup, prepared. */
  async publicAnswer(raw: string): Promise<PublicDeviceAnswer> {
    const imei = this.imeiOf(raw);
    const [row] = await this.reads.all<{ shippedOn: string }>(
      'device-shipped-on',
      'SELECT s.shipped_on AS "shippedOn" FROM devices d JOIN shipments s ON s.no = d.shipment_no WHERE d.imei = $1',
      [Number(imei)],
    );
    if (!row) throw this.notFound(imei);
    return { imei, exported: true, shippedOn: row.shippedOn, byLicensedManufacturer: true };
  }

  private imeiOf(raw: string): string {
    const result = normaliseImei(raw);
    if ('error' in result) throw Problem.validation([{ field: 'imei', message: result.error }]);
    return result.imei;
  }

  private notFound(imei: string): ProblemException {
    return new ProblemException(404, 'DEVICE_NOT_FOUND', `No export of a device with IMEI ${imei} is on record`, undefined, { imei, exported: false });
  }
}
