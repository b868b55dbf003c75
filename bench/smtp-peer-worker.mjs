// The courier benchmark's SMTP peer (see DelayedSmtpPeer in courier.ts), run in a worker thread as
// a real provider runs on another machine: its parsing does not share the service's event loop.
// Accepts every message after `delayMs` and posts the running count of received messages.
import { parentPort, workerData } from 'node:worker_threads';
import { SMTPServer } from 'smtp-server';

let received = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, _session, callback) {
    stream.resume();
    stream.on('end', () => {
      const done = () => {
        received++;
        parentPort.postMessage({ received });
        callback();
      };
      if (workerData.delayMs > 0) setTimeout(done, workerData.delayMs);
      else done();
    });
  },
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.server.address().port }));
parentPort.on('message', (message) => {
  if (message === 'stop') server.close(() => parentPort.postMessage({ stopped: true }));
});
