import pino, { type DestinationStream, type Logger } from 'pino';

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

/**
 * Paths of URLs that carry a token in the path, and any query string, are masked in logs; also
 * behind a base path (`/auth/reset-password/[redacted]`), wherever the URL is logged from.
 */
export function redactUrl(url: string): string {
  const [path = ''] = url.split('?');
  const masked = path.replace(/(\/(?:reset-password|confirm-email|email-change\/confirm|email-change\/undo)\/)[^/]+/g, '$1[redacted]');
  return url.includes('?') ? `${masked}?[redacted]` : masked;
}

/** The service logger; `destination` (default stdout) lets tests capture every line. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: redactUrl(req.url), ip: req.ip }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
