import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const requireFrom = createRequire(import.meta.url);

/** The pages' stylesheet (`assets/site.css` beside this file; no inline styles: the pages' CSP forbids them). */
const ASSETS_DIR = fileURLToPath(new URL('./assets/', import.meta.url));

/** The Urdu typeface (Noto Nastaliq Urdu, SIL Open Font License, from @fontsource), for readers without one. */
const FONTS_DIR = dirname(requireFrom.resolve('@fontsource/noto-nastaliq-urdu/files/noto-nastaliq-urdu-arabic-400-normal.woff2'));

/**
 * Serves the pages' static files through @fastify/static, outside Nest (so outside the public rate limit):
 * `/assets/site.css` (kept an hour) and `/assets/fonts/<file>.woff2` (kept a day). A file that is not there, or a
 * path that tries to leave the folder, is Nest's 404.
 */
export async function registerPublicAssets(fastify: FastifyInstance): Promise<void> {
  const common = { decorateReply: false, index: false, dotfiles: 'deny', lastModified: false } as const;
  await fastify.register(fastifyStatic, { ...common, root: ASSETS_DIR, prefix: '/assets/', maxAge: 3_600_000, allowedPath: (path) => path === '/site.css' });
  await fastify.register(fastifyStatic, { ...common, root: FONTS_DIR, prefix: '/assets/fonts/', maxAge: 86_400_000, allowedPath: (path) => /^\/[a-z0-9-]+\.woff2$/.test(path) });
}
