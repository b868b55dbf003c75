import type { Deps } from '../deps.ts';

/**
 * `withDeps` of context.ts, loaded when a command runs: the command modules import this instead,
 * so defining the commands (and printing their help) loads none of the service.
 */
export async function withDeps<T>(fn: (deps: Deps) => Promise<T>, options: { checkSchema?: boolean } = {}): Promise<T> {
  const context = await import('./context.ts');
  return context.withDeps(fn, options);
}
