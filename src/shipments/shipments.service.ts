import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import { Clock } from '../common/clock.js';
import { centsToMoney, moneyToCents } from '../common/money.js';
import { historyLink, type Page, pageOf } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { AuditService } from '../audit/audit.service.js';
import { Transactions } from '../database/transactions.js';
import { LicensesService } from '../licenses/licenses.service.js';
import type { CreateShipmentDto, ListShipmentsQuery, ShipmentDto, VoidShipmentDto } from './dto/shipment.dto.js';
import { defaultHsCode, hsCodeProblem } from './hs-codes.js';
import { Shipment } from './shipment.entity.js';

/** The exporting country: the regulator's own (PTA: Pakistan). */
export const REGISTRY_COUNTRY = 'PK';

@Injectable()
export class ShipmentsService {
  constructor(
    @InjectRepository(Shipment) private readonly shipments: Repository<Shipment>,
    private readonly licenses: LicensesService,
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  /**
   * Records an export shipment. Rules (DESIGN.md section 4), each a 422 naming the field:
   * the license belongs to the exporter and is ACTIVE on shippedOn; shippedOn is not in the future;
   * hsCode exists in the HS edition in force on shippedOn. A duplicate (company, reference) is a 409.
   */
  async create(input: CreateShipmentDto): Promise<ShipmentDto> {
    const id = await this.tx.run((m) => this.createIn(m, input));
    return this.get(id);
  }

  /** The rules and the insert, inside a caller's transaction (also for the seed and imports). Returns the id. */
  async createIn(m: EntityManager, input: CreateShipmentDto): Promise<string> {
    const today = this.clock.today();
    if (input.shippedOn > today) {
      throw Problem.rule('SHIPPED_ON_IN_FUTURE', `shippedOn ${input.shippedOn} is after today (${today})`, [
        { field: 'shippedOn', message: `must not be after today (${today})` },
      ]);
    }
    if (input.destinationCountry === REGISTRY_COUNTRY) {
      throw Problem.rule('DESTINATION_IS_ORIGIN', `destinationCountry ${REGISTRY_COUNTRY} is the exporting country itself; an export goes abroad`, [
        { field: 'destinationCountry', message: `must be another country than ${REGISTRY_COUNTRY}` },
      ]);
    }
    const licenseId = await this.resolveLicenseId(m, input);
    const { license, status } = await this.licenses.statusOn(licenseId, input.shippedOn, m, input.licenseId ? 'licenseId' : 'licenseNumber');
    if (input.companyId && input.companyId.toLowerCase() !== license.companyId) {
      throw Problem.rule('LICENSE_OF_OTHER_COMPANY', `License ${license.licenseNumber} is not held by company ${input.companyId}`, [
        { field: 'companyId', message: `does not hold license ${license.licenseNumber}` },
      ], { licenseId: license.id, licenseNumber: license.licenseNumber });
    }
    if (status !== 'ACTIVE') {
      throw Problem.rule(
        'LICENSE_NOT_ACTIVE',
        `License ${license.licenseNumber} was ${status} on ${input.shippedOn}; a shipment needs a license that is ACTIVE on shippedOn`,
        [{ field: 'shippedOn', message: `license ${license.licenseNumber} was ${status} on this day` }],
        { licenseId: license.id, licenseNumber: license.licenseNumber, statusOn: status, on: input.shippedOn },
      );
    }
    const hsCode = input.hsCode ?? defaultHsCode(input.shippedOn, input.deviceCategory);
    const hsProblem = hsCode ? hsCodeProblem(hsCode, input.shippedOn, input.deviceCategory) : `is required for ${input.deviceCategory} shipped from 2022-01-01`;
    if (!hsCode || hsProblem) throw Problem.rule('HS_CODE_INVALID', `hsCode: ${hsProblem}`, [{ field: 'hsCode', message: hsProblem! }]);

    const duplicate = await m.findOne(Shipment, { where: { companyId: license.companyId, reference: input.reference }, select: { id: true } });
    if (duplicate) {
      throw Problem.conflict('DUPLICATE', `reference: the exporter already has shipment ${duplicate.id} with reference ${input.reference}`, [
        { field: 'reference', message: 'already used by this exporter' },
      ], { existingId: duplicate.id });
    }
    const now = this.clock.now();
    const shipment = m.create(Shipment, {
      id: randomUUID(),
      companyId: license.companyId,
      licenseId: license.id,
      reference: input.reference,
      shippedOn: input.shippedOn,
      destinationCountry: input.destinationCountry,
      units: input.units,
      deviceCategory: input.deviceCategory,
      technology: input.technology ?? null,
      brand: input.brand ?? null,
      model: input.model ?? null,
      hsCode,
      fobValueCents: input.fobValue == null ? null : moneyToCents(input.fobValue),
      status: 'RECORDED',
      voidReason: null,
      voidedAt: null,
      createdAt: now,
      updatedAt: now,
      version: 1,
    });
    await m.save(shipment);
    await this.audit.record(m, { action: 'shipment.recorded', entityType: 'shipment', entityId: shipment.id, after: toShipmentRecord(shipment) });
    return shipment.id;
  }

  async list(query: ListShipmentsQuery): Promise<Page<ShipmentDto>> {
    if (query.from && query.to && query.from > query.to) {
      throw Problem.validation([{ field: 'to', message: `must be on or after from (${query.from})` }]);
    }
    const { limit, offset } = pageOf(query);
    const qb = this.baseQuery();
    if (query.companyId) qb.andWhere('s.company_id = :companyId', { companyId: query.companyId.toLowerCase() });
    if (query.licenseId) qb.andWhere('s.license_id = :licenseId', { licenseId: query.licenseId.toLowerCase() });
    if (query.destination) qb.andWhere('s.destination_country = :destination', { destination: query.destination });
    if (query.from) qb.andWhere('s.shipped_on >= :from', { from: query.from });
    if (query.to) qb.andWhere('s.shipped_on <= :to', { to: query.to });
    if (query.deviceCategory) qb.andWhere('s.device_category = :category', { category: query.deviceCategory });
    if (query.status) qb.andWhere('s.status = :status', { status: query.status });
    const sort = query.sort ?? '-shippedOn';
    qb.orderBy(sort.replace('-', '') === 'units' ? 's.units' : 's.shipped_on', sort.startsWith('-') ? 'DESC' : 'ASC')
      .addOrderBy('s.id', 'ASC')
      .skip(offset)
      .take(limit);
    const [rows, total] = await qb.getManyAndCount();
    return { items: rows.map(toShipmentDto), total, limit, offset };
  }

  async get(id: string): Promise<ShipmentDto> {
    return toShipmentDto(await this.load(id));
  }

  /** Voids a shipment with a reason; it stays on record but counts nowhere. 409 when already voided. */
  async void(id: string, input: VoidShipmentDto, expectedVersion: number): Promise<ShipmentDto> {
    await this.tx.run(async (m) => {
      const version = await this.tx.claimVersion(m, Shipment, id, expectedVersion);
      const shipment = await this.load(id, m);
      const before = toShipmentRecord({ ...shipment, version: expectedVersion } as Shipment);
      if (shipment.status === 'VOIDED') {
        throw Problem.conflict('ALREADY_VOIDED', `Shipment ${id} was already voided on ${shipment.voidedAt?.toISOString()}: ${shipment.voidReason}`);
      }
      shipment.status = 'VOIDED';
      shipment.voidReason = input.reason;
      shipment.voidedAt = this.clock.now();
      shipment.updatedAt = shipment.voidedAt;
      shipment.version = version;
      await m.save(shipment);
      await this.audit.record(m, { action: 'shipment.voided', entityType: 'shipment', entityId: id, before, after: toShipmentRecord(shipment), reason: input.reason });
    });
    return this.get(id);
  }

  private async resolveLicenseId(m: EntityManager, input: CreateShipmentDto): Promise<string> {
    if (input.licenseId && input.licenseNumber) {
      throw Problem.validation([{ field: 'licenseNumber', message: 'give licenseId or licenseNumber, not both' }]);
    }
    if (input.licenseId) return input.licenseId.toLowerCase();
    if (!input.licenseNumber) throw Problem.validation([{ field: 'licenseId', message: 'licenseId or licenseNumber is required' }]);
    const license = await this.licenses.findByNumber(input.licenseNumber, m);
    if (!license) {
      throw Problem.rule('LICENSE_NOT_FOUND', `licenseNumber: no license numbered ${input.licenseNumber}`, [{ field: 'licenseNumber', message: 'no such license' }]);
    }
    return license.id;
  }

  private baseQuery(m: EntityManager = this.shipments.manager) {
    return m
      .createQueryBuilder(Shipment, 's')
      .innerJoin('s.company', 'c')
      .addSelect(['c.id', 'c.legalName'])
      .innerJoin('s.license', 'l')
      .addSelect(['l.id', 'l.licenseNumber']);
  }

  private async load(id: string, m?: EntityManager): Promise<Shipment> {
    const shipment = await this.baseQuery(m).where('s.id = :id', { id }).getOne();
    if (!shipment) throw Problem.notFound('shipment', id);
    return shipment;
  }
}

/** The stored record of a shipment, as the audit trail keeps it. */
function toShipmentRecord(s: Shipment) {
  const { company: _c, license: _l, createdAt: _cr, updatedAt: _up, voidedAt, ...fields } = s;
  return { ...fields, voidedAt: voidedAt ? voidedAt.toISOString() : null };
}

export function toShipmentDto(s: Shipment): ShipmentDto {
  return {
    id: s.id,
    companyId: s.companyId,
    licensee: s.company!.legalName,
    licenseId: s.licenseId,
    licenseNumber: s.license!.licenseNumber,
    reference: s.reference,
    shippedOn: s.shippedOn,
    destinationCountry: s.destinationCountry,
    units: s.units,
    deviceCategory: s.deviceCategory,
    technology: s.technology,
    brand: s.brand,
    model: s.model,
    hsCode: s.hsCode,
    fobValue: s.fobValueCents == null ? null : centsToMoney(s.fobValueCents),
    status: s.status,
    voidReason: s.voidReason,
    voidedAt: s.voidedAt ? s.voidedAt.toISOString() : null,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    version: s.version,
    links: { history: historyLink('shipment', s.id) },
  };
}
