import type { ManufacturerDto, PublicConditionDto } from '../dto/public.dto.js';
import { Layout } from './layout.js';
import { Day, LicenseFacts } from './license-facts.js';
import { eventName, link, type PageContext, wordsOf } from './page-context.js';

/** A manufacturer's profile: its public facts and every license with its lifecycle history. */
export function ManufacturerPage({ ctx, m }: { ctx: PageContext; m: ManufacturerDto }) {
  const { t, f } = wordsOf(ctx);
  return (
    <Layout ctx={ctx} title={m.legalName}>
      <h1>
        <bdi>{m.legalName}</bdi>
      </h1>
      <dl class="facts">
        {m.tradeName && (
          <div>
            <dt>{t.tradeName}</dt>
            <dd>
              <bdi>{m.tradeName}</bdi>
            </dd>
          </div>
        )}
        {m.city && (
          <div>
            <dt>{t.city}</dt>
            <dd>
              <bdi>{f.list([m.city, m.province].filter((v): v is string => Boolean(v)))}</bdi>
            </dd>
          </div>
        )}
        {m.website && (
          <div>
            <dt>{t.website}</dt>
            <dd>
              <a href={m.website} rel="nofollow noopener">
                {m.website}
              </a>
            </dd>
          </div>
        )}
      </dl>
      <h2>{t.licenses}</h2>
      {m.licenses.map((l, i) => (
        <section class="card" aria-labelledby={`license-${i + 1}`}>
          <h3 id={`license-${i + 1}`}>
            {t.license} <bdi>{l.licenseNumber}</bdi> ({l.type})
          </h3>
          <LicenseFacts ctx={ctx} license={l} />
          {l.conditions && <Conditions ctx={ctx} conditions={l.conditions} />}
          <h4>{t.history}</h4>
          <ol class="timeline">
            {(l.history ?? []).map((e) => (
              <li>
                <Day ctx={ctx} date={e.effectiveOn} /> <span class="event">{eventName(t, e.type)}</span>
                {(e.type === 'GRANTED' || e.type === 'RENEWED') && (
                  <>
                    {' '}
                    <span class="term">
                      ({t.termEnds} <Day ctx={ctx} date={e.expiresOn} />)
                    </span>
                  </>
                )}
                {e.logIndex !== null && (
                  <>
                    {' '}
                    <a class="log-index" href={link(ctx, '/log')}>
                      {t.log.entry(String(e.logIndex))}
                    </a>
                  </>
                )}
              </li>
            ))}
          </ol>
        </section>
      ))}
    </Layout>
  );
}

/** A license's conditions today: title in the page's language, status, and the due date or the extension's end. */
function Conditions({ ctx, conditions }: { ctx: PageContext; conditions: PublicConditionDto[] }) {
  const { t, f } = wordsOf(ctx);
  const c = t.conditions;
  return (
    <>
      <h4>{c.title}</h4>
      <p>{c.about}</p>
      <ul class="conditions">
        {conditions.map((x) => (
          <li>
            <bdi>{ctx.lang === 'ur' ? x.titleUr : x.title}</bdi> <span class={`badge badge-${x.status.toLowerCase()}`}>{c.statuses[x.status]}</span>
            {x.status === 'EXTENDED' && x.extendedUntil ? (
              <>
                {' '}
                <time datetime={x.extendedUntil}>{c.extendedUntil(f.date(x.extendedUntil))}</time>
              </>
            ) : (
              x.status !== 'MET' &&
              x.status !== 'WAIVED' && (
                <>
                  {' '}
                  <time datetime={x.dueOn}>{c.dueBy(f.date(x.dueOn))}</time>
                </>
              )
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
