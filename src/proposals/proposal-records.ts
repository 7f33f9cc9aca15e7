import type { CalendarDate } from '../common/calendar-date.js';
import { historyLink } from '../common/pagination.js';
import { createValidationPipe } from '../common/validation/validation.js';
import { AmendLicenseDto, CreateLicenseEventDto, GrantLicenseDto } from '../licenses/dto/license.dto.js';
import type { LicenseChange } from '../licenses/license-change.js';
import { CreateDecisionDto } from '../obligations/dto/obligation.dto.js';
import type { ObligationDecisionChange } from '../obligations/obligation-decisions.service.js';
import type { ProposalDto } from './dto/proposal.dto.js';
import type { Proposal, ProposalKind, ProposalStatus } from './proposal.entity.js';

/** What a proposal stands for: a license decision, or a decision on a license condition. */
export type ProposedChange = LicenseChange | ({ kind: 'OBLIGATION_DECISION' } & ObligationDecisionChange);

// A proposal as the API shows it, as the audit trail keeps it, and as the change it stands for.

/** Its status on `today`: the stored one, except that a PENDING proposal past its last day (expiresOn) is EXPIRED. */
export function proposalStatus(p: Pick<Proposal, 'status' | 'expiresOn'>, today: CalendarDate): ProposalStatus {
  return p.status === 'PENDING' && p.expiresOn < today ? 'EXPIRED' : p.status;
}

export function toProposalDto(p: Proposal, today: CalendarDate): ProposalDto {
  return {
    id: p.id,
    kind: p.kind,
    status: proposalStatus(p, today),
    licenseId: p.licenseId,
    licenseVersion: p.licenseVersion,
    payload: p.payload,
    reason: typeof p.payload.reason === 'string' ? p.payload.reason : null,
    proposedBy: p.proposedBy,
    proposedAt: p.proposedAt.toISOString(),
    proposedOn: p.proposedOn,
    expiresOn: p.expiresOn,
    decidedBy: p.decidedBy,
    decidedAt: p.decidedAt?.toISOString() ?? null,
    decisionNote: p.decisionNote,
    licenseEventId: p.licenseEventId,
    obligationId: p.obligationId,
    obligationVersion: p.obligationVersion,
    obligationDecisionId: p.obligationDecisionId,
    version: p.version,
    links: {
      self: `/api/v1/proposals/${p.id}`,
      license: p.licenseId ? `/api/v1/licenses/${p.licenseId}` : null,
      obligations: p.obligationId ? `/api/v1/licenses/${p.licenseId}/obligations` : null,
      history: historyLink('proposal', p.id),
    },
  };
}

/** A proposal as the audit trail records it (its stored status). */
export function toProposalRecord(p: Proposal) {
  return {
    id: p.id,
    kind: p.kind,
    status: p.status,
    licenseId: p.licenseId,
    licenseVersion: p.licenseVersion,
    payload: p.payload,
    proposedBy: p.proposedBy,
    proposedOn: p.proposedOn,
    expiresOn: p.expiresOn,
    decidedBy: p.decidedBy,
    licenseEventId: p.licenseEventId,
    ...(p.kind === 'OBLIGATION_DECISION' ? { obligationId: p.obligationId, obligationVersion: p.obligationVersion, obligationDecisionId: p.obligationDecisionId } : {}),
    version: p.version,
  };
}

/** The DTO of each kind's route: the one validation of a decision, when proposed (the route's pipe) and when approved (changeOf). */
const DTO_OF: Record<ProposalKind, new () => object> = { GRANT: GrantLicenseDto, AMEND: AmendLicenseDto, LIFECYCLE: CreateLicenseEventDto, OBLIGATION_DECISION: CreateDecisionDto };

const validation = createValidationPipe();

/**
 * The change a proposal stands for, its payload validated again by its route's DTO (the rules of the running
 * release, which may be newer than the proposal): a 400 VALIDATION_FAILED naming each field that no longer passes.
 */
export async function changeOf(p: Proposal): Promise<ProposedChange> {
  const input = (await validation.transform(p.payload, { type: 'body', metatype: DTO_OF[p.kind] })) as object;
  if (p.kind === 'GRANT') return { kind: 'GRANT', input: input as GrantLicenseDto };
  if (p.kind === 'OBLIGATION_DECISION') {
    return { kind: 'OBLIGATION_DECISION', licenseId: p.licenseId!, obligationId: p.obligationId!, expectedVersion: p.obligationVersion!, input: input as CreateDecisionDto };
  }
  const target = { licenseId: p.licenseId!, expectedVersion: p.licenseVersion! };
  if (p.kind === 'AMEND') return { kind: 'AMEND', ...target, input: input as AmendLicenseDto };
  return { kind: 'LIFECYCLE', ...target, input: input as CreateLicenseEventDto };
}
