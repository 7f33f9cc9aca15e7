import type { VerificationDto } from '../dto/public.dto.js';
import { Layout } from './layout.js';
import { Badge, Day, TermFact } from './license-facts.js';
import { eventName, langParam, link, type PageContext, wordsOf } from './page-context.js';

export type Verdict =
  | { kind: 'result'; result: VerificationDto }
  | { kind: 'not-found'; licenseNumber: string }
  | { kind: 'invalid'; field: 'licenseNumber' | 'on' }
  | { kind: 'none' };

function Outcome({ ctx, verdict }: { ctx: PageContext; verdict: Verdict }) {
  const { t } = wordsOf(ctx);
  if (verdict.kind === 'not-found') {
    return (
      <section class="verdict verdict-invalid" aria-live="polite" aria-labelledby="verdict-title">
        <h2 id="verdict-title">
          <Badge ctx={ctx} status="NOT_FOUND" /> <bdi>{verdict.licenseNumber}</bdi>
        </h2>
        <p>{t.notFoundText(verdict.licenseNumber)}</p>
      </section>
    );
  }
  if (verdict.kind !== 'result') return null;
  const r = verdict.result;
  return (
    <section class={`verdict verdict-${r.valid ? 'valid' : 'invalid'}`} aria-live="polite" aria-labelledby="verdict-title">
      <h2 id="verdict-title">
        <Badge ctx={ctx} status={r.valid ? 'VALID' : r.status} /> <bdi>{r.licenseNumber}</bdi>
      </h2>
      <dl class="facts">
        <div>
          <dt>{t.onDate}</dt>
          <dd>
            <Day ctx={ctx} date={r.on} />
          </dd>
        </div>
        <div>
          <dt>{t.status}</dt>
          <dd>{t.statuses[r.status]}</dd>
        </div>
        <div>
          <dt>{t.holder}</dt>
          <dd>
            <a href={link(ctx, `/manufacturers/${r.holder.id}`)}>
              <bdi>{r.holder.legalName}</bdi>
            </a>
          </dd>
        </div>
        <div>
          <dt>{t.issuedOn}</dt>
          <dd>
            <Day ctx={ctx} date={r.issuedOn} />
          </dd>
        </div>
        <TermFact ctx={ctx} status={r.status} expiresOn={r.expiresOn} />
        {r.lastStatusChange && (
          <div>
            <dt>{t.lastChange}</dt>
            <dd>
              {eventName(t, r.lastStatusChange.type)}
              {t.separator}
              <Day ctx={ctx} date={r.lastStatusChange.effectiveOn} />
            </dd>
          </div>
        )}
      </dl>
    </section>
  );
}

/** Is this license valid today, or on a chosen day? The form, and the verdict once a number is given. */
export function VerifyPage({ ctx, verdict }: { ctx: PageContext; verdict: Verdict }) {
  const { t } = wordsOf(ctx);
  const { licenseNumber, on } = ctx.params;
  const lang = langParam(ctx.lang);
  const invalid = verdict.kind === 'invalid' ? verdict.field : undefined;
  const describedBy = (field: string) => (invalid === field ? { 'aria-invalid': 'true', 'aria-describedby': `${field}-error` } : {});
  const errorFor = (field: string, message: string) =>
    invalid === field && (
      <p class="error" id={`${field}-error`}>
        {message}
      </p>
    );
  return (
    <Layout ctx={ctx} title={t.verifyTitle}>
      <h1>{t.verifyTitle}</h1>
      <p>{t.verifyIntro}</p>
      <form class="search" method="get" action="/verify">
        {lang && <input type="hidden" name="lang" value={lang} />}
        <div class="field">
          <label for="licenseNumber">{t.licenseNumber}</label>
          <input id="licenseNumber" name="licenseNumber" type="text" value={licenseNumber ?? ''} maxlength={100} required autocomplete="off" {...describedBy('licenseNumber')} />
          {errorFor('licenseNumber', t.invalidLicenseNumber)}
        </div>
        <div class="field">
          <label for="on">{t.dateLabel}</label>
          <input id="on" name="on" type="date" value={on ?? ''} {...describedBy('on')} />
          {errorFor('on', t.invalidDate)}
        </div>
        <button type="submit">{t.verify}</button>
      </form>
      <Outcome ctx={ctx} verdict={verdict} />
    </Layout>
  );
}
