import assert from 'node:assert/strict';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Milliseconds one call of `fn` takes. */
export async function timeMs(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * S8 timing check: times `known` and `unknown` (each returns how long its request took) in
 * alternating pairs, the order swapped every pair so that drift and background work fall on both
 * sides, after `warmUp` calls. Passes as soon as one round of `pairs` has medians closer than
 * `allowedMs(knownMedian, unknownMedian)`: a noisy machine can disturb one round, a real
 * difference (a skipped hash or query for unknown addresses) shows in every round. Fails naming
 * every round's medians.
 */
export async function assertSameMedianTime(o: {
  known: () => Promise<number>;
  unknown: () => Promise<number>;
  pairs: number;
  warmUp: number;
  allowedMs: (knownMedian: number, unknownMedian: number) => number;
  rounds?: number;
}): Promise<void> {
  for (let i = 0; i < o.warmUp; i++) await (i % 2 ? o.known() : o.unknown());
  const seen: string[] = [];
  for (let round = 0; round < (o.rounds ?? 3); round++) {
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < o.pairs; i++) {
      if (i % 2) {
        known.push(await o.known());
        unknown.push(await o.unknown());
      } else {
        unknown.push(await o.unknown());
        known.push(await o.known());
      }
    }
    const [k, u] = [median(known), median(unknown)];
    seen.push(`known ${k.toFixed(2)} ms, unknown ${u.toFixed(2)} ms`);
    if (Math.abs(k - u) <= o.allowedMs(k, u)) return;
  }
  assert.fail(`median response times differ in every round: ${seen.join('; ')}`);
}
