import { Agent, request } from 'node:http';
import autocannon, { type Result as AutocannonResult } from 'autocannon';
import { Argon2Hasher } from '../src/crypto/passwords/hasher.ts';

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  /** Responses other than `expectStatus`, plus errors and timeouts. */
  unexpected: number;
}

/** An autocannon run of one JSON POST; the load generator runs in a worker thread, off the service's event loop. */
export async function loadJsonPost(o: {
  url: string;
  body: unknown;
  expectStatus: number;
  connections: number;
  durationSeconds: number;
}): Promise<LoadResult> {
  const result = await autocannon({
    url: o.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(o.body),
    connections: o.connections,
    duration: o.durationSeconds,
    workers: 1,
  });
  return loadResultOf(result, o.expectStatus);
}

/** An autocannon run of one GET with fixed headers (e.g. a session cookie). */
export async function loadGet(o: {
  url: string;
  headers: Record<string, string>;
  expectStatus: number;
  connections: number;
  durationSeconds: number;
}): Promise<LoadResult> {
  const result = await autocannon({
    url: o.url,
    method: 'GET',
    headers: o.headers,
    connections: o.connections,
    duration: o.durationSeconds,
    workers: 1,
  });
  return loadResultOf(result, o.expectStatus);
}

/**
 * One request at a time over one kept-alive connection, alternating between the bodies, so slow
 * drift (GC, background work) hits every body alike. Returns each body's latencies in ms.
 */
export async function alternateJsonPosts(url: string, bodies: unknown[], rounds: number, warmupRounds = 100): Promise<number[][]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const payloads = bodies.map((b) => JSON.stringify(b));
  const times: number[][] = bodies.map(() => []);
  try {
    for (let round = 0; round < warmupRounds + rounds; round++) {
      // Swap the order every round, so neither body always follows the other.
      const order = round % 2 === 0 ? payloads.map((_, i) => i) : payloads.map((_, i) => payloads.length - 1 - i);
      for (const i of order) {
        const ms = await timedPost(agent, url, payloads[i] as string);
        if (round >= warmupRounds) times[i]?.push(ms);
      }
    }
  } finally {
    agent.destroy();
  }
  return times;
}

function timedPost(agent: Agent, url: string, payload: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 202) reject(new Error(`expected 202, got ${res.statusCode} from ${url}`));
          else resolve(Number(process.hrtime.bigint() - started) / 1e6);
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Times `count` sequential Argon2id hashes with the project's hasher (after one warm-up); ms each. */
export async function timeArgon2Hashes(count: number): Promise<number[]> {
  const hasher = new Argon2Hasher({ concurrency: 1, queueLimit: 0 });
  await hasher.hashPassword('warm-up passphrase');
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = process.hrtime.bigint();
    await hasher.hashPassword(`benchmark passphrase ${i}`);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return times;
}

/**
 * Redeems each token once with `POST /api/password/reset`, `connections` requests at a time over
 * kept-alive connections (each reset hashes one new password and runs one transaction).
 */
export async function redeemResetTokens(url: string, tokens: string[], connections: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let unexpected = 0;
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < tokens.length) {
      const token = tokens[next++] as string;
      const payload = JSON.stringify({ token, password: `bench reset passphrase ${token.slice(0, 8)}` });
      const t0 = process.hrtime.bigint();
      const status = await new Promise<number>((resolve) => {
        const req = request(
          url,
          { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', () => resolve(0));
        req.end(payload);
      });
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (status !== 200) unexpected++;
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, worker));
  } finally {
    agent.destroy();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
  return { requestsPerSecond: latencies.length / seconds, p50Ms: at(50), p99Ms: at(99), total: latencies.length, unexpected };
}

/** The figures of one autocannon run; a response with another status than expected counts as unexpected. */
function loadResultOf(result: AutocannonResult, expectStatus: number): LoadResult {
  const expected = result.statusCodeStats[String(expectStatus)]?.count ?? 0;
  const total = result.latency.totalCount;
  return {
    requestsPerSecond: total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total,
    unexpected: total - expected + result.errors + result.timeouts,
  };
}
