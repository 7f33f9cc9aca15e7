import { type JSXNode, jsx } from 'hono/jsx';
import type { JSX } from 'hono/jsx/jsx-runtime';

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

/** A query string from defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '');
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}` : '';
}
