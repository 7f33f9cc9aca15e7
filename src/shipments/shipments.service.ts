import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import { Clock } from '../common/clock.js';
import { moneyToCents } from '../common/money.js';
import { type Page, pageOf } from '../common/pagination.js';
import { Problem, ProblemException } from '../common/problem.js';
import { AuditService } from '../audit/audit.service.js';
import { bulkInsert } from '../database/bulk-insert.js';
import { Snapshots } from '../database/snapshots.js';
import { Transactions } from '../database/transactions.js';
import { LicensesService } from '../licenses/licenses.service.js';
import type { CreateShipmentDto, ListShipmentsQuery, ShipmentDto, VoidShipmentDto } from './dto/shipment.dto.js';
import type { LicenseWithSteps } from '../licenses/register.reader.js';
import { statusOn } from '../licenses/lifecycle.js';
import { defaultHsCode, hsCodeProblem } from './hs-codes.js';
import { applyToRollup } from './export-rollup.js';
import { Shipment } from './shipment.entity.js';
import { differs, toShipmentDto, toShipmentRecord } from './shipment-records.js';
import { assertDevicesFree, devicesOf, insertDevices, releaseDevices } from './shipment-devices.js';
import { numberShipments, storedByReference } from './shipment-store.js';

/** Looks a license and its events up by id or number (an import caches it per license). */
export type LicenseLookup = (ref: { licenseId?: string; licenseNumber?: string }) => Promise<LicenseWithSteps>;

/** What recordMany did with one input (see there). */
export type RecordOutcome =
  | { kind: 'created'; shipment: Shipment }
  | { kind: 'refused'; problem: ProblemException }
  | { kind: 'existing' | 'repeated' | 'unchanged'; stored: Shipment }
  | { kind: 'differs'; stored: Shipment; field: string; storedValue: unknown; given: unknown };

export interface PreparedShipment {
  shipment: Shipment;
  devices: { imei: string; tac: string }[];
}

/** The exporting country: the regulator's own (PTA: Pakistan). */
export const REGISTRY_COUNTRY = 'PK';

@Injectable()
export class ShipmentsService {
  constructor(
    @InjectRepository(Shipment) private readonly shipments: Repository<Shipment>,
    private readonly licenses: LicensesService,
    private readonly tx: Transactions,
    private readonly snapshots: Snapshots,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  /**
   * Records an export shipment. Rules, each a 422 naming the field:
   * the license belongs to the exporter and is ACTIVE on shippedOn; shippedOn is not in the future;
   * hsCode exists in the HS edition in force on shippedOn. A duplicate (company, reference) is a 409.
   */
  async create(input: CreateShipmentDto): Promise<ShipmentDto> {
    const id = await this.tx.run((m) => this.createIn(m, input));
    return this.get(id);
  }

  /**
   * Every rule of a shipment, without writing: the license (by id or number) is held by
   * the exporter and ACTIVE on shippedOn; shippedOn is not in the future; the destination is abroad; the HS
   * code exists in the edition in force; IMEIs are valid, distinct and as many as the units. Throws a
   * ProblemException naming the field. `lookup` lets an import look each license up once.
   * The one code path for POST /shipments and for CSV imports.
   */
  async prepare(m: EntityManager, input: CreateShipmentDto, lookup: LicenseLookup = (ref) => this.licenses.lifecycle(ref, m)): Promise<PreparedShipment> {
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
    if (input.licenseId && input.licenseNumber) {
      throw Problem.validation([{ field: 'licenseNumber', message: 'give licenseId or licenseNumber, not both' }]);
    }
    if (!input.licenseId && !input.licenseNumber) throw Problem.validation([{ field: 'licenseId', message: 'licenseId or licenseNumber is required' }]);
    const { license, events } = await lookup({ licenseId: input.licenseId, licenseNumber: input.licenseNumber });
    if (input.companyId && input.companyId.toLowerCase() !== license.companyId) {
      throw Problem.rule('LICENSE_OF_OTHER_COMPANY', `License ${license.licenseNumber} is not held by company ${input.companyId}`, [
        { field: 'companyId', message: `does not hold license ${license.licenseNumber}` },
      ], { licenseId: license.id, licenseNumber: license.licenseNumber });
    }
    const status = statusOn(events, input.shippedOn);
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
    const devices = devicesOf(input);
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
      no: 0, // numbered when inserted (number())
      status: 'RECORDED',
      voidReason: null,
      voidedAt: null,
      importId: null,
      createdAt: now,
      updatedAt: now,
      version: 1,
    });
    return { shipment, devices };
  }

  /** The rules and the insert, inside a caller's transaction. Returns the id. 409 DUPLICATE when the exporter already used the reference. */
  async createIn(m: EntityManager, input: CreateShipmentDto): Promise<string> {
    const [outcome] = await this.recordMany(m, [input], { existing: 'refuse' });
    if (outcome.kind === 'refused') throw outcome.problem;
    if (outcome.kind !== 'created') {
      const duplicate = outcome.stored;
      throw Problem.conflict('DUPLICATE', `reference: the exporter already has shipment ${duplicate.id} with reference ${input.reference}`, [
        { field: 'reference', message: 'already used by this exporter' },
      ], { existingId: duplicate.id });
    }
    return outcome.shipment.id;
  }

  /**
   * Records many shipments in the caller's transaction: the one path of every writer (API, CSV imports, seed).
   * Each input goes through prepare() (all rules; a refusal is its outcome, not thrown); then, by (exporter,
   * reference), against what is stored and what came before in this batch or import:
   *  - new: numbered, inserted, added to the rollup, with its IMEIs when the input lists them (a device already
   *    exported elsewhere refuses the shipment: 409 IMEI_ALREADY_EXPORTED), and audited as `shipment.recorded`;
   *  - `existing: 'refuse'` (the API): any stored shipment with the reference is `existing`;
   *  - `existing: 'compare'` (imports): recorded by this import or earlier in the batch -> `repeated`; stored
   *    with another value -> `differs` (the first differing field) or a voided one -> `differs` on reference;
   *    stored identically -> `unchanged` (an import run again).
   * Outcomes are in the order of `inputs`. `importId` marks the shipments (and names the import in the audit).
   */
  async recordMany(
    m: EntityManager,
    inputs: CreateShipmentDto[],
    options: { existing: 'refuse' | 'compare'; lookup?: LicenseLookup; importId?: string },
  ): Promise<RecordOutcome[]> {
    const outcomes: RecordOutcome[] = [];
    const prepared: { index: number; shipment: Shipment; devices: { imei: string }[] }[] = [];
    for (const [index, input] of inputs.entries()) {
      try {
        const { shipment, devices } = await this.prepare(m, input, options.lookup);
        shipment.importId = options.importId ?? null;
        prepared.push({ index, shipment, devices });
      } catch (e) {
        if (!(e instanceof ProblemException)) throw e;
        outcomes[index] = { kind: 'refused', problem: e };
      }
    }
    const existing = await storedByReference(m, prepared.map((p) => p.shipment));
    const created: typeof prepared = [];
    for (const p of prepared) {
      const key = `${p.shipment.companyId}|${p.shipment.reference}`;
      const stored = existing.get(key);
      if (!stored) {
        existing.set(key, p.shipment);
        created.push(p);
        outcomes[p.index] = { kind: 'created', shipment: p.shipment };
      } else if (options.existing === 'refuse') {
        outcomes[p.index] = { kind: 'existing', stored };
      } else if (stored.importId !== null && stored.importId === options.importId) {
        outcomes[p.index] = { kind: 'repeated', stored };
      } else {
        const difference = differs(stored, p.shipment);
        outcomes[p.index] = difference ? { kind: 'differs', stored, ...difference } : { kind: 'unchanged', stored };
      }
    }
    const imeis = created.flatMap((p) => p.devices.map((d) => d.imei));
    if (imeis.length) await assertDevicesFree(m, imeis);
    const shipments = created.map((p) => p.shipment);
    await this.store(m, shipments);
    for (const p of created) if (p.devices.length) await insertDevices(m, p.shipment.no, p.devices);
    await this.audit.recordMany(
      m,
      created.map((p) => ({
        action: 'shipment.recorded',
        entityType: 'shipment' as const,
        entityId: p.shipment.id,
        // An import's IMEIs come in its own file, counted there.
        after: inputs[p.index].imeis ? { ...toShipmentRecord(p.shipment), imeis: p.devices.length } : toShipmentRecord(p.shipment),
        reason: options.importId ? `import ${options.importId}` : undefined,
      })),
    );
    return outcomes;
  }

  /**
   * Writes new shipments (already through prepare()): numbers them, inserts them, and adds them to the export
   * rollup, in the caller's transaction. The one way shipments are stored (API, imports, seed).
   */
  async store(m: EntityManager, shipments: Shipment[]): Promise<void> {
    await numberShipments(m, shipments);
    await bulkInsert(m, Shipment, shipments);
    await applyToRollup(m, shipments, 1);
  }

  /** One page of shipments (FOB in USD as a decimal string, units in devices), filtered by exporter, license, destination, device category, status and shipped-on days `from`..`to` (inclusive; 400 when `to` is before `from`); page and total in one snapshot. */
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
    const [rows, total] = await this.snapshots.manyAndCount(qb);
    return { items: rows.map(toShipmentDto), total, limit, offset };
  }

  /** Whether the exporter already recorded a shipment with this reference (voided ones included). */
  async hasReference(companyId: string, reference: string): Promise<boolean> {
    return (await this.shipments.count({ where: { companyId, reference } })) > 0;
  }

  /** One shipment; 404 SHIPMENT_NOT_FOUND when unknown. */
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
      await applyToRollup(m, [shipment], -1); // as it counted until now
      shipment.status = 'VOIDED';
      shipment.voidReason = input.reason;
      shipment.voidedAt = this.clock.now();
      shipment.updatedAt = shipment.voidedAt;
      shipment.version = version;
      await m.save(shipment);
      // Its devices were not exported after all: they may be exported in another shipment (the trace keeps them).
      await releaseDevices(m, shipment.no, shipment.voidedAt);
      await this.audit.record(m, { action: 'shipment.voided', entityType: 'shipment', entityId: id, before, after: toShipmentRecord(shipment), reason: input.reason });
    });
    return this.get(id);
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

