import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds: from half a millisecond (a cached public answer) to ten seconds (a large import). */
const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The process's Prometheus metrics (prom-client), served at GET /metrics (health/metrics.controller.ts). HTTP
 * metrics follow OpenTelemetry's semantic conventions in Prometheus form: `http.server.request.duration` is
 * `http_server_request_duration_seconds` with the labels `http_request_method`, `http_route` (the route
 * template, never the raw path) and `http_response_status_code`. Each app has its own registry (tests run several).
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly requestDuration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP server requests, by method, route template and status',
    labelNames: ['http_request_method', 'http_route', 'http_response_status_code'],
    buckets: SECONDS,
    registers: [this.registry],
  });

  readonly activeRequests = new Gauge({ name: 'http_server_active_requests', help: 'HTTP server requests in flight', registers: [this.registry] });

  readonly writeWait = new Histogram({
    name: 'registry_write_wait_seconds',
    help: 'Time a write waited before its transaction began: its turn on SQLite, a writer connection on PostgreSQL',
    buckets: SECONDS,
    registers: [this.registry],
  });

  readonly imports = new Counter({ name: 'registry_imports_total', help: 'CSV imports, by outcome (COMMITTED, VALIDATED, REJECTED, FAILED)', labelNames: ['outcome'], registers: [this.registry] });

  readonly importRows = new Counter({
    name: 'registry_import_rows_total',
    help: 'Shipment rows read by CSV imports, by what became of them (created, skipped, failed)',
    labelNames: ['result'],
    registers: [this.registry],
  });

  readonly auditEvents = new Counter({ name: 'registry_audit_events_appended_total', help: 'Events appended to the audit trail (committed or not)', registers: [this.registry] });

  readonly refusals = new Counter({ name: 'registry_rate_limit_refusals_total', help: 'Requests refused by a rate limit (public, login)', labelNames: ['limit'], registers: [this.registry] });

  readonly redisErrors = new Counter({ name: 'registry_redis_errors_total', help: 'Errors reaching Redis (REDIS_URL); meanwhile rate limits count per instance', registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Adds a gauge whose value is read when the metrics are (e.g. a connection pool's use). */
  gauge(name: string, help: string, labelNames: string[], collect: (set: (labels: Record<string, string>, value: number) => void) => void): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        collect((labels, value) => this.set(labels, value));
      },
    });
  }
}
