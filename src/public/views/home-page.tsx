import { query } from '../../common/html.js';
import type { LicenseStatus } from '../../licenses/lifecycle.js';
import type { ManufacturerDto } from '../dto/public.dto.js';
import { Layout } from './layout.js';
import { LicenseFacts } from './license-facts.js';
import { langParam, link, type PageContext, wordsOf } from './page-context.js';

export interface HomeProps {
  ctx: PageContext;
  result: { items: ManufacturerDto[]; total: number; limit: number; offset: number };
  statuses: readonly LicenseStatus[];
}

function ManufacturerCard({ ctx, m }: { ctx: PageContext; m: ManufacturerDto }) {
  const names = [m.tradeName, m.city].filter((v): v is string => Boolean(v));
  return (
    <li class="card">
      <h2>
        <a href={link(ctx, `/manufacturers/${m.id}`)}>
          <bdi>{m.legalName}</bdi>
        </a>
      </h2>
      {names.length > 0 && (
        <p class="meta">
          {names.map((v, i) => (
            <>
              {i > 0 && ' · '}
              <bdi>{v}</bdi>
            </>
          ))}
        </p>
      )}
      {m.licenses.map((l) => (
        <LicenseFacts ctx={ctx} license={l} />
      ))}
    </li>
  );
}

/** The register: search by name, brand or license number, filter by status, a page of manufacturers. */
export function HomePage({ ctx, result, statuses }: HomeProps) {
  const { t, f } = wordsOf(ctx);
  const { q, status } = ctx.params;
  const lang = langParam(ctx.lang);
  const page = (offset: number) => `/${query({ q, status, lang, offset: offset || undefined })}`;
  const count = t.results(result.total, f.number(result.total));
  return (
    <Layout ctx={ctx} title={t.homeTitle}>
      <h1>{t.homeTitle}</h1>
      <p>{t.homeIntro}</p>
      <form class="search" method="get" action="/" role="search">
        {lang && <input type="hidden" name="lang" value={lang} />}
        <div class="field">
          <label for="q">{t.searchLabel}</label>
          <input id="q" name="q" type="search" value={q ?? ''} maxlength={200} autocomplete="off" />
        </div>
        <div class="field">
          <label for="status">{t.statusLabel}</label>
          <select id="status" name="status">
            <option value="">{t.anyStatus}</option>
            {statuses.map((s) => (
              <option value={s} selected={s === status}>
                {t.statuses[s]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">{t.search}</button>
      </form>
      <p class="count" role="status">
        {count}
      </p>
      {result.items.length === 0 && <p>{t.none}</p>}
      <ul class="cards">
        {result.items.map((m) => (
          <ManufacturerCard ctx={ctx} m={m} />
        ))}
      </ul>
      <nav class="pager" aria-label={count}>
        {result.offset > 0 && (
          <a href={page(Math.max(0, result.offset - result.limit))} rel="prev">
            {t.previous}
          </a>
        )}
        {result.offset + result.limit < result.total && (
          <a href={page(result.offset + result.limit)} rel="next">
            {t.next}
          </a>
        )}
      </nav>
    </Layout>
  );
}
