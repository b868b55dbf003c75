import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config.ts';
import { generateToken } from '../src/crypto/tokens.ts';
import { createDeps } from '../src/deps.ts';
import { newId } from '../src/kernel/random.ts';
import { createLogger } from '../src/logger.ts';
import { type RunningService, startService } from '../src/main.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import type { BenchDatabase } from './databases.ts';
import { SmtpSink } from './smtp-sink.ts';

/** Raised far above any load run, so the benchmark measures the work and not the limiter's refusals. */
const UNLIMITED = '1000000/1';

export interface BenchService {
  service: RunningService;
  smtp: SmtpSink;
  /** Absolute URL on the service. */
  at(path: string): string;
  /** Waits until the outbox holds nothing to send, up to `timeoutMs`; returns how many messages are left. */
  drainOutbox(timeoutMs: number): Promise<number>;
  /**
   * Deletes what the outbox still has to send (bench only): after a flood the courier needs
   * minutes to catch up, longer than the benchmark may take. Returns how many were deleted.
   */
  discardOutbox(): Promise<number>;
  /** Stops the in-process courier; it first sends what it has claimed. */
  stopCourier(): Promise<void>;
  /** Creates `count` password-less accounts, each with one valid reset token; returns the raw tokens. */
  resetTokens(count: number): Promise<string[]>;
  /** A signed-in session of an existing account, as a Cookie header value (made directly, no login request). */
  sessionCookie(email: string): Promise<string>;
  /**
   * Waits for requests still hashing after a load run ends (the load generator hangs up on them),
   * so closing the database does not fail them.
   */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The settings every benchmark service runs with: production mode, a scratch data directory, the
 * given database and SMTP peer, rate limits raised, confirmation off. `COURIER_INLINE` is the
 * caller's.
 */
export function benchSettings(workDir: string, databaseUrl: string, smtpUrl: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    PUBLIC_URL: 'http://127.0.0.1:3000',
    DATA_DIR: workDir,
    DATABASE_URL: databaseUrl,
    SMTP_URL: smtpUrl,
    SECRET_KEYS: 'bench-secret-key-0123456789abcdef0123456789',
    CLEANUP_INTERVAL: '0',
    LOG_LEVEL: 'warn',
    // The benchmark's account signs in without opening a confirmation mail: with the default
    // (required) every login would answer 403 EMAIL_NOT_CONFIRMED.
    CONFIRM_EMAIL: 'off',
    RATE_LIMIT_FORGOT_IP: UNLIMITED,
    RATE_LIMIT_FORGOT_EMAIL: UNLIMITED,
    RATE_LIMIT_LOGIN_IP: UNLIMITED,
    RATE_LIMIT_LOGIN_ACCOUNT: UNLIMITED,
    RATE_LIMIT_REGISTER_IP: UNLIMITED,
  };
}

/**
 * The real service in this process, configured as in production (NODE_ENV=production, courier
 * in-process, real SMTP peer), with rate limits raised and request logging off.
 */
export async function startBenchService(database: BenchDatabase): Promise<BenchService> {
  const workDir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
  const db = await database.prepare(workDir);
  const smtp = new SmtpSink();
  const smtpUrl = await smtp.start();
  const config = loadConfig({ ...benchSettings(workDir, db.databaseUrl, smtpUrl), COURIER_INLINE: 'true' });
  const deps = createDeps(config, createLogger(config.logLevel));
  // As a deploy would: `latchkey migrate`, then `serve` (which refuses a schema that is behind).
  await migrateToLatest(deps.database);
  const service = await startService(config, deps);

  const pending = async () => {
    const counts = await deps.store.outbox.countByStatus();
    return (counts.pending ?? 0) + (counts.failed ?? 0);
  };
  return {
    service,
    smtp,
    at: (path) => new URL(path, service.url).href,
    drainOutbox: async (timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      let left = await pending();
      while (left > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        left = await pending();
      }
      return left;
    },
    discardOutbox: async () => {
      const result = await deps.database.db.deleteFrom('outbox').where('status', 'in', ['pending', 'failed']).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    stopCourier: () => deps.courier.stop(),
    resetTokens: async (count) => {
      const tokens: string[] = [];
      const nowMs = deps.clock.nowMs();
      for (let i = 0; i < count; i++) {
        const userId = newId();
        const email = `reset-${i}-${userId.slice(0, 8)}@example.com`;
        await deps.store.users.insertIfAbsent({ id: userId, email, emailCanonical: email, name: null, passwordHash: null, nowMs });
        const token = generateToken(deps.random);
        await deps.store.tokens.create({
          id: newId(),
          purpose: 'password-reset',
          digest: deps.digester.digest(token),
          userId,
          nowMs,
          expiresAtMs: nowMs + 3_600_000,
          requestedIp: null,
        });
        tokens.push(token);
      }
      return tokens;
    },
    sessionCookie: async (email) => {
      const user = await deps.store.users.findByCanonicalEmail(email);
      if (!user) throw new Error(`no account ${email} to sign in`);
      const session = await deps.sessions.create(user.id, { ip: '127.0.0.1', userAgent: 'bench' }, { persistent: true });
      return `lk_session=${session.token}`;
    },
    settle: async () => {
      while (deps.hasher.queueLength > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setTimeout(resolve, 500));
    },
    close: async () => {
      await service.stop();
      await smtp.stop();
      await db.cleanup();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
