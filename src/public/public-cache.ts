import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { isCalendarDate } from '../common/calendar-date.js';
import { Clock } from '../common/clock.js';
import { ifNoneMatchMatches, PUBLIC_AGGREGATES_CACHE, PUBLIC_CACHE } from '../common/conditional.js';
import { ProblemException } from '../common/problem.js';
import { countPublicRequest } from '../common/throttling.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/config.js';
import { type DataArea, DataVersions } from '../database/data-versions.js';
import { DevicesService } from '../shipments/devices.service.js';
import { PublicService } from './public.service.js';

/** A public lookup answered right here when the request has its plain form; undefined leaves it to Nest. */
type Direct = (path: string, query: URLSearchParams) => (() => Promise<unknown>) | undefined;

interface CachedRoute {
  /** The headers of this route's last full answer (through Nest and helmet), for its direct answers. */
  template?: Headers;
  match: (path: string) => boolean;
  areas: DataArea[];
  cacheControl: string;
  /** Keep its 200s in the LRU (not for millions of one-off keys: they would crowd out the rest). */
  store: boolean;
  /** The one lookup the route makes, for requests in plain form (no other query): no guards, pipes or interceptors to run. */
  direct?: Direct;
}

/** The last path segment after `prefix`, decoded, when there is exactly one. */
function segment(path: string, prefix: string): string | undefined {
  const raw = path.slice(prefix.length);
  if (!raw || raw.includes('/')) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined; // malformed: Nest answers it (400)
  }
}

/** Query parameters, when they are exactly `allowed` (each once, if at all). */
function only(query: URLSearchParams, allowed: string[]): boolean {
  const keys = [...query.keys()];
  return keys.every((k) => allowed.includes(k)) && new Set(keys).size === keys.length;
}

/** The public verification JSON of PublicController, for `?on=` absent or a valid date. */
export function directVerify(register: PublicService): Direct {
  return (path, query) => {
    const number = segment(path, '/public/v1/licenses/');
    const on = query.get('on') ?? undefined;
    if (number === undefined || !only(query, ['on']) || (on !== undefined && !isCalendarDate(on))) return undefined;
    return () => register.verify(number, on);
  };
}

/** The public device answer of PublicDevicesController, for a request without a query. */
export function directDevice(devices: DevicesService): Direct {
  return (path, query) => {
    const imei = segment(path, '/public/v1/devices/');
    if (imei === undefined || [...query.keys()].length) return undefined;
    return () => devices.publicAnswer(imei);
  };
}

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
  route: CachedRoute;
  /** Answered by the route's direct lookup (not through Nest). */
  direct?: boolean;
}

const PENDING = Symbol('publicCache');
type Marked = FastifyRequest & { [PENDING]?: Pending };

/**
 * The public side's fast path (a Fastify onRequest hook, before Nest's guards, pipes and handlers):
 * 1. the public rate limit is counted (the same storage and key as PublicThrottlerGuard, which then skips);
 * 2. the current data versions are read (one small query) and the ETag derived from URL, versions and day;
 * 3. a matching If-None-Match is answered 304 at once; a cached 200 for the same ETag is replayed;
 * 4. the two lookups asked one key at a time (license check, device check) are answered here, by the same
 *    services as their controllers, when the request has their plain form;
 * 5. otherwise the request goes on to Nest, and its 200 is kept (bounded LRU, PUBLIC_CACHE_MB) under that ETag.
 * A write moves the versions on, so nothing stale is served, on one instance or several sharing a database.
 */
@Injectable()
export class PublicResponseCache {
  private readonly entries: LRUCache<string, Entry>;
  /**
   * Public GET routes whose answer depends only on the URL, the data areas named here and the regulator's day:
   * their ETag and cache key are derived from those, so they can be answered before any other work.
   * The first match decides; a path not listed here is not cached.
   */
  private readonly routes: CachedRoute[];
  /** Header sets by their JSON text, shared by the entries (most responses of a route have the same ones). */
  private readonly headerSets = new Map<string, Headers>();

  constructor(
    private readonly versions: DataVersions,
    private readonly clock: Clock,
    @Inject(ThrottlerStorage) private readonly throttle: ThrottlerStorage,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    register: PublicService,
    devices: DevicesService,
  ) {
    this.routes = [
      { match: (p) => p === '/public/v1/exports' || p.startsWith('/public/v1/exports/'), areas: ['exports'], cacheControl: PUBLIC_AGGREGATES_CACHE, store: true },
      { match: (p) => p === '/exports', areas: ['exports'], cacheControl: PUBLIC_CACHE, store: true },
      { match: (p) => p.startsWith('/public/v1/devices/'), areas: ['exports'], cacheControl: PUBLIC_CACHE, store: false, direct: directDevice(devices) },
      { match: (p) => p.startsWith('/public/v1/licenses/'), areas: ['register'], cacheControl: PUBLIC_CACHE, store: true, direct: directVerify(register) },
      { match: (p) => p.startsWith('/public/v1/') || p === '/' || p === '/verify' || p.startsWith('/manufacturers/'), areas: ['register'], cacheControl: PUBLIC_CACHE, store: true },
    ];
    this.entries = new LRUCache<string, Entry>({
      maxSize: Math.max(1, config.publicCacheMb * 1024 * 1024),
      // The body (UTF-16 in memory for a string), the key, the entry and its ETag.
      sizeCalculation: (e, key) => (typeof e.body === 'string' ? 2 * e.body.length : e.body.length) + 2 * key.length + 200,
    });
  }

  /**
   * The hooks. `onRequest` goes before every other hook (helmet's too): what it answers carries headers taken
   * from full answers of the same route (helmet's among them), kept with each cached body and, for the direct
   * lookups, once per route. `onSend` is called after the other onSend hooks are added.
   */
  installOnRequest(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request, reply) => this.onRequest(request as Marked, reply));
  }

  installOnSend(fastify: FastifyInstance): void {
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
    const route = this.routes.find((r) => r.match(path));
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
    request[PENDING] = { etag, key: url, store: route.store, route };
    const lookup = route.template && route.direct?.(path, new URLSearchParams(q < 0 ? '' : url.slice(q + 1)));
    if (!lookup) return;
    let body: unknown;
    try {
      body = await lookup();
    } catch (e) {
      if (e instanceof ProblemException) return; // Nest answers it again, in the client's format (problem+json or a page)
      throw e;
    }
    request[PENDING] = { etag, key: url, store: route.store, route, direct: true };
    return reply.headers(route.template!).header('ETag', etag).send(JSON.stringify(body));
  }

  private onSend(request: Marked, reply: FastifyReply, payload: unknown): void {
    const pending = request[PENDING];
    if (!pending) return;
    request[PENDING] = undefined;
    if (reply.statusCode !== 200 || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) return;
    void reply.header('ETag', pending.etag);
    const headers = pending.direct ? pending.route.template! : this.headersOf(reply);
    if (!pending.direct && pending.route.direct) pending.route.template = headers;
    if (pending.store && this.config.publicCacheMb > 0) this.entries.set(pending.key, { etag: pending.etag, headers, body: payload });
  }

  /** The reply's headers but its own ones (length, date, request id, rate-limit counts, ETag), as a shared set. */
  private headersOf(reply: FastifyReply): Headers {
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
    return shared;
  }
}
