import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { type FieldError, Problem } from '../common/problem.js';
import { currentContext } from '../common/request-context.js';
import { Transactions } from '../database/transactions.js';
import { type Decision, reviewOf } from '../licenses/license-change.js';
import { LicensesService } from '../licenses/licenses.service.js';
import type { CreateDecisionDto, ObligationDto } from './dto/obligation.dto.js';
import { Obligation, ObligationDecision } from './obligation.entity.js';
import { readView } from './obligation-reads.js';
import { extensionLimit, MAX_EXTENSION_YEARS, obligationStatusOn } from './obligation-rules.js';
import { decisionDto, factsOf, toDto } from './obligation-views.js';

/**
 * A decision on a license condition (POST /api/v1/licenses/{id}/obligations/{obligationId}/decisions): the
 * license, the obligation, the obligation's version its maker read (If-Match) and the request body.
 */
export interface ObligationDecisionChange {
  licenseId: string;
  obligationId: string;
  expectedVersion: number;
  input: CreateDecisionDto;
}

/**
 * Decisions on license conditions (docs/rules.md, "License conditions" and "Four eyes"): their rules, in one place
 * (write()), checked when a decision is proposed (check), and checked again and applied when it is approved, or at
 * once without four eyes (apply, applyNow).
 */
@Injectable()
export class ObligationDecisionsService {
  constructor(
    private readonly licenses: LicensesService,
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  /**
   * Applies a decision at once, in a transaction of its own, made by the actor alone (FOUR_EYES=false: not
   * reviewed); returns the condition with its status today. Throws what apply() throws.
   */
  async applyNow(change: ObligationDecisionChange): Promise<ObligationDto> {
    const review: Decision = { proposalId: null, proposedBy: currentContext().actorId, approvedBy: null };
    return this.tx.run(async (m) => {
      await this.apply(m, change, review);
      const today = this.clock.today();
      const fresh = await readView(m, change.licenseId, change.obligationId);
      return toDto(fresh, obligationStatusOn(factsOf(fresh), today), today);
    });
  }

  /**
   * Checks a decision against every rule that applying it enforces, in the caller's transaction, writing nothing
   * (a proposal is refused at once for what its approval would refuse). Throws what apply() throws.
   */
  async check(m: EntityManager, change: ObligationDecisionChange): Promise<void> {
    await this.write(m, change, 'check');
  }

  /**
   * Applies a decision in the caller's transaction, every rule checked again; the decision row and its audit record
   * name `review`'s proposer and approver. Returns the decision's id.
   */
  async apply(m: EntityManager, change: ObligationDecisionChange, review: Decision): Promise<string> {
    return (await this.write(m, change, review))!;
  }

  /**
   * The rules of a decision, in this order: the body's fields go together (400: submissionId for ACCEPT and REJECT
   * only, newDueOn for EXTEND only); the license and the obligation exist (404); the obligation is at the version
   * read (412 VERSION_MISMATCH; claimed when applying, so that of two decisions at once exactly one is made); a
   * condition MET or WAIVED today takes no more (409 OBLIGATION_CLOSED); ACCEPT or REJECT names a submission of it
   * (422 SUBMISSION_NOT_FOUND) not decided yet (409 SUBMISSION_DECIDED); EXTEND goes at most 2 years past the
   * original due date (422 EXTENSION_BEYOND_LIMIT, with `limit`) and after the due date in force (422
   * EXTENSION_NOT_LATER). Applied, it is dated the registry's today and audited (`obligation.<decision>`) with the
   * status before and after and `review`.
   */
  private async write(m: EntityManager, change: ObligationDecisionChange, review: Decision | 'check'): Promise<string | undefined> {
    const { licenseId, obligationId, expectedVersion, input } = change;
    const needsSubmission = input.decision === 'ACCEPT' || input.decision === 'REJECT';
    const errors: FieldError[] = [];
    if (needsSubmission && !input.submissionId) errors.push({ field: 'submissionId', message: `is required for ${input.decision}` });
    if (!needsSubmission && input.submissionId) errors.push({ field: 'submissionId', message: `is only accepted for ACCEPT and REJECT, not ${input.decision}` });
    if (input.decision === 'EXTEND' && !input.newDueOn) errors.push({ field: 'newDueOn', message: 'is required for EXTEND' });
    if (input.decision !== 'EXTEND' && input.newDueOn) errors.push({ field: 'newDueOn', message: `is only accepted for EXTEND, not ${input.decision}` });
    if (errors.length) throw Problem.validation(errors);
    const today = this.clock.today();
    const license = await this.licenses.term(licenseId, m);
    if (review === 'check') await this.tx.checkVersion(m, Obligation, obligationId, expectedVersion);
    else await this.tx.claimVersion(m, Obligation, obligationId, expectedVersion);
    const view = await readView(m, licenseId, obligationId);
    const before = obligationStatusOn(factsOf(view), today);
    if (before.status === 'MET' || before.status === 'WAIVED') {
      throw Problem.conflict('OBLIGATION_CLOSED', `The condition is ${before.status} (${today}); it takes no more decisions`, undefined, { obligationStatus: before.status });
    }
    if (needsSubmission) {
      if (!view.submissions.some((s) => s.id === input.submissionId)) {
        throw Problem.rule('SUBMISSION_NOT_FOUND', `submissionId: no submission ${input.submissionId} of this condition`, [{ field: 'submissionId', message: 'no such submission of this condition' }]);
      }
      const earlier = view.decisions.find((d) => d.submissionId === input.submissionId);
      if (earlier) throw Problem.conflict('SUBMISSION_DECIDED', `The submission was already decided: ${earlier.decision} on ${earlier.decidedOn}`, [{ field: 'submissionId', message: 'already decided' }]);
    }
    if (input.decision === 'EXTEND') {
      const limit = extensionLimit(view.obligation.dueOn);
      if (input.newDueOn! > limit) {
        throw Problem.rule(
          'EXTENSION_BEYOND_LIMIT',
          `newDueOn ${input.newDueOn} is beyond the limit: an extension may not go beyond ${MAX_EXTENSION_YEARS} years after the original due date ${view.obligation.dueOn}, that is ${limit}`,
          [{ field: 'newDueOn', message: `must be on or before ${limit}` }],
          { limit, originalDueOn: view.obligation.dueOn },
        );
      }
      if (input.newDueOn! <= before.dueOn) {
        throw Problem.rule('EXTENSION_NOT_LATER', `newDueOn ${input.newDueOn} must be after the due date in force (${before.dueOn})`, [{ field: 'newDueOn', message: `must be after ${before.dueOn}` }]);
      }
    }
    if (review === 'check') return undefined;
    const decision = Object.assign(new ObligationDecision(), {
      id: randomUUID(),
      obligationId,
      seq: (view.decisions.at(-1)?.seq ?? 0) + 1,
      decision: input.decision,
      submissionId: input.submissionId ?? null,
      newDueOn: input.newDueOn ?? null,
      reason: input.reason,
      decidedOn: today,
      decidedAt: this.clock.now(),
      // Whose request records it (the approver under four eyes); the proposer and approver are named beside.
      decidedBy: currentContext().actorId,
      proposedBy: review.proposedBy,
      approvedBy: review.approvedBy,
    });
    await m.insert(ObligationDecision, decision);
    const after = obligationStatusOn(factsOf({ ...view, decisions: [...view.decisions, decision] }), today);
    await this.audit.record(m, {
      action: `obligation.${input.decision.toLowerCase()}`,
      entityType: 'obligation',
      entityId: obligationId,
      before: { status: before.status, dueOn: before.dueOn, version: expectedVersion },
      after: {
        licenseId: license.id,
        code: view.template.code,
        period: view.obligation.period,
        decision: decisionDto(decision),
        status: after.status,
        dueOn: after.dueOn,
        version: expectedVersion + 1,
        review: reviewOf(review),
      },
      reason: input.reason,
    });
    return decision.id;
  }
}
