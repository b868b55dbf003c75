import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { MailChannel } from '../courier/channels.ts';
import type { Outbox } from '../courier/outbox.ts';
import { renderMailWithOverrides } from '../courier/templates/overrides.ts';
import type { MailContext } from '../courier/templates/types.ts';
import { CourierWorker, type OutboxHandlers } from '../courier/worker.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { StorageFaults } from '../store/storage-faults.ts';
import type { Store } from '../store/store.ts';

/**
 * The courier: sends what the outbox holds. Mails are rendered (with the TEMPLATES_DIR overrides)
 * and handed to the mail channel; the other topics (jobs that decide what to send, SMS) come with
 * their handlers.
 */
export function createCourier(o: {
  config: Config;
  logger: Logger;
  clock: Clock;
  store: Store;
  storageFaults: StorageFaults;
  outbox: Outbox;
  metrics: Metrics;
  mailChannel: MailChannel;
  mailContext: MailContext;
  /** Every topic but `mail`. */
  handlers: Omit<OutboxHandlers, 'mail'>;
}): CourierWorker {
  const { config } = o;
  return new CourierWorker(
    o.store.outbox,
    o.outbox,
    {
      mail: async (message, meta) => {
        const rendered = renderMailWithOverrides(message, o.mailContext, config.brand.templates);
        await o.mailChannel.send({ ...rendered, to: message.to, from: config.mailFrom, messageId: meta.messageId });
      },
      ...o.handlers,
    },
    o.clock,
    o.logger,
    {
      pollMs: config.courierPollMs,
      maxAttempts: config.courierMaxAttempts,
      concurrency: config.courierConcurrency,
      messageIdDomain: config.publicUrl.hostname,
      storageFaults: o.storageFaults,
      onOutcome: (outcome, topic, seconds) => o.metrics.observeCourier(outcome, topic, seconds),
    },
  );
}
