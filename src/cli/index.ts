// The command definitions only: every action imports what it needs when it runs (`await
// import()`), so `latchkey --help` and `latchkey <command> --help` load commander and little else.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerAuditCommand } from './audit.ts';
import { registerClientCommands } from './clients.ts';
import { registerImportCommand } from './import.ts';
import { registerUserCommands } from './users.ts';

/** The version in package.json, which `latchkey --version` prints. */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

/**
 * `migrate --status`: one line per migration (`applied  NAME  WHEN` or `pending  NAME`), then a
 * summary line saying whether `latchkey migrate` has anything to do.
 */
export function formatMigrationStatus(migrations: Array<{ name: string; appliedAt: Date | undefined }>): string {
  const width = Math.max(0, ...migrations.map((m) => m.name.length));
  const lines = migrations.map((m) =>
    m.appliedAt ? `applied  ${m.name.padEnd(width)}  ${m.appliedAt.toISOString()}` : `pending  ${m.name}`,
  );
  const pending = migrations.filter((m) => !m.appliedAt).length;
  const applied = migrations.length - pending;
  lines.push(
    pending === 0
      ? `schema is up to date: ${applied} applied, none pending`
      : `${applied} applied, ${pending} pending: run \`latchkey migrate\` to apply them`,
  );
  return `${lines.join('\n')}\n`;
}

export function buildProgram(): Command {
  const program = new Command('latchkey')
    .description(
      'Latchkey: self-hosted account recovery and sign-in.\nConfiguration comes from environment variables and .env (see README).',
    )
    .version(packageVersion(), '-V, --version', 'print the version of Latchkey')
    .showHelpAfterError();

  program
    .command('serve')
    .description('start the HTTP service (and, unless COURIER_INLINE=false, the courier and the cleanup schedule)')
    .action(async () => {
      const [{ configFromEnvironment, exitOnStartupError }, { createDeps }, { createLogger, chooseLogFormat }, { startService }] =
        await Promise.all([import('./context.ts'), import('../deps.ts'), import('../logger.ts'), import('../main.ts')]);
      const config = configFromEnvironment();
      const deps = createDeps(config, createLogger(config.logLevel, undefined, chooseLogFormat(config)));
      const service = await startService(config, deps).catch(exitOnStartupError(deps));
      const shutdown = (signal: string) => {
        service.deps.logger.info({ signal }, 'shutting down');
        service.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });

  program
    .command('worker')
    .description('run only the courier: send queued mail, retrying with backoff (for running it apart from serve)')
    .action(async () => {
      const [{ configFromEnvironment, exitOnStartupError }, { createDeps }, { createLogger, chooseLogFormat }, { ensureSchemaCurrent }] =
        await Promise.all([import('./context.ts'), import('../deps.ts'), import('../logger.ts'), import('../store/migrate.ts')]);
      const config = configFromEnvironment();
      const deps = createDeps(config, createLogger(config.logLevel, undefined, chooseLogFormat(config)));
      await ensureSchemaCurrent(deps.database, config.database).catch(exitOnStartupError(deps));
      deps.courier.start();
      // The courier's timers do not hold the process open (so `serve` can exit cleanly); here they must.
      const keepAlive = setInterval(() => {}, 60_000);
      deps.logger.info('courier worker running');
      const stop = async () => {
        deps.logger.info('courier worker stopping: finishing the message in hand, releasing other claims');
        clearInterval(keepAlive);
        await deps.courier.stop();
        await deps.mailChannel.close();
        await deps.smsChannel?.close();
        await deps.limits.close();
        await deps.database.close();
        process.exit(0);
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });

  program
    .command('migrate')
    .description('apply pending database migrations (run it before deploying a new version), listing each one')
    .option('--status', 'only list the migrations, applied (with when) and pending; change nothing')
    .action(async (options: { status?: boolean }) => {
      const [{ withDeps }, { migrateToLatest, migrationStatus, pendingMigrations }] = await Promise.all([
        import('./context.ts'),
        import('../store/migrate.ts'),
      ]);
      await withDeps(
        async (deps) => {
          if (options.status) {
            process.stdout.write(formatMigrationStatus(await migrationStatus(deps.database)));
            return;
          }
          const pending = await pendingMigrations(deps.database);
          // What is about to change goes to stderr first, so an operator sees it even if a migration fails.
          for (const name of pending) process.stderr.write(`applying ${name} to the ${deps.database.dialect} database\n`);
          const applied = await migrateToLatest(deps.database);
          process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date, nothing to apply\n');
        },
        { checkSchema: false },
      );
    });

  program
    .command('cleanup')
    .description(
      'delete expired or used tokens and expired sessions after TOKEN_RETENTION, finished mail after OUTBOX_RETENTION, expired OpenID Connect codes, tokens and sessions, and security events after AUDIT_RETENTION days',
    )
    .option('--batch-size <n>', 'rows per delete statement', '500')
    .action(async (options: { batchSize: string }) => {
      const batchSize = Number(options.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
        process.stderr.write('latchkey: --batch-size must be a whole number from 1 to 10000\n');
        process.exit(1);
      }
      const [{ withDeps }, { runCleanup }, { CleanupProgressReport }] = await Promise.all([
        import('./context.ts'),
        import('../maintenance/cleanup.ts'),
        import('./cleanup-progress.ts'),
      ]);
      await withDeps(async (deps) => {
        const report = new CleanupProgressReport();
        const deleted = await runCleanup(deps.store, deps.clock, { ...deps.config, batchSize }, (p) => report.update(p)).finally(() =>
          report.finish(),
        );
        process.stdout.write(
          `deleted: ${deleted.tokens} tokens, ${deleted.sessions} sessions, ${deleted.outbox} outbox messages, ${deleted.oidc} OpenID Connect rows, ${deleted.audit} audit events\n`,
        );
      });
    });

  registerUserCommands(program);
  registerClientCommands(program);
  registerImportCommand(program);
  registerAuditCommand(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
