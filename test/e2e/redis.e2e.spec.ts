import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';

// Redis runs on this machine kind (127.0.0.1:6379); these tests use database 7 of it, emptied first.
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/7';

/** Two instances of the registry sharing one Redis (REDIS_URL): a client's limits hold across both. */
describe('rate limits shared by several instances through Redis', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const redis = new Redis(REDIS_URL);
    await redis.flushdb();
    redis.disconnect();
    a = await startApp({ publicRateLimit: 3, redisUrl: REDIS_URL });
    b = await startApp({ publicRateLimit: 3, redisUrl: REDIS_URL });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('the public limit counts a client on both instances together', async () => {
    const statuses = [];
    for (const t of [a, b, a, b]) statuses.push((await t.anon.get('/public/v1/manufacturers')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await a.anon.get('/public/v1/register.json')).status).toBe(429);
  });

  it('failed logins count on both instances together', async () => {
    const fail = (t: TestApp) => t.anon.post('/api/v1/auth/login').send({ email: 'shared@registry.test', password: 'wrong wrong wrong' });
    const statuses = [];
    for (const t of [a, b, a, b, a, b]) statuses.push((await fail(t)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });
});

describe('Redis out of reach', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ publicRateLimit: 2, redisUrl: 'redis://127.0.0.1:1/0', metricsToken: 'metrics-token-0123456789abcdef0123456789' });
  });
  afterAll(() => t?.close());

  it('requests are answered (limits count per instance meanwhile), never 500, and the errors are counted', async () => {
    expect((await t.anon.get('/public/v1/manufacturers')).status).toBe(200);
    expect((await t.anon.get('/public/v1/manufacturers')).status).toBe(200);
    expect((await t.anon.get('/public/v1/manufacturers')).status).toBe(429); // the instance's own count
    await t.anon.post('/api/v1/auth/login').send({ email: 'admin@registry.test', password: 'wrong wrong wrong' }).expect(401);
    const metrics = await t.anon.get('/metrics').set('Authorization', 'Bearer metrics-token-0123456789abcdef0123456789').expect(200);
    expect(metrics.text).toMatch(/^registry_redis_errors_total [1-9]/m);
  });
});
