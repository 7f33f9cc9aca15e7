import { createHash } from 'node:crypto';
import { applyDecorators, type CallHandler, type ExecutionContext, Injectable, type NestInterceptor, SetMetadata, UseInterceptors } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { createRequire } from 'node:module';
import type { FastifyReply } from 'fastify';
import { from, Observable, of, switchMap, tap, catchError, throwError } from 'rxjs';
import type { IdempotencyKey } from './idempotency-key.entity.js';
import { IdempotencyStore } from './idempotency-store.js';
import { isStream } from '../common/input-guard.js';
import { ProblemException } from '../common/problem.js';
import type { AuthenticatedRequest } from '../common/request-context.js';
import { violatedUniqueIndex } from '../common/problem.filter.js';

const canonicalize = createRequire(import.meta.url)('canonicalize') as (input: unknown) => string | undefined;

export { IDEMPOTENCY_TTL_MS } from './idempotency-store.js';
/** A first request still running after this long is taken to have died; its key may be used again. */
const STALE_PENDING_MS = 60_000;
const KEY_RE = /^[\x21-\x7e]{1,200}$/;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `Idempotency-Key` on a POST that creates: a retry with the same key and body gets the first response
 * (header `Idempotent-Replayed: true`) without writing again; the same key with another body is a 422.
 * A retry that arrives while the first is still running waits for it. Keys are per staff account.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly store: IdempotencyStore,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const header = request.headers['idempotency-key'];
    if (header === undefined) return next.handle();
    const key = Array.isArray(header) ? header[0] : header;
    checkKey(key);
    // A streamed upload (CSV import) cannot be hashed before it is processed: the import keys it by its files'
    // SHA-256 itself (ImportsService), inside its own transaction.
    if (isStream(request.body) || request.isMultipart()) return next.handle();
    const actorId = request.staff?.id ?? 'anonymous';
    const path = request.url.split('?')[0];
    const body = canonicalize(request.body ?? null) ?? '';
    const requestHash = createHash('sha256').update(`${request.method} ${request.url}\n${body}`).digest('hex');

    return from(this.claim(actorId, key, request.method, path, requestHash)).pipe(
      switchMap((stored) => {
        if (stored) {
          void reply.status(stored.responseStatus!).header('Idempotent-Replayed', 'true');
          return of(stored.responseBody === null ? undefined : JSON.parse(stored.responseBody));
        }
        return next.handle().pipe(
          // The status sent: the route's (@HttpCode, or 201 for a POST), set by Nest before the handler runs, or the
          // one the handler chose (202 for a proposal under four eyes).
          tap((body) => void this.store.complete(actorId, key, reply.statusCode, body === undefined ? null : JSON.stringify(body))),
          catchError((error) => from(this.store.release(actorId, key)).pipe(switchMap(() => throwError(() => error)))),
        );
      }),
    );
  }

  /** Inserts the key as pending; undefined when this request is the first. A completed earlier one is returned. */
  private async claim(actorId: string, key: string, method: string, path: string, requestHash: string): Promise<IdempotencyKey | undefined> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await this.store.insert({ actorId, key, method, path, requestHash, responseStatus: null, responseBody: null, createdAt: new Date() });
        return undefined;
      } catch (e) {
        if (violatedUniqueIndex(e) === undefined) throw e;
      }
      const existing = await this.store.find(actorId, key);
      if (!existing) continue; // released meanwhile: try again
      if (existing.requestHash !== requestHash) {
        throw new ProblemException(422, 'IDEMPOTENCY_KEY_REUSED', `Idempotency-Key ${key} was already used for a different request (${existing.method} ${existing.path} with another body); use a new key`);
      }
      if (existing.responseStatus !== null) return existing;
      if (Date.now() - existing.createdAt.getTime() > STALE_PENDING_MS) {
        await this.store.release(actorId, key);
        continue;
      }
      if (Date.now() > deadline) {
        throw new ProblemException(409, 'IDEMPOTENT_REQUEST_IN_PROGRESS', `A request with Idempotency-Key ${key} is still running; retry later`);
      }
      await sleep(25);
    }
  }
}

const KEY_PROBLEM = () =>
  new ProblemException(400, 'IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key must be 1-200 visible ASCII characters (a UUID is a good choice)', [
    { field: 'Idempotency-Key', message: 'must be 1-200 visible ASCII characters' },
  ]);

/** 400 unless an Idempotency-Key is 1-200 visible ASCII characters. */
export function checkKey(key: string): void {
  if (!KEY_RE.test(key)) throw KEY_PROBLEM();
}

/** Marks a creating POST as accepting Idempotency-Key. */
export function Idempotent(): MethodDecorator {
  return applyDecorators(
    SetMetadata('registry:idempotent', true),
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Makes a retry safe: the same key and body return the first response without writing again (kept 48 hours, per staff account)' }),
  );
}
