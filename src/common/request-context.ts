import { AsyncLocalStorage } from 'node:async_hooks';
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, Observable } from 'rxjs';
import type { StaffRole } from './roles.js';

/** Who is acting and in which request: read by the audit trail and idempotency store. */
export interface RequestContext {
  requestId: string | null;
  actorId: string | null;
  role: StaffRole | null;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The context of the current request; outside a request (CLI, seed at start): the system. */
export function currentContext(): RequestContext {
  return storage.getStore() ?? { requestId: null, actorId: null, role: null };
}

/** Runs `work` as `context` (the CLI and the seed use it to name themselves). */
export function runAs<T>(context: RequestContext, work: () => T): T {
  return storage.run(context, work);
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
    return new Observable((subscriber) =>
      storage.run(ctx, () =>
        next
          .handle()
          .pipe(
            map((body: unknown) => {
              if (body && typeof body === 'object' && 'id' in body && 'version' in body) void reply.header('ETag', `"${(body as { version: number }).version}"`);
              return body;
            }),
          )
          .subscribe(subscriber),
      ),
    );
  }
}
