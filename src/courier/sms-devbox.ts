import type { Logger } from 'pino';
import { phoneForLogs } from '../kernel/phone-number.ts';
import { DevBoxFolder } from './dev-box-folder.ts';
import type { OutgoingSms, SmsChannel } from './sms-channels.ts';

export interface StoredSms extends OutgoingSms {
  receivedAtMs: number;
}

/**
 * Development SMS box (no SMS_URL outside production): each SMS is written as a JSON file
 * (mode 0600) under DATA_DIR/sms and listed at /dev/mailbox beside the mails. The log line names
 * the recipient by country and last two digits, never the body (it holds a code).
 */
export class DevSmsBoxChannel implements SmsChannel {
  private readonly folder: DevBoxFolder<StoredSms>;

  constructor(
    readonly directory: string,
    private readonly logger: Logger,
  ) {
    this.folder = new DevBoxFolder(directory);
  }

  async send(sms: OutgoingSms): Promise<void> {
    await this.folder.write({ to: sms.to, body: sms.body, messageId: sms.messageId, receivedAtMs: Date.now() });
    this.logger.info({ to: phoneForLogs(sms.to) }, 'sms delivered to the dev SMS box (/dev/mailbox)');
  }

  /** The latest 50 SMS, newest first. */
  list(): Promise<StoredSms[]> {
    return this.folder.latest();
  }

  async close(): Promise<void> {}
}
