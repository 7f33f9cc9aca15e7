import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cors, { type FastifyCorsOptions } from '@fastify/cors';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import { conditionalGet } from './common/conditional.js';
import { cspFor } from './common/csp.js';
import { Metrics } from './common/metrics.js';
import { isStream } from './common/input-guard.js';
import { parseJsonBody } from './common/json-body.js';
import { canonicalInput } from './common/text.js';
import { ProblemDto } from './common/openapi.js';
import { registerPublicAssets } from './public/assets.js';
import { PROPOSALS_TAG_DESCRIPTION } from './proposals/dto/proposal.dto.js';
import { PublicResponseCache } from './public/public-cache.js';
import { Problem } from './common/problem.js';
import { ProblemFilter, sendProblem } from './common/problem.filter.js';
import { problemType, titleFor } from './common/problem.js';
import { RequestContextInterceptor } from './common/request-context.js';
import { requestIdOf } from './common/request-id.js';
import { proxyTrust } from './common/throttling.js';
import { createValidationPipe } from './common/validation/validation.js';
import type { RegistryConfig } from './config/config.js';

/** The Fastify adapter with structured (pino) request logs and a request id taken from X-Request-Id when sane. */
export function createAdapter(config: Pick<RegistryConfig, 'logLevel' | 'trustProxy'>): FastifyAdapter {
  return new FastifyAdapter({
    // request.ip: the client behind a trusted proxy (TRUST_PROXY), by the same rule as the public fast path.
    trustProxy: proxyTrust(config.trustProxy),
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel, redact: ['req.headers.authorization'] },
    // A client's X-Request-Id is kept when it is a sane token; anything else gets a fresh UUID.
    requestIdHeader: false,
    genReqId: (req: { headers: IncomingHttpHeaders }) => requestIdOf(req.headers),
    // One line per request, with its route template (the onResponse hook in configureApp), not Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1_048_576,
    // Any path parameter reaches the validators (a 400 naming it); Node bounds the request line itself.
    routerOptions: { maxParamLength: 65_536 },
    // Malformed URLs (bad percent-encoding) and broken requests get problem+json like everything else.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => sendProblem(reply, new ProblemFilter().toProblem(error, request.url)),
    clientErrorHandler: (error: Error, socket: Socket) => {
      const status = (error as { code?: string }).code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      const body = JSON.stringify({ type: problemType('BAD_REQUEST'), title: titleFor(status), status, detail: 'The request could not be read', code: 'BAD_REQUEST' });
      if (socket.writable) {
        socket.end(`HTTP/1.1 ${status} ${titleFor(status)}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      }
    },
  });
}

/**
 * Options for NestFactory.create / createNestApplication, shared by main.ts and the tests. `bodyParser: false`
 * keeps Nest from adding a form-body parser: Fastify's own JSON parser is the only one.
 */
export const NEST_APP_OPTIONS = { bodyParser: false } as const;

/** Global setup shared by main.ts and the tests, so both run the same pipes, filters and docs. */
export async function configureApp(app: NestFastifyApplication): Promise<void> {
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalInterceptors(new RequestContextInterceptor());
  // Also sees Fastify's own errors (bad JSON, wrong content type, body too large): Nest routes them here.
  app.useGlobalFilters(new ProblemFilter());
  const fastify = app.getHttpAdapter().getInstance();
  // The API takes JSON: a text/plain body is refused with 415 rather than handed to a DTO as a string.
  fastify.removeContentTypeParser('text/plain');
  // JSON bodies keep each number's text (common/json-body.ts): `1e3` or `10.0` is not an integer.
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const fault = (message: string, code: string) => Object.assign(new Error(message), { statusCode: 400, code });
    if (body.length === 0) return done(fault('The body is empty; send a JSON value', 'FST_ERR_CTP_EMPTY_JSON_BODY'), undefined);
    try {
      done(null, parseJsonBody(body as string));
    } catch (e) {
      done(fault(`The body is not valid JSON: ${(e as Error).message}`, 'FST_ERR_CTP_INVALID_JSON_BODY'), undefined);
    }
  });
  // Metrics of every request Fastify answers (the public fast path observes its own: public-cache.ts).
  const metrics = app.get(Metrics);
  const STARTED = Symbol('started');
  fastify.addHook('onRequest', async (request) => {
    metrics.activeRequests.inc();
    (request as unknown as Record<symbol, number>)[STARTED] = performance.now();
  });
  fastify.addHook('onResponse', async (request, reply) => {
    request.log.info({ req: request, res: reply, route: request.routeOptions.url ?? 'unmatched', responseTime: reply.elapsedTime }, 'request completed');
    metrics.activeRequests.dec();
    const started = (request as unknown as Record<symbol, number | undefined>)[STARTED] ?? performance.now();
    const status = reply.statusCode;
    metrics.requestDuration.observe({ http_request_method: request.method, http_route: request.routeOptions.url ?? 'unmatched', http_response_status_code: status }, (performance.now() - started) / 1000);
    if (status === 429) metrics.refusals.inc({ limit: request.url.startsWith('/api/v1/auth/login') ? 'login' : 'public' });
  });
  // First of all, in front of Fastify itself: public reads answered from the data versions before any other work
  // (304s, cached answers, the license and device checks); what it sends carries the headers of full answers of
  // the same route.
  app.get(PublicResponseCache).installInFront(fastify);
  // CSV imports: a text/csv body is handed on as the stream it is (the import parses it as it arrives), and
  // multipart uploads go through @fastify/multipart.
  fastify.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload));
  await app.register(multipart, { limits: { fileSize: 512 * 1024 * 1024, files: 2, fields: 5 } });
  // Before any validator walks it: too-deep nesting (a stack overflow in a recursive validator), control
  // characters (NUL cannot be stored by PostgreSQL) and lone surrogates are refused here, naming the field; every
  // string is put in Unicode NFC (common/text.ts), the one form the registry stores and hashes.
  fastify.addHook('preValidation', async (request) => {
    const body = isStream(request.body) ? undefined : request.body; // CSV uploads are checked as they are read
    const problem = canonicalInput(body) ?? canonicalInput(request.query);
    if (problem) throw Problem.validation([problem]);
  });
  // Security headers (helmet); the Content-Security-Policy is the registry's own, set below for every response
  // (common/csp.ts). Open data may be fetched from any site.
  await app.register(helmet, { contentSecurityPolicy: false, crossOriginResourcePolicy: { policy: 'cross-origin' } });
  // The one Content-Security-Policy (common/csp.ts): no script anywhere but Swagger UI's own at /docs. Set as the
  // request comes, like helmet's headers, so the public fast path keeps it with them.
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('Content-Security-Policy', cspFor(request.url));
  });
  // Open data for other sites: the public API and files answer any origin (GET and HEAD, preflight included);
  // the staff API (/api/v1) and the pages send no CORS header at all.
  await app.register(cors, {
    delegator: (request: FastifyRequest, done: (error: Error | null, options?: FastifyCorsOptions) => void) =>
      done(null, request.url.startsWith('/public/') ? { origin: '*', methods: ['GET', 'HEAD'], maxAge: 86_400 } : { origin: false }),
  });
  // The pages' stylesheet and fonts (@fastify/static, outside Nest), with helmet's headers.
  await registerPublicAssets(fastify);
  // Keeps public 200s under their ETag (before the conditional GET below, which then keeps that ETag).
  app.get(PublicResponseCache).installOnSend(fastify);
  fastify.addHook('onSend', async (request, reply, payload) => {
    reply.header('X-Request-Id', request.id);
    // Staff data is never kept by shared caches; public routes say how long they may be cached.
    if (!reply.hasHeader('Cache-Control')) reply.header('Cache-Control', request.url.startsWith('/api/') ? 'no-store' : 'no-cache');
    return conditionalGet(request, reply, payload);
  });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('License Registry API')
      .setDescription(
        "System of record for a telecom regulator's mobile-device manufacturing (MDM) licenses and export shipments. " +
          'Errors are RFC 9457 problem+json with a stable `code` and, for validation, `errors: [{field, message}]`. ' +
          'Calendar dates are YYYY-MM-DD; money is USD as a decimal string.',
      )
      .setVersion('1')
      .setLicense('UNLICENSED', 'https://example.invalid/license')
      .addServer('/', 'this server')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'From POST /api/v1/auth/login' })
      .addTag('proposals', PROPOSALS_TAG_DESCRIPTION)
      .build(),
    { extraModels: [ProblemDto] },
  );
  // Operations that need no token (marked @Public, e.g. login and health) say so explicitly.
  for (const item of Object.values(document.paths)) {
    for (const op of Object.values(item) as { security?: unknown[]; responses?: unknown }[]) {
      if (op && typeof op === 'object' && 'responses' in op && op.security === undefined) op.security = [];
    }
  }
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}
