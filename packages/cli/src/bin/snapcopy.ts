// The `snapcopy` entry. It turns on Node's module compile cache before anything else is
// loaded, then loads the CLI with a dynamic import: every module compiled after this
// line (commander, the commands, an SDK on first use) is read from the on-disk cache
// from the second run on, which shortens cold starts. The cache lives in the system
// temporary directory unless NODE_COMPILE_CACHE names another; NODE_DISABLE_COMPILE_CACHE=1
// turns it off. A cache that cannot be written is ignored.
// https://nodejs.org/api/module.html#module-compile-cache
import { enableCompileCache } from 'node:module';

enableCompileCache();
await import('./cli-main.js');
