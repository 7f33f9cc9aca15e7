import { type EntityManager, In } from 'typeorm';
import type { CalendarDate } from '../common/calendar-date.js';
import { Problem } from '../common/problem.js';
import { Obligation, ObligationDecision, ObligationSubmission, ObligationTemplate } from './obligation.entity.js';
import type { ObligationView } from './obligation-views.js';

/**
 * Obligations with everything their status is computed from (template, submissions, decisions), in `m`: those
 * started by `on` of the licenses given (or all), or one obligation. Sorted by license, catalog order and period.
 * A fixed handful of queries whatever their number.
 */
export async function readViews(m: EntityManager, q: { licenseIds?: string[]; on: CalendarDate; obligationId?: string }): Promise<ObligationView[]> {
  const qb = m.createQueryBuilder(Obligation, 'o').where('o.starts_on <= :on', { on: q.on });
  if (q.licenseIds) qb.andWhere('o.license_id IN (:...ids)', { ids: q.licenseIds.length ? q.licenseIds : ['-'] });
  if (q.obligationId) qb.andWhere('o.id = :id', { id: q.obligationId });
  const rows = await qb.getMany();
  if (!rows.length) return [];
  const templates = new Map((await m.find(ObligationTemplate, { where: { id: In([...new Set(rows.map((r) => r.templateId))]) } })).map((t) => [t.id, t]));
  const ids = rows.map((r) => r.id);
  const submissions: ObligationSubmission[] = [];
  const decisions: ObligationDecision[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    submissions.push(...(await m.find(ObligationSubmission, { where: { obligationId: In(chunk) }, order: { submittedOn: 'ASC', recordedAt: 'ASC' } })));
    decisions.push(...(await m.find(ObligationDecision, { where: { obligationId: In(chunk) }, order: { seq: 'ASC' } })));
  }
  const views = rows.map((obligation) => ({
    obligation,
    template: templates.get(obligation.templateId)!,
    submissions: submissions.filter((s) => s.obligationId === obligation.id),
    decisions: decisions.filter((d) => d.obligationId === obligation.id),
  }));
  return views.sort(
    (a, b) =>
      a.obligation.licenseId.localeCompare(b.obligation.licenseId) ||
      a.template.sortOrder - b.template.sortOrder ||
      a.obligation.period - b.obligation.period,
  );
}

/** One obligation of a license with what its status is computed from; 404 OBLIGATION_NOT_FOUND when the license has none such. */
export async function readView(m: EntityManager, licenseId: string, obligationId: string): Promise<ObligationView> {
  const [view] = await readViews(m, { licenseIds: [licenseId], obligationId, on: '9999-12-31' });
  if (!view) throw Problem.notFound('obligation', obligationId);
  return view;
}
