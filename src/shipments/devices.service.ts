import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { normaliseImei } from '../common/imei.js';
import { Problem, ProblemException } from '../common/problem.js';
import { ShipmentDevice } from './shipment-device.entity.js';
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

/** Device-level traceability: which shipment exported an IMEI (DIRBS-style per-device registration). */
@Injectable()
export class DevicesService {
  constructor(@InjectRepository(ShipmentDevice) private readonly devices: Repository<ShipmentDevice>) {}

  async trace(raw: string): Promise<DeviceTrace> {
    const imei = this.imeiOf(raw);
    const rows = await this.devices
      .createQueryBuilder('d')
      .innerJoinAndMapOne('d.shipment', Shipment, 's', 's.id = d.shipment_id')
      .leftJoinAndSelect('s.company', 'c')
      .leftJoinAndSelect('s.license', 'l')
      .where('d.imei = :imei', { imei })
      .getMany();
    const withShipment = rows as (ShipmentDevice & { shipment: Shipment })[];
    const current = withShipment.find((r) => r.releasedAt === null);
    if (!current) throw this.notFound(imei);
    const s = current.shipment;
    return {
      imei,
      tac: current.tac,
      shipment: { id: s.id, reference: s.reference, shippedOn: s.shippedOn, destinationCountry: s.destinationCountry, status: s.status },
      company: { id: s.company!.id, legalName: s.company!.legalName },
      license: { id: s.license!.id, licenseNumber: s.license!.licenseNumber },
      history: withShipment
        .filter((r) => r.releasedAt !== null)
        .map((r) => ({ shipmentId: r.shipmentId, reference: r.shipment.reference, shippedOn: r.shipment.shippedOn, releasedAt: r.releasedAt!.toISOString() })),
    };
  }

  /** Only whether and when: no exporter, destination, reference or value. */
  async publicAnswer(raw: string): Promise<PublicDeviceAnswer> {
    const trace = await this.trace(raw);
    return { imei: trace.imei, exported: true, shippedOn: trace.shipment.shippedOn, byLicensedManufacturer: true };
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
