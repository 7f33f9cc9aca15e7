import type { AmendLicenseDto, CreateLicenseEventDto, GrantLicenseDto } from './dto/license.dto.js';

/**
 * The license decisions staff make, one per write route: a grant (POST /api/v1/licenses), an amendment (PATCH
 * /api/v1/licenses/{id}) and a lifecycle action (POST /api/v1/licenses/{id}/events).
 */
export const LICENSE_CHANGE_KINDS = ['GRANT', 'AMEND', 'LIFECYCLE'] as const;
export type LicenseChangeKind = (typeof LICENSE_CHANGE_KINDS)[number];

/**
 * One license decision: its kind, the request body of its route (validated by that route's DTO) and, for a change
 * to an existing license, the license and the version it was read at (If-Match).
 */
export type LicenseChange =
  | { kind: 'GRANT'; input: GrantLicenseDto }
  | { kind: 'AMEND'; licenseId: string; expectedVersion: number; input: AmendLicenseDto }
  | { kind: 'LIFECYCLE'; licenseId: string; expectedVersion: number; input: CreateLicenseEventDto };

/**
 * Who made a decision: the staff member who proposed it (the maker) and the ADMIN who approved it (the checker).
 * `approvedBy` null: applied without review (FOUR_EYES=false, or the system: the seed, a CLI command, whose
 * `proposedBy` is null too). `proposalId`: the proposal approved, null for a change applied at once.
 */
export interface Decision {
  proposalId: string | null;
  proposedBy: string | null;
  approvedBy: string | null;
}

/** What applying a change wrote: the license (new for a grant) and its event (none for an amendment that changed nothing). */
export interface AppliedChange {
  licenseId: string;
  eventId: string | null;
}

/**
 * How the audit record of a license event names its decision (`after.review`): `mode` APPROVED (four eyes: the
 * proposal, its proposer and approver), NOT_REVIEWED (FOUR_EYES=false: the staff member alone) or SYSTEM (the
 * registry itself: the seed's reference data, versioned and reviewed in the repository before it is loaded).
 */
export function reviewOf(decision: Decision) {
  const mode = decision.approvedBy !== null ? 'APPROVED' : decision.proposedBy !== null ? 'NOT_REVIEWED' : 'SYSTEM';
  return { mode, proposalId: decision.proposalId, proposedBy: decision.proposedBy, approvedBy: decision.approvedBy };
}
