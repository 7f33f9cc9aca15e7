/** Whether a process with this id runs on this host (one it may not signal counts as running). */
export function isProcessRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The built module a worker process or thread runs, named relative to the module asking (`from`: its
 * `import.meta.url`). Built, it sits beside that module; under the test runner that module is TypeScript source
 * under src/ and the worker runs the built code under dist/src/ (`npm test` builds first).
 */
export function builtModule(file: string, from: string): URL {
  const here = new URL(file, from);
  if (!from.endsWith('.ts')) return here;
  const at = here.href.lastIndexOf('/src/');
  return new URL(`${here.href.slice(0, at)}/dist${here.href.slice(at)}`);
}
