import type { CalendarDate } from '../common/calendar-date.js';
import type { LicenseTerm } from '../licenses/licenses.service.js';
import type { ObligationDecisionDto, ObligationDto, ObligationSubmissionDto } from './dto/obligation.dto.js';
import type { Obligation, ObligationDecision, ObligationSubmission, ObligationTemplate } from './obligation.entity.js';
import { OBLIGATION_STATUSES, type ObligationState, type ObligationStatus, percentText } from './obligation-rules.js';

/**
 * What ObligationsService reads and answers: an obligation with what its status is computed from, and the shapes
 * made of it for staff (DTOs), the reports and the public profile.
 */

/** A stored document of a submission (documents.ts): its SHA-256, media type and size in bytes. */
export interface StoredDocument {
  sha256: string;
  mediaType: string;
  bytes: number;
}

/** An obligation with everything its status is computed from. */
export interface ObligationView {
  obligation: Obligation;
  template: ObligationTemplate;
  submissions: ObligationSubmission[];
  decisions: ObligationDecision[];
}

/** One obligation's status on a day, with its license: the rows of the report and of the public profile. */
export interface ObligationOnDay {
  license: LicenseTerm;
  view: ObligationView;
  state: ObligationState;
}

/** A condition as the public profile shows it: no submissions, values, notes, documents, reasons or staff. */
export interface PublicCondition {
  code: string;
  title: string;
  titleUr: string;
  status: ObligationStatus;
  /** The due date in force (an extension's, once extended). */
  dueOn: CalendarDate;
  /** EXTENDED: until this day (inclusive). */
  extendedUntil?: CalendarDate;
}

export const emptyCounts = (): Record<ObligationStatus, number> => Object.fromEntries(OBLIGATION_STATUSES.map((s) => [s, 0])) as Record<ObligationStatus, number>;


export function factsOf(v: ObligationView) {
  return { kind: v.template.kind, targetHundredths: v.template.targetHundredths, dueOn: v.obligation.dueOn, submissions: v.submissions, decisions: v.decisions };
}

export function submissionDto(s: ObligationSubmission): ObligationSubmissionDto {
  return {
    id: s.id,
    submittedOn: s.submittedOn,
    reportedValue: s.valueHundredths === null ? null : percentText(s.valueHundredths),
    note: s.note,
    document: s.documentSha256 ? { sha256: s.documentSha256, mediaType: s.documentType!, bytes: s.documentBytes! } : null,
    recordedAt: s.recordedAt.toISOString(),
    recordedBy: s.recordedBy,
  };
}

export function decisionDto(d: ObligationDecision): ObligationDecisionDto {
  return {
    id: d.id,
    decision: d.decision,
    submissionId: d.submissionId,
    newDueOn: d.newDueOn,
    reason: d.reason,
    decidedOn: d.decidedOn,
    decidedBy: d.decidedBy,
    proposedBy: d.proposedBy,
    approvedBy: d.approvedBy,
  };
}

export function templateDto(t: ObligationTemplate) {
  return {
    id: t.id,
    code: t.code,
    titleEn: t.titleEn,
    titleUr: t.titleUr,
    kind: t.kind,
    targetPercent: t.targetHundredths === null ? null : percentText(t.targetHundredths),
    measuredItem: t.measuredItem,
    dueOffset: t.dueOffset,
    source: t.source,
    asReported: Boolean(t.asReported),
  };
}

export function toDto(v: ObligationView, state: ObligationState, on: CalendarDate): ObligationDto {
  const t = v.template;
  return {
    id: v.obligation.id,
    code: t.code,
    title: t.titleEn,
    titleUr: t.titleUr,
    kind: t.kind,
    target: t.targetHundredths === null ? null : percentText(t.targetHundredths),
    measuredItem: t.measuredItem,
    period: v.obligation.period,
    startsOn: v.obligation.startsOn,
    dueOn: state.dueOn,
    originalDueOn: v.obligation.dueOn,
    status: state.status,
    extendedUntil: state.extendedUntil,
    daysOverdue: state.daysOverdue,
    metBy: state.metBy,
    source: t.source,
    asReported: Boolean(t.asReported),
    version: v.obligation.version,
    submissions: v.submissions.filter((s) => s.submittedOn <= on).map(submissionDto),
    decisions: v.decisions.filter((d) => d.decidedOn <= on).map(decisionDto),
  };
}

