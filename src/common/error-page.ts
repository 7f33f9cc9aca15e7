import { html } from './html.js';
import type { ProblemBody } from './problem.js';

/** Paths that answer machines (JSON, CSV, SVG, fonts); everything else is a page for people. */
const MACHINE_PATHS = /^\/(api|public|docs|health|assets)(\/|-|$)/;

/** Whether a failed request came from a browser page: the error is then shown as HTML, not problem+json. */
export function wantsErrorPage(method: string, url: string, accept: string | undefined): boolean {
  return (method === 'GET' || method === 'HEAD') && !MACHINE_PATHS.test(url) && (accept ?? '').includes('text/html');
}

/** A plain, accessible error page with the problem's title and detail, and the way back. */
export function errorPage(problem: ProblemBody, lang: 'en' | 'ur'): string {
  const ur = lang === 'ur';
  return `<!doctype html>\n${html`<html lang="${lang}" dir="${ur ? 'rtl' : 'ltr'}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${problem.status} ${problem.title} · ${ur ? 'لائسنس رجسٹری' : 'License Registry'}</title>
<link rel="stylesheet" href="/assets/site.css"></head>
<body><main id="main" class="wrap">
<h1>${problem.status} ${problem.title}</h1>
<p>${problem.detail}</p>
<p><a href="${ur ? '/?lang=ur' : '/'}">${ur ? 'مینوفیکچررز کی فہرست' : 'Back to the list of manufacturers'}</a> · <a href="${ur ? '/verify?lang=ur' : '/verify'}">${ur ? 'لائسنس کی تصدیق' : 'Verify a license'}</a></p>
</main></body></html>`.value}\n`;
}
