import { hostname } from 'node:os';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Clock } from '../common/clock.js';
import { type Page, pageOf, PageQuery } from '../common/pagination.js';
import { isProcessRunning } from '../common/process.js';
import { currentContext } from '../common/request-context.js';
import { unavailability } from '../common/unavailable.js';
import { Snapshots } from '../database/snapshots.js';
import { Transactions } from '../database/transactions.js';
import { ImportRun } from './import-run.entity.js';
import type { ImportReport } from './import-report.js';

/** This process, as an import's runner: host/pid (in the registry, the import worker process). */
const RUNNER = `${hostname()}/${process.pid}`;

/** A short reason for a FAILED run: the problem's detail, or the database error's code (never its text). */
export function describeFailure(e: unknown): string {
  const unavailable = unavailability(e);
  if (unavailable) return unavailable.detail;
  const code = (e as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (e as { code?: string }).code;
  return `database error${code ? ` ${code}` : ''}: nothing was written`;
}

/**
 * The record of each import (table `imports`, GET /api/v1/imports), kept from its start: RUNNING, then its
 * outcome (see ImportOutcome). Each change is its own small transaction, outside the import's.
 */
@Injectable()
export class ImportRuns implements OnApplicationBootstrap {
  private readonly logger = new Logger('Imports');

  constructor(
    @InjectRepository(ImportRun) private readonly runs: Repository<ImportRun>,
    private readonly tx: Transactions,
    private readonly snapshots: Snapshots,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const interrupted = await this.markInterrupted();
    if (interrupted) this.logger.warn(`${interrupted} import(s) were cut off when their process stopped; listed as INTERRUPTED`);
  }

  /** Lists the import as RUNNING, by this process. */
  async start(report: ImportReport, mode: 'validate' | 'commit', startedAt: Date, files: { sha256?: string; imeisSha256?: string }): Promise<void> {
    await this.tx.run((m) =>
      m.insert(ImportRun, {
        ...record(report, mode, null, startedAt),
        outcome: 'RUNNING',
        fileSha256: files.sha256 ?? '',
        imeisFileSha256: files.imeisSha256 ?? null,
        finishedAt: null,
        failure: null,
        runner: RUNNER,
      }),
    );
  }

  /** Ends the run with its outcome and the report's counts as they stand. */
  async finish(report: ImportReport, mode: 'validate' | 'commit', imeisSha256: string | null, startedAt: Date, outcome: ImportRun['outcome'], failure: string | null = null): Promise<void> {
    const { id, ...fields } = record(report, mode, imeisSha256, startedAt);
    await this.tx.run((m) => m.update(ImportRun, { id }, { ...fields, outcome, failure, finishedAt: this.clock.now() }));
  }

  /** Removes the run (a replay answers with an earlier import's report: it is not an import of its own). */
  async drop(id: string): Promise<void> {
    await this.tx.run((m) => m.delete(ImportRun, { id }));
  }

  /**
   * Marks INTERRUPTED the runs left RUNNING by processes of this host that no longer run (a crash, a kill):
   * their transaction ended with them, so nothing of theirs was written. Run at start; returns how many.
   */
  async markInterrupted(): Promise<number> {
    const host = `${hostname()}/`;
    const running = await this.runs.find({ where: { outcome: 'RUNNING' }, select: { id: true, runner: true } });
    const gone = running.filter((r) => r.runner?.startsWith(host) && !isProcessRunning(Number(r.runner.slice(host.length))));
    for (const r of gone) {
      await this.tx.run((m) =>
        m.update(ImportRun, { id: r.id, outcome: 'RUNNING' }, { outcome: 'INTERRUPTED', failure: 'the registry process stopped while the import ran; nothing was written', finishedAt: this.clock.now() }),
      );
    }
    return gone.length;
  }

  /** Import runs, newest first, a page and its total from one snapshot. */
  async list(query: PageQuery): Promise<Page<ImportRun>> {
    const { limit, offset } = pageOf(query);
    const [items, total] = await this.snapshots.read((m) => m.findAndCount(ImportRun, { order: { startedAt: 'DESC' }, skip: offset, take: limit }));
    return { items, total, limit, offset };
  }
}

/** The run's row as the report stands (rows created count only once committed). */
function record(report: ImportReport, mode: 'validate' | 'commit', imeisSha256: string | null, startedAt: Date): Omit<ImportRun, 'outcome' | 'finishedAt' | 'failure' | 'runner'> {
  return {
    id: report.importId,
    kind: 'shipments',
    mode,
    actorId: currentContext().actorId,
    fileName: report.fileName,
    fileSha256: report.fileSha256,
    imeisFileSha256: imeisSha256,
    rowsRead: report.rowsRead,
    rowsValid: report.rowsValid,
    rowsCreated: report.outcome === 'COMMITTED' ? report.rowsCreated : 0,
    rowsSkipped: report.rowsSkipped,
    rowsFailed: report.rowsFailed,
    imeisCreated: report.outcome === 'COMMITTED' ? report.imeis.created : 0,
    errors: report.errors.slice(0, 100),
    startedAt,
  };
}
