import v8 from 'node:v8';

/**
 * How the registry's processes (server, CLI, benchmarks) run V8. By default V8 lets the heap grow to up to
 * four times what a full collection left alive before it collects again. The registry keeps little alive
 * (tens of MiB) but an import allocates much short-lived data, so that default let a 200,000-row,
 * 2,000,000-IMEI import peak at about 350 MiB of RSS. Growing by at most 2x between full collections keeps
 * it near 250 MiB for about a tenth more time (figures in docs/performance.md). Not a cap: the heap still
 * grows as far as the live data needs.
 */
export function tuneRuntime(): void {
  v8.setFlagsFromString('--heap-growing-percent=100');
}
