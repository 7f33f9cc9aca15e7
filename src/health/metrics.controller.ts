import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators.js';
import { Metrics } from '../common/metrics.js';
import { ProblemException } from '../common/problem.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/config.js';

/**
 * GET /metrics: the process's metrics in Prometheus text format (common/metrics.ts), for a Prometheus server that
 * sends METRICS_TOKEN as its bearer token. Without METRICS_TOKEN configured the route answers 404, as if absent.
 */
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {}

  @Get()
  @ApiExcludeEndpoint()
  async read(@Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const token = this.config.metricsToken;
    if (!token) throw new ProblemException(404, 'NOT_FOUND', 'No route GET /metrics');
    const given = Buffer.from(authorization?.replace(/^Bearer\s+/i, '') ?? '');
    const expected = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      void reply.header('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new ProblemException(401, 'AUTHENTICATION_REQUIRED', 'GET /metrics needs METRICS_TOKEN as its bearer token');
    }
    void reply.header('Content-Type', this.metrics.registry.contentType).header('Cache-Control', 'no-store');
    return this.metrics.registry.metrics();
  }
}
