// `node --import ./module-trace.mjs ...`: appends the URL of every module the process resolves to
// the file named by MODULE_TRACE_FILE (one per line), so a test can see what a command loaded:
// ES modules through a resolve hook, CommonJS modules (a package's require()s, a createRequire
// of our own) as each is loaded.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { pathToFileURL } from 'node:url';

const file = process.env.MODULE_TRACE_FILE;
register(new URL('./module-trace-hooks.mjs', import.meta.url), { data: { file } });

if (file) {
  const load = Module.prototype.load;
  Module.prototype.load = function (filename) {
    appendFileSync(file, `${pathToFileURL(filename).href}\n`);
    return load.call(this, filename);
  };
}
