import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsSources {
  /** Outbox messages not finished yet (pending, failed awaiting retry, being sent). */
  outboxQueueDepth(): Promise<number>;
  /** Age in seconds of the oldest outbox message not finished yet (0 when the queue is empty). */
  outboxOldestQueuedAgeSeconds?(): Promise<number>;
  /** Password hashes waiting for a slot in the hashing pool. */
  hashQueueLength(): number;
  /** Accounts whose password hash is still an imported legacy one (replaced by Argon2id at their next sign-in). */
  legacyPasswordHashes?(): Promise<number>;
}

/**
 * Prometheus metrics of one service instance, in its own registry (several instances can live in
 * one process, e.g. in tests). Labels never carry user data: routes are route patterns
 * (`/reset-password/:token`, never the token), unmatched paths are `unmatched`.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route'>;
  private readonly courierAttempts: Counter<'topic' | 'outcome'>;
  private readonly sendFailures: Counter<'topic'>;
  private readonly sendDuration: Histogram<'topic'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'latchkey_process_' });
    this.requests = new Counter({
      name: 'latchkey_http_requests_total',
      help: 'HTTP requests answered, by route pattern and status code',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'latchkey_http_request_duration_seconds',
      help: 'Time to answer HTTP requests, by route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.courierAttempts = new Counter({
      name: 'latchkey_courier_attempts_total',
      help: 'Outbox messages handled by the courier on this node, by topic and outcome (sent, failed = will retry, dead = gave up)',
      labelNames: ['topic', 'outcome'],
      registers,
    });
    this.sendFailures = new Counter({
      name: 'latchkey_courier_send_failures_total',
      help: 'Failed send attempts on this node (retried later or dead), by topic',
      labelNames: ['topic'],
      registers,
    });
    new Gauge({
      name: 'latchkey_outbox_queue_depth',
      help: 'Outbox messages not finished yet, across all nodes (read from the database at scrape time; -1 if unreachable)',
      registers,
      async collect() {
        this.set(await sources.outboxQueueDepth().catch(() => -1));
      },
    });
    this.sendDuration = new Histogram({
      name: 'latchkey_courier_send_duration_seconds',
      help: 'Time the courier spent handling one outbox message on this node (the SMTP or SMS send, or the job), by topic, whatever the outcome',
      labelNames: ['topic'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    if (sources.outboxOldestQueuedAgeSeconds) {
      const age = sources.outboxOldestQueuedAgeSeconds.bind(sources);
      new Gauge({
        name: 'latchkey_outbox_oldest_queued_age_seconds',
        help: 'Age of the oldest outbox message not finished yet, across all nodes (0 when none waits; read from the database at scrape time; -1 if unreachable)',
        registers,
        async collect() {
          this.set(await age().catch(() => -1));
        },
      });
    }
    new Gauge({
      name: 'latchkey_password_hash_queue_length',
      help: 'Password hashing requests waiting for a slot in the bounded hashing pool on this node',
      registers,
      collect() {
        this.set(sources.hashQueueLength());
      },
    });
    if (sources.legacyPasswordHashes) {
      const count = sources.legacyPasswordHashes.bind(sources);
      new Gauge({
        name: 'latchkey_legacy_password_hashes',
        help: 'Accounts whose password hash is still an imported legacy format, replaced by Argon2id at their next sign-in (read from the database at scrape time; -1 if unreachable)',
        registers,
        async collect() {
          this.set(await count().catch(() => -1));
        },
      });
    }
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.duration.observe({ method, route }, seconds);
  }

  observeCourier(outcome: 'sent' | 'failed' | 'dead', topic: string, seconds: number): void {
    this.courierAttempts.inc({ topic, outcome });
    this.sendDuration.observe({ topic }, seconds);
    if (outcome !== 'sent') this.sendFailures.inc({ topic });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
