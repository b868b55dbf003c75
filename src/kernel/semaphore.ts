/** Counting semaphore with a bounded wait queue; acquire() rejects when the queue is full. */
export class Semaphore {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(
    private readonly capacity: number,
    private readonly queueLimit: number,
  ) {}

  get waiting(): number {
    return this.queue.length;
  }

  acquire(): Promise<() => void> {
    if (this.running < this.capacity) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    if (this.queue.length >= this.queueLimit) {
      return Promise.reject(new Error('Semaphore queue is full'));
    }
    return new Promise((resolve) => {
      this.queue.push(() => resolve(this.releaser()));
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    };
  }
}
