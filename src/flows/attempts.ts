import type { LimitDecision } from '../rate-limits/limiter.ts';

/** One limit a password (or code) attempt takes a point of before it is verified. */
export interface AttemptStep {
  take(): Promise<LimitDecision>;
  /** Gives the point back (a no-op for limits that count every attempt, e.g. per IP). */
  giveBack(): Promise<void>;
}

export type Reservation = { allowed: true; giveBack(): Promise<void> } | { allowed: false; retryAfterSeconds: number };

/**
 * Takes a point of every step in order, atomically per step, before anything is verified: parallel
 * attempts cannot all pass a check made before any of them was counted. A refused step gives back
 * what the steps before it took; `giveBack` of a granted reservation returns every point (the
 * attempt was never verified, e.g. the hashing queue was full).
 */
export async function reserveAttempt(steps: readonly AttemptStep[]): Promise<Reservation> {
  const taken: AttemptStep[] = [];
  const giveBack = async () => {
    for (const step of taken) await step.giveBack();
  };
  for (const step of steps) {
    const decision = await step.take();
    if (!decision.allowed) {
      await giveBack();
      return { allowed: false, retryAfterSeconds: decision.retryAfterSeconds };
    }
    taken.push(step);
  }
  return { allowed: true, giveBack };
}
