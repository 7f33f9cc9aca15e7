import { Layout } from './layout.js';
import { type PageContext, wordsOf } from './page-context.js';

/** No manufacturer at this address (an unknown or unlicensed company), answered with 404. */
export function NotFoundPage({ ctx }: { ctx: PageContext }) {
  const { t } = wordsOf(ctx);
  return (
    <Layout ctx={ctx} title={t.notFoundPage}>
      <h1>{t.notFoundPage}</h1>
      <p>{t.notFoundPageText}</p>
    </Layout>
  );
}
