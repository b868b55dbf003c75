// The courier's throughput (issue 12, "Mail throughput"), on each database given to `npm run bench`,
// or alone: node --import tsx bench/courier.ts [--db sqlite,postgres,mysql] [--connections 32] [--duration 8]
// [--only drain,slow,p99]
//
// Each scenario starts the real service in this process (NODE_ENV=production, courier in-process)
// with a real SMTP peer that answers at once or after a delay, queues mails straight into the
// outbox and times the courier until the peer has them all. Figures are printed with their
// target, the ratio to it and PASS/FAIL.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../src/config/config.ts';
import { createDeps } from '../src/deps.ts';
import { createLogger } from '../src/logger.ts';
import { startService } from '../src/main.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { BENCH_DATABASES, type BenchDatabase } from './databases.ts';
import { loadJsonPost } from './measure.ts';
import { openLoopJsonPost } from './open-loop.ts';
import { benchSettings } from './service.ts';

/**
 * Offered forgot-password rate of the p99 scenario: far above what a self-hosted service sees (a
 * flood of resets), yet below saturation, where latency only measures the queue of connections.
 */
const FORGOT_RATE = 300;
const KNOWN = { email: 'courier.bench@example.com', password: 'benchmark passphrase 2024' };

/**
 * A real SMTP peer (smtp-server) that accepts every message after `delayMs` (the provider's
 * latency per message), in a worker thread (smtp-peer-worker.mjs): a provider is another machine,
 * so its work must not share the service's event loop.
 */
class DelayedSmtpPeer {
  received = 0;
  private readonly worker: Worker;

  constructor(delayMs: number) {
    this.worker = new Worker(new URL('./smtp-peer-worker.mjs', import.meta.url), { workerData: { delayMs } });
    this.worker.on('message', (message: { received?: number }) => {
      if (message.received !== undefined) this.received = Math.max(this.received, message.received);
    });
  }

  start(): Promise<string> {
    return new Promise((resolve, reject) => {
      const listening = (message: { port?: number }) => {
        if (message.port === undefined) return;
        this.worker.off('message', listening);
        resolve(`smtp://127.0.0.1:${message.port}`);
      };
      this.worker.on('message', listening);
      this.worker.once('error', reject);
    });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.worker.on('message', (message: { stopped?: boolean }) => message.stopped && resolve());
      this.worker.postMessage('stop');
    });
    await this.worker.terminate();
  }
}

interface Scenario {
  name: string;
  value: number;
  unit: string;
  target: number;
  /** 'min': the value must reach the target; 'max': it must stay under it. */
  kind: 'min' | 'max';
  notes: string;
}

/** The service with its courier stopped, an outbox `queue` mails deep, and a peer answering after `delayMs`. */
async function withService<T>(
  database: BenchDatabase,
  delayMs: number,
  env: Record<string, string>,
  run: (s: {
    peer: DelayedSmtpPeer;
    url: string;
    queue(n: number): Promise<void>;
    startCourier(): void;
    queued(): Promise<number>;
  }) => Promise<T>,
): Promise<T> {
  const workDir = mkdtempSync(join(tmpdir(), 'latchkey-bench-courier-'));
  const db = await database.prepare(workDir);
  const peer = new DelayedSmtpPeer(delayMs);
  const config = loadConfig({ ...benchSettings(workDir, db.databaseUrl, await peer.start()), COURIER_INLINE: 'false', ...env });
  const deps = createDeps(config, createLogger(config.logLevel));
  await migrateToLatest(deps.database);
  const service = await startService(config, deps);
  try {
    return await run({
      peer,
      url: service.url,
      queue: async (n) => {
        for (let i = 0; i < n; i++) {
          await deps.outbox.enqueue(deps.store.outbox, 'mail', {
            template: 'password-changed',
            to: `bench-${i}@example.com`,
            data: { name: null, changedAtMs: deps.clock.nowMs() },
          });
        }
      },
      startCourier: () => deps.courier.start(),
      queued: () => deps.store.outbox.countQueued(),
    });
  } finally {
    await deps.courier.stop();
    await service.stop();
    await peer.stop();
    await db.cleanup();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Seconds until the peer has received `count` mails (polled every 10 ms), or Infinity after `timeoutMs`. */
async function secondsUntilReceived(peer: DelayedSmtpPeer, count: number, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (peer.received < count) {
    if (performance.now() - started > timeoutMs) return Number.POSITIVE_INFINITY;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return (performance.now() - started) / 1000;
}

export async function benchmarkCourier(
  database: BenchDatabase,
  options: { connections: number; durationSeconds: number; only?: readonly string[] },
): Promise<Scenario[]> {
  const scenarios: Scenario[] = [];
  const progress = (message: string) => process.stderr.write(`· courier: ${message}\n`);

  const runs = (name: string) => !options.only || options.only.includes(name);

  if (runs('drain')) {
    progress('2,000 queued mails, instant SMTP peer (defaults: COURIER_CONCURRENCY 10, SMTP_MAX_CONNECTIONS 5)');
    await withService(database, 0, {}, async (s) => {
      await s.queue(2_000);
      const cpuBefore = process.cpuUsage();
      s.startCourier();
      const seconds = await secondsUntilReceived(s.peer, 2_000, 60_000);
      const cpu = process.cpuUsage(cpuBefore);
      const cpuMsPerMail = (cpu.user + cpu.system) / 1000 / Math.max(1, s.peer.received);
      const cpuShare = (cpu.user + cpu.system) / 1e6 / seconds;
      const cpuNote = `${cpuMsPerMail.toFixed(2)} ms CPU per mail (the whole process: service, courier and the SMTP peer's worker thread), ${(cpuShare * 100).toFixed(0)}% of a core used`;
      scenarios.push(
        {
          name: '2,000 queued mails drained, instant peer',
          value: seconds,
          unit: 's',
          target: 10,
          kind: 'max',
          notes: `defaults; ${cpuNote}`,
        },
        {
          name: 'mails/s delivered, instant peer',
          value: 2_000 / seconds,
          unit: 'mails/s',
          target: 300,
          kind: 'min',
          notes: `defaults; one core's worth = ${(1000 / cpuMsPerMail).toFixed(0)} mails/s`,
        },
      );
    });
  }

  const slowCount = 600;
  if (runs('slow')) {
    progress(`${slowCount} queued mails, peer taking 150 ms per message (COURIER_CONCURRENCY 10, SMTP_MAX_CONNECTIONS 10)`);
    await withService(database, 150, { COURIER_CONCURRENCY: '10', SMTP_MAX_CONNECTIONS: '10' }, async (s) => {
      await s.queue(slowCount);
      s.startCourier();
      const seconds = await secondsUntilReceived(s.peer, slowCount, 120_000);
      scenarios.push({
        name: 'mails/s delivered, 150 ms peer',
        value: slowCount / seconds,
        unit: 'mails/s',
        target: 50,
        kind: 'min',
        notes: `bound = min(COURIER_CONCURRENCY, SMTP_MAX_CONNECTIONS) / latency = 10 / 0.15 s = ${(10 / 0.15).toFixed(0)} mails/s (defaults: 5 / 0.15 s = 33)`,
      });
    });
  }

  if (runs('p99')) {
    const rate = FORGOT_RATE;
    progress(
      `forgot-password at ${rate} req/s over ${options.connections} connections for ${options.durationSeconds} s, courier stopped, then while it drains 2,000 queued mails; then as fast as it answers`,
    );
    await withService(database, 0, {}, async (s) => {
      const registered = await fetch(new URL('/api/register', s.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(KNOWN),
      });
      if (registered.status !== 202) throw new Error(`registering the known account answered ${registered.status}`);
      const request = { url: new URL('/api/password/forgot', s.url).href, body: { email: KNOWN.email }, expectStatus: 202 };
      const shape = { connections: options.connections, durationSeconds: options.durationSeconds };
      const forgot = (offered?: number) =>
        offered ? openLoopJsonPost({ ...request, ...shape, rate: offered }) : loadJsonPost({ ...request, ...shape });
      // The service's event-loop delay during a run (1 ms resolution): what blocks the request
      // path, less noisy on a shared machine than the requests' latency.
      const loopDelayP99 = async <T>(run: () => Promise<T>): Promise<[T, string]> => {
        const histogram = monitorEventLoopDelay({ resolution: 1 });
        histogram.enable();
        const result = await run();
        histogram.disable();
        return [result, `${(histogram.percentile(99) / 1e6).toFixed(1)} ms`];
      };
      // The same offered load with the courier stopped: what the machine gives the request path alone.
      const [alone, aloneLoop] = await loopDelayP99(() => forgot(rate));
      await s.queue(2_000);
      s.startCourier();
      const [load, loadLoop] = await loopDelayP99(() => forgot(rate));
      const delivered = s.peer.received;
      // And at saturation (every connection sends its next request as soon as the last is answered):
      // there the latency is queueing, connections / throughput, whatever the courier does.
      const saturated = await forgot();
      scenarios.push({
        name: `forgot-password p99 at ${rate} req/s, ${options.connections} connections, courier draining`,
        value: load.p99Ms,
        unit: 'ms',
        target: 20,
        kind: 'max',
        notes:
          `open loop from a worker thread, ${load.total} requests answered (known address: each queues a job), p50 ${load.p50Ms} ms, event-loop delay p99 ${loadLoop}; ` +
          `${delivered} mails delivered meanwhile (${(delivered / options.durationSeconds).toFixed(0)}/s). ` +
          `Courier stopped, same load: p99 ${alone.p99Ms} ms, p50 ${alone.p50Ms} ms, event-loop delay p99 ${aloneLoop}. ` +
          `Saturated, courier draining: ${saturated.requestsPerSecond.toFixed(0)} req/s, p50 ${saturated.p50Ms} ms, p99 ${saturated.p99Ms} ms` +
          (load.unexpected ? `; ${load.unexpected} unexpected responses` : ''),
      });
    });
  }

  printScenarios(database.label, scenarios);
  return scenarios;
}

function printScenarios(label: string, scenarios: Scenario[]): void {
  const lines = scenarios.map((s) => {
    const ratio = s.kind === 'min' ? s.value / s.target : s.target / s.value;
    const pass = s.kind === 'min' ? s.value >= s.target : s.value <= s.target;
    const figure = Number.isFinite(s.value) ? s.value.toFixed(s.value < 100 ? 1 : 0) : 'timed out';
    return `| ${s.name} | ${figure} ${s.unit} | ${s.kind === 'min' ? '≥' : '≤'} ${s.target} ${s.unit} | ${ratio.toFixed(2)}x | ${pass ? 'PASS' : 'FAIL'} | ${s.notes} |`;
  });
  console.log(`\nCourier throughput on ${label}\n`);
  console.log('| scenario | measured | target | ratio to target (>1 = better) | result | notes |');
  console.log('| --- | ---: | ---: | ---: | --- | --- |');
  console.log(`${lines.join('\n')}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      db: { type: 'string', default: 'sqlite' },
      connections: { type: 'string', default: '32' },
      duration: { type: 'string', default: '8' },
      only: { type: 'string' },
    },
  });
  const run = async () => {
    for (const name of String(values.db).split(',')) {
      const database = BENCH_DATABASES[name.trim()];
      if (!database) throw new Error(`--db ${name} is not one of ${Object.keys(BENCH_DATABASES).join(', ')}`);
      await benchmarkCourier(database, {
        connections: Number(values.connections),
        durationSeconds: Number(values.duration),
        ...(values.only ? { only: values.only.split(',') } : {}),
      });
    }
  };
  run().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
