import { query } from '../../common/html.js';
import { type Format, format } from '../../common/i18n/format.js';
import type { Lang } from '../../common/i18n/lang.js';
import { MESSAGES, type Messages } from '../../common/i18n/messages.js';
import { LICENSE_EVENT_TYPES, type LicenseEventType } from '../../licenses/lifecycle.js';

export interface PageContext {
  lang: Lang;
  /** The path and query of this page, for the language switch. */
  path: string;
  params: Record<string, string | undefined>;
}

/** The catalog and the number and date formats of the page's language. */
export function wordsOf(ctx: PageContext): { t: Messages; f: Format } {
  return { t: MESSAGES[ctx.lang], f: format(ctx.lang) };
}

/** The `lang` parameter of links that keep the page's language: none for English, the default. */
export function langParam(lang: Lang): Lang | undefined {
  return lang === 'en' ? undefined : lang;
}

/** A link within the site, in the page's language. */
export function link(ctx: PageContext, path: string, params: Record<string, string | number | undefined> = {}): string {
  return `${path}${query({ ...params, lang: langParam(ctx.lang) })}`;
}

/** A lifecycle event's name; a type the catalog does not know is shown as it is. */
export function eventName(t: Messages, type: string): string {
  return (LICENSE_EVENT_TYPES as readonly string[]).includes(type) ? t.events[type as LicenseEventType] : type;
}
