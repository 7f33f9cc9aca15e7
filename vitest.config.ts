import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

/** JSX of the pages, the chart and the error page (tsconfig: `jsx`, `jsxImportSource`): hono/jsx, rendered to strings. */
const JSX = { runtime: 'automatic', importSource: 'hono/jsx' } as const;

// SWC compiles the decorators with their metadata (esbuild cannot emit decorator metadata). Two passes, because
// unplugin-swc would parse every file as TSX once tsconfig names a JSX mode, and in a .ts file `<T>(x: T) => x`
// is a generic function, not an element.
export default defineConfig({
  plugins: [
    swc.vite({ module: { type: 'es6' }, exclude: [/\.tsx$/, /node_modules/], jsc: { parser: { syntax: 'typescript', tsx: false } } }),
    swc.vite({ module: { type: 'es6' }, include: /\.tsx$/, exclude: /node_modules/, jsc: { parser: { syntax: 'typescript', tsx: true }, transform: { react: JSX } } }),
  ],
  test: {
    include: ['test/**/*.spec.ts', 'test/**/*.spec.tsx', 'src/**/*.spec.ts'],
    globals: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['test/support/setup.ts'],
  },
});
