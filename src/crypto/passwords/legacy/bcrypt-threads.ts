import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * bcrypt off the event loop. `bcryptjs` is pure JavaScript: on the main thread even its async
 * form computes in slices of up to 100 ms, stalling every other request (S14). Here it runs in a
 * few worker threads, started on the first bcrypt verification and holding the process open only while they compute.
 * How many run at once is still bounded by the hashing pool that calls this.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcryptPath);
parentPort.on('message', ({ id, password, salt }) => {
  try {
    parentPort.postMessage({ id, hash: bcrypt.hashSync(password, salt) });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

interface Pending {
  resolve(hash: string): void;
  reject(error: Error): void;
}

class BcryptThreads {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  /** Requests in hand per worker: a worker holds the process open only while it has some. */
  private readonly busy: number[] = [];
  private nextId = 0;

  constructor(private readonly size: number) {}

  hash(password: string, salt: string): Promise<string> {
    const id = this.nextId++;
    const index = id % this.size;
    const worker = this.worker(index);
    this.busy[index] = (this.busy[index] ?? 0) + 1;
    if (this.busy[index] === 1) worker.ref();
    const done = () => {
      this.busy[index] = (this.busy[index] ?? 1) - 1;
      if (this.busy[index] === 0) worker.unref();
    };
    return new Promise<string>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, password, salt });
    }).finally(done);
  }

  private worker(index: number): Worker {
    const existing = this.workers[index];
    if (existing) return existing;
    const bcryptPath = createRequire(import.meta.url).resolve('bcryptjs');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptPath } });
    worker.on('message', (message: { id: number; hash?: string; error?: string }) => {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.hash !== undefined) waiting?.resolve(message.hash);
      else waiting?.reject(new Error(message.error ?? 'bcrypt failed'));
    });
    worker.on('error', (error) => {
      // A crashed worker fails what it had in hand; the next call starts a new one.
      this.workers[index] = undefined as unknown as Worker;
      for (const [id, waiting] of this.pending) {
        if (id % this.size === index) {
          this.pending.delete(id);
          waiting.reject(error);
        }
      }
    });
    // After the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref();
    this.workers[index] = worker;
    return worker;
  }
}

let threads: BcryptThreads | undefined;

/** bcrypt(password, salt) (salt = the first 29 characters of a bcrypt hash), in a worker thread. */
export function bcryptInThread(password: string, salt: string): Promise<string> {
  threads ??= new BcryptThreads(Math.max(1, Math.min(4, availableParallelism())));
  return threads.hash(password, salt);
}
