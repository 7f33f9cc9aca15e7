import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const SANE = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * A request's id, sent back as X-Request-Id and written in its log lines: the client's own X-Request-Id when it
 * is a sane token (letters, digits, `. _ : -`, at most 100), anything else gets a fresh UUID.
 */
export function requestIdOf(headers: IncomingHttpHeaders): string {
  const given = headers['x-request-id'];
  return typeof given === 'string' && SANE.test(given) ? given : randomUUID();
}
