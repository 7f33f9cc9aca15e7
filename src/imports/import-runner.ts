import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Worker } from 'node:worker_threads';
import { type FieldError, ProblemException } from '../common/problem.js';
import { currentContext, type RequestContext } from '../common/request-context.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/config.js';
import { Transactions } from '../database/transactions.js';
import type { ImportReport } from './imports.service.js';
import type { ReceivedFiles } from './uploads.js';

/** One import for the worker: the files received, the mode and who sent it. */
export interface ImportJob {
  mode: 'validate' | 'commit';
  files: { shipments: { name: string | null; path: string; sha256: string }; imeis?: { name: string | null; path: string; sha256: string } };
  idempotencyKey?: string;
  context: RequestContext;
}

/** Messages to the worker: run an import (answered with the same id), or close. */
export type ToWorker = { type: 'import'; id: number; job: ImportJob } | { type: 'close' };

/** What the worker posts back: the report, a problem to answer with, or an unexpected error (logged, 500). */
export type ImportOutcomeMessage =
  | { report: ImportReport & { replayed?: boolean } }
  | { problem: { status: number; code: string; detail: string; errors?: FieldError[]; extensions: Record<string, unknown> } }
  | { error: string };

/** The nice value of the import thread (0 normal, 19 lowest): below the threads that answer requests. */
export const IMPORT_NICE = 10;

/** A worker closes after this long without imports (it keeps its own connections and heap). */
const IDLE_MS = 60_000;

interface Running {
  worker: Worker;
  pending: Map<number, { resolve: (m: ImportOutcomeMessage) => void; reject: (e: Error) => void }>;
  idle?: NodeJS.Timeout;
}

/**
 * Runs uploaded imports in a worker thread (import-worker.ts) with its own database connections, so that an
 * import's CPU work never holds up the requests this thread answers: the public side keeps its latency while a
 * large file is imported. The worker starts with the first import and closes after IDLE_MS without one. On
 * SQLite an import holds this process's turn to write for as long as it runs (Transactions.exclusive): other
 * writes wait in line, never on the file lock, and answer 503 BUSY after WRITE_WAIT_MS. Same answers as
 * ImportsService.importShipments, which the worker calls.
 */
@Injectable()
export class ImportRunner implements OnApplicationShutdown {
  private running?: Running;
  private nextId = 1;

  constructor(
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    private readonly tx: Transactions,
  ) {}

  importShipments(mode: 'validate' | 'commit', files: ReceivedFiles, options: { idempotencyKey?: string } = {}): Promise<ImportReport & { replayed?: boolean }> {
    const job: ImportJob = {
      mode,
      files: {
        shipments: { name: files.shipments.name, path: files.shipments.path, sha256: files.shipments.sha256 },
        imeis: files.imeis && { name: files.imeis.name, path: files.imeis.path, sha256: files.imeis.sha256 },
      },
      idempotencyKey: options.idempotencyKey,
      context: { ...currentContext() },
    };
    return this.tx.exclusive(async () => {
      const message = await this.send(job);
      if ('report' in message) return message.report;
      if ('problem' in message) {
        const p = message.problem;
        throw new ProblemException(p.status, p.code, p.detail, p.errors, p.extensions);
      }
      throw new Error(`the import worker failed: ${message.error}`);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    clearTimeout(running.idle);
    const exited = new Promise((resolve) => running.worker.once('exit', resolve));
    running.worker.postMessage({ type: 'close' } satisfies ToWorker);
    const timer = setTimeout(() => void running.worker.terminate(), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private send(job: ImportJob): Promise<ImportOutcomeMessage> {
    const running = this.worker();
    clearTimeout(running.idle);
    const id = this.nextId++;
    return new Promise<ImportOutcomeMessage>((resolve, reject) => {
      running.pending.set(id, { resolve, reject });
      running.worker.postMessage({ type: 'import', id, job } satisfies ToWorker);
    }).finally(() => {
      running.pending.delete(id);
      if (!running.pending.size && this.running === running) {
        running.idle = setTimeout(() => {
          if (this.running !== running || running.pending.size) return;
          this.running = undefined;
          running.worker.postMessage({ type: 'close' } satisfies ToWorker);
        }, IDLE_MS);
        running.idle.unref();
      }
    });
  }

  private worker(): Running {
    if (this.running) return this.running;
    const worker = new Worker(workerFile(), { workerData: this.config });
    const running: Running = { worker, pending: new Map() };
    worker.on('message', (message: { id: number } & ImportOutcomeMessage) => running.pending.get(message.id)?.resolve(message));
    const fail = (e: Error) => {
      if (this.running === running) this.running = undefined;
      for (const p of running.pending.values()) p.reject(e);
      running.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the import worker stopped (exit code ${code})`)));
    worker.unref();
    this.running = running;
    return running;
  }
}
/**
 * The worker's module file. Built, it sits beside this one; under the test runner this module is TypeScript
 * source and the worker runs the built code (`npm test` builds first).
 */
function workerFile(): URL {
  const here = new URL('./import-worker.js', import.meta.url);
  return import.meta.url.endsWith('.ts') ? new URL(here.href.replace('/src/imports/', '/dist/src/imports/')) : here;
}
