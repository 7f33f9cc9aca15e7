import { Injectable } from '@nestjs/common';
import { normaliseImei } from '../common/imei.js';
import { Problem, ProblemException } from '../common/problem.js';
import { PreparedReads } from '../database/prepared-reads.js';
import { lookedUpTogether } from '../database/together.js';

export interface DeviceTrace {
  imei: string;
  tac: string;
  shipment: { id: string; reference: string; shippedOn: string; destinationCountry: string; status: string };
  company: { id: string; legalName: string };
  license: { id: string; licenseNumber: string };
  /** Earlier shipments the device was in, since voided. */
  history: { shipmentId: string; reference: string; shippedOn: string; releasedAt: string | null }[];
}

interface TraceRow {
  shipmentId: string;
  reference: string;
  shippedOn: string;
  destinationCountry: string;
  status: string;
  companyId: string;
  legalName: string;
  licenseId: string;
  licenseNumber: string;
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
  constructor(private readonly reads: PreparedReads) {}

  /** The device's shipment, exporter and license, and its earlier (voided) shipments: two prepared primary-key lookups. */
  async trace(raw: string): Promise<DeviceTrace> {
    const imei = this.imeiOf(raw);
    const [current] = await this.reads.all<TraceRow>(
      'device-trace',
      `SELECT s.id AS "shipmentId", s.reference, s.shipped_on AS "shippedOn", s.destination_country AS "destinationCountry", s.status,
              c.id AS "companyId", c.legal_name AS "legalName", l.id AS "licenseId", l.license_number AS "licenseNumber"
       FROM devices d JOIN shipments s ON s.no = d.shipment_no JOIN companies c ON c.id = s.company_id JOIN licenses l ON l.id = s.license_id
       WHERE d.imei = $1`,
      [Number(imei)],
    );
    if (!current) throw this.notFound(imei);
    const released = await this.reads.all<{ shipmentId: string; reference: string; shippedOn: string; releasedAt: string }>(
      'device-releases',
      `SELECT s.id AS "shipmentId", s.reference, s.shipped_on AS "shippedOn", r.released_at AS "releasedAt"
       FROM device_releases r JOIN shipments s ON s.no = r.shipment_no WHERE r.imei = $1 ORDER BY r.released_at`,
      [Number(imei)],
    );
    return {
      imei,
      tac: imei.slice(0, 8),
      shipment: { id: current.shipmentId, reference: current.reference, shippedOn: current.shippedOn, destinationCountry: current.destinationCountry, status: current.status },
      company: { id: current.companyId, legalName: current.legalName },
      license: { id: current.licenseId, licenseNumber: current.licenseNumber },
      history: released,
    };
  }

  /**
   * Only whether and when: no exporter, destination, reference or value. One primary-key lookup, prepared; on
   * PostgreSQL, the lookups asked in one turn of the event loop go to the database together, as one statement.
   * @throws ProblemException 400 (`imei` not a valid IMEI), 404 DEVICE_NOT_FOUND
   */
  async publicAnswer(raw: string): Promise<PublicDeviceAnswer> {
    const imei = this.imeiOf(raw);
    const shippedOn = await (this.reads.postgres ? this.shippedOnTogether.load(Number(imei)) : this.shippedOnAlone(Number(imei)));
    if (!shippedOn) throw this.notFound(imei);
    return { imei, exported: true, shippedOn, byLicensedManufacturer: true };
  }

  /** SQLite: one lookup is a few microseconds and no round trip; nothing to gain by waiting for others. */
  private async shippedOnAlone(imei: number): Promise<string | undefined> {
    const [row] = await this.reads.all<{ shippedOn: string }>('device-shipped-on', 'SELECT s.shipped_on AS "shippedOn" FROM devices d JOIN shipments s ON s.no = d.shipment_no WHERE d.imei = $1', [imei]);
    return row?.shippedOn;
  }

  /** PostgreSQL: the IMEIs asked for in one turn of the event loop, by the same primary-key lookups in one statement (lookedUpTogether). */
  private readonly shippedOnTogether = lookedUpTogether<number, string | undefined>(async (imeis) => {
    const rows = await this.reads.all<{ imei: string; shippedOn: string }>(
      'device-shipped-on-together',
      'SELECT d.imei, s.shipped_on AS "shippedOn" FROM devices d JOIN shipments s ON s.no = d.shipment_no WHERE d.imei = ANY($1)',
      [imeis],
    );
    const found = new Map(rows.map((r) => [Number(r.imei), r.shippedOn]));
    return imeis.map((imei) => found.get(imei));
  });

  private imeiOf(raw: string): string {
    const result = normaliseImei(raw);
    if ('error' in result) throw Problem.validation([{ field: 'imei', message: result.error }]);
    return result.imei;
  }

  private notFound(imei: string): ProblemException {
    return new ProblemException(404, 'DEVICE_NOT_FOUND', `No export of a device with IMEI ${imei} is on record`, undefined, { imei, exported: false });
  }
}
