import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { addDays, isCalendarDate, LAST_CALENDAR_DATE } from '../common/calendar-date.js';
import { Clock } from '../common/clock.js';
import { type Page, pageOf } from '../common/pagination.js';
import { Problem, ProblemException } from '../common/problem.js';
import { currentContext, runAs } from '../common/request-context.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/config.js';
import { Snapshots } from '../database/snapshots.js';
import { Transactions } from '../database/transactions.js';
import type { LicenseDto } from '../licenses/dto/license.dto.js';
import type { LicenseChange } from '../licenses/license-change.js';
import { LicensesService } from '../licenses/licenses.service.js';
import type { ObligationDto } from '../obligations/dto/obligation.dto.js';
import { type ObligationDecisionChange, ObligationDecisionsService } from '../obligations/obligation-decisions.service.js';
import type { ListProposalsQuery, ProposalDto } from './dto/proposal.dto.js';
import { Proposal, PROPOSAL_KINDS, type ProposalKind } from './proposal.entity.js';
import { changeOf, type ProposedChange, toProposalDto, toProposalRecord } from './proposal-records.js';

/** Proposals waiting for a decision: how many in all and of each kind. */
export interface PendingProposals {
  total: number;
  byKind: Record<ProposalKind, number>;
}

/** How a decision ends a pending proposal. */
type Outcome = 'APPROVED' | 'REJECTED' | 'WITHDRAWN';

/**
 * Four eyes over license decisions and decisions on license conditions (docs/rules.md, "Four eyes"). With
 * FOUR_EYES on (the default), a grant, amendment, lifecycle action or decision on a condition made through the API
 * is checked against every rule and kept as a PENDING proposal; an ADMIN who is not its proposer approves it (applied then, every rule checked again, in the same
 * transaction) or rejects it; its proposer may withdraw it; undecided after PROPOSAL_TTL_DAYS it lapses.
 */
@Injectable()
export class ProposalsService {
  constructor(
    @InjectRepository(Proposal) private readonly proposals: Repository<Proposal>,
    private readonly licenses: LicensesService,
    private readonly obligationDecisions: ObligationDecisionsService,
    private readonly tx: Transactions,
    private readonly snapshots: Snapshots,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {}

  /**
   * A license decision made through the API: proposed (FOUR_EYES on) or applied at once, unreviewed (off).
   * Either way refused with what applying it would answer (LicensesService.check / apply): 400, 404, 409, 412, 422.
   */
  async submit(change: LicenseChange): Promise<{ proposal: ProposalDto } | { license: LicenseDto }> {
    if (!this.config.fourEyes) return { license: await this.licenses.applyNow(change) };
    return { proposal: await this.propose(change) };
  }

  /**
   * A decision on a license condition made through the API: proposed (FOUR_EYES on: by an ADMIN or an OFFICER) or
   * made at once, unreviewed (off: by an ADMIN alone, 403 ROLE_NOT_ALLOWED for another role). Either way refused
   * with what applying it would answer (ObligationDecisionsService.check / apply): 400, 404, 409, 412, 422.
   */
  async submitObligationDecision(change: ObligationDecisionChange): Promise<{ proposal: ProposalDto } | { obligation: ObligationDto }> {
    if (this.config.fourEyes) return { proposal: await this.propose({ kind: 'OBLIGATION_DECISION', ...change }) };
    const { role } = currentContext();
    if (role !== 'ADMIN') throw new ProblemException(403, 'ROLE_NOT_ALLOWED', `Your role ${String(role)} may not do this; it needs ADMIN (with four eyes off, an ADMIN decides on conditions alone)`);
    return { obligation: await this.obligationDecisions.applyNow(change) };
  }

  /** One page of proposals, newest first, filtered by status on today, kind, license and proposer; page and total in one snapshot. */
  async list(query: ListProposalsQuery): Promise<Page<ProposalDto>> {
    const { limit, offset } = pageOf(query);
    const today = this.clock.today();
    const qb = this.proposals.createQueryBuilder('p');
    if (query.status === 'PENDING') qb.andWhere("p.status = 'PENDING' AND p.expires_on >= :today", { today });
    else if (query.status === 'EXPIRED') qb.andWhere("(p.status = 'EXPIRED' OR (p.status = 'PENDING' AND p.expires_on < :today))", { today });
    else if (query.status) qb.andWhere('p.status = :status', { status: query.status });
    if (query.kind) qb.andWhere('p.kind = :kind', { kind: query.kind });
    if (query.licenseId) qb.andWhere('p.license_id = :licenseId', { licenseId: query.licenseId });
    if (query.obligationId) qb.andWhere('p.obligation_id = :obligationId', { obligationId: query.obligationId });
    if (query.proposedBy) qb.andWhere('p.proposed_by = :proposedBy', { proposedBy: query.proposedBy });
    qb.orderBy('p.proposed_at', 'DESC').addOrderBy('p.id', 'ASC').skip(offset).take(limit);
    const [rows, total] = await this.snapshots.manyAndCount(qb);
    return { items: rows.map((p) => toProposalDto(p, today)), total, limit, offset };
  }

  /** One proposal; 404 PROPOSAL_NOT_FOUND when unknown. */
  async get(id: string): Promise<ProposalDto> {
    const p = await this.proposals.findOne({ where: { id } });
    if (!p) throw Problem.notFound('proposal', id);
    return toProposalDto(p, this.clock.today());
  }

  /**
   * How many proposals wait for a decision today (PENDING, not lapsed), by kind and in all: the licenses report's
   * `pendingProposals`. Give the manager of a snapshot to read it with the rest of a report.
   */
  async pendingCounts(m: EntityManager = this.proposals.manager): Promise<PendingProposals> {
    const rows = await m
      .createQueryBuilder(Proposal, 'p')
      .select('p.kind', 'kind')
      .addSelect('COUNT(*)', 'n')
      .where("p.status = 'PENDING' AND p.expires_on >= :today", { today: this.clock.today() })
      .groupBy('p.kind')
      .getRawMany<{ kind: ProposalKind; n: string | number }>();
    const byKind = Object.fromEntries(PROPOSAL_KINDS.map((k) => [k, 0])) as Record<ProposalKind, number>;
    for (const r of rows) byKind[r.kind] = Number(r.n);
    return { total: rows.reduce((sum, r) => sum + Number(r.n), 0), byKind };
  }

  /** Approves and applies a proposal (ADMIN, not its proposer), with an optional note: see decide(). */
  approve(id: string, expectedVersion: number, note?: string): Promise<ProposalDto> {
    return this.decide(id, expectedVersion, 'APPROVED', note);
  }

  /** Refuses a proposal (ADMIN, not its proposer), with a reason: see decide(). */
  reject(id: string, expectedVersion: number, reason: string): Promise<ProposalDto> {
    return this.decide(id, expectedVersion, 'REJECTED', reason);
  }

  /** Withdraws a proposal (its proposer only), with an optional reason: see decide(). */
  withdraw(id: string, expectedVersion: number, reason?: string): Promise<ProposalDto> {
    return this.decide(id, expectedVersion, 'WITHDRAWN', reason);
  }

  /**
   * Records the lapse of every proposal still PENDING after its last day (`npm run cli -- proposals:lapse`, daily);
   * returns how many. A lapse is otherwise recorded when a decision is first attempted on it.
   */
  async recordLapses(): Promise<number> {
    return this.tx.run(async (m) => {
      const due = await m
        .createQueryBuilder(Proposal, 'p')
        .where("p.status = 'PENDING' AND p.expires_on < :today", { today: this.clock.today() })
        .orderBy('p.proposed_at', 'ASC')
        .getMany();
      let recorded = 0;
      for (const p of due) {
        try {
          await this.recordLapse(m, p, await this.tx.claimVersion(m, Proposal, p.id, p.version));
          recorded++;
        } catch (e) {
          // Decided meanwhile, by a request on another connection: nothing lapsed.
          if (!(e instanceof ProblemException && e.code === 'VERSION_MISMATCH')) throw e;
        }
      }
      return recorded;
    });
  }

  /** A PENDING proposal, its change checked now against every rule that applying it enforces, and audited. */
  private async propose(change: ProposedChange): Promise<ProposalDto> {
    const proposedBy = currentContext().actorId;
    if (!proposedBy) throw new Error('A proposal is made by a staff member'); // only the staff API proposes
    const saved = await this.tx.run(async (m) => {
      if (change.kind === 'OBLIGATION_DECISION') await this.obligationDecisions.check(m, change);
      else await this.licenses.check(m, change);
      const obligation = change.kind === 'OBLIGATION_DECISION';
      const today = this.clock.today();
      const end = addDays(today, this.config.proposalTtlDays);
      const p = Object.assign(new Proposal(), {
        id: randomUUID(),
        kind: change.kind,
        licenseId: change.kind === 'GRANT' ? null : change.licenseId,
        licenseVersion: change.kind === 'GRANT' || obligation ? null : change.expectedVersion,
        obligationId: obligation ? change.obligationId : null,
        obligationVersion: obligation ? change.expectedVersion : null,
        obligationDecisionId: null,
        // The validated request body as plain JSON (a DTO instance, its nested DTOs included).
        payload: JSON.parse(JSON.stringify(change.input)) as Record<string, unknown>,
        status: 'PENDING',
        proposedBy,
        proposedAt: this.clock.now(),
        proposedOn: today,
        expiresOn: isCalendarDate(end) ? end : LAST_CALENDAR_DATE,
        decidedBy: null,
        decidedAt: null,
        decisionNote: null,
        licenseEventId: null,
        version: 1,
      } satisfies Proposal);
      await m.save(p);
      await this.audit.record(m, { action: 'proposal.created', entityType: 'proposal', entityId: p.id, after: toProposalRecord(p), reason: change.input.reason ?? null });
      return p;
    });
    return toProposalDto(saved, this.clock.today());
  }

  /**
   * Ends a pending proposal. First who may (mayDecide: 404, 403). Then, in one transaction: the claim of its
   * version (of two deciding at once, exactly one wins; the other gets 409 PROPOSAL_DECIDED, or 412 while it is
   * still pending), that it is pending (409 PROPOSAL_DECIDED) and not lapsed (409 PROPOSAL_EXPIRED, the lapse
   * recorded and committed), then, to approve, the change applied (applyProposal: 409 PROPOSAL_CONFLICT), and the
   * outcome audited with `note`. A refusal writes nothing else.
   */
  private async decide(id: string, expectedVersion: number, outcome: Outcome, note?: string): Promise<ProposalDto> {
    const actor = currentContext().actorId!;
    const found = await this.proposals.findOne({ where: { id } });
    if (!found) throw Problem.notFound('proposal', id);
    mayDecide(found, outcome);
    const today = this.clock.today();
    const result = await this.tx.run(async (m) => {
      const version = await this.claim(m, id, expectedVersion);
      const p = (await m.findOne(Proposal, { where: { id } }))!;
      if (p.status !== 'PENDING') throw settled(p);
      if (p.expiresOn < today) {
        await this.recordLapse(m, p, version);
        return p; // committed, then answered 409 PROPOSAL_EXPIRED
      }
      const before = toProposalRecord(p);
      if (outcome === 'APPROVED') Object.assign(p, await this.applyProposal(m, p, actor));
      Object.assign(p, { status: outcome, decidedBy: actor, decidedAt: this.clock.now(), decisionNote: note ?? null, version });
      await m.save(p);
      await this.audit.record(m, { action: `proposal.${outcome.toLowerCase()}`, entityType: 'proposal', entityId: id, before, after: toProposalRecord(p), reason: note ?? null });
      return p;
    });
    if (result.status === 'EXPIRED') throw settled(result);
    return toProposalDto(result, today);
  }

  /** Claims the proposal at `expectedVersion` (Transactions.claimVersion); one already ended by someone else is a 409 saying how. */
  private async claim(m: EntityManager, id: string, expectedVersion: number): Promise<number> {
    try {
      return await this.tx.claimVersion(m, Proposal, id, expectedVersion);
    } catch (e) {
      if (!(e instanceof ProblemException && e.code === 'VERSION_MISMATCH')) throw e;
      const p = await m.findOne(Proposal, { where: { id } });
      if (p && p.status !== 'PENDING') throw settled(p);
      throw e;
    }
  }

  /**
   * Applies an approved proposal's change as `approver` through LicensesService.apply or
   * ObligationDecisionsService.apply (the one path of each kind of write): its payload validated again by its
   * route's DTO (changeOf) and every rule checked again, on the license or condition as it is now, the proposer's
   * If-Match included (the change applies to what its proposer saw). What no longer holds is a 409
   * PROPOSAL_CONFLICT naming the rule (`rule`: the code the direct write would answer now); when the license or
   * condition moved on, a rule it now breaks is named before the version (VERSION_MISMATCH). Returns what the
   * proposal records of the outcome.
   */
  private async applyProposal(m: EntityManager, p: Proposal, approver: string): Promise<Pick<Proposal, 'licenseId' | 'licenseEventId' | 'obligationDecisionId'>> {
    const review = { proposalId: p.id, proposedBy: p.proposedBy, approvedBy: approver };
    let change: ProposedChange | undefined;
    try {
      change = await changeOf(p);
      if (change.kind === 'OBLIGATION_DECISION') {
        return { licenseId: p.licenseId, licenseEventId: null, obligationDecisionId: await this.obligationDecisions.apply(m, change, review) };
      }
      const applied = await this.licenses.apply(m, change, review);
      return { licenseId: applied.licenseId, licenseEventId: applied.eventId, obligationDecisionId: null };
    } catch (e) {
      if (!(e instanceof ProblemException) || e.getStatus() >= 500) throw e;
      if (e.code === 'VERSION_MISMATCH' && change && change.kind !== 'GRANT') {
        const currentVersion = Number(e.extensions.currentVersion);
        const now = { ...change, expectedVersion: currentVersion };
        try {
          if (now.kind === 'OBLIGATION_DECISION') await this.obligationDecisions.check(m, now);
          else await this.licenses.check(m, now);
        } catch (rule) {
          if (rule instanceof ProblemException && rule.getStatus() < 500) throw conflict(rule);
          throw rule;
        }
        const what = change.kind === 'OBLIGATION_DECISION' ? 'condition' : 'license';
        const proposed = change.kind === 'OBLIGATION_DECISION' ? p.obligationVersion : p.licenseVersion;
        throw conflict(
          new ProblemException(
            412,
            'VERSION_MISMATCH',
            `the ${what} was changed since this proposal was made against its version ${proposed} (it is at version ${currentVersion})`,
            undefined,
            { [`${what === 'license' ? 'license' : 'obligation'}Version`]: proposed, currentVersion },
          ),
        );
      }
      throw conflict(e);
    }
  }

  /** Stores the lapse of a pending proposal past its last day and audits it as the registry's own doing (no actor). */
  private async recordLapse(m: EntityManager, p: Proposal, version: number): Promise<void> {
    const before = toProposalRecord(p);
    Object.assign(p, { status: 'EXPIRED', decidedAt: this.clock.now(), version });
    await m.save(p);
    await runAs({ ...currentContext(), actorId: null, role: null }, () =>
      this.audit.record(m, {
        action: 'proposal.lapsed',
        entityType: 'proposal',
        entityId: p.id,
        before,
        after: toProposalRecord(p),
        reason: `Not decided by ${p.expiresOn}, its last day (PROPOSAL_TTL_DAYS)`,
      }),
    );
  }
}

/**
 * Who may end a proposal: approve or reject, an ADMIN who did not propose it (403 OWN_PROPOSAL, checked first, for
 * anyone; 403 ROLE_NOT_ALLOWED for another role); withdraw, its proposer (403 NOT_PROPOSER). The routes let ADMIN
 * and OFFICER through, so that an officer approving their own proposal is told why it can never be.
 */
function mayDecide(p: Proposal, outcome: Outcome): void {
  const { actorId, role } = currentContext();
  if (outcome === 'WITHDRAWN') {
    if (p.proposedBy !== actorId) throw new ProblemException(403, 'NOT_PROPOSER', 'Only the staff member who proposed it may withdraw a proposal; an ADMIN may reject it');
    return;
  }
  if (p.proposedBy === actorId) {
    throw new ProblemException(403, 'OWN_PROPOSAL', 'Four eyes: a proposal is approved or rejected by an ADMIN other than the one who proposed it (you may withdraw it)');
  }
  if (role !== 'ADMIN') throw new ProblemException(403, 'ROLE_NOT_ALLOWED', `Your role ${String(role)} may not do this; it needs ADMIN`);
}

/** The 409 for an approval that can no longer be applied: the refusal of the rule that no longer holds, named in `rule`. */
function conflict(e: ProblemException): ProblemException {
  const { errors, extensions } = e;
  return Problem.conflict('PROPOSAL_CONFLICT', `It can no longer be applied (${e.code}): ${e.detail}. The proposal stays PENDING: reject it, or its proposer withdraws it`, errors, {
    ...extensions,
    rule: e.code,
  });
}

/** The 409 for a proposal no longer pending: PROPOSAL_EXPIRED for a lapse, PROPOSAL_DECIDED naming the outcome otherwise. */
function settled(p: Proposal): ProblemException {
  if (p.status === 'EXPIRED') {
    return Problem.conflict('PROPOSAL_EXPIRED', `This proposal lapsed: it was not decided by ${p.expiresOn}, its last day; propose it again if it still stands`, undefined, {
      proposalStatus: 'EXPIRED',
      expiresOn: p.expiresOn,
    });
  }
  return Problem.conflict('PROPOSAL_DECIDED', `This proposal was already ${p.status.toLowerCase()}${p.decidedBy ? ` by ${p.decidedBy}` : ''}; nothing was changed`, undefined, {
    proposalStatus: p.status,
    decidedBy: p.decidedBy,
  });
}
