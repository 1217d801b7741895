/**
 * The oldest Node the CLI runs on, as in package.json's `engines`: 22.13 is the first
 * release with `node:sqlite` (the batch journal) without a flag; commander needs 22.12.
 */
export const MINIMUM_NODE = '22.13.0';

/** Whether `version` (as in `process.versions.node`, e.g. `22.13.0`) is {@link MINIMUM_NODE} or later. */
export function isSupportedNode(version: string): boolean {
  const have = version.split('.').map(Number);
  const need = MINIMUM_NODE.split('.').map(Number);
  for (let i = 0; i < need.length; i++) {
    const a = have[i] ?? 0;
    const b = need[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}
