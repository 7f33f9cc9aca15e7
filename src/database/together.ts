import DataLoader from 'dataloader';

/**
 * Lookups asked in one turn of the event loop (under load, the requests read from the sockets together), made
 * together by `lookup` (keys in, answers in the same order out): one statement and one round trip for the lot, up
 * to 200 keys, not one each. Nothing is kept between turns (no cache), so each answer is as fresh as one looked up
 * alone; at low load a turn holds one request. Worth it where a statement costs a round trip (PostgreSQL).
 */
export function lookedUpTogether<K, V>(lookup: (keys: readonly K[]) => Promise<V[]>): DataLoader<K, V> {
  return new DataLoader<K, V>(lookup, { cache: false, batchScheduleFn: (run) => setImmediate(run), maxBatchSize: 200 });
}
