import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Runs a Python snippet with the Debian interpreter (/usr/bin/python3 has python3-werkzeug,
 * python3-bcrypt and python3-passlib; a pyenv `python3` on PATH may not), handing it JSON on stdin
 * and reading JSON from stdout. Undefined, with the reason, when Python or a module is missing.
 */
export function runPython<T>(script: string, input: unknown): { value: T } | { missing: string } {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const run = spawnSync(python, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', timeout: 120_000 });
  if (run.error) return { missing: `${python} could not run: ${run.error.message}` };
  if (run.status !== 0) {
    const lastLine = run.stderr.trim().split('\n').pop() ?? '';
    return { missing: `${python} failed: ${lastLine}` };
  }
  return { value: JSON.parse(run.stdout) as T };
}
