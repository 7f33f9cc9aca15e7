// The import worker process (see import-runner.ts), forked by the registry: opens the registry's modules once,
// without HTTP, on connections of its own, then runs each import it is sent as the staff member who sent it and
// sends back the report (or the problem). Asked to close, or left by its parent, it closes its connections and ends.
import 'reflect-metadata';
import { createReadStream } from 'node:fs';
import { setPriority } from 'node:os';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module.js';
import { ProblemException } from '../common/problem.js';
import { runAs } from '../common/request-context.js';
import { unavailability } from '../common/unavailable.js';
import type { RegistryConfig } from '../config/config.js';
import { tuneRuntime } from '../runtime.js';
import { IMPORT_NICE, type ImportJob, type ImportOutcomeMessage, type ToWorker } from './import-runner.js';
import { ImportsService } from './imports.service.js';

tuneRuntime(); // as the server and the CLI

const send = (message: unknown) => process.send!(message);
// Messages sent before a listener exists are lost: the parent waits for `ready` before it sends any.
const config = await new Promise<RegistryConfig>((resolve) => {
  process.once('message', (m: ToWorker) => {
    if (m.type === 'config') resolve(m.config);
  });
  send({ type: 'ready' });
});

// An import is background work: a lower priority (on Linux, of this process's main thread, where it runs) lets
// the registry's thread that answers requests come first when the CPUs are busy.
try {
  setPriority(IMPORT_NICE);
} catch {
  // not permitted here: the import runs at the normal priority
}

function outcomeOf(e: unknown): ImportOutcomeMessage {
  const problem = e instanceof ProblemException ? e : unavailability(e);
  if (problem) return { problem: { status: problem.getStatus(), code: problem.code, detail: problem.detail, errors: problem.errors, extensions: problem.extensions } };
  return { error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}

// No seed and no bootstrap admin here: the process that started this thread has done both.
const opening = NestFactory.createApplicationContext(AppModule.forRoot({ ...config, seed: false, auth: { ...config.auth, bootstrapAdmin: null } }), { logger: false });
opening.catch(() => undefined); // each import reports it

async function run(job: ImportJob): Promise<ImportOutcomeMessage> {
  try {
    const imports = (await opening).get(ImportsService);
    const { shipments, imeis } = job.files;
    const report = await runAs(job.context, () =>
      imports.importShipments(
        job.mode,
        {
          shipments: { name: shipments.name, sha256: shipments.sha256, charset: shipments.charset, open: () => createReadStream(shipments.path) },
          imeis: imeis && { name: imeis.name, sha256: imeis.sha256, charset: imeis.charset, open: () => createReadStream(imeis.path) },
        },
        { idempotencyKey: job.idempotencyKey },
      ),
    );
    return { report };
  } catch (e) {
    return outcomeOf(e);
  }
}

const close = () =>
  void opening
    .then((app) => app.close())
    .catch(() => undefined)
    .finally(() => process.exit(0));
process.on('disconnect', close);
// A terminal's Ctrl-C or a service manager's stop signals the whole process group: the registry finishes its
// requests (an import among them) and then asks this worker to close, so the worker waits for that.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => undefined);
process.on('message', (message: ToWorker) => {
  if (message.type === 'close') return close();
  if (message.type !== 'import') return;
  void run(message.job).then((outcome) => send({ id: message.id, ...outcome }));
});
