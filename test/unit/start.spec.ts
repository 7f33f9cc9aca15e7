import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startRegistry } from '../../src/start.js';

// A database that cannot be used stops the start at once with one line naming it (main.ts then exits 1).
describe('start-up with an unusable SQLite path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lr-start-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const start = async (url: string) => {
    const lines: string[] = [];
    const began = Date.now();
    const app = await startRegistry({ DATABASE_URL: url, PORT: '0', LOG_LEVEL: 'silent', SEED: 'false' }, { log: (l) => lines.push(l), error: (l) => lines.push(l) });
    await app?.close();
    return { app, lines, ms: Date.now() - began };
  };

  it.each([
    ['a path under /proc', 'sqlite:/proc/nope/x.sqlite', '/proc/nope'],
    ['a directory given as the file', `sqlite:${dir}`, dir],
    ['a file where a directory is needed', `sqlite:/etc/hostname/x.sqlite`, '/etc/hostname'],
  ])('%s: no app, one line naming the path, within 5 s', async (_what, url, named) => {
    const { app, lines, ms } = await start(url);
    expect(app).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^License Registry cannot start: /);
    expect(lines[0]).toContain(named);
    expect(ms).toBeLessThan(5000);
  });

  it('the built server itself: sqlite:/proc/... exits 1 within 5 s with one line naming the path', () => {
    const began = Date.now();
    const run = spawnSync(process.execPath, ['dist/src/main.js'], {
      env: { ...process.env, DATABASE_URL: 'sqlite:/proc/nope/x.sqlite', PORT: '0', LOG_LEVEL: 'silent', SEED: 'false' },
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(run.status).toBe(1);
    expect(Date.now() - began).toBeLessThan(5000);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('/proc/nope');
  });

  // Root may write anywhere, so there the check runs as the unprivileged user `nobody` (setpriv, util-linux):
  // the built server (`npm test` builds first) given a directory it may not write, exit code and all.
  const root = process.getuid?.() === 0;
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
  it.runIf(root && setpriv)('a read-only directory (as nobody): the server exits 1 within 5 s, naming it', () => {
    chmodSync(dir, 0o755);
    const readOnly = join(dir, 'read-only-as-nobody');
    mkdirSync(readOnly, { mode: 0o555 });
    const began = Date.now();
    const run = spawnSync(setpriv!, ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, 'dist/src/main.js'], {
      env: { ...process.env, DATABASE_URL: `sqlite:${join(readOnly, 'registry.sqlite')}`, PORT: '0', LOG_LEVEL: 'silent', SEED: 'false' },
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(run.status).toBe(1);
    expect(Date.now() - began).toBeLessThan(5000);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(readOnly);
    expect(run.stderr).toMatch(/not writable/);
  });

  it.skipIf(root)('a read-only directory: no app, one line naming it', async () => {
    const readOnly = join(dir, 'read-only');
    mkdirSync(readOnly, { mode: 0o555 });
    const { app, lines } = await start(`sqlite:${join(readOnly, 'registry.sqlite')}`);
    expect(app).toBeUndefined();
    expect(lines[0]).toContain(readOnly);
  });
});

// At the default log level the built server prints the registry's own start lines, not Nest's module and route list.
describe('a quiet start', () => {
  it('LOG_LEVEL=info: no module-loaded or route-mapped lines; LOG_LEVEL=debug shows them', async () => {
    const { spawn } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'lr-quiet-'));
    const run = (level: string) =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['dist/src/main.js'], {
          env: { ...process.env, DATABASE_URL: `sqlite:${join(dir, `${level}.sqlite`)}`, PORT: '0', LOG_LEVEL: level, SEED: 'false' },
        });
        let out = '';
        const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`no start line: ${out}`))), 20_000);
        child.stdout.on('data', (chunk) => {
          out += chunk;
          if (out.includes(' is running on ')) child.kill('SIGTERM');
        });
        child.stderr.on('data', (chunk) => (out += chunk));
        child.on('exit', () => (clearTimeout(timer), resolve(out)));
      });
    try {
      const info = await run('info');
      // One line: the version, the database (never a password), the URL, what was loaded.
      const [before, line] = [info.slice(0, info.indexOf('License Registry ')), info.slice(info.indexOf('License Registry ')).split('\n')[0]];
      expect(before.trim(), info).toBe(''); // nothing before it (what follows is the stop the test asked for)
      expect(line).toMatch(/^License Registry \d+\.\d+\.\d+ is running on http:\/\/localhost:\d+ \(sqlite: .*info\.sqlite\); API docs /);
      expect(info).not.toMatch(/RoutesResolver|RouterExplorer|InstanceLoader|Mapped \{/);
      expect(await run('debug')).toMatch(/Mapped \{/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 45_000);
});
