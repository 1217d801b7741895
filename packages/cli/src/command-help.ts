import type { Command } from 'commander';
import { EXIT_CODES_HELP } from './exit-codes.js';
import type { CommandModule, CommandRunner } from './program.js';

/** The help text after a command's options: its examples, then the exit codes. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n\n${EXIT_CODES_HELP}\n`;
}

/**
 * Ends a command's definition: `finish(cmd, load, ...exampleLines)` puts the examples (then
 * the exit codes) after the command's help, and runs the module `load` imports, only when
 * the command runs, with the parsed flags and the command's arguments (its declared
 * arguments first, as parsed, then any others).
 */
export type CommandFinisher = <Flags>(
  cmd: Command,
  load: () => Promise<CommandModule<Flags>>,
  ...exampleLines: string[]
) => Command;

/** See {@link CommandFinisher}. */
export function commandFinisher(runCommand: CommandRunner): CommandFinisher {
  return (cmd, load, ...exampleLines) =>
    cmd.addHelpText('after', examples(...exampleLines)).action((...given: unknown[]) => {
      // commander passes the declared arguments, then the flags, then the command itself.
      const command = given.at(-1) as Command;
      const declared = given.slice(0, -2);
      return runCommand(load, given.at(-2) as never, [
        ...(declared as string[]),
        ...command.args.slice(declared.length),
      ]);
    });
}
