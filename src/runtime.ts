import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * How the registry's processes run V8. By default V8 lets the heap grow to up to four times what a full
 * collection left alive before it collects again; here at most 1.5x. Not a cap: the heap still grows as far as
 * the live data needs.
 * - The server keeps about 60 MiB alive; at 2x its RSS rose by 10-15 MiB per 10 s of 30,000 license checks a second
 *   (garbage awaiting a full collection) to over 200 MiB before it fell; at 1.5x it stays near 180 MiB at the same
 *   throughput (figures in docs/performance.md).
 * - The CLI, the import worker and the benchmarks: an import allocates much short-lived data, and reads its files
 *   in a thread with a heap of its own (imports/csv-thread.ts). At 2x a 200,000-row, 2,000,000-IMEI import peaked at
 *   305-320 MiB of RSS, at 1.5x at 280-296 MiB, in the same time (the collections are on the thread that waits
 *   less).
 */
export function tuneRuntime(): void {
  v8.setFlagsFromString('--heap-growing-percent=50');
}

/**
 * One full collection, for the server once it has started. Until its first full collection V8 lets the heap grow
 * to its initial limit whatever the growing factor (the server reached 130 MiB of heap under load, 216 MiB of RSS,
 * before the first); starting leaves tens of MiB of garbage (module loading, the OpenAPI document), so collecting
 * it at once sets the next limit from what the server keeps alive.
 */
export function collectStartupGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  gc?.();
}
