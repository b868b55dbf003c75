// npm run bench [-- --duration 10 --connections 10 --sequential 2000 --hashes 20 --resets 300 --db sqlite,postgres,mysql]
//
// For each database given, starts the real service in this process (rate limits raised, courier
// sending to a real SMTP peer), then measures with autocannon: forgot-password for a known and an
// unknown address (and, fairer for enumeration, a sequential alternating loop), login against the
// hash-bound limit, and password-reset throughput. With several databases it ends with a table
// comparing forgot-password and reset throughput on each.
import { availableParallelism, cpus, loadavg } from 'node:os';
import { benchmarkCli } from './cli.ts';
import { benchmarkCourier } from './courier.ts';
import { BENCH_DATABASES } from './databases.ts';
import { benchmarkImport, type ImportFigures } from './import.ts';
import { alternateJsonPosts, type LoadResult, loadGet, loadJsonPost, redeemResetTokens, timeArgon2Hashes } from './measure.ts';
import { type BenchOptions, helpText, parseBenchOptions, UsageError } from './options.ts';
import { markdownTable, ms, type Row, textTable } from './report.ts';
import { startBenchService } from './service.ts';
import { mannWhitneyP, median, percentile } from './stats.ts';

const KNOWN = { email: 'known.user@example.com', password: 'benchmark passphrase 2024' };
const UNKNOWN_EMAIL = 'nobody.here@example.com';
/** How long the courier may catch up after a load run before the rest of its backlog is discarded. */
const CATCH_UP_MS = 8_000;

const progress = (message: string) => process.stderr.write(`· ${message}\n`);

/** What the comparison across databases shows for one database. */
interface Summary {
  db: string;
  forgotUnknown: LoadResult;
  forgotKnown: LoadResult;
  reset: LoadResult;
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(helpText());
    return;
  }
  const summaries: Summary[] = [];
  for (const db of options.db) summaries.push(await benchmarkOn(db, options));
  for (const db of options.db) await benchmarkCourier(BENCH_DATABASES[db]!, { connections: 32, durationSeconds: options.durationSeconds });
  await benchmarkCli();
  if (summaries.length > 1) {
    const rows: Row[] = summaries.flatMap((s) => [
      { route: `${s.db}: POST /api/password/forgot (unknown)`, ...s.forgotUnknown, notes: 'autocannon' },
      { route: `${s.db}: POST /api/password/forgot (known)`, ...s.forgotKnown, notes: 'autocannon' },
      { route: `${s.db}: POST /api/password/reset`, ...s.reset, notes: `${s.reset.total} resets, ${options.connections} at a time` },
    ]);
    const base = summaries[0] as Summary;
    const relative = summaries
      .slice(1)
      .map(
        (s) =>
          `${s.db} vs ${base.db}: forgot (known) ${((s.forgotKnown.requestsPerSecond / base.forgotKnown.requestsPerSecond) * 100).toFixed(0)}%, ` +
          `reset ${((s.reset.requestsPerSecond / base.reset.requestsPerSecond) * 100).toFixed(0)}% of the throughput`,
      );
    console.log(`\nComparison across databases (same machine, same run)\n`);
    console.log(textTable(rows));
    console.log(`\n${relative.join('\n')}\n`);
    console.log(`Markdown:\n\n${markdownTable(rows)}\n`);
  }
}

async function benchmarkOn(db: string, options: BenchOptions): Promise<Summary> {
  const database = BENCH_DATABASES[db]!;
  const cores = availableParallelism();
  const startedAt = new Date();
  const loadBefore = loadavg()[0] ?? 0;

  progress(`starting Latchkey on ${database.label}`);
  const bench = await startBenchService(database);
  try {
    const registered = await fetch(bench.at('/api/register'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(KNOWN),
    });
    if (registered.status !== 202) throw new Error(`registering the known account answered ${registered.status}`);
    await bench.drainOutbox(CATCH_UP_MS);

    const forgotUrl = bench.at('/api/password/forgot');
    const load = { connections: options.connections, durationSeconds: options.durationSeconds };
    // After a flood the courier lags minutes behind; the rest of its backlog is discarded so
    // that it does not take CPU from the next measurement (and the run stays short).
    let discarded = 0;
    const catchUp = async () => {
      await bench.drainOutbox(CATCH_UP_MS);
      discarded += await bench.discardOutbox();
    };

    // The request path is the same code for every address, so warming it with one address warms both.
    progress('warming up forgot-password (3 s, discarded)');
    await loadJsonPost({ ...load, durationSeconds: 3, url: forgotUrl, body: { email: 'warm.up@example.com' }, expectStatus: 202 });
    await catchUp();

    progress(`forgot-password, unknown address: ${options.durationSeconds} s, ${options.connections} connections`);
    const unknown = await loadJsonPost({ ...load, url: forgotUrl, body: { email: UNKNOWN_EMAIL }, expectStatus: 202 });
    await catchUp();

    progress(`forgot-password, known address: ${options.durationSeconds} s, ${options.connections} connections`);
    const mailsBefore = bench.smtp.received;
    const known = await loadJsonPost({ ...load, url: forgotUrl, body: { email: KNOWN.email }, expectStatus: 202 });
    const mailsDuringKnown = bench.smtp.received - mailsBefore;
    progress(`letting the courier send for ${CATCH_UP_MS / 1000} s`);
    const mailsAtCatchUp = bench.smtp.received;
    const catchUpStarted = Date.now();
    await catchUp();
    const courierMailsPerSecond = (bench.smtp.received - mailsAtCatchUp) / ((Date.now() - catchUpStarted) / 1000);

    progress(`forgot-password, sequential alternating known/unknown: ${options.sequentialRequests} each`);
    const [seqKnown = [], seqUnknown = []] = await alternateJsonPosts(
      forgotUrl,
      [{ email: KNOWN.email }, { email: UNKNOWN_EMAIL }],
      options.sequentialRequests,
    );
    const seqP = mannWhitneyP(seqKnown, seqUnknown);

    // Login sends no mail: empty the outbox and stop the courier, so that it takes no CPU from
    // the hashes and logins measured next.
    discarded += await bench.discardOutbox();
    await bench.stopCourier();

    progress(`timing ${options.hashes} sequential Argon2id hashes`);
    const hashTimes = await timeArgon2Hashes(options.hashes);
    const hashMs = median(hashTimes);
    const hashBoundPerSecond = cores / (hashMs / 1000);

    progress(`login with the correct password: ${options.durationSeconds} s, ${options.connections} connections`);
    const login = await loadJsonPost({ ...load, url: bench.at('/api/login'), body: KNOWN, expectStatus: 200 });
    const loginShare = login.requestsPerSecond / hashBoundPerSecond;
    await bench.settle();

    progress(`forward auth (GET /api/authz/auth-request, valid session): ${options.durationSeconds} s, ${options.connections} connections`);
    const authRequest = await loadGet({
      ...load,
      url: bench.at('/api/authz/auth-request'),
      headers: { cookie: await bench.sessionCookie(KNOWN.email) },
      expectStatus: 200,
    });
    await bench.settle();

    progress(`password reset: ${options.resets} tokens redeemed, ${options.connections} at a time`);
    const resetTokens = await bench.resetTokens(options.resets);
    const reset = await redeemResetTokens(bench.at('/api/password/reset'), resetTokens, options.connections);
    await bench.settle();

    // After the service's runs, on a database of its own: the CLI is a separate process.
    let imported: ImportFigures | undefined;
    if (options.importRows > 0) {
      progress(`latchkey import: ${options.importRows} users from a JSON Lines file, then the same file again`);
      imported = await benchmarkImport(database, options.importRows);
    }

    const unexpected = (n: number) => (n > 0 ? `; ${n} unexpected responses/errors` : '');
    const rows: Row[] = [
      {
        route: 'POST /api/password/forgot (unknown)',
        ...unknown,
        notes: `autocannon, ${options.connections} conn${unexpected(unknown.unexpected)}`,
      },
      {
        route: 'POST /api/password/forgot (known)',
        ...known,
        notes: `autocannon, ${options.connections} conn; ${mailsDuringKnown} mails sent during the run${unexpected(known.unexpected)}`,
      },
      {
        route: 'forgot, sequential (unknown)',
        requestsPerSecond: undefined,
        p50Ms: median(seqUnknown),
        p99Ms: percentile(seqUnknown, 99),
        notes: `${seqUnknown.length} requests, alternating`,
      },
      {
        route: 'forgot, sequential (known)',
        requestsPerSecond: undefined,
        p50Ms: median(seqKnown),
        p99Ms: percentile(seqKnown, 99),
        notes: `${seqKnown.length} requests, alternating`,
      },
      {
        route: 'POST /api/login (correct password)',
        ...login,
        notes: `autocannon, ${options.connections} conn; ${(loginShare * 100).toFixed(0)}% of hash-bound limit${unexpected(login.unexpected)}`,
      },
      {
        route: 'GET /api/authz/auth-request (signed in)',
        ...authRequest,
        notes: `autocannon, ${options.connections} conn; one session lookup, no hashing${unexpected(authRequest.unexpected)}`,
      },
      {
        route: 'POST /api/password/reset',
        ...reset,
        notes: `${reset.total} resets, ${options.connections} at a time (one hash + one transaction each)${unexpected(reset.unexpected)}`,
      },
      ...(imported
        ? [
            {
              route: `latchkey import, ${imported.rows} new users (rows/s)`,
              requestsPerSecond: imported.rowsPerSecond,
              p50Ms: Number.NaN,
              p99Ms: Number.NaN,
              notes: `JSON Lines, batches of 500, ${imported.seconds.toFixed(1)} s in all (process start and migration check included)`,
            },
            {
              route: 'latchkey import, same file again (rows/s)',
              requestsPerSecond: imported.againRowsPerSecond,
              p50Ms: Number.NaN,
              p99Ms: Number.NaN,
              notes: 'every row skipped: the address exists already',
            },
          ]
        : []),
      {
        route: 'Argon2id hash (sequential)',
        requestsPerSecond: 1000 / hashMs,
        p50Ms: hashMs,
        p99Ms: percentile(hashTimes, 99),
        notes: `${hashTimes.length} hashes, one thread`,
      },
    ];

    const ratios = [
      `forgot-password median difference, known - unknown (autocannon, 1 ms resolution, separate runs):  ${ms(known.p50Ms - unknown.p50Ms)} ms`,
      `forgot-password median difference, known - unknown (sequential, alternating):  ${(median(seqKnown) - median(seqUnknown)).toFixed(3)} ms` +
        `  (Mann-Whitney p = ${seqP.toFixed(3)}; p > 0.05: not distinguishable)`,
      `forgot-password req/s, known / unknown:  ${((known.requestsPerSecond / unknown.requestsPerSecond) * 100).toFixed(0)}%`,
      `courier: ${mailsDuringKnown} reset mails sent during the known-address run, ${courierMailsPerSecond.toFixed(0)} mails/s after it; ` +
        `${discarded} queued outbox messages discarded in all to keep the run short`,
      `login hash-bound limit = ${cores} cores / ${ms(hashMs)} ms per Argon2id hash = ${hashBoundPerSecond.toFixed(0)} req/s; ` +
        `measured ${login.requestsPerSecond.toFixed(0)} req/s = ${(loginShare * 100).toFixed(0)}%`,
    ];

    const machine =
      `${cores} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, ${database.label}\n` +
      `load average before / after: ${loadBefore.toFixed(2)} / ${loadavg()[0]?.toFixed(2)} (other work on the machine skews the figures)`;
    console.log(`\nLatchkey benchmark, ${startedAt.toISOString()}\n${machine}\n`);
    console.log(textTable(rows));
    console.log(`\n${ratios.join('\n')}\n`);
    console.log(`Markdown:\n\n${markdownTable(rows)}\n`);
    return { db, forgotUnknown: unknown, forgotKnown: known, reset };
  } finally {
    await bench.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(err.message);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  },
);
