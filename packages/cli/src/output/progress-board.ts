import type { CopyStatus } from '@snapcopy/core';

/** What a board reads of a status (a snapshot's or an image's). */
export type BoardStatus = Pick<CopyStatus, 'state' | 'progress' | 'message'>;
import { estimateRemaining } from '@snapcopy/orchestrator';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { statusWords } from './format.js';
import type { Output } from './output-mode.js';

/** Bars fit in this many columns, whatever the labels and states. */
export const BAR_LINE_WIDTH = 80;
const BAR_SIZE = 12;
const LABEL_WIDTH = 32;
/** ` {label} |{bar}| {percentage}% {eta} {state}`: what is left for the state. */
const STATE_WIDTH = BAR_LINE_WIDTH - (1 + LABEL_WIDTH + 2 + BAR_SIZE + 2 + 4 + 1 + 8 + 1) - 1;

/** `text` in at most `width` characters, its middle cut out (ids keep their ends). */
export function fitText(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 1) return text.slice(0, width);
  const head = Math.ceil((width - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (width - 1 - head))}`;
}

/** A duration for a bar: `45s`, `12m`, `3h05m`, at most 8 characters. */
export function etaWords(ms: number): string {
  if (!Number.isFinite(ms)) return 'eta --';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `eta ${s}s`;
  const m = Math.round(s / 60);
  if (m < 60) return `eta ${m}m`;
  const h = Math.floor(m / 60);
  return h >= 100 ? 'eta 99h+' : `eta ${h}h${String(m % 60).padStart(2, '0')}`;
}

/**
 * The time left for a copy, from its first and latest readings, with the orchestrator's
 * estimate (the average rate between them; the upper bound while it is finite).
 */
export function remainingMs(
  first: { at: number; progress: number },
  now: { at: number; progress: number },
): number {
  const estimate = estimateRemaining({
    baseAt: first.at,
    baseProgress: first.progress,
    baseUncertainty: 1,
    at: now.at,
    progress: now.progress,
  });
  return Number.isFinite(estimate.upperMs) ? estimate.upperMs : Number.POSITIVE_INFINITY;
}

/** Shows the progress of several copies: bars on a terminal, lines in a log, nothing in JSON. */
export interface ProgressBoard {
  /** A copy to follow, under a short label. */
  add(key: string, label: string): void;
  /** A status read for the copy (any state). */
  update(key: string, status: BoardStatus): void;
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
  first?: { at: number; progress: number };
}

const clamp = (n: number) => Math.max(0, Math.min(100, Math.floor(n)));

/** Bars on stderr, one per copy and one overall, each within 80 columns with an ETA. */
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
        format: ' {label} |{bar}| {percentage}% {remaining} {state}',
        barsize: BAR_SIZE,
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
    return Math.min(LABEL_WIDTH, Math.max(7, ...[...this.#tracks.values()].map((t) => t.label.length)));
  }

  /** A copy's label in the bar's width: a long `source -> copy` label keeps the copy. */
  #label(label: string): string {
    const width = this.#labelWidth();
    const arrow = label.lastIndexOf(' -> ');
    const shown = label.length > width && arrow >= 0 ? label.slice(arrow + 4) : label;
    return fitText(shown, width).padEnd(width);
  }

  #redrawOverall(): void {
    const tracks = [...this.#tracks.values()];
    const total =
      tracks.reduce((sum, t) => sum + (t.done ? 100 : t.progress), 0) / Math.max(1, tracks.length);
    const finished = tracks.filter((t) => t.done).length;
    const etas = tracks.filter((t) => !t.done).map((t) => this.#eta(t));
    const payload = {
      label: this.#label('overall'),
      state: `${finished}/${tracks.length} done`,
      remaining: (etas.length === 0 ? 'eta 0s' : etas.reduce((a, b) => (a.ms > b.ms ? a : b)).words).padEnd(
        8,
      ),
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
      this.#multi.create(100, 0, {
        label: this.#label(label),
        state: 'starting',
        remaining: 'eta --'.padEnd(8),
      }),
    );
    for (const [k, bar] of this.#bars) {
      const t = this.#tracks.get(k);
      if (t) bar.update({ label: this.#label(t.label) });
    }
    this.#redrawOverall();
  }

  update(key: string, status: BoardStatus): void {
    const track = this.#tracks.get(key);
    const bar = this.#bars.get(key);
    if (!track || !bar) return;
    track.progress = status.state === 'completed' ? 100 : clamp(status.progress);
    track.done = status.state !== 'pending';
    track.first ??= { at: Date.now(), progress: track.progress };
    bar.update(track.progress, {
      label: this.#label(track.label),
      state: fitText(statusWords(status), STATE_WIDTH),
      remaining: (track.done ? '' : this.#eta(track).words).padEnd(8),
    });
    this.#redrawOverall();
  }

  fail(key: string, reason: string): void {
    const track = this.#tracks.get(key);
    const bar = this.#bars.get(key);
    if (!track || !bar) return;
    track.done = true;
    bar.update(track.progress, {
      label: this.#label(track.label),
      state: fitText(reason, STATE_WIDTH),
      remaining: ''.padEnd(8),
    });
    this.#redrawOverall();
  }

  #eta(track: Track): { ms: number; words: string } {
    if (track.first === undefined) return { ms: Number.POSITIVE_INFINITY, words: 'eta --' };
    const ms = remainingMs(track.first, { at: Date.now(), progress: track.progress });
    return { ms, words: etaWords(ms) };
  }

  stop(): void {
    this.#multi.stop();
  }
}

/** Lines on stderr: one when a copy starts, each time it crosses a quarter, and when it ends. */
class LineBoard implements ProgressBoard {
  readonly #output: Output;
  readonly #tracks = new Map<string, Track>();

  constructor(output: Output) {
    this.#output = output;
  }

  add(key: string, label: string): void {
    this.#tracks.set(key, { label, progress: 0, done: false });
    this.#output.info(`${label}: started`);
  }

  update(key: string, status: BoardStatus): void {
    const track = this.#tracks.get(key);
    if (!track || track.done) return;
    track.progress = clamp(status.progress);
    track.done = status.state !== 'pending';
    // Log every state change, and progress only in quarter steps, so a log stays short.
    const words =
      status.state === 'pending' ? `pending ${Math.floor(track.progress / 25) * 25}%` : statusWords(status);
    if (words !== track.lastLogged) {
      track.lastLogged = words;
      this.#output.info(`${track.label}: ${words}`);
    }
  }

  fail(key: string, reason: string): void {
    const track = this.#tracks.get(key);
    if (!track || track.done) return;
    track.done = true;
    this.#output.info(`${track.label}: ${reason}`);
  }

  stop(): void {}
}

const silentBoard: ProgressBoard = { add() {}, update() {}, fail() {}, stop() {} };

/**
 * The board for the output: bars on stderr for a terminal (no `NO_COLOR`), lines on stderr
 * otherwise, nothing with `--quiet` or in json mode.
 */
export function createProgressBoard(output: Output): ProgressBoard {
  if (output.quiet || output.mode === 'json') return silentBoard;
  if (output.bars) return new BarBoard(output);
  return new LineBoard(output);
}
