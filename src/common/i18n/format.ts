import type { Lang } from './lang.js';

/**
 * The locale of each language for numbers, dates and lists: Pakistan's English and Urdu. Both write Western
 * digits (CLDR's default numbering system for `ur-PK` is `latn`; only `ur-IN` defaults to Urdu digits ۱۲۳), as
 * Pakistani documents and the register's own numbers do.
 */
export const LOCALES = { en: 'en-PK', ur: 'ur-PK' } as const satisfies Record<Lang, string>;

export interface Format {
  /** 1234567 → "1,234,567" (both languages). */
  number(n: number): string;
  /** A calendar date `YYYY-MM-DD` → "9 April 2021" / "9 اپریل، 2021" (the day itself: no time zone shift). */
  date(isoDate: string): string;
  /** ["Inovi", "Samsung"] → "Inovi, Samsung" / "Inovi، Samsung". */
  list(items: readonly string[]): string;
}

function formatFor(lang: Lang): Format {
  const locale = LOCALES[lang];
  const number = new Intl.NumberFormat(locale);
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' });
  const list = new Intl.ListFormat(locale, { type: 'conjunction', style: 'narrow' });
  return {
    number: (n) => number.format(n),
    date: (isoDate) => {
      const day = new Date(`${isoDate}T00:00:00Z`);
      return Number.isNaN(day.getTime()) ? isoDate : date.format(day);
    },
    list: (items) => list.format(items),
  };
}

const FORMATS: Record<Lang, Format> = { en: formatFor('en'), ur: formatFor('ur') };

/** Numbers, dates and lists written for a page's language (Intl), the one way every page and the chart do it. */
export function format(lang: Lang): Format {
  return FORMATS[lang];
}
