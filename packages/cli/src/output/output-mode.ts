import { SnapcopyError } from '@snapcopy/core';
import { OUTPUT_FORMATS, type OutputFormat } from './formats.js';

export { OUTPUT_FORMATS, type OutputFormat };

/**
 * How a command talks to its caller.
 * - `tty`: tables (`--output table`, the default on a terminal), progress bars on stderr.
 * - `plain`: text lines (`--output text`, the default in a pipe or a log).
 * - `json`: a program: exactly one JSON document on stdout, nothing else there.
 */
export type OutputMode = 'tty' | 'plain' | 'json';

/** The output flags every command may take. */
export interface OutputFlags {
  /** `--json`: short for `--output json`. */
  readonly json?: boolean;
  readonly output?: OutputFormat;
  /** `--quiet`: results only (no progress, no notes). */
  readonly quiet?: boolean;
  /** `--verbose`: every provider call on stderr. */
  readonly verbose?: boolean;
}

const MODE_OF: Readonly<Record<OutputFormat, OutputMode>> = { json: 'json', table: 'tty', text: 'plain' };

/**
 * Picks the mode: `--output` (or `--json`, its short form) wins; otherwise a terminal on
 * stdout gets tables, anything else text lines. `SNAPCOPY_TTY=1` forces tables and bars (for
 * logs that render ANSI), `SNAPCOPY_TTY=0` forces lines. `--json` with another `--output`
 * is refused. A bare boolean is read as `--json`.
 */
export function outputModeFor(
  flags: boolean | undefined | OutputFlags,
  env: NodeJS.ProcessEnv = process.env,
): OutputMode {
  const f: OutputFlags = typeof flags === 'object' ? flags : flags === true ? { json: true } : {};
  if (f.json === true && f.output !== undefined && f.output !== 'json') {
    throw new SnapcopyError(
      'INVALID_REQUEST',
      `--json and --output ${f.output} contradict each other: --json is short for --output json`,
    );
  }
  if (f.json === true) return 'json';
  if (f.output !== undefined) return MODE_OF[f.output];
  if (env.SNAPCOPY_TTY === '1') return 'tty';
  if (env.SNAPCOPY_TTY === '0') return 'plain';
  return process.stdout.isTTY === true ? 'tty' : 'plain';
}

/**
 * Whether escape codes (colours, cursor movement) may be written to `stream`: never with
 * `NO_COLOR` set (https://no-color.org) or `TERM=dumb`; `SNAPCOPY_TTY` forces the answer;
 * otherwise only to a terminal.
 */
export function escapesAllowed(
  stream: { readonly isTTY?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  if (env.SNAPCOPY_TTY === '1') return true;
  if (env.SNAPCOPY_TTY === '0') return false;
  return stream.isTTY === true;
}

/** The width tables and bars must fit: the terminal's, else 80 columns. */
export function outputWidth(stream: { readonly isTTY?: boolean; readonly columns?: number }): number {
  return stream.isTTY === true && typeof stream.columns === 'number' && stream.columns >= 40
    ? stream.columns
    : 80;
}

/**
 * Where a command writes. Results go to stdout (human text in `tty`/`plain` mode, one JSON
 * document in `json` mode); progress and notes go to stderr, and not at all with `--quiet`
 * (nor in `json` mode).
 */
export class Output {
  readonly mode: OutputMode;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly #out: NodeJS.WritableStream;
  readonly #err: NodeJS.WritableStream;

  constructor(
    mode: OutputMode,
    out: NodeJS.WritableStream = process.stdout,
    options: {
      readonly quiet?: boolean;
      readonly verbose?: boolean;
      readonly err?: NodeJS.WritableStream;
    } = {},
  ) {
    this.mode = mode;
    this.quiet = options.quiet === true;
    this.verbose = options.verbose === true;
    this.#out = out;
    this.#err = options.err ?? process.stderr;
  }

  /** The output for a command's flags: `--output`/`--json`, `--quiet`, `--verbose`. */
  static for(flags: OutputFlags): Output {
    return new Output(outputModeFor(flags), process.stdout, {
      quiet: flags.quiet === true,
      verbose: flags.verbose === true,
    });
  }

  /** A result as human text (tty and plain modes), on stdout. */
  line(text = ''): void {
    if (this.mode !== 'json') this.#out.write(`${text}\n`);
  }

  /** The one JSON document (json mode only), on stdout. */
  document(doc: unknown): void {
    if (this.mode === 'json') this.#out.write(`${JSON.stringify(doc, null, 2)}\n`);
  }

  /** Progress or a note for a person, on stderr; nothing with `--quiet` or in json mode. */
  info(text: string): void {
    if (!this.quiet && this.mode !== 'json') this.#err.write(`${text}\n`);
  }

  /** True when results may carry colours (a terminal on stdout, no `NO_COLOR`). */
  get colour(): boolean {
    return this.mode === 'tty' && escapesAllowed(this.#out as { isTTY?: boolean });
  }

  /** True when progress may redraw bars on stderr. */
  get bars(): boolean {
    return this.mode === 'tty' && !this.quiet && escapesAllowed(this.#err as { isTTY?: boolean });
  }

  /** The stream progress bars draw on: stderr. */
  get stream(): NodeJS.WritableStream {
    return this.#err;
  }

  /** The width results must fit. */
  get width(): number {
    return outputWidth(this.#out as { isTTY?: boolean; columns?: number });
  }
}
