import { renderPage } from './html.js';
import type { Lang } from './i18n/lang.js';
import { MESSAGES, type Messages } from './i18n/messages.js';
import type { ProblemBody } from './problem.js';

/** Paths that answer machines (JSON, CSV, SVG, fonts); everything else is a page for people. */
const MACHINE_PATHS = /^\/(api|public|docs|health|assets)(\/|-|$)/;

/** Whether a failed request came from a browser page: the error is then shown as HTML, not problem+json. */
export function wantsErrorPage(method: string, url: string, accept: string | undefined): boolean {
  return (method === 'GET' || method === 'HEAD') && !MACHINE_PATHS.test(url) && (accept ?? '').includes('text/html');
}

/** The status's title and what it means for the reader, in the page's language. */
function wording(t: Messages['error'], status: number): { title: string; text: string } {
  if (status in t.titles) {
    const known = status as keyof Messages['error']['titles'];
    return { title: t.titles[known], text: t.texts[known] };
  }
  return status >= 500 ? { title: t.serverError, text: t.serverErrorText } : { title: t.clientError, text: t.clientErrorText };
}

function ErrorPage({ problem, lang }: { problem: ProblemBody; lang: Lang }) {
  const t = MESSAGES[lang];
  const { title, text } = wording(t.error, problem.status);
  const home = lang === 'en' ? '' : `?lang=${lang}`;
  return (
    <html lang={lang} dir={t.dir}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${problem.status} ${title} · ${t.site}`}</title>
        <link rel="stylesheet" href="/assets/site.css" />
      </head>
      <body>
        <main id="main" class="wrap">
          <h1>{`${problem.status} ${title}`}</h1>
          <p>{text}</p>
          {/* The problem's own detail is written in English by the API. */}
          <p>
            {t.error.detail}: <bdi lang="en">{problem.detail}</bdi>
          </p>
          <p>
            <a href={`/${home}`}>{t.error.backToList}</a> · <a href={`/verify${home}`}>{t.navVerify}</a>
          </p>
        </main>
      </body>
    </html>
  );
}

/** A plain, accessible error page with the problem's status, what it means, its detail, and the way back. */
export function errorPage(problem: ProblemBody, lang: Lang): string {
  return renderPage(ErrorPage, { problem, lang });
}
