import { SnapcopyError } from '@snapcopy/core';

/** `snapcopy demo` (being written). */
export async function run(): Promise<number> {
  throw new SnapcopyError('UNSUPPORTED', 'the demo is not available yet');
}
