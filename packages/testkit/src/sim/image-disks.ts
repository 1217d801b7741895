import type { SimSnapshot, SimWorld } from './world.js';

/**
 * The snapshots behind an image fixture, in disk order: each must be a completed snapshot
 * of the image's account in its region (both simulators register images only over those).
 */
export function fixtureDiskSnapshots(
  world: SimWorld,
  snapshotIds: readonly string[],
  owner: { readonly account: string; readonly region: string },
): SimSnapshot[] {
  return snapshotIds.map((snapshotId) => {
    const s = world.snapshots.get(snapshotId);
    if (!s) throw new Error(`unknown snapshot ${snapshotId}`);
    if (s.account !== owner.account || s.region !== owner.region || s.state !== 'completed') {
      throw new Error(`${snapshotId} must be a completed snapshot of ${owner.account} in ${owner.region}`);
    }
    return s;
  });
}

/** The device of disk `i`: the root at `/dev/xvda`, data disks lettered from b after `prefix`. */
export function fixtureDeviceName(i: number, prefix: string, letters: string): string {
  return i === 0 ? '/dev/xvda' : `${prefix}${letters[(i - 1) % letters.length]}`;
}
