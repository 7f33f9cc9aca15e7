/**
 * The registry's one Content-Security-Policy (W3C CSP Level 3), sent with every response (app.setup.ts): pages,
 * error pages, SVG charts, JSON and CSV. Nothing runs: no script at all; styles, images and fonts from this site
 * only; forms post to this site; no framing. The OpenAPI viewer at /docs (Swagger UI) gets the same policy plus
 * exactly what it needs: its scripts from this site, the inline styles and data: images it writes, and fetching
 * the OpenAPI document from this site.
 */
const SITE: Record<string, string[]> = {
  'default-src': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'"],
  'font-src': ["'self'"],
  'form-action': ["'self'"],
  'base-uri': ["'none'"],
  'frame-ancestors': ["'none'"],
};

const DOCS: Record<string, string[]> = {
  ...SITE,
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
};

const serialize = (policy: Record<string, string[]>) =>
  Object.entries(policy)
    .map(([directive, sources]) => `${directive} ${sources.join(' ')}`)
    .join('; ');

export const SITE_CSP = serialize(SITE);
export const DOCS_CSP = serialize(DOCS);

/** The policy of a response to `url` (a path with its query). */
export function cspFor(url: string): string {
  return url === '/docs' || url.startsWith('/docs/') || url.startsWith('/docs?') ? DOCS_CSP : SITE_CSP;
}
