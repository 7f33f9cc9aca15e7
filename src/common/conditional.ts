import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Public register responses may be kept by any cache for a minute. */
export const PUBLIC_CACHE = 'public, max-age=60';

/** Public export aggregates change with shipments only: five minutes. */
export const PUBLIC_AGGREGATES_CACHE = 'public, max-age=300';

/** True when an If-None-Match header (one tag, a list, or `*`) matches `etag`, compared weakly (RFC 9110 section 13.1.2). */
export function ifNoneMatchMatches(header: string, etag: string): boolean {
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.trim() === '*' || header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

/**
 * Conditional GET (RFC 9110 section 13): every successful GET/HEAD response gets an ETag (a resource's own
 * version ETag is kept), and `If-None-Match` - one tag, a list, or `*`, compared weakly - answers 304 with no
 * body. Other statuses and methods are left alone: a precondition never turns an error into a 304.
 * (@fastify/etag compares only a single tag and answers 304 for errors too.)
 */
export function conditionalGet(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  if ((request.method !== 'GET' && request.method !== 'HEAD') || reply.statusCode !== 200) return payload;
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload; // streams go as they are
  let etag = reply.getHeader('etag') as string | undefined;
  if (!etag) {
    etag = `"${createHash('sha1').update(payload).digest('base64url')}"`;
    void reply.header('ETag', etag);
  }
  const header = request.headers['if-none-match'];
  if (!header || !ifNoneMatchMatches(header, etag)) return payload;
  void reply.code(304);
  reply.removeHeader('content-length');
  reply.removeHeader('content-type');
  return null; // no body, and so no Content-Length (RFC 9110 section 15.4.5)
}
