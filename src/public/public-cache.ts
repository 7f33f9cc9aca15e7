import { hash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from 'fastify';
import { LRUCache } from 'lru-cache';
import { isCalendarDate } from '../common/calendar-date.js';
import { Clock } from '../common/clock.js';
import { Metrics } from '../common/metrics.js';
import { ifNoneMatchMatches, PUBLIC_AGGREGATES_CACHE, PUBLIC_CACHE } from '../common/conditional.js';
import { ProblemException } from '../common/problem.js';
import { requestIdOf } from '../common/request-id.js';
import { countPublicRequest, type ProxyTrust, proxyTrust } from '../common/throttling.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/config.js';
import { type DataArea, type DataVersionSet, DataVersions } from '../database/data-versions.js';
import { DevicesService } from '../shipments/devices.service.js';
import { PublicService } from './public.service.js';

/** A public lookup answered right here when the request has its plain form; undefined leaves it to Nest. */
type Direct = (path: string, query: URLSearchParams) => (() => Promise<unknown>) | undefined;

interface CachedRoute {
  /** The headers of this route's last full answer (through Nest and helmet), for its direct answers. */
  template?: HeaderList;
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

/** Response headers as Node's writeHead takes them in one go: name, value, name, value... */
type HeaderList = readonly string[];

interface Entry {
  etag: string;
  /** The response's other headers: one shared list for every response with the same ones. */
  headers: HeaderList;
  body: string | Buffer;
}

/** What the fast path learnt about a request it passed on to Fastify. */
interface Pending {
  etag: string;
  key: string;
  store: boolean;
  route: CachedRoute;
  /** The rate-limit headers of the request, counted by the fast path. */
  rateLimit: string[];
}

const PENDING = Symbol('publicCache');
const NO_QUERY = new URLSearchParams();
type Marked = IncomingMessage & { [PENDING]?: Pending };
type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The public side's fast path, in front of Fastify (the HTTP server's request listener offers it every GET
 * first; what it does not answer goes on to Fastify and Nest untouched):
 * 1. the public rate limit is counted (the same storage and key as PublicThrottlerGuard, which then skips);
 * 2. the current data versions are read (one small query) and the ETag derived from the route's versions and the day;
 * 3. a matching If-None-Match is answered 304 at once; a cached 200 for the same ETag is replayed;
 * 4. the two lookups asked one key at a time (license check, device check) are answered here, by the same
 *    services as their controllers, when the request has their plain form and the route has been answered
 *    in full once (its headers are then known);
 * 5. otherwise the request goes on to Fastify, and its 200 is kept (bounded LRU, PUBLIC_CACHE_MB) under that ETag.
 * A write moves the versions on, so nothing stale is served, on one instance or several sharing a database.
 * Being in front of Fastify, an answer made here skips Fastify's request and reply objects, routing and hooks
 * (measured figures: docs/performance.md).
 */
@Injectable()
export class PublicResponseCache {
  private readonly entries: LRUCache<string, Entry>;
  /**
   * Public GET routes whose answer depends only on the URL, the data areas named here and the regulator's day:
   * their ETag and cache key are derived from those, so they can be answered before any other work.
   * The first match decides; a path not listed here is not cached. The transparency log (`/public/v1/log/`, the
   * page `/log`) is not: its checkpoint moves on with every audited write, of any area or none.
   */
  private readonly routes: CachedRoute[];
  /** The duration histograms of the answers made here, by status and route (a few dozen at most). */
  private readonly durations = new Map<string, { observe(seconds: number): void }>();
  /** Which peers are trusted proxies (TRUST_PROXY): the client address the rate limit counts by. */
  private readonly trust: ProxyTrust;
  /** Header lists by their JSON text, shared by the entries (most responses of a route have the same ones). */
  private readonly headerSets = new Map<string, HeaderList>();
  /** The ETags of the routes at the last version set read and day (etagOf). */
  private tags: { versions?: DataVersionSet; day?: string; byRoute: Map<CachedRoute, string> } = { byRoute: new Map() };
  /** Fastify is closing: everything goes to it (it answers 503 while it drains). */
  private closing = false;
  /** Fastify's logger when request lines are logged (info or finer), for the answers made here. */
  private log?: FastifyBaseLogger;

  constructor(
    private readonly versions: DataVersions,
    private readonly clock: Clock,
    @Inject(ThrottlerStorage) private readonly throttle: ThrottlerStorage,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    private readonly metrics: Metrics,
    register: PublicService,
    devices: DevicesService,
  ) {
    this.trust = proxyTrust(config.trustProxy);
    this.routes = [
      { match: (p) => p === '/public/v1/exports' || p.startsWith('/public/v1/exports/'), areas: ['exports'], cacheControl: PUBLIC_AGGREGATES_CACHE, store: true },
      { match: (p) => p === '/exports', areas: ['exports'], cacheControl: PUBLIC_CACHE, store: true },
      { match: (p) => p.startsWith('/public/v1/devices/'), areas: ['exports'], cacheControl: PUBLIC_CACHE, store: false, direct: directDevice(devices) },
      { match: (p) => p.startsWith('/public/v1/licenses/'), areas: ['register'], cacheControl: PUBLIC_CACHE, store: true, direct: directVerify(register) },
      // Not the transparency log (/public/v1/log/): its checkpoint moves on without any data area's version.
      { match: (p) => (p.startsWith('/public/v1/') && !p.startsWith('/public/v1/log/')) || p === '/' || p === '/verify' || p.startsWith('/manufacturers/'), areas: ['register'], cacheControl: PUBLIC_CACHE, store: true },
    ];
    this.entries = new LRUCache<string, Entry>({
      maxSize: Math.max(1, config.publicCacheMb * 1024 * 1024),
      // The body (UTF-16 in memory for a string), the key, the entry and its ETag.
      sizeCalculation: (e, key) => (typeof e.body === 'string' ? 2 * e.body.length : e.body.length) + 2 * key.length + 200,
    });
  }

  /**
   * Puts the fast path in front of Fastify's request listener, and stops it when Fastify closes. The 200s of
   * the requests it passes on are kept by the hook of installOnSend.
   */
  installInFront(fastify: FastifyInstance): void {
    const server = fastify.server;
    const fastifyListeners = server.listeners('request') as Listener[];
    const next: Listener = (req, res) => {
      for (const listener of fastifyListeners) listener.call(server, req, res);
    };
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (req.method !== 'GET' || this.closing) return next(req, res);
      this.answer(req as Marked, res).then(
        (answered) => answered || next(req, res),
        () => next(req, res), // e.g. the database is busy: Nest answers it, in the client's format
      );
    });
    fastify.addHook('preClose', (done) => {
      this.closing = true;
      done();
    });
    if (['info', 'debug', 'trace'].includes(fastify.log.level)) this.log = fastify.log;
  }

  /**
   * The hook that keeps the 200s of requests passed on, with the rate-limit headers counted here. Add it after
   * helmet is registered (those 200s then carry its headers, which answers made here replay) and before
   * conditionalGet's hook (which then keeps the ETag set here).
   */
  installOnSend(fastify: FastifyInstance): void {
    fastify.addHook('onSend', async (request, reply, payload) => {
      this.onSend(request.raw as Marked, reply, payload);
      return payload;
    });
  }

  /** Answers `req` here when it can (true), or marks what it learnt for Fastify's turn (false). */
  private async answer(req: Marked, res: ServerResponse): Promise<boolean> {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const route = this.routes.find((r) => r.match(path));
    if (!route) return false;
    const started = performance.now();
    // Past the limit: left to the guard, which answers 429 in the route's own format.
    const rateLimit = await countPublicRequest(this.throttle, req, this.config.publicRateLimit, this.trust);
    if (!rateLimit) return false;
    const etag = this.etagOf(route, await this.versions.current());
    const cached = this.entries.get(url);
    const fresh = cached && cached.etag === etag ? cached : undefined;
    // A tag of ours names a 200 of this URL at these versions; `*` matches only a representation we know exists.
    const inm = req.headers['if-none-match'];
    if (inm && (inm.trim() === '*' ? fresh : ifNoneMatchMatches(inm, etag))) {
      const cacheControl = fresh ? headerOf(fresh.headers, 'cache-control') : undefined;
      this.send(req, res, started, 304, ['Cache-Control', cacheControl ?? route.cacheControl], rateLimit, etag);
      return true;
    }
    if (fresh) {
      this.send(req, res, started, 200, fresh.headers, rateLimit, etag, fresh.body);
      return true;
    }
    req[PENDING] = { etag, key: url, store: route.store, route, rateLimit };
    const lookup = route.template && route.direct?.(path, q < 0 ? NO_QUERY : new URLSearchParams(url.slice(q + 1)));
    if (!lookup) return false;
    let body: string;
    try {
      body = JSON.stringify(await lookup());
    } catch (e) {
      if (e instanceof ProblemException) return false; // Nest answers it again, in the client's format (problem+json or a page)
      throw e;
    }
    req[PENDING] = undefined;
    // A plain check is kept; one on a day (`?on=`) is one of millions of one-off keys, cheaper to look up again.
    if (route.store && q < 0) this.keep(url, etag, route.template!, body);
    this.send(req, res, started, 200, route.template!, rateLimit, etag, body);
    return true;
  }

  /**
   * The ETag of a route's answers at `versions` on the regulator's day: a hash of the tokens of the route's areas
   * and the day, made once per version set (the requests of a turn of the event loop share one) and day. Not of
   * the URL: an entity tag only tells apart the representations of one resource (RFC 9110 8.8.3), and every
   * cache, the response cache here included, keeps it with its URL.
   */
  private etagOf(route: CachedRoute, versions: DataVersionSet): string {
    const today = this.clock.today();
    if (this.tags.versions !== versions || this.tags.day !== today) this.tags = { versions, day: today, byRoute: new Map() };
    let etag = this.tags.byRoute.get(route);
    if (etag === undefined) {
      etag = `"${hash('sha1', `${route.areas.map((a) => versions[a]).join(' ')}\n${today}`, 'base64url')}"`;
      this.tags.byRoute.set(route, etag);
    }
    return etag;
  }

  /** Writes an answer made here (`started`: when it came, for the log line): the route's headers, then this response's own ones (rate limit, id, ETag). */
  private send(req: IncomingMessage, res: ServerResponse, started: number, status: number, headers: HeaderList, rateLimit: string[], etag: string, body?: string | Buffer): void {
    const id = requestIdOf(req.headers);
    const all = [...headers, ...rateLimit, 'ETag', etag, 'X-Request-Id', id];
    if (body !== undefined) all.push('Content-Length', String(typeof body === 'string' ? Buffer.byteLength(body) : body.length));
    res.writeHead(status, all);
    res.end(body);
    this.durationOf(routeLabel(req.url ?? ''), status).observe((performance.now() - started) / 1000);
    this.log?.info({ reqId: id, req: { method: req.method, url: req.url, remoteAddress: req.socket?.remoteAddress }, res: { statusCode: status }, route: routeLabel(req.url ?? ''), responseTime: performance.now() - started }, 'request completed');
  }

  /** The duration histogram of a route and status answered here (its labelled child, kept: no label hashing per request). */
  private durationOf(route: string, status: number): { observe(seconds: number): void } {
    const key = `${status} ${route}`;
    let child = this.durations.get(key);
    if (!child) {
      child = this.metrics.requestDuration.labels({ http_request_method: 'GET', http_route: route, http_response_status_code: status });
      this.durations.set(key, child);
    }
    return child;
  }

  private onSend(req: Marked, reply: FastifyReply, payload: unknown): void {
    const pending = req[PENDING];
    if (!pending) return;
    req[PENDING] = undefined;
    for (let i = 0; i < pending.rateLimit.length; i += 2) void reply.header(pending.rateLimit[i], pending.rateLimit[i + 1]);
    if (reply.statusCode !== 200 || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) return;
    void reply.header('ETag', pending.etag);
    const headers = this.headersOf(reply);
    if (pending.route.direct) pending.route.template = headers;
    if (pending.store) this.keep(pending.key, pending.etag, headers, payload);
  }

  private keep(key: string, etag: string, headers: HeaderList, body: string | Buffer): void {
    if (this.config.publicCacheMb > 0) this.entries.set(key, { etag, headers, body });
  }

  /** The reply's headers but its own ones (length, date, request id, rate-limit counts, ETag), as a shared list. */
  private headersOf(reply: FastifyReply): HeaderList {
    const headers: string[] = [];
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value === undefined || OWN_HEADERS.has(name) || name.startsWith('x-ratelimit')) continue;
      for (const one of Array.isArray(value) ? value : [value]) headers.push(name, String(one));
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

/**
 * The route template of a request answered here, for the metrics: the two lookups by their templates, anything
 * else by its path with ids and numbers generalised (a bounded set of labels, never one per URL).
 */
function routeLabel(url: string): string {
  const path = url.split('?')[0];
  if (path.startsWith('/public/v1/licenses/')) return '/public/v1/licenses/:licenseNumber';
  if (path.startsWith('/public/v1/devices/')) return '/public/v1/devices/:imei';
  if (path.startsWith('/manufacturers/')) return '/manufacturers/:id';
  if (path.startsWith('/public/v1/manufacturers/')) return '/public/v1/manufacturers/:id';
  return /^\/(public\/v1\/[a-z.-]+(\/[a-z.-]+)?|exports|verify)?$/.test(path) ? path : 'unmatched';
}

/** The value of header `name` (lower case) in a list, if there. */
function headerOf(headers: HeaderList, name: string): string | undefined {
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === name) return headers[i + 1];
  return undefined;
}
