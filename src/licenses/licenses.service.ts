import { licenseEventsAgainstTrail } from './license-trail-check.js';
import { nextLicenseNumber } from './license-numbering.js';
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import type { CalendarDate } from '../common/calendar-date.js';
import { Clock } from '../common/clock.js';
import { type Page, pageOf } from '../common/pagination.js';
import { currentContext } from '../common/request-context.js';
import { Problem } from '../common/problem.js';
import { CompaniesService } from '../companies/companies.service.js';
import { type AuditEntry, AuditService } from '../audit/audit.service.js';
import { inSnapshot, Snapshots } from '../database/snapshots.js';
import { Transactions } from '../database/transactions.js';
import type { AmendLicenseDto, CreateLicenseEventDto, GrantLicenseDto, LicenseDto, LicenseEventDto, ListLicensesQuery } from './dto/license.dto.js';
import { License, licenseBrandsKey, licenseNumberKey } from './license.entity.js';
import { LicenseEvent } from './license-event.entity.js';
import { eventsOf, type LicenseWithSteps } from './register.reader.js';
import { statusOnSql } from './status-sql.js';
import { normaliseBrands, toEventDto, toLicenseDto, toLicenseRecord } from './license-records.js';
import { grantStep, type LicenseStatus, type LifecycleStep, nextStep, statusOn, TransitionError } from './lifecycle.js';
import { type AppliedChange, type Decision, type LicenseChange, reviewOf } from './license-change.js';

/** MDM Regulations 2021 came into force on 25 January 2021: no MDM license can take effect before. */
export const MDM_REGULATIONS_IN_FORCE_ON = '2021-01-25';

const STATUS_ON_SQL = statusOnSql('l.id', ':on');

/**
 * What another module does, in the decision's transaction, when a license's term is set: at its grant and at each
 * renewal (obligations: the conditions of the term). `license` has its term as it is then.
 */
export type TermHook = (m: EntityManager, license: LicenseTerm) => Promise<void>;

/** A license's identity and term, for other modules' rules. */
export type LicenseTerm = Pick<License, 'id' | 'licenseNumber' | 'companyId' | 'type' | 'issuedOn' | 'expiresOn'>;


@Injectable()
export class LicensesService {
  constructor(
    @InjectRepository(License) private readonly licenses: Repository<License>,
    private readonly companies: CompaniesService,
    private readonly tx: Transactions,
    private readonly snapshots: Snapshots,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {
    audit.addRegisterCheck(licenseEventsAgainstTrail);
  }

  private readonly termHooks: TermHook[] = [];

  /** Adds what a grant and a renewal also write, in their transaction (a module that depends on licenses: no cycle). */
  onTerm(hook: TermHook): void {
    this.termHooks.push(hook);
  }

  /** Every license's identity and term, oldest first (id order within a day). */
  async terms(m?: EntityManager): Promise<LicenseTerm[]> {
    return (m ?? this.licenses.manager).find(License, {
      select: { id: true, licenseNumber: true, companyId: true, type: true, issuedOn: true, expiresOn: true },
      order: { issuedOn: 'ASC', id: 'ASC' },
    });
  }

  /** One license's identity and term; 404 LICENSE_NOT_FOUND when unknown. */
  async term(id: string, m?: EntityManager): Promise<LicenseTerm> {
    const found = await (m ?? this.licenses.manager).findOne(License, {
      where: { id },
      select: { id: true, licenseNumber: true, companyId: true, type: true, issuedOn: true, expiresOn: true },
    });
    if (!found) throw Problem.notFound('license', id);
    return found;
  }

  /** Grants a license at once, without a proposal (the seed, as the registry itself). Rules and refusals: write(). */
  async grant(input: GrantLicenseDto): Promise<LicenseDto> {
    return this.applyNow({ kind: 'GRANT', input });
  }

  /**
   * Applies a license decision at once, in a transaction of its own, proposed by the actor and not reviewed
   * (FOUR_EYES=false, the seed); returns the license as GET shows it. Throws what apply() throws.
   */
  async applyNow(change: LicenseChange): Promise<LicenseDto> {
    const decision: Decision = { proposalId: null, proposedBy: currentContext().actorId, approvedBy: null };
    return this.get((await this.tx.run((m) => this.apply(m, change, decision))).licenseId);
  }

  /**
   * Checks a license decision against every rule that applying it enforces, in the caller's transaction, writing
   * nothing: a proposal is refused at once for what its approval would refuse (the same code, write()). Throws
   * what apply() throws: 400, 404, 409, 412 (If-Match), 422.
   */
  async check(m: EntityManager, change: LicenseChange): Promise<void> {
    await this.write(m, change, 'check');
  }

  /**
   * Applies a license decision in the caller's transaction, every rule checked again: the one way a grant,
   * amendment or lifecycle action is written, directly or on approval. The event and its audit record name
   * `decision`'s proposer and approver. An AMEND or LIFECYCLE change claims the license at its expectedVersion
   * (412 VERSION_MISMATCH when it moved on).
   */
  async apply(m: EntityManager, change: LicenseChange, decision: Decision): Promise<AppliedChange> {
    return (await this.write(m, change, decision))!;
  }

  /**
   * Checks (`'check'`: stops before its first write) or applies a change. The rules, in this order:
   * - GRANT: an MDM license takes effect on or after 2021-01-25 (MDM Regulations 2021: 422 BEFORE_REGULATIONS);
   *   its term ends on or after issuedOn (400); the licensee exists (422 COMPANY_NOT_FOUND on companyId); the term
   *   ends by 9999-12-31 (422 INVALID_TERM); a number given is free (409 DUPLICATE), one the registry assigns is
   *   chosen when applied;
   * - AMEND: the license is at the version read (412 VERSION_MISMATCH; 404 LICENSE_NOT_FOUND); a number is not
   *   removed (400) and is free (409 DUPLICATE); brands are not null (400). Dated the day it is applied;
   * - LIFECYCLE: not dated after today (422 EFFECTIVE_ON_IN_FUTURE); `data` for RENEWED only (400); the version
   *   read (412; 404); the transitions of lifecycle.ts (422 TRANSITION_NOT_ALLOWED, EVENT_OUT_OF_ORDER, INVALID_TERM).
   */
  private async write(m: EntityManager, change: LicenseChange, decision: Decision | 'check'): Promise<AppliedChange | undefined> {
    if (change.kind === 'GRANT') return this.writeGrant(m, change.input, decision);
    if (change.kind === 'AMEND') return this.writeAmendment(m, change.licenseId, change.input, change.expectedVersion, decision);
    return this.writeLifecycleEvent(m, change.licenseId, change.input, change.expectedVersion, decision);
  }

  /** A license and its GRANTED event. */
  private async writeGrant(m: EntityManager, input: GrantLicenseDto, decision: Decision | 'check'): Promise<AppliedChange | undefined> {
    const type = input.type ?? 'MDM';
    if (type === 'MDM' && input.issuedOn < MDM_REGULATIONS_IN_FORCE_ON) {
      throw Problem.rule('BEFORE_REGULATIONS', `issuedOn ${input.issuedOn} is before the MDM Regulations 2021 came into force (${MDM_REGULATIONS_IN_FORCE_ON})`, [
        { field: 'issuedOn', message: `must be on or after ${MDM_REGULATIONS_IN_FORCE_ON}` },
      ]);
    }
    if (input.expiresOn !== undefined && input.expiresOn < input.issuedOn) {
      throw Problem.validation([{ field: 'expiresOn', message: `must be on or after issuedOn (${input.issuedOn})` }]);
    }
    const company = await this.companies.getEntity(input.companyId, m, 'companyId');
    let step: LifecycleStep;
    try {
      step = grantStep(input.issuedOn, input.expiresOn);
    } catch (e) {
      if (!(e instanceof TransitionError)) throw e;
      throw Problem.rule(e.code, e.message, e.field ? [{ field: e.field, message: e.message }] : undefined);
    }
    if (decision === 'check') {
      // A number the registry assigns is chosen when the grant is applied.
      if (input.licenseNumber !== undefined) await this.assertNumberFree(m, input.licenseNumber);
      return undefined;
    }
    // Grants that number themselves take turns, so two never pick the same next number (across instances too).
    if (input.licenseNumber === undefined) await this.tx.lock(m, 'license-numbering');
    const licenseNumber = input.licenseNumber ?? (await nextLicenseNumber(m, type, input.issuedOn));
    await this.assertNumberFree(m, licenseNumber);
    const now = this.clock.now();
    const license = m.create(License, {
      id: randomUUID(),
      licenseNumber,
      licenseNumberKey: licenseNumberKey(licenseNumber),
      companyId: company.id,
      type,
      issuedOn: input.issuedOn,
      expiresOn: step.expiresOnAfter,
      brands: normaliseBrands(input.brands),
      brandsKey: licenseBrandsKey(normaliseBrands(input.brands)),
      plantLocation: input.plantLocation ?? null,
      conditions: input.conditions ?? null,
      createdAt: now,
      updatedAt: now,
      version: 1,
    });
    await m.save(license);
    const event = await this.recordEvent(m, license.id, 1, step, null, { after: toLicenseRecord(license, statusOn([step], this.clock.today())), reason: input.reason ?? null }, decision);
    for (const hook of this.termHooks) await hook(m, license);
    return { licenseId: license.id, eventId: event.id };
  }

  /** One page of licenses with their status on `on` (default today), filtered by company, type and status on that day (in SQL: licenses/status-sql.ts); page, total and events in one snapshot. */
  async list(query: ListLicensesQuery): Promise<Page<LicenseDto>> {
    const { limit, offset } = pageOf(query);
    const on = query.on ?? this.clock.today();
    const qb = this.licenses.createQueryBuilder('l').innerJoin('l.company', 'c').addSelect(['c.id', 'c.legalName']);
    if (query.companyId) qb.andWhere('l.company_id = :companyId', { companyId: query.companyId.toLowerCase() });
    if (query.type) qb.andWhere('l.type = :type', { type: query.type });
    if (query.status) qb.andWhere(`${STATUS_ON_SQL} = :status`, { status: query.status, on });
    const sort = query.sort ?? 'licenseNumber';
    const column = sort.replace('-', '') === 'issuedOn' ? 'l.issued_on' : 'l.license_number_key';
    qb.orderBy(column, sort.startsWith('-') ? 'DESC' : 'ASC').addOrderBy('l.id', 'ASC').skip(offset).take(limit);
    // The page, its total and the page's events from one snapshot.
    const { rows, total, events } = await this.snapshots.read(async (m) => {
      const [rows, total] = await inSnapshot(qb, m).getManyAndCount();
      return { rows, total, events: await eventsOf(m, rows.map((r) => r.id)) };
    });
    const items = rows.map((license) =>
      toLicenseDto({ license, licensee: license.company!.legalName, events: events.get(license.id) ?? [] }, on),
    );
    return { items, total, limit, offset };
  }

  /** One license with its event history, status computed for `on` (default today). */
  async get(id: string, on?: CalendarDate): Promise<LicenseDto> {
    const found = await this.load(id);
    return toLicenseDto(found, on ?? this.clock.today(), true);
  }

  /** A license's lifecycle events in order (seq); 404 LICENSE_NOT_FOUND when unknown. */
  async listEvents(id: string): Promise<LicenseEventDto[]> {
    return (await this.load(id)).events.map(toEventDto);
  }

  /** The license's version claimed (applying) or checked (a proposal: 412 all the same), then the license and its events. */
  private async claim(m: EntityManager, id: string, expectedVersion: number, decision: Decision | 'check'): Promise<LicenseWithSteps & { version: number }> {
    if (decision === 'check') await this.tx.checkVersion(m, License, id, expectedVersion);
    const version = decision === 'check' ? expectedVersion + 1 : await this.tx.claimVersion(m, License, id, expectedVersion);
    return { ...(await this.load(id, m)), version };
  }

  /** Descriptive fields changed, recorded as an AMENDED event listing each change (none when nothing changed). */
  private async writeAmendment(m: EntityManager, id: string, input: AmendLicenseDto, expectedVersion: number, decision: Decision | 'check'): Promise<AppliedChange | undefined> {
    const { license, events, version } = await this.claim(m, id, expectedVersion, decision);
    // An amendment never changes the status: the same before and after.
    const status = statusOn(events, this.clock.today());
    const before = toLicenseRecord({ ...license, version: expectedVersion }, status);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    const set = <K extends 'licenseNumber' | 'brands' | 'plantLocation' | 'conditions'>(field: K, value: License[K] | undefined) => {
      if (value === undefined || JSON.stringify(value) === JSON.stringify(license[field])) return;
      changes[field] = { from: license[field], to: value };
      license[field] = value;
    };
    if (input.licenseNumber === null) throw Problem.validation([{ field: 'licenseNumber', message: 'cannot be removed' }]);
    if (input.licenseNumber !== undefined && input.licenseNumber !== license.licenseNumber) {
      await this.assertNumberFree(m, input.licenseNumber, license.id);
      set('licenseNumber', input.licenseNumber);
      license.licenseNumberKey = licenseNumberKey(input.licenseNumber);
    }
    if (input.brands === null) throw Problem.validation([{ field: 'brands', message: 'cannot be null; send [] for none' }]);
    set('brands', input.brands === undefined ? undefined : normaliseBrands(input.brands));
    license.brandsKey = licenseBrandsKey(license.brands);
    set('plantLocation', input.plantLocation === undefined ? undefined : (input.plantLocation ?? null));
    set('conditions', input.conditions === undefined ? undefined : (input.conditions ?? null));
    if (decision === 'check') return undefined;
    license.version = version;
    if (Object.keys(changes).length === 0) return { licenseId: id, eventId: null }; // nothing changed: no event (the version still moves on)
    const last = events[events.length - 1];
    // An amendment is dated the day it is recorded; it never changes the status.
    const step = nextStep(events, 'AMENDED', this.clock.today());
    license.updatedAt = this.clock.now();
    await m.save(license);
    const event = await this.recordEvent(m, license.id, last.seq + 1, step, { changes }, { before, after: toLicenseRecord(license, status), reason: input.reason ?? null }, decision);
    return { licenseId: id, eventId: event.id };
  }

  /** A lifecycle action (suspend, reinstate, renew, revoke, surrender) by the transitions of lifecycle.ts. */
  private async writeLifecycleEvent(m: EntityManager, id: string, input: CreateLicenseEventDto, expectedVersion: number, decision: Decision | 'check'): Promise<AppliedChange | undefined> {
    const today = this.clock.today();
    if (input.effectiveOn > today) {
      // Events record what has happened: a future-dated one would block every earlier action until its day.
      throw Problem.rule('EFFECTIVE_ON_IN_FUTURE', `effectiveOn ${input.effectiveOn} is after today (${today}); record the action on or after the day it takes effect`, [
        { field: 'effectiveOn', message: `must not be after today (${today})` },
      ]);
    }
    if (input.data && input.type !== 'RENEWED') {
      throw Problem.validation([{ field: 'data', message: `is only accepted for RENEWED, not ${input.type}` }]);
    }
    const { license, events, version } = await this.claim(m, id, expectedVersion, decision);
    const before = toLicenseRecord({ ...license, version: expectedVersion }, statusOn(events, today));
    let step: LifecycleStep;
    try {
      step = nextStep(events, input.type, input.effectiveOn, input.data?.expiresOn);
    } catch (e) {
      if (!(e instanceof TransitionError)) throw e;
      throw Problem.rule(e.code, e.message, e.field ? [{ field: e.field, message: e.message }] : undefined, {
        licenseId: license.id,
        licenseNumber: license.licenseNumber,
        ...(e.status ? { statusOn: e.status, on: input.effectiveOn } : {}),
      });
    }
    if (decision === 'check') return undefined;
    const seq = events[events.length - 1].seq + 1;
    const data = input.type === 'RENEWED' ? { expiresOn: step.expiresOnAfter } : null;
    const all = [...events, step];
    license.expiresOn = all.reduce((max, s) => (s.expiresOnAfter > max ? s.expiresOnAfter : max), license.expiresOn);
    license.updatedAt = this.clock.now();
    license.version = version;
    await m.save(license);
    const event = await this.recordEvent(
      m,
      license.id,
      seq,
      step,
      data,
      {
        before,
        after: { ...toLicenseRecord(license, statusOn(all, today)), event: { type: input.type, effectiveOn: input.effectiveOn, ...(data ?? {}) } },
        reason: input.reason,
      },
      decision,
    );
    if (input.type === 'RENEWED') for (const hook of this.termHooks) await hook(m, license);
    return { licenseId: id, eventId: event.id };
  }

  /**
   * A license and its status on `date`, for rules in other modules (shipments). Unknown: 404, or 422
   * LICENSE_NOT_FOUND on `field` when a request field referred to it.
   */
  async statusOn(id: string, date: CalendarDate, manager?: EntityManager, field?: string): Promise<{ license: License; status: LicenseStatus }> {
    const { license, events } = await this.load(id, manager, field);
    return { license, status: statusOn(events, date) };
  }

  /**
   * A license and its events, by id or by number (ignoring case and spaces), for rules in other modules.
   * Unknown: 422 LICENSE_NOT_FOUND on the request field that named it.
   */
  async lifecycle(ref: { licenseId?: string; licenseNumber?: string }, manager?: EntityManager): Promise<LicenseWithSteps> {
    if (ref.licenseId) return this.load(ref.licenseId.toLowerCase(), manager, 'licenseId');
    const license = ref.licenseNumber ? await this.findByNumber(ref.licenseNumber, manager) : null;
    if (!license) {
      throw Problem.rule('LICENSE_NOT_FOUND', `licenseNumber: no license numbered ${ref.licenseNumber}`, [{ field: 'licenseNumber', message: 'no such license' }]);
    }
    return this.load(license.id, manager, 'licenseNumber');
  }

  /** A company's licenses (id, type and issue date), oldest first. */
  async ofCompany(companyId: string): Promise<Pick<License, 'id' | 'type' | 'issuedOn'>[]> {
    return this.licenses.find({ where: { companyId }, select: { id: true, type: true, issuedOn: true }, order: { issuedOn: 'ASC', id: 'ASC' } });
  }

  /** Finds a license by its number, ignoring case and surrounding spaces. */
  async findByNumber(licenseNumber: string, manager?: EntityManager): Promise<License | null> {
    return (manager ?? this.licenses.manager).findOne(License, { where: { licenseNumberKey: licenseNumberKey(licenseNumber) } });
  }

  private async load(id: string, manager?: EntityManager, field?: string): Promise<LicenseWithSteps> {
    const m = manager ?? this.licenses.manager;
    const license = await m.findOne(License, { where: { id }, relations: { company: true } });
    if (!license && field) throw Problem.rule('LICENSE_NOT_FOUND', `${field}: no license ${id}`, [{ field, message: 'no such license' }]);
    if (!license) throw Problem.notFound('license', id);
    const events = await m.find(LicenseEvent, { where: { licenseId: id }, order: { seq: 'ASC' } });
    return { license, licensee: license.company!.legalName, events };
  }

  /**
   * Writes the license event `seq` of a license and its audit record (action `license.<type>`), in the caller's
   * transaction: the one way every license event is written (grant, amendment, lifecycle action, and the seed
   * through them). The event keeps the seq of its audit record, whose leaf index in the transparency log is the
   * event's public `logIndex` (seq - 1). Both name the decision's proposer and approver (the record as
   * `after.review`, reviewOf()).
   */
  private async recordEvent(
    m: EntityManager,
    licenseId: string,
    seq: number,
    step: LifecycleStep,
    data: Record<string, unknown> | null,
    audit: Pick<AuditEntry, 'before' | 'after' | 'reason'>,
    decision: Decision,
  ): Promise<LicenseEvent> {
    const after = { ...(audit.after as Record<string, unknown>), review: reviewOf(decision) };
    const record = await this.audit.record(m, { ...audit, after, action: `license.${step.type.toLowerCase()}`, entityType: 'license', entityId: licenseId });
    const event = Object.assign(new LicenseEvent(), {
      id: randomUUID(),
      licenseId,
      seq,
      type: step.type,
      effectiveOn: step.effectiveOn,
      reason: audit.reason ?? null,
      data,
      statusAfter: step.statusAfter,
      expiresOnAfter: step.expiresOnAfter,
      recordedAt: this.clock.now(),
      // The staff member whose request records it; null when the system does (the seed, a CLI command).
      recordedBy: currentContext().actorId,
      proposedBy: decision.proposedBy,
      approvedBy: decision.approvedBy,
      auditSeq: record.seq,
    });
    await m.save(event);
    return event;
  }

  private async assertNumberFree(m: EntityManager, licenseNumber: string, exceptId?: string): Promise<void> {
    const other = await this.findByNumber(licenseNumber, m);
    if (other && other.id !== exceptId) {
      throw Problem.conflict('DUPLICATE', `licenseNumber: ${other.licenseNumber} is already used by another license`, [
        { field: 'licenseNumber', message: `already used by license ${other.id}` },
      ], { existingId: other.id });
    }
  }
}
