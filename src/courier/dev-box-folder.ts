import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The folder behind a development box (the dev mailbox, the dev SMS box): one JSON file per
 * message, readable by the service's user only (0600 in a 0700 folder), named by arrival time and
 * message id so the newest sort last.
 */
export class DevBoxFolder<T extends { messageId: string; receivedAtMs: number }> {
  constructor(readonly directory: string) {}

  async write(message: T): Promise<void> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const file = join(this.directory, `${message.receivedAtMs}-${message.messageId.replace(/[^A-Za-z0-9-]/g, '')}.json`);
    await writeFile(file, JSON.stringify(message), { mode: 0o600 });
  }

  /** The latest `count` messages, newest first; none when the folder does not exist yet. */
  async latest(count = 50): Promise<T[]> {
    let files: string[];
    try {
      files = (await readdir(this.directory)).filter((f) => f.endsWith('.json'));
    } catch {
      return [];
    }
    files.sort().reverse();
    return Promise.all(files.slice(0, count).map(async (f) => JSON.parse(await readFile(join(this.directory, f), 'utf8')) as T));
  }
}
