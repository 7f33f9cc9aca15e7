/** A request body still to be read (CSV uploads), as opposed to parsed JSON. */
export function isStream(body: unknown): body is NodeJS.ReadableStream {
  return typeof body === 'object' && body !== null && typeof (body as { pipe?: unknown }).pipe === 'function';
}
