import { createRequire } from 'node:module';
import countries from 'i18n-iso-countries';
import type { Lang } from './i18n/lang.js';

// The country list is the i18n-iso-countries package's (ISO 3166-1), not ours.
const require = createRequire(import.meta.url);
countries.registerLocale(require('i18n-iso-countries/langs/en.json'));
countries.registerLocale(require('i18n-iso-countries/langs/ur.json'));

/**
 * Common non-ISO abbreviations seen in trade paperwork, with the alpha-2 code meant. `UK` is only
 * "exceptionally reserved" in ISO 3166-1; the United Kingdom's code is GB.
 */
const ALIASES: Record<string, string> = { UK: 'GB', UAE: 'AE', KSA: 'SA', EL: 'GR' };

export function isAlpha2(value: string): boolean {
  return /^[A-Z]{2}$/.test(value) && countries.getAlpha2Codes()[value] !== undefined;
}

/** The country's name in English, or in Urdu for the Urdu pages and chart (the package's `ur` names). */
export function countryName(alpha2: string, lang: Lang = 'en'): string | undefined {
  return countries.getName(alpha2, lang) ?? countries.getName(alpha2, 'en') ?? undefined;
}

/**
 * Why a destination is not an ISO 3166-1 alpha-2 code, with the code the user probably meant.
 * Returns undefined when it is valid. Nothing is normalised silently: `ae` is refused with the hint `AE`.
 */
export function countryCodeProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be an ISO 3166-1 alpha-2 country code such as AE';
  if (isAlpha2(value)) return undefined;
  const upper = value.trim().toUpperCase();
  let hint: string | undefined;
  if (ALIASES[upper]) hint = ALIASES[upper];
  else if (isAlpha2(upper)) hint = upper;
  else if (/^[A-Z]{3}$/.test(upper)) hint = countries.alpha3ToAlpha2(upper);
  else if (/^\d{3}$/.test(upper)) hint = countries.numericToAlpha2(upper);
  else if (upper.length > 3) hint = countries.getAlpha2Code(value.trim(), 'en');
  const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  return hint
    ? `${shown} is not an ISO 3166-1 alpha-2 code; use "${hint}" (${countryName(hint)})`
    : `${shown} is not an ISO 3166-1 alpha-2 country code (two capital letters, e.g. AE for the United Arab Emirates)`;
}
