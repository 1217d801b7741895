import type { ConformanceContext, SnapshotCopierConformanceOptions } from './case.js';
import type { ImageConformanceHarness } from './image-harness.js';

/** Settings of one image suite run: the snapshot suite's, without the key-failure mode. */
export type ImageCopierConformanceOptions = Omit<SnapshotCopierConformanceOptions, 'keyFailure'>;

/** One test of the image suite, runnable with or without vitest. */
export interface ImageConformanceCase {
  /** Stable id, e.g. `image.capability.copySourceTags` (use it in `options.skip`). */
  readonly id: string;
  /** Group, e.g. `image capabilities`. */
  readonly group: string;
  /** What it checks, in words. */
  readonly name: string;
  run(harness: ImageConformanceHarness, context: ConformanceContext): Promise<void>;
}

/** The image options as the shared runner takes them (the key-failure mode plays no part). */
export function imageRunnerOptions(options: ImageCopierConformanceOptions): SnapshotCopierConformanceOptions {
  return { ...options, keyFailure: 'either' };
}
