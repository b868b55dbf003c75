// `node --import ./module-trace.mjs ...`: appends the URL of every module the process resolves to
// the file named by MODULE_TRACE_FILE (one per line), so a test can see what a command loaded.
import { register } from 'node:module';

register(new URL('./module-trace-hooks.mjs', import.meta.url), { data: { file: process.env.MODULE_TRACE_FILE } });
