import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, startApp, type TestApp } from '../support/app.js';

const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';
const REDIS_URL = process.env.TEST_REDIS_URL_PROXY ?? 'redis://127.0.0.1:6379/8';
if (!existsSync(NGINX)) console.warn(`Proxy test skipped: no nginx at ${NGINX} (apt-get install nginx)`);

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });

/** GET through the proxy from the local address `from` (a client of its own: 127.0.0.2, 127.0.0.3...). */
const get = (port: number, path: string, from: string) =>
  new Promise<number>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, localAddress: from, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });

/**
 * The production set-up of the README, for real: nginx (Debian's; .ci/run installs it) in front of two instances
 * on one PostgreSQL database, sharing Redis, trusting the proxy (TRUST_PROXY). A client's rate limit holds across
 * both instances; two clients behind the proxy have a count each.
 */
describe.skipIf(engine !== 'postgres' || !existsSync(NGINX))('two instances behind nginx', () => {
  let a: TestApp;
  let b: TestApp;
  let nginx: ChildProcess;
  let port: number;
  const dir = mkdtempSync(join(tmpdir(), 'lr-nginx-'));
  beforeAll(async () => {
    const redis = new Redis(REDIS_URL);
    await redis.flushdb();
    redis.disconnect();
    const options = { publicRateLimit: 4, redisUrl: REDIS_URL, trustProxy: { addresses: ['127.0.0.1'] } };
    a = await startApp(options);
    b = await startApp({ ...options, shareDatabaseWith: a });
    const ports = [];
    for (const app of [a, b]) {
      await app.app.listen({ port: 0, host: '127.0.0.1' });
      ports.push((app.app.getHttpServer().address() as AddressInfo).port);
    }
    port = await freePort();
    mkdirSync(join(dir, 'logs'));
    writeFileSync(
      join(dir, 'nginx.conf'),
      `error_log stderr warn; pid ${join(dir, 'nginx.pid')}; daemon off; worker_processes 1;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream registry { server 127.0.0.1:${ports[0]}; server 127.0.0.1:${ports[1]}; }
  server {
    listen 127.0.0.1:${port};
    location / { proxy_pass http://registry; proxy_set_header Host $host; proxy_set_header X-Forwarded-For $remote_addr; }
  }
}
`,
    );
    nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'inherit'] });
    for (let i = 0; i < 50; i++) {
      if ((await get(port, '/health', '127.0.0.9').catch(() => 0)) === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 60_000);
  afterAll(async () => {
    nginx?.kill('SIGTERM');
    await a?.close();
    await b?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a client's public limit holds across both instances; another client behind the proxy has its own", async () => {
    const first = [];
    for (let i = 0; i < 5; i++) first.push(await get(port, '/public/v1/manufacturers', '127.0.0.2'));
    expect(first).toEqual([200, 200, 200, 200, 429]); // nginx sent them round-robin to both instances
    expect(await get(port, '/public/v1/manufacturers', '127.0.0.3')).toBe(200);
    expect(await get(port, '/public/v1/manufacturers', '127.0.0.2')).toBe(429);
  });
});
