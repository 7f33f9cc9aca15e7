import { type JSXNode, jsx } from 'hono/jsx';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { escape } from 'html-escaper';

/**
 * Markup from JSX (hono/jsx): text and attribute values are escaped (& < > ' ") unless they are markup already.
 * Components render synchronously; an async one would be a mistake, and fails loudly.
 */
export function markup(element: JSX.Element | JSXNode): string {
  const text: unknown = element instanceof Promise ? element : element.toString();
  if (typeof text !== 'string') throw new Error('markup renders synchronously: no async components');
  return text;
}

/** A whole HTML document: the doctype and the page component's markup. */
export function renderPage<P extends object>(page: (props: P) => JSX.Element, props: P): string {
  return `<!doctype html>\n${markup(jsx(page, props))}\n`;
}

/** Markup that is already safe (built by `html`); anything else interpolated into `html` is escaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escape(String(value));
}

/** Tagged template for HTML: every interpolated value is escaped (html-escaper) unless it is SafeHtml. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0];
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1];
  });
  return new SafeHtml(out);
}

/** A query string from defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '');
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}` : '';
}
