import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { phoneForLogs } from '../kernel/phone-number.ts';
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
  constructor(
    readonly directory: string,
    private readonly logger: Logger,
  ) {}

  async send(sms: OutgoingSms): Promise<void> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const receivedAtMs = Date.now();
    const file = join(this.directory, `${receivedAtMs}-${sms.messageId.replace(/[^A-Za-z0-9-]/g, '')}.json`);
    const stored: StoredSms = { to: sms.to, body: sms.body, messageId: sms.messageId, receivedAtMs };
    await writeFile(file, JSON.stringify(stored), { mode: 0o600 });
    this.logger.info({ to: phoneForLogs(sms.to) }, 'sms delivered to the dev SMS box (/dev/mailbox)');
  }

  /** The latest 50 SMS, newest first. */
  async list(): Promise<StoredSms[]> {
    let files: string[];
    try {
      files = (await readdir(this.directory)).filter((f) => f.endsWith('.json'));
    } catch {
      return [];
    }
    files.sort().reverse();
    return Promise.all(files.slice(0, 50).map(async (f) => JSON.parse(await readFile(join(this.directory, f), 'utf8')) as StoredSms));
  }

  async close(): Promise<void> {}
}
