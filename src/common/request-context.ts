import { AsyncLocalStorage } from 'node:async_hooks';
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, Observable, type Subscription } from 'rxjs';
import type { StaffRole } from './roles.js';

/** Who is acting and in which request: read by the audit trail and idempotency store. */
export interface RequestContext {
  requestId: string | null;
  actorId: string | null;
  role: StaffRole | null;
}

const storage = new AsyncLocalStorage<RequestContext>();

/**
 * How many scopes (staff requests, runAs) are running. At none the storage is switched off: while any
 * AsyncLocalStorage is on, Node (20) runs a hook for every promise and every other asynchronous resource the
 * process makes, a few microseconds a request, on the public side too, which never needs a context. Work a scope
 * starts and leaves running after it ends (none does today) would see the system's context.
 */
let scopes = 0;

function endScope(): void {
  if (--scopes === 0) storage.disable();
}

/** The context of the current request; outside a request (CLI, seed at start): the system. */
export function currentContext(): RequestContext {
  return storage.getStore() ?? { requestId: null, actorId: null, role: null };
}

/** Runs `work` as `context` (the CLI and the seed use it to name themselves); for a promise, until it settles. */
export function runAs<T>(context: RequestContext, work: () => T): T {
  scopes++;
  let result: T;
  try {
    result = storage.run(context, work);
  } catch (e) {
    endScope();
    throw e;
  }
  if (result instanceof Promise) return result.finally(endScope) as T;
  endScope();
  return result;
}

export interface AuthenticatedRequest extends FastifyRequest {
  staff?: { id: string; role: StaffRole; email: string };
}

/**
 * Runs each handler inside its request's context, and sends `ETag: "<version>"` with every single resource
 * (any response object with an `id` and a `version`): the value to send back in `If-Match`.
 */
@Injectable()
export class RequestContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const reply = http.getResponse<FastifyReply>();
    const ctx: RequestContext = { requestId: String(request.id), actorId: request.staff?.id ?? null, role: request.staff?.role ?? null };
    return new Observable((subscriber) => {
      scopes++;
      let subscription: Subscription;
      try {
        subscription = storage.run(ctx, () =>
          next
            .handle()
            .pipe(
              map((body: unknown) => {
                if (body && typeof body === 'object' && 'id' in body && 'version' in body) void reply.header('ETag', `"${(body as { version: number }).version}"`);
                return body;
              }),
            )
            .subscribe(subscriber),
        );
      } catch (e) {
        endScope();
        throw e;
      }
      // Once: on completion, on error or when unsubscribed.
      return () => {
        subscription.unsubscribe();
        endScope();
      };
    });
  }
}
