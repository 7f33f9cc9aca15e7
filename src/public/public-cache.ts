import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { Clock } from '../common/clock.js';
import { ifNoneMatchMatches, PUBLIC_AGGREGATES_CACHE, PUBLIC_CACHE } from '../common/conditional.js';
import { countPublicRequest } from '../common/throttling.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/config.js';
import { type DataArea, DataVersions } from '../database/data-versions.js';

/**
 * Public GET routes whose answer depends only on the URL, the data areas named here and the regulator's day:
 * their ETag and cache key are derived from those, so they can be answered before any other work.
 * The first match decides; a path not listed here is not cached.
 */
const CACHED_ROUTES: { match: (path: string) => boolean; areas: DataArea[]; cacheControl: string; store: boolean }[] = [
  { match: (p) => p === '/public/v1/exports' || p.startsWith('/public/v1/exports/'), areas: ['exports'], cacheControl: PUBLIC_AGGREGATES_CACHE, store: true },
  { match: (p) => p === '/exports', areas: ['exports'], cacheControl: PUBLIC_CACHE, store: true },
  // One indexed lookup each, and millions of them: 304s from the version, but not kept (they would crowd out the rest).
  { match: (p) => p.startsWith('/public/v1/devices/'), areas: ['exports'], cacheControl: PUBLIC_CACHE, store: false },
  { match: (p) => p.startsWith('/public/v1/') || p === '/' || p === '/verify' || p.startsWith('/manufacturers/'), areas: ['register'], cacheControl: PUBLIC_CACHE, store: true },
];

/** Response headers that belong to one response only and are never replayed from the cache. */
const OWN_HEADERS = new Set(['content-length', 'date', 'connection', 'keep-alive', 'transfer-encoding', 'x-request-id', 'set-cookie', 'retry-after', 'etag']);

type Headers = Record<string, string | string[] | number>;

interface Entry {
  etag: string;
  /** The response's other headers: one shared object for every response with the same ones. */
  headers: Headers;
  body: string | Buffer;
}

interface Pending {
  etag: string;
  key: string;
  store: boolean;
}

const PENDING = Symbol('publicCache');
type Marked = FastifyRequest & { [PENDING]?: Pending };

/**
 * The public side's fast path (a Fastify onRequest hook, before Nest's guards, pipes and handlers):
 * 1. the public rate limit is counted (the same storage and key as PublicThrottlerGuard, which then skips);
 * 2. the current data versions are read (one small query) and the ETag derived from URL, versions and day;
 * 3. a matching If-None-Match is answered 304 at once; a cached 200 for the same ETag is replayed;
 * 4. otherwise the request goes on to Nest, and its 200 is kept (bounded LRU, PUBLIC_CACHE_MB) under that ETag.
 * A write moves the versions on, so nothing stale is served, on one instance or several sharing a database.
 */
@Injectable()
export class PublicResponseCache {
  private readonly entries: LRUCache<string, Entry>;
  /** Header sets by their JSON text, shared by the entries (most responses of a route have the same ones). */
  private readonly headerSets = new Map<string, Headers>();

  constructor(
    private readonly versions: DataVersions,
    private readonly clock: Clock,
    @Inject(ThrottlerStorage) private readonly throttle: ThrottlerStorage,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {
    this.entries = new LRUCache<string, Entry>({
      maxSize: Math.max(1, config.publicCacheMb * 1024 * 1024),
      // The body (UTF-16 in memory for a string), the key, the entry and its ETag.
      sizeCalculation: (e, key) => (typeof e.body === 'string' ? 2 * e.body.length : e.body.length) + 2 * key.length + 200,
    });
  }

  install(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request, reply) => this.onRequest(request as Marked, reply));
    fastify.addHook('onSend', async (request, reply, payload) => {
      this.onSend(request as Marked, reply, payload);
      return payload;
    });
  }

  private async onRequest(request: Marked, reply: FastifyReply): Promise<FastifyReply | undefined> {
    if (request.method !== 'GET') return;
    const url = request.url;
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const route = CACHED_ROUTES.find((r) => r.match(path));
    if (!route) return;
    // Past the limit: left to the guard, which answers 429 in the route's own format.
    if (!(await countPublicRequest(this.throttle, request, reply, this.config.publicRateLimit))) return;
    const versions = await this.versions.current();
    const etag = `"${createHash('sha1').update(`${url}\n${route.areas.map((a) => versions[a]).join(' ')}\n${this.clock.today()}`).digest('base64url')}"`;
    const cached = this.entries.get(url);
    const fresh = cached && cached.etag === etag ? cached : undefined;
    // A tag of ours names a 200 of this URL at these versions; `*` matches only a representation we know exists.
    const inm = request.headers['if-none-match'];
    if (inm && (inm.trim() === '*' ? fresh : ifNoneMatchMatches(inm, etag))) {
      void reply.code(304).header('ETag', etag).header('Cache-Control', fresh?.headers['cache-control'] ?? route.cacheControl);
      return reply.send();
    }
    if (fresh) return reply.headers(fresh.headers).header('ETag', etag).send(fresh.body);
    request[PENDING] = { etag, key: url, store: route.store };
  }

  private onSend(request: Marked, reply: FastifyReply, payload: unknown): void {
    const pending = request[PENDING];
    if (!pending) return;
    request[PENDING] = undefined;
    if (reply.statusCode !== 200 || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) return;
    void reply.header('ETag', pending.etag);
    if (!pending.store || this.config.publicCacheMb === 0) return;
    const headers: Headers = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined && !OWN_HEADERS.has(name) && !name.startsWith('x-ratelimit')) headers[name] = value;
    }
    const text = JSON.stringify(headers);
    let shared = this.headerSets.get(text);
    if (!shared) {
      if (this.headerSets.size >= 1000) this.headerSets.clear(); // e.g. a file name with the day in it: a few a day
      shared = Object.freeze(headers);
      this.headerSets.set(text, shared);
    }
    this.entries.set(pending.key, { etag: pending.etag, headers: shared, body: payload });
  }
}
