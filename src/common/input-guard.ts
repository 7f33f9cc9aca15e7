import type { FieldError } from './problem.js';

/** Deeper JSON than this is refused: no registry input nests more than a few levels. */
export const MAX_DEPTH = 16;
// C0 control characters other than tab, line feed and carriage return (PostgreSQL cannot store NUL at all),
// and the bidirectional embedding, override and isolate controls, which can make a stored name display as
// something else ("Genuine \u202eDETCOVER" reads "Genuine REVOCTED"). Marks LRM/RLM stay allowed.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;

/**
 * Checks a parsed request body or query without recursion: nesting depth, and control characters in strings
 * and keys. Returns the first problem, named by its field path, or undefined.
 */
export function inputProblem(input: unknown): FieldError | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: input, path: '', depth: 0 }];
  while (stack.length) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (CONTROL.test(value)) return { field: path || 'body', message: 'must not contain control characters (such as NUL or text-direction overrides)' };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_DEPTH) return { field: path || 'body', message: `nests deeper than ${MAX_DEPTH} levels` };
    for (const [key, child] of Object.entries(value)) {
      const childPath = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (CONTROL.test(key)) return { field: path || 'body', message: 'has a key with control characters' };
      stack.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return undefined;
}

/** A request body still to be read (CSV uploads), as opposed to parsed JSON. */
export function isStream(body: unknown): body is NodeJS.ReadableStream {
  return typeof body === 'object' && body !== null && typeof (body as { pipe?: unknown }).pipe === 'function';
}
