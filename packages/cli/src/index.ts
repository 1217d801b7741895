/**
 * @snapcopy/cli — the `snapcopy` command. Its programmatic surface is small: the
 * command tree and the exit codes, for wrappers and tests.
 * @packageDocumentation
 */
export { EXIT_CODES, EXIT_CODES_HELP, type ExitCode, exitCodeForError } from './exit-codes.js';
export { buildProgram, type CommandModule, type CommandRunner } from './program.js';
