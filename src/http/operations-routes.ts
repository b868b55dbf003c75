import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { sql } from 'kysely';
import { t } from '../i18n/index.ts';
import { ERROR_CODES, type ErrorCode, errorBody } from '../kernel/errors.ts';
import { pendingMigrations } from '../store/migrate.ts';
import type { HttpKit } from './kit.ts';

function sendProbeError(reply: FastifyReply, code: ErrorCode, retryAfterSeconds = 5): FastifyReply {
  return reply
    .status(ERROR_CODES[code].status)
    .header('retry-after', String(retryAfterSeconds))
    .header('cache-control', 'no-store')
    .type('application/json; charset=utf-8')
    .send(errorBody(code));
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/**
 * Probes and metrics for operators and load balancers:
 * - GET /healthz: the process is alive and serving (never touches the database);
 * - GET /readyz: the database answers, its schema is current and it took the last write (a full
 *   disk or read-only SQLite file: 503 DATABASE_NOT_WRITABLE for 30 s after a refused write, or
 *   until the courier writes again), else 503 with the reason;
 * - GET /metrics: Prometheus text, only with `Authorization: Bearer $METRICS_TOKEN`; off (404)
 *   when no METRICS_TOKEN is set.
 */
export async function operationsRoutes(app: FastifyInstance, kit: HttpKit): Promise<void> {
  const { database, config, metrics, logger } = kit.deps;
  let schemaKnownCurrent = false;

  app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    try {
      await sql`select 1`.execute(database.db);
      if (!schemaKnownCurrent) {
        const pending = await pendingMigrations(database);
        if (pending.length > 0) return sendProbeError(reply, 'SCHEMA_OUTDATED', 30);
        // The schema only moves forward: once current for this version, it stays current.
        schemaKnownCurrent = true;
      }
      const fault = database.faults.recent();
      if (fault) {
        logger.warn({ cause: fault }, 'readiness: the database refused a write in the last 30 seconds');
        return sendProbeError(reply, 'DATABASE_NOT_WRITABLE');
      }
      return reply.header('cache-control', 'no-store').send({ status: 'ready', database: database.dialect });
    } catch (error) {
      if (!database.capabilities.isUnavailable(error)) throw error;
      logger.warn({ reason: error instanceof Error ? error.message : String(error) }, 'readiness: the database is unreachable');
      return sendProbeError(reply, 'DATABASE_UNAVAILABLE');
    }
  });

  app.get('/metrics', async (request, reply) => {
    const token = config.metricsToken;
    if (token === undefined) return reply.callNotFound();
    if (!bearerMatches(request.headers.authorization, token)) {
      return reply
        .status(401)
        .header('www-authenticate', 'Bearer realm="metrics"')
        .type('application/json; charset=utf-8')
        .send(errorBody('NOT_AUTHENTICATED', t('http.metrics.bearer', { token: '<METRICS_TOKEN>' })));
    }
    return reply
      .header('cache-control', 'no-store')
      .type(metrics.contentType)
      .send(await metrics.render());
  });
}
