import { executionAsyncResource } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { currentContext, runAs } from '../../src/common/request-context.js';

const as = (actorId: string) => ({ requestId: `req-${actorId}`, actorId, role: 'OFFICER' as const });

/** Whether Node tags new asynchronous resources with a store (its AsyncLocalStorage hook is on). */
async function storageHookOn(): Promise<boolean> {
  let tagged = false;
  await new Promise<void>((resolve) =>
    setImmediate(() => {
      tagged = Object.getOwnPropertySymbols(executionAsyncResource()).some((s) => s.description === 'kResourceStore');
      resolve();
    }),
  );
  return tagged;
}

describe('request context', () => {
  it('is the system outside any scope', () => {
    expect(currentContext()).toEqual({ requestId: null, actorId: null, role: null });
  });

  it('keeps each of overlapping scopes across awaits, also after another one ended', async () => {
    const seen: string[] = [];
    const a = runAs(as('a'), async () => {
      await sleep(5);
      seen.push(`a:${currentContext().actorId}`);
    });
    const b = runAs(as('b'), async () => {
      await sleep(20); // a ends meanwhile
      seen.push(`b:${currentContext().actorId}`);
      await Promise.resolve();
      seen.push(`b:${currentContext().actorId}`);
    });
    await Promise.all([a, b]);
    expect(seen).toEqual(['a:a', 'b:b', 'b:b']);
    expect(currentContext().actorId).toBeNull();
  });

  it('nests, and a synchronous scope or one that throws ends too', async () => {
    expect(runAs(as('outer'), () => runAs(as('inner'), () => currentContext().actorId))).toBe('inner');
    expect(() => runAs(as('x'), () => { throw new Error('boom'); })).toThrow('boom');
    await expect(runAs(as('y'), async () => { await sleep(1); throw new Error('late'); })).rejects.toThrow('late');
    expect(currentContext().actorId).toBeNull();
  });

  it('switches Node\'s hook off when no scope runs, and on again for the next one', async () => {
    expect(await storageHookOn()).toBe(false);
    let during = false;
    await runAs(as('c'), async () => {
      during = await storageHookOn();
      expect(currentContext().actorId).toBe('c');
    });
    expect(during).toBe(true);
    expect(await storageHookOn()).toBe(false);
  });
});
