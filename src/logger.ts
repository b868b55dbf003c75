import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config/config.ts';
import { decodedPath } from './http/request-path.ts';

/** Paths removed from every log line (S23): cookies, auth headers, passwords, tokens, codes. */
export const REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  '*.password',
  '*.password_confirm',
  '*.current_password',
  '*.new_password',
  '*.new_password_confirm',
  '*.token',
  '*.code',
  '*._csrf',
];

/** Link paths that carry a token, also behind a base path (`/auth/reset-password/[redacted]`). */
const TOKEN_PATH = /(\/(?:reset-password|confirm-email|email-change\/confirm|email-change\/undo)\/)[^/]+/g;
/** A path segment as long as a token (256 bits are 43 base64url characters): masked wherever it is. */
const TOKEN_SHAPED_SEGMENT = /(?<=\/)[A-Za-z0-9_-]{40,}(?=\/|$)/g;

/**
 * The URL as logged: the path decoded and normalised as the router matches it (so
 * `/reset%2Dpassword/<token>` is masked like `/reset-password/<token>`), the token of link paths
 * and any token-shaped segment masked, any query string dropped.
 */
export function redactUrl(url: string): string {
  const masked = decodedPath(url).replace(TOKEN_PATH, '$1[redacted]').replace(TOKEN_SHAPED_SEGMENT, '[redacted]');
  return url.includes('?') ? `${masked}?[redacted]` : masked;
}

/**
 * LOG_FORMAT resolved: `auto` is human-readable (pino-pretty) in development and test on a
 * terminal, and JSON in production or when stdout is a pipe or a file (log collectors, tests).
 */
export function chooseLogFormat(
  config: Pick<Config, 'logFormat' | 'nodeEnv'>,
  stdoutIsTTY: boolean = process.stdout.isTTY === true,
): 'pretty' | 'json' {
  if (config.logFormat !== 'auto') return config.logFormat;
  return config.nodeEnv !== 'production' && stdoutIsTTY ? 'pretty' : 'json';
}

/**
 * pino-pretty as a synchronous stream (nothing lost when a command exits), loaded only when a
 * pretty logger is made: production never loads it.
 */
function prettyStream(destination: DestinationStream | undefined): DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as (options: Record<string, unknown>) => DestinationStream;
  return pretty({
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    colorize: destination === undefined && process.stdout.isTTY === true,
    ...(destination ? { destination } : {}),
  });
}

/**
 * The service logger: JSON lines (the default), or `pretty` lines for a developer's terminal (the
 * same redaction applies first). `destination` (default stdout) lets tests capture every line.
 */
export function createLogger(level: string, destination?: DestinationStream, format: 'pretty' | 'json' = 'json'): Logger {
  const options = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: redactUrl(req.url), ip: req.ip }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
  if (format === 'pretty') return pino(options, prettyStream(destination));
  return destination ? pino(options, destination) : pino(options);
}
