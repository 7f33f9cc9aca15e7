import type { CalendarDate } from '../common/calendar-date.js';
import { historyLink } from '../common/pagination.js';
import { createValidationPipe } from '../common/validation/validation.js';
import { AmendLicenseDto, CreateLicenseEventDto, GrantLicenseDto } from '../licenses/dto/license.dto.js';
import type { LicenseChange, LicenseChangeKind } from '../licenses/license-change.js';
import type { ProposalDto } from './dto/proposal.dto.js';
import type { Proposal, ProposalStatus } from './proposal.entity.js';

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
    version: p.version,
    links: { self: `/api/v1/proposals/${p.id}`, license: p.licenseId ? `/api/v1/licenses/${p.licenseId}` : null, history: historyLink('proposal', p.id) },
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
    version: p.version,
  };
}

/** The DTO of each kind's route: the one validation of a decision, when proposed (the route's pipe) and when approved (changeOf). */
const DTO_OF: Record<LicenseChangeKind, new () => object> = { GRANT: GrantLicenseDto, AMEND: AmendLicenseDto, LIFECYCLE: CreateLicenseEventDto };

const validation = createValidationPipe();

/**
 * The change a proposal stands for, its payload validated again by its route's DTO (the rules of the running
 * release, which may be newer than the proposal): a 400 VALIDATION_FAILED naming each field that no longer passes.
 */
export async function changeOf(p: Proposal): Promise<LicenseChange> {
  const input = (await validation.transform(p.payload, { type: 'body', metatype: DTO_OF[p.kind] })) as object;
  if (p.kind === 'GRANT') return { kind: 'GRANT', input: input as GrantLicenseDto };
  const target = { licenseId: p.licenseId!, expectedVersion: p.licenseVersion! };
  if (p.kind === 'AMEND') return { kind: 'AMEND', ...target, input: input as AmendLicenseDto };
  return { kind: 'LIFECYCLE', ...target, input: input as CreateLicenseEventDto };
}
