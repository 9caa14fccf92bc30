/**
 * `fn` over every item, at most `limit` at a time, results in the items' order. Bounded
 * so that a long list (hundreds of live sessions to re-read) never has more requests,
 * and listeners on the run's abort signal, than the run's concurrency.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as T);
      } catch (err) {
        // The first failure ends the whole map: no more items are started.
        next = items.length;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
