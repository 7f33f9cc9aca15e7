import Negotiator from 'negotiator';

/** The languages of the public pages, the chart and the error pages: English, and Urdu (right to left). */
export const LANGS = ['en', 'ur'] as const;
export type Lang = (typeof LANGS)[number];

/** `ur` for Urdu; anything else, missing or unknown, is English. */
export function langOf(value: unknown): Lang {
  return value === 'ur' ? 'ur' : 'en';
}

/**
 * The language of a response for a browser: `?lang=` when the URL names one of ours, else the best match of
 * the Accept-Language header (negotiator: q-values, `ur-PK` matches `ur`), else English.
 */
export function requestLang(url: string, acceptLanguage: string | undefined): Lang {
  const start = url.indexOf('?');
  const named = start < 0 ? null : new URLSearchParams(url.slice(start + 1)).get('lang');
  if (named === 'en' || named === 'ur') return named;
  const best = new Negotiator({ headers: { 'accept-language': acceptLanguage } }).language(LANGS);
  return langOf(best);
}
