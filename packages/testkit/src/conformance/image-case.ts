import type { ConformanceCaseOf, SnapshotCopierConformanceOptions } from './case.js';
import type { ImageConformanceHarness } from './image-harness.js';

/** Settings of one image suite run: the snapshot suite's, without the key-failure mode. */
export type ImageCopierConformanceOptions = Omit<SnapshotCopierConformanceOptions, 'keyFailure'>;

/** One test of the image suite, e.g. `image.capability.copySourceTags` in `image capabilities`. */
export type ImageConformanceCase = ConformanceCaseOf<ImageConformanceHarness>;

/** The image options as the shared runner takes them (the key-failure mode plays no part). */
export function imageRunnerOptions(options: ImageCopierConformanceOptions): SnapshotCopierConformanceOptions {
  return { ...options, keyFailure: 'either' };
}
