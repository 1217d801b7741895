/**
 * How a command talks to its caller.
 * - `tty`: a person at a terminal: progress bars and tables.
 * - `plain`: a log or a pipe: one line per event, no control characters.
 * - `json`: a program: exactly one JSON document on stdout, nothing else there.
 */
export type OutputMode = 'tty' | 'plain' | 'json';

/**
 * Picks the mode: `--json` wins; otherwise a terminal on stdout gets bars, anything else
 * plain lines. `SNAPCOPY_TTY=1` forces bars (for logs that render ANSI), `SNAPCOPY_TTY=0`
 * forces lines.
 */
export function outputModeFor(json: boolean | undefined, env: NodeJS.ProcessEnv = process.env): OutputMode {
  if (json === true) return 'json';
  if (env.SNAPCOPY_TTY === '1') return 'tty';
  if (env.SNAPCOPY_TTY === '0') return 'plain';
  return process.stdout.isTTY === true ? 'tty' : 'plain';
}

/** Where a command writes. Human text is dropped in `json` mode so stdout holds one document. */
export class Output {
  readonly mode: OutputMode;
  readonly #out: NodeJS.WritableStream;

  constructor(mode: OutputMode, out: NodeJS.WritableStream = process.stdout) {
    this.mode = mode;
    this.#out = out;
  }

  /** Human text (tty and plain modes). */
  line(text = ''): void {
    if (this.mode !== 'json') this.#out.write(`${text}\n`);
  }

  /** The one JSON document (json mode only). */
  document(doc: unknown): void {
    if (this.mode === 'json') this.#out.write(`${JSON.stringify(doc, null, 2)}\n`);
  }

  /** The stream bars draw on. */
  get stream(): NodeJS.WritableStream {
    return this.#out;
  }
}
