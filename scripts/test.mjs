// Runs every test file under test/ (recursively) with node:test through tsx.
// Node 20's --test takes no globs, so the file list is gathered here. Pass paths to run a subset.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === 'support' ? [] : collect(path);
      return name.endsWith('.test.ts') ? [path] : [];
    });
}

const args = process.argv.slice(2);
const files = args.length > 0 ? args.flatMap((a) => (statSync(a).isDirectory() ? collect(a) : [a])) : collect('test');
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

// This machine's PostgreSQL, MariaDB/MySQL and Redis on their default ports are used when a
// TEST_*_URL is not set and they answer (connected to and queried, within 3 s): `npm test` then
// tests what CI tests. Whatever does not answer is skipped, and said so below.
const LOCAL_DEFAULTS = [
  ['TEST_POSTGRES_URL', 'postgres://postgres@127.0.0.1:5432/test', probePostgres],
  ['TEST_MYSQL_URL', 'mysql://root@127.0.0.1:3306/test', probeMysql],
  ['TEST_REDIS_URL', 'redis://127.0.0.1:6379', probeRedis],
];
for (const [variable, url, probe] of LOCAL_DEFAULTS) {
  if (process.env[variable]) continue;
  const problem = await withTimeout(probe(url), 3000);
  if (problem === undefined) {
    process.env[variable] = url;
    console.log(`${variable} not set: using ${url}, which answered`);
  } else {
    console.log(`${variable} not set, and ${url} did not answer (${problem})`);
  }
}

async function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${ms / 1000} s`), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function probePostgres(url) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2500 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error.message;
  } finally {
    await client.end().catch(() => {});
  }
}

async function probeMysql(url) {
  const { default: mysql } = await import('mysql2/promise');
  let connection;
  try {
    connection = await mysql.createConnection({ uri: url, connectTimeout: 2500 });
    await connection.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error.message;
  } finally {
    await connection?.end().catch(() => {});
  }
}

async function probeRedis(url) {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2500, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG' ? undefined : 'no PONG';
  } catch (error) {
    return error.message;
  } finally {
    redis.disconnect();
  }
}

// Say up front which databases and services the contract suites run on, and what was skipped.
const services = [
  ['TEST_POSTGRES_URL', 'PostgreSQL'],
  ['TEST_MYSQL_URL', 'MySQL/MariaDB'],
  ['TEST_REDIS_URL', 'Redis'],
];
console.log('contract suites run on: SQLite (always)');
for (const [variable, name] of services) {
  console.log(
    process.env[variable]
      ? `contract suites run on: ${name} (${variable} is set)`
      : `SKIPPED: the ${name} suites do not run because ${variable} is not set and nothing answered on its default port`,
  );
}

const run = (list, env = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...list], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
  }).status ?? 1;

let status = run(files);

// The service-level suites (e2e and security) drive the store through the whole app: when a server
// database is configured and the whole suite runs, they run once more on a fresh database of each
// server (TEST_DATABASE selects the engine in test/support/app.ts). The CLI tests spawn their own
// SQLite processes and the browser tests need no second engine, so they are not repeated.
if (args.length === 0) {
  const serviceLevel = files.filter((f) => /^test[\\/](e2e|security)[\\/]/.test(f) && !/[\\/]cli[^\\/]*\.test\.ts$/.test(f));
  for (const [variable, name, engine] of [
    ['TEST_POSTGRES_URL', 'PostgreSQL', 'postgres'],
    ['TEST_MYSQL_URL', 'MySQL/MariaDB', 'mysql'],
  ]) {
    if (!process.env[variable]) continue;
    console.log(`\n=== e2e and security suites again on ${name} (TEST_DATABASE=${engine}) ===`);
    status = run(serviceLevel, { TEST_DATABASE: engine }) || status;
  }
}

for (const [variable, name] of services) {
  if (!process.env[variable]) console.log(`SKIPPED: ${name} suites (${variable} is not set)`);
}
process.exit(status);
