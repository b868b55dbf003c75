/** Collects a service's JSON log lines, to assert on warnings and on what was never logged. */
export class LogCapture {
  readonly lines: string[] = [];

  write(line: string): void {
    this.lines.push(line);
  }

  get entries(): Array<{ level: number; msg: string; [key: string]: unknown }> {
    return this.lines.flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return [];
      }
    });
  }

  has(pattern: RegExp): boolean {
    return this.entries.some((e) => pattern.test(e.msg));
  }

  async waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!this.has(pattern)) {
      if (Date.now() > end)
        throw new Error(`no log line matched ${pattern} within ${timeoutMs} ms; got:\n${this.lines.slice(-10).join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
