import type { Child } from 'hono/jsx';
import { query } from '../../common/html.js';
import { LANGS } from '../../common/i18n/lang.js';
import { MESSAGES } from '../../common/i18n/messages.js';
import { langParam, link, type PageContext, wordsOf } from './page-context.js';

/** Every page: the language and direction, the skip link, the site header with the language switch, the footer. */
export function Layout({ ctx, title, children }: { ctx: PageContext; title: string; children?: Child }) {
  const { t } = wordsOf(ctx);
  const others = LANGS.filter((lang) => lang !== ctx.lang);
  return (
    <html lang={ctx.lang} dir={t.dir}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${t.site}`}</title>
        <link rel="stylesheet" href="/assets/site.css" />
      </head>
      <body>
        <a class="skip" href="#main">
          {t.skip}
        </a>
        <header class="site">
          <div class="wrap">
            <p class="brand">
              <a href={link(ctx, '/')}>{t.site}</a> <span>{t.tagline}</span>
            </p>
            <nav aria-label={t.site}>
              <ul>
                <li>
                  <a href={link(ctx, '/')}>{t.navHome}</a>
                </li>
                <li>
                  <a href={link(ctx, '/verify')}>{t.navVerify}</a>
                </li>
                <li>
                  <a href={link(ctx, '/exports')}>{t.navExports}</a>
                </li>
                <li>
                  <a href={link(ctx, '/log')}>{t.navLog}</a>
                </li>
                {others.map((other) => (
                  <li>
                    <a href={`${ctx.path}${query({ ...ctx.params, lang: langParam(other) })}`} hreflang={other} lang={other}>
                      {MESSAGES[other].langName}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          </div>
        </header>
        <main id="main" class="wrap">
          {children}
        </main>
        <footer class="site">
          <div class="wrap">
            <h2>{t.openData}</h2>
            <ul>
              <li>
                <a href="/public/v1/register.csv" download>
                  {t.downloadCsv}
                </a>
              </li>
              <li>
                <a href="/public/v1/register.json">{t.downloadJson}</a>
              </li>
              <li>
                <a href="/public/v1/exports?groupBy=fiscalYear,destination&format=csv" download>
                  {t.downloadExports}
                </a>
              </li>
              <li>
                <a href="/docs">{t.apiDocs}</a>
              </li>
            </ul>
            <p>{t.footer}</p>
          </div>
        </footer>
      </body>
    </html>
  );
}
