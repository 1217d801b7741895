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
  }
}

await main();
