import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { type ChildProcess, fork, spawn, spawnSync, type StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Metrics } from '../common/metrics.js';
import { builtModule } from '../common/process.js';
import { type FieldError, ProblemException } from '../common/problem.js';
import { currentContext, type RequestContext } from '../common/request-context.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/config.js';
import { Transactions } from '../database/transactions.js';
import { ImportRuns } from './import-runs.js';
import type { ImportReport } from './import-report.js';
import type { SpooledFile } from './upload-spool.js';
import type { ReceivedFiles } from './uploads.js';

/** One file received for an import: its name, where it waits, its SHA-256 and the encoding named for it. */
export interface JobFile {
  name: string | null;
  path: string;
  sha256: string;
  charset?: string;
}

/** One import for the worker: the files received, the mode and who sent it. */
export interface ImportJob {
  mode: 'validate' | 'commit';
  files: { shipments: JobFile; imeis?: JobFile };
  idempotencyKey?: string;
  context: RequestContext;
}

/** Messages to the worker: run an import (answered with the same id), or close. */
export type ToWorker = { type: 'config'; config: RegistryConfig } | { type: 'import'; id: number; job: ImportJob } | { type: 'close' };

/** What the worker posts back: the report, a problem to answer with, or an unexpected error (logged, 500). */
export type ImportOutcomeMessage =
  | { report: ImportReport & { replayed?: boolean } }
  | { problem: { status: number; code: string; detail: string; errors?: FieldError[]; extensions: Record<string, unknown> } }
  | { error: string };

/** The nice value of the import process (0 normal, 19 lowest): below the registry that answers requests. */
export const IMPORT_NICE = 10;

/** A worker closes after this long without imports (it keeps its own connections and heap). */
const IDLE_MS = 60_000;

interface Running {
  worker: ChildProcess;
  /** Resolves once the worker listens (it says `ready`) and has its configuration. */
  ready: Promise<void>;
  pending: Map<number, { resolve: (m: ImportOutcomeMessage) => void; reject: (e: Error) => void }>;
  idle?: NodeJS.Timeout;
}

/**
 * Runs uploaded imports in a worker process (import-worker.ts, forked) with its own database connections and a
 * lower priority, so that an import's CPU work never holds up the requests this process answers: the public side
 * keeps its latency while a large file is imported. A process rather than a thread: a crash or a kill of the
 * worker cannot take the registry with it, and its imports are then listed INTERRUPTED at once (their runs name
 * the worker's pid). The worker starts with the first import and
 * closes after IDLE_MS without one. On
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
    private readonly runs: ImportRuns,
    private readonly metrics: Metrics,
  ) {}

  importShipments(mode: 'validate' | 'commit', files: ReceivedFiles, options: { idempotencyKey?: string } = {}): Promise<ImportReport & { replayed?: boolean }> {
    const job: ImportJob = {
      mode,
      files: { shipments: jobFile(files.shipments), imeis: files.imeis && jobFile(files.imeis) },
      idempotencyKey: options.idempotencyKey,
      context: { ...currentContext() },
    };
    return this.tx.exclusive(async () => {
      const message = await this.send(job);
      if ('report' in message) {
        this.count(message.report);
        return message.report;
      }
      if ('problem' in message) {
        const p = message.problem;
        this.metrics.imports.inc({ outcome: 'REJECTED' });
        throw new ProblemException(p.status, p.code, p.detail, p.errors, p.extensions);
      }
      this.metrics.imports.inc({ outcome: 'FAILED' });
      throw new Error(`the import worker failed: ${message.error}`);
    });
  }

  /** An import's outcome and rows in the metrics (the worker's own metrics end with it). */
  private count(report: ImportReport & { replayed?: boolean }): void {
    if (report.replayed) return;
    this.metrics.imports.inc({ outcome: report.outcome });
    this.metrics.importRows.inc({ result: 'created' }, report.rowsCreated);
    this.metrics.importRows.inc({ result: 'skipped' }, report.rowsSkipped);
    this.metrics.importRows.inc({ result: 'failed' }, report.rowsFailed);
  }

  async onApplicationShutdown(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    clearTimeout(running.idle);
    if (running.worker.exitCode !== null || running.worker.signalCode !== null) return;
    const exited = new Promise((resolve) => running.worker.once('exit', resolve));
    if (running.worker.connected) running.worker.send({ type: 'close' } satisfies ToWorker);
    else running.worker.kill('SIGTERM');
    const timer = setTimeout(() => running.worker.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private send(job: ImportJob): Promise<ImportOutcomeMessage> {
    const running = this.worker();
    clearTimeout(running.idle);
    const id = this.nextId++;
    return new Promise<ImportOutcomeMessage>((resolve, reject) => {
      running.pending.set(id, { resolve, reject });
      running.ready.then(() => running.worker.send({ type: 'import', id, job } satisfies ToWorker), reject);
    }).finally(() => {
      running.pending.delete(id);
      if (!running.pending.size && this.running === running) {
        running.idle = setTimeout(() => {
          if (this.running !== running || running.pending.size) return;
          this.running = undefined;
          running.worker.send({ type: 'close' } satisfies ToWorker);
        }, IDLE_MS);
        running.idle.unref();
      }
    });
  }

  private worker(): Running {
    if (this.running) return this.running;
    const worker = startWorker();
    let started: () => void = () => undefined;
    const running: Running = { worker, pending: new Map(), ready: new Promise<void>((resolve) => (started = resolve)) };
    worker.on('message', (message: ({ id: number } & ImportOutcomeMessage) | { type: 'ready' }) => {
      if ('type' in message) {
        worker.send({ type: 'config', config: this.config } satisfies ToWorker);
        return started();
      }
      running.pending.get(message.id)?.resolve(message);
    });
    const fail = (e: Error) => {
      if (this.running === running) this.running = undefined;
      for (const p of running.pending.values()) p.reject(e);
      running.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code, signal) => {
      const cutOff = running.pending.size > 0;
      fail(new Error(`the import worker stopped (${signal ?? `exit code ${code}`})`));
      // Its imports ended with it (their transactions too): listed INTERRUPTED now, not at the next start.
      if (cutOff) void this.runs.markInterrupted().catch(() => undefined);
    });
    worker.unref();
    worker.channel?.unref();
    this.running = running;
    return running;
  }
}
function jobFile({ name, path, sha256, charset }: SpooledFile): JobFile {
  return { name, path, sha256, charset };
}

/**
 * Starts the worker process. On Linux with `chrt` (util-linux) it runs under SCHED_IDLE: it gets the CPU only when
 * the registry (and anything else) does not want it, so that requests keep their latency while a large file is
 * imported (measured: public p99 1.3-1.8x idle, against 2.7-3.3x at nice 10). Elsewhere, forked at IMPORT_NICE.
 * The registry's own runtime flags (e.g. its heap settings) apply to the worker too; no inspector port clash.
 */
function startWorker(): ChildProcess {
  const file = fileURLToPath(builtModule('./import-worker.js', import.meta.url));
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--inspect'));
  const options = { serialization: 'advanced' as const, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] as StdioOptions };
  const chrt = idleScheduler();
  return chrt ? spawn(chrt, ['--idle', '0', process.execPath, ...execArgv, file], options) : fork(file, [], { ...options, execArgv });
}

let idleSchedulerFound: { path?: string } | undefined;
/** `chrt` when it is on PATH (Linux) and may run a command under SCHED_IDLE here (tried once), else undefined. */
function idleScheduler(): string | undefined {
  if (!idleSchedulerFound) {
    idleSchedulerFound = {};
    const path = process.platform === 'linux' ? (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'chrt')).find((p) => p !== 'chrt' && existsSync(p)) : undefined;
    if (path && spawnSync(path, ['--idle', '0', process.execPath, '-e', '0'], { stdio: 'ignore', timeout: 10_000 }).status === 0) idleSchedulerFound.path = path;
  }
  return idleSchedulerFound.path;
}
