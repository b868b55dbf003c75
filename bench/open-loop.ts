// A fixed-rate ("open-loop") load for latency targets: autocannon's overallRate reports latencies
// that include its own pacing, and a closed loop (each connection sending as soon as it is
// answered) measures only the queue of connections at saturation. The requests are sent from a
// worker thread (open-loop-worker.mjs), so the load does not share the service's event loop.
import { Worker } from 'node:worker_threads';
import type { LoadResult } from './measure.ts';

export async function openLoopJsonPost(o: {
  url: string;
  body: unknown;
  expectStatus: number;
  rate: number;
  durationSeconds: number;
  connections: number;
}): Promise<LoadResult> {
  const worker = new Worker(new URL('./open-loop-worker.mjs', import.meta.url), { workerData: o });
  const result = await new Promise<{ latencies: number[]; unexpected: number; seconds: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  const sorted = result.latencies.sort((a, b) => a - b);
  const at = (q: number) => Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN).toFixed(1));
  return {
    requestsPerSecond: sorted.length / result.seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    total: sorted.length,
    unexpected: result.unexpected,
  };
}
