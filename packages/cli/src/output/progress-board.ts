import type { CopyStatus } from '@snapcopy/core';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { statusWords } from './format.js';
import type { Output } from './output-mode.js';

/** Shows the progress of several copies: bars on a terminal, lines in a log, nothing in JSON. */
export interface ProgressBoard {
  /** A copy to follow, under a short label. */
  add(key: string, label: string): void;
  /** A status read for the copy (any state). */
  update(key: string, status: CopyStatus): void;
  /** The copy ended without a status (e.g. its wait failed). */
  fail(key: string, reason: string): void;
  /** Stops drawing; call once, before printing anything else. */
  stop(): void;
}

interface Track {
  readonly label: string;
  progress: number;
  done: boolean;
  lastLogged?: string;
}

const clamp = (n: number) => Math.max(0, Math.min(100, Math.floor(n)));

/** Bars: one per copy and one overall, drawn with cli-progress. */
class BarBoard implements ProgressBoard {
  readonly #multi: MultiBar;
  readonly #bars = new Map<string, SingleBar>();
  readonly #tracks = new Map<string, Track>();
  #overall: SingleBar | undefined;

  constructor(output: Output) {
    const stream = output.stream as NodeJS.WriteStream;
    this.#multi = new MultiBar(
      {
        stream,
        format: ' {label} |{bar}| {percentage}% {state}',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        autopadding: true,
        // Drawn even when stdout is not a terminal if SNAPCOPY_TTY=1 asked for bars.
        noTTYOutput: stream.isTTY !== true,
        notTTYSchedule: 1000,
        fps: 8,
      },
      Presets.shades_classic,
    );
  }

  #labelWidth(): number {
    return Math.max(7, ...[...this.#tracks.values()].map((t) => t.label.length));
  }

  #redrawOverall(): void {
    const tracks = [...this.#tracks.values()];
    const total =
      tracks.reduce((sum, t) => sum + (t.done ? 100 : t.progress), 0) / Math.max(1, tracks.length);
    const finished = tracks.filter((t) => t.done).length;
    const payload = {
      label: 'overall'.padEnd(this.#labelWidth()),
      state: `${finished}/${tracks.length} done`,
    };
    if (this.#overall === undefined) this.#overall = this.#multi.create(100, clamp(total), payload);
    else this.#overall.update(clamp(total), payload);
  }

  add(key: string, label: string): void {
    this.#tracks.set(key, { label, progress: 0, done: false });
    // The overall bar stays last: remove it and add it again below the new copy.
    if (this.#overall) {
      this.#multi.remove(this.#overall);
      this.#overall = undefined;
    }
    this.#bars.set(
      key,
      this.#multi.create(100, 0, { label: label.padEnd(this.#labelWidth()), state: 'starting' }),
    );
    for (const [k, bar] of this.#bars) {
      const t = this.#tracks.get(k);
      if (t) bar.update({ label: t.label.padEnd(this.#labelWidth()) });
    }
    this.#redrawOverall();
  }

  update(key: string, status: CopyStatus): void {
    const track = this.#tracks.get(key);
    const bar = this.#bars.get(key);
    if (!track || !bar) return;
    track.progress = status.state === 'completed' ? 100 : clamp(status.progress);
    track.done = status.state !== 'pending';
    bar.update(track.progress, { label: track.label.padEnd(this.#labelWidth()), state: statusWords(status) });
    this.#redrawOverall();
  }

  fail(key: string, reason: string): void {
    const track = this.#tracks.get(key);
    const bar = this.#bars.get(key);
    if (!track || !bar) return;
    track.done = true;
    bar.update(track.progress, { label: track.label.padEnd(this.#labelWidth()), state: reason });
    this.#redrawOverall();
  }

  stop(): void {
    this.#multi.stop();
  }
}

/** Lines: one when a copy starts, each time it crosses a quarter, and when it ends. */
class LineBoard implements ProgressBoard {
  readonly #output: Output;
  readonly #tracks = new Map<string, Track>();

  constructor(output: Output) {
    this.#output = output;
  }

  add(key: string, label: string): void {
    this.#tracks.set(key, { label, progress: 0, done: false });
    this.#output.line(`${label}: started`);
  }

  update(key: string, status: CopyStatus): void {
    const track = this.#tracks.get(key);
    if (!track || track.done) return;
    track.progress = clamp(status.progress);
    track.done = status.state !== 'pending';
    // Log every state change, and progress only in quarter steps, so a log stays short.
    const words =
      status.state === 'pending' ? `pending ${Math.floor(track.progress / 25) * 25}%` : statusWords(status);
    if (words !== track.lastLogged) {
      track.lastLogged = words;
      this.#output.line(`${track.label}: ${words}`);
    }
  }

  fail(key: string, reason: string): void {
    const track = this.#tracks.get(key);
    if (!track || track.done) return;
    track.done = true;
    this.#output.line(`${track.label}: ${reason}`);
  }

  stop(): void {}
}

const silentBoard: ProgressBoard = { add() {}, update() {}, fail() {}, stop() {} };

/** The board for the output's mode. */
export function createProgressBoard(output: Output): ProgressBoard {
  if (output.mode === 'tty') return new BarBoard(output);
  if (output.mode === 'plain') return new LineBoard(output);
  return silentBoard;
}
