// The `snapcopy` entry. On a Node older than the CLI needs it says so in one line instead
// of failing on a missing module. Otherwise it turns on Node's module compile cache
// before anything else is loaded, then loads the CLI with a dynamic import: every module
// compiled after that (commander, the commands, an SDK on first use) is read from the
// on-disk cache from the second run on, which shortens cold starts. The cache lives in
// the system temporary directory unless NODE_COMPILE_CACHE names another;
// NODE_DISABLE_COMPILE_CACHE=1 turns it off. A cache that cannot be written is ignored.
// https://nodejs.org/api/module.html#module-compile-cache
// Only modules that load on any Node are imported statically here.
import module from 'node:module';
import { EXIT_CODES } from '../exit-codes.js';
import { isSupportedNode, MINIMUM_NODE } from './node-version.js';

if (!isSupportedNode(process.versions.node)) {
  process.stderr.write(`snapcopy: needs Node ${MINIMUM_NODE} or later; this is Node ${process.version}\n`);
  process.exit(EXIT_CODES.invalidRequest);
}
module.enableCompileCache();
await import('./cli-main.js');
