import type { LicenseStatus } from '../../licenses/lifecycle.js';
import type { PublicLicenseDto } from '../dto/public.dto.js';
import { type PageContext, wordsOf } from './page-context.js';

/** A calendar day, written for the page's language; the machine-readable date stays in `datetime`. */
export function Day({ ctx, date }: { ctx: PageContext; date: string }) {
  return <time datetime={date}>{wordsOf(ctx).f.date(date)}</time>;
}

export function Badge({ ctx, status }: { ctx: PageContext; status: LicenseStatus | 'VALID' | 'NOT_FOUND' }) {
  const { t } = wordsOf(ctx);
  const text = status === 'VALID' ? t.verdictValid : status === 'NOT_FOUND' ? t.verdictNotFound : t.statuses[status];
  return <span class={`badge badge-${status.toLowerCase().replace(/_/g, '-')}`}>{text}</span>;
}

/** The term line: "Valid until" while the license can be valid, "Term ended" once expired, nothing once revoked or surrendered. */
export function TermFact({ ctx, status, expiresOn }: { ctx: PageContext; status: LicenseStatus; expiresOn: string }) {
  if (status === 'REVOKED' || status === 'SURRENDERED') return null;
  const { t } = wordsOf(ctx);
  return (
    <div>
      <dt>{status === 'EXPIRED' ? t.termEnded : t.expiresOn}</dt>
      <dd>
        <Day ctx={ctx} date={expiresOn} />
      </dd>
    </div>
  );
}

export function LicenseFacts({ ctx, license: l }: { ctx: PageContext; license: PublicLicenseDto }) {
  const { t, f } = wordsOf(ctx);
  return (
    <dl class="facts">
      <div>
        <dt>{t.licenseNumber}</dt>
        <dd>
          <bdi>{l.licenseNumber}</bdi>
        </dd>
      </div>
      <div>
        <dt>{t.status}</dt>
        <dd>
          <Badge ctx={ctx} status={l.status} />
        </dd>
      </div>
      <div>
        <dt>{t.issuedOn}</dt>
        <dd>
          <Day ctx={ctx} date={l.issuedOn} />
        </dd>
      </div>
      <TermFact ctx={ctx} status={l.status} expiresOn={l.expiresOn} />
      {l.brands.length > 0 && (
        <div>
          <dt>{t.brands}</dt>
          <dd>{f.list(l.brands)}</dd>
        </div>
      )}
    </dl>
  );
}
