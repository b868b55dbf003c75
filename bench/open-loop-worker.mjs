// Open-loop load (see open-loop.ts): sends POSTs at a fixed rate, whatever the answers' latency,
// over at most `connections` kept-alive connections, and reports each request's latency from the
// moment it was due (so a stall shows as latency, not as fewer requests). Plain JavaScript: it
// runs in a worker thread, apart from the service's event loop.
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { url, body, rate, durationSeconds, connections, expectStatus } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const target = new URL(url);
const payload = Buffer.from(JSON.stringify(body));
const total = Math.round(rate * durationSeconds);
const latencies = [];
let unexpected = 0;

function send(dueAt) {
  return new Promise((resolve) => {
    const request = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': payload.length },
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          latencies.push(performance.now() - dueAt);
          if (response.statusCode !== expectStatus) unexpected++;
          resolve();
        });
      },
    );
    request.on('error', () => {
      unexpected++;
      resolve();
    });
    request.end(payload);
  });
}

const started = performance.now();
const pending = [];
for (let i = 0; i < total; i++) {
  const dueAt = started + (i * 1000) / rate;
  const wait = dueAt - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  pending.push(send(dueAt));
}
await Promise.all(pending);
agent.destroy();
parentPort.postMessage({ latencies, unexpected, seconds: (performance.now() - started) / 1000 });
