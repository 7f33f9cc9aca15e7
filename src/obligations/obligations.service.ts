import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, LessThanOrEqual, Repository } from 'typeorm';
import { AuditService, type AuditEntry } from '../audit/audit.service.js';
import type { CalendarDate } from '../common/calendar-date.js';
import { Clock } from '../common/clock.js';
import { Problem, ProblemException } from '../common/problem.js';
import { currentContext } from '../common/request-context.js';
import { Transactions } from '../database/transactions.js';
import { type LicenseTerm, LicensesService } from '../licenses/licenses.service.js';
import type { CatalogVersionDto, CreateCatalogVersionDto, CreateSubmissionDto, ObligationDto, ObligationListDto } from './dto/obligation.dto.js';
import { DocumentStore, type ReceivedDocument } from './documents.js';
import { readView, readViews } from './obligation-reads.js';
import { Obligation, ObligationCatalogVersion, ObligationSubmission, ObligationTemplate } from './obligation.entity.js';
import { emptyCounts, factsOf, type ObligationOnDay, type ObligationView, type PublicCondition, type StoredDocument, submissionDto, templateDto, toDto } from './obligation-views.js';
import {
  dueOnAfter,
  obligationStatusOn,
  offsetMonths,
  percentHundredths,
  reportPeriods,
} from './obligation-rules.js';

export type { ObligationOnDay, PublicCondition, StoredDocument } from './obligation-views.js';
export { emptyCounts } from './obligation-views.js';

/**
 * License conditions (docs/rules.md, "License conditions"): the versioned catalog, each license's obligations
 * (created in the grant's transaction, and a renewal's the periods of its term: LicensesService.onTerm), the
 * evidence with its documents, and the status of each on a date (obligation-rules.ts). Decisions on them:
 * obligation-decisions.service.ts.
 */
@Injectable()
export class ObligationsService implements OnApplicationBootstrap {
  constructor(
    @InjectRepository(Obligation) private readonly obligations: Repository<Obligation>,
    private readonly licenses: LicensesService,
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly documents: DocumentStore,
  ) {
    licenses.onTerm((m, license) => this.createFor(m, license).then(() => undefined));
  }

  /** Licenses that have no obligations yet (granted before conditions were tracked) get them at start. */
  async onApplicationBootstrap(): Promise<void> {
    await this.createMissing({ onlyWithout: true });
  }

  /**
   * Creates the obligations every license lacks (`npm run cli -- obligations:create`, and at start): those of the
   * catalog version in force on its issue date, dated from it; recurring reports up to its current term's end (so
   * a renewed term gets its further periods). Idempotent. Returns how many were created.
   */
  async createMissing(options: { onlyWithout?: boolean } = {}): Promise<number> {
    let created = 0;
    const withSome = new Set(
      options.onlyWithout ? (await this.obligations.createQueryBuilder('o').select('DISTINCT o.license_id', 'id').getRawMany<{ id: string }>()).map((r) => r.id) : [],
    );
    for (const license of await this.licenses.terms()) {
      if (withSome.has(license.id)) continue;
      created += await this.tx.run(async (m) => this.createFor(m, await this.licenses.term(license.id, m)));
    }
    return created;
  }

  /** The catalog version in force on `date`: the newest whose effectiveFrom is on or before it. */
  private async versionOn(m: EntityManager, date: CalendarDate): Promise<ObligationCatalogVersion | null> {
    return m.findOne(ObligationCatalogVersion, { where: { effectiveFrom: LessThanOrEqual(date) }, order: { effectiveFrom: 'DESC' } });
  }

  /** Creates, in the caller's transaction, the obligations `license` lacks, each audited (`obligation.created`). */
  private async createFor(m: EntityManager, license: LicenseTerm): Promise<number> {
    const version = await this.versionOn(m, license.issuedOn);
    if (!version) return 0;
    const existing = await m.find(Obligation, { where: { licenseId: license.id } });
    const templates = await m.find(ObligationTemplate, { where: { catalogVersion: version.version }, order: { sortOrder: 'ASC' } });
    // A license keeps the version it got first (a later one never replaces it).
    if (existing.length && !existing.some((o) => templates.some((t) => t.id === o.templateId))) return 0;
    const have = new Set(existing.map((o) => `${o.templateId}/${o.period}`));
    const now = this.clock.now();
    const rows: Obligation[] = [];
    for (const t of templates) {
      const months = offsetMonths(t.dueOffset);
      const dates =
        t.kind === 'RECURRING_REPORT'
          ? reportPeriods(license.issuedOn, months, license.expiresOn)
          : [{ period: 0, startsOn: license.issuedOn, dueOn: dueOnAfter(license.issuedOn, months) }];
      for (const d of dates) {
        if (have.has(`${t.id}/${d.period}`)) continue;
        rows.push(Object.assign(new Obligation(), { id: randomUUID(), licenseId: license.id, templateId: t.id, ...d, createdAt: now, version: 1 }));
      }
    }
    if (!rows.length) return 0;
    await m.insert(Obligation, rows);
    const code = new Map(templates.map((t) => [t.id, t.code]));
    await this.audit.recordMany(
      m,
      rows.map((o) => ({
        action: 'obligation.created',
        entityType: 'obligation',
        entityId: o.id,
        after: { licenseId: license.id, licenseNumber: license.licenseNumber, catalogVersion: version.version, code: code.get(o.templateId), period: o.period, startsOn: o.startsOn, dueOn: o.dueOn },
      })),
    );
    return rows.length;
  }

  /** A license's obligations and their status on `on` (default today); recurring reports up to the period `on` falls in. */
  async list(licenseId: string, on?: CalendarDate): Promise<ObligationListDto> {
    const day = on ?? this.clock.today();
    const license = await this.licenses.term(licenseId);
    const views = await readViews(this.obligations.manager, { licenseIds: [licenseId], on: day });
    const items = views.map((v) => toDto(v, obligationStatusOn(factsOf(v), day), day));
    const counts = emptyCounts();
    for (const i of items) counts[i.status]++;
    return { licenseId, licenseNumber: license.licenseNumber, on: day, counts, items };
  }

  /** Every obligation (of the licenses given, or all) started by `on`, with its status then, and its license. */
  async onDay(on: CalendarDate, filter: { companyId?: string } = {}, m: EntityManager = this.obligations.manager): Promise<ObligationOnDay[]> {
    const licenses = (await this.licenses.terms(m)).filter((l) => !filter.companyId || l.companyId === filter.companyId);
    if (!licenses.length) return [];
    const byId = new Map(licenses.map((l) => [l.id, l]));
    const views = await readViews(m, { licenseIds: filter.companyId ? [...byId.keys()] : undefined, on });
    return views.filter((v) => byId.has(v.obligation.licenseId)).map((view) => ({ license: byId.get(view.obligation.licenseId)!, view, state: obligationStatusOn(factsOf(view), on) }));
  }

  /**
   * The public face of the conditions of `licenseIds` on `on` (the public profile, docs/rules.md "What is public"):
   * code, titles, status, due date in force and the extension's end, never submissions, values, notes, documents,
   * reasons or staff. One-off conditions each; of a recurring report only the period `on` falls in (the latest
   * begun). A fixed handful of queries for any number of licenses, in the caller's snapshot `m`.
   */
  async publicOn(licenseIds: string[], on: CalendarDate, m: EntityManager = this.obligations.manager): Promise<Map<string, PublicCondition[]>> {
    const byLicense = new Map<string, PublicCondition[]>(licenseIds.map((id) => [id, []]));
    if (!licenseIds.length) return byLicense;
    const views = await readViews(m, { licenseIds, on });
    // Sorted by license, catalog order, period: the last period of a recurring report is the current one.
    const current = new Map<string, ObligationView>();
    for (const v of views) current.set(`${v.obligation.licenseId}/${v.template.id}`, v);
    for (const v of current.values()) {
      const state = obligationStatusOn(factsOf(v), on);
      byLicense.get(v.obligation.licenseId)?.push({
        code: v.template.code,
        title: v.template.titleEn,
        titleUr: v.template.titleUr,
        status: state.status,
        dueOn: state.dueOn,
        ...(state.extendedUntil ? { extendedUntil: state.extendedUntil } : {}),
      });
    }
    return byLicense;
  }

  /** The obligation of the license (404 OBLIGATION_NOT_FOUND otherwise; 404 LICENSE_NOT_FOUND for an unknown license). */
  private async view(m: EntityManager, licenseId: string, obligationId: string): Promise<{ license: LicenseTerm; view: ObligationView }> {
    const license = await this.licenses.term(licenseId, m);
    return { license, view: await readView(m, licenseId, obligationId) };
  }

  /**
   * Records evidence for an obligation: submittedOn not after today (422 SUBMITTED_ON_IN_FUTURE); a PERCENT_TARGET
   * needs reportedValue, other kinds refuse it (400); 404 for an unknown license or obligation. The document, when
   * given, was received and checked (DocumentStore.receive); it is put in the store under its SHA-256 as the last
   * step of the transaction, once every rule passed: a refusal stores nothing. The submission row and its audit
   * record name the document's SHA-256, media type and size in bytes, never its content. The obligation's version
   * moves on.
   */
  async submit(licenseId: string, obligationId: string, input: CreateSubmissionDto, document?: ReceivedDocument): Promise<ObligationDto> {
    const today = this.clock.today();
    if (input.submittedOn > today) {
      throw Problem.rule('SUBMITTED_ON_IN_FUTURE', `submittedOn ${input.submittedOn} is after today (${today})`, [{ field: 'submittedOn', message: `must not be after today (${today})` }]);
    }
    return this.tx.run(async (m) => {
      const { license, view } = await this.view(m, licenseId, obligationId);
      const percent = view.template.kind === 'PERCENT_TARGET';
      if (percent && input.reportedValue === undefined) throw Problem.validation([{ field: 'reportedValue', message: `is required for a ${view.template.kind} condition` }]);
      if (!percent && input.reportedValue !== undefined) throw Problem.validation([{ field: 'reportedValue', message: `is only accepted for a PERCENT_TARGET condition, not ${view.template.kind}` }]);
      const valueHundredths = input.reportedValue === undefined ? null : percentHundredths(input.reportedValue);
      if (valueHundredths === undefined) throw Problem.validation([{ field: 'reportedValue', message: 'must be 0 to 100' }]);
      const submission = Object.assign(new ObligationSubmission(), {
        id: randomUUID(),
        obligationId,
        submittedOn: input.submittedOn,
        valueHundredths,
        note: input.note ?? null,
        documentSha256: document?.sha256 ?? null,
        documentType: document?.mediaType ?? null,
        documentBytes: document?.bytes ?? null,
        recordedAt: this.clock.now(),
        recordedBy: currentContext().actorId,
      });
      await m.insert(ObligationSubmission, submission);
      await this.bumpVersion(m, view.obligation);
      await this.audit.record(m, {
        action: 'obligation.submitted',
        entityType: 'obligation',
        entityId: obligationId,
        after: { licenseId: license.id, code: view.template.code, period: view.obligation.period, submission: submissionDto(submission) },
      });
      const [fresh] = await readViews(m, { licenseIds: [licenseId], obligationId, on: '9999-12-31' });
      await document?.place();
      return toDto(fresh, obligationStatusOn(factsOf(fresh), today), today);
    });
  }

  /**
   * The document of a submission: its SHA-256, media type, size in bytes and content. 404 LICENSE_NOT_FOUND,
   * OBLIGATION_NOT_FOUND, SUBMISSION_NOT_FOUND (not of this obligation), DOCUMENT_NOT_FOUND (submitted without one).
   */
  async document(licenseId: string, obligationId: string, submissionId: string): Promise<StoredDocument & { open(): Readable }> {
    const { view } = await this.view(this.obligations.manager, licenseId, obligationId);
    const submission = view.submissions.find((s) => s.id === submissionId);
    if (!submission) throw Problem.notFound('submission', submissionId);
    if (!submission.documentSha256) throw new ProblemException(404, 'DOCUMENT_NOT_FOUND', `The submission ${submissionId} has no document`);
    const stored = await this.documents.read(submission.documentSha256);
    return { sha256: submission.documentSha256, mediaType: submission.documentType!, bytes: stored.bytes, open: stored.open };
  }

  private async bumpVersion(m: EntityManager, o: Obligation): Promise<void> {
    await m.createQueryBuilder().update(Obligation).set({ version: () => 'version + 1' }).where('id = :id', { id: o.id }).execute();
  }

  /** Every catalog version with its conditions, oldest first. */
  async catalog(m: EntityManager = this.obligations.manager): Promise<CatalogVersionDto[]> {
    const versions = await m.find(ObligationCatalogVersion, { order: { version: 'ASC' } });
    const templates = await m.find(ObligationTemplate, { order: { catalogVersion: 'ASC', sortOrder: 'ASC' } });
    return versions.map((v) => ({
      version: v.version,
      effectiveFrom: v.effectiveFrom,
      note: v.note,
      createdAt: v.createdAt.toISOString(),
      createdBy: v.createdBy,
      templates: templates.filter((t) => t.catalogVersion === v.version).map(templateDto),
    }));
  }

  /**
   * Adds a catalog version (never an edit): licenses issued from effectiveFrom get it. effectiveFrom is not before
   * today and after the newest version's (422 CATALOG_NOT_LATER: licenses already granted keep their conditions);
   * codes are unique (400); a PERCENT_TARGET has a target, other kinds none (400).
   */
  async addVersion(input: CreateCatalogVersionDto): Promise<CatalogVersionDto> {
    const errors: { field: string; message: string }[] = [];
    const codes = new Set<string>();
    input.templates.forEach((t, i) => {
      if (codes.has(t.code)) errors.push({ field: `templates.${i}.code`, message: `${t.code} is listed twice` });
      codes.add(t.code);
      if (t.kind === 'PERCENT_TARGET' && t.targetPercent === undefined) errors.push({ field: `templates.${i}.targetPercent`, message: 'is required for PERCENT_TARGET' });
      if (t.kind !== 'PERCENT_TARGET' && t.targetPercent !== undefined) errors.push({ field: `templates.${i}.targetPercent`, message: `is only accepted for PERCENT_TARGET, not ${t.kind}` });
      if (t.targetPercent !== undefined && percentHundredths(t.targetPercent) === undefined) errors.push({ field: `templates.${i}.targetPercent`, message: 'must be 0 to 100' });
    });
    if (errors.length) throw Problem.validation(errors);
    const today = this.clock.today();
    return this.tx.run(async (m) => {
      await this.tx.lock(m, 'obligation-catalog');
      const newest = await m.findOne(ObligationCatalogVersion, { where: {}, order: { version: 'DESC' } });
      const floor = newest && newest.effectiveFrom >= today ? newest.effectiveFrom : null;
      if (input.effectiveFrom < today || (floor !== null && input.effectiveFrom <= floor)) {
        throw Problem.rule(
          'CATALOG_NOT_LATER',
          `effectiveFrom ${input.effectiveFrom} must be today (${today}) or later${floor ? ` and after the newest version's (${floor})` : ''}: a version never applies to licenses issued before it`,
          [{ field: 'effectiveFrom', message: `must be on or after ${today}${floor ? ` and after ${floor}` : ''}` }],
        );
      }
      const version = (newest?.version ?? 0) + 1;
      await m.insert(ObligationCatalogVersion, { version, effectiveFrom: input.effectiveFrom, note: input.note, createdAt: this.clock.now(), createdBy: currentContext().actorId });
      const rows = input.templates.map((t, i) =>
        Object.assign(new ObligationTemplate(), {
          id: randomUUID(),
          catalogVersion: version,
          sortOrder: i + 1,
          code: t.code,
          titleEn: t.titleEn,
          titleUr: t.titleUr,
          kind: t.kind,
          targetHundredths: t.targetPercent === undefined ? null : percentHundredths(t.targetPercent)!,
          measuredItem: t.measuredItem ?? null,
          dueOffset: t.dueOffset,
          source: t.source,
          asReported: t.asReported,
        }),
      );
      await m.save(ObligationTemplate, rows);
      const created = (await this.catalog(m)).find((v) => v.version === version)!;
      const entry: AuditEntry = { action: 'obligation_catalog.created', entityType: 'obligation_catalog', entityId: String(version), after: created, reason: input.note };
      await this.audit.record(m, entry);
      return created;
    });
  }
}
