import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * How the registry's processes run V8. By default V8 lets the heap grow to up to four times what a full
 * collection left alive before it collects again. Not a cap either way: the heap still grows as far as the live
 * data needs.
 * - `batch` (CLI, import worker, benchmarks): at most 2x. An import allocates much short-lived data; the default
 *   let a 200,000-row, 2,000,000-IMEI import peak at about 350 MiB of RSS, 2x keeps it near 250 MiB for about a
 *   tenth more time.
 * - `server`: at most 1.5x. The server keeps about 60 MiB alive; at 2x its RSS rose by 10-15 MiB per 10 s of
 *   30,000 license checks a second (garbage awaiting a full collection) to over 200 MiB before it fell; at 1.5x it
 *   stays near 180 MiB at the same throughput (figures in docs/performance.md).
 */
export function tuneRuntime(kind: 'server' | 'batch' = 'batch'): void {
  v8.setFlagsFromString(`--heap-growing-percent=${kind === 'server' ? 50 : 100}`);
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
