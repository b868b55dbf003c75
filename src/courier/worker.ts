import type { Logger } from 'pino';
import type { Clock } from '../kernel/clock.ts';
import type { OutboxRecord, OutboxRepository } from '../store/outbox-repository.ts';
import type { StorageFaults } from '../store/storage-faults.ts';
import type { Outbox, OutboxTopic, OutboxTopics } from './outbox.ts';
import { RunFailures } from './run-failures.ts';

export type OutboxHandler<T extends OutboxTopic> = (payload: OutboxTopics[T], message: { id: string; messageId: string }) => Promise<void>;
export type OutboxHandlers = { [T in OutboxTopic]: OutboxHandler<T> };

export interface CourierOptions {
  pollMs: number;
  maxAttempts: number;
  leaseMs?: number;
  /** Messages claimed per query (default: twice the concurrency). */
  batchSize?: number;
  /** Messages handled at once (COURIER_CONCURRENCY, default 1 here; the service passes its setting). */
  concurrency?: number;
  /**
   * Domain of the Message-ID (`<outbox-id@domain>`). The same on every node, so a message sent
   * twice (at-least-once delivery) carries the same Message-ID and is recognisable as a duplicate.
   */
  messageIdDomain?: string;
  /** Told of the storage faults the runs meet and of runs that wrote (for /readyz). */
  storageFaults?: StorageFaults;
  /** Told the outcome and the handler's duration of every attempt (metrics). */
  onOutcome?: (outcome: 'sent' | 'failed' | 'dead', topic: string, seconds: number) => void;
}

/**
 * Thrown by a handler when trying again cannot help (the SMS provider refused the message with a
 * 4xx, the SMTP server with a 5xx): the message is marked dead at once instead of being retried.
 */
export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}

/** Delay before attempt n+1: 5 s, 10 s, 20 s ... capped at one hour. */
export function backoffMs(attempts: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

/**
 * Claims due outbox messages, runs the handler for their topic and marks them sent, failed
 * (retried later with exponential backoff) or dead (after maxAttempts). Never throws to its caller:
 * an SMTP outage leaves messages waiting, not requests failing.
 */
export class CourierWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  /** Messages sent whose `sent` mark is not written yet: written together by one statement. */
  private sentIds: string[] = [];
  private sentWrite: Promise<void> | undefined;
  /** Lanes waiting for their turn of the event loop (nextTurn), released one per turn. */
  private turnWaiters: (() => void)[] = [];
  /** Set by stop(): every lane finishes the message it holds; claimed messages not started are given back. */
  private stopRequested = false;
  private readonly runFailures: RunFailures;

  constructor(
    private readonly repository: OutboxRepository,
    private readonly outbox: Outbox,
    private readonly handlers: OutboxHandlers,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: CourierOptions,
  ) {
    this.runFailures = new RunFailures(logger, options.storageFaults);
  }

  private get messageIdDomain(): string {
    return this.options.messageIdDomain?.replace(/[^A-Za-z0-9.-]/g, '') || 'latchkey';
  }

  start(): void {
    this.stopped = false;
    this.stopRequested = false;
    this.outbox.onWake(() => this.kick());
    this.schedule(0);
  }

  /**
   * Stops polling, lets the messages being sent finish and releases the other claimed messages
   * of the batch (they are due again at once for any other worker).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopRequested = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /**
   * Processes everything due now, `concurrency` messages at a time, claiming more as the claimed
   * ones run out; resolves when the queue holds nothing due. For CLI and tests.
   */
  async drain(): Promise<number> {
    let total = 0;
    // A run ends at the first empty claim; messages queued meanwhile by handlers (a reset request
    // queues its mail) are due now, so another run follows until one finds nothing.
    while (!this.stopRequested) {
      const n = await this.pump(true);
      total += n;
      if (n === 0) return total;
    }
    return total;
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.drain()
        .then(
          (handled) => this.runFailures.succeeded(handled),
          (error: unknown) => this.runFailures.failed(error),
        )
        .then(() => {
          this.running = undefined;
          if (this.stopped) return;
          const next = this.again ? 0 : this.options.pollMs;
          this.again = false;
          this.schedule(next);
        });
    }, delayMs);
    this.timer.unref();
  }

  /** One claimed batch, `concurrency` messages at a time; returns how many messages it handled. */
  async runOnce(): Promise<number> {
    return this.pump(false);
  }

  private get concurrency(): number {
    return Math.max(1, this.options.concurrency ?? 1);
  }

  /**
   * Lanes (as many as the concurrency) take claimed messages oldest first; when none is left in
   * hand, one lane claims the next batch (the others wait for it). A claim that returns nothing,
   * stop() or a failing database ends the run: every lane finishes the message it holds, and
   * messages claimed but not started are given back.
   */
  private async pump(claimMore: boolean): Promise<number> {
    const inHand: OutboxRecord[] = [];
    let handled = 0;
    let claims = 0;
    let exhausted = false;
    let claiming: Promise<void> | undefined;
    let failure: { error: unknown } | undefined;
    const claim = async () => {
      const batch = await this.repository.claimDue(
        this.clock.nowMs(),
        this.options.leaseMs ?? 60_000,
        this.options.batchSize ?? this.concurrency * 2,
      );
      claims++;
      if (batch.length === 0) exhausted = true;
      inHand.push(...batch);
    };
    const lane = async () => {
      while (!this.stopRequested && !failure) {
        await this.nextTurn();
        if (this.stopRequested || failure) return;
        const record = inHand.shift();
        if (record) {
          await this.process(record);
          handled++;
          continue;
        }
        if (exhausted || (!claimMore && claims > 0)) return;
        claiming ??= claim().finally(() => {
          claiming = undefined;
        });
        await claiming;
      }
    };
    const lanes = Array.from({ length: this.concurrency }, () =>
      lane().catch((error: unknown) => {
        failure ??= { error };
      }),
    );
    await Promise.all(lanes);
    for (const record of inHand.splice(0)) await this.repository.releaseClaim(record.id, this.clock.nowMs());
    if (failure) throw failure.error;
    return handled;
  }

  /**
   * Resolves on a later turn of the event loop, one waiting lane per turn. With better-sqlite3 a
   * job (a reset request: lookup, token, mail row) never waits on I/O, so lanes resumed together
   * (all of them after a claim) would each run a message back to back in one turn while requests
   * wait. Taking turns, the lanes start at most one message per turn, and a request waits for one
   * message's synchronous work at most; with I/O-bound messages (SMTP) the lanes still fill up
   * within a few turns.
   */
  private nextTurn(): Promise<void> {
    return new Promise((resolve) => {
      this.turnWaiters.push(resolve);
      if (this.turnWaiters.length === 1) setImmediate(() => this.releaseTurn());
    });
  }

  private releaseTurn(): void {
    this.turnWaiters.shift()?.();
    if (this.turnWaiters.length > 0) setImmediate(() => this.releaseTurn());
  }

  /**
   * Marks a message sent together with the others that finish in the same turn of the event loop
   * (one UPDATE … WHERE id IN instead of one each: fewer synchronous SQLite statements in the
   * request path's way). Resolves once the row is written; a failed write fails every message of
   * it, which is then retried (at-least-once, as when a node dies after sending).
   */
  private markSent(id: string): Promise<void> {
    this.sentIds.push(id);
    this.sentWrite ??= new Promise((resolve) => setImmediate(resolve)).then(() => {
      const ids = this.sentIds.splice(0);
      this.sentWrite = undefined;
      return this.repository.markSentMany(ids, this.clock.nowMs());
    });
    return this.sentWrite;
  }

  private async process(record: OutboxRecord): Promise<void> {
    const log = this.logger.child({ outboxId: record.id, topic: record.topic, attempt: record.attempts });
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      if (record.payload === null) throw new Error('message has no payload');
      const topic = record.topic as OutboxTopic;
      const handler = this.handlers[topic] as OutboxHandler<OutboxTopic> | undefined;
      if (!handler) throw new Error(`no handler for topic ${record.topic}`);
      await handler(this.outbox.open(topic, record.payload), { id: record.id, messageId: `<${record.id}@${this.messageIdDomain}>` });
      const took = seconds();
      await this.markSent(record.id);
      this.options.onOutcome?.('sent', record.topic, took);
      log.debug('courier: message done');
    } catch (error) {
      const took = seconds();
      const reason = error instanceof Error ? error.message : String(error);
      if (error instanceof PermanentDeliveryError || record.attempts >= this.options.maxAttempts) {
        await this.repository.markDead(record.id, reason, this.clock.nowMs());
        this.options.onOutcome?.('dead', record.topic, took);
        log.error(
          { reason },
          error instanceof PermanentDeliveryError ? 'courier: message refused for good' : 'courier: message is dead after its last attempt',
        );
      } else {
        const next = this.clock.nowMs() + backoffMs(record.attempts);
        await this.repository.markFailed(record.id, reason, next);
        this.options.onOutcome?.('failed', record.topic, took);
        log.warn({ reason, retryInMs: next - this.clock.nowMs() }, 'courier: attempt failed, will retry');
      }
    }
  }
}
