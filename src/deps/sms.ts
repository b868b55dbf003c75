import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { Outbox } from '../courier/outbox.ts';
import { type SmsChannel, smsChannelFor } from '../courier/sms-channels.ts';
import { DevSmsBoxChannel } from '../courier/sms-devbox.ts';
import type { MailContext } from '../courier/templates/types.ts';
import { type OutboxHandler, PermanentDeliveryError } from '../courier/worker.ts';
import { SmsSender } from '../flows/sms/sender.ts';
import { phoneForLogs } from '../kernel/phone-number.ts';
import type { RateLimits } from '../rate-limits/rate-limits.ts';

export interface SmsDeps {
  /** SMS_URL's provider, the dev SMS box (no SMS_URL outside production), or none (production without SMS_URL). */
  smsChannel: SmsChannel | undefined;
  /** Whether SMS can be sent: flows offer no SMS method when false. */
  smsAvailable: boolean;
  /** What flows send SMS through (rate limits, country allow-list, outbox). */
  smsSender: SmsSender;
}

/** Wires the SMS channel (issue 8, section 3): the channel SMS_URL names, the sender flows use, and the courier's `sms` handler. */
export function createSmsDeps(o: {
  config: Config;
  logger: Logger;
  outbox: Outbox;
  limits: RateLimits;
  context: MailContext;
  /** Another channel (tests). */
  channel?: SmsChannel | undefined;
}): SmsDeps & { handler: OutboxHandler<'sms'> } {
  const settings = o.config.sms;
  const smsChannel =
    o.channel ??
    smsChannelFor(settings.provider) ??
    (settings.devBox ? new DevSmsBoxChannel(join(o.config.dataDir, 'sms'), o.logger) : undefined);
  const provider = settings.provider?.kind;
  const handler: OutboxHandler<'sms'> = async (message, meta) => {
    if (!smsChannel) throw new PermanentDeliveryError('SMS cannot be sent: SMS_URL is not set');
    await smsChannel.send({ to: message.to, body: message.body, messageId: meta.messageId });
    if (provider) o.logger.info({ to: phoneForLogs(message.to), provider }, 'sms handed to the provider');
  };
  return {
    smsChannel,
    smsAvailable: smsChannel !== undefined,
    smsSender: new SmsSender({
      outbox: o.outbox,
      limits: o.limits,
      settings: { ...settings, available: smsChannel !== undefined },
      context: o.context,
    }),
    handler,
  };
}
