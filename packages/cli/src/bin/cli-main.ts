import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { EXIT_CODES } from '../exit-codes.js';
import { buildProgram, type CommandRunner } from '../program.js';

function readVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

const runCommand: CommandRunner = async (load, flags, args) => {
  try {
    const command = await load();
    process.exitCode = await command.run(flags, args);
  } catch (err) {
    const { reportError } = await import('../report-error.js');
    const json = typeof flags === 'object' && flags !== null && (flags as { json?: unknown }).json === true;
    process.exitCode = reportError(err, { json });
  }
};

/**
 * Once a command has reported, nothing it started may keep the process alive: a provider
 * call abandoned at a deadline or on SIGINT (the Alibaba SDK cannot abort its request)
 * would otherwise hold the process until the SDK's own timeout. The timer does not keep
 * the process alive itself, and the exit waits until stdout and stderr are flushed.
 */
const EXIT_GRACE_MS = 500;

function exitOnceFlushed(): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit()));
}

async function main(): Promise<void> {
  const program = buildProgram(readVersion(), runCommand);
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? EXIT_CODES.success : EXIT_CODES.invalidRequest;
      return;
    }
    throw err;
  } finally {
    setTimeout(exitOnceFlushed, EXIT_GRACE_MS).unref();
  }
}

await main();
