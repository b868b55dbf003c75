import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.ts';

const SERVER = fileURLToPath(new URL('../../examples/oidc-app/server.mjs', import.meta.url));

/** Starts examples/oidc-app as its own process; resolves once it listens. */
export async function startExampleApp(env: {
  ISSUER: string;
  CLIENT_ID: string;
  CLIENT_SECRET?: string | undefined;
  APP_NAME?: string;
  PORT: string;
}) {
  const child: ChildProcess = spawn(process.execPath, [SERVER], {
    env: { PATH: process.env.PATH ?? '', APP_URL: `http://127.0.0.1:${env.PORT}`, ...env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the example app did not start: ${output}`)), 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code) => reject(new Error(`the example app exited (${code}): ${output}`)));
  });
  return {
    url: `http://127.0.0.1:${env.PORT}`,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export { freePort };
