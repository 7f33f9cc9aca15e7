/**
 * Long CPU work in slices: call `pause()` often (e.g. once a row); it yields to the event loop (setImmediate)
 * once `sliceMs` have passed since the last yield, so that requests arriving meanwhile are answered within about
 * a slice. Needed where the work awaits nothing slow: on SQLite every query of a long import completes at once,
 * so without it the import would hold the event loop for whole batches at a time.
 */
export function timeSlicer(sliceMs = 2): { pause(): Promise<void> | undefined } {
  let last = performance.now();
  return {
    pause() {
      if (performance.now() - last < sliceMs) return undefined;
      return new Promise<void>((resolve) =>
        setImmediate(() => {
          last = performance.now();
          resolve();
        }),
      );
    },
  };
}
