import type { FastifyInstance } from 'fastify';
import { t } from '../i18n/index.ts';
import { AppError } from '../kernel/errors.ts';

/**
 * application/x-www-form-urlencoded into a flat object of strings. A field sent twice is refused
 * (S20): `email=a&email=b` never becomes a list that reaches a mail.
 */
export function registerFormParser(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16_384 }, (_req, body, done) => {
    const result: Record<string, string> = Object.create(null);
    for (const [key, value] of new URLSearchParams(body as string)) {
      if (key in result) {
        done(new AppError('DUPLICATE_FIELD', t('http.request.duplicateField', { field: key.slice(0, 40) })), undefined);
        return;
      }
      result[key] = value;
    }
    done(null, { ...result });
  });
}
